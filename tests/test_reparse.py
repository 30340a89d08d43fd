"""quotedb reparse: stored articles get the installed parser's quotes, crash-safely."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text, update

from quotedb import curation, db, models
from quotedb.parser import PARSER_VERSION

from .conftest import Quotedb


def _quotes(engine: Engine) -> list[tuple[str, int, int, str | None, str | None]]:
    """Every quote as (article source, start, end, speaker, rule): what a parse decides."""
    q, a, s = models.Quote, models.Article, models.Speaker
    with engine.connect() as connection:
        rows = connection.execute(
            select(a.source, q.start, q.end, s.name, q.rule).join(a, a.id == q.article_id)
            .outerjoin(s, s.id == q.speaker_id).order_by(a.source, q.start)).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _age(engine: Engine) -> None:
    """Make the database look stored by an older, worse parser."""
    q, a = models.Quote, models.Article
    with engine.begin() as connection:
        connection.execute(update(a).values(parser_version="1.0.0"))
        connection.execute(update(q).where(q.id % 2 == 0).values(speaker_id=None, rule=None))
        connection.execute(q.__table__.delete().where(q.id % 5 == 0))


@pytest.fixture
def engine(quotedb: Quotedb, seeds_dir: Path) -> Engine:
    """The seeds, ingested by today's parser."""
    assert quotedb("ingest", str(seeds_dir)).exit_code == 0
    return db.make_engine(quotedb.url)


def test_reparse_gives_what_a_fresh_ingest_gives(engine: Engine, quotedb: Quotedb) -> None:
    """Old quotes are replaced by exactly the installed parser's; the rerun has nothing to do."""
    fresh = _quotes(engine)
    _age(engine)
    assert _quotes(engine) != fresh
    result = quotedb("reparse")
    assert result.exit_code == 0, result.output
    assert "articles: 5 re-parsed, 5 changed" in result.output
    assert _quotes(engine) == fresh
    with engine.connect() as connection:
        versions = connection.execute(select(models.Article.parser_version).distinct()).scalars()
        assert list(versions) == [PARSER_VERSION]
    again = quotedb("reparse")
    assert again.exit_code == 0 and "nothing to re-parse" in again.output


def test_dry_run_writes_nothing_and_counts_what_the_run_changes(
        engine: Engine, quotedb: Quotedb) -> None:
    """--dry-run reports the same figures the real run then reports, and changes no row."""
    _age(engine)
    aged = _quotes(engine)
    dry = quotedb("reparse", "--dry-run")
    assert dry.exit_code == 0 and _quotes(engine) == aged
    real = quotedb("reparse")
    figures = dry.output.split("would change")[1]
    assert real.output.split(" changed")[1] == figures


def test_all_reparses_current_articles_without_changing_them(
        engine: Engine, quotedb: Quotedb) -> None:
    """--all takes every article; the same parser gives the same quotes."""
    before = _quotes(engine)
    result = quotedb("reparse", "--all", "--workers", "2", "--batch-size", "2")
    assert result.exit_code == 0 and "5 re-parsed, 0 changed" in result.output
    assert _quotes(engine) == before


def test_curation_holds_after_reparse(engine: Engine, quotedb: Quotedb) -> None:
    """A rename made before the reparse is applied to the speakers it re-creates."""
    with engine.connect() as connection:
        name = connection.execute(select(models.Speaker.name).order_by(models.Speaker.id)
                                  ).scalars().first()
    assert name is not None
    with engine.begin() as connection:
        curation.rename(connection, name, "Renamed Person")
    _age(engine)
    assert quotedb("reparse").exit_code == 0
    names = {row[3] for row in _quotes(engine)}
    assert "Renamed Person" in names and name not in names


def test_speakers_no_longer_quoted_are_removed(engine: Engine, quotedb: Quotedb) -> None:
    """A speaker the old parser invented, quoted nowhere after the reparse, goes."""
    q, s = models.Quote, models.Speaker
    with engine.begin() as connection:
        ghost = connection.execute(s.__table__.insert().values(
            name="Ghost Writer", key="ghost writer", kind="person").returning(s.id)).scalar_one()
        connection.execute(update(q).where(q.id == 1).values(speaker_id=ghost))
        connection.execute(models.SpeakerEvidence.__table__.insert().values(
            speaker_id=ghost, article_id=1, kind="person"))
    _age(engine)
    assert quotedb("reparse").exit_code == 0
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).where(s.name == "Ghost Writer")) == 0


def test_bad_version_is_a_usage_error(quotedb: Quotedb, engine: Engine) -> None:
    """An --older-than that is no version is refused in one line."""
    result = quotedb("reparse", "--older-than", "latest")
    assert result.exit_code == 2 and "not a version" in result.output


def _corpus(folder: Path, seeds_dir: Path, copies: int) -> None:
    """Many distinct articles made from the seeds (a numbered first line each)."""
    folder.mkdir()
    seeds = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    for n in range(copies):
        (folder / f"a{n:04d}.txt").write_text(f"Story {n}.\n\n{seeds[n % len(seeds)]}",
                                              encoding="utf-8")


@pytest.mark.slow
def test_killed_reparse_leaves_each_article_old_or_new_and_the_rerun_finishes(
        db_url: str, seeds_dir: Path, tmp_path: Path) -> None:
    """SIGKILL mid-run: every article has either all its old quotes or all its new ones."""
    folder = tmp_path / "corpus"
    _corpus(folder, seeds_dir, 400)
    quotedb = Quotedb(db_url)
    assert quotedb("ingest", str(folder), "--workers", "1").exit_code == 0
    engine = db.make_engine(db_url)
    fresh = _quotes(engine)
    _age(engine)
    aged = {(row[0], row[1]): row for row in _quotes(engine)}
    assert len(aged) < len(fresh)
    fresh_by_span = {(row[0], row[1]): row for row in fresh}
    env = {**os.environ, "QUOTEDB_URL": db_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "quotedb", "reparse", "--workers", "1", "--batch-size", "4"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    current = select(func.count()).where(models.Article.parser_version == PARSER_VERSION)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                done = connection.scalar(current) or 0
            if done >= 8 or process.poll() is not None:
                break
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    with engine.connect() as connection:
        done = connection.scalar(current) or 0
        versions = dict(connection.execute(text(
            "SELECT source, parser_version FROM articles")).all())
    assert 0 < done < 400, "the kill must land mid-run"
    now = _quotes(engine)
    for source, version in versions.items():
        expected = fresh_by_span if version == PARSER_VERSION else aged
        assert [r for r in now if r[0] == source] == [
            row for key, row in sorted(expected.items()) if key[0] == source]
    assert quotedb("reparse").exit_code == 0
    assert _quotes(engine) == fresh
    engine.dispose()
