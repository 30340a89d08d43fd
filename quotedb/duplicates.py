"""Near-duplicate article bodies: MinHash signatures and an LSH index over them.

A wire story reaches the database once per outlet that ran it, each copy with
its own byline line, headline, trimmed last paragraph or a few edited words,
so the byte-identical check (``articles.content_hash``) misses them. Here a
body becomes a set of word shingles (runs of ``SHINGLE`` words after
normalisation, see ``words``), the set a fixed-size MinHash ``signature``
(bytes, stored per article so a new process rebuilds its index from the
database), and ``DuplicateIndex`` finds, among the articles added before, the
first one whose resemblance (Jaccard similarity of the shingle sets) is at
least ``THRESHOLD``.

Why not datasketch: it requires numpy and scipy (a 35 MB wheel), too much
for a core dependency that every ingest needs, and an optional extra would
leave ingest with two behaviours. The signature here is one-permutation
MinHash (Li, Owen & Zhang 2012) with rotation densification (Shrivastava &
Li 2014): every shingle is hashed once with CRC-32 (C speed, stable across
processes and platforms, unlike ``hash()``) and falls into one of ``BINS``
bins by its top bits, each bin keeping its smallest value; an empty bin
borrows the next non-empty bin's value and records how far it looked. Two
signatures agree in a bin with probability equal to the sets' Jaccard
similarity, like classic MinHash with ``BINS`` hash functions, at the cost
of one hash per shingle instead of ``BINS``, which is what keeps a body
under a millisecond in pure Python.

Figures (``python bench/bench_duplicates.py --repeat 5``): 89 real stories
(the seeds and polnear-dev, mean 801 words), 709 lightly edited copies
(new byline, headline or dateline, last paragraph dropped, 5% of words
replaced, and combinations) and 355 negatives (the 89 stories against each
other, 175 stories sharing another's lede or a 100-word quoted passage, 91
short snippets). At ``THRESHOLD`` 0.4: precision 1.000, recall 1.000 (every
copy found, no negative flagged); thresholds 0.20 to 0.65 all meet
precision >= 0.99 and recall >= 0.95. The most similar negative is at 0.33
(a shared quoted passage), distinct stories at most 0.08, the least similar
copy at 0.48. CPU time per article added 0.71 ms (signature 0.60, lookup
and add 0.10; best of 5 on a 2-core machine at load 9); the index holds
about 2.3 KB per article, its signature included. Shingles of 2, 4 and 5
words also pass; 3 keeps distinct stories' background similarity low
(0.08, against 0.12 for 2) while copies stay clear of the threshold
(0.39 at the lowest for 4).

Shingle size, bins, hashing and the header rule are part of a signature's
meaning: changing any of them means re-signing every stored article, so
bump ``_VERSION`` with them (old signatures are then refused, not
misread). The threshold is not: the index is banded for it when built.
"""

from __future__ import annotations

import math
import re
import struct
import zlib
from bisect import bisect_left
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import repeat
from operator import and_, mul

from quotedb.errors import QuotedbError

#: Words per shingle. Longer shingles tell topic-sharing stories apart better
#: but make each edited word break more of them (an edit breaks SHINGLE).
SHINGLE = 3
#: Signature values (MinHash bins): the estimate's standard error is
#: sqrt(J(1-J)/BINS), 0.044 at J = 0.5.
BINS = 128
#: Resemblance (estimated Jaccard similarity) from which a body is a copy:
#: halfway between the most similar distinct story (0.33) and the least
#: similar copy (0.48) in ``bench/bench_duplicates.py``.
THRESHOLD = 0.4
#: Bodies with fewer shingles than this are never called copies: two short
#: notices ("No comment.", "Photo: Reuters") share words by chance, and a
#: body too short to hold a quote has nothing to count twice.
MIN_SHINGLES = 20
#: Leading lines shorter than this many words are the header block
#: (headline, byline, dateline, "Published on ..."), which is what copies of
#: one story change first, so they are not shingled. Blank lines count
#: among the lines, as the empty lines of a header do.
HEADER_WORDS = 12
#: At most this many leading lines are taken for the header block.
HEADER_LINES = 8

_VERSION = 1
_BIN_BITS = 7  # log2(BINS)
_VALUE_BITS = 32 - _BIN_BITS
_VALUE_MASK = (1 << _VALUE_BITS) - 1
_LAYOUT = struct.Struct(f"<B{BINS}I")

_APOSTROPHES = re.compile(r"['\u2019\u2018`\u02bc]")  # Clinton's, Clinton’s: one word
_WORD = re.compile(r"\w+")

# Knuth's multiplicative hashing constant (2**32 / golden ratio, odd).
_SPREAD = 0x9E3779B1


class UnreadableSignature(QuotedbError):
    """Bytes given as a signature are not one this module wrote."""


