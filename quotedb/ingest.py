"""Writing parsed articles to the database, one transaction per article.

The rules that keep a corpus whole:
- the content hash is the dedupe key: the same text again is "unchanged";
- the same source with new text replaces that article and its quotes
  ("updated");
- everything for one article (article row, speakers, aliases, quotes) is
  written in one transaction, so a crash never leaves an article without its
  quotes, and the rerun completes what was missing;
- a file that cannot be read or parsed is reported and skipped; the rest of
  the batch goes on.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Literal

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from . import models
from .errors import ArticleReadError
from .formats import ArticleRecord, FieldMap, RecordProblem, format_for, source_records
from .names import name_key
from .parser import PARSER_VERSION, parse_article
from .records import ParsedArticle
from .sources import (
    DEFAULT_MAX_BYTES,
    STDIN,
    SourceFile,
    SourceProblem,
    content_hash,
    read_source,
)

Status = Literal["new", "unchanged", "updated", "failed"]

#: How often one article's transaction is retried when the database is busy.
MAX_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one input."""

    source: str
    status: Status
    article_id: int | None = None
    quotes: int = 0
    new_speakers: int = 0
    error: str | None = None


@dataclass(slots=True)
class Summary:
    """Counts over a whole ingest run."""

    new: int = 0
    unchanged: int = 0
    updated: int = 0
    failed: int = 0
    quotes: int = 0
    new_speakers: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome.status, getattr(self, outcome.status) + 1)
        self.quotes += outcome.quotes
        self.new_speakers += outcome.new_speakers
        if outcome.error:
            self.errors.append(outcome.error)

    def line(self) -> str:
        """One line for the end of ``quotedb ingest``."""
        return (
            f"articles: {self.new} new, {self.unchanged} unchanged, {self.updated} updated, "
            f"{self.failed} failed; quotes: {self.quotes} stored; "
            f"speakers: {self.new_speakers} new"
        )


@dataclass(frozen=True, slots=True)
class Prepared:
    """An article read and parsed, ready to store (made in a worker process)."""

    source: str
    digest: str
    parsed: ParsedArticle


@dataclass(frozen=True, slots=True)
class PageFile:
    """A file holding one article in a format that needs extracting (HTML).

    Extraction is slow, so it happens in the worker along with parsing.
    """

    source: SourceFile
    fmt: str


Work = SourceFile | SourceProblem | PageFile | ArticleRecord | RecordProblem

#: Formats with one article per file, read (and extracted) in the worker.
_ONE_PER_FILE = ("txt", "html")


def expand(
    sources: Iterable[SourceFile | SourceProblem],
    *,
    input_format: str | None = None,
    fields: FieldMap | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Work]:
    """Turn listed sources into units of work, one per article, lazily.

    Plain-text and HTML files stay whole (a worker reads them); JSON Lines,
    JSON and CSV files are streamed here, record by record, so a huge corpus
    file is never held in memory. Standard input is read here too.
    """
    for source in sources:
        if isinstance(source, SourceProblem):
            yield source
            continue
        fmt = format_for(source.name, input_format) if source.path else (input_format or "txt")
        if source.path is not None and fmt == "txt":
            yield source
        elif source.path is not None and fmt in _ONE_PER_FILE:
            yield PageFile(source, fmt)
        else:
            yield from source_records(source, fmt, fields, max_bytes)


def prepare(item: Work, max_bytes: int = DEFAULT_MAX_BYTES) -> Prepared | Outcome:
    """Read, decode and parse one article; a failure becomes a "failed" Outcome.

    Pure CPU and file work with no database, so it runs in worker processes.
    """
    if isinstance(item, SourceProblem):
        return Outcome(item.name, "failed", error=f"{item.name}: {item.message}")
    if isinstance(item, RecordProblem):
        return Outcome(item.source, "failed", error=item.message)
    if isinstance(item, PageFile):
        record = next(iter(source_records(item.source, item.fmt, None, max_bytes)), None)
        if record is None:
            return Outcome(item.source.name, "failed", error=f"{item.source.name}: no article")
        return prepare(record, max_bytes)
    if isinstance(item, ArticleRecord):
        return _parsed(item.source, item.text, record=item)
    try:
        text = read_source(item, max_bytes=max_bytes)
    except ArticleReadError as exc:
        return Outcome(item.name, "failed", error=str(exc))
    return _parsed(item.name if item.path is not None else STDIN, text)


