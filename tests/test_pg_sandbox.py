"""``quotedb sql`` on the real PostgreSQL server: the server, not a text filter, keeps it read-only.

Every payload runs three ways: through ``quotedb sql`` as a superuser
(refused before it reaches the server), through ``quotedb sql --read-url`` as
the role ``db create-reader`` makes (refused by the server), and straight
over a plain read-write session of that role, with no quotedb layer at all,
for the payloads that reach beyond the database: the role alone must stop
those. After each, nothing stored has changed, no server file exists, the
superuser's backend is alive and no role gained a power.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from quotedb import api, roles, sandbox
from quotedb.errors import QueryError, UnsafeRole

from .conftest import POSTGRES_ENV, Quotedb, ingest_story, postgres_database
from .snapshot import snapshot

pytestmark = pytest.mark.skipif(not os.environ.get(POSTGRES_ENV),
                                reason=f"{POSTGRES_ENV} is not set")

STORY = "“We will read, never write,” Ann Lee said on Monday.\n"

#: Payloads that reach for the server itself: its programs, files, backends,
#: configuration and roles. {file} is a path no test creates; {pid} is a
#: superuser backend that must survive; {reader} is the reader role.
SERVER = {
    "nested comments hide COPY TO PROGRAM":
        "/* /* */ SELECT */ COPY (SELECT 1) TO PROGRAM 'id > {file}'",
    "\\r ends a line comment before COPY TO file":
        " -- x\rCOPY (SELECT 'hi') TO '{file}' /*\nSELECT */",
    "COPY TO PROGRAM": "COPY (SELECT 1) TO PROGRAM 'touch {file}'",
    "COPY table TO file": "COPY quotes TO '{file}'",
    "COPY after a SELECT": "SELECT 1; COPY (SELECT 1) TO PROGRAM 'touch {file}'",
    "COPY FROM PROGRAM": "CREATE TEMP TABLE t (x text); COPY t FROM PROGRAM 'touch {file}'",
    "lo_export": "SELECT lo_export(lo_from_bytea(0, 'x'), '{file}')",
    "lo_import": "SELECT lo_import('/etc/hostname')",
    "pg_read_file": "SELECT pg_read_file('/etc/hostname')",
    "pg_read_file, unicode escapes": "SELECT pg_read_file(U&'\\002fetc\\002fhostname')",
    "pg_read_file, E-string escapes": "SELECT pg_read_file(E'\\x2fetc\\x2fhostname')",
    "pg_read_binary_file": "SELECT pg_read_binary_file('/etc/hostname')",
    "pg_ls_dir": "SELECT pg_ls_dir('.')",
    "pg_stat_file": "SELECT pg_stat_file('/etc/hostname')",
    "pg_terminate_backend": "SELECT pg_terminate_backend({pid})",
    "pg_cancel_backend": "SELECT pg_cancel_backend({pid})",
    "terminate every other backend":
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = {pid}",
    "pg_reload_conf": "SELECT pg_reload_conf()",
    "pg_switch_wal": "SELECT pg_switch_wal()",
    "pg_stat_reset": "SELECT pg_stat_reset()",
    "replication slot": "SELECT pg_create_physical_replication_slot('quotedb_evil')",
    "pg_rotate_logfile": "SELECT pg_rotate_logfile()",
    "set_config role": "SELECT set_config('role', 'postgres', false)",
    "set_config session_authorization":
        "SELECT set_config('session_authorization', 'postgres', false)",
    "SET ROLE": "SET ROLE postgres",
    "SET ROLE in a function call, dollar-quoted":
        "SELECT 1 FROM (SELECT set_config($q$role$q$, $q$postgres$q$, true)) s",
    "DO block runs COPY":
        "DO $$BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {file}'''; END$$",
    "ALTER ROLE SUPERUSER": "ALTER ROLE {reader} SUPERUSER",
    "GRANT a server role": "GRANT pg_execute_server_program TO {reader}",
    "ALTER SYSTEM": "ALTER SYSTEM SET log_statement = 'all'",
    "dblink": "CREATE EXTENSION IF NOT EXISTS dblink",
    "untrusted language": "CREATE FUNCTION evil() RETURNS int LANGUAGE plpython3u AS 'return 1'",
    "LOAD a library": "LOAD '/tmp/quotedb-evil.so'",
    "CHECKPOINT": "CHECKPOINT",
    "pg_ls_waldir": "SELECT * FROM pg_ls_waldir()",
}

#: PostgreSQL 15 lets any role create a large object, even in a read-only
#: transaction; the transaction quotedb always rolls back is what undoes it.
LARGE_OBJECT = "SELECT lo_from_bytea(0, 'x')"

#: Payloads that try to change the data; the reader's grants and the
#: read-only transaction both refuse them.
DATA = {
    "DELETE": "DELETE FROM quotes",
    "UPDATE": "UPDATE speakers SET name = 'x'",
    "INSERT": "INSERT INTO speakers (name, key, kind) VALUES ('x', 'x', 'person')",
    "DROP TABLE": "DROP TABLE quotes",
    "TRUNCATE": "TRUNCATE quotes CASCADE",
    "data-modifying CTE": "WITH d AS (DELETE FROM quotes RETURNING 1) SELECT * FROM d",
    "two statements": "SELECT 1; DROP TABLE quotes",
    "COMMIT then write": "COMMIT; DROP TABLE quotes",
    "session read-write": "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
    "nextval": "SELECT nextval('quotes_id_seq')",
    "setval": "SELECT setval('quotes_id_seq', 1)",
    "CREATE TABLE": "CREATE TABLE public.evil (x int)",
    "large object": LARGE_OBJECT,
    "ALTER TABLE": "ALTER TABLE quotes ADD COLUMN evil int",
    "comment hides DELETE": "/* SELECT */ DELETE FROM quotes",
}
PAYLOADS = {**SERVER, **DATA}


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_database(os.environ[POSTGRES_ENV]) as url:
        yield url


def _load(url: str, folder: Path) -> Quotedb:
    return ingest_story(Quotedb(url), folder / "story.txt", STORY)


def _make_reader(loaded: Quotedb) -> str:
    """The URL of a read-only role made by the CLI, as the README shows."""
    name = f"{make_url(loaded.url).database}_reader"
    result = loaded("db", "create-reader", name)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture
def loaded(pg_url: str, tmp_path: Path) -> Quotedb:
    return _load(pg_url, tmp_path)


@pytest.fixture
def reader(loaded: Quotedb) -> str:
    return _make_reader(loaded)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Quotedb, str]]:
    """One loaded database and its reader for the payload tables.

    Shared because every payload test asserts that nothing changed: a payload
    that did harm fails its own test, whichever runs first.
    """
    with postgres_database(os.environ[POSTGRES_ENV]) as url:
        loaded = _load(url, tmp_path_factory.mktemp("story"))
        yield loaded, _make_reader(loaded)


@pytest.fixture
def sentinel(shared: tuple[Quotedb, str]) -> Iterator[psycopg.Connection[Any]]:
    """A superuser backend that no payload may kill."""
    dsn = make_url(shared[0].url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        yield connection


def _server_state(url: str) -> dict[str, Any]:
    """What a payload could change outside the tables: roles, slots, stats resets."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                # This database's reader, and who is a superuser: other test
                # runs on the same server make and drop roles of their own.
                "roles": connection.execute(text(
                    "SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, "
                    "array(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b "
                    "ON b.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) "
                    "FROM pg_roles r WHERE r.rolsuper "
                    "OR r.rolname = current_database() || '_reader' ORDER BY 1")).all(),
                "slots": connection.execute(text(
                    "SELECT slot_name FROM pg_replication_slots ORDER BY 1")).all(),
                "stats_reset": connection.execute(text(
                    "SELECT stats_reset FROM pg_stat_database "
                    "WHERE datname = current_database()")).scalar(),
                "large_objects": connection.execute(text(
                    "SELECT count(*) FROM pg_largeobject_metadata")).scalar(),
                "public_tables": connection.execute(text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "ORDER BY 1")).all(),
            }
    finally:
        engine.dispose()


