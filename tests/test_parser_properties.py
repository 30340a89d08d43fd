"""Property tests for :func:`quotedb.parser.parse_article`.

Example tables say what the parser should find; these say what must hold for
*any* input, because ingest feeds it whatever a scraper produced: half-closed
quotes, mixed curly and straight marks, dropped or doubled paragraphs, junk.

Two sources of input:

* **Arbitrary text** biased toward quotation marks, cue words and line breaks,
  so that pairing and attribution rules are exercised rather than skipped.
* **Mutated seed articles**: the real articles in ``seeds/`` with characters or
  quote marks inserted, deleted or swapped and paragraphs dropped or doubled,
  which keeps the text realistic while breaking its balance.

``parse_article`` catches its own exceptions and logs them, so "never raises"
is checked twice: no exception escapes, and nothing is logged at ERROR level.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotedb.records import SPEAKER_KINDS, ParsedArticle

parser = pytest.importorskip("quotedb.parser", reason="quotedb.parser is not written yet")

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_TEXTS: list[str] = [
    path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))
]

#: Every quotation mark the seeds or the web use, and the apostrophe they share a key with.
QUOTE_MARKS = ["“", "”", "‘", "’", '"', "'", "«", "»", "„", "‹", "›", "‚", "‟"]

#: Words that make the attribution rules fire: names, titles, pronouns, cue verbs.
WORDS = [
    "he", "she", "they", "It", "said", "says", "told", "added", "asked", "according to",
    "Mr", "Mrs", "Dr", "General", "President", "Jane", "Doe", "Donald", "Rumsfeld",
    "Kirby", "the", "spokesman", "officials", "Reuters", "The Times", "we", "not", "and",
    "would", "to", "say", "US", "al-Qaeda", "Taliban", "Kabul", "safe haven", "meltdown",
]  # fmt: skip

#: Separators: spaces, punctuation, paragraph and line breaks, no-break spaces.
SEPARATORS = [" ", " ", " ", ", ", ". ", ": ", "; ", "\n", "\n\n", "\r\n", "\xa0", "—", "-", "…"]


def _piece() -> st.SearchStrategy[str]:
    """One piece of generated text, weighted toward quote marks and words."""
    return st.one_of(
        st.sampled_from(QUOTE_MARKS),
        st.sampled_from(WORDS),
        st.sampled_from(SEPARATORS),
        st.sampled_from(QUOTE_MARKS),
        st.text(max_size=4),
    )


#: Arbitrary text built from quote-heavy pieces.
QUOTEY_TEXT = st.lists(_piece(), max_size=80).map("".join)


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    """A seed article with a few random edits: characters, quote marks and paragraphs."""
    text = draw(st.sampled_from(SEED_TEXTS))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        op = draw(st.sampled_from(["insert", "delete", "swap", "drop", "duplicate"]))
        if op in {"drop", "duplicate"}:
            paragraphs = text.split("\n")
            index = draw(st.integers(min_value=0, max_value=len(paragraphs) - 1))
            if op == "drop":
                del paragraphs[index]
            else:
                paragraphs.insert(index, paragraphs[index])
            text = "\n".join(paragraphs)
            continue
        if not text and op != "insert":
            continue
        pos = draw(st.integers(min_value=0, max_value=max(len(text) - 1, 0)))
        if op == "insert":
            new = draw(st.one_of(st.sampled_from(QUOTE_MARKS + ["\n", " "]), st.characters()))
            text = text[:pos] + new + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + 1 :]
        elif len(text) > 1:
            pos = min(pos, len(text) - 2)
            text = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
    return text


class _Errors(logging.Handler):
    """Collects ERROR records: the parser logs the exceptions it swallows."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _no_logged_errors() -> Iterator[None]:
    """Fail if anything under ``quotedb`` logs an error (a swallowed exception)."""
    handler = _Errors()
    logger = logging.getLogger("quotedb")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    messages = []
    for record in handler.records:
        trace = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        messages.append(f"{record.name}: {record.getMessage()}\n{trace}")
    assert not messages, "\n".join(messages)


def check_invariants(text: str) -> ParsedArticle:
    """Parse ``text`` twice and check everything that must hold for any input."""
    with _no_logged_errors():
        article = parser.parse_article(text)
        again = parser.parse_article(text)
    assert article == again, "parse_article is not deterministic"
    assert article.text == text
    previous_end = 0
    for quote in article.quotes:
        assert 0 <= quote.start <= quote.end <= len(text), quote
        assert text[quote.start : quote.end] == quote.text, quote
        assert quote.start >= previous_end, f"quotes overlap or are unsorted at {quote}"
        previous_end = quote.end
        assert quote.paragraph >= 0, quote
        assert quote.speaker_kind in (None, *SPEAKER_KINDS), quote
        if quote.fragment:
            assert quote.speaker is None, f"fragment with a speaker: {quote}"
            assert quote.speaker_kind is None, f"fragment with a speaker kind: {quote}"
    return article


@settings(max_examples=250, deadline=None)
@given(QUOTEY_TEXT)
def test_arbitrary_text(text: str) -> None:
    check_invariants(text)


@settings(max_examples=150, deadline=None)
@given(mutated_seed())
def test_mutated_seeds(text: str) -> None:
    check_invariants(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode(text: str) -> None:
    check_invariants(text)


@pytest.mark.parametrize("index", range(len(SEED_TEXTS)), ids=[f"seed-{i:03d}" for i in range(5)])
def test_seeds_hold_invariants(index: int) -> None:
    article = check_invariants(SEED_TEXTS[index])
    assert article.quotes, "every seed article has quotations"
