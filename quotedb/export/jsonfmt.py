"""JSON and JSON Lines: one object per row, keyed by column, streamed.

Values go through ``values.jsonable``; ``ensure_ascii`` keeps the output
valid JSON and valid UTF-8 whatever the text holds (control characters,
lone surrogates).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from .values import jsonable


def _json_object(columns: Sequence[str], row: Sequence[Any]) -> str:
    """One row as a JSON object on one line."""
    obj = {c: jsonable(v) for c, v in zip(columns, row, strict=True)}
    return json.dumps(obj, ensure_ascii=True)


def write_json(rows: Iterable[Sequence[Any]], columns: Sequence[str], out: TextIO) -> int:
    """Write rows as one JSON array, an object a line; return how many."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(_json_object(columns, row))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_jsonl(rows: Iterable[Sequence[Any]], columns: Sequence[str], out: TextIO) -> int:
    """Write rows as JSON Lines, an object a line; return how many."""
    count = 0
    for row in rows:
        out.write(_json_object(columns, row))
        out.write("\n")
        count += 1
    return count


__all__ = ["write_json", "write_jsonl"]
