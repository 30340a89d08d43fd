"""SQLite makes the lines of a quote CSV export; Python only finishes them.

Why: passing a quote's fourteen cells through Python one by one costs
~10 µs a row, which held one process near 90,000 quotes/s. Here SQLite
makes each row's line as one string (``||``), joins an article's lines
(``group_concat``), hands them over as UTF-8 bytes, and what is left to do
is the same for every line, so it is done by a few C-speed passes over
thousands of articles at a time:

1. SQLite writes each text cell between two marks (``\\x01``), a NULL one
   as bytes ``\\xff`` (which UTF-8 text never holds) between them,
   numbers, ISO dates and booleans (``true``/``false``) bare, other NULLs
   as nothing, cells joined by commas;
2. Python doubles every ``"`` (only cell text holds any), puts the formula
   guard ``'`` after each opening mark that a formula character follows
   (unless raw), drops each NULL cell with its marks and turns the other
   marks into ``"``.

The result is ``csvfmt``'s rule, byte for byte what ``csvfmt.write_csv``
writes (``tests/test_export_identity.py``); the guard's characters come
from ``csvfmt.FORMULA_CHARS``.

Two things could go wrong, and both are checked rather than assumed:

- a cell whose own text holds the mark would misplace the quoting: each
  batch's marks are counted, and an article with a wrong count is re-read
  through the exact path (``csvfmt.write_query``);
- ``group_concat`` joins rows in the order it meets them, which is the
  order of the index scan (article, start) only when the plan needs no
  temporary B-tree to group them: the plan is read first (``EXPLAIN QUERY
  PLAN``), and when it needs one the export goes row by row through the
  exact path.

(``printf`` would make the lines a little faster, but it ends a cell at a
NUL character without a sign; ``||`` keeps every byte, as the exact path
does.)
"""

from __future__ import annotations

import io
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import reduce
from typing import Any, TextIO

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    Integer,
    Select,
    String,
    func,
    literal,
    literal_column,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from .. import models
from .csvfmt import FORMULA_CHARS, boolean_cell_sql, byte_class, write_query
from .outfile import utf8_writer

_MARK = "\x01"
_MARK_BYTE = b"\x01"
#: An opening mark before a character that makes a spreadsheet run the cell.
_FORMULA_AFTER_MARK = re.compile(_MARK_BYTE + b"(?=" + byte_class(FORMULA_CHARS) + b")")
#: What SQLite writes between the marks for a NULL text cell, which is an
#: empty cell, not ``""``: bytes no UTF-8 text holds, so no cell's text can
#: pass for them, written where ``coalesce(text, '')`` would be (no extra
#: work for SQLite per cell); Python drops them with their marks. Fourteen
#: of them, because ``bytes.replace`` skips ahead by the needle's length.
_NULL_BYTES = b"\xff" * 14
_NULL_SQL = f"X'{_NULL_BYTES.hex().upper()}'"
_NULL_CELL = _MARK_BYTE + _NULL_BYTES + _MARK_BYTE

#: Column types whose SQLite text is their CSV cell (dates are stored ISO).
_MARKABLE = (Integer, String, Date, Boolean)
#: Articles fetched per batch (~10 quotes each).
_FETCH_ARTICLES = 500


def write_quotes_csv(connection: Connection, stmt: Select, out: TextIO, *, raw: bool) -> int:
    """Write the rows of ``stmt`` (``queries.quotes_select``) to ``out``; return how many.

    No header. ``stmt`` must be ordered by article and start and hold no
    LIMIT (a ranked search or a limit goes through ``csvfmt.write_query``).
    """
    columns = list(stmt.selected_columns)
    if not all(isinstance(column.type, _MARKABLE) for column in columns):
        return write_query(connection, stmt, out, raw=raw)
    grouped = _grouped_lines(stmt)
    sql = str(grouped.compile(dialect=connection.dialect,
                              compile_kwargs={"literal_binds": True}))
    plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
    if any("TEMP B-TREE" in str(step[-1]) for step in plan):
        return write_query(connection, stmt, out, raw=raw)
    marks = 2 * sum(isinstance(column.type, String) for column in columns)
    write = utf8_writer(out)
    count = 0
    with _driver_text(connection, bytes):
        cursor = connection.exec_driver_sql(sql)
        while groups := cursor.fetchmany(_FETCH_ARTICLES):
            _write_groups(connection, stmt, groups, marks, write, raw)
            count += sum(group[1] for group in groups)
    return count


