"""supervise.run: a child's exit status comes through; a child is never left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from quotedb.supervise import run

from .procs import is_running, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="PR_SET_PDEATHSIG and /proc are Linux's")


def test_the_child_s_exit_status_comes_through() -> None:
    assert run([sys.executable, "-c", "raise SystemExit(3)"]) == 3


def test_a_child_killed_by_a_signal_reads_as_the_shell_has_it() -> None:
    assert run([sys.executable, "-c", "import os; os.kill(os.getpid(), 9)"]) == 128 + 9


#: A quotedb stand-in: runs the Python code it is given under supervise.run.
PARENT = ("import sys; from quotedb.supervise import run; "
          "sys.exit(run([sys.executable, '-c', sys.argv[1]], grace=float(sys.argv[2])))")


@contextmanager
def supervising(child_code: str, grace: float) -> Iterator[subprocess.Popen[bytes]]:
    """A parent process supervising a Python child; killed afterwards if still there."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT, child_code, str(grace)])
    try:
        yield parent
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_time(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    stubborn = ("import signal, time, pathlib; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                f"pathlib.Path({str(ready)!r}).write_text('1'); time.sleep(600)")
    with supervising(stubborn, grace=1.0) as parent:
        assert wait_until(ready.exists, 30)
        os.kill(parent.pid, signal.SIGTERM)
        assert parent.wait(timeout=30) == 0


def test_a_pdeathsig_child_dies_with_its_parent(tmp_path: Path) -> None:
    pid_file = tmp_path / "child"
    sleeper = ("import os, pathlib, time; "
               f"pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid())); time.sleep(600)")
    with supervising(sleeper, grace=5.0) as parent:
        assert wait_until(pid_file.exists, 30)
        child = int(pid_file.read_text())
        parent.kill()
        parent.wait()
        assert wait_until(lambda: not is_running(child), 30)
