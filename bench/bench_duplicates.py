"""Near-duplicate detection: precision, recall and speed of ``quotedb.duplicates``.

The corpus is made at run time from real articles: the seeds and the
polnear-dev texts in ``../shared/devsets`` (read where they are, never copied
into the project). Every story gets lightly edited copies, the edits
syndicated copies show:

- ``byline``: its byline line replaced, or one added under the headline;
- ``headline``: a different headline;
- ``dateline``: a wire dateline ("WASHINGTON (AP) -- ") before the first paragraph;
- ``drop_last``: the last paragraph dropped (stories of 4 paragraphs or more);
- ``words5``: 5% of the words replaced by other words of the corpus;
- combinations: ``byline+headline``, ``drop_last+words5`` and ``all``.

A copy is found when the index of the originals returns its original. The
negatives, which must not be flagged:

- ``distinct``: every original, looked up in the index of the originals
  added before it (polnear-dev is 84 stories of one US election month, so
  these are distinct stories on the same topics);
- ``shared_quote``: a story with another story's longest quoted passage
  (one or more paragraphs holding a quotation, about 100 words) inserted in
  its middle;
- ``shared_lede``: a story with another story's first paragraph put before
  its own;
- ``short``: the peer-cases snippets (tens of words each), each against the
  index of the others.

For the last three the two stories come from the two halves of the corpus
and only the half the passage comes from is indexed, so the new article
shares that passage with one stored story and nothing else.

Prints precision and recall of the duplicate flag for each threshold (the
estimate alone, and with candidates confirmed by the exact shingle
resemblance), copies found per edit at the module's threshold, the
similarity of the hardest negatives, and the CPU time per article added
(signature + lookup + add) and the index's memory per article. The chosen
threshold is, among those that meet precision >= 0.99 and recall >= 0.95
with the estimate alone, the one nearest halfway between the most similar
negative and the least similar copy: the widest margin both ways.

Usage::

    python bench/bench_duplicates.py [--shared ../shared] [--seed 0] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from quotedb import duplicates  # noqa: E402 - needs the path set above

THRESHOLDS = [round(0.15 + 0.05 * i, 2) for i in range(14)]  # 0.15 .. 0.80
EDITS = ("byline", "headline", "dateline", "drop_last", "words5",
         "byline+headline", "drop_last+words5", "all")
BYLINE = re.compile(r"^\s*(by|from)\s", re.IGNORECASE)
QUOTE_MARK = re.compile(r"[\"\u201c\u201d]|''")
REPORTERS = ("Maria Lopez", "James Okafor", "Anna Petrova", "David Chen", "Sarah Mbeki")
AGENCIES = ("Associated Press", "Reuters", "AFP", "Tribune News Service")
CITIES = ("WASHINGTON", "NEW YORK", "CHICAGO", "LONDON", "DES MOINES, Iowa")


@dataclass(frozen=True)
class Query:
    """One article to look up: what it is and which stored story it copies, if any."""

    kind: str
    text: str
    expected: int | None


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs: its non-blank lines (none of these texts is hard-wrapped)."""
    return [p.strip() for p in text.splitlines() if p.strip()]


def join(parts: list[str]) -> str:
    """Paragraphs back into a text."""
    return "\n\n".join(parts) + "\n"


def has_headline(parts: list[str]) -> bool:
    """Whether the first line is a headline (some texts start with their first paragraph)."""
    return len(parts) > 1 and len(parts[0].split()) < 20


def body_start(parts: list[str]) -> int:
    """Index of the first body paragraph: after the headline and any byline/date lines."""
    start = 1 if has_headline(parts) else 0
    while start < len(parts) - 1 and (BYLINE.match(parts[start])
                                      or len(parts[start].split()) < 8):
        start += 1
    return start


