"""What the listing commands print: fragments told apart, cell widths, format shortcuts, stdin SQL.

Each test runs the real CLI (or ``Database``) on a real database holding
one article with a quote, an unattributed quote and a fragment.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from quotedb import api
from quotedb.db import is_sqlite
from quotedb.errors import MissingParameter, NoDatabase, NoSuchArticle, UnsafeRole

from .conftest import Quotedb, ingest_story

STORY = """Markets feared a “meltdown” on Monday.

“We will rebuild the bridge before the winter comes and the river rises again,” said \
Maria Lopez, the mayor of the town.

A sign on the closed road read: “Nobody can tell us what happens next.”
"""
LONG_QUOTE = "We will rebuild the bridge before the winter comes and the river rises again,"


@pytest.fixture
def story(quotedb: Quotedb, tmp_path: Path) -> Quotedb:
    """The CLI over a database holding ``STORY`` (on each backend)."""
    return ingest_story(quotedb, tmp_path / "story.txt", STORY)


@pytest.fixture
def story_sqlite(sqlite_url: str, tmp_path: Path) -> Quotedb:
    """``story`` on SQLite only, for what does not depend on the backend."""
    return ingest_story(Quotedb(sqlite_url), tmp_path / "story.txt", STORY)


def run(quotedb: Quotedb, *args: str, input: str | None = None) -> str:
    result = quotedb(*args, input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


# --- item 3: fragments can be told from unattributed quotes -------------------


def test_json_with_fragments_says_which_rows_are_fragments(story: Quotedb) -> None:
    rows = json.loads(run(story, "quotes", "--fragments", "--format", "json"))
    assert [(row["quote"], row["speaker"], row["fragment"]) for row in rows] == [
        ("meltdown", None, True),
        (LONG_QUOTE, "Maria Lopez", False),
        ("Nobody can tell us what happens next.", None, False),
    ]


def test_csv_with_fragments_has_a_fragment_column(story_sqlite: Quotedb) -> None:
    rows = list(csv.DictReader(io.StringIO(run(story_sqlite, "quotes", "--fragments", "--csv"))))
    assert [(row["quote"], row["fragment"]) for row in rows] == [
        ("meltdown", "true"), (LONG_QUOTE, "false"),
        ("Nobody can tell us what happens next.", "false"),
    ]


def test_table_with_fragments_has_a_fragment_column(story_sqlite: Quotedb) -> None:
    lines = run(story_sqlite, "quotes", "--fragments").splitlines()
    assert lines[0].split() == ["quote_id", "article_id", "speaker", "cue", "fragment", "quote"]
    assert lines[2].split()[-2:] == ["true", "meltdown"]


def test_without_fragments_rows_keep_their_columns(story_sqlite: Quotedb) -> None:
    rows = json.loads(run(story_sqlite, "quotes", "--json"))
    assert len(rows) == 2 and all("fragment" not in row for row in rows)


def test_api_quotes_with_fragments_say_which(sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    with api.connect(sqlite_url) as corpus:
        corpus.ingest(tmp_path / "story.txt")
        assert [row["fragment"] for row in corpus.quotes(fragments=True)] == [True, False, False]
        frame_columns = list(corpus.quotes(fragments=True))[0]
    assert list(frame_columns)[-1] == "fragment"


# --- item 8: cell widths and format shortcuts ---------------------------------


def test_quotes_table_cuts_cells_at_60_by_default(story_sqlite: Quotedb) -> None:
    out = run(story_sqlite, "quotes")
    assert LONG_QUOTE[:59] + "…" in out and LONG_QUOTE not in out


def test_quotes_width_sets_the_cut(story_sqlite: Quotedb) -> None:
    out = run(story_sqlite, "quotes", "--width", "20")
    assert LONG_QUOTE[:19] + "…" in out and LONG_QUOTE[:20] not in out


def test_quotes_no_truncate_shows_whole_cells(story_sqlite: Quotedb) -> None:
    assert LONG_QUOTE in run(story_sqlite, "quotes", "--no-truncate")


def test_sql_table_shows_whole_cells_by_default(story_sqlite: Quotedb) -> None:
    out = run(story_sqlite, "sql", "select text from quotes where text like 'We will%'")
    assert out.splitlines()[2] == LONG_QUOTE


def test_sql_width_cuts_when_asked(story_sqlite: Quotedb) -> None:
    out = run(story_sqlite, "sql", "select text from quotes where text like 'We will%'",
              "--width", "10")
    assert out.splitlines()[2] == LONG_QUOTE[:9] + "…"


@pytest.mark.parametrize(("shortcut", "fmt"), [
    ("--csv", "csv"), ("--json", "json"), ("--nl", "jsonl"), ("-t", "table"), ("--table", "table"),
])
@pytest.mark.parametrize("command", ["quotes", "speakers", "articles"])
def test_shortcut_is_its_format(story_sqlite: Quotedb, command: str, shortcut: str,
                                fmt: str) -> None:
    assert run(story_sqlite, command, shortcut) == run(story_sqlite, command, "--format", fmt)


def test_sql_shortcuts(story_sqlite: Quotedb) -> None:
    query = "select count(*) as n from quotes"
    assert run(story_sqlite, "sql", query, "--csv") == "n\n3\n"
    assert json.loads(run(story_sqlite, "sql", query, "--json")) == [{"n": 3}]
    assert run(story_sqlite, "sql", query, "--nl") == '{"n": 3}\n'


def test_two_formats_at_once_is_a_usage_error(story_sqlite: Quotedb) -> None:
    result = story_sqlite("quotes", "--csv", "--format", "json")
    assert result.exit_code == 2
    assert result.stderr == "Error: choose one output format, not csv and json\n"


def test_sql_dash_reads_the_query_from_stdin(story_sqlite: Quotedb) -> None:
    out = run(story_sqlite, "sql", "-", "--csv", "-p", "f", "1",
              input="select count(*) as n\nfrom quotes where fragment = :f\n")
    assert out == "n\n1\n"


# --- the library's messages name no CLI options; the CLI adds them ---------------


def test_missing_parameter_library_message_names_no_option(story_sqlite: Quotedb) -> None:
    with api.connect(story_sqlite.url, read_only=True) as corpus, \
            pytest.raises(MissingParameter) as caught:
        corpus.sql("select * from quotes where id = :wanted")
    assert str(caught.value) == "query failed: no value for :wanted"


def test_missing_parameter_cli_message_says_how(story_sqlite: Quotedb) -> None:
    result = story_sqlite("sql", "select * from quotes where id = :wanted")
    assert result.exit_code == 1
    assert result.stderr == ("Error: query failed: no value for :wanted; "
                             "pass -p wanted VALUE\n")


def test_show_returns_the_article_and_its_spans(story_sqlite: Quotedb) -> None:
    with api.connect(story_sqlite.url, read_only=True) as corpus:
        article = corpus.show(1)
        with pytest.raises(NoSuchArticle):
            corpus.show(2)
    assert (article.quote_count, article.fragment_count) == (2, 1)
    assert [article.text[q.start:q.end] for q in article.quotes][0] == "meltdown"
    assert [q.speaker for q in article.quotes] == [None, "Maria Lopez", None]


def test_bad_since_date_is_one_line(story_sqlite: Quotedb) -> None:
    result = story_sqlite("quotes", "--since", "2001-13-45")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--since': '2001-13-45' is not a date (YYYY-MM-DD)")


def test_unsafe_role_hint_names_read_url_only_in_the_cli(story: Quotedb) -> None:
    if is_sqlite(story.url):
        pytest.skip("PostgreSQL only: SQLite has no roles")
    with api.connect(story.url, read_url=story.url) as corpus, \
            pytest.raises(UnsafeRole) as caught:
        corpus.sql("select 1")
    assert "--" not in str(caught.value)
    result = story("sql", "--read-url", story.url, "select 1")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {caught.value}; give its URL as --read-url " \
                            "(or $QUOTEDB_READ_URL)\n"


def test_read_only_connect_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NoDatabase, match="no database at"):
        api.connect(tmp_path / "typo.db", read_only=True)
    assert not (tmp_path / "typo.db").exists()