def words(body: str) -> list[str]:
    """The normalised words of ``body`` that are shingled: lower case, no
    punctuation (apostrophes join their word), the header block left out.

    The header block is the leading short lines (fewer than ``HEADER_WORDS``
    words, at most ``HEADER_LINES``), unless that is the whole body.

    >>> " ".join(words("Wire Story Headline\\n\\nBy A. Reporter\\n"
    ...     "The minister's plan, she said on Tuesday, is \\u201cdead\\u201d and buried for good."))
    'the ministers plan she said on tuesday is dead and buried for good'
    >>> words("No comment.\\n\\nPhoto: Reuters")
    ['no', 'comment', 'photo', 'reuters']
    """
    # Only the first lines can be header, so only they are read one by one.
    lines = _APOSTROPHES.sub("", body.lower()).lstrip().split("\n", HEADER_LINES)
    head = [_WORD.findall(line) for line in lines[:HEADER_LINES]]
    rest = _WORD.findall(lines[HEADER_LINES]) if len(lines) > HEADER_LINES else []
    skip = 0
    for line_words in head:
        if len(line_words) >= HEADER_WORDS:
            break
        skip += 1
    kept = [word for line_words in head[skip:] for word in line_words] + rest
    if not kept:  # all of it short lines: a brief, not a header
        return [word for line_words in head for word in line_words]
    return kept


def _shingle_hashes(tokens: list[str]) -> set[int]:
    """32-bit hashes of the ``SHINGLE``-word runs of ``tokens``.

    CRC-32 of the run's words joined by spaces, then multiplied by an odd
    constant modulo 2**32 (a bijection that spreads the top bits, which pick
    the bin). Every step is a ``map`` of a C function, so no Python code
    runs per shingle: this is most of a signature's cost.
    """
    runs = map(" ".join, zip(*(tokens[i:] for i in range(SHINGLE)), strict=False))
    crcs = map(zlib.crc32, map(str.encode, runs))
    return set(map(and_, map(mul, crcs, repeat(_SPREAD)), repeat(0xFFFFFFFF)))


def shingles(body: str) -> set[tuple[str, ...]]:
    """The word shingles of ``body``: its ``SHINGLE``-word runs after ``words``."""
    tokens = words(body)
    return set(zip(*(tokens[i:] for i in range(SHINGLE)), strict=False))


def resemblance(body_a: str, body_b: str) -> float:
    """Exact Jaccard similarity of two bodies' shingle sets (0.0 if either has none)."""
    a, b = shingles(body_a), shingles(body_b)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def signature(body: str) -> bytes:
    """The MinHash signature of ``body``, or ``b""`` if it is too short to compare.

    A version byte, then ``BINS`` little-endian 32-bit values: each bin's
    smallest hash (its low bits; the high bits are the bin), or for an empty
    bin the next non-empty bin's value with the distance in the high bits.

    >>> len(signature(" ".join(f"word{i}" for i in range(30)))), signature("No comment.")
    (513, b'')
    """
    hashes = _shingle_hashes(words(body))
    if len(hashes) < MIN_SHINGLES:
        return b""
    ordered = sorted(hashes)
    # Where each bin's hashes start in the sorted list; a bin is empty when
    # the next one starts at the same place, else its first hash is its least.
    starts = list(map(bisect_left, repeat(ordered), range(0, 1 << 32, 1 << _VALUE_BITS)))
    ends = starts[1:] + [len(ordered)]
    least = [ordered[start] & _VALUE_MASK if start < end else -1
             for start, end in zip(starts, ends, strict=True)]
    values = least if -1 not in least else _densify(least)
    return _LAYOUT.pack(_VERSION, *values)


def _densify(least: list[int]) -> list[int]:
    """Fill each empty bin (-1) from the next non-empty one, circularly, with
    the distance in the high bits: rotation densification.

    >>> _densify([-1, 5, -1, -1]) == [(1 << 25) | 5, 5, (3 << 25) | 5, (2 << 25) | 5]
    True
    """
    values = list(least)
    for index in range(len(least)):
        for distance in range(len(least)):
            found = least[(index + distance) % len(least)]
            if found != -1:
                values[index] = (distance << _VALUE_BITS) | found
                break
    return values


