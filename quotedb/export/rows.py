"""Writing rows as a table, CSV, JSON or JSON Lines, streaming where possible.

CSV, JSON and JSONL are written row by row, so exporting a million quotes
takes constant memory; only the human-readable table needs every row first
(to size its columns), and it is meant for a screenful.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import Connection, Date, Select, String, case, cast, func, literal
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from ..terminal import visible

FORMATS = ("table", "csv", "json", "jsonl")
EXPORT_FORMATS = ("csv", "json", "jsonl")

#: Leading characters that make spreadsheets evaluate a cell as a formula
#: (OWASP "CSV Injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARS = frozenset(_FORMULA_STARTS)


#: Types JSON holds as they are (the usual cells, checked first).
_JSON_NATIVE = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """A value as JSON can hold it, whatever a database returns.

    Dates and times are ISO strings, intervals ISO 8601 durations, bytes hex,
    UUIDs and anything else unknown their text. NaN and the infinities,
    which JSON has no numbers for, are the strings "NaN", "Infinity" and
    "-Infinity", as PostgreSQL's own ``to_json`` writes them: valid JSON
    that still tells them from NULL. Arrays and JSON values are converted
    inside too.

    >>> jsonable(float("-inf")), jsonable(Decimal("NaN")), jsonable(timedelta(days=1, hours=2))
    ('-Infinity', 'NaN', 'P1DT2H')
    >>> jsonable(Decimal("1E+400")), jsonable(Decimal("2.5"))
    ('1E+400', 2.5)
    """
    if type(value) in _JSON_NATIVE:
        return value
    if isinstance(value, Decimal) and value.is_finite():
        number = float(value)
        # A finite numeric too large for a float keeps its digits, as text.
        return number if math.isfinite(number) else str(value)
    if isinstance(value, (float, Decimal)):
        number = float("nan") if isinstance(value, Decimal) and value.is_nan() else float(value)
        if math.isfinite(number):
            return number
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _iso_duration(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return str(value)


def _iso_duration(value: timedelta) -> str:
    """An interval as an ISO 8601 duration ("P1DT2H30M", "-PT0.5S").

    >>> _iso_duration(timedelta(0)), _iso_duration(-timedelta(seconds=90.5))
    ('PT0S', '-PT1M30.5S')
    """
    sign, value = ("-", -value) if value < timedelta(0) else ("", value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    second = f"{seconds}.{value.microseconds:06d}".rstrip("0").rstrip(".")
    time_part = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    if second != "0" or not (time_part or value.days):
        time_part += f"{second}S"
    days = f"{value.days}D" if value.days else ""
    return f"{sign}P{days}{'T' + time_part if time_part else ''}"


def _cell(value: Any) -> str:
    """A value as CSV/table text."""
    if value is None:
        return ""
    return str(jsonable(value))


def neutralise_formula(cell: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (prefix ``'``).

    >>> neutralise_formula("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> neutralise_formula("plain")
    'plain'
    """
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def write_rows(
    rows: Iterable[Sequence[Any]],
    columns: Sequence[str],
    fmt: str,
    out: TextIO,
    *,
    raw: bool = False,
) -> int:
    """Write rows (sequences in ``columns`` order) to ``out``; return how many.

    Args:
        raw: keep CSV cells exactly as stored, even ones a spreadsheet would
            run as formulas.
    """
    if fmt == "csv":
        return _write_csv(rows, columns, out, raw=raw)
    if fmt == "json":
        return _write_json(rows, columns, out)
    if fmt == "jsonl":
        return _write_jsonl(rows, columns, out)
    if fmt == "table":
        return _write_table(rows, columns, out)
    raise ValueError(f"unknown format {fmt!r}")


#: Types the csv module writes exactly as quotedb wants (None as an empty cell).
_CSV_NATIVE = frozenset({str, int, float, bool, type(None), date})


def _csv_row(row: Sequence[Any], raw: bool) -> list[Any]:
    """A row for csv.writer: odd types made text, formulas neutralised unless ``raw``."""
    cells = [v if type(v) in _CSV_NATIVE else _cell(v) for v in row]
    if raw:
        return cells
    return [
        "'" + v if type(v) is str and v[:1] in _FORMULA_CHARS and v else v for v in cells
    ]


def _write_csv(
    rows: Iterable[Sequence[Any]], columns: Sequence[str], out: TextIO, *, raw: bool
) -> int:
    # writerows runs its loop in C; the per-row work is one list comprehension.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0

    def counted() -> Iterator[list[Any]]:
        nonlocal count
        for row in rows:
            count += 1
            yield _csv_row(row, raw)

    writer.writerows(counted())
    return count


#: Rows fetched from the driver per round (export memory stays flat).
_FETCH_ROWS = 5000
#: Bytes of PostgreSQL COPY output gathered before each write.
_COPY_FLUSH_BYTES = 1 << 20


