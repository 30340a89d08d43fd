"""Near-duplicate detection (quotedb.duplicates) on real articles: the seeds.

The seeds are five articles on one story (the siege of Konduz, November
2001) from different outlets, so they are distinct stories on one topic;
their edited copies are made by the benchmark's own edits
(``bench/bench_duplicates.py``), so the tests and the figures it prints
judge the same thing.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.bench_duplicates import EDITS, body_start, edit, mixed, paragraphs, quoted_passage
from quotedb import db, duplicates, models
from quotedb.duplicates import DuplicateIndex, UnreadableSignature, signature
from tests.conftest import Quotedb

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def stories() -> list[str]:
    """The seed articles' texts, in file order."""
    return [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]


def vocabulary(stories: list[str]) -> list[str]:
    """Words the 5% edit draws its replacements from."""
    return sorted({word for story in stories for word in story.split() if word.isalpha()})


def index_of(stories: list[str], skip: int | None = None) -> DuplicateIndex:
    """An index of the stories (ids are their positions), less ``skip``."""
    return DuplicateIndex(pairs=((i, signature(s)) for i, s in enumerate(stories) if i != skip))


@pytest.mark.parametrize("kinds", EDITS)
def test_an_edited_copy_is_found_as_its_story(stories: list[str], kinds: str) -> None:
    """Each edit a syndicated copy shows (and their combinations) still finds the story."""
    index = index_of(stories)
    rng = random.Random(kinds)
    found, copies = [], []
    for story_id, story in enumerate(stories):
        copy = edit(story, kinds, rng, vocabulary(stories))
        if copy is not None:
            copies.append(story_id)
            assert copy != story
            found.append(index.find(signature(copy)))
    assert len(copies) >= 3
    assert found == copies


def test_a_new_byline_or_headline_leaves_the_signature_as_it_was(stories: list[str]) -> None:
    """The header block (short leading lines) is not shingled: a copy that differs only
    there has the very same signature."""
    story = stories[1]
    retitled = "Rebels Agree To Give Up Konduz\n\nBy Staff Writer, Wire Service\n\n" + story
    assert signature(retitled) == signature(story)


def test_distinct_stories_on_one_topic_are_not_copies(stories: list[str]) -> None:
    """Added one by one as ingest would, no seed is taken for a copy of one before it."""
    index = DuplicateIndex()
    for story_id, story in enumerate(stories):
        assert index.find(signature(story)) is None
        index.add(story_id, signature(story))
    assert len(index) == len(stories)


@pytest.mark.parametrize("where", ["lede", "middle"])
def test_a_story_sharing_a_passage_with_another_is_not_its_copy(stories: list[str],
                                                                where: str) -> None:
    """A story carrying another's first paragraph, or its longest quoted passage, is
    still its own story."""
    for host in range(len(stories)):
        for source in range(len(stories)):
            if source == host:
                continue
            parts = paragraphs(stories[source])
            passage = parts[body_start(parts)] if where == "lede" else quoted_passage(
                stories[source], 100)
            article = mixed(stories[host], passage, where)
            assert passage in article
            assert index_of(stories, skip=host).find(signature(article)) is None


def test_the_first_copy_is_found_even_when_a_later_copy_is_closer(stories: list[str]) -> None:
    """Copies point at the first one stored, so each story counts once."""
    rng = random.Random(0)
    words = vocabulary(stories)
    copy = edit(stories[0], "words5", rng, words)
    assert copy is not None
    copy_of_copy = edit(copy, "drop_last", rng, words)
    assert copy_of_copy is not None
    index = DuplicateIndex(pairs=[(10, signature(stories[0])), (7, signature(copy))])
    assert [article for article, _ in index.candidates(signature(copy_of_copy))] == [10, 7]
    assert index.find(signature(copy_of_copy)) == 10


def test_estimate_is_close_to_the_exact_resemblance(stories: list[str]) -> None:
    """The signature estimates the shingle sets' Jaccard similarity within 0.1 here
    (three standard errors at 128 bins), for copies and for distinct stories."""
    rng = random.Random(1)
    pairs = [(story, edit(story, kinds, rng, vocabulary(stories)))
             for story in stories for kinds in ("words5", "all")]
    pairs += [(a, b) for a in stories for b in stories if a is not b]
    for a, b in pairs:
        assert b is not None
        exact = duplicates.resemblance(a, b)
        assert abs(duplicates.similarity(signature(a), signature(b)) - exact) <= 0.1


