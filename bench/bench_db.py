"""Database benchmark: ingest, export, lookup and search, on SQLite and PostgreSQL.

Prints, for each backend:
- ingest articles/s and MB/s with 1 and 2 parser workers (``--sample`` articles);
- CSV export quotes/s over the big database;
- median latency of a speaker lookup and a full-text search on the big
  database (``--big`` articles, about 9 quotes each: 120,000 gives >1M quotes);
- peak RSS of ``quotedb ingest`` (the writer plus its workers) for ``--small``
  vs ``--big`` articles: flat memory means the two are close.

Parser MB/s on one core is ``bench/bench_parser.py``. The corpus comes from
``bench/corpus.py`` (seed articles, speakers renamed). Nothing here is part of
the test suite; it takes a few minutes per backend.

Usage::

    python bench/bench_db.py [--backend sqlite|postgresql|both] [--big 120000]
        [--small 10000] [--sample 3000] [--pg postgresql+psycopg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.corpus import write_corpus  # noqa: E402
from quotedb import db, models, queries  # noqa: E402
from quotedb.export.csv_export import export_csv  # noqa: E402
from quotedb.parser import parse_article  # noqa: E402
from tests.conftest import postgres_database  # noqa: E402


def folder_megabytes(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir()) / 1_000_000


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in kB."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines()
                          if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except (OSError, StopIteration):
            continue
    return total


def run_ingest(url: str, corpus: Path, workers: int) -> tuple[float, int]:
    """Run ``quotedb ingest`` as a subprocess; return (seconds, peak tree RSS kB)."""
    command = [sys.executable, "-m", "quotedb", "--db", url, "--quiet", "ingest",
               "--workers", str(workers), str(corpus)]
    peak = 0
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO)
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(process.pid))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    code = process.wait()
    elapsed = time.perf_counter() - started
    done.set()
    watcher.join()
    if code != 0:
        raise SystemExit(f"ingest failed with status {code}")
    return elapsed, peak


@contextmanager
def fresh_database(backend: str, pg_url: str, workdir: Path) -> Iterator[str]:
    """A new empty database URL on the backend; dropped afterwards (PostgreSQL)."""
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        yield str(path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with postgres_database(pg_url) as url:
        yield url


def python_speed() -> float:
    """Seconds this machine takes for a fixed pure-Python loop (10M additions).

    Printed with the figures so runs on different machines can be compared:
    parsing and CSV writing scale with it.
    """
    began = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.perf_counter() - began


def parse_ms_per_article(folder: Path, limit: int = 1000) -> float:
    """CPU milliseconds to parse one article of ``folder`` on one core (reading not counted).

    Ingest cannot beat ``cores * 1000 / this`` articles/s, whatever the
    database does: the parsing has to happen somewhere.
    """
    paths = sorted(folder.iterdir())[:limit]
    texts = [path.read_text(encoding="utf-8") for path in paths]
    began = time.process_time()
    for text in texts:
        parse_article(text)
    return (time.process_time() - began) * 1000 / len(texts)


def median_ms(action: object, repeat: int = 21) -> float:
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def query_figures(url: str) -> dict[str, float]:
    """Export rate and lookup/search latency on a filled database."""
    engine = db.make_engine(db.resolve_url(url))
    figures: dict[str, float] = {}
    try:
        # Planner statistics, as autovacuum (PostgreSQL) or PRAGMA optimize
        # (SQLite) would have them on a database in use.
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        # What `quotedb export --format csv -o FILE` runs (--jobs: the cores).
        began = time.perf_counter()
        with open(os.devnull, "w", encoding="utf-8") as sink:
            # Every copy: the corpus is the seeds with speakers renamed, so
            # nearly every article is a syndicated copy of one of five stories,
            # and the default (each story once) would export 5 articles' quotes.
            everything = queries.QuoteFilter(all_copies=True)
            exported = export_csv(engine, everything, sink, jobs=os.cpu_count() or 1)
        figures["export_quotes_per_s"] = exported / (time.perf_counter() - began)
        with Session(engine) as session:
            figures["quotes"] = session.scalar(select(func.count()).select_from(models.Quote)) or 0
            speaker = session.execute(
                select(models.Speaker.name).join(models.Quote).group_by(models.Speaker.id,
                                                                        models.Speaker.name)
                .order_by(func.count().desc()).limit(1)
            ).scalar_one()

            def lookup() -> None:
                stmt = queries.select_quotes(
                    session, queries.QuoteFilter(speaker=speaker, limit=100))
                session.execute(stmt).all()

            def search() -> None:
                stmt = queries.select_quotes(
                    session, queries.QuoteFilter(search='"safe passage"', limit=100))
                session.execute(stmt).all()

            figures["speaker_lookup_ms"] = median_ms(lookup)
            figures["search_ms"] = median_ms(search)
    finally:
        engine.dispose()
    return figures


def bench_backend(backend: str, args: argparse.Namespace, corpora: dict[str, Path],
                  workdir: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    sample_mb = folder_megabytes(corpora["sample"])
    for workers in (1, 2):
        seconds = float("inf")
        for _ in range(args.repeat):  # the best run: slower ones measure the machine's other work
            with fresh_database(backend, args.pg, workdir) as url:
                seconds = min(seconds, run_ingest(url, corpora["sample"], workers)[0])
        rows.append((f"ingest, {workers} worker{'s' if workers > 1 else ''}",
                     f"{args.sample / seconds:,.0f} articles/s, {sample_mb / seconds:.2f} MB/s"))
    with fresh_database(backend, args.pg, workdir) as url:
        _, small_rss = run_ingest(url, corpora["small"], 2)
    with fresh_database(backend, args.pg, workdir) as url:
        seconds, big_rss = run_ingest(url, corpora["big"], 2)
        rows.append((f"ingest {args.big:,} articles, 2 workers",
                     f"{seconds:,.0f} s ({args.big / seconds:,.0f} articles/s)"))
        figures = query_figures(url)
    rows.append((f"peak RSS, ingest {args.small:,} / {args.big:,} articles",
                 f"{small_rss / 1024:,.0f} MB / {big_rss / 1024:,.0f} MB "
                 f"({(big_rss - small_rss) / small_rss:+.1%})"))
    rows.append(("quotes in the big database", f"{figures['quotes']:,.0f}"))
    rows.append(("export to CSV", f"{figures['export_quotes_per_s']:,.0f} quotes/s"))
    rows.append(("speaker lookup (100 rows)", f"{figures['speaker_lookup_ms']:.1f} ms"))
    rows.append(("full-text search (100 rows)", f"{figures['search_ms']:.1f} ms"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--big", type=int, default=120_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=2,
                        help="runs of each sample ingest; the best is printed")
    parser.add_argument("--pg", default=os.environ.get(
        "QUOTEDB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where corpora and SQLite files go (default: a temp folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        workdir = Path(tmp)
        print(f"generating corpora in {workdir} ...", file=sys.stderr)
        corpora = {}
        for name, count, seed in (("sample", args.sample, 1), ("small", args.small, 2),
                                  ("big", args.big, 3)):
            corpora[name] = workdir / name
            write_corpus(corpora[name], count, seed=seed)
        backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
        print(f"machine: {os.cpu_count()} cores; seed-sized articles "
              f"({folder_megabytes(corpora['sample']) / args.sample * 1000:.1f} kB each); "
              f"10M Python additions take {python_speed():.2f} s")
        parse_ms = parse_ms_per_article(corpora["sample"])
        print(f"parsing: {parse_ms:.2f} ms of CPU per article on one core, so ingest with "
              f"{os.cpu_count()} cores cannot pass {(os.cpu_count() or 1) * 1000 / parse_ms:,.0f} "
              "articles/s")
        for backend in backends:
            print(f"\n{backend}")
            for label, value in bench_backend(backend, args, corpora, workdir):
                print(f"  {label:<42} {value}")
                sys.stdout.flush()
            print(f"  (10M Python additions now take {python_speed():.2f} s)")


if __name__ == "__main__":
    main()
