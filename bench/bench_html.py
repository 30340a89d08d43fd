"""Time and peak memory of HTML extraction on the page shapes that cost most.

trafilatura's cost is not linear in the page: an 8 MB page made of tables
took 76 s and 1.5 GB in one worker. This script builds the worst shapes
found (table-heavy pages, deeply nested blocks) and a plain article page at
doubling sizes and extracts each in a fresh process, printing wall time and
that process's peak RSS; it is how ``quotedb.formats.MAX_HTML_BYTES`` and
``HTML_TIME_LIMIT`` were chosen. Each extraction runs without quotedb's size
cap (that is what is measured) but with its time limit unless ``--no-limit``.

Usage::

    python bench/bench_html.py [--max-mb 2] [--no-limit]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PARAGRAPH = ("<p>“We will open the bridge in May,” said Ann Lee, the mayor, adding that "
             "the council had voted for it on Monday after a long debate.</p>\n")
ROW = "<tr>" + "".join(f"<td>cell {i} with a few words</td>" for i in range(8)) + "</tr>\n"


def _page(body: str) -> str:
    return ("<html><head><title>Bridge to open in May</title></head><body><article>"
            f"<h1>Bridge to open in May</h1>{PARAGRAPH * 5}{body}</article></body></html>")


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def _nested(open_tags: str, close_tags: str, depth: int) -> Callable[[int], str]:
    unit = open_tags * depth + PARAGRAPH + close_tags * depth
    return lambda size: _page(_repeat(unit, size))


#: Page shapes, each a function of a target size in bytes. Nested lists and
#: long runs of inline elements cost most per byte (trafilatura's time grows
#: faster than the page for them); plain nested divs are cheap.
SHAPES: dict[str, Callable[[int], str]] = {
    "article paragraphs": lambda n: _page(_repeat(PARAGRAPH, n)),
    "one big table": lambda n: _page(f"<table>{_repeat(ROW, n)}</table>"),
    "many small tables": lambda n: _page(_repeat(f"<table>{ROW * 3}</table>\n", n)),
    "nested divs": _nested("<div>", "</div>", 200),
    "nested tables": _nested("<table><tr><td>", "</td></tr></table>", 50),
    "nested lists": _nested("<ul><li>", "</li></ul>", 100),
    "inline spans": lambda n: _page(_repeat("<p>" + "<span>word</span> " * 200 + "</p>\n", n)),
    "inline script state": lambda n: _page(
        "<script>var state = {" + _repeat('"k": [1, 2, 3], ', n) + "};</script>"),
}


def measure(shape: str, size: int, time_limit: bool) -> dict[str, object]:
    """Extract one page in this process; what it cost."""
    from quotedb import formats

    data = SHAPES[shape](size).encode("utf-8")
    began = time.perf_counter()
    result = formats.extract_html("bench.html", data,
                                  time_limit=formats.HTML_TIME_LIMIT if time_limit else None)
    seconds = time.perf_counter() - began
    peak_kb = max(resource.getrusage(who).ru_maxrss
                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    outcome = "ok" if isinstance(result, formats.ArticleRecord) else result.message
    return {"bytes": len(data), "seconds": seconds, "peak_mb": peak_kb / 1024,
            "outcome": outcome}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-mb", type=float, default=2.0)
    parser.add_argument("--no-limit", action="store_true",
                        help="Extract without quotedb's per-page time limit.")
    parser.add_argument("--ingest", action="store_true",
                        help="Measure a 2-worker ingest of pages just under the cap.")
    parser.add_argument("--one", nargs=2, metavar=("SHAPE", "BYTES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # the child: one measurement, as JSON
        print(json.dumps(measure(args.one[0], int(args.one[1]), not args.no_limit)))
        return
    if args.ingest:
        ingest_at_the_cap()
        return
    print(f"{'shape':<20}{'MB':>7}{'seconds':>10}{'peak RSS MB':>13}  outcome")
    for shape in SHAPES:
        size = 256 * 1024
        while size <= args.max_mb * 1024 * 1024:
            command = [sys.executable, __file__, "--one", shape, str(size)]
            if args.no_limit:
                command.append("--no-limit")
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            row = json.loads(done.stdout)
            print(f"{shape:<20}{row['bytes'] / 2**20:>7.2f}{row['seconds']:>10.2f}"
                  f"{row['peak_mb']:>13.0f}  {str(row['outcome'])[:60]}", flush=True)
            size *= 2


def ingest_at_the_cap() -> None:
    """Peak RSS and time of ``quotedb ingest --workers 2`` on the costliest pages allowed."""
    from bench.bench_db import tree_rss_kb
    from quotedb.formats import MAX_HTML_BYTES, html_markup_bytes

    with tempfile.TemporaryDirectory() as folder:
        pages = Path(folder) / "pages"
        pages.mkdir()
        for number, build in enumerate(SHAPES.values()):
            size = MAX_HTML_BYTES - 4096
            while html_markup_bytes(page := build(size).encode("utf-8")) > MAX_HTML_BYTES:
                size -= 16384
            for copy in range(2):
                (pages / f"{number}-{copy}.html").write_bytes(page)
        command = [sys.executable, "-m", "quotedb", "--db", str(Path(folder) / "q.db"),
                   "--quiet", "ingest", "--workers", "2", "--glob", "*.html", str(pages)]
        began = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
        peak = peak_pss = 0
        done = threading.Event()

        def watch() -> None:
            nonlocal peak, peak_pss
            while not done.is_set():
                peak = max(peak, tree_rss_kb(process.pid))
                peak_pss = max(peak_pss, tree_pss_kb(process.pid))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, errors = process.communicate()
        done.set()
        watcher.join()
    given_up = sum("gave up" in line for line in errors.splitlines())
    print(f"ingest of {2 * len(SHAPES)} pages of {MAX_HTML_BYTES / 2**20:g} MB of markup, "
          f"2 workers: {time.perf_counter() - began:.1f} s; peak memory of the whole ingest: "
          f"PSS {peak_pss / 1024:.0f} MB, summed RSS {peak / 1024:.0f} MB; "
          f"{given_up} pages given up at the time limit")


def tree_pss_kb(pid: int) -> int:
    """Proportional memory of a process and its descendants, in kB.

    A worker's extracting child shares most of its memory with the worker
    (it is a fork); summed RSS counts that twice, PSS splits it between them.
    """
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += next(int(line.split()[1]) for line in rollup.splitlines()
                          if line.startswith("Pss:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, StopIteration):
            continue
    return total


if __name__ == "__main__":
    main()
