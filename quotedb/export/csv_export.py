"""CSV export of quotes: which path makes the lines, and several cores for a big corpus.

Three paths, one set of bytes (``csvfmt``'s rule, held to it by
``tests/test_export_identity.py``):

- PostgreSQL formats the CSV itself (``postgres_copy``), whatever the filter;
- SQLite makes the lines (``sqlite_fast``, ~180,000 quotes/s on one core of
  the benchmark machine at its fastest) when rows come in article order
  with no limit;
- anything else (a ranked search, a limit) goes through the exact path,
  Python's lines (``csvfmt.write_query``).

SQLite's fast path is still CPU-bound, so above ``MIN_QUOTES_PER_JOB``
quotes per job it is split by article id into one range per job: each
worker process exports its range to a temporary file and the parts are
joined in article order, so the file is the same as one process makes.
Splitting by article keeps each article's quotes in one part, read in one
snapshot: an ingest running meanwhile never tears an article in two.
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session

from .. import models
from ..db import make_engine
from ..queries import QuoteFilter, resolve_speaker
from .columns import EXPORT_COLUMNS, export_select
from .csvfmt import header, write_query
from .outfile import utf8_writer
from .postgres_copy import copy_csv
from .sqlite_fast import write_quotes_csv

#: Fewer quotes than this per job and starting the workers costs more than it saves.
MIN_QUOTES_PER_JOB = 100_000


def export_csv(
    engine: Engine,
    flt: QuoteFilter,
    out: TextIO,
    *,
    raw: bool = False,
    jobs: int = 1,
    tmp_dir: Path | None = None,
    min_quotes_per_job: int = MIN_QUOTES_PER_JOB,
) -> int:
    """Write the quotes ``flt`` selects to ``out`` as CSV, header first; return how many.

    Uses up to ``jobs`` processes on a big SQLite database (parts are
    staged in ``tmp_dir``, the system's temporary folder by default); one
    otherwise (fewer than ``min_quotes_per_job`` quotes per job, PostgreSQL,
    a search or a limit).
    """
    out.write(header(EXPORT_COLUMNS))
    with Session(engine) as session:
        flt = resolve_speaker(session, flt)
        connection = session.connection()
        ranges = _article_ranges(connection, flt, jobs, min_quotes_per_job)
        if ranges is None:
            return write_lines(connection, flt, out, raw=raw)
    url = engine.url.render_as_string(hide_password=False)
    with tempfile.TemporaryDirectory(prefix="quotedb-export-", dir=tmp_dir) as staging:
        parts = [Path(staging) / f"part-{number:03d}.csv" for number in range(len(ranges))]
        with ProcessPoolExecutor(max_workers=len(ranges)) as pool:
            counts = list(pool.map(
                _export_part,
                [url] * len(ranges),
                [replace(flt, article_range=article_range) for article_range in ranges],
                [str(part) for part in parts],
                [raw] * len(ranges),
            ))
        _join_parts(parts, out)
    return sum(counts)


def write_lines(connection: Connection, flt: QuoteFilter, out: TextIO, *, raw: bool) -> int:
    """The CSV lines (no header) of the quotes ``flt`` selects, by the fastest path that fits."""
    dialect = connection.dialect.name
    stmt = export_select(flt, dialect)
    if dialect == "postgresql":
        return copy_csv(connection, stmt, out, raw=raw)
    if _sqlite_makes_lines(connection, flt):
        return write_quotes_csv(connection, stmt, out, raw=raw)
    return write_query(connection, stmt, out, raw=raw)


def _join_parts(parts: list[Path], out: TextIO) -> None:
    """Append the UTF-8 part files to ``out`` (as bytes where ``out`` is UTF-8 too)."""
    write = utf8_writer(out)
    for part in parts:
        with open(part, "rb") as handle:
            while chunk := handle.read(1 << 20):
                write(chunk)


def _sqlite_makes_lines(connection: Connection, flt: QuoteFilter) -> bool:
    """SQLite can make the lines (``sqlite_fast``): rows in article order, no limit."""
    return connection.dialect.name == "sqlite" and not flt.search and flt.limit is None


def _article_ranges(
    connection: Connection, flt: QuoteFilter, jobs: int, min_quotes_per_job: int
) -> list[tuple[int, int]] | None:
    """Article id ranges ``[first, end)`` for the jobs, or None to use one process.

    Ranges split the ids evenly, which splits the quotes evenly when
    articles hold similar numbers of quotes (the export is still whole and
    in order when they do not; only the balance suffers).
    """
    if (jobs < 2 or not _sqlite_makes_lines(connection, flt)
            or flt.article_id is not None or flt.article_range is not None):
        return None
    q = models.Quote
    low, high, count = connection.execute(
        select(func.min(q.article_id), func.max(q.article_id), func.count())
    ).one()
    if count == 0:
        return None
    jobs = min(jobs, count // max(min_quotes_per_job, 1), high + 1 - low)
    if jobs < 2:
        return None
    step = (high + 1 - low) / jobs
    edges = [low + round(step * number) for number in range(jobs)] + [high + 1]
    return list(pairwise(edges))


def _export_part(url: str, flt: QuoteFilter, path: str, raw: bool) -> int:
    """One worker's range, written to ``path`` without a header."""
    engine = make_engine(url, read_only=True)
    try:
        with engine.connect() as connection, open(
            path, "w", encoding="utf-8", newline="", buffering=1 << 20
        ) as handle:
            return write_lines(connection, flt, handle, raw=raw)
    finally:
        engine.dispose()


__all__ = ["MIN_QUOTES_PER_JOB", "export_csv", "write_lines"]
