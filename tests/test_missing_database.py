"""A mistyped --db on a reading command fails in one line and creates nothing.

Only ``ingest`` and ``db upgrade`` make a new database: a reading command on
a file that is not there used to create an empty database and print zeros,
which hid the typo.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from quotedb import api
from quotedb.errors import NoDatabase

from .conftest import SEEDS

READING = {
    "quotes": ["quotes"],
    "speakers": ["speakers"],
    "articles": ["articles"],
    "show": ["show", "1"],
    "stats": ["stats"],
    "sql": ["sql", "select 1"],
    "export": ["export"],
    "export -o": ["export", "-o", "out.csv"],
    "browse": ["browse", "--port", "8799"],
    "db current": ["db", "current"],
}


def run(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    from quotedb.cli import cli

    monkeypatch.chdir(folder)
    monkeypatch.delenv("QUOTEDB_URL", raising=False)
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", list(READING.values()), ids=list(READING))
def test_reading_command_on_a_missing_file_fails_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    result = run(tmp_path, monkeypatch, "--db", "typo.db", *command)

    assert result.exit_code == 1
    assert result.stderr == "Error: no database at typo.db (run `quotedb ingest` first)\n"
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_the_default_database_is_named_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(tmp_path, monkeypatch, "stats")

    assert result.exit_code == 1
    assert result.stderr == "Error: no database at quotes.db (run `quotedb ingest` first)\n"
    assert list(tmp_path.iterdir()) == []


def test_ingest_then_query_as_in_the_readme(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ingested = run(tmp_path, monkeypatch, "ingest", str(SEEDS), "--workers", "1")
    assert ingested.exit_code == 0, ingested.output

    listed = run(tmp_path, monkeypatch, "quotes", "--limit", "10")

    assert listed.exit_code == 0, listed.output
    assert len(listed.stdout.splitlines()) > 2


def test_db_upgrade_creates_an_empty_database_that_reads_as_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgraded = run(tmp_path, monkeypatch, "--db", "new.db", "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output

    stats = run(tmp_path, monkeypatch, "--db", "new.db", "stats", "--format", "json")

    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["quotes"] == 0


def test_api_connect_creates_by_default(tmp_path: Path) -> None:
    with api.connect(tmp_path / "new.db") as corpus:
        assert corpus.stats()["quotes"] == 0
    assert (tmp_path / "new.db").is_file()


def test_api_connect_without_create_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NoDatabase, match=r"^no database at .*typo\.db \(run `quotedb ingest`"):
        api.connect(tmp_path / "typo.db", create=False)
    assert list(tmp_path.iterdir()) == []