def _values(sig: bytes) -> tuple[int, ...]:
    """The bin values of a non-empty signature; UnreadableSignature otherwise."""
    if len(sig) != _LAYOUT.size or sig[0] != _VERSION:
        raise UnreadableSignature(
            f"not a version-{_VERSION} MinHash signature ({len(sig)} bytes): recompute it "
            "from the article text")
    return _LAYOUT.unpack(sig)[1:]


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of the bodies behind two signatures.

    An empty signature (a body too short to compare) resembles nothing.
    """
    if not sig_a or not sig_b:
        return 0.0
    a, b = _values(sig_a), _values(sig_b)
    return sum(map(int.__eq__, a, b)) / BINS


def _false_negatives(threshold: float, bands: int, rows: int) -> float:
    """Area of similarities >= threshold that ``bands`` x ``rows`` LSH misses."""
    return _integrate(lambda s: 1 - (1 - (1 - s**rows) ** bands), threshold, 1.0)


def _false_positives(threshold: float, bands: int, rows: int) -> float:
    """Area of similarities < threshold that ``bands`` x ``rows`` LSH proposes."""
    return _integrate(lambda s: 1 - (1 - s**rows) ** bands, 0.0, threshold)


def _integrate(f: Callable[[float], float], low: float, high: float, steps: int = 200) -> float:
    """Midpoint-rule integral of ``f`` over [low, high] (smooth S-curves only)."""
    width = (high - low) / steps
    return sum(f(low + (i + 0.5) * width) for i in range(steps)) * width


@lru_cache(maxsize=32)
def lsh_shape(threshold: float) -> tuple[int, int]:
    """(bands, rows) of the LSH for ``threshold``: few missed candidates first.

    A missed candidate is a copy counted twice, while a false candidate only
    costs one signature comparison, so misses weigh nine times as much
    (datasketch's ``_optimal_param`` with weights 0.9/0.1).

    >>> lsh_shape(THRESHOLD)
    (42, 3)
    """
    best: tuple[float, int, int] = (math.inf, 0, 0)
    for bands in range(1, BINS + 1):
        for rows in range(1, BINS // bands + 1):
            cost = (0.9 * _false_negatives(threshold, bands, rows)
                    + 0.1 * _false_positives(threshold, bands, rows))
            best = min(best, (cost, bands, rows))
    return best[1], best[2]


class DuplicateIndex:
    """The signatures of stored articles, banded for locality-sensitive lookup.

    Build one from the stored ``(article_id, signature)`` pairs in ingest
    order, ``find`` each new body's signature, then ``add`` it, copies too:
    a copy edited further than its first copy allows may still be found
    through an earlier copy, whose own ``duplicate_of`` then names the
    first. Signatures
    are split into ``bands`` runs of ``rows`` values; two articles are
    candidates when any run is equal, and a candidate is a copy when its
    estimated (or, with ``confirm``, exact) resemblance reaches the
    threshold.
    """

    def __init__(self, threshold: float = THRESHOLD,
                 pairs: Iterable[tuple[int, bytes | None]] = ()) -> None:
        self.threshold = threshold
        self.bands, self.rows = lsh_shape(threshold)
        # One table per band: the hash of the band's bytes -> the article id,
        # or a list of them once a second article shares the key. Most keys
        # hold one article, and a bare int (shared by every band) costs far
        # less than a list per key: about 2.5 KB per article instead of 6.
        self._buckets: list[dict[int, int | list[int]]] = [{} for _ in range(self.bands)]
        self._signatures: dict[int, bytes] = {}
        # Order of addition: "the first copy" is the first added, whatever
        # the ids (the caller may rebuild from rows in any id order).
        self._order: dict[int, int] = {}
        for article_id, sig in pairs:
            self.add(article_id, sig)

    def __len__(self) -> int:
        return len(self._signatures)

    def _band_keys(self, sig: bytes) -> Iterable[tuple[dict[int, int | list[int]], int]]:
        """Each band's table and this signature's key in it.

        The key is Python's hash of the band's bytes: it differs between
        processes, which is fine for an index rebuilt in each, and two bands
        whose hashes collide only add a candidate that ``find`` then rejects.
        """
        _values(sig)  # refuse foreign bytes before slicing them
        width = 4 * self.rows
        for band, table in enumerate(self._buckets):
            yield table, hash(sig[1 + band * width: 1 + (band + 1) * width])

    def add(self, article_id: int, sig: bytes | None) -> None:
        """Index ``article_id`` under ``sig``; an empty or missing signature is skipped."""
        if not sig or article_id in self._signatures:
            return
        for table, key in self._band_keys(sig):
            held = table.setdefault(key, article_id)
            if held == article_id:
                continue
            if isinstance(held, list):
                held.append(article_id)
            else:
                table[key] = [held, article_id]
        self._signatures[article_id] = sig
        self._order[article_id] = len(self._order)

    def candidates(self, sig: bytes | None) -> list[tuple[int, float]]:
        """Articles sharing a band with ``sig``, in the order they were added,
        each with its estimated resemblance."""
        if not sig:
            return []
        found: set[int] = set()
        for table, key in self._band_keys(sig):
            held = table.get(key)
            if isinstance(held, list):
                found.update(held)
            elif held is not None:
                found.add(held)
        return [(article_id, similarity(sig, self._signatures[article_id]))
                for article_id in sorted(found, key=self._order.__getitem__)]

    def find(self, sig: bytes | None,
             confirm: Callable[[int], float] | None = None) -> int | None:
        """The first added article whose resemblance to ``sig`` reaches the threshold.

        ``confirm(article_id)``, when given, returns the exact resemblance
        (``resemblance(body, stored_text)``), which then decides instead of
        the estimate for candidates whose estimate is within three standard
        errors of the threshold.
        """
        margin = 3 * math.sqrt(self.threshold * (1 - self.threshold) / BINS)
        for article_id, estimate in self.candidates(sig):
            if confirm is None:
                if estimate >= self.threshold:
                    return article_id
            elif estimate >= self.threshold - margin and confirm(article_id) >= self.threshold:
                return article_id
        return None