class Probe:
    """One payload's stage: a file it must not create, a backend it must not kill, and
    the stored data and server state it must leave as they are."""

    def __init__(self, loaded: Quotedb, reader: str, sentinel: psycopg.Connection[Any]) -> None:
        self.loaded, self.reader, self.sentinel = loaded, reader, sentinel
        self.file = Path(f"/tmp/quotedb-pwn-{uuid.uuid4().hex}")
        self.pid = sentinel.info.backend_pid
        self.before, self.state = snapshot(loaded.url), _server_state(loaded.url)

    def payload(self, template: str) -> str:
        return (template.replace("{file}", str(self.file)).replace("{pid}", str(self.pid))
                .replace("{reader}", f'"{make_url(self.reader).username}"'))

    def assert_harmless(self) -> None:
        assert snapshot(self.loaded.url) == self.before
        assert _server_state(self.loaded.url) == self.state
        assert not self.file.exists()
        assert self.sentinel.execute("SELECT pg_backend_pid()").fetchone() == (self.pid,)


@pytest.fixture
def probe(shared: tuple[Quotedb, str], sentinel: psycopg.Connection[Any]) -> Probe:
    return Probe(*shared, sentinel)


@pytest.mark.parametrize("template", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_superuser_is_refused_before_the_query_runs(probe: Probe, template: str) -> None:
    loaded = probe.loaded
    result = loaded("sql", "--read-url", loaded.url, probe.payload(template))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: refused:")
    assert "Traceback" not in result.output
    probe.assert_harmless()


@pytest.mark.parametrize("template", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_reader_role_is_refused_by_the_server(probe: Probe, template: str) -> None:
    result = probe.loaded("sql", "--read-url", probe.reader, probe.payload(template))
    if template == LARGE_OBJECT:
        assert result.exit_code == 0, result.output  # runs, and is rolled back (below)
    else:
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("Error:") and len(result.stderr.splitlines()) == 1
    probe.assert_harmless()


@pytest.mark.parametrize("template", list(SERVER.values()), ids=list(SERVER))
def test_reader_role_alone_stops_server_payloads(probe: Probe, template: str) -> None:
    """No quotedb layer: a plain read-write session of the role, multi-statement allowed."""
    dsn = make_url(probe.reader).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("SET default_transaction_read_only = off")
        with pytest.raises(psycopg.Error):
            connection.execute(probe.payload(template).encode())
    probe.assert_harmless()


def test_reader_reads_quotedb_tables(loaded: Quotedb, reader: str) -> None:
    result = loaded("sql", "--read-url", reader, "select count(*) as n from quotes",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"n": 1}]


def test_reader_cannot_read_other_tables(loaded: Quotedb, reader: str) -> None:
    admin = create_engine(loaded.url)
    try:
        with admin.begin() as connection:
            connection.execute(text("CREATE TABLE secrets (x text)"))
    finally:
        admin.dispose()
    result = loaded("sql", "--read-url", reader, "select * from secrets")
    assert result.exit_code == 1
    assert "permission denied for table secrets" in result.stderr


def test_read_url_from_the_environment(loaded: Quotedb, reader: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(roles.READ_URL_ENV, reader)
    result = loaded("sql", "select name from speakers")
    assert result.exit_code == 0, result.output
    assert "Ann Lee" in result.stdout


def test_superuser_refusal_says_how_to_fix_it(loaded: Quotedb) -> None:
    result = loaded("sql", "--read-url", loaded.url, "select 1")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "is a superuser" in result.stderr and "quotedb db create-reader" in result.stderr


def test_member_of_a_server_role_is_refused(loaded: Quotedb, reader: str) -> None:
    name = make_url(reader).username
    admin = create_engine(loaded.url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'GRANT pg_read_server_files TO "{name}"'))
        result = loaded("sql", "--read-url", reader, "select 1")
        assert result.exit_code == 1
        assert "a member of pg_read_server_files" in result.stderr
        # create-reader refuses to bless such a role rather than leave it unsafe.
        again = loaded("db", "create-reader", name)
        assert again.exit_code == 1 and "pg_read_server_files" in again.stderr
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'REVOKE pg_read_server_files FROM "{name}"'))
        admin.dispose()


