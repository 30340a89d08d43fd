"""Parser worker processes never outlive the ingest that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.corpus import write_corpus

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="finds worker processes through /proc (Linux)")


def _stat(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent pid, or None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # the name in parentheses may hold spaces
    return fields[0], int(fields[1])


def _children(parent: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[1] == parent:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")  # a zombie has exited


@pytest.mark.slow
def test_workers_exit_when_the_ingest_is_killed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 3000, seed=5)
    process = subprocess.Popen(
        [sys.executable, "-m", "quotedb", "--db", str(tmp_path / "q.db"), "ingest",
         "--workers", "2", str(corpus)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            workers = _children(process.pid)
        assert len(workers) == 2, "the ingest never started its two workers"
        time.sleep(0.5)  # parsing is under way
        assert process.poll() is None, "the corpus was ingested before the kill"

        os.kill(process.pid, signal.SIGKILL)  # the parent only, as the OOM killer would
        process.wait()
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)

        assert not [pid for pid in workers if _alive(pid)]
    finally:
        if _group_alive(process.pid):  # whatever is left of the run
            os.killpg(process.pid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_without_prctl_an_orphaned_worker_exits_within_seconds(tmp_path: Path) -> None:
    """The portable fallback (a thread watching the parent pid), in real processes."""
    worker = ("import os, threading, time; "
              "from quotedb.ingest.pipeline import _exit_when_orphaned; "
              "threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), "
              "daemon=True).start(); print('ready', flush=True); time.sleep(60)")
    parent = ("import subprocess, sys, time; "
              f"child = subprocess.Popen([sys.executable, '-c', {worker!r}]); "
              "print(child.pid, flush=True); time.sleep(60)")
    process = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        assert process.stdout is not None
        child = int(process.stdout.readline())
        assert process.stdout.readline() == "ready\n"  # its watch has started
        assert _alive(child)

        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 5
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)

        assert not _alive(child)
    finally:
        if _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
