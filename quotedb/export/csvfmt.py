"""The one CSV rule every path follows: which cells are quoted, which are guarded.

Every CSV quotedb writes (``export``, ``quotes --format csv``, ``sql
--format csv``) is made by this rule, whether Python writes the lines
(``write_csv``, the exact path), SQLite makes them (``sqlite_fast``) or
PostgreSQL does (``postgres_copy``); the fast paths build their guards from
the constants here and are held to ``write_csv`` byte for byte by
``tests/test_export_identity.py``.

Quoting is minimal, as RFC 4180 and ``csv.QUOTE_MINIMAL`` have it: a cell
is quoted only when it holds a comma, a double quote, a line feed or a
carriage return (doubling its quotes). That is PostgreSQL's own CSV rule,
so COPY writes it natively, and it keeps numbers and plain words bare, as
most CSV tools write them. (Quoting every text cell would need
``QUOTE_STRINGS``, which Python has only from 3.12, and COPY cannot tell a
text NULL from a text cell without quoting empty ones.) Python's
``csv.writer`` is not used: with ``lineterminator="\\n"`` it leaves a lone
carriage return unquoted, which readers then take for a line break.

NULL and the empty string are both an empty cell. Booleans are ``true`` and
``false``, dates ISO ``YYYY-MM-DD``. Lines end in ``\\n``.

A text cell starting with one of ``FORMULA_CHARS`` gets a ``'`` in front
(OWASP's CSV-injection advice), unless ``raw``: a spreadsheet would
otherwise run it as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
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
#: Characters that make a cell quoted.
QUOTED_CHARS = frozenset(',"\n\r')
#: How a boolean is written.
BOOLEAN_CELLS = {False: "false", True: "true"}

_NEEDS_QUOTES = re.compile("[" + re.escape("".join(sorted(QUOTED_CHARS))) + "]")
#: Types whose ``str`` is their cell (bool is not: it is written in words).
_PLAIN = frozenset({int, float, date})


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
    """A cell's text as it goes into a line: quoted only where it must be.

    >>> quote("plain"), quote('say "hi", then'), quote("a\\rb")
    ('plain', '"say ""hi"", then"', '"a\\rb"')
    """
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def cell(value: Any, raw: bool = False) -> str:
    """A value as its CSV cell, guarded unless ``raw`` (only text is guarded).

    >>> cell(None), cell(True), cell(date(2001, 11, 20)), cell("-1"), cell("-1", raw=True)
    ('', 'true', '2001-11-20', "'-1", '-1')
    """
    kind = type(value)
    if kind is str:
        return quote(value if raw else guard(value))
    if value is None:
        return ""
    if kind is bool:
        return BOOLEAN_CELLS[value]
    if kind in _PLAIN:
        return str(value)
    return quote(str(jsonable(value)))


def line(row: Sequence[Any], raw: bool = False) -> str:
    """One row as a CSV line, ending in ``\\n``."""
    return ",".join([cell(value, raw) for value in row]) + "\n"


def write_csv(
    rows: Iterable[Sequence[Any]], columns: Sequence[str] | None, out: TextIO, *,
    raw: bool = False,
) -> int:
    """Write rows as CSV (a header first unless ``columns`` is None); return how many.

    The exact path: every other way of making quotedb's CSV must give these bytes.
    """
    if columns is not None:
        out.write(line(columns, raw=True))
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
    """SQL for a text cell's content before quoting: guarded unless ``raw``, '' as NULL.

    The empty string becomes NULL so that PostgreSQL's COPY, which quotes an
    empty string to tell it from NULL, writes it as the empty cell it is here.
    """
    if not raw:
        column = case(
            (func.substr(column, 1, 1).in_(sorted(FORMULA_CHARS)), literal("'") + column),
            else_=column,
        )
    return func.nullif(column, "")


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
    "QUOTED_CHARS",
    "byte_class",
    "cell",
    "cell_sql",
    "guard",
    "line",
    "quote",
    "write_csv",
    "write_query",
]