def test_create_reader_refuses_a_superuser_name(loaded: Quotedb) -> None:
    result = loaded("db", "create-reader", "postgres")
    assert result.exit_code == 1 and "is or can become postgres" in result.stderr
    engine = create_engine(loaded.url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text(
                "SELECT rolsuper FROM pg_roles WHERE rolname = 'postgres'")).scalar() is True
    finally:
        engine.dispose()


def test_statement_timeout_stops_a_runaway_query(loaded: Quotedb, reader: str) -> None:
    engine = create_engine(reader)
    try:
        with pytest.raises(QueryError, match="statement timeout"):
            _columns, rows = sandbox.run_sql(engine, "select pg_sleep(30)", timeout=0.5)
            list(rows)  # the timeout may fire at DECLARE or at the first fetch
    finally:
        engine.dispose()


def test_rows_stream_through_a_server_side_cursor(loaded: Quotedb, reader: str) -> None:
    engine = create_engine(reader)
    try:
        _columns, rows = sandbox.run_sql(engine, "select g from generate_series(1, 100000) g")
        first = next(rows)
        with engine.connect() as other:  # the same role sees its own sessions' queries
            fetching = other.execute(text(
                "SELECT query FROM pg_stat_activity WHERE query LIKE '%quotedb_sql%' "
                "AND pid <> pg_backend_pid()")).scalars().all()
        assert first == (1,)
        assert fetching == ['FETCH FORWARD 2000 FROM "quotedb_sql"']
        assert sum(1 for _ in rows) == 99_999
    finally:
        engine.dispose()


