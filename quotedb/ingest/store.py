"""The write path: batches of parsed articles into the database.

The rules that keep a corpus whole:
- the content hash is the dedupe key: the same text again is "unchanged";
- the same source with new text replaces that article and its quotes
  ("updated"), even when that text is stored under another source (which
  then loses it), so each source keeps the text it now holds;
- a speaker's kind is what most of the articles quoting it say, so the
  order articles arrive in never changes what is stored;
- everything for one article (article row, speakers, aliases, quotes) is
  written in one transaction, so a crash never leaves an article without its
  quotes, and the rerun completes what was missing.

Nothing here reads files or parses: it takes ``Prepared`` articles (see
``pipeline``) and returns one ``Outcome`` each.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

from sqlalchemy import (
    Connection,
    Dialect,
    Engine,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from .. import models
from ..db import writer
from ..errors import ArticleReadError
from ..names import name_key
from ..parser import PARSER_VERSION
from ..records import SPEAKER_KINDS, ParsedArticle
from ..sources import SourceFile, content_hash, read_source
from ..stats import quote_counts
from .copies import CopyFinder, mark_copies, release_copies

Status = Literal["new", "unchanged", "updated", "failed"]

# The tables as Core objects: ingest writes with Core statements (see _store).
ARTICLES = cast(Table, models.Article.__table__)
QUOTES = cast(Table, models.Quote.__table__)
SPEAKERS = cast(Table, models.Speaker.__table__)
ALIASES = cast(Table, models.SpeakerAlias.__table__)
EVIDENCE = cast(Table, models.SpeakerEvidence.__table__)

#: How often one article's transaction is retried when the database is busy.
MAX_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one input."""

    source: str
    status: Status
    article_id: int | None = None
    #: Quotes stored, fragments not counted (as ``quotedb stats`` counts them).
    quotes: int = 0
    fragments: int = 0
    new_speakers: int = 0
    error: str | None = None


def stored_outcome(source: str, status: Status, article_id: int, parsed: ParsedArticle,
                   new_speakers: int) -> Outcome:
    """The outcome of an article written: its quotes and fragments counted apart."""
    fragments = parsed.fragment_count
    return Outcome(source, status, article_id=article_id, quotes=len(parsed.quotes) - fragments,
                   fragments=fragments, new_speakers=new_speakers)


@dataclass(slots=True)
class Summary:
    """Counts over a whole ingest run."""

    new: int = 0
    unchanged: int = 0
    updated: int = 0
    failed: int = 0
    quotes: int = 0
    fragments: int = 0
    new_speakers: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome.status, getattr(self, outcome.status) + 1)
        self.quotes += outcome.quotes
        self.fragments += outcome.fragments
        self.new_speakers += outcome.new_speakers
        if outcome.error:
            self.errors.append(outcome.error)

    def line(self) -> str:
        """One line for the end of ``quotedb ingest``."""
        return (
            f"articles: {self.new} new, {self.unchanged} unchanged, {self.updated} updated, "
            f"{self.failed} failed; stored {quote_counts(self.quotes, self.fragments)}; "
            f"speakers: {self.new_speakers} new"
        )


@dataclass(frozen=True, slots=True)
class Prepared:
    """An article read and parsed, ready to store (made in a worker process)."""

    source: str
    digest: str
    parsed: ParsedArticle
    #: The body's MinHash signature (``duplicates.signature``; None when too
    #: short to compare), made in the worker with the parse.
    minhash: bytes | None = None


