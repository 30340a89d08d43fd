"""Parser throughput on one core: MB/s, words/s and quotes/s over the seed articles.

Why the seeds: they are real articles with the quote density, punctuation and
page chrome the parser meets in practice, so the figure says how long a real
corpus takes. They are repeated until the corpus reaches ``--mb`` megabytes
(UTF-8), and every copy is parsed as its own article, as ingest would.

The best of ``--runs`` runs is reported: the slower runs measure the machine's
other work (garbage collection, other processes), not the parser. Process CPU
time is printed too, because on a busy machine wall time includes waiting.

Usage, from the repository root or anywhere::

    python bench/bench_parser.py [--mb 5] [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"

# Run against this checkout even when quotedb is not installed (or another copy is).
sys.path.insert(0, str(REPO))

from quotedb.parser import parse_article  # noqa: E402 - needs the path set above


@dataclass(frozen=True, slots=True)
class Corpus:
    """The articles to parse and their sizes."""

    articles: list[str]
    megabytes: float
    words: int


@dataclass(frozen=True, slots=True)
class Run:
    """One pass over the corpus."""

    seconds: float
    cpu_seconds: float
    quotes: int


def load_corpus(megabytes: float) -> Corpus:
    """The seed articles repeated until their UTF-8 size reaches ``megabytes``."""
    seeds = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    if not seeds:
        raise SystemExit(f"no seed articles in {SEEDS}")
    target = int(megabytes * 1_000_000)
    articles: list[str] = []
    size = words = 0
    while size < target:
        for text in seeds:
            articles.append(text)
            size += len(text.encode("utf-8"))
            words += len(text.split())
    return Corpus(articles, size / 1_000_000, words)


def run_once(corpus: Corpus) -> Run:
    """Parse every article once and time it."""
    quotes = 0
    began, cpu_began = time.perf_counter(), time.process_time()
    for text in corpus.articles:
        quotes += len(parse_article(text).quotes)
    return Run(time.perf_counter() - began, time.process_time() - cpu_began, quotes)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the best run's throughput."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--mb", type=float, default=5.0, help="corpus size in MB (default 5)")
    options.add_argument("--runs", type=int, default=3, help="runs; the best counts (default 3)")
    args = options.parse_args(argv)

    corpus = load_corpus(max(args.mb, 0.001))
    print(
        f"corpus: {len(corpus.articles)} articles, {corpus.megabytes:.2f} MB, "
        f"{corpus.words:,} words"
    )
    runs = []
    for number in range(1, max(args.runs, 1) + 1):
        result = run_once(corpus)
        runs.append(result)
        print(
            f"run {number}: {result.seconds:.2f} s wall, {result.cpu_seconds:.2f} s CPU, "
            f"{result.quotes:,} quotes"
        )
    best = min(runs, key=lambda run: run.seconds)
    print(
        f"best: {corpus.megabytes / best.seconds:.2f} MB/s, "
        f"{corpus.words / best.seconds:,.0f} words/s, "
        f"{best.quotes / best.seconds:,.0f} quotes/s, "
        f"{len(corpus.articles) / best.seconds:,.0f} articles/s"
    )
    # On a shared machine wall time includes waiting for the CPU; CPU time does not.
    cpu = min(run.cpu_seconds for run in runs)
    print(f"best CPU: {corpus.megabytes / cpu:.2f} MB/s, {corpus.words / cpu:,.0f} words/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
