"""Speaker curation: merge, rename and set, stored as decisions that survive new ingests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from quotedb import curation, db, models

from .conftest import Quotedb

STORIES = {
    "a.txt": "“The bridge is closed,” said Ann Lee, the mayor. “We are working on it,” she said.\n",
    "b.txt": "“We will reopen it soon,” said Ann B. Lee, the mayor of the town.\n",
    "c.txt": "“Traffic is heavy,” said Tom Hart, a driver.\n\n“It is a mess,” said Bill Smith.\n",
}


@pytest.fixture
def engine(quotedb: Quotedb, tmp_path: Path) -> Iterator[Engine]:
    """A database holding the three stories."""
    folder = tmp_path / "stories"
    folder.mkdir()
    for name, text in STORIES.items():
        (folder / name).write_text(text, encoding="utf-8")
    assert quotedb("ingest", str(folder)).exit_code == 0
    engine = db.make_engine(quotedb.url)
    try:
        yield engine
    finally:
        engine.dispose()


def _speakers(engine: Engine) -> dict[str, int]:
    """Each speaker's name with how many quotes it has."""
    s, q = models.Speaker, models.Quote
    with engine.connect() as connection:
        names = connection.execute(select(s.name)).scalars().all()
        quoted = connection.execute(select(s.name).join(q, q.speaker_id == s.id)).scalars().all()
    return {name: quoted.count(name) for name in names}


def _aliases(engine: Engine, name: str) -> set[str]:
    s, a = models.Speaker, models.SpeakerAlias
    with engine.connect() as connection:
        return set(connection.execute(
            select(a.alias).join(s, s.id == a.speaker_id).where(s.name == name)).scalars())


