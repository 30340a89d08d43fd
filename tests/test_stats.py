"""Corpus statistics on real databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from quotedb import PARSER_VERSION, api
from quotedb.stats import corpus_stats, format_stats

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def corpus(db_url: str) -> Iterator[api.Database]:
    with api.connect(db_url) as database:
        yield database


def stats_of(corpus: api.Database) -> dict[str, object]:
    with Session(corpus.engine) as session:
        return corpus_stats(session)


def test_empty_corpus_has_zero_figures(corpus: api.Database) -> None:
    assert stats_of(corpus) == {
        "articles": 0, "quotes": 0, "fragments": 0, "speakers": 0, "quotes_per_article": 0.0,
        "unattributed_share": 0.0, "top_speakers": [], "earliest": None, "latest": None,
        "parser_versions": {}, "quotes_by_gender": {"female": 0, "male": 0, "unknown": 0},
        "syndicated_copies": 0,
    }


def test_counts_match_the_stored_rows(corpus: api.Database, seeds_dir: Path) -> None:
    corpus.ingest(seeds_dir)
    stats = stats_of(corpus)
    quotes = list(corpus.quotes())
    assert (stats["articles"], stats["quotes"]) == (5, len(quotes))
    assert stats["speakers"] == len({row["speaker"] for row in quotes if row["speaker"]})
    assert stats["quotes_per_article"] == pytest.approx(len(quotes) / 5)


def test_unattributed_share(corpus: api.Database, seeds_dir: Path) -> None:
    corpus.ingest(seeds_dir)
    quotes = list(corpus.quotes())
    unattributed = sum(1 for row in quotes if row["speaker"] is None)
    assert stats_of(corpus)["unattributed_share"] == pytest.approx(unattributed / len(quotes))


def test_top_speakers_most_quoted_first(corpus: api.Database, seeds_dir: Path) -> None:
    corpus.ingest(seeds_dir)
    top = stats_of(corpus)["top_speakers"]
    assert isinstance(top, list) and 0 < len(top) <= 10
    first = corpus.speakers()[0]
    assert top[0] == {"name": first["name"], "quotes": first["quotes"]}
    assert top[0]["quotes"] == len(list(corpus.quotes(speaker=first["name"])))
    counts = [row["quotes"] for row in top]
    assert counts == sorted(counts, reverse=True)


def test_date_range_spans_published_dates(corpus: api.Database) -> None:
    corpus.ingest(DATA / "corpus.jsonl")
    stats = stats_of(corpus)
    assert (stats["earliest"], stats["latest"]) == (date(2001, 11, 20), date(2021, 8, 24))


def test_format_stats_fits_one_screen(corpus: api.Database, seeds_dir: Path) -> None:
    corpus.ingest(seeds_dir)
    text = format_stats(stats_of(corpus))
    lines = text.splitlines()
    assert len(lines) <= 24 and max(len(line) for line in lines) <= 80
    assert lines[0] == "articles:            5"
    assert f"  1. {corpus.speakers()[0]['name']}" in text


def test_format_stats_without_dates() -> None:
    text = format_stats({
        "articles": 0, "quotes": 0, "fragments": 0, "speakers": 0, "quotes_per_article": 0.0,
        "unattributed_share": 0.0, "top_speakers": [], "earliest": None, "latest": None,
        "parser_versions": {}, "quotes_by_gender": {"female": 0, "male": 0, "unknown": 0},
    })
    assert "published:           no publication dates" in text
    assert "top" not in text


def test_stats_count_parser_versions_and_genders(corpus: api.Database, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("“We won,” said Ms. Ada Brink.\n\n“We lost,” said Kim Lo.\n",
                                    encoding="utf-8")
    corpus.ingest(tmp_path)
    stats = stats_of(corpus)
    assert stats["parser_versions"] == {PARSER_VERSION: 1}
    assert stats["quotes_by_gender"] == {"female": 1, "male": 0, "unknown": 1}
    text = format_stats(stats)
    assert f"parser {PARSER_VERSION} (1 articles)" in text
    assert "quotes by gender:    female 1, male 0, unknown 1" in text


def test_ingest_summary_and_stats_count_quotes_and_fragments_alike(
    db_url: str, seeds_dir: Path
) -> None:
    """Fragments are stored but are no quotes: the ingest summary said "42 stored"
    (quotes and fragments together) where ``stats`` said 37 quotes."""
    from tests.conftest import Quotedb

    quotedb = Quotedb(db_url)
    ingest = quotedb("ingest", str(seeds_dir))
    stats = quotedb("stats")
    with api.connect(db_url, read_only=True) as corpus:
        rows = list(corpus.quotes(fragments=True))
    fragments = sum(1 for row in rows if row["fragment"])
    said = f"{len(rows) - fragments} quotes, {fragments} fragments"
    assert fragments and f"; stored {said}; " in ingest.stderr
    assert f"quotes:              {said}\n" in stats.stdout
    figures = json.loads(quotedb("stats", "--format", "json").stdout)
    assert (figures["quotes"], figures["fragments"]) == (len(rows) - fragments, fragments)
