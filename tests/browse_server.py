"""A real ``quotedb browse`` process for the tests, and how to find its Datasette child.

The Datasette child is found the documented way, as the process whose
parent is quotedb (``/proc/PID/stat``); quotedb's temporary folders are made
in ``$TMPDIR`` (``quotedb-browse-*``), so each test gives quotedb a
``TMPDIR`` of its own and can tell whether any is left.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from .procs import children, is_running, wait_until

START_SECONDS = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Browse:
    process: subprocess.Popen[bytes]
    url: str
    child: int
    tmp: Path
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def folders(self) -> list[Path]:
        """quotedb's temporary folders still in its TMPDIR."""
        return sorted(self.tmp.glob("quotedb-browse-*"))


def _serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/-/versions.json", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def running_browse(corpus: Path, work: Path) -> Iterator[Browse]:
    """``quotedb --db CORPUS browse`` on a free port, once it serves; killed after, if left."""
    tmp = work / "tmp"
    tmp.mkdir()
    log = work / "browse.log"
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "quotedb", "--db", str(corpus), "browse", "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    url = f"http://127.0.0.1:{port}"
    child = None
    try:
        started = wait_until(lambda: process.poll() is not None or _serving(url), START_SECONDS)
        assert started and process.poll() is None, log.read_text(errors="replace")
        kids = children(process.pid)
        assert len(kids) == 1, kids
        child = kids.pop()
        yield Browse(process, url, child, tmp, log)
    finally:
        for pid in (process.pid, child):  # only what this fixture started
            if pid is not None and is_running(pid):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        process.wait()
