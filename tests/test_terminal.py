"""Control characters in stored text are shown escaped on screen and kept in exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import regex

from quotedb.stats import format_stats

from .conftest import Quotedb, ingest_story

#: A quote carrying a colour (CSI), a window title (OSC ... BEL) and a C1 CSI.
HOSTILE = "The \x1b[31mred\x1b[0m alert \x1b]0;pwned\x07 is real \x9b2J here,"
STORY = f"“{HOSTILE}” said Ann Lee, the mayor.\n"
#: Anything a terminal could act on, apart from the line breaks of the output itself.
CONTROL = regex.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile(quotedb: Quotedb, tmp_path: Path) -> Quotedb:
    return ingest_story(quotedb, tmp_path / "escapes.txt", STORY)


@pytest.mark.parametrize("command", [["quotes"], ["quotes", "--format", "table"], ["show", "1"]])
def test_screen_output_shows_control_characters_escaped(hostile: Quotedb,
                                                        command: list[str]) -> None:
    result = hostile(*command)
    assert result.exit_code == 0, result.output
    assert not CONTROL.search(result.stdout), repr(result.stdout)
    assert r"\x1b[31mred\x1b[0m alert \x1b]0;pwned\x07 is real \x9b" in result.stdout


def test_show_keeps_line_breaks_and_tabs(quotedb: Quotedb, tmp_path: Path) -> None:
    ingest_story(quotedb, tmp_path / "tabs.txt",
                 "First\tparagraph.\n\n“It is over,” said Ann Lee.\n")
    out = quotedb("show", "1").stdout
    assert "First\tparagraph.\n\n“[[It is over,]]{Ann Lee}” said Ann Lee." in out


def test_stats_table_escapes_speaker_names() -> None:
    text = format_stats({
        "articles": 1, "quotes": 1, "fragments": 0, "speakers": 1, "quotes_per_article": 1.0,
        "unattributed_share": 0.0, "earliest": None, "latest": None,
        "top_speakers": [{"name": "Ann\x1b]0;x\x07 Lee", "quotes": 1}],
        "parser_versions": {"2.0.0": 1}, "quotes_by_gender": {"unknown": 1},
    })
    assert r"Ann\x1b]0;x\x07 Lee" in text and not CONTROL.search(text)


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_exports_keep_control_characters(hostile: Quotedb, fmt: str) -> None:
    result = hostile("export", "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        quotes = [row["quote"] for row in csv.DictReader(io.StringIO(result.stdout))]
    elif fmt == "json":
        quotes = [row["quote"] for row in json.loads(result.stdout)]
    else:
        quotes = [json.loads(line)["quote"] for line in result.stdout.splitlines()]
    assert quotes == [HOSTILE]


def test_parquet_export_keeps_control_characters(hostile: Quotedb, tmp_path: Path) -> None:
    parquet = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "quotes.parquet"
    assert hostile("export", "--format", "parquet", "-o", str(out)).exit_code == 0
    assert parquet.read_table(out).column("quote").to_pylist() == [HOSTILE]
