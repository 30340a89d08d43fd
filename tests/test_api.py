"""The notebook API on real databases: connect, ingest every format, query, SQL, pandas."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from quotedb import api, queries
from quotedb.errors import ReadOnlyViolation

from .conftest import reader_url

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def corpus(db_url: str) -> Iterator[api.Database]:
    """An empty database on each backend under test; SQL runs as a read-only role."""
    with api.connect(db_url) as database:
        database.read_url = reader_url(db_url)
        yield database


@pytest.fixture
def seeded(corpus: api.Database, seeds_dir: Path) -> api.Database:
    """The database with the seed articles ingested."""
    summary = corpus.ingest(seeds_dir)
    assert summary.failed == 0
    return corpus


def test_connect_creates_a_new_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with api.connect(path) as database:
        assert database.articles() == []
    assert path.is_file()


def test_ingest_folder_counts_new_articles(corpus: api.Database, seeds_dir: Path) -> None:
    summary = corpus.ingest(seeds_dir)
    assert (summary.new, summary.failed) == (5, 0)
    assert summary.quotes > 30


def test_quotes_are_dicts_with_the_export_columns(seeded: api.Database) -> None:
    rows = list(seeded.quotes(limit=3))
    assert len(rows) == 3
    assert all(tuple(row) == queries.QUOTE_COLUMNS for row in rows)


def test_quotes_by_speaker_alias(seeded: api.Database) -> None:
    rows = list(seeded.quotes(speaker="mr rumsfeld"))
    assert rows and {row["speaker"] for row in rows} == {"Donald Rumsfeld"}


def test_quotes_full_text_search(seeded: api.Database) -> None:
    rows = list(seeded.quotes(search="prisoners"))
    assert rows and all("prisoner" in row["quote"].lower() for row in rows)


def test_speakers_most_quoted_first(seeded: api.Database) -> None:
    counts = [row["quotes"] for row in seeded.speakers()]
    assert counts == sorted(counts, reverse=True)


def test_sql_binds_named_parameters(seeded: api.Database) -> None:
    rows = seeded.sql("select count(*) as n from quotes where fragment = :f", f=False)
    assert rows == [{"n": len(list(seeded.quotes()))}]


def test_sql_refuses_writes(seeded: api.Database) -> None:
    with pytest.raises(ReadOnlyViolation):
        seeded.sql("delete from quotes")
    assert seeded.quotes(limit=1)


def test_stats_counts_the_corpus(seeded: api.Database) -> None:
    stats = seeded.stats()
    assert (stats["articles"], stats["quotes"]) == (5, len(list(seeded.quotes())))


def test_to_pandas_quotes_dataframe(seeded: api.Database) -> None:
    pytest.importorskip("pandas", reason="to_pandas needs the 'pandas' extra")
    frame = seeded.to_pandas("quotes", speaker="Rumsfeld")
    assert list(frame.columns) == list(queries.QUOTE_COLUMNS)
    assert set(frame["speaker"]) == {"Donald Rumsfeld"}


def test_to_pandas_speakers_dataframe(seeded: api.Database) -> None:
    pytest.importorskip("pandas", reason="to_pandas needs the 'pandas' extra")
    frame = seeded.to_pandas("speakers")
    assert len(frame) == len(seeded.speakers())


def test_to_pandas_without_pandas_names_the_extra(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['pandas'] = None\n"
        "from quotedb import api\n"
        f"database = api.connect({str(tmp_path / 'q.db')!r})\n"
        "try:\n"
        "    database.to_pandas()\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == (
        "to_pandas needs the 'pandas' extra: pip install 'quotedb[pandas]'"
    )


# --- ingesting other formats ----------------------------------------------


def test_ingest_jsonl_stores_good_records_and_reports_the_bad_line(
    corpus: api.Database,
) -> None:
    summary = corpus.ingest(DATA / "corpus.jsonl")
    assert (summary.new, summary.failed) == (5, 1)
    assert summary.errors == [e for e in summary.errors if "corpus.jsonl: line 3: " in e]


def test_ingest_jsonl_keeps_record_metadata(corpus: api.Database) -> None:
    corpus.ingest(DATA / "corpus.jsonl")
    first = corpus.articles()[0]
    assert (first["title"], str(first["published"]), first["outlet"], first["authors"]) == (
        "America Will Take No Prisoners", "2001-11-20", "The Times",
        "Ian Cobain; Damian Whitworth",
    )
    assert first["source"] == f"{DATA / 'corpus.jsonl'}#times-2001-11-20"


def test_reingesting_jsonl_is_a_no_op(corpus: api.Database) -> None:
    corpus.ingest(DATA / "corpus.jsonl")
    again = corpus.ingest(DATA / "corpus.jsonl")
    assert (again.new, again.unchanged, again.updated) == (0, 5, 0)


def test_ingest_csv_stores_good_records_and_reports_the_bad_one(corpus: api.Database) -> None:
    summary = corpus.ingest(DATA / "corpus.csv")
    assert (summary.new, summary.failed) == (5, 1)
    assert "corpus.csv: record 4 (line " in summary.errors[0]


def test_same_articles_from_jsonl_and_csv_are_stored_once(corpus: api.Database) -> None:
    corpus.ingest(DATA / "corpus.jsonl")
    summary = corpus.ingest(DATA / "corpus.csv")
    assert (summary.new, summary.unchanged) == (0, 5)


def test_ingest_json_array(corpus: api.Database) -> None:
    summary = corpus.ingest(DATA / "corpus.json")
    assert (summary.new, summary.failed) == (2, 0)


def test_ingest_html_page_quotes_come_from_the_article_only(corpus: api.Database) -> None:
    pytest.importorskip("trafilatura", reason="HTML input needs the 'html' extra")
    summary = corpus.ingest(DATA / "article_page.html")
    assert (summary.new, summary.failed) == (1, 0)
    quotes = [row["quote"] for row in corpus.quotes(fragments=True)]
    assert any(q.startswith("The United States is not inclined") for q in quotes)
    assert not any("regret this" in q or "Whitehall" in q for q in quotes)


def test_ingest_html_page_keeps_page_metadata(corpus: api.Database) -> None:
    pytest.importorskip("trafilatura", reason="HTML input needs the 'html' extra")
    corpus.ingest(DATA / "article_page.html")
    [article] = corpus.articles()
    assert (article["title"], str(article["published"]), article["outlet"]) == (
        "America Will Take No Prisoners", "2001-11-20", "The Times of London",
    )


def test_ingest_folder_with_format_and_pattern(corpus: api.Database, tmp_path: Path) -> None:
    folder = tmp_path / "dumps"
    folder.mkdir()
    (folder / "a.ndjson").write_text('{"id": 1, "text": "“Yes,” she said."}\n')
    summary = corpus.ingest(folder, input_format="jsonl", pattern="*.ndjson")
    assert summary.new == 1
    assert corpus.articles()[0]["source"] == f"{folder / 'a.ndjson'}#1"


def test_date_filters_accept_iso_strings(db_url: str, seeds_dir: Path) -> None:
    with api.connect(db_url) as database:
        database.ingest(seeds_dir)
        as_text = list(database.quotes(since="2001-11-20", until="2001-11-20"))
        as_dates = list(database.quotes(since=date(2001, 11, 20), until=date(2001, 11, 20)))
    assert as_text == as_dates and as_text
