"""Running a server as a child that lives and dies with quotedb.

``quotedb browse`` runs Datasette as a child process. Left to
``subprocess.call``, a ``kill -TERM`` (or HUP) of quotedb ended quotedb
alone: the server was re-parented to init and kept serving, and the
temporary folder it read was never removed. Here every stop signal quotedb
can catch (TERM, INT, HUP) asks the child to stop with SIGTERM, gives it a
few seconds, then kills it, and only then returns, so the caller's
``finally`` (removing the folder) runs after the child is gone.

SIGKILL cannot be caught, so the child is told by the kernel instead: on
Linux it is started with ``PR_SET_PDEATHSIG`` = SIGTERM (``prctl``, through
ctypes), which the kernel delivers when quotedb dies however it dies. A
process group would not do: after a SIGKILL nobody is left to signal the
group, and a child that polls ``getppid()`` needs code inside the server and
a polling loop. Elsewhere (macOS has no PDEATHSIG) the child can outlive a
SIGKILL of quotedb.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from types import FrameType

#: The signals that stop the child; SIGKILL is handled by PDEATHSIG instead.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
#: Seconds a stopped child has to shut down before it is killed.
GRACE_SECONDS = 5.0
#: ``<linux/prctl.h>``.
PR_SET_PDEATHSIG = 1


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel SIGTERM the child when quotedb dies.

    Returns None where ``prctl`` does not exist (not Linux). libc is loaded
    here, before the fork; the child only calls into it. If quotedb died
    between the fork and the ``prctl`` call, the child is already orphaned
    and no signal would ever come, so it exits at once.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


class _Stopper:
    """The signal handler: remembers the stop and ends the child (once started)."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.signum: int | None = None
        self.child: subprocess.Popen[bytes] | None = None
        self.timer: threading.Timer | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        first = self.signum is None
        self.signum = signum
        if self.child is None:
            return  # run() ends the child as soon as it has one
        if first:
            self.end_child()
        else:
            self.child.kill()  # a second signal: no more waiting

    def end_child(self) -> None:
        """SIGTERM the child now, SIGKILL it if it is still there after the grace time."""
        assert self.child is not None
        self.child.terminate()
        self.timer = threading.Timer(self.grace, self.child.kill)
        self.timer.daemon = True
        self.timer.start()


def run(command: list[str], grace: float = GRACE_SECONDS) -> int:
    """Run ``command`` until it exits or quotedb is told to stop; return an exit status.

    Returns:
        0 when a stop signal ended it (a requested stop is no failure);
        otherwise the child's status, 128 + N when signal N killed it.
    """
    stopper = _Stopper(grace)
    previous = {signum: signal.signal(signum, stopper.handle) for signum in STOP_SIGNALS}
    child: subprocess.Popen[bytes] | None = None
    try:
        child = subprocess.Popen(command, preexec_fn=die_with_parent())
        stopper.child = child
        if stopper.signum is not None:  # a signal came while the child was starting
            stopper.end_child()
        status = child.wait()
    finally:
        if child is not None and child.poll() is None:  # an error of our own: no orphan
            child.kill()
            child.wait()
        if stopper.timer is not None:
            stopper.timer.cancel()
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
    if stopper.signum is not None:
        return 0
    return status if status >= 0 else 128 - status
