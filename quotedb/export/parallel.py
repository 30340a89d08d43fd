"""CSV export of quotes: SQLite's fast lines, on several cores for a big corpus.

On SQLite, the lines are made by the database (``sqlite_csv``, ~180,000
quotes/s on one core of the benchmark machine at its fastest), and the
export is still CPU-bound, so above ``MIN_QUOTES_PER_JOB`` quotes per job
it is split by article id into one range per job: each worker process
exports its range to a temporary file and the parts are joined in article
order, so the file is the same as one process makes.

Splitting by article keeps each article's quotes in one part, read in one
snapshot: an ingest running meanwhile never tears an article in two.
PostgreSQL needs none of this (its server formats the CSV, see
``export.stream_csv``), and a ranked search or a limit has no article order
to split: those run in one process, through ``export.stream_csv``.
"""

from __future__ import annotations

import csv
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
from ..queries import QUOTE_COLUMNS, QuoteFilter, quotes_select, resolve_speaker
from .rows import stream_csv, utf8_writer
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
    """Write the quotes ``flt`` selects to ``out`` as CSV; return how many.

    Uses up to ``jobs`` processes on a big SQLite database (parts are
    staged in ``tmp_dir``, the system's temporary folder by default); one
    otherwise (fewer than ``min_quotes_per_job`` quotes per job, PostgreSQL,
    a search or a limit). The header is written either way.
    """
    with Session(engine) as session:
        flt = resolve_speaker(session, flt)
        connection = session.connection()
        ranges = _article_ranges(connection, flt, jobs, min_quotes_per_job)
        if ranges is None:
            stmt = quotes_select(flt, connection.dialect.name)
            if not _sqlite_makes_lines(connection, flt):
                return stream_csv(connection, stmt, out, raw=raw)
            csv.writer(out, lineterminator="\n").writerow(QUOTE_COLUMNS)
            return write_quotes_csv(connection, stmt, out, raw=raw)
    url = engine.url.render_as_string(hide_password=False)
    csv.writer(out, lineterminator="\n").writerow(QUOTE_COLUMNS)
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


def _join_parts(parts: list[Path], out: TextIO) -> None:
    """Append the UTF-8 part files to ``out`` (as bytes where ``out`` is UTF-8 too)."""
    write = utf8_writer(out)
    for part in parts:
        with open(part, "rb") as handle:
            while chunk := handle.read(1 << 20):
                write(chunk)


def _sqlite_makes_lines(connection: Connection, flt: QuoteFilter) -> bool:
    """SQLite can make the lines (``sqlite_csv``): rows in article order, no limit."""
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
            stmt = quotes_select(flt, connection.dialect.name)
            return write_quotes_csv(connection, stmt, handle, raw=raw)
    finally:
        engine.dispose()


__all__ = ["MIN_QUOTES_PER_JOB", "export_csv"]
