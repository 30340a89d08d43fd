"""What is stored does not depend on the order articles are ingested in.

A speaker's kind is decided by every article that quotes it (the majority,
ties to the first in ``SPEAKER_KINDS``), not by the first one ingested; and a
source whose text was swapped with another's ends up with its new text.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import text

from quotedb import db

from .conftest import POSTGRES_ENV, SEEDS, Quotedb, postgres_database

#: The same speakers given different kinds by different articles.
KINDS = {
    "k1.txt": "“We will not stop,” said Kestrel Bay.\n",  # person
    "k2.txt": "Title: Two\n\n“The harbour stays open,” said the Kestrel Bay.\n",  # organisation
    "k3.txt": "Title: Three\n\n“Fees will rise next year,” said the Kestrel Bay.\n",  # organisation
    "m1.txt": "Title: Four\n\n“Nothing has changed,” said Mr Meridian.\n",  # person
    "m2.txt": "Title: Five\n\n“Everything has changed,” said the Meridian.\n",  # organisation
    # The gender the text gives: Dana Holt two articles to one, Lee Park one each.
    "g1.txt": "Title: Six\n\n“We start today,” said Ms. Dana Holt.\n",
    "g2.txt": "Title: Seven\n\nDana Holt spoke first.\n\n“We start soon,” she said.\n",
    "g3.txt": "Title: Eight\n\nDana Holt spoke first.\n\n“We start later,” he said.\n",
    "g4.txt": "Title: Nine\n\nLee Park spoke first.\n\n“Not yet,” she said.\n",
    "g5.txt": "Title: Ten\n\nLee Park spoke first.\n\n“Not now,” he said.\n",
}


def snapshot(url: str) -> tuple[list[tuple[object, ...]], ...]:
    """Speakers, aliases and quotes by content (names and sources, never ids)."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            def rows(sql: str) -> list[tuple[object, ...]]:
                return sorted(tuple(row) for row in connection.execute(text(sql)))

            return (
                rows("SELECT key, name, kind, gender FROM speakers"),
                rows("SELECT s.key, a.alias, a.key FROM speaker_aliases a "
                     "JOIN speakers s ON s.id = a.speaker_id"),
                rows('SELECT a.source, q.start, q."end", q.text, s.key, q.speaker_mention, q.cue, '
                     "q.fragment, q.rule FROM quotes q JOIN articles a ON a.id = q.article_id "
                     "LEFT JOIN speakers s ON s.id = q.speaker_id"),
            )
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} is not set"))])
def three_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """Three fresh databases on one backend."""
    if request.param == "sqlite":
        yield [f"sqlite:///{tmp_path / f'{n}.db'}" for n in range(3)]
        return
    with ExitStack() as stack:
        yield [stack.enter_context(postgres_database(os.environ[POSTGRES_ENV]))
               for _ in range(3)]