def edit(text: str, kinds: str, rng: random.Random, vocabulary: list[str]) -> str | None:
    """``text`` with the ``+``-separated edits applied, or None if one does not apply."""
    parts = paragraphs(text)
    for kind in kinds.replace("all", "byline+headline+drop_last+words5").split("+"):
        start = body_start(parts)
        if kind == "byline":
            line = f"By {rng.choice(REPORTERS)}, {rng.choice(AGENCIES)}"
            bylines = [i for i in range(start) if BYLINE.match(parts[i])]
            if bylines:
                parts[bylines[0]] = line
            else:
                parts.insert(int(has_headline(parts)), line)
        elif kind == "headline":
            headline = " ".join(rng.choice(vocabulary) for _ in range(8)).capitalize()
            parts[0:has_headline(parts)] = [headline]
        elif kind == "dateline":
            parts[start] = f"{rng.choice(CITIES)} ({rng.choice(AGENCIES)}) -- {parts[start]}"
        elif kind == "drop_last":
            if len(parts) - start < 4:
                return None
            parts.pop()
        elif kind == "words5":
            body = [p.split(" ") for p in parts[start:]]
            slots = [(i, j) for i, p in enumerate(body) for j in range(len(p))]
            for i, j in rng.sample(slots, round(0.05 * len(slots))):
                body[i][j] = rng.choice(vocabulary)
            parts[start:] = [" ".join(p) for p in body]
    return join(parts)


def quoted_passage(text: str, words: int = 100) -> str:
    """The paragraphs holding quotations, longest first, up to about ``words`` words."""
    parts = sorted((p for p in paragraphs(text)[1:] if QUOTE_MARK.search(p)),
                   key=lambda p: -len(p.split()))
    taken: list[str] = []
    while parts and sum(len(p.split()) for p in taken) < words:
        taken.append(parts.pop(0))
    return "\n\n".join(taken)


def mixed(host: str, passage: str, where: str) -> str:
    """``host`` with ``passage`` inserted in its middle or before its first paragraph."""
    parts = paragraphs(host)
    start = body_start(parts)
    at = start if where == "lede" else start + (len(parts) - start) // 2
    return join(parts[:at] + [passage] + parts[at:])


def load_stories(shared: Path) -> tuple[list[str], list[str]]:
    """(stories, short snippets): seeds + polnear-dev, and the peer-cases texts."""
    folders = [REPO / "seeds", shared / "devsets" / "polnear-dev"]
    stories = [p.read_text(encoding="utf-8") for f in folders if f.is_dir()
               for p in sorted(f.glob("*.txt"))]
    snippets = [p.read_text(encoding="utf-8")
                for p in sorted((shared / "devsets" / "peer-cases").glob("*/*.txt"))]
    return stories, snippets


def build_queries(stories: list[str], snippets: list[str],
                  seed: int) -> tuple[list[Query], list[tuple[list[int], list[Query]]]]:
    """Copies of every story (looked up against all stories), and per fold the
    indexed story ids with the hard negatives to look up against them."""
    rng = random.Random(seed)
    vocabulary = sorted({w for s in stories for w in s.split() if w.isalpha()})
    copies = []
    for story_id, text in enumerate(stories):
        for kinds in EDITS:
            copy = edit(text, kinds, rng, vocabulary)
            if copy is not None:
                copies.append(Query(kinds, copy, story_id))
    folds = []
    halves = [list(range(0, len(stories), 2)), list(range(1, len(stories), 2))]
    for indexed, hosts in (halves, halves[::-1]):
        negatives = []
        for host in hosts:
            source = rng.choice(indexed)
            passage = quoted_passage(stories[source])
            if passage:
                negatives.append(Query("shared_quote", mixed(stories[host], passage, "middle"),
                                       None))
            lede = paragraphs(stories[source])[body_start(paragraphs(stories[source]))]
            negatives.append(Query("shared_lede", mixed(stories[host], lede, "lede"), None))
        folds.append((indexed, negatives))
    offset = len(stories)
    for i in range(len(snippets)):
        others = [offset + j for j in range(len(snippets)) if j != i]
        folds.append((others, [Query("short", snippets[i], None)]))
    return copies, folds


