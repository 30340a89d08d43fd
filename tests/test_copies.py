"""Syndicated copies at ingest: articles.duplicate_of names the first copy stored."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from quotedb import db, models

from .conftest import Quotedb


def _copy(text: str, byline: str) -> str:
    """A lightly edited copy: another first line, the last paragraph dropped."""
    paragraphs = text.split("\n\n")
    return "\n\n".join([byline, *paragraphs[1:-1]])


def _roots(url: str) -> dict[str, int | None]:
    """Each article's file name and the file name of the first copy it duplicates."""
    a = models.Article
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(a.id, a.source, a.duplicate_of)).all()
    finally:
        engine.dispose()
    names = {row.id: Path(row.source).name for row in rows}
    return {names[row.id]: names.get(row.duplicate_of) for row in rows}  # type: ignore[misc]


@pytest.fixture
def story(seeds_dir: Path) -> str:
    """The longest seed article."""
    return max((p.read_text(encoding="utf-8") for p in seeds_dir.glob("*.txt")), key=len)


def test_copies_in_one_batch_and_across_runs_point_to_the_first(
        quotedb: Quotedb, seeds_dir: Path, story: str, tmp_path: Path) -> None:
    """Distinct stories are no copies; a copy in the same batch or a later run names the first."""
    folder = tmp_path / "one"
    folder.mkdir()
    for path in seeds_dir.glob("*.txt"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "zz_copy.txt").write_text(_copy(story, "By Wire Staff"), encoding="utf-8")
    assert quotedb("ingest", str(folder)).exit_code == 0
    later = tmp_path / "later.txt"
    later.write_text(_copy(story, "Reprinted from the wire"), encoding="utf-8")
    assert quotedb("ingest", str(later)).exit_code == 0
    roots = _roots(quotedb.url)
    original = next(name for name, root in roots.items()
                    if root is None and (folder / name).exists()
                    and (folder / name).read_text(encoding="utf-8") == story)
    assert roots["zz_copy.txt"] == original and roots["later.txt"] == original
    assert sum(root is None for root in roots.values()) == 5  # the five seeds


def test_replacing_the_first_copy_re_roots_its_copies(
        quotedb: Quotedb, story: str, tmp_path: Path) -> None:
    """The first copy's file changes to another text: its copies get a new first copy."""
    first, second, third = (tmp_path / n for n in ("a.txt", "b.txt", "c.txt"))
    first.write_text(story, encoding="utf-8")
    second.write_text(_copy(story, "By A"), encoding="utf-8")
    third.write_text(_copy(story, "By B"), encoding="utf-8")
    for path in (first, second, third):
        assert quotedb("ingest", str(path)).exit_code == 0
    assert _roots(quotedb.url) == {"a.txt": None, "b.txt": "a.txt", "c.txt": "a.txt"}
    first.write_text("“Something else entirely,” said Ann Lee.\n", encoding="utf-8")
    result = quotedb("ingest", str(first))
    assert result.exit_code == 0, result.output
    assert _roots(quotedb.url) == {"a.txt": None, "b.txt": None, "c.txt": "b.txt"}


def _syndicated(quotedb: Quotedb, story: str, tmp_path: Path) -> None:
    """One story run by three outlets: the wire first, two papers with edited copies."""
    records = [
        {"id": "w1", "outlet": "Wire", "text": story},
        {"id": "p1", "outlet": "Paper", "text": _copy(story, "By Paper Staff")},
        {"id": "t1", "outlet": "Times", "text": _copy(story, "From the wire")},
    ]
    path = tmp_path / "copies.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert quotedb("ingest", str(path)).exit_code == 0


def test_a_syndicated_quote_counts_once_unless_all_copies(
        quotedb: Quotedb, story: str, tmp_path: Path) -> None:
    """quotes, export and stats count the first copy; --all-copies lists every copy."""
    _syndicated(quotedb, story, tmp_path)
    once = json.loads(quotedb("quotes", "--json").output)
    every = json.loads(quotedb("quotes", "--json", "--all-copies").output)
    assert once and {row["article_id"] for row in once} == {1}
    assert {row["article_id"] for row in every} == {1, 2, 3} and len(every) > len(once)
    exported = list(csv.DictReader(io.StringIO(quotedb("export").stdout)))
    assert len(exported) == len(once) and {row["copies"] for row in exported} == {"3"}
    stats = json.loads(quotedb("stats", "--format", "json").output)
    assert stats["quotes"] == len(once) and stats["syndicated_copies"] == 2
    assert stats["articles"] == 3


def test_an_outlet_counts_the_copies_it_ran(
        quotedb: Quotedb, story: str, tmp_path: Path) -> None:
    """Asked about the Times, the story counts for it although the wire ran it first."""
    _syndicated(quotedb, story, tmp_path)
    times = json.loads(quotedb("quotes", "--json", "--outlet", "times").output)
    assert times and {row["article_id"] for row in times} == {3}
