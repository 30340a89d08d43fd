"""What a person sees: the quotes search page of ``quotedb browse`` in a real browser."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from quotedb import db
from quotedb.ingest import ingest_paths
from quotedb.sources import find_sources

from .browse_server import running_browse
from .chromium import Chromium, find_chromium
from .conftest import SEEDS

pytest.importorskip("datasette", reason="quotedb browse needs the 'browse' extra (datasette)")
CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no headless browser: install Debian's "
                       "chromium package (apt-get install chromium) to run this check"),
    pytest.mark.skipif(not sys.platform.startswith("linux"),
                       reason="finds the Datasette child through Linux's /proc"),
]

WIDTH, HEIGHT = 1280, 900
#: The first result row's box, and the viewport the page was laid out in.
FIRST_ROW = """JSON.stringify((() => {
    const row = document.querySelector("table.rows-and-columns tbody tr");
    const box = row ? row.getBoundingClientRect() : null;
    return {top: box && box.top, bottom: box && box.bottom,
            text: row ? row.innerText : null, viewport: window.innerHeight};
})())"""


def test_search_results_are_on_the_first_screen(tmp_path: Path) -> None:
    corpus = tmp_path / "quotes.db"
    with db.open_database(str(corpus)) as engine:
        assert ingest_paths(engine, find_sources([str(SEEDS)])).new == 5
    assert CHROMIUM is not None
    shot = tmp_path / "search.png"
    with running_browse(corpus, tmp_path) as browse, \
            Chromium(CHROMIUM, tmp_path / "profile") as chromium:
        search = chromium.open(f"{browse.url}/quotes/quotes?_search=prisoners", WIDTH, HEIGHT)
        chromium.screenshot(search, shot)
        found = json.loads(chromium.evaluate(search, FIRST_ROW))
        plain = chromium.open(f"{browse.url}/quotes/quotes", WIDTH, HEIGHT)
        listed = json.loads(chromium.evaluate(plain, FIRST_ROW))
    assert shot.stat().st_size > 10_000, "an empty screenshot"
    assert found["viewport"] == HEIGHT
    assert found["text"] and "prisoners" in found["text"]
    assert 0 <= found["top"] and found["bottom"] <= HEIGHT, (found, shot)
    assert 0 <= listed["top"] and listed["bottom"] <= HEIGHT, listed