@dataclass
class Tally:
    """Counts of one threshold's duplicate flags."""

    true_pos: int = 0
    false_pos: int = 0
    positives: int = 0

    def score(self, expected: int | None, found: int | None) -> None:
        """Count one lookup."""
        self.positives += expected is not None
        if found is not None:
            if found == expected:
                self.true_pos += 1
            else:
                self.false_pos += 1

    @property
    def precision(self) -> float:
        flagged = self.true_pos + self.false_pos
        return self.true_pos / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_pos / self.positives if self.positives else 1.0


def evaluate(threshold: float, stories: int, texts: list[str], sigs: list[bytes],
             copies: list[Query],
             copy_sigs: list[bytes], folds: list[tuple[list[int], list[Query]]],
             exact: bool, per_kind: Counter[str] | None = None) -> Tally:
    """Precision and recall of the flag at ``threshold`` over every lookup."""
    tally = Tally()

    def confirm_for(text: str) -> Callable[[int], float] | None:
        if not exact:
            return None
        return lambda article_id: duplicates.resemblance(text, texts[article_id])

    index = duplicates.DuplicateIndex(threshold)
    for story_id in range(stories):  # distinct stories, added in order
        found = index.find(sigs[story_id], confirm_for(texts[story_id]))
        tally.score(None, found)
        if per_kind is not None and found is not None:
            per_kind["distinct flagged"] += 1
        index.add(story_id, sigs[story_id])
    for query, sig in zip(copies, copy_sigs, strict=True):
        found = index.find(sig, confirm_for(query.text))
        tally.score(query.expected, found)
        if per_kind is not None and found == query.expected:
            per_kind[query.kind] += 1
    for indexed, negatives in folds:
        fold_index = duplicates.DuplicateIndex(threshold, ((i, sigs[i]) for i in indexed))
        for query in negatives:
            found = fold_index.find(duplicates.signature(query.text), confirm_for(query.text))
            tally.score(None, found)
            if per_kind is not None and found is not None:
                per_kind[f"{query.kind} flagged"] += 1
    return tally


def hardest_negatives(texts: list[str], sigs: list[bytes], stories: int,
                      folds: list[tuple[list[int], list[Query]]]) -> dict[str, float]:
    """The highest estimated resemblance of each negative kind to any indexed story."""
    worst: dict[str, float] = {"distinct": 0.0}
    for i in range(stories):
        for j in range(i):
            worst["distinct"] = max(worst["distinct"], duplicates.similarity(sigs[i], sigs[j]))
    for indexed, negatives in folds:
        for query in negatives:
            sig = duplicates.signature(query.text)
            best = max((duplicates.similarity(sig, sigs[i]) for i in indexed), default=0.0)
            worst[query.kind] = max(worst.get(query.kind, 0.0), best)
    return worst


def time_per_article(texts: list[str], repeat: int) -> tuple[float, float]:
    """CPU milliseconds per article for signature + find + add, and for the signature alone
    (the best of ``repeat`` runs over ``texts``: the least disturbed by other load)."""
    totals, signing = [], []
    for _ in range(repeat):
        index = duplicates.DuplicateIndex()
        spent_signing = 0.0
        start = time.process_time()
        for article_id, text in enumerate(texts):
            before = time.process_time()
            sig = duplicates.signature(text)
            spent_signing += time.process_time() - before
            index.find(sig)
            index.add(article_id, sig)
        totals.append((time.process_time() - start) / len(texts) * 1000)
        signing.append(spent_signing / len(texts) * 1000)
    return min(totals), min(signing)


def index_bytes(sigs: list[bytes]) -> float:
    """Memory the index takes per article, its signatures included (tracemalloc)."""
    tracemalloc.start()
    try:
        fresh = [bytes(bytearray(sig)) for sig in sigs if sig]  # copies, counted
        index = duplicates.DuplicateIndex(pairs=enumerate(fresh))
        used = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return used / len(index)


