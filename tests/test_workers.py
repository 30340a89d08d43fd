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

from .procs import children, is_running

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="finds worker processes through /proc (Linux)")


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
            workers = children(process.pid)
        assert len(workers) == 2, "the ingest never started its two workers"
        time.sleep(0.5)  # parsing is under way
        assert process.poll() is None, "the corpus was ingested before the kill"

        os.kill(process.pid, signal.SIGKILL)  # the parent only, as the OOM killer would
        process.wait()
        deadline = time.monotonic() + 5
        while any(is_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)

        assert not [pid for pid in workers if is_running(pid)]
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
        assert is_running(child)

        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 5
        while is_running(child) and time.monotonic() < deadline:
            time.sleep(0.1)

        assert not is_running(child)
    finally:
        if _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