@dataclass(slots=True)
class SpeakerCache:
    """Speaker ids, kinds and aliases this writer knows to be committed,
    and the article signatures it looks new articles up in (``copies``).

    Most articles quote people the database already has; remembering them
    saves the lookups that would otherwise dominate an ingest. What a
    transaction adds is staged and only kept once it commits, so a rolled
    back batch never leaves ids behind that do not exist. Bounded, so memory
    stays flat on any corpus.
    """

    limit: int = 4096
    speakers: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    aliases: set[tuple[int, str]] = field(default_factory=set)
    staged_speakers: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    staged_aliases: set[tuple[int, str]] = field(default_factory=set)
    copies: CopyFinder = field(default_factory=CopyFinder)

    def speaker(self, key: str) -> tuple[int, str | None] | None:
        return self.staged_speakers.get(key) or self.speakers.get(key)

    def forget(self, speaker_id: int) -> None:
        """Drop a speaker whose stored row changed behind the cache (looked up again)."""
        for entries in (self.speakers, self.staged_speakers):
            for key in [k for k, (sid, _) in entries.items() if sid == speaker_id]:
                del entries[key]

    def has_alias(self, pair: tuple[int, str]) -> bool:
        return pair in self.staged_aliases or pair in self.aliases

    def commit(self) -> None:
        if len(self.speakers) + len(self.aliases) > self.limit:
            self.speakers.clear()
            self.aliases.clear()
        self.speakers.update(self.staged_speakers)
        self.aliases.update(self.staged_aliases)
        self.copies.commit()
        self.rollback()

    def rollback(self) -> None:
        self.staged_speakers.clear()
        self.staged_aliases.clear()
        self.copies.rollback()

    def clear(self) -> None:
        """Forget everything: the next lookups go to the database."""
        self.rollback()
        self.speakers.clear()
        self.aliases.clear()


def write_batch(
    target: Engine | Connection, batch: list[Prepared], cache: SpeakerCache | None = None
) -> list[Outcome]:
    """Store a batch in one transaction; on a clash, store its articles one by one.

    The common case is one commit for the whole batch. If any article breaks
    a constraint (say a concurrent writer stored the same text first) or
    fails, the batch is rolled back and each article is stored in its own
    transaction, so every article is still all-or-nothing and one bad
    article never costs the others. A busy database is waited for.
    ``target`` is an engine, or a connection outside any transaction.
    """
    if not batch:
        return []
    cache = cache if cache is not None else SpeakerCache()
    try:
        outcomes = _in_transaction(target, lambda c: _store_all(c, batch, cache))
        cache.commit()
        return outcomes
    except DBAPIError:
        cache.rollback()
    return [_store_alone(target, prepared, cache) for prepared in batch]


def _store_alone(
    target: Engine | Connection, prepared: Prepared, cache: SpeakerCache
) -> Outcome:
    """Store one article in its own transaction; a constraint clash is looked at again."""
    for attempt in (1, 2):
        try:
            outcome = _in_transaction(target, lambda c: _store_all(c, [prepared], cache)[0])
            cache.commit()
            return outcome
        except DBAPIError as exc:
            cache.rollback()
            # An IntegrityError means another writer committed the same
            # article, source or speaker between our check and our insert:
            # the second attempt finds it. A speaker the cache knew may also
            # have been merged away by curation (another process's
            # ``apply_decisions``): the second attempt looks every one up again.
            cache.clear()
            if attempt == 2 or not isinstance(exc, IntegrityError):
                return Outcome(prepared.source, "failed",
                               error=f"{prepared.source}: database error: {exc.orig}")
    raise AssertionError("unreachable")


T = TypeVar("T")


