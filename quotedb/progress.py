"""The time left in a long ingest, for the progress bar.

Why not the progress bar's own estimate: it divides the time since the start
by the articles done, so the first articles, which also paid for starting
the worker processes and importing the extractors, made a 33-second job say
"01:11:51". Here nothing is estimated until a few batches have been written,
and then the rate is a moving average over the last batches, which leaves
the start-up out and follows a corpus whose articles grow or shrink.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence

#: Batches written before any estimate is shown (the first holds the start-up).
WARMUP_BATCHES = 3
#: Batches the moving average spans.
WINDOW_BATCHES = 8


def eta_seconds(
    checkpoints: Sequence[tuple[float, int]], total: int, *,
    warmup: int = WARMUP_BATCHES, window: int = WINDOW_BATCHES,
) -> float | None:
    """Seconds left, from ``(seconds, articles done)`` taken as each batch was written.

    None until ``warmup`` batches are done; then the rate is that of the last
    ``window`` batches (the time before the first checkpoint, the start-up,
    never counts).

    >>> eta_seconds([(10.0, 64), (11.0, 128)], total=640) is None
    True
    >>> eta_seconds([(10.0, 64), (11.0, 128), (12.0, 192)], total=640)
    7.0
    >>> eta_seconds([(0.0, 10), (1.0, 20), (2.0, 30), (12.0, 40)], total=50, window=1)
    10.0
    """
    if total <= 0 or len(checkpoints) < max(warmup, 2):
        return None
    (began, first), (now, done) = checkpoints[-min(window + 1, len(checkpoints))], checkpoints[-1]
    if now <= began or done <= first:
        return None
    return max(total - done, 0) * (now - began) / (done - first)


def format_eta(seconds: float | None) -> str:
    """The estimate as the bar shows it: nothing, ``eta 00:33`` or ``eta 1:02:03``.

    >>> format_eta(None), format_eta(33.4), format_eta(3723)
    ('', 'eta 00:33', 'eta 1:02:03')
    """
    if seconds is None:
        return ""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"eta {hours}:{minutes:02d}:{secs:02d}" if hours else f"eta {minutes:02d}:{secs:02d}"


class Eta:
    """Counts articles as they are reported and keeps a checkpoint per batch written.

    Outcomes arrive a batch at a time (``batch_size`` articles per
    transaction), so a checkpoint is taken whenever the count passes a
    multiple of ``batch_size``.
    """

    def __init__(self, total: int, batch_size: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.batch_size = max(batch_size, 1)
        self.clock = clock
        self.done = 0
        self.checkpoints: deque[tuple[float, int]] = deque(maxlen=WINDOW_BATCHES + 1)

    def advance(self, articles: int = 1) -> str:
        """Count ``articles`` more done; return the text for the bar (see ``format_eta``)."""
        before = self.done
        self.done += articles
        if self.done // self.batch_size > before // self.batch_size or self.done >= self.total:
            self.checkpoints.append((self.clock(), self.done))
        return format_eta(eta_seconds(self.checkpoints, self.total))


__all__ = ["Eta", "eta_seconds", "format_eta"]
