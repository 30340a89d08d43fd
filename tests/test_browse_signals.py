"""``quotedb browse`` ends its Datasette child and removes its folder, however it is stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from quotedb import db
from quotedb.ingest import ingest_paths
from quotedb.sources import find_sources

from .browse_server import running_browse
from .conftest import SEEDS
from .procs import is_running, wait_until

pytest.importorskip("datasette", reason="quotedb browse needs the 'browse' extra (datasette)")
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="finds the Datasette child through Linux's /proc")

#: Datasette's graceful shutdown takes well under a second; this is headroom for a
#: loaded machine, not an expected wait.
STOP_SECONDS = 20.0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("signals") / "quotes.db"
    with db.open_database(str(path)) as engine:
        assert ingest_paths(engine, find_sources([str(SEEDS)])).new == 5
    return path


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
                         ids=["TERM", "INT", "HUP"])
def test_a_stop_signal_ends_datasette_and_removes_the_folder(
    corpus: Path, tmp_path: Path, signum: int
) -> None:
    with running_browse(corpus, tmp_path) as browse:
        os.kill(browse.process.pid, signum)
        assert browse.process.wait(timeout=STOP_SECONDS) == 0, browse.log_text()
        assert wait_until(lambda: not is_running(browse.child), STOP_SECONDS)
        assert browse.folders() == []


def test_sigkill_of_quotedb_ends_datasette_too(corpus: Path, tmp_path: Path) -> None:
    with running_browse(corpus, tmp_path) as browse:
        os.kill(browse.process.pid, signal.SIGKILL)
        browse.process.wait(timeout=STOP_SECONDS)
        # PR_SET_PDEATHSIG: the kernel sends Datasette SIGTERM.
        assert wait_until(lambda: not is_running(browse.child), STOP_SECONDS)
        assert browse.folders() == []  # Datasette removed it once it had started


def test_a_busy_port_is_one_line_and_leaves_nothing(corpus: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (tmp_path / "tmp").mkdir()
        result = subprocess.run(
            [sys.executable, "-m", "quotedb", "--db", str(corpus), "browse", "--port", str(port)],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "TMPDIR": str(tmp_path / "tmp")},
        )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Error: port {port} on 127.0.0.1 is in use (Address already in use); choose another "
        "with --port"]
    assert list((tmp_path / "tmp").iterdir()) == []
