"""``quotedb sql`` cannot change anything, on either backend; exports are safe."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from .conftest import Quotedb, ingest_story
from .snapshot import snapshot

STORY = (
    "Ann Lee, the mayor, spoke on Monday.\n\n"
    "“=SUM(A1:A9)+HYPERLINK(A1) is what they sent us,” Ms Lee said.\n\n"
    "“-1 plus one, and @everyone knows it,” she added.\n"
)


@pytest.fixture
def loaded(quotedb: Quotedb, tmp_path: Path) -> Quotedb:
    return ingest_story(quotedb, tmp_path / "story.txt", STORY)


HOSTILE = {
    "drop": "DROP TABLE quotes",
    "delete": "DELETE FROM quotes",
    "update": "UPDATE speakers SET name = 'x'",
    "insert": "INSERT INTO speakers (name, key) VALUES ('x', 'x')",
    "create": "CREATE TABLE evil (x integer)",
    "multiple statements": "SELECT 1; DROP TABLE quotes",
    "commit then write": "COMMIT; DROP TABLE quotes",
}
SQLITE_ONLY = {
    "attach": "ATTACH DATABASE 'evil.db' AS evil",
    "writable_schema": "PRAGMA writable_schema = ON",
    "journal_mode": "PRAGMA journal_mode = DELETE",
    "load_extension": "SELECT load_extension('/tmp/evil')",
    "vacuum into": "VACUUM INTO 'copy.db'",
}
POSTGRES_ONLY = {
    "set session writable": "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
    "copy to file": "COPY quotes TO '/tmp/quotedb-evil.csv'",
    "nextval": "SELECT nextval('quotes_id_seq')",
}


@pytest.mark.parametrize("statement", list(HOSTILE.values()), ids=list(HOSTILE))
def test_sql_refuses_and_data_is_intact(loaded: Quotedb, statement: str) -> None:
    before = snapshot(loaded.url)
    result = loaded("sql", statement)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: refused:") or "read-only" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(loaded.url) == before


@pytest.mark.parametrize("statement", list(SQLITE_ONLY.values()), ids=list(SQLITE_ONLY))
def test_sqlite_specific_escapes_are_refused(
    loaded: Quotedb, statement: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not loaded.url.startswith("sqlite"):
        pytest.skip("SQLite-only statement")
    monkeypatch.chdir(tmp_path)
    before = snapshot(loaded.url)
    result = loaded("sql", statement)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(loaded.url) == before
    assert not (tmp_path / "evil.db").exists() and not (tmp_path / "copy.db").exists()


@pytest.mark.parametrize("statement", list(POSTGRES_ONLY.values()), ids=list(POSTGRES_ONLY))
def test_postgres_specific_escapes_are_refused(loaded: Quotedb, statement: str) -> None:
    if not loaded.url.startswith("postgresql"):
        pytest.skip("PostgreSQL-only statement")
    before = snapshot(loaded.url)
    result = loaded("sql", statement)
    if statement.startswith("SET SESSION"):
        # Allowed, but it changes nothing stored and the next query is read-only again.
        assert loaded("sql", "DELETE FROM quotes").exit_code == 1
    else:
        assert result.exit_code == 1
    assert snapshot(loaded.url) == before


def test_parameters_are_bound_not_interpolated(loaded: Quotedb) -> None:
    payload = "'); DROP TABLE quotes; --"
    result = loaded("sql", "SELECT count(*) AS n FROM speakers WHERE name = :name",
                    "-p", "name", payload, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"n": 0}]
    assert snapshot(loaded.url)["quotes"]


def test_csv_export_neutralises_formulas_by_default(loaded: Quotedb) -> None:
    rows = list(csv.DictReader(io.StringIO(loaded("export").stdout)))
    quotes = [row["quote"] for row in rows]
    assert any(q.startswith("'=SUM(A1:A9)") for q in quotes)
    assert any(q.startswith("'-1 plus one") for q in quotes)
    assert not any(q.startswith(("=", "+", "-", "@")) for q in quotes)


def test_csv_export_raw_is_lossless(loaded: Quotedb) -> None:
    rows = list(csv.DictReader(io.StringIO(loaded("export", "--raw").stdout)))
    stored = json.loads(loaded("quotes", "--format", "json").stdout)
    assert [row["quote"] for row in rows] == [row["quote"] for row in stored]
    assert any(row["quote"].startswith("=SUM(A1:A9)") for row in rows)


def test_json_export_is_valid_for_control_characters_and_surrogates(tmp_path: Path) -> None:
    from quotedb.export import write_rows

    nasty = "bell\x07 nul\x00 lone\ud800 surrogate \u2028 end"
    out = io.StringIO()
    write_rows([(1, nasty)], ["id", "quote"], "json", out)
    text = out.getvalue()
    text.encode("utf-8")  # no lone surrogate reaches the output
    assert json.loads(text) == [{"id": 1, "quote": nasty}]
    out = io.StringIO()
    write_rows([(1, nasty)], ["id", "quote"], "jsonl", out)
    assert json.loads(out.getvalue()) == {"id": 1, "quote": nasty}


@pytest.fixture
def sqlite_loaded(sqlite_url: str, tmp_path: Path) -> Quotedb:
    """The story in a SQLite file: ``quotes_fts`` is SQLite's full-text table."""
    return ingest_story(Quotedb(sqlite_url), tmp_path / "story.txt", STORY)