def _in_transaction(target: Engine | Connection, work: Callable[[Connection], T]) -> T:
    """Run ``work`` in one transaction, retrying while the database is busy or deadlocked."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            if isinstance(target, Connection):
                return _on_connection(target, work)
            with writer(target).begin() as connection:
                return work(connection)
        except OperationalError as exc:
            if attempt == MAX_ATTEMPTS or not _is_transient(exc):
                raise
        time.sleep(min(0.05 * 2**attempt, 2.0))
    raise AssertionError("unreachable")


def _on_connection(connection: Connection, work: Callable[[Connection], T]) -> T:
    """``work`` in a transaction on a connection that outlives it.

    When a COMMIT itself fails (say SQLite stays busy), SQLAlchemy marks the
    transaction over without a driver ROLLBACK; on a kept connection that
    would hold the write lock and fail every later BEGIN. So after any
    failure the driver is rolled back too, or the connection dropped.
    """
    try:
        with connection.begin():
            return work(connection)
    except BaseException:
        if not connection.invalidated:
            try:
                connection.connection.dbapi_connection.rollback()  # type: ignore[union-attr]
            except Exception:  # noqa: BLE001 - a broken connection is replaced, not reused
                connection.invalidate()
        raise


def _is_transient(exc: OperationalError) -> bool:
    """Whether a database error is worth retrying (locks, serialization)."""
    message = str(exc.orig).lower()
    return any(
        marker in message
        for marker in ("database is locked", "busy", "deadlock", "could not serialize")
    )


@dataclass(frozen=True, slots=True)
class _Statements:
    """The write path's statements, built once per dialect and reused.

    Built statements hit SQLAlchemy's compiled cache directly, and on a
    Connection (not a Session) each costs little more than the driver call.
    """

    find_articles: Any
    insert_articles: Any
    update_article: Any
    delete_article: Any
    delete_quotes: Any
    find_speakers: Any
    insert_speakers: Any
    set_kind: Any
    count_genders: Any
    lock_speakers: Any
    insert_aliases: Any
    insert_evidence: Any
    evidence_of_article: Any
    delete_evidence: Any
    count_evidence: Any


@cache
def _statements(dialect: str) -> _Statements:
    # ON CONFLICT DO NOTHING is spelled by each dialect's own insert().
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    a, q, s, e = ARTICLES, QUOTES, SPEAKERS, EVIDENCE
    return _Statements(
        find_articles=select(a.c.id, a.c.content_hash, a.c.source).where(
            a.c.content_hash.in_(bindparam("digests", expanding=True))
            | a.c.source.in_(bindparam("sources", expanding=True))
        ),
        # One multi-row INSERT for the batch; ids come back in input order.
        insert_articles=insert(a).returning(a.c.id, sort_by_parameter_order=True),
        update_article=update(a).where(a.c.id == bindparam("b_id")),
        delete_article=delete(a).where(a.c.id == bindparam("b_id")),
        delete_quotes=delete(q).where(q.c.article_id == bindparam("b_id")),
        find_speakers=select(s.c.id, s.c.key, s.c.kind).where(
            s.c.key.in_(bindparam("keys", expanding=True))
        ),
        # RETURNING names the rows this writer added, not a concurrent one.
        insert_speakers=upsert(s).on_conflict_do_nothing(index_elements=["key"]).returning(s.c.key),
        set_kind=update(s).where(s.c.id == bindparam("b_id")).values(
            kind=bindparam("b_kind"), gender=bindparam("b_gender")
        ),
        lock_speakers=select(s.c.id).where(s.c.id.in_(bindparam("ids", expanding=True)))
        .order_by(s.c.id).with_for_update(key_share=True),
        count_genders=select(e.c.speaker_id, e.c.gender, func.count())
        .where(e.c.speaker_id.in_(bindparam("ids", expanding=True)) & e.c.gender.is_not(None))
        .group_by(e.c.speaker_id, e.c.gender),
        insert_aliases=upsert(ALIASES).on_conflict_do_nothing(
            index_elements=["speaker_id", "key"]
        ),
        insert_evidence=insert(e),
        evidence_of_article=select(e.c.speaker_id).where(e.c.article_id == bindparam("b_id")),
        delete_evidence=delete(e).where(e.c.article_id == bindparam("b_id")),
        count_evidence=select(e.c.speaker_id, e.c.kind, func.count())
        .where(e.c.speaker_id.in_(bindparam("ids", expanding=True)))
        .group_by(e.c.speaker_id, e.c.kind),
    )


def _store_all(connection: Connection, batch: list[Prepared], cache: SpeakerCache) -> list[Outcome]:
    """Write a batch inside the caller's transaction, in a handful of statements.

    Statements, not rows, bound the writer's speed, so the batch shares
    them: one query finds what is already stored, one multi-row insert adds
    the new articles, one or two handle the speakers and one adds every
    quote. A batch that updates an article (same source, new text) or holds
    the same article twice is written article by article instead, so the
    rules of ``Outcome`` decide in input order.
    """
    cache.rollback()  # a retried transaction starts with nothing staged
    cache.copies.refresh(connection)
    sql = _statements(connection.dialect.name)
    sources = [prepared.source for prepared in batch]
    digests = [prepared.digest for prepared in batch]
    found = connection.execute(sql.find_articles, {"digests": digests, "sources": sources}).all()
    stored = {row.content_hash: row.id for row in found}
    stored_sources = {row.source: row.id for row in found}
    updates = any(
        p.source in stored_sources and stored_sources[p.source] != stored.get(p.digest)
        for p in batch
    )
    if updates or len(set(sources)) < len(batch) or len(set(digests)) < len(batch):
        return [_store_one(connection, sql, prepared, cache) for prepared in batch]
    fresh = [prepared for prepared in batch if prepared.digest not in stored]
    new_ids: dict[str, int] = {}
    new_speakers: dict[str, int] = {}
    if fresh:
        ids = connection.execute(sql.insert_articles, [_article_values(p) for p in fresh])
        new_ids = dict(zip((p.digest for p in fresh), ids.scalars().all(), strict=True))
        mark_copies(connection, cache.copies, [(new_ids[p.digest], p.minhash) for p in fresh])
        speaker_ids, counts = _store_speakers(
            connection, sql, [p.parsed for p in fresh], [new_ids[p.digest] for p in fresh], cache
        )
        new_speakers = dict(zip((p.digest for p in fresh), counts, strict=True))
        rows = [row for p in fresh for row in _quote_rows(new_ids[p.digest], p.parsed, speaker_ids)]
        if rows:
            _insert_quotes(connection, rows)
    return [
        stored_outcome(p.source, "new", new_ids[p.digest], p.parsed, new_speakers[p.digest])
        if p.digest in new_ids
        else Outcome(p.source, "unchanged", article_id=stored[p.digest])
        for p in batch
    ]


def _store_one(
    connection: Connection, sql: _Statements, prepared: Prepared, cache: SpeakerCache
) -> Outcome:
    """Write one article inside the caller's transaction (new, unchanged or updated).

    The text already stored under another source is "unchanged" (a copy),
    unless this source holds a different article: then the source's text
    changed to that one (two files swapped their contents, say), so this
    source's article takes the text and the other copy goes, and each
    article's source stays the file its text now comes from.
    """
    source, digest, parsed = prepared.source, prepared.digest, prepared.parsed
    found = connection.execute(sql.find_articles, {"digests": [digest], "sources": [source]}).all()
    same_row = next((row for row in found if row.content_hash == digest), None)
    same = same_row.id if same_row is not None else None
    here = next((row.id for row in found if row.source == source), None)
    if same is not None and here in (None, same):
        return Outcome(source, "unchanged", article_id=same)
    if same_row is not None and here is not None and _still_holds(same_row.source, digest):
        # A copy of a text another source still holds: this source's old
        # article goes (its file no longer has that text), the other stays.
        gone = _forget_article(connection, sql, here)
        release_copies(connection, here)
        connection.execute(sql.delete_article, {"b_id": here})
        _store_speakers(connection, sql, [], [], cache, stale=gone)
        return Outcome(source, "unchanged", article_id=same)
    values = _article_values(prepared)
    stale: set[int] = set()
    if here is not None:
        if same is not None:
            stale |= _forget_article(connection, sql, same)
            release_copies(connection, same)
            connection.execute(sql.delete_article, {"b_id": same})
        article_id = here
        stale |= _forget_article(connection, sql, article_id)
        release_copies(connection, article_id)  # its text changes: it may copy nothing now
        connection.execute(sql.update_article, {"b_id": article_id, **values})
    else:
        article_id = connection.execute(sql.insert_articles, [values]).scalar_one()
    mark_copies(connection, cache.copies, [(article_id, prepared.minhash)])
    status: Status = "updated" if here is not None else "new"
    speaker_ids, (new_speakers,) = _store_speakers(
        connection, sql, [parsed], [article_id], cache, stale=stale
    )
    rows = _quote_rows(article_id, parsed, speaker_ids)
    if rows:
        _insert_quotes(connection, rows)
    return stored_outcome(source, status, article_id, parsed, new_speakers)


def _still_holds(source: str, digest: str) -> bool:
    """Whether ``source`` (another article's) still holds the text ``digest``.

    Only a plain-text file can be read again here; anything else (records of
    a corpus, stdin, pages) is taken to still hold it, so another source's
    article is never deleted on a guess. A file that is gone holds nothing.
    """
    path = Path(source)
    if path.suffix.lower() != ".txt":
        return True
    if not path.is_file():
        return path.exists()  # gone: holds nothing; something else there: keep it
    try:
        return content_hash(read_source(SourceFile(source, path))) == digest
    except ArticleReadError:
        return True


def _forget_article(connection: Connection, sql: _Statements, article_id: int) -> set[int]:
    """Delete an article's quotes and evidence; return the speakers whose kind may change."""
    speakers = set(connection.execute(sql.evidence_of_article, {"b_id": article_id}).scalars())
    connection.execute(sql.delete_evidence, {"b_id": article_id})
    connection.execute(sql.delete_quotes, {"b_id": article_id})
    return speakers


def _article_values(prepared: Prepared) -> dict[str, Any]:
    """The ``articles`` row of a parsed article."""
    meta = prepared.parsed.meta
    return {
        "source": prepared.source,
        "content_hash": prepared.digest,
        "text": prepared.parsed.text,
        "title": meta.title,
        "published": meta.published,
        "outlet": _clip(meta.outlet, 255),
        "authors": list(meta.authors),
        "dateline": _clip(meta.dateline, 255),
        "url": meta.url,
        "minhash": prepared.minhash,
        "duplicate_of": None,
        "ingested_at": datetime.now(timezone.utc),
        "parser_version": PARSER_VERSION,
    }


#: The columns of ``_quote_rows``, in order.
_QUOTE_COLUMNS = (
    "article_id", "speaker_id", "text", "start", "end", "paragraph", "speaker_mention", "cue",
    "fragment", "rule",
)


def _quote_rows(
    article_id: int, parsed: ParsedArticle, speaker_ids: dict[str, int]
) -> list[tuple[Any, ...]]:
    """The ``quotes`` rows of an article; ``speaker_ids`` maps speaker names to ids."""
    return [
        (
            article_id,
            speaker_ids.get(quote.speaker) if quote.speaker else None,
            quote.text,
            quote.start,
            quote.end,
            quote.paragraph,
            _clip(quote.speaker_mention, 255),
            _clip(quote.cue, 64),
            quote.fragment,
            _clip(quote.rule, 32),
        )
        for quote in parsed.quotes
    ]


def _insert_quotes(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Add quote rows with one executemany, straight through the driver.

    The rows are plain values (text, ints, a bool) that every driver
    takes as they are, so SQLAlchemy's per-row parameter processing (a
    tenth of the writer's time) is skipped.
    """
    sql, order = _insert_quotes_sql(connection.dialect)
    if order is None:
        named = [dict(zip(_QUOTE_COLUMNS, row, strict=True)) for row in rows]
        connection.exec_driver_sql(sql, named)
        return
    positions = [_QUOTE_COLUMNS.index(name) for name in order]
    if positions != list(range(len(_QUOTE_COLUMNS))):
        rows = [tuple(row[i] for i in positions) for row in rows]
    connection.exec_driver_sql(sql, rows)


@lru_cache(maxsize=8)
def _insert_quotes_sql(dialect: Dialect) -> tuple[str, tuple[str, ...] | None]:
    """The driver's INSERT for quotes, and its positional parameter order (None: named)."""
    stmt = insert(QUOTES).values({name: bindparam(name) for name in _QUOTE_COLUMNS})
    compiled = stmt.compile(dialect=dialect)
    order = tuple(compiled.positiontup or ()) if compiled.positional else None
    return compiled.string, order


def _clip(value: str | None, length: int) -> str | None:
    """Fit a parser-made string into its column (PostgreSQL enforces lengths)."""
    return value[:length] if value is not None else None


@dataclass(slots=True)
class _Wanted:
    """A speaker the batch quotes: first name seen, every name it goes by, kinds given."""

    name: str
    names: set[str]
    kinds: Counter[str] = field(default_factory=Counter)
    genders: Counter[str] = field(default_factory=Counter)


#: Kinds in the order that breaks a tie between them: people are most of
#: who is quoted, and a tie must not fall to whichever article came first.
_KIND_RANK = {kind: rank for rank, kind in enumerate(SPEAKER_KINDS)}


def decide_gender(votes: Counter[str]) -> str | None:
    """The gender most articles' text gives a speaker; None on a tie or no evidence.

    A tie is no answer: two articles that disagree may be about two people
    who share a name, and a guess would be counted by researchers as fact.

    >>> decide_gender(Counter({"female": 2, "male": 1})), decide_gender(Counter({"male": 1}))
    ('female', 'male')
    >>> decide_gender(Counter({"female": 1, "male": 1})), decide_gender(Counter())
    (None, None)
    """
    ranked = votes.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def decide_kind(votes: Counter[str]) -> str | None:
    """The kind most articles give a speaker; a tie goes to the first in ``SPEAKER_KINDS``.

    >>> decide_kind(Counter({"organisation": 2, "person": 1}))
    'organisation'
    >>> decide_kind(Counter({"organisation": 1, "person": 1})), decide_kind(Counter())
    ('person', None)
    """
    if not votes:
        return None
    return min(votes, key=lambda kind: (-votes[kind], _KIND_RANK.get(kind, len(_KIND_RANK)), kind))


def _store_speakers(
    connection: Connection, sql: _Statements, articles: list[ParsedArticle],
    article_ids: list[int], cache: SpeakerCache, stale: set[int] | None = None,
) -> tuple[dict[str, int], list[int]]:
    """Upsert the quoted speakers of ``articles`` (stored as ``article_ids``), their aliases
    and what each article says they are.

    Returns the id of every quoted speaker name, and how many speakers each
    article added (a speaker counts for the first article that names it).

    ``ON CONFLICT DO NOTHING`` on the unique name key makes concurrent
    writers converge on one row per speaker instead of failing. Rows are
    written in key order so that two writers never wait on each other in
    opposite orders (no deadlocks on PostgreSQL).

    Each article's kind for a speaker is one row of evidence, and the
    speaker's kind is the majority of all of it (``decide_kind``), so the
    order articles arrive in does not matter. It is counted again only for
    speakers whose kind could have changed: a vote for another kind than
    the stored one, or ``stale`` speakers, who lost an article's evidence.
    """
    wanted: dict[str, _Wanted] = {}
    key_of: dict[str, str] = {}
    keys_by_article: list[list[str]] = []
    votes_by_article: list[dict[str, tuple[str, str | None]]] = []
    for parsed in articles:
        by_name = {speaker.name: speaker for speaker in parsed.speakers}
        mine = []
        votes: dict[str, tuple[str, str | None]] = {}
        for name in sorted({quote.speaker for quote in parsed.quotes if quote.speaker}):
            key = key_of.setdefault(name, name_key(name)[:255])
            if not key:
                continue
            mine.append(key)
            speaker = by_name.get(name)
            kind, aliases = (speaker.kind, speaker.aliases) if speaker else (None, ())
            gender = speaker.gender if speaker else None
            entry = wanted.setdefault(key, _Wanted(name, set()))
            entry.names.update((name, *aliases))
            if kind is not None and key not in votes:  # one vote per article
                votes[key] = (kind, gender)
                entry.kinds[kind] += 1
                if gender is not None:
                    entry.genders[gender] += 1
        keys_by_article.append(mine)
        votes_by_article.append(votes)
    if not wanted and not stale:
        return {}, [0] * len(articles)
    keys = sorted(wanted)
    unknown = [key for key in keys if cache.speaker(key) is None]
    created: set[str] = set()
    if unknown:
        # A speaker new to the database has only this batch's evidence.
        rows = [(key, wanted[key].name, decide_kind(wanted[key].kinds),
                 decide_gender(wanted[key].genders)) for key in unknown]
        created = _insert_speakers(connection, sql, rows, cache)
    ids_by_key: dict[str, int] = {}
    recount: set[int] = set(stale or ())
    many_writers = connection.dialect.name == "postgresql"
    for key in keys:
        speaker_id, kind = cache.speaker(key)  # type: ignore[misc]
        ids_by_key[key] = speaker_id
        # The cache keeps no gender: any gender vote has the speaker counted again.
        # On PostgreSQL another ingest process may have changed the kind since
        # this one cached it, so every speaker voted for is counted again.
        if key not in created and (
            many_writers or wanted[key].genders
            or any(vote != kind for vote in wanted[key].kinds)
        ):
            recount.add(speaker_id)
    evidence = [
        {"speaker_id": ids_by_key[key], "article_id": article_id, "kind": kind,
         "gender": gender}
        for article_id, votes in zip(article_ids, votes_by_article, strict=True)
        for key, (kind, gender) in sorted(votes.items())
    ]
    if evidence:
        connection.execute(sql.insert_evidence, evidence)
    if recount:
        _recount_kinds(connection, sql, recount, cache, {v: k for k, v in ids_by_key.items()})
    alias_rows = {
        (ids_by_key[key], alias_key): alias[:255]
        for key in keys
        for alias in sorted(wanted[key].names)
        if (alias_key := name_key(alias)[:255])
    }
    fresh = sorted(pair for pair in alias_rows if not cache.has_alias(pair))
    if fresh:
        connection.execute(
            sql.insert_aliases,
            [{"speaker_id": sid, "key": k, "alias": alias_rows[(sid, k)]} for sid, k in fresh],
        )
        cache.staged_aliases.update(fresh)
    counts = []
    for mine in keys_by_article:
        counts.append(sum(1 for key in mine if key in created))
        created.difference_update(mine)
    ids = {name: ids_by_key[key] for name, key in key_of.items() if key}
    return ids, counts


def _recount_kinds(
    connection: Connection, sql: _Statements, speaker_ids: set[int], cache: SpeakerCache,
    key_of_id: dict[int, str],
) -> None:
    """Set each speaker's kind and gender to what all its evidence says.

    See ``decide_kind`` and ``decide_gender``.
    """
    ordered = sorted(speaker_ids)  # row locks in one order: no deadlocks
    # Lock the rows before counting: a writer adding votes at the same time
    # commits first, and then its votes are counted here (READ COMMITTED sees
    # them in the next statement). NO KEY UPDATE, as the UPDATE below takes:
    # it does not wait on the key-share locks other writers' evidence rows
    # hold on these speakers. SQLite writers are serialised already.
    connection.execute(sql.lock_speakers, {"ids": ordered}).all()
    votes: dict[int, Counter[str]] = {speaker_id: Counter() for speaker_id in ordered}
    for speaker_id, kind, count in connection.execute(sql.count_evidence, {"ids": ordered}):
        votes[speaker_id][kind] = count
    genders: dict[int, Counter[str]] = {speaker_id: Counter() for speaker_id in ordered}
    for speaker_id, gender, count in connection.execute(sql.count_genders, {"ids": ordered}):
        genders[speaker_id][gender] = count
    connection.execute(
        sql.set_kind,
        [{"b_id": speaker_id, "b_kind": decide_kind(votes[speaker_id]),
          "b_gender": decide_gender(genders[speaker_id])} for speaker_id in ordered],
    )
    for speaker_id in ordered:
        key = key_of_id.get(speaker_id)
        if key is not None:
            cache.staged_speakers[key] = (speaker_id, decide_kind(votes[speaker_id]))
        else:  # a stale speaker this batch does not quote: its cached kind is out of date
            cache.forget(speaker_id)


def _insert_speakers(
    connection: Connection, sql: _Statements,
    rows: list[tuple[str, str, str | None, str | None]], cache: SpeakerCache,
) -> set[str]:
    """Make sure speakers (key, name, kind, gender) exist; stage their ids; return the keys
    added here."""
    keys = [key for key, _, _, _ in rows]

    def lookup() -> dict[str, tuple[int, str | None]]:
        found = connection.execute(sql.find_speakers, {"keys": keys})
        return {row.key: (row.id, row.kind) for row in found}

    known = lookup()
    missing = [row for row in rows if row[0] not in known]
    added: set[str] = set()
    if missing:
        added = set(connection.execute(
            sql.insert_speakers,
            [{"key": key, "name": name[:255], "kind": kind, "gender": gender}
             for key, name, kind, gender in missing],
        ).scalars())
        known = lookup()
    cache.staged_speakers.update(known)
    return added


__all__ = [
    "Outcome", "Prepared", "SpeakerCache", "Summary", "decide_gender", "decide_kind",
    "write_batch",
]
