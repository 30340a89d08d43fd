"""Datasette metadata and canned queries, served by Datasette itself over a real corpus."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import pytest

from quotedb import db
from quotedb.browse import (
    CANNED_QUERIES,
    BrowseNeedsSQLite,
    database_file,
    datasette_metadata,
    serve_command,
    write_plugins,
)
from quotedb.errors import DatabaseError
from quotedb.ingest import ingest_paths
from quotedb.sources import find_sources

pytest.importorskip("datasette", reason="quotedb browse needs the 'browse' extra (datasette)")

from datasette.app import Datasette  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite corpus of the seed articles, ingested by quotedb.ingest (built once)."""
    path = tmp_path_factory.mktemp("browse") / "quotes.db"
    with db.open_database(str(path)) as engine:
        summary = ingest_paths(engine, find_sources([str(SEEDS)]))
    assert (summary.new, summary.failed) == (5, 0)
    return path


def get_json(path: Path, url: str) -> Any:
    """GET a URL from Datasette serving the file with quotedb's metadata."""

    async def fetch(plugins: Path) -> Any:
        datasette = Datasette([str(path)], metadata=datasette_metadata(path),
                              plugins_dir=str(plugins))
        response = await datasette.client.get(url)
        assert response.status_code == 200, response.text
        return response.json()

    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(fetch(write_plugins(Path(folder))))


def sql(path: Path, query: str) -> list[tuple[Any, ...]]:
    engine = db.make_engine(f"sqlite:///{path}", read_only=True)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(query)]
    finally:
        engine.dispose()


def test_metadata_is_keyed_by_the_database_name(corpus_file: Path) -> None:
    assert list(datasette_metadata(corpus_file)["databases"]) == ["quotes"]


def test_datasette_loads_the_metadata(corpus_file: Path) -> None:
    served = get_json(corpus_file, "/-/metadata.json")
    quotes = served["databases"]["quotes"]["tables"]["quotes"]
    assert (quotes["title"], quotes["fts_table"], quotes["fts_pk"]) == ("Quotes", "quotes_fts",
                                                                        "id")


def test_quotes_table_facets_by_speaker_with_names(corpus_file: Path) -> None:
    page = get_json(corpus_file, "/quotes/quotes.json?_size=0")
    speaker_facet = page["facet_results"]["speaker_id"]
    labels = {item["label"] for item in speaker_facet["results"]}
    assert "Donald Rumsfeld" in labels


def test_articles_table_facets_by_outlet_and_date(corpus_file: Path) -> None:
    page = get_json(corpus_file, "/quotes/articles.json?_size=0")
    assert {"outlet", "published"} <= set(page["facet_results"])


def test_quotes_full_text_search_through_datasette(corpus_file: Path) -> None:
    rows = get_json(corpus_file, "/quotes/quotes.json?_search=prisoners&_shape=array")
    assert rows and all("prisoner" in row["text"].lower() for row in rows)


@pytest.mark.parametrize("name", sorted(CANNED_QUERIES))
def test_canned_query_runs(corpus_file: Path, name: str) -> None:
    rows = get_json(corpus_file, f"/quotes/{name}.json?_shape=array&speaker=rumsfeld")
    assert isinstance(rows, list) and rows


def test_most_quoted_speakers_matches_the_quote_counts(corpus_file: Path) -> None:
    rows = get_json(corpus_file, "/quotes/most_quoted_speakers.json?_shape=array")
    expected = sql(corpus_file, "select count(*) from quotes where speaker_id is not null "
                                "and fragment = 0")[0][0]
    assert sum(row["quotes"] for row in rows) == expected
    counts = [row["quotes"] for row in rows]
    assert counts == sorted(counts, reverse=True)


def test_quotes_by_speaker_over_time_finds_a_speaker_by_alias(corpus_file: Path) -> None:
    rows = get_json(corpus_file,
                    "/quotes/quotes_by_speaker_over_time.json?_shape=array&speaker=Mr+Rumsfeld")
    assert {row["speaker"] for row in rows} == {"Donald Rumsfeld"}
    expected = sql(corpus_file, "select count(*) from quotes join speakers on speakers.id = "
                                "quotes.speaker_id where speakers.name = 'Donald Rumsfeld' "
                                "and fragment = 0")[0][0]
    assert sum(row["quotes"] for row in rows) == expected


def test_unattributed_quotes_lists_every_unattributed_quote(corpus_file: Path) -> None:
    rows = get_json(corpus_file, "/quotes/unattributed_quotes.json?_shape=array")
    expected = sql(corpus_file, "select id from quotes where speaker_id is null "
                                "and fragment = 0 order by article_id, start")
    assert [row["quote_id"] for row in rows] == [row[0] for row in expected]


def test_browse_refuses_postgresql() -> None:
    with pytest.raises(BrowseNeedsSQLite, match="SQLite files only"):
        database_file("postgresql+psycopg://user@localhost/quotes")


def test_browse_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no such database file"):
        database_file(str(tmp_path / "none.db"))
    assert not (tmp_path / "none.db").exists()


def test_serve_command_listens_on_localhost_only(corpus_file: Path, tmp_path: Path) -> None:
    command = serve_command(corpus_file, tmp_path / "m.json", port=8123)
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8123"


NAMES = (
    "Cloud deal signed\n\n"
    "“We are all in on the cloud,” said Satya Nadella, the chief executive of Microsoft.\n\n"
    "“The harbour will open in May,” said Hervé De-Lys, the mayor.\n\n"
    "“Nobody asked us,” said Ann Nadal, a union leader.\n"
)


@pytest.mark.parametrize(("typed", "expected"), [
    ("nadella", {"Satya Nadella"}), ("Satya Nadella", {"Satya Nadella"}),
    ("herve", {"Hervé De-Lys"}), ("Hervé", {"Hervé De-Lys"}), ("Nad", set()),
])
def test_quotes_by_speaker_over_time_matches_as_the_speaker_option_does(
    tmp_path: Path, typed: str, expected: set[str]
) -> None:
    story = tmp_path / "names.txt"
    story.write_text(NAMES, encoding="utf-8")
    path = tmp_path / "names.db"
    with db.open_database(str(path)) as engine:
        assert ingest_paths(engine, find_sources([str(story)])).new == 1
    rows = get_json(path, "/names/quotes_by_speaker_over_time.json?_shape=array&speaker="
                    + typed.replace(" ", "+"))
    assert {row["speaker"] for row in rows} == expected
