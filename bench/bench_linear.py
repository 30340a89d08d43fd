"""Parse time grows linearly with input size, also on hostile input.

This is where linear time is shown, not in the test suite: timings in unit
tests fail on a busy machine and prove little on a quiet one.

For each input shape, parse it at doubling sizes and print the time and the
time per MB: a parser with a quadratic corner shows the per-MB time doubling
with each row, a linear one keeps it about flat.

Usage::

    python bench/bench_linear.py [--max-mb 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from quotedb.parser import parse_article  # noqa: E402

SEED = (REPO / "seeds" / "000_3d4ebcc807a5e502.txt").read_text(encoding="utf-8")

#: Input shapes, each a function of a target size in characters.
SHAPES: dict[str, Callable[[int], str]] = {
    "seed article repeated": lambda n: (SEED * (n // len(SEED) + 1))[:n],
    "one paragraph, a quote every 15 chars": lambda n: ("word “quoted” " * (n // 14 + 1))[:n],
    "quote marks only": lambda n: ("\"“”‘’«»„'" * (n // 9 + 1))[:n],
    "unbalanced openers with cues": lambda n: ("He said: “x\n" * (n // 12 + 1))[:n],
    "one 'sentence' without punctuation": lambda n: ("and then Smith said " * (n // 20 + 1))[:n],
    "an endless byline": lambda n: ("By Jane Doe and " * (n // 16 + 1))[:n],
    "capitals only (datelines?)": lambda n: ("WASHINGTON " * (n // 11 + 1))[:n],
    "many short lines (headlines?)": lambda n: ("Headline\n" * (n // 9 + 1))[:n],
}


def seconds_to_parse(text: str) -> float:
    began = time.perf_counter()
    parse_article(text)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-mb", type=float, default=2.0)
    args = parser.parse_args()
    sizes = []
    size = 125_000
    while size <= args.max_mb * 1_000_000:
        sizes.append(size)
        size *= 2
    print(f"{'input':<40}{'chars':>10}{'seconds':>10}{'s per MB':>10}")
    for name, make in SHAPES.items():
        for size in sizes:
            seconds = seconds_to_parse(make(size))
            print(f"{name:<40}{size:>10,}{seconds:>10.3f}{seconds / size * 1e6:>10.3f}")


if __name__ == "__main__":
    main()