def main(argv: list[str] | None = None) -> None:
    """Build the corpus, sweep the thresholds, time the lookups, print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    stories, snippets = load_stories(args.shared)
    copies, folds = build_queries(stories, snippets, args.seed)
    texts = stories + snippets
    sigs = [duplicates.signature(t) for t in texts]
    copy_sigs = [duplicates.signature(q.text) for q in copies]
    negatives = sum(len(n) for _, n in folds) + len(stories)
    words = statistics.mean(len(s.split()) for s in stories)
    print(f"corpus: {len(stories)} stories (mean {words:.0f} words), {len(copies)} copies, "
          f"{negatives} negatives ({len(stories)} distinct, "
          f"{sum(len(n) for _, n in folds) - len(snippets)} shared passages, "
          f"{len(snippets)} short); shingle {duplicates.SHINGLE} words, "
          f"{duplicates.BINS} bins")
    print(f"{'threshold':>9} {'bands x rows':>12} {'precision':>9} {'recall':>7}"
          f" {'exact: precision':>16} {'recall':>7}")
    passing = []
    for threshold in THRESHOLDS:
        est = evaluate(threshold, len(stories), texts, sigs, copies, copy_sigs, folds, exact=False)
        ex = evaluate(threshold, len(stories), texts, sigs, copies, copy_sigs, folds, exact=True)
        bands, rows = duplicates.lsh_shape(threshold)
        print(f"{threshold:>9.2f} {f'{bands} x {rows}':>12} {est.precision:>9.3f}"
              f" {est.recall:>7.3f} {ex.precision:>16.3f} {ex.recall:>7.3f}")
        if est.precision >= 0.99 and est.recall >= 0.95:
            passing.append(threshold)
    worst = hardest_negatives(texts, sigs, len(stories), folds)
    print("highest estimated resemblance of a negative: " + ", ".join(
        f"{kind} {value:.2f}" for kind, value in worst.items()))
    lowest = min(duplicates.similarity(s, sigs[q.expected])
                 for q, s in zip(copies, copy_sigs, strict=True) if q.expected is not None)
    print(f"lowest estimated resemblance of a copy: {lowest:.2f}")
    if passing:
        middle = (max(worst.values()) + lowest) / 2
        chosen = min(passing, key=lambda t: (abs(t - middle), t))
        print(f"meet precision >= 0.99 and recall >= 0.95: {passing[0]:.2f} to "
              f"{passing[-1]:.2f}; the one nearest halfway between the most similar "
              f"negative and the least similar copy ({middle:.2f}): {chosen:.2f}")
    else:
        print("no threshold meets precision >= 0.99 and recall >= 0.95")
    per_kind: Counter[str] = Counter()
    evaluate(duplicates.THRESHOLD, len(stories), texts, sigs, copies, copy_sigs, folds,
             False, per_kind)
    totals = Counter(q.kind for q in copies)
    print(f"at the module's THRESHOLD {duplicates.THRESHOLD}: copies found per edit: "
          + ", ".join(f"{kind} {per_kind[kind]}/{totals[kind]}" for kind in EDITS))
    flagged = {k: v for k, v in per_kind.items() if k.endswith("flagged")}
    print(f"negatives flagged: {flagged or 'none'}")
    print(f"index memory: {index_bytes(sigs + copy_sigs):,.0f} bytes per article "
          f"(signature included; {duplicates.lsh_shape(duplicates.THRESHOLD)[0]} bands)")
    total_ms, signing_ms = time_per_article(stories + [q.text for q in copies], args.repeat)
    print(f"CPU time per article added: {total_ms:.3f} ms (signature {signing_ms:.3f} ms, "
          f"lookup + add {total_ms - signing_ms:.3f} ms), best of {args.repeat}")


if __name__ == "__main__":
    main()