def test_confirm_decides_for_candidates(stories: list[str]) -> None:
    """With ``confirm``, the exact resemblance it returns is what decides."""
    copy = edit(stories[2], "byline+headline", random.Random(2), vocabulary(stories))
    assert copy is not None
    index = index_of(stories)
    exact = {i: duplicates.resemblance(copy, story) for i, story in enumerate(stories)}
    assert index.find(signature(copy), confirm=exact.__getitem__) == 2
    assert index.find(signature(copy), confirm=lambda article: 0.0) is None


@pytest.mark.parametrize("body", ["", "   \n\n ", "No comment.", "Photo: Reuters",
                                  "Police said nothing.", " ".join(["Officials met."] * 8)])
def test_a_body_too_short_to_compare_has_no_signature(body: str) -> None:
    """Empty bodies and brief notices get no signature, so they are never anyone's copy."""
    assert signature(body) == b""
    index = DuplicateIndex()
    index.add(1, signature(body))
    assert len(index) == 0
    assert index.find(signature(body)) is None


def test_two_three_word_articles_are_not_copies() -> None:
    """Two notices of three words that normalise alike are not called duplicates."""
    index = DuplicateIndex(pairs=[(1, signature("No comment today."))])
    assert index.find(signature("No comment, today!")) is None


def test_signature_round_trips_through_bytes(stories: list[str]) -> None:
    """A signature is plain bytes: a copy of them is read back as the same signature."""
    sig = signature(stories[0])
    restored = bytes(bytearray(sig))
    assert duplicates.similarity(sig, restored) == 1.0
    assert index_of(stories).find(restored) == 0


@pytest.mark.parametrize("sig", [b"x", b"\x02" + bytes(512), bytes(513)[:-1]])
def test_bytes_that_are_no_signature_are_refused(sig: bytes) -> None:
    """Foreign or truncated bytes are an error saying what to do, not a wrong answer."""
    index = DuplicateIndex()
    with pytest.raises(UnreadableSignature, match="recompute it from the article text"):
        index.find(sig)
    with pytest.raises(UnreadableSignature) as raised:
        index.add(1, sig)
    assert "\n" not in str(raised.value)


def test_an_index_rebuilt_from_stored_signatures_gives_the_same_answers(
        quotedb: Quotedb, seeds_dir: Path, stories: list[str]) -> None:
    """Signatures stored in articles.minhash (SQLite and PostgreSQL) rebuild an index
    that answers every lookup as the index they were made for."""
    assert quotedb("ingest", str(seeds_dir)).exit_code == 0
    engine = db.make_engine(quotedb.url)
    try:
        live = DuplicateIndex()
        with Session(engine) as session:
            for article in session.scalars(select(models.Article).order_by(models.Article.id)):
                article.minhash = signature(article.text)
                live.add(article.id, article.minhash)
            session.commit()
        with Session(engine) as session:
            stored = session.execute(select(models.Article.id, models.Article.minhash)
                                     .order_by(models.Article.id)).all()
        rebuilt = DuplicateIndex(pairs=[(row.id, row.minhash) for row in stored])
    finally:
        engine.dispose()
    assert len(rebuilt) == len(stories)
    rng = random.Random(3)
    lookups = [signature(story) for story in stories] + [
        signature(copy) for story in stories for kinds in EDITS
        if (copy := edit(story, kinds, rng, vocabulary(stories))) is not None]
    answers = [live.find(sig) for sig in lookups]
    assert [rebuilt.find(sig) for sig in lookups] == answers
    assert all(answer is not None for answer in answers)


def test_bodies_with_fewer_shingles_than_bins_still_compare() -> None:
    """A body of a few dozen words leaves most bins empty; they borrow from their
    neighbours, so the same text is still the same and another text still another."""
    brief = ("The council voted on Monday to close the old bridge to lorries after "
             "engineers found cracks in two of its piers during a routine inspection.")
    other = ("Fans queued overnight outside the stadium for tickets to the final, which "
             "sold out within an hour of going on sale on Friday morning.")
    assert signature(brief) and signature(other)
    assert duplicates.similarity(signature(brief), signature(brief.upper())) == 1.0
    assert duplicates.similarity(signature(brief), signature(other)) <= 0.1
    index = DuplicateIndex(pairs=[(1, signature(brief))])
    assert index.find(signature(other)) is None
    assert index.find(signature(brief.replace("Monday", "Tuesday"))) == 1
