"""Shared fixtures: real databases, never mocks.

``db_url`` gives each test a fresh SQLite file under ``tmp_path`` and, when
``QUOTEDB_TEST_POSTGRES_URL`` names a PostgreSQL server, runs the test a second
time on a database of its own there (created before, dropped after).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from quotedb import roles
from quotedb.cli import cli
from quotedb.db import is_sqlite, make_engine

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
POSTGRES_ENV = "QUOTEDB_TEST_POSTGRES_URL"


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A private copy of the seed articles (without gold.jsonl)."""
    target = tmp_path / "seeds"
    target.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'quotes.db'}"



@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server; dropped afterwards."""
    name = f"quotedb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                # Roles are the cluster's: drop the reader reader_url() made.
                connection.execute(text(f'DROP ROLE IF EXISTS "{name}_reader"'))
    finally:
        admin.dispose()


def _backends() -> list[object]:
    skip = pytest.mark.skip(reason=f"{POSTGRES_ENV} is not set: PostgreSQL runs skipped")
    return [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql",
                     marks=() if os.environ.get(POSTGRES_ENV) else skip),
    ]


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each backend under test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'quotes.db'}"
        return
    with postgres_database(os.environ[POSTGRES_ENV]) as url:
        yield url


def reader_url(url: str) -> str:
    """The URL ``quotedb sql`` runs user SQL with: a read-only role on PostgreSQL.

    On PostgreSQL this (re)makes ``<database>_reader`` with ``create_reader``,
    so call it after the tables exist; SQLite needs no role and gets ``url``.
    """
    if is_sqlite(url):
        return url
    engine = make_engine(url)
    try:
        return roles.create_reader(engine, f"{make_url(url).database}_reader")
    finally:
        engine.dispose()


class Quotedb:
    """Runs the real CLI in-process against one database."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str, input: str | bytes | None = None) -> Result:
        runner = CliRunner()
        env = {}
        if args and args[0] == "sql" and "--read-url" not in args and not is_sqlite(self.url):
            # As the README says to: a superuser is refused for user SQL.
            self("db", "upgrade")
            env[roles.READ_URL_ENV] = reader_url(self.url)
        return runner.invoke(cli, ["--db", self.url, *args], input=input, env=env,
                             catch_exceptions=False)


def ingest_story(quotedb: Quotedb, path: Path, text: str) -> Quotedb:
    """Write one article to ``path`` and ingest it; the CLI, ready for queries."""
    path.write_text(text, encoding="utf-8")
    result = quotedb("ingest", str(path))
    assert result.exit_code == 0, result.output
    return quotedb


@pytest.fixture
def quotedb(db_url: str) -> Quotedb:
    """The CLI bound to a fresh database on each backend."""
    return Quotedb(db_url)
