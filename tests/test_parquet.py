"""Parquet export: row groups, types, and a real quotes export read back."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from quotedb import api, queries
from quotedb.export.parquet import write_parquet

pq = pytest.importorskip("pyarrow.parquet", reason="Parquet export needs the 'parquet' extra")


def test_rows_are_written_in_row_groups(tmp_path: Path) -> None:
    path = tmp_path / "n.parquet"
    count = write_parquet(((i, f"q{i}") for i in range(25)), ["id", "text"], path,
                          row_group_size=10)
    assert count == 25
    assert pq.ParquetFile(path).metadata.num_row_groups == 3


def test_values_and_types_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "v.parquet"
    rows = [(1, "“Yes,” she said", date(2001, 11, 20), True, None),
            (2, None, None, False, 1.5)]
    write_parquet(rows, ["id", "quote", "published", "fragment", "score"], path)
    table = pq.read_table(path)
    assert [str(field.type) for field in table.schema] == [
        "int64", "string", "date32[day]", "bool", "double"]
    assert table.to_pylist()[0] == {"id": 1, "quote": "“Yes,” she said",
                                    "published": date(2001, 11, 20), "fragment": True,
                                    "score": None}


def test_no_rows_still_writes_a_file_with_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    assert write_parquet([], ["quote_id", "quote"], path) == 0
    assert pq.read_table(path).column_names == ["quote_id", "quote"]


def test_given_types_hold_when_the_first_group_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    rows = [(None,), (None,), (date(2021, 8, 10),)]
    write_parquet(rows, ["published"], path, row_group_size=2, types=[date])
    assert pq.read_table(path).column("published").to_pylist() == [None, None, date(2021, 8, 10)]


def test_inferred_text_column_stores_later_dates_as_iso_text(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    write_parquet([(None,), (date(2021, 8, 10),)], ["published"], path, row_group_size=1)
    assert pq.read_table(path).column("published").to_pylist() == [None, "2021-08-10"]


def test_quotes_export_reads_back_in_full(tmp_path: Path, seeds_dir: Path) -> None:
    path = tmp_path / "quotes.parquet"
    with api.connect(tmp_path / "q.db") as corpus:
        corpus.ingest(seeds_dir)
        expected = list(corpus.quotes())
        stmt = queries.quotes_select(queries.QuoteFilter())
        with Session(corpus.engine) as session:
            rows = session.execute(stmt.execution_options(yield_per=10))
            types = [column.type.python_type for column in stmt.selected_columns]
            count = write_parquet(rows, queries.QUOTE_COLUMNS, path, row_group_size=10,
                                  types=types)
    assert count == len(expected)
    assert pq.read_table(path).to_pylist() == expected


def test_without_pyarrow_the_error_names_the_extra(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from pathlib import Path\n"
        "from quotedb.export.parquet import write_parquet\n"
        "try:\n"
        f"    write_parquet([], ['a'], Path({str(tmp_path / 'x.parquet')!r}))\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == (
        "Parquet export needs the 'parquet' extra: pip install 'quotedb[parquet]'"
    )
