"""A deterministic generator of realistic articles, for benchmarks and tests.

Each article is one of the seed articles with its speakers renamed
consistently (full names and surnames, drawn from lists below) and a few
paragraphs from other seed articles appended, so the parser still finds
quotes and speakers in it but no two articles have the same text. The seed
annotations (``seeds/gold.jsonl``) say which names to swap; nothing here is
used by the parser.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

FIRST_NAMES = (
    "Amina", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hassan", "Ingrid",
    "Jamal", "Keiko", "Lars", "Maria", "Nikolai", "Olga", "Pedro", "Rania", "Samuel",
    "Tariq", "Ursula", "Victor", "Wanjiru", "Yusuf", "Zofia",
)
SURNAMES = (
    "Abbasi", "Bergstrom", "Castillo", "Dlamini", "Eriksen", "Fontaine", "Gallagher",
    "Haddad", "Ivanova", "Jovanovic", "Kowalski", "Lindqvist", "Mbeki", "Nakamura",
    "Okafor", "Petrov", "Quintero", "Rahimi", "Sorensen", "Takahashi", "Underwood",
    "Valdez", "Whitfield", "Yilmaz", "Zamora",
)


def _seed_articles() -> list[tuple[str, list[str]]]:
    """Each seed article's text and the two-word person names to swap in it."""
    names: dict[str, list[str]] = {}
    gold = SEEDS / "gold.jsonl"
    for line in gold.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        speakers = {q["speaker"] for q in record["quotes"] if q.get("speaker")}
        names[record["article"]] = sorted(s for s in speakers if len(s.split()) == 2)
    return [
        (path.read_text(encoding="utf-8"), names.get(path.name, []))
        for path in sorted(SEEDS.glob("*.txt"))
    ]


def _rename(text: str, names: list[str], rng: random.Random) -> str:
    """Swap each full name (and its surname alone) for a new, random one."""
    for name in names:
        first, last = name.split()
        new_first, new_last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        text = text.replace(name, f"{new_first} {new_last}").replace(last, new_last)
    return text


def generate(count: int, seed: int = 0) -> Iterator[tuple[str, str]]:
    """Yield ``count`` (file name, text) pairs; the same arguments give the same corpus."""
    rng = random.Random(seed)
    seeds = _seed_articles()
    quoted_paragraphs = [
        paragraph
        for text, _ in seeds
        for paragraph in text.split("\n")
        if "“" in paragraph or '"' in paragraph
    ]
    for number in range(count):
        text, names = seeds[rng.randrange(len(seeds))]
        body = _rename(text, names, rng).rstrip("\n")
        extra = rng.sample(quoted_paragraphs, k=2)
        article = f"{body}\n\n{extra[0]}\n\n{extra[1]}\n\nReference: {seed}-{number}.\n"
        yield f"article_{number:07d}.txt", article


def write_corpus(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """Write a generated corpus into ``folder`` (created if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate(count, seed):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("-n", "--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_corpus(args.folder, args.count, args.seed)
    print(f"wrote {args.count} articles to {args.folder}")


if __name__ == "__main__":
    main()
