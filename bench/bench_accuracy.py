"""Parser accuracy on every gold set at hand: the seeds and ../shared/devsets.

Why every set at once: the seeds are the text the rules were written from, the
devsets are news annotated by other people. A parser change is judged by
both, side by side, so that a gain on one that costs the other shows. Sets
that are absent (a clone without ../shared) are skipped, not failed.

Prints a row per set (quote precision, recall and F1, speaker accuracy,
end-to-end F1, with the counts) and the total, whose figures come from the
summed counts. ``--json`` prints what ``quotedb eval --format json`` would;
``--errors SET`` lists that set's errors grouped by kind, each with the parser
rule that attributed the prediction when the parser records one.

The devset texts are read where they are; they are never copied into the
project (see ../shared/devsets/README.md for their licences).

Usage, from the repository root or anywhere::

    python bench/bench_accuracy.py [--json] [--errors SET] [--root REPO]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Score this checkout's parser even when quotedb is not installed (or another copy is).
sys.path.insert(0, str(REPO))

from quotedb.evaluate import (  # noqa: E402 - needs the path set above
    ERROR_KINDS,
    EvalReport,
    GoldSet,
    NoGoldFile,
    eval_payload,
    evaluate_sets,
    format_error,
    format_table,
    gold_sets,
)


def find_sets(root: Path) -> list[GoldSet]:
    """The seeds under ``root`` and every set under ``root/../shared/devsets`` that exist."""
    sets: list[GoldSet] = []
    for folder in (root / "seeds", root.parent / "shared" / "devsets"):
        if not folder.is_dir():
            continue
        try:
            sets += gold_sets([folder])
        except NoGoldFile:
            continue
    return sets


def format_errors(gold_set: GoldSet, report: EvalReport) -> str:
    """One set's errors, grouped by kind, each group headed by its count and its rules."""
    lines: list[str] = []
    for kind in ERROR_KINDS:
        errors = [error for error in report.errors if error.kind == kind]
        rules = Counter(str(error.rule) for error in errors)
        lines.append(f"{kind}: {len(errors)}"
                     + "".join(f", rule {rule} {n}" for rule, n in rules.most_common()))
        lines += (f"  {format_error(gold_set.name, error)}" for error in errors)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO,
                        help="repository whose seeds/ and ../shared/devsets are scored "
                             "(default: this checkout)")
    parser.add_argument("--json", action="store_true", help="print JSON, as quotedb eval does")
    parser.add_argument("--errors", metavar="SET",
                        help="list the errors of one set (a name from the table)")
    args = parser.parse_args(argv)
    sets = find_sets(args.root)
    if not sets:
        parser.error(f"no gold sets in {args.root / 'seeds'} or "
                     f"{args.root.parent / 'shared' / 'devsets'}")
    if args.errors is not None:
        chosen = [gold_set for gold_set in sets if gold_set.name == args.errors]
        if not chosen:
            parser.error(f"no set {args.errors!r}; the sets are: "
                         + ", ".join(gold_set.name for gold_set in sets))
        [(gold_set, report)] = evaluate_sets(chosen)
        print(format_errors(gold_set, report), end="")
        return 0
    results = evaluate_sets(sets)
    if args.json:
        print(json.dumps(eval_payload(results), indent=2, ensure_ascii=False))
    else:
        print(format_table(results), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
