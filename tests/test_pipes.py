"""``quotedb ... | head -1``: a reader that stops early ends quotedb quietly, status 141.

141 is what a shell reports for ``seq 1000000 | head -1``'s ``seq``
(128 + SIGPIPE); ``set -o pipefail`` scripts already expect it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Quotedb


@pytest.fixture
def database(sqlite_url: str, seeds_dir: Path) -> Path:
    result = Quotedb(sqlite_url)("ingest", str(seeds_dir), "--workers", "1")
    assert result.exit_code == 0, result.output
    return Path(sqlite_url.removeprefix("sqlite:///"))


@pytest.mark.parametrize("command", [
    ["quotes"],
    ["quotes", "--format", "csv"],
    ["sql", "select * from quotes"],
    ["export"],
    ["export", "--format", "jsonl"],
    ["speakers"],
], ids=lambda c: "-".join(c[:3:2]) if len(c) > 1 else c[0])
def test_closed_stdout_ends_quietly_with_status_141(database: Path, command: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before quotedb writes a byte
    try:
        result = subprocess.run(
            [sys.executable, "-m", "quotedb", "--db", str(database), *command],
            stdout=write_end, stderr=subprocess.PIPE, timeout=120,
        )
    finally:
        os.close(write_end)
    assert result.stderr == b""
    assert result.returncode == 141


def test_head_of_a_pipeline_gets_the_first_line(database: Path) -> None:
    shell = (f"{sys.executable} -m quotedb --db '{database}' export | head -1; "
             "echo \"status=${PIPESTATUS[0]}\"")
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120)
    first, status = result.stdout.splitlines()
    assert first.startswith("quote_id,article_id,")
    assert status in ("status=0", "status=141")  # 0 when it all fitted in the pipe first
    assert result.stderr == ""
