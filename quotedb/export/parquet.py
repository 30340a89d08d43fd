"""Writing rows to a Parquet file in row groups, for pandas, DuckDB, Spark and R.

Rows are buffered one row group at a time (``row_group_size`` rows), so a
million quotes are written in bounded memory, like the CSV and JSON exports.
pyarrow is an optional dependency: ``pip install 'quotedb[parquet]'``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

PARQUET_EXTRA_HINT = "Parquet export needs the 'parquet' extra: pip install 'quotedb[parquet]'"
DEFAULT_ROW_GROUP_SIZE = 50_000


class ParquetUnavailable(ImportError):
    """pyarrow, which writes Parquet, is not installed."""


def _pyarrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet, or an error that names the extra to install."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:
        raise ParquetUnavailable(PARQUET_EXTRA_HINT) from exc
    return pyarrow, pyarrow.parquet


def write_parquet(
    rows: Iterable[Sequence[Any]],
    columns: Sequence[str],
    path: Path,
    row_group_size: int = DEFAULT_ROW_GROUP_SIZE,
    types: Sequence[type | None] | None = None,
) -> int:
    """Write rows (sequences in ``columns`` order) to a Parquet file; return how many.

    Args:
        types: each column's Python type (``int``, ``str``, ``date``...), e.g.
            ``[c.type.python_type for c in stmt.selected_columns]``. Without
            it, types come from the first row group, and a column that is
            empty there is stored as text (later values written as text), as
            a file's schema is fixed when it is opened.

    Raises:
        ParquetUnavailable: pyarrow is not installed.
        OSError: the file cannot be written.
    """
    if row_group_size < 1:
        raise ValueError("row_group_size must be at least 1")
    pa, pq = _pyarrow()
    columns = list(columns)
    if types is not None and len(types) != len(columns):
        raise ValueError(f"{len(types)} types for {len(columns)} columns")
    writer = None
    count = 0
    batch: list[Sequence[Any]] = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) >= row_group_size:
                writer = _write_group(pa, pq, writer, batch, columns, path, types)
                count += len(batch)
                batch = []
        if batch or writer is None:
            writer = _write_group(pa, pq, writer, batch, columns, path, types)
            count += len(batch)
    finally:
        if writer is not None:
            writer.close()
    return count


def _write_group(
    pa: Any, pq: Any, writer: Any, batch: list[Sequence[Any]], columns: list[str], path: Path,
    types: Sequence[type | None] | None,
) -> Any:
    """Append one row group, opening the file (and fixing the schema) on the first."""
    arrays = [[_value(row[i]) for row in batch] for i in range(len(columns))]
    if writer is None:
        samples = types or [_sample_type(values) for values in arrays]
        schema = pa.schema(
            [pa.field(name, _arrow_type(pa, kind)) for name, kind in zip(columns, samples,
                                                                         strict=True)]
        )
        writer = pq.ParquetWriter(str(path), schema)
    fields = list(writer.schema)
    table = pa.Table.from_arrays(
        [
            pa.array(_as_text(values) if field.type == pa.string() else values, type=field.type)
            for values, field in zip(arrays, fields, strict=True)
        ],
        schema=writer.schema,
    )
    writer.write_table(table, row_group_size=max(len(batch), 1))
    return writer


def _value(value: Any) -> Any:
    """A database value as Arrow takes it (Decimal as float, like the JSON export)."""
    return float(value) if isinstance(value, Decimal) else value


def _as_text(values: list[Any]) -> list[str | None]:
    """Values for a text column (dates as ISO strings, like the other exports)."""
    return [
        v if v is None or isinstance(v, str)
        else v.isoformat() if isinstance(v, (date, datetime)) else str(v)
        for v in values
    ]


def _sample_type(values: list[Any]) -> type | None:
    """A column's type, from its first non-null value."""
    return next((type(v) for v in values if v is not None), None)


def _arrow_type(pa: Any, kind: type | None) -> Any:
    """The Arrow type for values of a Python type (anything unknown is text)."""
    if kind is None:
        return pa.string()
    if issubclass(kind, bool):
        return pa.bool_()
    if issubclass(kind, int):
        return pa.int64()
    if issubclass(kind, (float, Decimal)):
        return pa.float64()
    if issubclass(kind, datetime):
        return pa.timestamp("us")
    if issubclass(kind, date):
        return pa.date32()
    if issubclass(kind, (bytes, memoryview)):
        return pa.binary()
    return pa.string()


__all__ = ["DEFAULT_ROW_GROUP_SIZE", "ParquetUnavailable", "write_parquet"]
