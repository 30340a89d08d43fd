"""Exporting quotes: one entry, ``export_quotes``, and a table of writers by format.

A format is one ``Writer`` in ``WRITERS`` (as Datasette registers its
renderers), so the CLI's ``--format`` choices, ``Database.export`` and the
checks on where a format can be written all come from one table. Every
format writes the columns of ``columns.EXPORT_COLUMNS``; every CSV follows
``csvfmt``'s one rule, whichever path makes it.

Modules: ``columns`` (what a row holds), ``csvfmt`` (the CSV rule and the
exact writer), ``csv_export`` (which path, and --jobs), ``sqlite_fast`` and
``postgres_copy`` (the database-made paths), ``jsonfmt``, ``parquet``,
``values`` (a database value as JSON or text), ``outfile`` (safe files),
``rows`` (what ``quotes``, ``sql`` and friends print).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine

from ..db import sqlite_path
from ..errors import ExportFailed, ExportNeedsFile
from ..queries import QuoteFilter
from .columns import EXPORT_COLUMNS, export_rows
from .csv_export import export_csv
from .jsonfmt import write_json, write_jsonl
from .outfile import refuse_database_files, staged_output
from .parquet import write_parquet
from .rows import FORMATS, write_rows
from .values import jsonable


@dataclass(frozen=True)
class Target:
    """Where a writer writes: a text ``stream``, or a file ``path`` (``to_file`` writers).

    ``parts`` is a folder for temporary part files (``--jobs``), beside the
    output when it is a file; None means the system's temporary folder.
    """

    stream: TextIO | None = None
    path: Path | None = None
    parts: Path | None = None


@dataclass(frozen=True)
class Options:
    """How to write: ``raw`` keeps CSV formulas unguarded; ``jobs`` processes at most."""

    raw: bool = False
    jobs: int = 1


@dataclass(frozen=True)
class Writer:
    """One export format: its name and how it writes the quotes a filter selects."""

    name: str
    write: Callable[[Engine, QuoteFilter, Target, Options], int]
    #: Written to a file path, never a stream (Parquet seeks back to write its footer).
    to_file: bool = False


#: Every export format, by name: a new format is one ``register`` call.
WRITERS: dict[str, Writer] = {}


def register(writer: Writer) -> Writer:
    """Add a format to ``WRITERS`` (the CLI's ``--format`` choices follow)."""
    WRITERS[writer.name] = writer
    return writer


def _csv(engine: Engine, flt: QuoteFilter, target: Target, options: Options) -> int:
    assert target.stream is not None
    return export_csv(engine, flt, target.stream, raw=options.raw, jobs=options.jobs,
                      tmp_dir=target.parts)


def _json(engine: Engine, flt: QuoteFilter, target: Target, options: Options) -> int:
    assert target.stream is not None
    with export_rows(engine, flt) as (_, rows):
        return write_json(rows, EXPORT_COLUMNS, target.stream)


def _jsonl(engine: Engine, flt: QuoteFilter, target: Target, options: Options) -> int:
    assert target.stream is not None
    with export_rows(engine, flt) as (_, rows):
        return write_jsonl(rows, EXPORT_COLUMNS, target.stream)


def _parquet(engine: Engine, flt: QuoteFilter, target: Target, options: Options) -> int:
    assert target.path is not None
    with export_rows(engine, flt) as (stmt, rows):
        return write_parquet(rows, EXPORT_COLUMNS, target.path,
                             types=[c.type.python_type for c in stmt.selected_columns])


register(Writer("csv", _csv))
register(Writer("json", _json))
register(Writer("jsonl", _jsonl))
register(Writer("parquet", _parquet, to_file=True))

#: Formats that can be written to a stream such as stdout.
EXPORT_FORMATS = tuple(name for name, writer in WRITERS.items() if not writer.to_file)


def export_quotes(
    engine: Engine,
    filters: QuoteFilter,
    fmt: str,
    out: TextIO | str | os.PathLike[str],
    *,
    raw: bool = False,
    jobs: int | None = None,
) -> int:
    """Write the quotes ``filters`` selects to ``out`` in format ``fmt``; return how many.

    Args:
        out: a text stream (standard output, a ``StringIO``), or a file path:
            the file is written beside its final name and renamed over it
            only once complete, so a failed export leaves the old file as it
            was; the database's own files are refused.
        raw: CSV cells a spreadsheet would run as formulas are kept as they
            are (by default they get a ``'`` in front).
        jobs: processes for a big SQLite CSV export (default: one per core).

    Raises:
        ValueError: ``fmt`` is no format in ``WRITERS``.
        ExportNeedsFile: ``fmt`` writes files only (Parquet) and ``out`` is a stream.
        OutputIsDatabase: ``out`` is the SQLite database or one of its journals.
        ExportFailed: the file cannot be written, or Parquet's library is missing.
    """
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(WRITERS)}")
    writer = WRITERS[fmt]
    options = Options(raw=raw, jobs=jobs or os.cpu_count() or 1)
    if isinstance(out, (str, os.PathLike)):
        return _export_to_file(engine, filters, writer, Path(out), options)
    if writer.to_file:
        raise ExportNeedsFile(f"{fmt} is written to a file, not a stream: give a path")
    return writer.write(engine, filters, Target(stream=out), options)


def _export_to_file(
    engine: Engine, flt: QuoteFilter, writer: Writer, path: Path, options: Options
) -> int:
    """Write to ``path`` through a staged file; failures name ``path``, the user's file."""
    refuse_database_files(path, sqlite_path(engine.url.render_as_string(hide_password=False)))
    try:
        with staged_output(path) as staged:
            if writer.to_file:
                return writer.write(engine, flt, Target(path=staged.path, parts=staged.folder),
                                    options)
            with open(staged.path, "w", encoding="utf-8", newline="",
                      buffering=1 << 20) as handle:
                return writer.write(engine, flt, Target(stream=handle, parts=staged.folder),
                                    options)
    except ImportError as exc:  # Parquet's optional library
        raise ExportFailed(f"{path}: {exc}") from exc
    except OSError as exc:
        raise ExportFailed(f"{path}: cannot write: {exc.strerror or exc}") from exc


__all__ = [
    "EXPORT_COLUMNS",
    "EXPORT_FORMATS",
    "FORMATS",
    "WRITERS",
    "Writer",
    "export_quotes",
    "jsonable",
    "register",
    "write_rows",
]