@pytest.fixture
def corpus(tmp_path: Path) -> list[Path]:
    """The seeds and the articles that disagree on kinds, in name order."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    for name, story in KINDS.items():
        (folder / name).write_text(story, encoding="utf-8")
    return sorted(folder.glob("*.txt"))


def test_forward_reverse_and_parallel_ingest_store_the_same(
    three_databases: list[str], corpus: list[Path]
) -> None:
    forward, backward, parallel = three_databases
    runs = [
        (forward, [*map(str, corpus), "--workers", "1"]),
        (backward, [*map(str, reversed(corpus)), "--workers", "1"]),
        (parallel, [str(corpus[0].parent), "--workers", "2", "--batch-size", "3"]),
    ]
    for url, args in runs:
        result = Quotedb(url)("ingest", *args)
        assert result.exit_code == 0, result.output
    stored = snapshot(forward)
    assert snapshot(backward) == stored
    assert snapshot(parallel) == stored
    kinds = {key: kind for key, _, kind, _ in stored[0]}
    assert kinds["kestrel bay"] == "organisation"  # two articles to one
    assert kinds["meridian"] == "person"  # one each: the tie goes to person
    genders = {key: gender for key, _, _, gender in stored[0]}
    assert genders["dana holt"] == "female"  # two articles to one
    assert genders["lee park"] is None  # one each: a tie is no answer
    assert {row[-1] for row in stored[2]} >= {"after", "continuation"}


def test_updating_an_article_takes_back_its_evidence(quotedb: Quotedb, tmp_path: Path) -> None:
    """A changed article's old say about a speaker no longer counts."""
    for name in ("k1.txt", "k2.txt"):
        (tmp_path / name).write_text(KINDS[name], encoding="utf-8")
    assert quotedb("ingest", str(tmp_path), "--workers", "1").exit_code == 0
    assert quotedb("sql", "select kind from speakers").stdout.split()[-1] == "person"
    (tmp_path / "k3.txt").write_text(KINDS["k3.txt"], encoding="utf-8")
    assert quotedb("ingest", str(tmp_path / "k3.txt")).exit_code == 0
    assert quotedb("sql", "select kind from speakers").stdout.split()[-1] == "organisation"
    (tmp_path / "k3.txt").write_text("“Fees will fall,” said Kestrel Bay.\n", encoding="utf-8")
    result = quotedb("ingest", str(tmp_path / "k3.txt"))
    assert "1 updated" in result.stderr
    assert quotedb("sql", "select kind from speakers").stdout.split()[-1] == "person"


def test_swapped_files_follow_their_sources(quotedb: Quotedb, tmp_path: Path) -> None:
    """Two files that swap contents: each source ends up with the text it now holds."""
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    texts = ["“The bridge will open in May,” said Ann Lee.\n",
             "“The school will close in June,” said Tom Ray.\n"]
    first.write_text(texts[0], encoding="utf-8")
    second.write_text(texts[1], encoding="utf-8")
    assert quotedb("ingest", str(tmp_path), "--workers", "1").exit_code == 0
    first.write_text(texts[1], encoding="utf-8")
    second.write_text(texts[0], encoding="utf-8")

    result = quotedb("ingest", str(tmp_path), "--workers", "1")

    assert result.exit_code == 0, result.output
    assert "0 unchanged" in result.stderr and "0 failed" in result.stderr
    rows = json.loads(quotedb("sql", "select a.source, a.text, q.text as quote, s.name "
                                     "from articles a join quotes q on q.article_id = a.id "
                                     "join speakers s on s.id = q.speaker_id order by a.source",
                              "--format", "json").stdout)
    assert [tuple(row.values()) for row in rows] == [
        (str(first), texts[1], "The school will close in June,", "Tom Ray"),
        (str(second), texts[0], "The bridge will open in May,", "Ann Lee"),
    ]
    # Ingesting the same files again changes nothing.
    again = quotedb("ingest", str(tmp_path), "--workers", "1")
    assert "0 new, 2 unchanged, 0 updated" in again.stderr


def test_a_copy_of_another_file_never_deletes_that_file_s_article(
    quotedb: Quotedb, tmp_path: Path
) -> None:
    """A.txt becomes a copy of B.txt, which still holds its text: B keeps its article."""
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("“The bridge will open in May,” said Ann Lee.\n", encoding="utf-8")
    second.write_text("“The school will close in June,” said Tom Ray.\n", encoding="utf-8")
    assert quotedb("ingest", str(tmp_path), "--workers", "1").exit_code == 0
    shutil.copy(second, first)
    result = quotedb("ingest", str(first))
    assert result.exit_code == 0, result.output
    assert "1 unchanged" in result.stderr
    rows = json.loads(quotedb("sql", "select a.source, s.name from articles a "
                                     "join quotes q on q.article_id = a.id "
                                     "join speakers s on s.id = q.speaker_id",
                              "--format", "json").stdout)
    assert [tuple(row.values()) for row in rows] == [(str(second), "Tom Ray")]
