"""Re-parse stored articles with the installed parser: ``quotedb reparse``.

A database built last year holds last year's parser's quotes; the original
files may be long gone, but the database keeps every article's text. This
module parses that text again and replaces each article's quotes, speakers'
evidence and rule, keeping the article itself (its id, source, metadata and
URL). It is crash-safe as ingest is: articles are replaced a batch per
transaction and marked with the new ``parser_version`` in the same
transaction, so after a kill every article is either old or new, never
half, and running the command again picks up exactly the old ones.

The curation decisions (``quotedb.curation``) are replayed at the end, so a
merged or renamed speaker stays merged or renamed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from . import models
from .curation import apply_decisions
from .db import writer
from .ingest.store import (
    SpeakerCache,
    _forget_article,
    _in_transaction,
    _insert_quotes,
    _quote_rows,
    _statements,
    _store_speakers,
)
from .names import name_key
from .parser import PARSER_VERSION, parse_article
from .records import ParsedArticle
from .stats import version_key


@dataclass
class ReparseSummary:
    """What a reparse did (or, dry, would do)."""

    articles: int = 0
    changed_articles: int = 0
    quotes_before: int = 0
    quotes_after: int = 0
    #: Quotes whose span is new or gone (found or dropped by the new parser).
    spans_added: int = 0
    spans_removed: int = 0
    #: Quotes kept with the same span whose speaker changed.
    reattributed: int = 0
    #: Speaker names the new parser gives that no stored speaker has.
    new_speakers: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)

    def line(self, dry_run: bool = False) -> str:
        """One line for the end of ``quotedb reparse``."""
        verb = "would change" if dry_run else "changed"
        return (f"articles: {self.articles} re-parsed, {self.changed_articles} {verb}, "
                f"{len(self.failed)} failed; quotes: {self.quotes_before} -> "
                f"{self.quotes_after} ({self.spans_added} found, {self.spans_removed} dropped, "
                f"{self.reattributed} re-attributed); speakers: {len(self.new_speakers)} new")


def stale_versions(connection: Connection, older_than: str | None = PARSER_VERSION,
                   ) -> list[str | None]:
    """The stored parser versions a reparse takes: older than ``older_than``, or all (None)."""
    versions = connection.execute(select(models.Article.parser_version).distinct()).scalars()
    if older_than is None:
        return list(versions)
    limit = version_key(older_than)
    return [v for v in versions if version_key(v) < limit]


def count_stale(engine: Engine, older_than: str | None = PARSER_VERSION) -> int:
    """How many articles a reparse would take."""
    a = models.Article
    with engine.connect() as connection:
        versions = stale_versions(connection, older_than)
        if not versions:
            return 0
        return connection.scalar(
            select(func.count(a.id)).where(a.parser_version.in_(versions))) or 0


def reparse(
    engine: Engine,
    *,
    older_than: str | None = PARSER_VERSION,
    workers: int = 1,
    batch_size: int = 64,
    dry_run: bool = False,
    on_batch: Callable[[int], None] | None = None,
) -> ReparseSummary:
    """Re-parse every article parsed by a version older than ``older_than`` (None: all).

    Articles are read ``batch_size`` at a time in id order (memory stays
    flat), parsed in ``workers`` processes, and each batch replaced in one
    transaction. ``dry_run`` parses and compares without writing anything.
    ``on_batch`` is told how many articles each batch held (a progress bar).
    """
    summary = ReparseSummary()
    with engine.connect() as connection:
        versions = stale_versions(connection, older_than)
    if not versions:
        return summary
    cache = SpeakerCache()
    with _pool(workers) as parse_many, writer(engine).connect() as connection:
        for batch in _batches(engine, versions, batch_size):
            results = parse_many([text for _, text in batch])
            failed = {article_id for (article_id, _), r in zip(batch, results, strict=True)
                      if isinstance(r, str)}
            summary.failed += [f"article {article_id}: parser error: {r}"
                               for (article_id, _), r in zip(batch, results, strict=True)
                               if isinstance(r, str)]
            batch = [item for item in batch if item[0] not in failed]
            parsed = [r for r in results if not isinstance(r, str)]
            with engine.connect() as reader:  # the writer's connection stays outside a transaction
                olds = _stored_quotes(reader, [article_id for article_id, _ in batch])
                known = _known_speakers(reader, parsed)
            for (article_id, _), new in zip(batch, parsed, strict=True):
                _compare(summary, olds.get(article_id, []), new, known)
            if not dry_run and batch:
                def replace_batch(c: Connection, b: list[tuple[int, str]] = batch,
                                  p: list[ParsedArticle] = parsed) -> None:
                    _replace(c, b, p, cache)

                _in_transaction(connection, replace_batch)
                cache.commit()
            if on_batch is not None:
                on_batch(len(batch))
        if not dry_run and summary.articles:
            _in_transaction(connection, apply_decisions)
    return summary


def _batches(engine: Engine, versions: list[str | None], size: int,
             ) -> Iterator[list[tuple[int, str]]]:
    """(id, text) of the articles to re-parse, ``size`` at a time, in id order.

    Paged by id (never OFFSET), so each page is one index range and an
    article re-parsed in an earlier batch is not read again.
    """
    a = models.Article
    after = 0
    condition: Any = a.parser_version.in_([v for v in versions if v is not None])
    if None in versions:
        condition = condition | a.parser_version.is_(None)
    while True:
        with engine.connect() as connection:
            rows = connection.execute(
                select(a.id, a.text).where(condition, a.id > after).order_by(a.id).limit(size)
            ).all()
        if not rows:
            return
        after = rows[-1].id
        yield [(row.id, row.text) for row in rows]


class _pool:
    """``parse_article`` over a list of texts, in worker processes when there are several."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, min(workers, os.cpu_count() or 1))
        self.executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> Callable[[list[str]], list[ParsedArticle | str]]:
        if self.workers > 1:
            self.executor = ProcessPoolExecutor(max_workers=self.workers)
            executor = self.executor
            return lambda texts: list(executor.map(_parse, texts, chunksize=8))
        return lambda texts: [_parse(text) for text in texts]

    def __exit__(self, *exc: object) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)


