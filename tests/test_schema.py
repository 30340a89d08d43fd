"""Opening databases: creation on first use, revision checks, the db commands."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import inspect

from quotedb import db

from .conftest import Quotedb


def test_new_database_is_created_and_migrated_by_the_first_ingest(
    quotedb: Quotedb, tmp_path: Path
) -> None:
    story = tmp_path / "quiet.txt"
    story.write_text("Nobody said anything today.\n", encoding="utf-8")
    ingested = quotedb("ingest", str(story))
    assert ingested.exit_code == 0, ingested.output
    result = quotedb("articles", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "article_id,source,title,published,outlet,authors,quotes,url"
    )
    engine = db.make_engine(quotedb.url)
    try:
        assert db.current_revision(engine) == db.head_revision()
        assert {"articles", "speakers", "speaker_aliases", "quotes"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_unknown_revision_is_refused_as_from_a_newer_quotedb(quotedb: Quotedb) -> None:
    engine = db.make_engine(quotedb.url)
    try:
        db.upgrade(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'base_older'")
    finally:
        engine.dispose()
    result = quotedb("quotes")
    assert result.exit_code == 1
    assert "newer version" in result.stderr
    assert "Traceback" not in result.output


def test_database_at_previous_revision_asks_for_upgrade(
    quotedb: Quotedb, monkeypatch: object
) -> None:
    engine = db.make_engine(quotedb.url)
    try:
        db.upgrade(engine)
    finally:
        engine.dispose()
    # Pretend this quotedb knows a newer head than the database holds.
    import pytest

    mp = pytest.MonkeyPatch()
    try:
        current = db.head_revision()
        mp.setattr(db, "head_revision", lambda: "9999_future")
        mp.setattr(db, "history", lambda: [("9999_future", current, "future"),
                                           (current, None, "initial")])
        result = quotedb("quotes")
    finally:
        mp.undo()
    assert result.exit_code == 1
    assert "run `quotedb db upgrade`" in result.stderr
    assert "Traceback" not in result.output


def test_sqlite_settings_are_on(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        engine.dispose()


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE mine (x)")
    result = Quotedb(str(path))("quotes")
    assert result.exit_code == 1
    assert "not a quotedb database" in result.stderr


def test_db_commands_round_trip(quotedb: Quotedb) -> None:
    before = quotedb("db", "current")
    if db.is_sqlite(quotedb.url):  # reading a file that is not there would create it
        assert before.exit_code == 1
        assert before.stderr.startswith("Error: no database at ")
    else:
        assert before.stdout.startswith("empty")
    up = quotedb("db", "upgrade")
    assert up.exit_code == 0, up.output
    head = db.head_revision()
    assert quotedb("db", "current").stdout.strip() == f"{head} (head)"
    assert head in quotedb("db", "history").stdout
    down = quotedb("db", "downgrade", "base", "--yes")
    assert down.exit_code == 0, down.output
    assert "back up" in down.stderr
    assert quotedb("db", "current").stdout.startswith("empty")


def test_downgrade_without_yes_needs_confirmation(quotedb: Quotedb) -> None:
    quotedb("db", "upgrade")
    result = quotedb("db", "downgrade", "base", input="n\n")
    assert result.exit_code == 1
    assert quotedb("db", "current").stdout.startswith(db.head_revision())


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = Quotedb(str(tmp_path / "nope" / "q.db"))("db", "upgrade")
    assert result.exit_code == 1
    assert "folder does not exist" in result.stderr
    assert not (tmp_path / "nope").exists()


def test_head_revision_constant_is_alembics_head() -> None:
    """``db.HEAD_REVISION`` spares every command an Alembic import: it must stay true."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    assert scripts.get_heads() == [db.HEAD_REVISION]


def test_checking_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "q.db"
    url = db.resolve_url(str(path))
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
    finally:
        engine.dispose()
    probe = ("import sys; from quotedb import db; "
             f"e = db.make_engine({url!r}); db.check_schema(e); "
             "print('alembic' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
