"""supervise.run: a child's exit status comes through; a child is never left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from quotedb.supervise import run

from .browse_server import is_running, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="PR_SET_PDEATHSIG and /proc are Linux's")


def test_the_child_s_exit_status_comes_through() -> None:
    assert run([sys.executable, "-c", "raise SystemExit(3)"]) == 3


def test_a_child_killed_by_a_signal_reads_as_the_shell_has_it() -> None:
    assert run([sys.executable, "-c", "import os; os.kill(os.getpid(), 9)"]) == 128 + 9


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_time(tmp_path: Path) -> None:
    """quotedb (here a small parent script) returns 0 once the stubborn child is gone."""
    ready = tmp_path / "ready"
    stubborn = ("import signal, time, pathlib; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                f"pathlib.Path({str(ready)!r}).write_text('1'); time.sleep(600)")
    parent = subprocess.Popen([
        sys.executable, "-c",
        f"import sys; from quotedb.supervise import run; "
        f"sys.exit(run([sys.executable, '-c', {stubborn!r}], grace=1.0))",
    ])
    try:
        assert wait_until(ready.exists, 30)
        os.kill(parent.pid, signal.SIGTERM)
        assert parent.wait(timeout=30) == 0
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_a_pdeathsig_child_dies_with_its_parent(tmp_path: Path) -> None:
    pid_file = tmp_path / "child"
    sleeper = ("import os, pathlib, time; "
               f"pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid())); time.sleep(600)")
    parent = subprocess.Popen([
        sys.executable, "-c",
        f"from quotedb.supervise import run; run([__import__('sys').executable, '-c', "
        f"{sleeper!r}])",
    ])
    try:
        assert wait_until(pid_file.exists, 30)
        child = int(pid_file.read_text())
        parent.kill()
        parent.wait()
        assert wait_until(lambda: not is_running(child), 30)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
