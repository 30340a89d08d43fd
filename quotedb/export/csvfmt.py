"""The one CSV rule every path follows: which cells are quoted, which are guarded.

Every CSV quotedb writes (``export``, ``quotes --format csv``, ``sql
--format csv``) is made by this rule, whether Python writes the lines
(``write_csv``, the exact path), SQLite makes them (``sqlite_fast``) or
PostgreSQL does (``postgres_copy``); the fast paths build their guards from
the constants here and are held to ``write_csv`` byte for byte by
``tests/test_export_identity.py``.

Every text value is quoted (its quotes doubled), the empty string too
(``""``); numbers, dates (ISO ``YYYY-MM-DD``) and booleans (``true``,
``false``) are bare; NULL is an empty cell, so it stays apart from the
empty string. Lines end in ``\\n``.

Why this rule rather than minimal quoting (``csv.QUOTE_MINIMAL``: a cell
quoted only when it holds a comma, quote or line break): it is what
``quotedb export`` has written by default, so existing files keep their
bytes (but for NULL text, which was ``""``); SQLite's fast path makes it
with no per-cell decision (minimal quoting needed one, which cost that
path ~40% more CPU); PostgreSQL's COPY makes it natively (``FORCE_QUOTE``);
and it tells NULL from the empty string. CSV readers read both rules back
the same. Python's ``csv`` module cannot write it before 3.12
(``QUOTE_STRINGS``), so the exact path is this module's own few lines.

A text cell starting with one of ``FORMULA_CHARS`` gets a ``'`` in front
(OWASP's CSV-injection advice), unless ``raw``: a spreadsheet would
otherwise run it as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, time
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Date,
    Select,
    String,
    case,
    func,
    literal,
    null,
)

from .values import jsonable

#: Leading characters that make spreadsheets evaluate a cell as a formula
#: (OWASP "CSV Injection"): every formula guard is built from this set.
FORMULA_CHARS = frozenset("=+-@\t\r")
#: How a boolean is written.
BOOLEAN_CELLS = {False: "false", True: "true"}

#: Number types, written bare as their ``str`` (bool is not one: it is written in words).
_NUMBERS = frozenset({int, float, Decimal})
#: Header names that must be quoted (a header is quoted only where it must be).
_HEADER_SPECIAL = re.compile('[,"\r\n]')


def byte_class(chars: frozenset[str], *, negate: bool = False) -> bytes:
    """A regex character class (for ``bytes`` patterns) matching ``chars`` (or all others).

    >>> byte_class(frozenset("-@")), byte_class(frozenset(","), negate=True)
    (b'[\\\\-@]', b'[^,]')
    """
    escaped = re.escape("".join(sorted(chars))).encode("ascii")
    return b"[" + b"^" * negate + escaped + b"]"


def guard(text: str) -> str:
    """``text`` with ``'`` in front if a spreadsheet would run it as a formula.

    >>> guard("=HYPERLINK(1)"), guard("plain"), guard("")
    ("'=HYPERLINK(1)", 'plain', '')
    """
    return "'" + text if text[:1] in FORMULA_CHARS and text else text


def quote(text: str) -> str:
    """A text cell as it goes into a line: quoted, its quotes doubled.

    >>> quote("plain"), quote('say "hi", then'), quote("")
    ('"plain"', '"say ""hi"", then"', '""')
    """
    return '"' + text.replace('"', '""') + '"'


def cell(value: Any, raw: bool = False) -> str:
    """A value as its CSV cell, guarded unless ``raw`` (only text is guarded).

    >>> cell(None), cell(True), cell(date(2001, 11, 20)), cell(7), cell("-1"), cell("-1", True)
    ('', 'true', '2001-11-20', '7', '"\\'-1"', '"-1"')
    """
    kind = type(value)
    if kind is str:
        return quote(value if raw else guard(value))
    if value is None:
        return ""
    if kind is bool:
        return BOOLEAN_CELLS[value]
    if kind in _NUMBERS:
        return str(jsonable(value))
    if isinstance(value, (date, time)):
        return value.isoformat()
    return quote(str(jsonable(value)))


def line(row: Sequence[Any], raw: bool = False) -> str:
    """One row as a CSV line, ending in ``\\n``."""
    return ",".join([cell(value, raw) for value in row]) + "\n"


def header(columns: Sequence[str]) -> str:
    """The header line: names bare, unless one holds a comma, quote or line break.

    >>> header(["quote_id", "count, all"])
    'quote_id,"count, all"\\n'
    """
    return ",".join(quote(name) if _HEADER_SPECIAL.search(name) else name
                    for name in columns) + "\n"


def write_csv(
    rows: Iterable[Sequence[Any]], columns: Sequence[str] | None, out: TextIO, *,
    raw: bool = False,
) -> int:
    """Write rows as CSV (a header first unless ``columns`` is None); return how many.

    The exact path: every other way of making quotedb's CSV must give these bytes.
    """
    if columns is not None:
        out.write(header(columns))
    count = 0
    batch: list[str] = []
    for row in rows:
        batch.append(line(row, raw))
        if len(batch) == 1000:  # one write per thousand lines
            out.write("".join(batch))
            count += len(batch)
            batch.clear()
    out.write("".join(batch))
    return count + len(batch)


def write_query(connection: Connection, stmt: Select, out: TextIO, *, raw: bool) -> int:
    """Run ``stmt`` and write its rows as CSV lines (no header): the exact path."""
    result = connection.execute(stmt.execution_options(yield_per=2000))
    return write_csv(result, None, out, raw=raw)


def text_cell_sql(column: ColumnElement[Any], raw: bool) -> ColumnElement[Any]:
    """SQL for a text cell's content before quoting: guarded unless ``raw``."""
    if raw:
        return column
    return case(
        (func.substr(column, 1, 1).in_(sorted(FORMULA_CHARS)), literal("'") + column),
        else_=column,
    )


def boolean_cell_sql(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQL for a boolean's cell: ``true``/``false`` (NULL stays NULL)."""
    return case((column.is_(True), BOOLEAN_CELLS[True]),
                (column.is_(False), BOOLEAN_CELLS[False]), else_=null())


def cell_sql(column: ColumnElement[Any], dialect: str, raw: bool) -> ColumnElement[Any]:
    """SQL computing a column's cell text (before quoting), for the database-made paths."""
    if isinstance(column.type, Boolean):
        return boolean_cell_sql(column)
    if isinstance(column.type, Date) and dialect == "postgresql":
        return func.to_char(column, "YYYY-MM-DD")
    if isinstance(column.type, String):
        return text_cell_sql(column, raw)
    return column


__all__ = [
    "BOOLEAN_CELLS",
    "FORMULA_CHARS",
    "byte_class",
    "cell",
    "cell_sql",
    "guard",
    "header",
    "line",
    "quote",
    "write_csv",
    "write_query",
]