FTS_READS = {
    "match": "SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH 'plus' ORDER BY rowid",
    "bm25": "SELECT rowid, bm25(quotes_fts) < 0 AS ranked FROM quotes_fts "
            "WHERE quotes_fts MATCH 'plus'",
    "snippet": "SELECT snippet(quotes_fts, 0, '[', ']', '…', 3) AS s FROM quotes_fts "
               "WHERE quotes_fts MATCH 'plus'",
}


@pytest.mark.parametrize("statement", list(FTS_READS.values()), ids=list(FTS_READS))
def test_sql_reads_the_full_text_table(sqlite_loaded: Quotedb, statement: str) -> None:
    result = sqlite_loaded("sql", statement, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 1
    assert rows[0].get("ranked", 1) == 1
    assert rows[0].get("s", "[plus]").count("[plus]") == 1


def test_api_sql_reads_the_full_text_table(sqlite_url: str, tmp_path: Path) -> None:
    from quotedb import api

    ingest_story(Quotedb(sqlite_url), tmp_path / "story.txt", STORY)
    with api.connect(sqlite_url) as corpus:
        rows = corpus.sql("SELECT count(*) AS n FROM quotes_fts WHERE quotes_fts MATCH :q",
                          q="plus")
    assert rows == [{"n": 1}]


FTS_WRITES = {
    "rebuild": "INSERT INTO quotes_fts(quotes_fts) VALUES('rebuild')",
    "delete command": "INSERT INTO quotes_fts(quotes_fts, rowid, text) VALUES('delete', 1, 'x')",
    "delete-all": "INSERT INTO quotes_fts(quotes_fts) VALUES('delete-all')",
    "delete": "DELETE FROM quotes_fts",
    "shadow table": "DELETE FROM quotes_fts_data",
}


@pytest.mark.parametrize("statement", list(FTS_WRITES.values()), ids=list(FTS_WRITES))
def test_sql_refuses_writes_through_the_full_text_table(
    sqlite_loaded: Quotedb, statement: str
) -> None:
    before = snapshot(sqlite_loaded.url)
    search = "SELECT count(*) AS n FROM quotes_fts WHERE quotes_fts MATCH 'plus'"
    result = sqlite_loaded("sql", statement)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: refused:"), result.stderr
    assert snapshot(sqlite_loaded.url) == before
    assert json.loads(sqlite_loaded("sql", search, "--format", "json").stdout) == [{"n": 1}]


def test_a_column_named_read_only_is_no_refusal(loaded: Quotedb) -> None:
    """Only the database's own refusal is a refusal, not words the query echoes."""
    column = "[read only]" if loaded.url.startswith("sqlite") else '"read only"'
    result = loaded("sql", f"select {column} from quotes")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: query failed:")
