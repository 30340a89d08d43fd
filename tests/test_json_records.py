"""Hostile JSON records: each one a one-line error, every good record still stored.

A lone surrogate (``"\\ud800"``), a number longer than Python converts
(4,300 digits) and nesting deeper than the recursion limit each used to
abort the whole ingest with a traceback: nothing of the file was stored and
the files after it were never read.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from quotedb import db, models

from .conftest import Quotedb

DEEP = "[" * 100_000 + "]" * 100_000
BAD_VALUES = {
    "surrogate-text": ('{"id": "bad", "text": "\\ud800 said “hi,” Ann Lee said."}', "text"),
    "surrogate-title": ('{"id": "bad", "text": "“Hi,” said Ann Lee.", "title": "a\\udfff"}',
                        "title"),
    "surrogate-id": ('{"id": "\\ud800", "text": "“Hi,” said Ann Lee."}', "id"),
    "huge-number": ('{"id": "bad", "text": "“Hi,” said Ann Lee.", "date": ' + "9" * 5000 + "}",
                    "number"),
    "deep-nesting": ('{"id": "bad", "text": "“Hi,” said Ann Lee.", "tags": ' + DEEP + "}",
                     "nested"),
}


def good(name: str) -> str:
    return json.dumps({"id": name, "text": f"“We will rebuild the {name},” said Maria Lopez."})


def stored_sources(url: str) -> list[str]:
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            return sorted(session.scalars(select(models.Article.source)))
    finally:
        engine.dispose()


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_bad_jsonl_record_fails_alone(quotedb: Quotedb, tmp_path: Path, case: str) -> None:
    bad, word = BAD_VALUES[case]
    first = tmp_path / "a.jsonl"
    first.write_text("\n".join([good("one"), bad, good("two")]) + "\n", encoding="utf-8")
    second = tmp_path / "b.jsonl"
    second.write_text(good("three") + "\n", encoding="utf-8")
    result = quotedb("ingest", str(first), str(second), "--workers", "1")
    assert result.exit_code == 1
    errors = error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {first}: line 2: ")
    assert word in errors[0]
    assert stored_sources(quotedb.url) == sorted(
        [f"{first}#one", f"{first}#two", f"{second}#three"])


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_bad_record_in_a_json_array_fails_alone(
    quotedb: Quotedb, tmp_path: Path, case: str
) -> None:
    bad, word = BAD_VALUES[case]
    path = tmp_path / "a.json"
    path.write_text("[\n" + ",\n".join([good("one"), bad, good("two")]) + "\n]\n",
                    encoding="utf-8")
    result = quotedb("ingest", str(path), "--workers", "1")
    assert result.exit_code == 1
    errors = error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {path}: record 2")
    assert word in errors[0]
    assert stored_sources(quotedb.url) == [f"{path}#one", f"{path}#two"]


# --- any record at all ------------------------------------------------------

#: JSON source text for a value (not Python objects: surrogates, huge numbers
#: and deep nesting are things json.dumps would not write).
scalars = st.one_of(
    st.just("null"), st.just("true"), st.just("1e999"), st.just("-0"), st.just("NaN"),
    st.integers().map(str),
    st.floats(allow_nan=False).map(lambda f: json.dumps(f)),
    st.text(max_size=30).map(lambda s: json.dumps(s, ensure_ascii=False)),
    st.text(max_size=30).map(json.dumps),
    st.sampled_from(["\"\\ud800\"", "\"x\\udc80y\"", "\"\\udfff\\ud800\"",
                     "\"“Hi,” said \\ud83d Ann Lee.\""]),
    st.integers(4000, 6000).map(lambda n: "7" * n),
    st.integers(500, 120_000).map(lambda n: "[" * n + "]" * n),
    st.integers(500, 120_000).map(lambda n: '{"a":' * n + "1" + "}" * n),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: "[" + ",".join(items) + "]"),
        st.dictionaries(st.sampled_from(["a", "text", "b"]), inner, max_size=3).map(
            lambda d: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in d.items()) + "}"),
    ),
    max_leaves=4,
)
FIELDS = ["id", "text", "body", "title", "date", "url", "outlet", "authors", "headline"]
hostile = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6).map(
    lambda d: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in d.items()) + "}"
) | values | st.text(max_size=20)


@pytest.fixture(scope="module")
def shared_database() -> Iterator[Quotedb]:
    with tempfile.TemporaryDirectory() as folder:
        quotedb = Quotedb(f"sqlite:///{Path(folder) / 'quotes.db'}")
        assert quotedb("db", "upgrade").exit_code == 0
        yield quotedb


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.tuples(st.booleans(), hostile), min_size=1, max_size=6),
       as_array=st.booleans())
def test_any_records_store_every_good_one_without_a_traceback(
    shared_database: Quotedb, lines: list[tuple[bool, str]], as_array: bool
) -> None:
    quotedb = shared_database
    with tempfile.TemporaryDirectory() as folder:
        run = uuid.uuid4().hex[:8]
        path = Path(folder) / (f"{run}.json" if as_array else f"{run}.jsonl")
        records = [good(f"{run}-{n}") if is_good else line.replace("\n", " ")
                   for n, (is_good, line) in enumerate(lines)]
        after = Path(folder) / f"{run}-after.jsonl"
        after.write_text(good(f"{run}-after") + "\n", encoding="utf-8")
        if as_array:
            # A bad record that is not even JSON makes the array unreadable from there on.
            records = [r for r in records if _is_json_text(r)]
            path.write_text("[" + ",\n".join(records) + "]", encoding="utf-8",
                            errors="surrogatepass")
        else:
            path.write_text("\n".join(records) + "\n", encoding="utf-8",
                            errors="surrogatepass")
        result = quotedb("ingest", str(path), str(after), "--workers", "1")
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    assert all(line.startswith(("error: ", "articles: ")) for line in result.stderr.splitlines())
    stored = set(stored_sources(quotedb.url))
    wanted = {f"{path}#{run}-{n}" for n, (is_good, _) in enumerate(lines) if is_good}
    assert wanted <= stored
    assert f"{after}#{run}-after" in stored


def _is_json_text(text: str) -> bool:
    """Whether ``text`` is one JSON value as far as its syntax goes."""
    decoder = json.JSONDecoder()
    try:
        _, end = decoder.raw_decode(text.strip())
    except json.JSONDecodeError:
        return False
    except (ValueError, RecursionError):
        return True  # valid syntax that Python will not convert
    return end == len(text.strip())
