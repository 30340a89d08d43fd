"""quotedb report: one self-contained HTML page whose charts say what the database says."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from quotedb import connect

from .conftest import Quotedb

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def seeded(quotedb: Quotedb, seeds_dir: Path) -> Quotedb:
    """The seed articles, ingested."""
    assert quotedb("ingest", str(seeds_dir)).exit_code == 0
    return quotedb


def _report(quotedb: Quotedb, tmp_path: Path, *options: str) -> str:
    out = tmp_path / "report.html"
    result = quotedb("report", "-o", str(out), *options)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _bars(page: str) -> dict[str, int]:
    """Speaker -> value of every horizontal bar, read back from the marks' titles."""
    return {name: int(n) for name, n in re.findall(r"<rect [^>]*><title>([^<:]+): (\d+)</title>",
                                                   page)}


def test_figures_match_the_query_api(seeded: Quotedb, tmp_path: Path) -> None:
    """The headline count and each outlet's bars equal what ``Database.quotes`` returns."""
    page = _report(seeded, tmp_path)
    with connect(seeded.url, create=False) as database:
        quotes = list(database.quotes())
        stats = database.stats()
    assert f"<b>{stats['quotes']:,}</b>quotes" in page
    for outlet in {a["outlet"] for a in database.articles() if a["outlet"]}:
        one = _report(seeded, tmp_path, "--outlet", outlet)
        expected: dict[str, int] = {}
        for quote in quotes:
            if quote["speaker"] and quote["article_id"] in {
                    a["article_id"] for a in database.articles(outlet=outlet)}:
                expected[quote["speaker"]] = expected.get(quote["speaker"], 0) + 1
        top = dict(sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:10])
        assert _bars(one) == top


def test_no_network_and_no_script(seeded: Quotedb, tmp_path: Path) -> None:
    """Nothing is fetched when the page opens: no external URL, no script at all."""
    page = _report(seeded, tmp_path)
    assert "<svg" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<script" not in page and "@import" not in page


def test_text_from_articles_is_escaped(quotedb: Quotedb, tmp_path: Path) -> None:
    """An outlet or speaker name from a record cannot inject markup into the page."""
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({
        "id": "x", "outlet": "<script>alert(1)</script>", "date": "2024-03-05",
        "text": "“The bridge is closed,” said Ann Lee, the mayor.\n"}) + "\n", encoding="utf-8")
    assert quotedb("ingest", str(corpus)).exit_code == 0
    page = _report(quotedb, tmp_path, "--title", "<i>T</i>")
    assert "<script>" not in page and "<i>T</i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;i&gt;T&lt;/i&gt;" in page


def test_filters_narrow_the_report(seeded: Quotedb, tmp_path: Path) -> None:
    """A date range with no articles gives a page that says so, not empty charts."""
    page = _report(seeded, tmp_path, "--since", "2030-01-01")
    assert "No quotes match" in page and "<svg" not in page
    assert "published 2030-01-01 to …" in page


def test_stdout_and_refusals(seeded: Quotedb, tmp_path: Path) -> None:
    """-o - prints the page; writing over the database is refused in one line."""
    result = seeded("report", "-o", "-")
    assert result.exit_code == 0 and result.output.startswith("<!doctype html>")
    if seeded.url.startswith("sqlite"):
        database = seeded.url.split("///", 1)[1]
        refused = seeded("report", "-o", database)
        assert refused.exit_code != 0 and "Traceback" not in refused.output
        assert connect(seeded.url, create=False).stats()["quotes"] > 0


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian package chromium)")
def test_charts_render_in_a_real_browser(seeded: Quotedb, tmp_path: Path) -> None:
    """Headless Chromium lays every chart out with visible marks, within the page width."""
    page = _report(seeded, tmp_path)
    probe = """<script>
    const charts = [...document.querySelectorAll('svg.chart')].map(svg => {
      const box = svg.getBoundingClientRect();
      const marks = [...svg.querySelectorAll('rect,circle,polyline')]
        .filter(m => { const b = m.getBoundingClientRect(); return b.width > 0 && b.height > 0; });
      return {w: box.width, h: box.height, right: box.right, marks: marks.length};
    });
    document.body.insertAdjacentHTML('beforeend',
      '<pre id="' + 'probe">' + JSON.stringify({charts, width: innerWidth}) + '</pre>');
    </script>"""
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", probe + "</body>"), encoding="utf-8")
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
         "--dump-dom", probed.as_uri()],
        capture_output=True, text=True, timeout=120, check=True)
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout)
    assert found, done.stderr[-500:]
    result = json.loads(found.group(1).replace("&quot;", '"'))
    assert len(result["charts"]) == page.count("<svg")
    for chart in result["charts"]:
        assert chart["w"] > 100 and chart["h"] > 20 and chart["marks"] > 0
        assert chart["right"] <= result["width"]