def _parse(text: str) -> ParsedArticle | str:
    """The new parse, or what went wrong: a parser bug keeps that article as it was."""
    try:
        return parse_article(text)
    except Exception as exc:  # noqa: BLE001 - one article must not stop the run
        return repr(exc)


_Span = tuple[int, int, str | None]


def _stored_quotes(connection: Connection, article_ids: list[int]) -> dict[int, list[_Span]]:
    q, s = models.Quote, models.Speaker
    rows = connection.execute(
        select(q.article_id, q.start, q.end, s.name).outerjoin(s, s.id == q.speaker_id)
        .where(q.article_id.in_(article_ids), q.fragment.is_(False))
    )
    out: dict[int, list[_Span]] = {}
    for article_id, start, end, name in rows:
        out.setdefault(article_id, []).append((start, end, name))
    return out


def _known_speakers(connection: Connection, parsed: list[ParsedArticle]) -> set[str]:
    keys = {name_key(q.speaker) for p in parsed for q in p.quotes if q.speaker}
    if not keys:
        return set()
    s, alias = models.Speaker, models.SpeakerAlias
    found = set(connection.execute(select(s.key).where(s.key.in_(keys))).scalars())
    # A name curation merged away lives on as an alias of the speaker it joined.
    found |= set(connection.execute(select(alias.key).where(alias.key.in_(keys))).scalars())
    return found


def _compare(summary: ReparseSummary, old: list[_Span], new: ParsedArticle,
             known: set[str]) -> None:
    """Add one article's differences to the summary (speakers compared by key)."""
    before = {(start, end): name_key(name) if name else None for start, end, name in old}
    after = {(q.start, q.end): name_key(q.speaker) if q.speaker else None
             for q in new.quotes if not q.fragment}
    summary.articles += 1
    summary.quotes_before += len(before)
    summary.quotes_after += len(after)
    added = after.keys() - before.keys()
    removed = before.keys() - after.keys()
    moved = sum(1 for span in after.keys() & before.keys() if after[span] != before[span])
    summary.spans_added += len(added)
    summary.spans_removed += len(removed)
    summary.reattributed += moved
    if added or removed or moved:
        summary.changed_articles += 1
    summary.new_speakers |= {q.speaker for q in new.quotes
                             if q.speaker and name_key(q.speaker) not in known}


def _replace(connection: Connection, batch: list[tuple[int, str]],
             parsed: list[ParsedArticle], cache: SpeakerCache) -> None:
    """Swap a batch's quotes and evidence for the new parse, in the caller's transaction."""
    cache.rollback()  # a retried transaction starts with nothing staged
    sql = _statements(connection.dialect.name)
    ids = [article_id for article_id, _ in batch]
    stale: set[int] = set()
    for article_id in ids:
        stale |= _forget_article(connection, sql, article_id)
    speaker_ids, _ = _store_speakers(connection, sql, parsed, ids, cache, stale=stale)
    rows: list[tuple[Any, ...]] = []
    for article_id, new in zip(ids, parsed, strict=True):
        rows += _quote_rows(article_id, new, speaker_ids)
    if rows:
        _insert_quotes(connection, rows)
    a = models.Article
    connection.execute(update(a).where(a.id.in_(ids)).values(parser_version=PARSER_VERSION))
    _drop_unquoted(connection, stale, cache)


def _drop_unquoted(connection: Connection, speaker_ids: set[int], cache: SpeakerCache) -> None:
    """Delete speakers the old parser made up and the new one no longer quotes.

    Only speakers this batch took quotes from are looked at, and only those
    left with no quote and no evidence anywhere go (their aliases with them),
    so ``quotedb speakers`` does not list last year's mistakes with 0 quotes.
    """
    if not speaker_ids:
        return
    s, q, e = models.Speaker, models.Quote, models.SpeakerEvidence
    gone = connection.execute(
        delete(s).where(
            s.id.in_(sorted(speaker_ids)),
            ~select(q.id).where(q.speaker_id == s.id).exists(),
            ~select(e.article_id).where(e.speaker_id == s.id).exists(),
        ).returning(s.id)
    ).scalars().all()
    for speaker_id in gone:
        cache.forget(speaker_id)


__all__ = ["ReparseSummary", "count_stale", "reparse", "stale_versions"]
