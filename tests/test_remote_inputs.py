"""Inputs named by fsspec URLs: listed like folders, read where the work runs.

``file://`` URLs stand in for object storage: the same fsspec code lists and
opens them as it would ``s3://`` or ``gs://`` with their packages installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quotedb import connect

from .conftest import Quotedb, seeds_dir  # noqa: F401 - the fixture

pytest.importorskip("fsspec", reason="fsspec is not installed (extra 'dask'): URL inputs skipped")


def test_a_folder_url_ingests_its_matching_files_in_order_as_urls(
    db_url: str, seeds_dir: Path  # noqa: F811
) -> None:
    (seeds_dir / "notes.md").write_text('"Not an article," he said.\n', encoding="utf-8")
    with connect(db_url) as database:
        outcomes: list[str] = []
        summary = database.ingest(seeds_dir.as_uri(),
                                  on_outcome=lambda o: outcomes.append(o.source))
    assert outcomes == [p.as_uri() for p in sorted(seeds_dir.glob("*.txt"))]
    assert summary.line() == ("articles: 5 new, 0 unchanged, 0 updated, 0 failed; "
                              "stored 37 quotes, 5 fragments; speakers: 17 new")


def test_a_jsonl_url_is_streamed_record_by_record(db_url: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join([
        json.dumps({"id": "a", "text": '"It is over," said Ann Lee.'}),
        "{not json",
        json.dumps({"id": "b", "text": '"We won," Bob Stone said.'}),
    ]) + "\n", encoding="utf-8")
    result = Quotedb(db_url)("ingest", corpus.as_uri())
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"error: {corpus.as_uri()}: line 2: not valid JSON "
        "(Expecting property name enclosed in double quotes)",
        "articles: 2 new, 0 unchanged, 0 updated, 1 failed; stored 2 quotes, 0 fragments; "
        "speakers: 2 new",
    ]
    sources = Quotedb(db_url)("articles", "--csv").output
    assert f"{corpus.as_uri()}#a" in sources and f"{corpus.as_uri()}#b" in sources


def test_unreadable_urls_are_one_line_each_and_the_rest_ingest(
    db_url: str, seeds_dir: Path  # noqa: F811
) -> None:
    missing = (seeds_dir / "gone").as_uri()
    result = Quotedb(db_url)("ingest", "nosuch://host/x", missing,
                             (seeds_dir / "000_3d4ebcc807a5e502.txt").as_uri())
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "error: nosuch://host/x: cannot list: Protocol not known: nosuch",
        f"error: {missing}: no such file or folder",
        "articles: 1 new, 0 unchanged, 0 updated, 2 failed; stored 8 quotes, 1 fragment; "
        "speakers: 4 new",
    ]
