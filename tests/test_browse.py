"""Datasette metadata and canned queries, served by Datasette itself over a real corpus."""

from __future__ import annotations

import asyncio
import html
import tempfile
from pathlib import Path
from typing import Any

import pytest

from quotedb import db
from quotedb.browse import (
    CANNED_QUERIES,
    TEMPLATES_DIR,
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


def get(path: Path, url: str) -> Any:
    """GET a URL from Datasette serving the file as ``quotedb browse`` configures it."""

    async def fetch(plugins: Path) -> Any:
        datasette = Datasette([str(path)], metadata=datasette_metadata(path),
                              plugins_dir=str(plugins), template_dir=str(TEMPLATES_DIR))
        response = await datasette.client.get(url)
        assert response.status_code == 200, response.text
        return response

    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(fetch(write_plugins(Path(folder))))


def get_json(path: Path, url: str) -> Any:
    return get(path, url).json()


def get_html(path: Path, url: str) -> str:
    return str(get(path, url).text)


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


# --- the pages: descriptions folded, fragments hidden, a speaker's quotes -------------


def test_quotes_page_folds_the_column_descriptions(corpus_file: Path) -> None:
    page = get_html(corpus_file, "/quotes/quotes")
    assert 'class="column-descriptions"' not in page  # Datasette's full list, ~1,000 px
    details = page[page.index('<details class="quotedb-columns">'):]
    details = details[:details.index("</details>")]
    assert "<summary>Columns</summary>" in details
    assert "<dt>speaker_mention</dt>" in details
    assert page.index("</details>") < page.index('<table class="rows-and-columns">')


def test_every_column_of_every_table_is_described(corpus_file: Path) -> None:
    tables = [row[0] for row in sql(corpus_file, "select name from sqlite_master where "
                                    "type = 'table' and name not like 'quotes_fts%' "
                                    "and name != 'alembic_version'")]
    assert {"articles", "quotes", "speakers", "speaker_aliases"} <= set(tables)
    undescribed = {}
    for table in tables:
        columns = {row[1] for row in sql(corpus_file, f"pragma table_info({table})")} - {"id"}
        page = get_html(corpus_file, f"/quotes/{table}")
        missing = {column for column in columns if f"<dt>{column}</dt>" not in page}
        if missing:
            undescribed[table] = missing
    assert undescribed == {}


def fragment_counts(path: Path) -> tuple[int, int]:
    """(quotes, fragments) stored in the file, counted by SQLite itself."""
    rows = dict(sql(path, "select fragment, count(*) from quotes group by fragment"))
    return rows.get(0, 0), rows.get(1, 0)


def test_quotes_table_hides_fragments_by_default(corpus_file: Path) -> None:
    quotes, fragments = fragment_counts(corpus_file)
    assert fragments  # the seeds have some, or this test proves nothing
    page = get_json(corpus_file, "/quotes/quotes.json?_size=max&_shape=objects")
    assert page["filtered_table_rows_count"] == quotes
    assert {row["fragment"] for row in page["rows"]} == {0}
    assert "fragments hidden" in page["human_description_en"]


def test_a_fragment_filter_replaces_the_default(corpus_file: Path) -> None:
    quotes, fragments = fragment_counts(corpus_file)
    only = get_json(corpus_file, "/quotes/quotes.json?fragment=1&_size=max&_shape=objects")
    assert only["filtered_table_rows_count"] == fragments
    assert {row["fragment"] for row in only["rows"]} == {1}
    every = get_json(corpus_file, "/quotes/quotes.json?_fragments=all&_size=0")
    assert every["filtered_table_rows_count"] == quotes + fragments


def test_fragment_facet_counts_the_hidden_fragments(corpus_file: Path) -> None:
    quotes, fragments = fragment_counts(corpus_file)
    facet = get_json(corpus_file, "/quotes/quotes.json?_size=0")["facet_results"]["fragment"]
    values = {value["label"]: value for value in facet["results"]}
    assert (values["quotes"]["count"], values["fragments"]["count"]) == (quotes, fragments)
    assert values["quotes"]["selected"] and values["quotes"]["toggle_url"].endswith(
        "_fragments=all")
    assert values["fragments"]["toggle_url"].endswith("fragment=1")
    page = get_html(corpus_file, "/quotes/quotes")
    assert 'fragment=1">fragments</a>' in page


def speaker_id(path: Path, name: str) -> int:
    return int(sql(path, f"select id from speakers where name = '{name}'")[0][0])


def test_speaker_page_lists_its_aliases_and_quotes(corpus_file: Path) -> None:
    rumsfeld = speaker_id(corpus_file, "Donald Rumsfeld")
    page = get_html(corpus_file, f"/quotes/speakers/{rumsfeld}")
    section = page[page.index('<section class="quotedb-speaker">'):]
    aliases = [row[0] for row in sql(corpus_file, "select alias from speaker_aliases "
                                                  f"where speaker_id = {rumsfeld}")]
    assert aliases and all(f"<li>{html.escape(alias)}</li>" in section for alias in aliases)
    quotes = sql(corpus_file, f"select id, text from quotes where speaker_id = {rumsfeld}")
    assert f"<h2>Quotes ({len(quotes)})</h2>" in section
    for quote_id, text in quotes:
        assert f'<a href="/quotes/quotes/{quote_id}">{html.escape(text)}</a>' in section


def test_other_row_pages_are_datasette_s_own(corpus_file: Path) -> None:
    assert "quotedb-speaker" not in get_html(corpus_file, "/quotes/articles/1")


def ingest_text(tmp_path: Path, text: str) -> Path:
    """A SQLite corpus of one article with this text."""
    story = tmp_path / "story.txt"
    story.write_text(text, encoding="utf-8")
    path = tmp_path / "story.db"
    with db.open_database(str(path)) as engine:
        assert ingest_paths(engine, find_sources([str(story)])).new == 1
    return path


def test_speaker_page_escapes_what_the_article_says(tmp_path: Path) -> None:
    path = ingest_text(tmp_path, "Tags\n\n“A <b>bold</b> move,” said Ann Nadal, a union "
                                 "leader.\n")
    page = get_html(path, f"/story/speakers/{speaker_id(path, 'Ann Nadal')}")
    assert "A &lt;b&gt;bold&lt;/b&gt; move" in page and "<b>bold</b>" not in page


def test_speaker_page_links_to_all_quotes_past_the_first_hundred(tmp_path: Path) -> None:
    lines = "".join(f"“Point number {n} stands,” said Ann Nadal, a union leader.\n\n"
                    for n in range(105))
    path = ingest_text(tmp_path, "Many points\n\n" + lines)
    nadal = speaker_id(path, "Ann Nadal")
    page = get_html(path, f"/story/speakers/{nadal}")
    assert "<h2>Quotes (105)</h2>" in page
    assert f'<a href="/story/quotes?speaker_id={nadal}">all of them</a>' in page
    assert page.count('<a href="/story/quotes/') == 100


def test_quotes_page_suggests_each_facet_once(corpus_file: Path) -> None:
    suggested = get_json(corpus_file, "/quotes/quotes.json?_size=0")["suggested_facets"]
    names = [facet["name"] for facet in suggested]
    assert names and len(names) == len(set(names))


def test_chart_queries_count_what_the_report_counts(corpus_file: Path) -> None:
    """The three chart queries give the figures of ``quotedb report`` on the same file."""
    from sqlalchemy.orm import Session

    from quotedb.queries import QuoteFilter
    from quotedb.report import report_data

    engine = db.make_engine(f"sqlite:///{corpus_file}", read_only=True)
    with Session(engine) as session:
        data = report_data(session, QuoteFilter())
    engine.dispose()
    top = get_json(corpus_file, "/quotes/top_speakers_per_outlet.json?_shape=array")
    assert {(r["outlet"], r["speaker"], r["quotes"]) for r in top} == {
        (outlet, speaker, n) for outlet, rows in data.top_by_outlet.items() for speaker, n in rows}
    months = get_json(corpus_file, "/quotes/quotes_per_speaker_per_month.json?_shape=array")
    assert {(r["speaker"], r["month"], r["quotes"]) for r in months} == {
        (speaker, month, n) for speaker, values in data.speaker_months.items()
        for month, n in zip(data.months, values, strict=True) if n}
    shares = get_json(corpus_file, "/quotes/gender_share_by_outlet.json?_shape=array")
    assert {(r["outlet"], r["month"], r["gender"], r["quotes"]) for r in shares} == {
        (outlet, month, gender, n) for outlet, by_month in data.gender_share.items()
        for month, counts in by_month.items() for gender, n in counts.items()}
    for outlet, month in {(r["outlet"], r["month"]) for r in shares}:
        assert sum(r["share"] for r in shares
                   if (r["outlet"], r["month"]) == (outlet, month)) == pytest.approx(100, abs=0.2)


def test_chart_query_pages_link_to_their_chart_and_load_vega(corpus_file: Path) -> None:
    """Each chart query's page links to itself with datasette-vega's options, and loads it."""
    pytest.importorskip("datasette_vega")
    page = get_html(corpus_file, "/quotes/gender_share_by_outlet")
    assert "datasette_vega" in page
    assert ('href="gender_share_by_outlet?_chart=1#g.mark=bar&amp;g.x_column=month' in page)
