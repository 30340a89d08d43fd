"""Metadata from real pages, cleaned by general rules (issue 14, item 11)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from quotedb.metadata import read_article
from quotedb.pagemeta import clean_authors, clean_meta, clean_outlet, split_title
from quotedb.records import ArticleMeta

TITLES = [
    # (title, outlet or site names, headline, suffix)
    pytest.param("Troops head north - Telegraph", ("The Telegraph",), "Troops head north",
                 "Telegraph", id="dash-outlet"),
    pytest.param("Germany votes | DW | 26.09.2021", ("DW",), "Germany votes", "DW",
                 id="pipe-outlet-date"),
    pytest.param("Germany votes | DW |", ("dw",), "Germany votes", "DW", id="pipe-domain-label"),
    pytest.param("Kabul falls – Reuters", ("Reuters",), "Kabul falls", "Reuters", id="en-dash"),
    pytest.param("Biden - the first 100 days", ("Reuters",), "Biden - the first 100 days", None,
                 id="dash-in-headline-kept"),
    pytest.param("Analysis | Kabul falls", ("The Guardian",), "Analysis | Kabul falls", None,
                 id="other-pipe-kept"),
    pytest.param("Telegraph", ("Telegraph",), "Telegraph", None, id="title-is-only-the-name"),
]


@pytest.mark.parametrize(("title", "names", "headline", "suffix"), TITLES)
def test_site_suffix_is_split_only_when_it_names_the_site(
        title: str, names: tuple[str, ...], headline: str, suffix: str | None) -> None:
    assert split_title(title, names) == (headline, suffix)


OUTLETS = [
    pytest.param("Reuters_Co_Uk", None, "Reuters", id="underscored-domain"),
    pytest.param("ReutersIndia", None, "Reuters", id="wire-with-edition"),
    pytest.param("video.usnews.com", None, "Usnews", id="host-name"),
    pytest.param("NYTimesWorld", "https://www.nytimes.com/a", "NYTimes", id="domain-with-edition"),
    pytest.param(None, "https://www.bbc.co.uk/news/1", "BBC", id="domain-alone"),
    pytest.param("The Guardian", "https://www.theguardian.com/a", "The Guardian", id="kept"),
    pytest.param("YouTube", None, "YouTube", id="camel-case-kept"),
    pytest.param(None, None, None, id="nothing"),
]


@pytest.mark.parametrize(("site", "url", "outlet"), OUTLETS)
def test_outlet_is_normalised_from_site_name_or_domain(
        site: str | None, url: str | None, outlet: str | None) -> None:
    assert clean_outlet(site, url) == outlet


AUTHORS = [
    pytest.param(("Photo by The Associated Press",), (), id="credit-line"),
    pytest.param(("January",), (), id="month"),
    pytest.param(("Hamburg",), (), id="place"),
    pytest.param(("January 5, 2021",), (), id="date"),
    pytest.param(("Account You're logged",), (), id="ui-text"),
    pytest.param(("Wire Service Staff",), (), id="staff-credit"),
    pytest.param(("Jane Doe", "Jane Doe"), ("Jane Doe",), id="person-once"),
    pytest.param(("By IAN COBAIN",), ("Ian Cobain",), id="byline-form"),
    pytest.param(("Jane Doe, Reuters",), ("Jane Doe",), id="person-and-agency"),
    pytest.param(("Nasser al-Hashimi",), ("Nasser al-Hashimi",), id="particle"),
]


@pytest.mark.parametrize(("authors", "people"), AUTHORS)
def test_an_author_is_a_persons_name(authors: tuple[str, ...], people: tuple[str, ...]) -> None:
    assert clean_authors(authors) == people


def test_a_byline_is_never_a_title() -> None:
    assert clean_meta(ArticleMeta(title="By Wire Service Staff")).title is None
    meta, _ = read_article("By Wire Service Staff\n\nKABUL - Troops moved north, officials said.\n")
    assert meta.title is None


def test_a_headline_opening_with_by_stays_a_title() -> None:
    meta, _ = read_article("By the Numbers: Kabul\n\nKABUL - Troops moved north, officials said.\n")
    assert meta.title == "By the Numbers: Kabul"


def test_the_title_suffix_gives_the_outlet_its_own_spelling() -> None:
    meta = clean_meta(ArticleMeta(title="Taliban take Kabul - US News",
                                  outlet="video.usnews.com"))
    assert (meta.title, meta.outlet) == ("Taliban take Kabul", "US News")


#: A saved page with a site suffix, a site name spelled as a domain, and credits as authors.
PAGE = Path(__file__).resolve().parent / "data" / "suffixed_page.html"


def test_a_saved_page_is_stored_with_clean_metadata(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura", reason="HTML input needs the 'html' extra")
    database = tmp_path / "q.db"
    done = subprocess.run([sys.executable, "-m", "quotedb", "--db", str(database), "ingest",
                           str(PAGE)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(database) as connection:
        title, outlet, authors = connection.execute(
            "select title, outlet, authors from articles").fetchone()
    assert (title, outlet, json.loads(authors)) == ("Troops Head North", "Telegraph", ["Jane Doe"])
