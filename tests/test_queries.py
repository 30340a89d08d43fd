"""Reading back: quotes filters, speakers, articles, show, sql, export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from quotedb.export import EXPORT_COLUMNS

from .conftest import Quotedb, ingest_story
from .test_ingest import counts


@pytest.fixture
def loaded(quotedb: Quotedb, seeds_dir: Path) -> Quotedb:
    """The CLI on a database holding the five seed articles."""
    result = quotedb("ingest", str(seeds_dir))
    assert result.exit_code == 0, result.output
    return quotedb


def quotes_json(quotedb: Quotedb, *args: str) -> list[dict[str, object]]:
    result = quotedb("quotes", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_speaker_filter_matches_name_or_alias_any_case(loaded: Quotedb) -> None:
    by_name = quotes_json(loaded, "--speaker", "donald RUMSFELD")
    by_alias = quotes_json(loaded, "--speaker", "mr rumsfeld")
    assert len(by_name) >= 5
    assert by_alias == by_name
    assert {row["speaker"] for row in by_name} == {"Donald Rumsfeld"}


def test_search_and_limit(loaded: Quotedb) -> None:
    rows = quotes_json(loaded, "--search", "TALIBAN")
    assert rows and all("taliban" in str(row["quote"]).lower() for row in rows)
    assert len(quotes_json(loaded, "--search", "taliban", "--limit", "2")) == 2


def test_date_filters_use_publication_date(loaded: Quotedb) -> None:
    dated = quotes_json(loaded, "--since", "2001-11-20", "--until", "2001-11-20")
    assert dated and {row["published"] for row in dated} == {"2001-11-20"}
    assert quotes_json(loaded, "--since", "2030-01-01") == []


def test_article_filter(loaded: Quotedb) -> None:
    rows = quotes_json(loaded, "--article", "2")
    assert rows and {row["article_id"] for row in rows} == {2}


def test_quotes_table_is_readable(loaded: Quotedb) -> None:
    result = loaded("quotes", "--limit", "3")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["quote_id", "article_id", "speaker", "cue", "quote"]
    assert len(lines) == 5


def test_speakers_most_quoted_first(loaded: Quotedb) -> None:
    rows = json.loads(loaded("speakers", "--format", "json").stdout)
    assert rows[0]["quotes"] >= rows[-1]["quotes"]
    counts_ = [row["quotes"] for row in rows]
    assert counts_ == sorted(counts_, reverse=True)
    rumsfeld = next(row for row in rows if row["name"] == "Donald Rumsfeld")
    assert "Mr Rumsfeld" in str(rumsfeld["aliases"])


def test_articles_lists_metadata(loaded: Quotedb) -> None:
    rows = json.loads(loaded("articles", "--format", "json").stdout)
    assert len(rows) == 5
    first = rows[0]
    assert first["title"] == "America Will Take No Prisoners"
    assert first["published"] == "2001-11-20"


def test_show_marks_quotes_with_speakers(loaded: Quotedb) -> None:
    result = loaded("show", "1")
    assert result.exit_code == 0
    assert "title:     America Will Take No Prisoners" in result.stdout
    assert "]]{Donald Rumsfeld}" in result.stdout


def test_show_unknown_article(loaded: Quotedb) -> None:
    result = loaded("show", "999")
    assert result.exit_code == 1
    assert "no article with id 999" in result.stderr


def test_export_csv_has_exact_columns(loaded: Quotedb) -> None:
    result = loaded("export", "--format", "csv")
    assert result.exit_code == 0
    reader = csv.reader(io.StringIO(result.stdout))
    header = next(reader)
    assert header == list(EXPORT_COLUMNS)
    assert header == ("quote_id,article_id,article_source,article_title,published,speaker,"
                      "speaker_mention,cue,quote,start,end,fragment,article_url,outlet,copies"
                      ).split(",")
    assert sum(1 for _ in reader) >= 30


def test_export_json_and_jsonl_agree(loaded: Quotedb, tmp_path: Path) -> None:
    out = tmp_path / "q.json"
    assert loaded("export", "--format", "json", "-o", str(out)).exit_code == 0
    as_json = json.loads(out.read_text(encoding="utf-8"))
    lines = loaded("export", "--format", "jsonl").stdout.splitlines()
    assert as_json == [json.loads(line) for line in lines]
    assert list(as_json[0]) == list(EXPORT_COLUMNS)


def test_csv_round_trips_awkward_quote_text(quotedb: Quotedb, tmp_path: Path) -> None:
    article = tmp_path / "awkward.txt"
    article.write_text(
        "“Commas, semicolons; a line that runs on,\n\n"
        '“and a second paragraph with \'inner\' and ""doubled"" marks,” said Ann Lee.\n',
        encoding="utf-8",
    )
    quotedb("ingest", str(article))
    exported = quotedb("export", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    stored = quotes_json(quotedb)
    assert [row["quote"] for row in rows] == [row["quote"] for row in stored]
    assert len(rows) == 1
    assert "\n" in rows[0]["quote"] and "," in rows[0]["quote"] and '""' in rows[0]["quote"]
    assert rows[0]["start"] == str(stored[0]["start"])


def test_sql_reads_with_bound_parameters(loaded: Quotedb) -> None:
    result = loaded(
        "sql", "select count(*) as n from quotes where text like :pattern",
        "-p", "pattern", "%Taliban%", "--format", "json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["n"] > 0


def test_sql_parameter_is_never_interpolated(loaded: Quotedb) -> None:
    result = loaded("sql", "select :v as v", "-p", "v", "x'; drop table quotes; --",
                    "--format", "csv")
    assert result.stdout.splitlines() == ["v", "\"x'; drop table quotes; --\""]  # text: quoted
    assert counts(loaded.url)["quotes"] > 0


@pytest.mark.parametrize(
    "statement",
    [
        "drop table quotes",
        "delete from quotes",
        "update quotes set text = 'x'",
        "insert into speakers (name, key) values ('x', 'x')",
    ],
)
def test_sql_refuses_writes_and_data_survives(loaded: Quotedb, statement: str) -> None:
    before = counts(loaded.url)
    result = loaded("sql", statement)
    assert result.exit_code == 1
    assert "read-only" in result.stderr
    assert "Traceback" not in result.output
    assert counts(loaded.url) == before


def test_sql_reports_bad_sql_in_one_line(loaded: Quotedb) -> None:
    result = loaded("sql", "select nothing from nowhere")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: query failed:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_name_shared_by_two_speakers_with_a_limit(quotedb: Quotedb) -> None:
    """An alias two speakers share: limited results are the first of the full list."""
    from quotedb import db
    from quotedb.ingest import ingest_text
    from quotedb.records import ParsedArticle, Quote, Speaker

    engine = db.make_engine(quotedb.url)
    try:
        db.upgrade(engine)
        for number, (name, alias) in enumerate([("Ann Lee", "Lee"), ("Bo Lee", "Lee")] * 2):
            text = f"“Quote {number} here,” said {name}.\n“And {number} again,” said {alias}."
            quotes = tuple(
                Quote(text[start:end], start, end, 0, speaker=name)
                for start, end in ((1, text.index("”")), (text.index("\n") + 2, text.rindex("”")))
            )
            parsed = ParsedArticle(text, quotes=quotes,
                                   speakers=(Speaker(name, "person", (alias,)),))
            assert ingest_text(engine, f"a{number}.txt", text, parsed).status == "new"
    finally:
        engine.dispose()
    every = quotes_json(quotedb, "--speaker", "lee")
    assert {row["speaker"] for row in every} == {"Ann Lee", "Bo Lee"} and len(every) == 8
    for limit in (1, 3, 5):
        assert quotes_json(quotedb, "--speaker", "LEE", "--limit", str(limit)) == every[:limit]


NAMES = (
    "Cloud deal signed\n\n"
    "“We are all in on the cloud,” said Satya Nadella, the chief executive of Microsoft.\n\n"
    "“The harbour will open in May,” said Hervé De-Lys, the mayor.\n\n"
    "“Nobody asked us,” said Ann Nadal, a union leader.\n"
)
NADELLA, HERVE = {"Satya Nadella"}, {"Hervé De-Lys"}


@pytest.mark.parametrize(("typed", "expected"), [
    ("Nadella", NADELLA), ("nadella", NADELLA), ("Satya Nadella", NADELLA),
    ("  satya NADELLA. ", NADELLA), ("Hervé", HERVE), ("herve", HERVE), ("HERVE DE LYS", HERVE),
    ("de-lys", HERVE), ("Nadal", {"Ann Nadal"}),
    ("Nad", set()), ("ella", set()), ("Satya Nad", set()), ("Nadella Satya", set()),
    ("...", set()),
])
def test_speaker_filter_matches_whole_words_of_a_name_without_accents(
    quotedb: Quotedb, tmp_path: Path, typed: str, expected: set[str]
) -> None:
    ingest_story(quotedb, tmp_path / "names.txt", NAMES)
    assert {row["speaker"] for row in quotes_json(quotedb, "--speaker", typed)} == expected


def test_api_speaker_filter_matches_whole_words_of_a_name(quotedb: Quotedb,
                                                          tmp_path: Path) -> None:
    from quotedb import api

    ingest_story(quotedb, tmp_path / "names.txt", NAMES)
    with api.connect(quotedb.url, create=False) as corpus:
        assert {row["speaker"] for row in corpus.quotes(speaker="nadella")} == NADELLA
        assert {row["speaker"] for row in corpus.quotes(speaker="herve", limit=1)} == HERVE
