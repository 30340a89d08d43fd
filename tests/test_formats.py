"""Input formats on real files: saved web pages, JSON Lines, JSON and CSV corpora."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from quotedb.formats import (
    ArticleRecord,
    FieldMap,
    RecordProblem,
    format_for,
    iter_file_records,
    iter_records,
)

DATA = Path(__file__).resolve().parent / "data"
PAGE = DATA / "article_page.html"


def records(path: Path, fmt: str | None = None, **kwargs: object) -> list[ArticleRecord]:
    return [r for r in iter_file_records(path, fmt, **kwargs) if isinstance(r, ArticleRecord)]


def problems(path: Path, fmt: str | None = None) -> list[RecordProblem]:
    return [r for r in iter_file_records(path, fmt) if isinstance(r, RecordProblem)]


def from_bytes(data: bytes, fmt: str, name: str = "in", **kwargs: object) -> list[object]:
    return list(iter_records(name, io.BytesIO(data), fmt, **kwargs))  # type: ignore[arg-type]


# --- choosing a format ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a.txt", "txt"), ("a.text", "txt"), ("README", "txt"), ("a.md", "txt"),
        ("a.html", "html"), ("A.HTM", "html"),
        ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"),
        ("a.json", "json"), ("a.csv", "csv"),
    ],
)
def test_format_comes_from_the_extension(path: str, expected: str) -> None:
    assert format_for(path) == expected


def test_format_override_beats_the_extension() -> None:
    assert format_for("dump.txt", "jsonl") == "jsonl"


def test_unknown_format_override_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown input format 'xml'"):
        format_for("a.xml", "xml")


# --- HTML -----------------------------------------------------------------


@pytest.fixture(scope="module")
def page() -> ArticleRecord:
    pytest.importorskip("trafilatura", reason="HTML input needs the 'html' extra")
    [record] = list(iter_file_records(PAGE))
    assert isinstance(record, ArticleRecord)
    return record


def test_html_text_holds_the_article_quotes(page: ArticleRecord) -> None:
    for quote in (
        "“The United States is not inclined to negotiate surrenders",
        "“If a country accepted them as refugees, we would have no problem",
        "“Would I knowingly let him get out of Kandahar? No I would not,” he said.",
        '"had more to do with Washington than Kabul"',
    ):
        assert quote in page.text


@pytest.mark.parametrize(
    "chrome",
    [
        "Accept all cookies", "We use cookies", "Subscribe today", "Business Desk",
        "ADVERTISEMENT", "Luxury watches", "Refinance your mortgage", "Related stories",
        "Kabul falls", "Refugees mass at the Pakistan border", "Share this article",
        "Privacy policy", "All rights reserved", "dataLayer",
    ],
)
def test_html_text_has_no_page_chrome(page: ArticleRecord, chrome: str) -> None:
    assert chrome not in page.text


@pytest.mark.parametrize(
    "comment",
    ["They will regret this for a generation", "nobody in Whitehall was consulted",
     "Reader from Leeds", "Join the conversation"],
)
def test_html_text_has_no_reader_comments(page: ArticleRecord, comment: str) -> None:
    assert comment not in page.text


def test_html_metadata_comes_from_the_page(page: ArticleRecord) -> None:
    assert (page.meta.title, page.meta.published, page.meta.outlet, page.meta.authors,
            page.meta.url) == (
        "America Will Take No Prisoners",
        date(2001, 11, 20),
        "The Times of London",
        ("Ian Cobain", "Damian Whitworth"),
        "https://www.example-times.co.uk/world/america-will-take-no-prisoners",
    )


def test_html_paragraphs_are_separated_by_blank_lines(page: ArticleRecord) -> None:
    paragraphs = page.text.split("\n\n")
    assert len(paragraphs) == 18
    assert paragraphs[0].startswith("AMERICAN forces attacking Taleban fighters")
    assert "\n" not in paragraphs[0]


def test_html_source_is_the_path(page: ArticleRecord) -> None:
    assert page.source == str(PAGE)


def test_html_page_without_article_text_is_a_problem(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura", reason="HTML input needs the 'html' extra")
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    [problem] = list(iter_file_records(empty))
    assert problem == RecordProblem(str(empty), f"{empty}: no article text found in the page")


def test_html_without_trafilatura_names_the_extra() -> None:
    # A separate interpreter in which trafilatura cannot be imported, as
    # after `pip install quotedb` without the extra.
    script = (
        "import sys; sys.modules['trafilatura'] = None\n"
        "from pathlib import Path\n"
        "from quotedb.formats import iter_file_records\n"
        f"print(next(iter_file_records(Path({str(PAGE)!r}))).message)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == (
        f"{PAGE}: HTML input needs the 'html' extra: pip install 'quotedb[html]'"
    )


# --- JSON Lines -----------------------------------------------------------


def test_jsonl_broken_line_is_reported_with_file_and_line() -> None:
    path = DATA / "corpus.jsonl"
    [problem] = problems(path)
    assert problem.message.startswith(f"{path}: line 3: not valid JSON (")


def test_jsonl_records_around_a_broken_line_come_through() -> None:
    got = records(DATA / "corpus.jsonl")
    assert [r.source.rsplit("#", 1)[1] for r in got] == [
        "times-2001-11-20", "rferl-2001-11-21", "dawn-2013-03-04", "antara-2021-08-24",
        "dawn-2021-08-11",
    ]


def test_jsonl_record_carries_its_metadata() -> None:
    first = records(DATA / "corpus.jsonl")[0].meta
    assert (first.title, first.published, first.url, first.outlet, first.authors) == (
        "America Will Take No Prisoners", date(2001, 11, 20),
        "https://example.org/times/no-prisoners", "The Times", ("Ian Cobain", "Damian Whitworth"),
    )


def test_jsonl_unparseable_date_is_none_not_an_error() -> None:
    last = records(DATA / "corpus.jsonl")[-1]
    assert last.meta.published is None


def test_jsonl_source_falls_back_to_url_then_line_number() -> None:
    data = b'{"url": "https://x.org/a", "text": "A."}\n{"text": "B."}\n'
    assert [r.source for r in from_bytes(data, "jsonl", "c.jsonl")] == [  # type: ignore[attr-defined]
        "c.jsonl#https://x.org/a", "c.jsonl#2",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"title": "no text"}', "in: line 1: no text in fields text/body/content"),
        ('{"text": "   "}', "in: line 1: no text in fields text/body/content"),
        ('["a list"]', "in: line 1: not a JSON object but list"),
        ('{"text": 42}', "in: line 1: field 'text' is int, not text"),
    ],
)
def test_jsonl_record_without_usable_text_is_a_problem(line: str, message: str) -> None:
    assert from_bytes(line.encode(), "jsonl") == [RecordProblem("in", message)]


def test_jsonl_duplicate_id_is_a_problem_not_a_silent_replacement() -> None:
    data = b'{"id": 7, "text": "A."}\n{"id": 7, "text": "B."}\n'
    got = from_bytes(data, "jsonl")
    assert got[1] == RecordProblem("in", "in: line 2: duplicate id '7' (an earlier record has it)")


def test_jsonl_invalid_utf8_line_is_reported_and_the_rest_read() -> None:
    data = b'{"text": "caf\xe9"}\n{"text": "fine"}\n'
    got = from_bytes(data, "jsonl")
    assert got[0] == RecordProblem("in", "in: line 1: not valid UTF-8")
    assert isinstance(got[1], ArticleRecord) and got[1].text == "fine"


def test_jsonl_crlf_in_text_is_normalised_for_offsets() -> None:
    [record] = from_bytes(b'{"text": "one\\r\\n\\r\\ntwo"}\r\n', "jsonl")
    assert isinstance(record, ArticleRecord) and record.text == "one\n\ntwo"


def test_jsonl_line_over_the_limit_is_skipped_and_the_next_read() -> None:
    long = json.dumps({"text": "x" * 500})
    got = from_bytes(f'{long}\n{{"text": "short"}}\n'.encode(), "jsonl", max_bytes=100)
    assert got[0] == RecordProblem("in", "in: line 1: longer than the 100-character limit")
    assert isinstance(got[1], ArticleRecord) and got[1].source == "in#2"


def test_jsonl_list_of_paragraphs_becomes_blank_line_separated_text() -> None:
    [record] = from_bytes(b'{"body": ["First.", "Second."]}\n', "jsonl")
    assert isinstance(record, ArticleRecord) and record.text == "First.\n\nSecond."


def test_field_options_replace_the_default_names() -> None:
    fields = FieldMap.from_options(text="article", title="name", id="guid")
    data = b'{"guid": "g1", "name": "T", "article": "Words.", "text": "ignored"}\n'
    [record] = from_bytes(data, "jsonl", fields=fields)
    assert isinstance(record, ArticleRecord)
    assert (record.source, record.meta.title, record.text) == ("in#g1", "T", "Words.")


def test_field_names_match_regardless_of_case() -> None:
    [record] = from_bytes(b'{"Text": "Words.", "Headline": "H"}\n', "jsonl")
    assert isinstance(record, ArticleRecord) and record.meta.title == "H"


# --- streaming ------------------------------------------------------------


@pytest.fixture
def big_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "big.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(5000):
            text = f"Article {i}. “We will be there,” the minister said. " * 5
            handle.write(json.dumps({"id": i, "text": text}) + "\n")
    return path


def test_jsonl_first_record_arrives_after_reading_a_small_part(big_jsonl: Path) -> None:
    size = big_jsonl.stat().st_size
    with open(big_jsonl, "rb") as handle:
        stream = iter_records(str(big_jsonl), handle, "jsonl")
        assert isinstance(stream, Iterator)
        assert handle.tell() == 0  # nothing is read before the first record is asked for
        first = next(stream)
        assert isinstance(first, ArticleRecord) and first.source.endswith("#0")
        assert handle.tell() < size / 20


def test_jsonl_streams_every_record(big_jsonl: Path) -> None:
    assert sum(1 for r in iter_file_records(big_jsonl) if isinstance(r, ArticleRecord)) == 5000


def test_streamed_input_is_left_open_for_the_caller() -> None:
    stream = io.BytesIO(b'{"text": "A."}\n')
    list(iter_records("in", stream, "jsonl"))
    assert not stream.closed


# --- JSON -----------------------------------------------------------------


def test_json_array_gives_one_record_per_object() -> None:
    got = records(DATA / "corpus.json")
    assert [(r.source.rsplit("#", 1)[1], r.meta.published) for r in got] == [
        ("101", date(2021, 8, 24)), ("102", None),
    ]
    assert got[0].meta.title and got[0].meta.title.startswith("Anti-Taliban Leaders")


def test_json_single_object_is_one_record() -> None:
    [record] = from_bytes(b'{"id": "x", "text": "Words."}', "json", "a.json")
    assert isinstance(record, ArticleRecord) and record.source == "a.json#x"


def test_json_one_object_per_line_is_read_as_json_lines() -> None:
    got = from_bytes(b'{"text": "A."}\n{"text": "B."}\n', "json", "a.json")
    assert [r.source for r in got] == ["a.json#1", "a.json#2"]  # type: ignore[attr-defined]


def test_json_bad_record_in_an_array_names_its_number() -> None:
    got = from_bytes(b'[{"text": "A."}, {"title": "x"}, 3]', "json", "a.json")
    assert got[1:] == [
        RecordProblem("a.json", "a.json: record 2: no text in fields text/body/content"),
        RecordProblem("a.json", "a.json: record 3: not a JSON object but int"),
    ]


def test_json_invalid_document_names_the_line() -> None:
    got = from_bytes(b'[\n{"text": "A."},\n{"text": }\n]', "json", "a.json")
    assert got == [RecordProblem(
        "a.json", "a.json: line 3: not valid JSON (Expecting value); nothing read")]


def test_json_over_the_limit_suggests_json_lines() -> None:
    got = from_bytes(b'[{"text": "A."}]', "json", "a.json", max_bytes=5)
    assert got == [RecordProblem(
        "a.json", "a.json: larger than the 5-byte limit; convert it to JSON Lines, which "
        "is streamed")]


# --- CSV ------------------------------------------------------------------


def test_csv_record_without_text_is_reported_with_file_record_and_line() -> None:
    path = DATA / "corpus.csv"
    [problem] = problems(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("Photo gallery"))
    assert problem.message == (
        f"{path}: record 4 (line {line}): no text in fields text/body/content"
    )


def test_csv_other_records_come_through_with_metadata() -> None:
    got = records(DATA / "corpus.csv")
    assert len(got) == 5
    assert got[0].source == f"{DATA / 'corpus.csv'}#https://example.org/times/no-prisoners"
    assert (got[0].meta.title, got[0].meta.published) == ("America Will Take No Prisoners",
                                               date(2001, 11, 20))


def test_csv_text_keeps_quotes_commas_and_newlines() -> None:
    seed = (DATA.parent.parent / "seeds" / "000_3d4ebcc807a5e502.txt").read_text(encoding="utf-8")
    assert records(DATA / "corpus.csv")[0].text == seed


def test_csv_quoted_field_with_crlf_newlines_and_doubled_quotes() -> None:
    data = b'id,text\r\n1,"He said, ""no.""\r\n\r\nThen, he left."\r\n'
    [record] = from_bytes(data, "csv")
    assert isinstance(record, ArticleRecord)
    assert record.text == 'He said, "no."\n\nThen, he left.'


def test_csv_row_with_wrong_field_count_is_a_problem() -> None:
    got = from_bytes(b"id,text\n1,A.\n2\n3,C.\n", "csv")
    assert got[1] == RecordProblem("in", "in: record 2 (line 3): 1 fields, but the header has 2")
    assert isinstance(got[2], ArticleRecord) and got[2].source == "in#3"


def test_csv_text_longer_than_the_csv_module_default_limit() -> None:
    text = "word " * 40_000  # 200 kB: over csv's 128 KiB default field limit
    [record] = from_bytes(f"text\n{text}\n".encode(), "csv")
    assert isinstance(record, ArticleRecord) and len(record.text) == len(text)


def test_empty_csv_is_a_problem() -> None:
    assert from_bytes(b"", "csv") == [RecordProblem("in", "in: empty CSV file (no header row)")]


# --- plain text -----------------------------------------------------------


def test_txt_file_is_one_record_named_by_its_path(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"He said \xe2\x80\x9chi\xe2\x80\x9d.\r\n")
    assert list(iter_file_records(path)) == [ArticleRecord(str(path), "He said “hi”.\n")]


def test_txt_empty_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("  \n")
    assert list(iter_file_records(path)) == [
        RecordProblem(str(path), f"{path}: empty article (no text)")]
