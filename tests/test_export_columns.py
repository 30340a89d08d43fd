"""What an export holds: fragment, article_url and outlet after the quote's columns.

``--fragments`` adds scare quotes and titles to an export; without a
``fragment`` column they could not be told from quotes nobody was found to
have said. Every format has the same columns (JSON keys) in the same order,
on both backends, and ``Database.export`` is the same export as the CLI's.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from quotedb import connect
from quotedb.errors import ExportNeedsFile, OutputIsDatabase
from quotedb.export import EXPORT_COLUMNS

from .conftest import Quotedb

RECORDS = [
    {"id": "a", "url": "https://wire.example/a?x=1,y=2", "outlet": "Reuters",
     "text": "“The bridge is closed,” said Ann Lee, the mayor.\n\n"
             "The mayor called the plan a “rolling closure” for now.\n"},
    {"id": "b", "outlet": "The Herald",
     "text": "“We will reopen it.”\n\nNobody would say who had said it.\n"},
]


@pytest.fixture
def loaded(quotedb: Quotedb, tmp_path: Path) -> Quotedb:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    result = quotedb("ingest", str(corpus))
    assert result.exit_code == 0, result.output
    return quotedb


def test_columns_end_with_fragment_article_url_outlet(loaded: Quotedb) -> None:
    rows = list(csv.DictReader(io.StringIO(loaded("export", "--fragments").stdout)))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert list(EXPORT_COLUMNS[-4:]) == ["fragment", "article_url", "outlet", "copies"]
    assert {row["copies"] for row in rows} == {"1"}  # no story here was syndicated
    by_quote = {row["quote"]: row for row in rows}
    said = by_quote["The bridge is closed,"]
    assert (said["fragment"], said["article_url"], said["outlet"]) == (
        "false", "https://wire.example/a?x=1,y=2", "Reuters")
    assert by_quote["We will reopen it."]["article_url"] == ""


def test_fragments_are_told_from_unattributed_quotes(loaded: Quotedb) -> None:
    rows = [json.loads(line) for line in
            loaded("export", "--fragments", "--format", "jsonl").stdout.splitlines()]
    unattributed = [row for row in rows if row["speaker"] is None]
    assert {(row["quote"], row["fragment"]) for row in unattributed} == {
        ("rolling closure", True), ("We will reopen it.", False)}
    without = [json.loads(line) for line in
               loaded("export", "--format", "jsonl").stdout.splitlines()]
    assert [row["fragment"] for row in without] == [False, False]


def test_json_keys_are_the_csv_columns(loaded: Quotedb, tmp_path: Path) -> None:
    out = tmp_path / "q.json"
    assert loaded("export", "--format", "json", "-o", str(out)).exit_code == 0
    for row in json.loads(out.read_text(encoding="utf-8")):
        assert list(row) == list(EXPORT_COLUMNS)


def test_database_export_is_the_cli_export(loaded: Quotedb, tmp_path: Path) -> None:
    path = tmp_path / "lib.csv"
    with connect(loaded.url, create=False) as database:
        assert database.export(path, outlet="reuters") == 1
        stream = io.StringIO()
        assert database.export(stream, fmt="jsonl", fragments=True) == 3
    assert path.read_bytes() == loaded("export", "--outlet", "reuters").stdout_bytes
    assert stream.getvalue() == loaded("export", "--format", "jsonl", "--fragments").stdout


def test_database_export_refuses_what_the_cli_refuses(loaded: Quotedb, tmp_path: Path) -> None:
    with connect(loaded.url, create=False) as database:
        with pytest.raises(ExportNeedsFile, match="parquet is written to a file"):
            database.export(io.StringIO(), fmt="parquet")
        with pytest.raises(ValueError, match="unknown export format 'xml'"):
            database.export(io.StringIO(), fmt="xml")
        if loaded.url.startswith("sqlite"):
            database_file = Path(loaded.url.removeprefix("sqlite:///"))
            with pytest.raises(OutputIsDatabase):
                database.export(database_file)
