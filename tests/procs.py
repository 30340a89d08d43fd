"""Processes as Linux's /proc shows them: for tests that check nothing outlives quotedb."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path


def proc_stat(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent pid, or None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # the name in parentheses may hold spaces
    return fields[0], int(fields[1])


def children(parent: int) -> set[int]:
    """The processes whose parent is ``parent`` now."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if stat is not None and stat[1] == parent:
                found.add(int(entry.name))
    return found


def is_running(pid: int) -> bool:
    """Whether the process exists and has not exited (a zombie has exited)."""
    stat = proc_stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition()`` until it is true or the time is up; return whether it came true."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