def _parsed(source: str, text: str, record: ArticleRecord | None = None) -> Prepared | Outcome:
    """Parse a text; a record's own metadata (from a page or corpus) wins over the text's."""
    digest = content_hash(text)
    if source in (STDIN, "stdin"):
        source = f"stdin:{digest[:16]}"
    try:
        parsed = parse_article(text)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the batch
        return Outcome(source, "failed", error=f"{source}: parser error: {exc!r}")
    if record is not None:
        parsed = replace(parsed, meta=replace(
            parsed.meta,
            title=record.title or parsed.meta.title,
            published=record.published or parsed.meta.published,
            outlet=record.outlet or parsed.meta.outlet,
            authors=record.authors or parsed.meta.authors,
        ))
    return Prepared(source, digest, parsed)


def prepared_in_order(
    items: Iterable[Work], *, workers: int = 1, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Prepared | Outcome]:
    """Prepare inputs in a process pool, yielding results in input order.

    At most a few items per worker are in flight, so memory stays flat
    however many files there are: inputs are pulled lazily and results are
    handed on as soon as the oldest one is ready.
    """
    if workers <= 1:
        for item in items:
            yield prepare(item, max_bytes)
        return
    window = workers * 4
    pending: deque[Future[Prepared | Outcome]] = deque()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for item in items:
            if isinstance(item, SourceFile) and item.path is None:
                # stdin belongs to this process: drain what is queued, then read it here
                while pending:
                    yield pending.popleft().result()
                yield prepare(item, max_bytes)
                continue
            pending.append(pool.submit(prepare, item, max_bytes))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def ingest_paths(
    engine: Engine,
    sources: Iterable[SourceFile | SourceProblem],
    *,
    workers: int = 1,
    batch_size: int = 64,
    max_bytes: int = DEFAULT_MAX_BYTES,
    input_format: str | None = None,
    fields: FieldMap | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Summary:
    """Ingest every article of every source, in input order; report each outcome.

    Parsing runs in ``workers`` processes; writing happens here, in batches
    of ``batch_size`` articles per transaction, each article inside its own
    savepoint so it is stored whole or not at all. Each file's format comes
    from its extension unless ``input_format`` says otherwise.
    """
    work = expand(sources, input_format=input_format, fields=fields, max_bytes=max_bytes)
    summary = Summary()
    batch: list[Prepared] = []

    def flush() -> None:
        for outcome in write_batch(engine, batch):
            summary.add(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
        batch.clear()

    for result in prepared_in_order(work, workers=workers, max_bytes=max_bytes):
        if isinstance(result, Outcome):
            flush()  # keep outcomes in input order
            summary.add(result)
            if on_outcome is not None:
                on_outcome(result)
            continue
        batch.append(result)
        if len(batch) >= batch_size:
            flush()
    flush()
    return summary


def ingest_text(
    engine: Engine, source: str, text: str, parsed: ParsedArticle | None = None
) -> Outcome:
    """Store one article's text under ``source`` (the library's one-article entry)."""
    prepared = Prepared(source, content_hash(text), parsed or parse_article(text))
    return write_batch(engine, [prepared])[0]


def write_batch(engine: Engine, batch: list[Prepared]) -> list[Outcome]:
    """Store a batch in one transaction, retrying it whole while the database is busy.

    Each article has its own savepoint: one that breaks a constraint (say a
    concurrent writer stored the same text first) is rolled back alone and
    looked at again, the rest of the batch still commits.
    """
    if not batch:
        return []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                return [_store_one(session, prepared) for prepared in batch]
        except OperationalError as exc:
            if attempt == MAX_ATTEMPTS or not _is_transient(exc):
                return [
                    Outcome(p.source, "failed", error=f"{p.source}: database error: {exc.orig}")
                    for p in batch
                ]
        time.sleep(min(0.05 * 2**attempt, 2.0))
    raise AssertionError("unreachable")


def _store_one(session: Session, prepared: Prepared) -> Outcome:
    """Store one article in a savepoint; a constraint clash is retried once."""
    for attempt in (1, 2):
        try:
            with session.begin_nested():
                return _store(session, prepared.source, prepared.digest, prepared.parsed)
        except IntegrityError as exc:
            # Another writer committed the same article, source or speaker
            # between our check and our insert: look again, it is there now.
            if attempt == 2:
                return Outcome(prepared.source, "failed",
                               error=f"{prepared.source}: database error: {exc.orig}")
        except DBAPIError as exc:
            if isinstance(exc, OperationalError) and _is_transient(exc):
                raise  # the whole batch is retried
            return Outcome(prepared.source, "failed",
                           error=f"{prepared.source}: database error: {exc.orig}")
    raise AssertionError("unreachable")


def _is_transient(exc: OperationalError) -> bool:
    """Whether a database error is worth retrying (locks, serialization)."""
    message = str(exc.orig).lower()
    return any(
        marker in message
        for marker in ("database is locked", "busy", "deadlock", "could not serialize")
    )


def _store(session: Session, source: str, digest: str, parsed: ParsedArticle) -> Outcome:
    """Write one parsed article inside the caller's transaction."""
    same = session.scalar(select(models.Article.id).where(models.Article.content_hash == digest))
    if same is not None:
        return Outcome(source, "unchanged", article_id=same)
    article = session.scalar(select(models.Article).where(models.Article.source == source))
    status: Status = "new"
    if article is None:
        article = models.Article(source=source)
        session.add(article)
    else:
        status = "updated"
        session.execute(delete(models.Quote).where(models.Quote.article_id == article.id))
    meta = parsed.meta
    article.content_hash = digest
    article.text = parsed.text
    article.title = meta.title
    article.published = meta.published
    article.outlet = _clip(meta.outlet, 255)
    article.authors = list(meta.authors)
    article.dateline = _clip(meta.dateline, 255)
    article.ingested_at = datetime.now(timezone.utc)
    article.parser_version = PARSER_VERSION
    session.flush()

    speaker_ids, new_speakers = _store_speakers(session, parsed)
    session.add_all(
        models.Quote(
            article_id=article.id,
            speaker_id=speaker_ids.get(quote.speaker) if quote.speaker else None,
            text=quote.text,
            start=quote.start,
            end=quote.end,
            paragraph=quote.paragraph,
            speaker_mention=_clip(quote.speaker_mention, 255),
            cue=_clip(quote.cue, 64),
            fragment=quote.fragment,
        )
        for quote in parsed.quotes
    )
    return Outcome(
        source, status, article_id=article.id, quotes=len(parsed.quotes), new_speakers=new_speakers
    )


def _clip(value: str | None, length: int) -> str | None:
    """Fit a parser-made string into its column (PostgreSQL enforces lengths)."""
    return value[:length] if value is not None else None


def _insert(session: Session, table: Any) -> Any:
    """An INSERT that can say ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


def _store_speakers(session: Session, parsed: ParsedArticle) -> tuple[dict[str, int], int]:
    """Upsert the article's speakers and aliases; map canonical name to id.

    ``ON CONFLICT DO NOTHING`` on the unique name key makes concurrent
    writers converge on one row per speaker instead of failing.
    """
    quoted = {quote.speaker for quote in parsed.quotes if quote.speaker}
    ids: dict[str, int] = {}
    new = 0
    by_name = {speaker.name: speaker for speaker in parsed.speakers}
    for name in sorted(quoted):
        speaker = by_name.get(name)
        kind = speaker.kind if speaker else None
        key = name_key(name)[:255]
        if not key:
            continue
        inserted = session.execute(
            _insert(session, models.Speaker)
            .values(name=name[:255], key=key, kind=kind)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(models.Speaker.id)
        ).scalar()
        new += inserted is not None
        speaker_id, known_kind = session.execute(
            select(models.Speaker.id, models.Speaker.kind).where(models.Speaker.key == key)
        ).one()
        if known_kind is None and kind is not None:
            session.get(models.Speaker, speaker_id).kind = kind  # type: ignore[union-attr]
        ids[name] = speaker_id
        aliases = {name, *(speaker.aliases if speaker else ())}
        for alias in sorted(aliases):
            alias_key = name_key(alias)
            if alias_key:
                session.execute(
                    _insert(session, models.SpeakerAlias)
                    .values(speaker_id=speaker_id, alias=alias[:255], key=alias_key[:255])
                    .on_conflict_do_nothing(index_elements=["speaker_id", "key"])
                )
    return ids, new


__all__ = [
    "Outcome", "Prepared", "Summary", "ingest_paths", "ingest_text", "prepare", "write_batch",
]
