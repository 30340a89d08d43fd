"""Parser cost in instructions per pass over the seed articles, which a busy machine cannot skew.

Wall and CPU times of the parser swing by a third on a shared machine, so a
before/after comparison of two parsers is made here in instructions:
``valgrind --tool=callgrind`` runs a child Python that parses the seeds
``--passes`` times and once, and the difference divided by the extra passes
is the cost of one warm pass (start-up and imports cancel out). Give
``--against`` another checkout of quotedb (e.g. an old commit made with
``git worktree add ../old COMMIT``) to print both and the ratio.

Usage, from the repository root (needs valgrind)::

    python bench/bench_instructions.py [--passes 5] [--against ../old]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"

#: The child: parse every seed article ``n`` times with the quotedb of ``repo``.
CHILD = """
import sys
repo, n, seeds = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, repo)
from pathlib import Path
from quotedb.parser import parse_article
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(seeds).glob("*.txt"))]
parse_article(texts[0])
for _ in range(n):
    for text in texts:
        parse_article(text)
"""


def instructions(repo: Path, passes: int) -> int:
    """Instructions callgrind counts for a child that parses the seeds ``passes`` times."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
             sys.executable, "-c", CHILD, str(repo), str(passes), str(SEEDS)],
            capture_output=True, text=True, check=True,
        )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if found is None:
        raise SystemExit("valgrind printed no instruction count")
    return int(found[1])


def per_pass(repo: Path, passes: int) -> float:
    """Instructions of one warm pass over the seeds (start-up cancelled out)."""
    return (instructions(repo, passes) - instructions(repo, 1)) / (passes - 1)


def main(argv: list[str] | None = None) -> int:
    """Print instructions per pass for this checkout (and another, with the ratio)."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--passes", type=int, default=5, help="passes to time (default 5)")
    options.add_argument("--against", type=Path, help="another quotedb checkout to compare")
    args = options.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    passes = max(args.passes, 2)
    articles = len(list(SEEDS.glob("*.txt")))
    mine = per_pass(REPO, passes)
    print(f"{REPO}: {mine / 1e6:.1f} M instructions per pass over {articles} seed articles")
    if args.against is not None:
        theirs = per_pass(args.against.resolve(), passes)
        print(f"{args.against}: {theirs / 1e6:.1f} M instructions per pass")
        print(f"this checkout is {theirs / mine:.2f}x the other")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