@contextmanager
def _driver_text(connection: Connection, factory: type) -> Iterator[None]:
    """Have the driver return text as ``factory`` makes it (``bytes``: as stored).

    The lines go out as UTF-8 bytes: decoding every line only to encode it
    again for the file cost a fifth of the export (the bytes are valid
    UTF-8: Python wrote them). The exact path wants ``str`` back.
    """
    driver = connection.connection.driver_connection
    previous = driver.text_factory  # type: ignore[union-attr]
    driver.text_factory = factory  # type: ignore[union-attr]
    try:
        yield
    finally:
        driver.text_factory = previous  # type: ignore[union-attr]


def _grouped_lines(stmt: Select) -> Select:
    """Per article: its id, its number of rows and their marked lines, joined by newlines."""
    pieces: list[str | ColumnElement[Any]] = []
    for number, column in enumerate(stmt.selected_columns):
        if isinstance(column.type, String):
            value = func.coalesce(column, literal_column(_NULL_SQL))
            pieces += ["," * bool(number) + _MARK, type_coerce(value, String), _MARK]
            continue
        text = boolean_cell_sql(column) if isinstance(column.type, Boolean) else column
        pieces += ["," * bool(number), func.coalesce(type_coerce(text, String), "")]
    line = reduce(operator.add, _merge_literals(pieces))
    article = models.Quote.article_id
    return (
        stmt.with_only_columns(article, func.count(), func.group_concat(line, "\n"))
        .group_by(article)
        .order_by(None)
        .order_by(article)
    )


def _merge_literals(pieces: list[str | ColumnElement[Any]]) -> list[ColumnElement[Any]]:
    """Adjacent strings joined into one literal: fewer ``||`` for SQLite to run."""
    merged: list[ColumnElement[Any]] = []
    text = ""
    for piece in pieces:
        if isinstance(piece, str):
            text += piece
            continue
        if text:
            merged.append(literal(text, String))
            text = ""
        merged.append(piece)
    if text:
        merged.append(literal(text, String))
    return merged


def unmark(block: bytes, raw: bool) -> bytes:
    """Marked lines as CSV: quotes doubled, formulas guarded, marks made quotes.

    >>> marked = b'1,\\x01=say "hi" now\\x01,' + _NULL_CELL + b',\\x01\\x01,\\x01a,b\\x01'
    >>> print(unmark(marked, raw=False).decode())
    1,"'=say ""hi"" now",,"","a,b"
    """
    block = block.replace(b'"', b'""')
    if not raw:
        block = _FORMULA_AFTER_MARK.sub(b"\x01'", block)
    return block.replace(_NULL_CELL, b"").replace(_MARK_BYTE, b'"')


def _write_groups(
    connection: Connection,
    stmt: Select,
    groups: Sequence[Any],
    marks: int,
    write: Callable[[bytes], object],
    raw: bool,
) -> None:
    """Write a batch of articles (id, rows, marked lines) as CSV, in order.

    Runs of articles with the right count of marks are unmarked together;
    an article with another count (a cell holds the mark itself) is re-read
    through the exact path.
    """
    run: list[bytes] = []
    for article_id, lines, block in groups:
        if block.count(_MARK_BYTE) == marks * lines:
            run.append(block)
            continue
        if run:
            write(unmark(b"\n".join(run), raw) + b"\n")
            run.clear()
        write(_exact_article(connection, stmt, article_id, raw).encode("utf-8"))
    if run:
        write(unmark(b"\n".join(run), raw) + b"\n")


def _exact_article(connection: Connection, stmt: Select, article_id: int, raw: bool) -> str:
    """One article's rows of ``stmt`` as the exact path writes them."""
    buffer = io.StringIO()
    with _driver_text(connection, str):
        write_query(connection, stmt.where(models.Quote.article_id == article_id), buffer,
                    raw=raw)
    return buffer.getvalue()


__all__ = ["unmark", "write_quotes_csv"]