def test_api_sql_refuses_a_superuser(pg_url: str) -> None:
    with api.connect(pg_url, read_url=pg_url) as database, pytest.raises(UnsafeRole):
        database.sql("select 1")


def test_create_reader_needs_postgresql(tmp_path: Path) -> None:
    result = Quotedb(f"sqlite:///{tmp_path / 'q.db'}")("db", "create-reader", "someone")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: create-reader is for PostgreSQL")


def test_create_reader_refuses_a_role_that_owns_the_tables(loaded: Quotedb) -> None:
    """Turning the application's own role into a "reader" would break its ingest."""
    name = f"{make_url(loaded.url).database}_app"
    admin = create_engine(loaded.url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE ROLE "{name}" LOGIN'))
            connection.execute(text(f'ALTER TABLE quotes OWNER TO "{name}"'))
        result = loaded("db", "create-reader", name)
        assert result.exit_code == 1
        assert "an owner of objects in this database" in result.stderr
        with admin.connect() as connection:
            assert connection.execute(text(
                "SELECT rolconfig FROM pg_roles WHERE rolname = :n"), {"n": name}).scalar() is None
            assert connection.execute(text(
                "SELECT has_table_privilege(:n, 'quotes', 'INSERT')"), {"n": name}).scalar()
    finally:
        with admin.begin() as connection:
            connection.execute(text('ALTER TABLE quotes OWNER TO CURRENT_USER'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def test_reader_reads_every_quotedb_table(loaded: Quotedb, reader: str) -> None:
    for table in roles.reader_tables():
        result = loaded("sql", "--read-url", reader, f"select count(*) from {table}")
        assert result.exit_code == 0, (table, result.output)


def test_timeout_is_a_timeout_and_zero_lifts_the_role_default(loaded: Quotedb, reader: str) -> None:
    timed = loaded("sql", "--read-url", reader, "--timeout", "0.5", "select pg_sleep(3)")
    assert timed.exit_code == 1 and timed.stderr.startswith("Error: query timed out")
    admin = create_engine(loaded.url)
    try:
        with admin.begin() as connection:  # a role default shorter than the query
            connection.execute(text(
                f'ALTER ROLE "{make_url(reader).username}" SET statement_timeout = 300'))
        lifted = loaded("sql", "--read-url", reader, "--timeout", "0", "select pg_sleep(0.6)")
        assert lifted.exit_code == 0, lifted.output
    finally:
        admin.dispose()


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_timeout_must_be_finite(loaded: Quotedb, reader: str, value: str) -> None:
    result = loaded("sql", "--read-url", reader, "--timeout", value, "select 1")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: timeout must be a number of seconds")
