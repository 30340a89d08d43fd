"""Dask benchmark: the cost of parsing on a Dask cluster against a local process pool.

Ingests the same generated articles (``bench/corpus.py``) four ways in one
run, each into a fresh database: locally with ``--workers 1`` and ``2``,
and through a ``LocalCluster`` of 1 and 2 worker processes (one thread
each) on the same machine, so the difference is Dask's overhead: the
scheduler round trips and, on SQLite, shipping parsed articles back to the
writer. Cluster start-up is timed apart, not in the ingest. Prints a table.

Usage::

    python bench/bench_dask.py [--articles 3000] [--backend sqlite|postgresql]
        [--pg postgresql+psycopg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from distributed import Client, LocalCluster  # noqa: E402

from bench.corpus import write_corpus  # noqa: E402
from quotedb import connect  # noqa: E402
from tests.conftest import postgres_database  # noqa: E402


@contextmanager
def fresh_database(backend: str, pg: str, folder: Path, name: str) -> Iterator[str]:
    """A new, empty database on ``backend``, dropped (PostgreSQL) afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / (name + '.db')}"
        return
    with postgres_database(pg) as url:
        yield url


def timed_ingest(url: str, corpus: Path, **options: object) -> tuple[float, int]:
    """Seconds to ingest ``corpus`` into ``url``, and the articles stored."""
    with connect(url) as database:
        started = time.perf_counter()
        summary = database.ingest(corpus, **options)  # type: ignore[arg-type]
        return time.perf_counter() - started, summary.new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1/test")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus = folder / "corpus"
        write_corpus(corpus, args.articles, seed=3)
        rows: list[tuple[str, int, float, float]] = []
        for workers in (1, 2):
            with fresh_database(args.backend, args.pg, folder, f"local{workers}") as url:
                seconds, stored = timed_ingest(url, corpus, workers=workers)
            rows.append(("local --workers", workers, seconds, 0.0))
            started = time.perf_counter()
            with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1,
                              dashboard_address=None) as cluster, \
                    Client(cluster, set_as_default=False) as client:
                startup = time.perf_counter() - started
                with fresh_database(args.backend, args.pg, folder, f"dask{workers}") as url:
                    seconds, stored = timed_ingest(url, corpus, client=client)
            rows.append(("Dask LocalCluster", workers, seconds, startup))
            assert stored == args.articles, (stored, args.articles)

    local = {workers: seconds for mode, workers, seconds, _ in rows if mode.startswith("local")}
    print(f"{args.articles} generated articles, {args.backend}, same run")
    print(f"{'mode':<18}  {'workers':>7}  {'seconds':>7}  {'articles/s':>10}  "
          f"{'vs local':>8}  {'cluster start s':>15}")
    for mode, workers, seconds, startup in rows:
        ratio = seconds / local[workers]
        start = f"{startup:.1f}" if startup else "-"
        print(f"{mode:<18}  {workers:>7}  {seconds:>7.2f}  {args.articles / seconds:>10.0f}  "
              f"{ratio:>7.2f}x  {start:>15}")


if __name__ == "__main__":
    main()
