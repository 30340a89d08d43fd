"""One costly HTML page cannot hold an ingest for minutes or take its memory."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from quotedb import formats
from quotedb.cli import cli

pytest.importorskip("trafilatura", reason="HTML input needs the 'html' extra")

PARAGRAPH = ("<p>“We will open the bridge in May,” said Ann Lee, the mayor, adding that "
             "the council had voted for it on Monday after a long debate.</p>\n")


def page(body: str, head: str = "") -> bytes:
    return (f"<html><head><title>Bridge</title>{head}</head><body><article>"
            f"{PARAGRAPH * 3}{body}</article></body></html>").encode()


def ingest(db: Path, *paths: Path) -> tuple[int, str, list[dict[str, object]]]:
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), "ingest", "--workers", "2", *map(str, paths)],
                           catch_exceptions=False)
    articles = runner.invoke(cli, ["--db", str(db), "articles", "--format", "json"])
    return result.exit_code, result.stderr, json.loads(articles.stdout)


def test_page_with_too_much_markup_is_refused_in_one_line(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(page(PARAGRAPH * (formats.MAX_HTML_BYTES // len(PARAGRAPH) + 1)))
    small = tmp_path / "small.html"
    small.write_bytes(page(""))
    assert big.stat().st_size < 1024 * 1024  # well under --max-size

    code, stderr, articles = ingest(tmp_path / "q.db", big, small)

    assert code == 1
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {big}: {formats.html_markup_bytes(big.read_bytes()):,} bytes of "
                      f"HTML outside scripts and styles, more than the "
                      f"{formats.MAX_HTML_BYTES:,} extracted"]
    assert [a["source"] for a in articles] == [str(small)]


def test_inline_scripts_do_not_count_against_the_html_limit(tmp_path: Path) -> None:
    state = "<script>window.state = {" + '"k": [1, 2, 3], ' * 100_000 + "};</script>"
    saved = tmp_path / "saved.html"
    saved.write_bytes(page("", head=state))
    assert saved.stat().st_size > formats.MAX_HTML_BYTES

    code, stderr, articles = ingest(tmp_path / "q.db", saved)

    assert code == 0, stderr
    assert [a["source"] for a in articles] == [str(saved)]


def test_extraction_is_given_up_at_the_time_limit() -> None:
    # Nested lists: seconds of work per 100 kB for trafilatura, much of it in lxml.
    nested = ("<ul><li>" * 100 + PARAGRAPH + "</li></ul>" * 100) * 120
    data = page(nested)
    assert formats.html_markup_bytes(data) < formats.MAX_HTML_BYTES

    started = time.monotonic()
    result = formats.extract_html("slow.html", data, time_limit=0.5)
    elapsed = time.monotonic() - started

    assert isinstance(result, formats.RecordProblem)
    assert result.message == ("slow.html: gave up extracting the article after 0.5 s "
                              "(the page is too complex)")
    assert elapsed < 3


def test_extraction_in_a_child_gives_the_same_record() -> None:
    data = page("")
    assert formats.extract_html("a.html", data) == formats.extract_html("a.html", data,
                                                                        time_limit=None)