def _ingest(quotedb: Quotedb, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = quotedb("ingest", str(path))
    assert result.exit_code == 0, result.output


def test_merge_moves_quotes_and_aliases(engine: Engine) -> None:
    """B's quotes go to A, B's name becomes A's alias, and B is gone."""
    with engine.begin() as connection:
        curation.merge(connection, "ann lee", "Ann B. Lee")
    speakers = _speakers(engine)
    assert speakers["Ann Lee"] == 3 and "Ann B. Lee" not in speakers
    assert "Ann B. Lee" in _aliases(engine, "Ann Lee")


def test_merge_survives_a_new_article_naming_the_merged_speaker(
        engine: Engine, quotedb: Quotedb, tmp_path: Path) -> None:
    """Ingest re-creates "Ann B. Lee" from the text; the stored decision merges it again."""
    with engine.begin() as connection:
        curation.merge(connection, "Ann Lee", "Ann B. Lee")
    _ingest(quotedb, tmp_path, "d.txt", "“The bridge opens Monday,” said Ann B. Lee.\n")
    speakers = _speakers(engine)
    assert speakers["Ann Lee"] == 4 and "Ann B. Lee" not in speakers


def test_merge_of_two_speakers_quoted_in_one_article(
        engine: Engine, quotedb: Quotedb, tmp_path: Path) -> None:
    """Both speakers' evidence from one article becomes one vote, not a key clash."""
    _ingest(quotedb, tmp_path, "e.txt",
            "“It is late,” said Tom Hart, a driver.\n\n“It is,” said Thomas Hart, a driver.\n")
    with engine.begin() as connection:
        curation.merge(connection, "Tom Hart", "Thomas Hart")
    assert _speakers(engine)["Tom Hart"] == 3
    with engine.connect() as connection:
        votes = connection.execute(select(models.SpeakerEvidence.article_id).join(
            models.Speaker).where(models.Speaker.name == "Tom Hart")).scalars().all()
    assert len(votes) == len(set(votes)) == 2


def test_rename_keeps_the_old_name_as_alias_and_holds_after_ingest(
        engine: Engine, quotedb: Quotedb, tmp_path: Path) -> None:
    """Renamed once; a later article naming the old spelling lands on the new name."""
    with engine.begin() as connection:
        curation.rename(connection, "Bill Smith", "William Smith")
    assert "William Smith" in _speakers(engine) and "Bill Smith" not in _speakers(engine)
    assert "Bill Smith" in _aliases(engine, "William Smith")
    _ingest(quotedb, tmp_path, "f.txt", "“Roads are bad,” said Bill Smith.\n")
    speakers = _speakers(engine)
    assert speakers["William Smith"] == 2 and "Bill Smith" not in speakers


def test_rename_to_an_existing_name_merges(engine: Engine) -> None:
    """Renaming onto another speaker's name makes them one speaker."""
    with engine.begin() as connection:
        curation.rename(connection, "Ann B. Lee", "ann lee")
    speakers = _speakers(engine)
    assert "Ann B. Lee" not in speakers and speakers["Ann Lee"] == 3


def test_set_overrides_what_the_text_says_and_holds_after_ingest(
        engine: Engine, quotedb: Quotedb, tmp_path: Path) -> None:
    """A set gender wins over a new article's "she said" vote."""
    with engine.begin() as connection:
        curation.set_attributes(connection, "Ann Lee", gender="male", kind="person")
    _ingest(quotedb, tmp_path, "g.txt",
            "“It is fine,” said Ann Lee. “Really fine,” she said.\n")
    with engine.connect() as connection:
        gender = connection.execute(select(models.Speaker.gender).where(
            models.Speaker.name == "Ann Lee")).scalar_one()
    assert gender == "male"
    with engine.begin() as connection:
        curation.set_attributes(connection, "Ann Lee", gender="unknown")
    with engine.connect() as connection:
        assert connection.execute(select(models.Speaker.gender).where(
            models.Speaker.name == "Ann Lee")).scalar_one() is None


@pytest.mark.parametrize(("call", "message"), [
    (lambda c: curation.merge(c, "Ann Lee", "Nobody Here"), "no speaker named 'Nobody Here'"),
    (lambda c: curation.merge(c, "Ann Lee", "ANN LEE"), "are the same speaker"),
    (lambda c: curation.rename(c, "Ann Lee", "..."), "not a name"),
    (lambda c: curation.set_attributes(c, "Ann Lee", kind="robot"), "unknown kind 'robot'"),
    (lambda c: curation.set_attributes(c, "Ann Lee", gender="x"), "unknown gender 'x'"),
    (lambda c: curation.set_attributes(c, "Ann Lee"), "nothing to set"),
    (lambda c: curation.forget(c, 999), "no curation decision 999"),
])
def test_bad_requests_are_refused_and_store_nothing(engine: Engine, call: object,
                                                    message: str) -> None:
    """Every refusal says why, and no decision is stored."""
    with engine.begin() as connection, pytest.raises(curation.CurationError, match=message):
        call(connection)  # type: ignore[operator]
    with engine.connect() as connection:
        assert curation.decisions(connection) == []


def test_decisions_are_listed_in_order_and_can_be_forgotten(engine: Engine) -> None:
    """The log shows each fix as typed; a forgotten one is no longer replayed."""
    with engine.begin() as connection:
        curation.rename(connection, "Bill Smith", "William Smith")
        first = curation.set_attributes(connection, "Tom Hart", kind="person")
    with engine.begin() as connection:
        shown = [d.describe() for d in curation.decisions(connection)]
        assert shown == ["rename 'Bill Smith' -> 'William Smith'", "set 'Tom Hart' --kind person"]
        curation.forget(connection, first.id)
        assert len(curation.decisions(connection)) == 1
        assert curation.apply_decisions(connection) == 0  # already applied: nothing changes


def test_similar_speakers_pairs_compatible_names_only(engine: Engine) -> None:
    """Same surname with compatible given names is listed; other people are not."""
    with engine.connect() as connection:
        pairs = curation.similar_speakers(connection)
    assert [(p.name, p.other, p.reason) for p in pairs] == [
        ("Ann Lee", "Ann B. Lee", "middle name")]


def test_cli_merge_set_decisions_forget_and_similar(engine: Engine, quotedb: Quotedb) -> None:
    """The speakers subcommands call the library and say what they stored, in one line."""
    similar = quotedb("speakers", "--similar", "--csv")
    assert similar.exit_code == 0
    assert similar.output.splitlines()[1:] == ['"Ann Lee",2,"Ann B. Lee",1,"middle name"']
    merged = quotedb("speakers", "merge", "Ann Lee", "ann b. lee")
    assert merged.exit_code == 0 and "decision 1: merge 'Ann Lee' <- 'Ann B. Lee'" in merged.output
    assert quotedb("speakers", "set", "Tom Hart", "--gender", "male").exit_code == 0
    listed = quotedb("speakers", "decisions", "--nl").output.splitlines()
    assert len(listed) == 2 and "set 'Tom Hart' --gender male" in listed[1]
    assert "forgot decision 2" in quotedb("speakers", "forget", "2").output
    refused = quotedb("speakers", "rename", "Nobody", "X")
    assert refused.exit_code == 1
    assert refused.output.strip() == "Error: no speaker named 'Nobody'"
    assert quotedb("speakers", "set", "Tom Hart", "--kind", "robot").exit_code == 2
    names = {row["name"] for row in json.loads(quotedb("speakers", "--json").output)}
    assert "Ann Lee" in names and "Ann B. Lee" not in names
