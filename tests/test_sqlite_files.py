"""SQLite files as users name and keep them: odd names, foreign files, read-only media."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from quotedb.cli import cli

STORY = (
    "Ann Lee, the mayor, spoke on Monday.\n\n"
    "“We will open the bridge in May,” Ms Lee said.\n"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("name", ["news?2021.db", "café%20notes.db", "my#1.db", "a b&c=d.db"])
def test_any_file_name_is_the_file_used(tmp_path: Path, name: str) -> None:
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    target = tmp_path / name

    assert run("--db", str(target), "ingest", str(story)).exit_code == 0
    quotes = run("--db", str(target), "quotes", "--format", "json")
    counted = run("--db", str(target), "sql", "select count(*) as n from quotes",
                  "--format", "json")

    assert quotes.exit_code == 0, quotes.output
    assert [q["quote"] for q in json.loads(quotes.stdout)] == ["We will open the bridge in May,"]
    assert counted.exit_code == 0, counted.output
    assert json.loads(counted.stdout) == [{"n": 1}]
    # Only the named file (and SQLite's own side files) exists beside the story.
    made = {p.name for p in tmp_path.iterdir()} - {"story.txt"}
    assert made <= {name, f"{name}-wal", f"{name}-shm"}
    assert name in made


# --- a file that is not quotedb's is never changed -------------------------


def _foreign_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id integer primary key, body text)")
        connection.execute("INSERT INTO notes (body) VALUES ('keep me')")
    connection.close()


def _fingerprint(path: Path) -> tuple[str, str, list[str]]:
    """The file's bytes, its journal mode (read without changing it) and its folder."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    connection.close()
    return digest, mode, sorted(p.name for p in path.parent.iterdir())


@pytest.mark.parametrize("command", [
    ["ingest", "STORY"], ["quotes"], ["speakers"], ["stats"], ["sql", "select 1"],
    ["export"], ["db", "upgrade"],
])
def test_foreign_sqlite_file_is_refused_untouched(tmp_path: Path, command: list[str]) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    foreign = folder / "notes.db"
    _foreign_database(foreign)
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    before = _fingerprint(foreign)

    result = run("--db", str(foreign), *[str(story) if a == "STORY" else a for a in command])

    assert result.exit_code == 1
    assert "not a quotedb database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _fingerprint(foreign) == before
    assert before[1] == "delete" and not (folder / "notes.db-wal").exists()


# --- read-only media ------------------------------------------------------


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder holding a quotedb database (WAL mode, one article) that cannot be written.

    As a normal user, chmod 0555 is enough. Root ignores permissions, so the
    folder is bind-mounted read-only onto itself, which binds root too.
    """
    folder = tmp_path / "media"
    folder.mkdir()
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    assert run("--db", str(folder / "quotes.db"), "ingest", str(story)).exit_code == 0
    assert {p.name for p in folder.iterdir()} == {"quotes.db"}  # checkpointed, closed
    mounted = False
    if os.geteuid() == 0:
        done = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)],
                              capture_output=True)
        mounted = done.returncode == 0
        if not mounted:
            pytest.skip("running as root and cannot bind-mount read-only: "
                        f"{done.stderr.decode().strip()}")
    else:
        folder.chmod(0o555)
    try:
        assert not os.access(folder, os.W_OK)
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)
        folder.chmod(0o755)


@pytest.mark.parametrize("command", [
    ["quotes"], ["speakers"], ["articles"], ["show", "1"], ["stats"],
    ["sql", "select count(*) as n from quotes"], ["export", "--format", "jsonl"],
])
def test_reading_commands_work_on_read_only_media(
    read_only_folder: Path, command: list[str]
) -> None:
    result = run("--db", str(read_only_folder / "quotes.db"), *command)

    assert result.exit_code == 0, result.output
    assert "bridge" in result.stdout or "1" in result.stdout
    assert {p.name for p in read_only_folder.iterdir()} == {"quotes.db"}


def test_ingest_on_read_only_media_fails_in_one_line(read_only_folder: Path,
                                                     tmp_path: Path) -> None:
    story = tmp_path / "other.txt"
    story.write_text(STORY.replace("May", "June"), encoding="utf-8")

    result = run("--db", str(read_only_folder / "quotes.db"), "ingest", str(story))

    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("Error:")
