"""Full-text search on quotes: FTS5 on SQLite, a GIN tsvector index on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Quotedb, ingest_story

ARTICLE = """Harbour plan divides the town

“Safe passage for the ferries is our first duty,” said Ann Lee, the harbour master.

“The ferries need passage, and it must be safe,” said Tom Reyes, a ferry captain.

“Negotiations with the unions continue,” said Maria Lopez, the mayor.

“We are negotiating in good faith, safe passage or not, passage is passage,” \
said Ravi Shah, a union negotiator.
"""


@pytest.fixture
def searchable(quotedb: Quotedb, tmp_path: Path) -> Quotedb:
    return ingest_story(quotedb, tmp_path / "harbour.txt", ARTICLE)


def speakers_for(quotedb: Quotedb, query: str) -> list[str]:
    result = quotedb("quotes", "--search", query, "--format", "json")
    assert result.exit_code == 0, result.output
    return [row["speaker"] for row in json.loads(result.stdout)]


def test_words_must_all_match(searchable: Quotedb) -> None:
    assert sorted(speakers_for(searchable, "safe passage")) == ["Ann Lee", "Ravi Shah", "Tom Reyes"]


def test_phrase_matches_words_in_order(searchable: Quotedb) -> None:
    assert sorted(speakers_for(searchable, '"safe passage"')) == ["Ann Lee", "Ravi Shah"]


def test_prefix_query(searchable: Quotedb) -> None:
    assert sorted(speakers_for(searchable, "negotia*")) == ["Maria Lopez", "Ravi Shah"]


def test_results_are_ranked_best_first(searchable: Quotedb) -> None:
    # Ravi Shah's quote says "passage" four times over fewer other words.
    assert speakers_for(searchable, "passage")[0] == "Ravi Shah"


def test_search_syntax_cannot_inject(searchable: Quotedb) -> None:
    for query in ('"unclosed', "NEAR(safe passage)", "ferr* OR -x", "'; drop table quotes;--"):
        result = searchable("quotes", "--search", query, "--format", "json")
        assert result.exit_code == 0, (query, result.output)
    assert speakers_for(searchable, "ferr*")


def test_search_combines_with_speaker_filter(searchable: Quotedb) -> None:
    result = searchable("quotes", "--search", "passage", "--speaker", "tom reyes",
                        "--format", "json")
    assert [row["speaker"] for row in json.loads(result.stdout)] == ["Tom Reyes"]
