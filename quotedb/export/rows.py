"""Rows in the formats quotedb prints: a table, CSV, JSON or JSON Lines.

What ``quotes``, ``speakers``, ``articles`` and ``sql`` print, with the
same CSV rule (``csvfmt``) and JSON values (``jsonfmt``) as ``export``.
CSV, JSON and JSONL are written row by row, so a million rows take constant
memory; only the human-readable table needs every row first (to size its
columns), and it is meant for a screenful.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from ..terminal import visible
from .csvfmt import write_csv
from .jsonfmt import write_json, write_jsonl
from .values import text

FORMATS = ("table", "csv", "json", "jsonl")


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
        return write_csv(rows, columns, out, raw=raw)
    writers: dict[str, Callable[[Iterable[Sequence[Any]], Sequence[str], TextIO], int]] = {
        "json": write_json, "jsonl": write_jsonl, "table": _write_table,
    }
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}")
    return writers[fmt](rows, columns, out)


#: Widest a table column gets before its cells are cut with "…".
TABLE_CELL_WIDTH = 60


def _table_cell(value: Any) -> str:
    # Whitespace runs (line breaks, tabs) become one space; other control
    # characters are shown escaped, never sent to the terminal.
    shown = visible(" ".join(text(value).split()))
    return shown if len(shown) <= TABLE_CELL_WIDTH else shown[: TABLE_CELL_WIDTH - 1] + "…"


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
