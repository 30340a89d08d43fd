"""CSV export: the database-made lines and the parallel SQLite export.

``quotedb export --format csv`` lets the database make the lines (SQLite's
fast lines, PostgreSQL's COPY); these tests hold it to the bytes
``write_rows`` makes from the same rows (read back through JSON Lines), with
the formula guard and without, with and without filters, on both backends.
``test_export_identity.py`` does the same on hostile cells and every filter.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from quotedb import db
from quotedb.export import EXPORT_COLUMNS, write_rows
from quotedb.export.csv_export import _article_ranges, export_csv
from quotedb.queries import QuoteFilter

from .conftest import Quotedb

NASTY = (
    "Cells, \"Quotes\" and Formulas\n"
    "May 4, 2021\n\n"
    "“=1+1, said the \"sheet\", @all; -dash and +plus,” Ann Lee, the mayor, said.\n\n"
    "“A quote that runs on,\n\n"
    "“over two paragraphs, with a comma,” she added.\n\n"
    "“\tTabbed — and ünïcödé ✓,” said Bo Ray.\n"
)


@pytest.fixture
def loaded(quotedb: Quotedb, seeds_dir: Path, tmp_path: Path) -> Quotedb:
    (seeds_dir / "nasty, \"cells\".txt").write_text(NASTY, encoding="utf-8")
    result = quotedb("ingest", str(seeds_dir))
    assert result.exit_code == 0, result.output
    return quotedb


def python_csv(quotedb: Quotedb, *args: str, raw: bool = False) -> str:
    """What the Python writer makes of the same quotes (read as JSON Lines)."""
    result = quotedb("export", "--format", "jsonl", *args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    out = io.StringIO()
    for row in rows:  # JSON has no dates: the database's are dates, written bare
        row["published"] = row["published"] and date.fromisoformat(row["published"])
    write_rows(([row[c] for c in EXPORT_COLUMNS] for row in rows), EXPORT_COLUMNS, "csv", out,
               raw=raw)
    return out.getvalue()


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("raw", [False, True], ids=["guarded", "raw"])
@pytest.mark.parametrize("filters", [
    (),
    ("--speaker", "Ann Lee"),
    ("--since", "2021-01-01", "--until", "2021-12-31"),
    ("--search", "comma"),
], ids=["all", "speaker", "dates", "search"])
def test_database_csv_matches_python_csv(loaded: Quotedb, filters: tuple[str, ...],
                                         raw: bool) -> None:
    extra = ("--raw",) if raw else ()
    result = loaded("export", "--format", "csv", *filters, *extra)
    assert result.exit_code == 0, result.output
    expected = python_csv(loaded, *filters, raw=raw)
    got = cells(result.stdout)
    assert got[0] == list(EXPORT_COLUMNS)
    assert len(got) > 1
    assert result.stdout == expected  # byte for byte, whichever path made the lines


def test_guard_and_raw_differ_only_in_the_guard(loaded: Quotedb) -> None:
    guarded = cells(loaded("export", "--speaker", "Ann Lee").stdout)
    raw = cells(loaded("export", "--speaker", "Ann Lee", "--raw").stdout)
    quote = EXPORT_COLUMNS.index("quote")
    assert [row[quote] for row in raw[1:]][0].startswith("=1+1, said the \"sheet\"")
    assert [row[quote] for row in guarded[1:]][0] == "'" + raw[1][quote]
    assert [row[quote] for row in raw[1:]] == [row[quote].removeprefix("'")
                                               for row in guarded[1:]]
    assert any("\n" in row[quote] for row in raw[1:])


@pytest.fixture
def engine(loaded: Quotedb) -> Iterator[Engine]:
    engine = db.make_engine(db.resolve_url(loaded.url))
    yield engine
    engine.dispose()


@pytest.mark.parametrize("flt", [
    QuoteFilter(),
    QuoteFilter(speaker="Donald Rumsfeld"),
    QuoteFilter(since=date(2021, 1, 1), fragments=True),
], ids=["all", "speaker", "since"])
def test_parallel_export_is_the_single_process_file(
    engine: Engine, flt: QuoteFilter, tmp_path: Path
) -> None:
    single = io.StringIO()
    count = export_csv(engine, flt, single, jobs=1)
    staging = tmp_path / "staging"
    staging.mkdir()
    split = io.StringIO()
    # Three parts even on a small corpus: the threshold is lowered to one quote.
    assert export_csv(engine, flt, split, jobs=3, tmp_dir=staging, min_quotes_per_job=1) == count
    assert count > 0
    assert split.getvalue() == single.getvalue()
    assert not list(staging.iterdir()), "staged parts are removed"


def test_parallel_export_splits_sqlite_only_and_not_ranked_or_limited(engine: Engine) -> None:
    with engine.connect() as connection:
        split = _article_ranges(connection, QuoteFilter(), 3, 1)
        ranked = _article_ranges(connection, QuoteFilter(search="comma"), 3, 1)
        limited = _article_ranges(connection, QuoteFilter(limit=5), 3, 1)
        small = _article_ranges(connection, QuoteFilter(), 3, 10**9)
    assert (ranked, limited, small) == (None, None, None)
    if engine.dialect.name == "postgresql":
        assert split is None  # the server formats the CSV: nothing to split
        return
    assert split is not None and len(split) == 3
    assert all(first < end for first, end in split)
    assert all(a[1] == b[0] for a, b in zip(split, split[1:], strict=False))


def test_cli_jobs_option(loaded: Quotedb, tmp_path: Path) -> None:
    out = tmp_path / "quotes.csv"
    result = loaded("export", "--jobs", "2", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == loaded("export", "--jobs", "1").stdout
    assert loaded("export", "--jobs", "0").exit_code == 2


def test_export_of_an_empty_database_is_the_header(quotedb: Quotedb) -> None:
    assert quotedb("db", "upgrade").exit_code == 0  # reading commands create no database
    for jobs in ("1", "2"):
        result = quotedb("export", "--jobs", jobs)
        assert result.exit_code == 0, result.output
        assert result.stdout == ",".join(EXPORT_COLUMNS) + "\n"
    engine = db.make_engine(db.resolve_url(quotedb.url))
    try:
        with engine.connect() as connection:
            assert _article_ranges(connection, QuoteFilter(), 3, 1) is None
    finally:
        engine.dispose()


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_output_dash_means_stdout(loaded: Quotedb, fmt: str, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    to_dash = loaded("export", "--format", fmt, "-o", "-")
    assert to_dash.exit_code == 0, to_dash.output
    assert to_dash.stdout == loaded("export", "--format", fmt).stdout
    assert to_dash.stdout.strip()
    assert not (tmp_path / "-").exists()


def test_output_dot_slash_dash_is_a_file_named_dash(loaded: Quotedb, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = loaded("export", "--format", "jsonl", "-o", "./-")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert (tmp_path / "-").read_text(encoding="utf-8") == loaded("export", "--format",
                                                                  "jsonl").stdout


def test_parquet_to_stdout_is_a_one_line_error(loaded: Quotedb, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = loaded("export", "--format", "parquet", "-o", "-")
    assert result.exit_code == 2
    assert result.stderr == "Error: --format parquet cannot write to stdout: give -o FILE\n"
    assert result.stdout == ""
    assert not (tmp_path / "-").exists()
