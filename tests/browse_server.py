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
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

START_SECONDS = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process from /proc, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    state, ppid = text[text.rindex(")") + 2:].split()[:2]  # the name may hold spaces
    return state, int(ppid)


def is_running(pid: int) -> bool:
    """Whether the process exists and has not ended (a zombie has ended)."""
    stat = proc_stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if stat is not None and stat[1] == pid:
                found.append(int(entry.name))
    return found


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition()`` until it is true or the time is up; return its last value."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


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
        child = kids[0]
        yield Browse(process, url, child, tmp, log)
    finally:
        for pid in (process.pid, child):  # only what this fixture started
            if pid is not None and is_running(pid):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        process.wait()