def csv_cells(stmt: Select, dialect: str, raw: bool = False) -> Select:
    """``stmt`` with each column as the text of its CSV cell, computed by the database.

    Text columns get the formula guard (``'`` before = + - @ tab CR, as
    ``neutralise_formula``) unless ``raw``; dates become ISO text. With
    every cell final, rows go from the driver's cursor straight into
    ``csv.writer`` (or PostgreSQL's COPY), with no Python step per row.
    """
    cells: list[ColumnElement[Any]] = []
    for column in stmt.selected_columns:
        if isinstance(column.type, Date):
            iso = (func.to_char(column, "YYYY-MM-DD") if dialect == "postgresql"
                   else cast(column, String))
            cells.append(iso.label(column.name))
        elif isinstance(column.type, String) and not raw:
            guarded = case(
                (func.substr(column, 1, 1).in_(_FORMULA_STARTS), literal("'") + column),
                else_=column,
            )
            cells.append(guarded.label(column.name))
        else:
            cells.append(column)
    return stmt.with_only_columns(*cells)


def stream_csv(
    connection: Connection, stmt: Select, out: TextIO, *, raw: bool = False, header: bool = True
) -> int:
    """Run ``stmt`` and write its rows to ``out`` as CSV with a header; return how many.

    Cells are made by the database (``csv_cells``): PostgreSQL formats the
    CSV itself (``COPY … TO STDOUT``); SQLite's cursor feeds
    ``csv.writer.writerows`` in chunks (a quote export in article order
    has a faster path still, ``sqlite_csv``).
    Same cells as ``write_rows(..., "csv")``; PostgreSQL quotes an empty
    string as ``""`` to tell it from NULL, which reads back the same.
    """
    dialect = connection.dialect.name
    cells = csv_cells(stmt, dialect, raw)
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow([column.name for column in cells.selected_columns])
    if dialect == "postgresql":
        return _copy_csv(connection, cells, out)
    result = connection.execute(cells)
    if dialect != "sqlite":  # another driver may have buffered rows: go through the result
        return _write_csv_rows(writer, result)
    # SQLite's driver cursor: fetchmany + writerows both loop in C.
    return _write_csv_rows(writer, result.cursor)


def _write_csv_rows(writer: Any, cursor: Any) -> int:
    count = 0
    while rows := cursor.fetchmany(_FETCH_ROWS):
        writer.writerows(rows)
        count += len(rows)
    return count


def _copy_csv(connection: Connection, stmt: Select, out: TextIO) -> int:
    """PostgreSQL writes the CSV: ``COPY (query) TO STDOUT`` through psycopg.

    The server's UTF-8 bytes go to ``out`` as they are (``utf8_writer``),
    ~1 MB at a time; COPY sends each row as one message, so a batch never
    ends inside a character.
    """
    compiled = stmt.compile(dialect=connection.dialect,
                            compile_kwargs={"render_postcompile": True})
    driver = connection.connection.driver_connection
    write = utf8_writer(out)
    pending: list[bytes] = []
    size = 0
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(f"COPY ({compiled}) TO STDOUT (FORMAT csv)", compiled.params) as copy:
                for chunk in copy:
                    pending.append(chunk)
                    size += len(chunk)
                    if size >= _COPY_FLUSH_BYTES:
                        write(b"".join(pending))
                        pending.clear()
                        size = 0
            write(b"".join(pending))
            return int(cursor.rowcount)
    except dbapi_error as exc:
        # The driver's own error, as SQLAlchemy would have wrapped it (a
        # NUL in a search term is refused here, by psycopg).
        raise DBAPIError.instance(str(compiled), compiled.params, exc, dbapi_error) from exc


def utf8_writer(out: TextIO) -> Callable[[bytes], object]:
    """A function writing UTF-8 bytes to text stream ``out``, in order with its text.

    Straight to the byte buffer under ``out`` when it encodes UTF-8 (files,
    standard output), which skips a decode and an encode per chunk.
    """
    binary = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None) or "ascii"
    # Where text streams turn "\n" into "\r\n" (Windows), bytes would not match.
    if binary is None or codecs.lookup(encoding).name != "utf-8" or os.linesep != "\n":
        return lambda data: out.write(data.decode("utf-8"))
    out.flush()  # what was written as text goes first
    write: Callable[[bytes], object] = binary.write
    return write


def _json_object(columns: Sequence[str], row: Sequence[Any]) -> str:
    # ensure_ascii escapes control characters and lone surrogates, so the
    # output is valid JSON (and valid UTF-8) whatever the text holds.
    obj = {c: jsonable(v) for c, v in zip(columns, row, strict=True)}
    return json.dumps(obj, ensure_ascii=True)


def _write_json(rows: Iterable[Sequence[Any]], columns: Sequence[str], out: TextIO) -> int:
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(_json_object(columns, row))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _write_jsonl(rows: Iterable[Sequence[Any]], columns: Sequence[str], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(_json_object(columns, row))
        out.write("\n")
        count += 1
    return count


#: Widest a table column gets before its cells are cut with "…".
TABLE_CELL_WIDTH = 60


def _table_cell(value: Any) -> str:
    # Whitespace runs (line breaks, tabs) become one space; other control
    # characters are shown escaped, never sent to the terminal.
    text = visible(" ".join(_cell(value).split()))
    return text if len(text) <= TABLE_CELL_WIDTH else text[: TABLE_CELL_WIDTH - 1] + "…"


def _write_table(rows: Iterable[Sequence[Any]], columns: Sequence[str], out: TextIO) -> int:
    cells = [[_table_cell(v) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
    return len(cells)
