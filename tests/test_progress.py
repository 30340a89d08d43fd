"""The ingest progress bar's time left (issue 14, item 9): none at first, then a moving average."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quotedb.progress import Eta, eta_seconds

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.mark.parametrize(
    ("checkpoints", "total", "expected"),
    [
        pytest.param([], 100, None, id="nothing-done"),
        pytest.param([(30.0, 10)], 100, None, id="one-batch-holds-the-start-up"),
        pytest.param([(30.0, 10), (31.0, 20)], 100, None, id="two-batches-are-too-few"),
        # The first batch took 30 s (workers starting); the next two 1 s each.
        pytest.param([(30.0, 10), (31.0, 20), (32.0, 30)], 100, 7.0, id="start-up-left-out"),
        # 30 articles in the 12 s since the first batch: 10 left take 4 s.
        pytest.param([(1.0, 10), (2.0, 20), (3.0, 30), (13.0, 40)], 50, 4.0, id="window-average"),
        pytest.param([(1.0, 10), (2.0, 20), (3.0, 30)], 30, 0.0, id="finished"),
        pytest.param([(1.0, 10), (1.0, 20), (1.0, 30)], 100, None, id="no-time-passed"),
        pytest.param([(1.0, 10), (2.0, 20), (3.0, 30)], 0, None, id="unknown-total"),
    ],
)
def test_eta_seconds(checkpoints: list[tuple[float, int]], total: int,
                     expected: float | None) -> None:
    assert eta_seconds(checkpoints, total) == expected


def test_the_average_moves_with_the_last_batches() -> None:
    """Old batches fall out of the window: a corpus that speeds up is followed."""
    slow = [(float(i * 10), i * 10) for i in range(1, 10)]  # 1 article/s
    fast = slow + [(90.0 + i, 90 + i * 10) for i in range(1, 10)]  # then 10 articles/s
    assert eta_seconds(slow, 1000) == pytest.approx(910.0)
    assert eta_seconds(fast, 1000) == pytest.approx(82.0)


def test_eta_takes_a_checkpoint_per_batch() -> None:
    now = [0.0]
    eta = Eta(total=40, batch_size=4, clock=lambda: now[0])
    shown = []
    for _ in range(40):
        now[0] += 0.25  # one article a quarter second
        shown.append(eta.advance())
    assert shown[:11] == [""] * 11  # no estimate before the third batch is done
    assert shown[11] == "eta 00:07"  # 28 articles left at 4 a second
    assert shown[-1] == "eta 00:00"


def test_the_bar_shows_no_eta_before_three_batches(tmp_path: Path) -> None:
    """Run ``quotedb ingest`` on a terminal (a pty), as a user sees it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for number in range(8):
        seed = seeds[number % len(seeds)]
        text = seed.read_text(encoding="utf-8") + f"\n{number}\n"  # eight distinct articles
        (corpus / f"{number:02d}.txt").write_text(text, encoding="utf-8")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "quotedb", "--db", str(tmp_path / "q.db"), "ingest",
         "--workers", "1", "--batch-size", "1", str(corpus)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0
    frames = re.split(r"[\r\n]", b"".join(chunks).decode())
    shown = {int(m[1]): "eta" in frame
             for frame in frames if (m := re.search(r"\b(\d+)/8\b", frame))}
    assert shown[0] is False and shown[1] is False and shown[2] is False
    assert shown[8] is True
