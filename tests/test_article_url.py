"""Each article keeps its URL, and quotes/articles filter by outlet (both backends)."""

from __future__ import annotations

import json
from pathlib import Path

from quotedb import connect

from .conftest import Quotedb


def _corpus(tmp_path: Path) -> Path:
    """Three records from two outlets, one without a URL."""
    path = tmp_path / "corpus.jsonl"
    records = [
        {"id": "a", "url": "https://wire.example/a", "outlet": "Reuters",
         "text": "“The bridge is closed,” said Ann Lee, the mayor.\n"},
        {"id": "b", "link": "https://paper.example/b", "outlet": "The Herald",
         "text": "“We will reopen it,” said Tom Hart, a contractor.\n"},
        {"id": "c", "outlet": "reuters",
         "text": "“Traffic is heavy,” said Mia Cole, a driver.\n"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_ingest_keeps_the_record_url(quotedb: Quotedb, tmp_path: Path) -> None:
    """The url (or link) field lands in articles.url; a record without one stores NULL."""
    assert quotedb("ingest", str(_corpus(tmp_path))).exit_code == 0
    rows = json.loads(quotedb("articles", "--format", "json").output)
    assert [row["url"] for row in rows] == [
        "https://wire.example/a", "https://paper.example/b", None]


def test_html_page_url_is_kept(quotedb: Quotedb) -> None:
    """An HTML page's canonical URL (read by the extractor) is stored."""
    page = Path(__file__).parent / "data" / "article_page.html"
    assert quotedb("ingest", str(page)).exit_code == 0
    with connect(quotedb.url, create=False) as database:
        (article,) = database.articles()
    assert article["url"] and article["url"].startswith("http")


def test_outlet_filter_on_quotes_and_articles(quotedb: Quotedb, tmp_path: Path) -> None:
    """--outlet matches the whole outlet name in any case, never a part of it."""
    quotedb("ingest", str(_corpus(tmp_path)))
    quotes = json.loads(quotedb("quotes", "--outlet", "REUTERS", "--format", "json").output)
    assert sorted(q["speaker"] for q in quotes) == ["Ann Lee", "Mia Cole"]
    articles = json.loads(quotedb("articles", "--outlet", "the herald", "--format", "json").output)
    assert [a["source"].rsplit("#", 1)[-1] for a in articles] == ["b"]
    assert json.loads(quotedb("quotes", "--outlet", "Herald", "--format", "json").output) == []
    with connect(quotedb.url, create=False) as database:
        assert [q["speaker"] for q in database.quotes(outlet="the herald")] == ["Tom Hart"]
        assert len(database.articles(outlet="Reuters")) == 2


def test_export_filters_by_outlet(quotedb: Quotedb, tmp_path: Path) -> None:
    """export takes the same --outlet filter as quotes."""
    quotedb("ingest", str(_corpus(tmp_path)))
    out = tmp_path / "out.json"
    result = quotedb("export", "--format", "json", "--outlet", "reuters", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(q["speaker"] for q in json.loads(out.read_text())) == ["Ann Lee", "Mia Cole"]
