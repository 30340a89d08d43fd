"""Rows on screen: the CLI's table, its output formats, and an article with its quotes marked.

Only the CLI renders; the library returns plain values. The table is for
people (cells on one line, control characters escaped, long cells cut at a
width the user can change); CSV, JSON and JSON Lines are for programs and
keep every value whole (``export.write_rows``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from .export import jsonable, write_rows
from .terminal import visible

#: Every ``--format`` a listing command offers; the first is the default.
OUTPUT_FORMATS = ("table", "csv", "json", "jsonl")

#: Where ``quotes`` cuts a table cell unless told otherwise (``--width``).
DEFAULT_CELL_WIDTH = 60


def write_output(
    rows: Iterable[Sequence[Any]], columns: Sequence[str], fmt: str, out: TextIO,
    *, width: int | None = None,
) -> int:
    """Write rows in ``fmt`` (see ``OUTPUT_FORMATS``); return how many.

    Args:
        width: table only: cut cells longer than this with "…" (None: whole).
    """
    if fmt == "table":
        return write_table(rows, columns, out, width=width)
    return write_rows(rows, columns, fmt, out)


def table_cell(value: Any, width: int | None = None) -> str:
    """A value on one table line, at most ``width`` characters.

    Whitespace runs (line breaks, tabs) become one space, so a row stays
    one line; other control characters are shown escaped, never sent to the
    terminal (``visible``).

    >>> table_cell("a\\n b\\x1b", width=None)
    'a b\\\\x1b'
    >>> table_cell("abcdef", width=4), table_cell(None), table_cell(True)
    ('abc…', '', 'true')
    """
    if isinstance(value, bool):  # as JSON and CSV write it
        return "true" if value else "false"
    text = "" if value is None else visible(" ".join(str(jsonable(value)).split()))
    if width is None or len(text) <= width:
        return text
    return text[: width - 1] + "…"


def write_table(
    rows: Iterable[Sequence[Any]], columns: Sequence[str], out: TextIO,
    *, width: int | None = None,
) -> int:
    """An aligned text table with a header and a rule; needs every row first, to size columns.

    >>> import io; out = io.StringIO()
    >>> write_table([(1, "yes"), (22, None)], ["id", "word"], out)
    2
    >>> print(out.getvalue(), end="")
    id  word
    --  ----
    1   yes
    22
    """
    cells = [[table_cell(value, width) for value in row] for row in rows]
    widths = [len(column) for column in columns]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip() + "\n"

    out.write(line(columns))
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write(line(row))
    return len(cells)


def render_marked(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The text with each span wrapped as ``[[quote]]{label}``.

    >>> render_marked("He said “hi” twice.", [(9, 11, "Ann")])
    'He said “[[hi]]{Ann}” twice.'
    """
    parts: list[str] = []
    position = 0
    for start, end, label in sorted(spans):
        parts.append(text[position:start])
        parts.append(f"[[{text[start:end]}]]{{{label}}}")
        position = end
    parts.append(text[position:])
    return "".join(parts)


__all__ = [
    "DEFAULT_CELL_WIDTH",
    "OUTPUT_FORMATS",
    "render_marked",
    "table_cell",
    "write_output",
    "write_table",
]
