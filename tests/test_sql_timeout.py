"""A runaway ``quotedb sql`` query on SQLite ends: by its time limit, or by Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from quotedb import api
from quotedb.cli import cli
from quotedb.errors import QueryTimedOut

RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
#: Catastrophic backtracking: one REGEXP call that never returns on its own.
BACKTRACKING = "SELECT (printf('%.60c', 'a') || '!') REGEXP '(a|a)+$' AS hit"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "quotes.db"
    result = CliRunner().invoke(cli, ["--db", str(path), "db", "upgrade"])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("query", [RUNAWAY, BACKTRACKING], ids=["recursive", "regexp"])
def test_timeout_stops_a_runaway_query(db_path: Path, query: str) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["--db", str(db_path), "sql", query, "--timeout", "1"],
                                catch_exceptions=False)
    elapsed = time.monotonic() - started

    assert elapsed < 5
    assert result.exit_code == 1
    assert result.stderr == "Error: query timed out after 1 s\n"


def test_a_quick_query_is_unaffected_by_the_timeout(db_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--db", str(db_path), "sql",
              "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) "
              "SELECT count(*) AS n FROM c", "--timeout", "5", "--format", "json"],
        catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"n": 1000}]


def test_python_api_takes_a_timeout(db_path: Path) -> None:
    with api.connect(db_path) as corpus:
        started = time.monotonic()
        with pytest.raises(QueryTimedOut):
            corpus.sql(RUNAWAY, timeout=0.5)
        assert time.monotonic() - started < 5
        assert corpus.sql("select :x as x", x=1, timeout=0.5) == [{"x": 1}]


def test_ctrl_c_stops_a_running_query(db_path: Path) -> None:
    # Not a backtracking REGEXP: one match is one C call that Ctrl-C cannot
    # enter; --timeout is what ends it (see sandbox._Watch).
    process = subprocess.Popen(
        [sys.executable, "-m", "quotedb", "--db", str(db_path), "sql", RUNAWAY,
         "--timeout", "600"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        time.sleep(2.5)  # start-up, then well into the query
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 130
    assert stdout == ""
    assert stderr == "Error: query interrupted\n"
