"""Engines, sessions and schema management for SQLite and PostgreSQL.

Everything that knows about database URLs, connection settings and Alembic
lives here, so the CLI and the library API open databases the same way.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import NullPool

from .errors import (
    BadDatabaseURL,
    DatabaseError,
    NoDatabase,
    NotAQuotedbDatabase,
    SchemaOutOfDate,
    SchemaTooNew,
    UnknownRevision,
)

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only where a migration or the revision list is needed:
# it is ~0.3 s of every command's start-up, and an up-to-date database (the
# usual case) is checked without it (see check_schema).

DEFAULT_DB = "quotes.db"
ENV_VAR = "QUOTEDB_URL"
#: How long a SQLite writer waits for another writer's lock (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 30_000


def resolve_url(db: str | None) -> str:
    """Turn ``--db`` / ``QUOTEDB_URL`` / the default into a SQLAlchemy URL.

    Raises:
        BadDatabaseURL: the value holds a NUL character.

    A bare path means a SQLite file; it is made absolute so that a URL keeps
    meaning the same file whatever directory Alembic or a worker runs in.

    >>> resolve_url("postgresql+psycopg://u@h/db")
    'postgresql+psycopg://u@h/db'
    >>> resolve_url("/tmp/q.db")
    'sqlite:////tmp/q.db'
    """
    value = _given(db)
    if "\x00" in value:  # no file or server name holds one; Path() would raise ValueError
        raise BadDatabaseURL(f"bad database URL {value!r}: contains a NUL character")
    if "://" in value:
        return value
    return sqlite_url(Path(value).expanduser().resolve())


def _given(db: str | None) -> str:
    """The database as the user gave it: ``--db``, else ``QUOTEDB_URL``, else the default."""
    return db or os.environ.get(ENV_VAR) or DEFAULT_DB


def require_existing(db: str | None) -> None:
    """Refuse a SQLite file that is not there, before anything can create it.

    For commands that only read: connecting to a missing file makes an empty
    database, so a mistyped ``--db`` used to print zeros instead of failing.
    The message names the file as the user typed it. PostgreSQL databases
    are made by their server's administrator, and a missing one fails to
    connect anyway.

    Raises:
        NoDatabase: ``db`` names a SQLite file that does not exist.
    """
    url = resolve_url(db)
    path = sqlite_path(url) if is_sqlite(url) else None
    if path is not None and not path.exists():
        given = _given(db)
        shown = given if "://" not in given else str(path)
        raise NoDatabase(f"no database at {shown} (run `quotedb ingest` first)")


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file, whatever characters its name holds.

    A URL reads ``?`` as the start of options, ``#`` as a fragment and
    ``%20`` as a space, so a file named ``news?2021.db`` would silently
    become ``news``; the name is escaped so the URL means that very file.

    >>> sqlite_url(Path("/tmp/news?2021#1%20.db"))
    'sqlite:////tmp/news%3F2021%231%2520.db'
    >>> str(sqlite_path(sqlite_url(Path("/tmp/news?2021#1%20.db"))))
    '/tmp/news?2021#1%20.db'
    """
    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    """Whether a URL names a SQLite database."""
    return url.startswith("sqlite")


def parse_url(url: str) -> URL:
    """A database URL parsed, or a one-line error saying it is malformed.

    SQLAlchemy raises ``ArgumentError`` for some malformed URLs and a bare
    ``ValueError`` for others (a host like ``[::1`` makes the port ``:1``).

    Raises:
        BadDatabaseURL: the URL cannot be parsed.
    """
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise BadDatabaseURL(f"bad database URL {url!r}: {exc}") from exc


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for in-memory databases and other backends.

    >>> sqlite_path("postgresql+psycopg://u@h/news") is None
    True
    """
    if not is_sqlite(url):
        return None  # a server's database name is no file here
    database = parse_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database)


def read_only_uri(path: Path) -> str:
    """A ``file:`` URI that opens a SQLite file for reading only.

    ``mode=ro`` means SQLite never writes the file. Where its folder cannot
    be written (read-only media, a 0555 folder), SQLite could not create the
    ``-shm`` file a WAL database needs to be read, so ``immutable=1`` tells it
    nobody can be changing the file either, and it reads without one. Not if
    a ``-wal`` file with content lies beside it: immutable would ignore the
    commits in it, so SQLite is left to read them (and say if it cannot).
    The path is percent-encoded: ``?``, ``#`` and ``%`` in a file name would
    otherwise be read as URI syntax.

    >>> read_only_uri(Path("/tmp/news?1#2%3 é.db")).startswith(
    ...     "file:/tmp/news%3F1%232%253%20%C3%A9.db?mode=ro")
    True
    """
    uri = f"file:{quote(str(path), safe='/')}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    unsaved = wal.exists() and wal.stat().st_size > 0
    if not os.access(path.parent, os.W_OK) and not unsaved:
        uri += "&immutable=1"
    return uri


def _is_new_or_quotedb(cursor: Any) -> bool:
    """Whether a just-opened SQLite file may be written to at all.

    Only a new (empty) file or one with quotedb's schema-revision table: a
    file of some other program's is refused by ``check_schema`` and must
    not be changed first (not even switched to WAL, which rewrites its
    header and leaves ``-wal``/``-shm`` files beside it). Reading the schema
    writes nothing.
    """
    names = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master")}
    return not names or "alembic_version" in names


def _configure_sqlite(engine: Engine, *, read_only: bool) -> None:
    """Set quotedb's SQLite connection settings on this engine only.

    Foreign keys are off by default in SQLite; WAL lets readers work while an
    ingest writes (set only on a new or quotedb file, see
    ``_is_new_or_quotedb``); the busy timeout makes concurrent writers wait
    instead of failing. Write transactions (see ``writer``) start with BEGIN IMMEDIATE
    so two writers never deadlock upgrading read locks, while reads start a
    plain deferred BEGIN and never wait for a writer (pysqlite's own BEGIN
    handling is disabled for that, as SQLAlchemy's pysqlite docs describe).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if read_only:
            cursor.execute("PRAGMA query_only = ON")
        else:
            if _is_new_or_quotedb(cursor):
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writes = not read_only and connection.get_execution_options().get(_WRITER, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


#: Execution option marking connections that will write (see ``writer``).
_WRITER = "quotedb_writer"


def writer(engine: Engine) -> Engine:
    """The same engine, for transactions that will write.

    On SQLite they take the write lock when they begin, so concurrent
    writers queue on the busy timeout instead of failing halfway through.
    """
    return engine.execution_options(**{_WRITER: True})


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """Create quotedb's engine for a URL (see ``resolve_url``).

    With ``read_only``, a SQLite file is opened so that SQLite cannot write
    it (see ``read_only_uri``): reading works on read-only media, and the
    file must exist.

    Raises:
        DatabaseError: the URL is malformed, its driver is missing, or a
            SQLite file's folder does not exist.
    """
    try:
        if is_sqlite(url):
            path = sqlite_path(url)
            if path is not None and not path.parent.is_dir():
                raise DatabaseError(f"{path}: folder does not exist")
            if read_only and path is not None:
                if not path.is_file():
                    raise DatabaseError(f"{path}: no such database file")
                uri = read_only_uri(path)
                engine = create_engine(
                    url, poolclass=NullPool,
                    creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
                )
            else:
                engine = create_engine(url, poolclass=NullPool)
            _configure_sqlite(engine, read_only=read_only)
            return engine
        return create_engine(parse_url(url), pool_pre_ping=True)
    except ArgumentError as exc:
        raise DatabaseError(f"bad database URL {url!r}: {exc}") from exc
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"no driver for {make_url(url).drivername} ({exc.name} is not installed); "
            "for PostgreSQL: pip install 'quotedb[postgres]'"
        ) from exc


# --- migrations ---------------------------------------------------------


def script_location() -> Path:
    """Where the Alembic scripts are, installed or in a source checkout.

    ``pip install .`` ships ``migrations/`` as the package ``quotedb.migrations``
    so that migrating works from any directory; a source checkout run without
    installing finds the top-level folder instead.
    """
    spec = importlib.util.find_spec("quotedb.migrations")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str, connection: Any = None) -> Config:
    """An Alembic config for a database, independent of the working directory."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


#: The newest migration's revision. Kept here so that checking a database
#: needs no Alembic import; ``tests/test_schema.py`` holds it to Alembic's head.
HEAD_REVISION = "0007_article_duplicate_of"


def head_revision() -> str:
    """The newest schema revision this quotedb knows."""
    return HEAD_REVISION


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision, or None if it has none."""
    with engine.connect() as connection:
        return _stored_revision(connection, set(inspect(connection).get_table_names()))


def _refuse_foreign(engine: Engine, connection: Connection) -> None:
    """Raise NotAQuotedbDatabase for tables without a quotedb schema revision."""
    tables = set(inspect(connection).get_table_names())
    if _stored_revision(connection, tables) is None and tables - {"alembic_version"}:
        raise NotAQuotedbDatabase(_foreign_message(engine))


def _foreign_message(engine: Engine) -> str:
    return (f"{_describe(engine)}: has tables but no quotedb schema revision; "
            "not a quotedb database")


def _stored_revision(connection: Connection, tables: set[str]) -> str | None:
    """What Alembic's version table says (one row), or None without one."""
    if "alembic_version" not in tables:
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


#: Advisory lock key that serialises quotedb migrations on PostgreSQL.
_MIGRATION_LOCK = 0x71756F7465  # "quote"


def _lock_for_migration(connection: Connection) -> None:
    """Make concurrent migrations of one database take turns.

    Several ingest workers may open a new database at once, and each would
    create the tables. On SQLite the transaction's BEGIN IMMEDIATE already
    serialises them; on PostgreSQL an advisory lock held to the end of the
    transaction does. Alembic reads the current revision after the lock, so
    the later migrations find the work done and do nothing.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` inside one transaction.

    Raises:
        NotAQuotedbDatabase: the database has another program's tables;
            migrating would write quotedb's tables into it.
        UnknownRevision: no such revision, or none reachable upwards.
    """
    from alembic import command

    with _migrating(engine, revision, refuse_foreign=True) as config:
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to ``revision`` inside one transaction.

    Raises:
        UnknownRevision: no such revision, or none reachable downwards.
    """
    from alembic import command

    with _migrating(engine, revision) as config:
        command.downgrade(config, revision)


@contextmanager
def _migrating(engine: Engine, revision: str, *, refuse_foreign: bool = False
               ) -> Iterator[Config]:
    """A locked write transaction and its Alembic config; a bad revision rolls it back.

    Alembic says what is wrong with a revision in a ``CommandError`` (its
    message is fit for the user); it becomes ``UnknownRevision`` here so the
    CLI need not know Alembic.
    """
    from alembic.util import CommandError

    if not revision.strip():  # Alembic fails an assertion on an empty one
        raise UnknownRevision("no revision given; e.g. head, base or 0002_quote_search")
    try:
        with writer(engine).begin() as connection:
            _lock_for_migration(connection)
            if refuse_foreign:
                _refuse_foreign(engine, connection)
            yield alembic_config(_url_of(engine), connection)
    except CommandError as exc:
        raise UnknownRevision(f"cannot migrate to {revision!r}: {exc}") from exc


def _url_of(engine: Engine) -> str:
    """The engine's URL with its password, for Alembic's config."""
    return engine.url.render_as_string(hide_password=False)


def history() -> list[tuple[str, str | None, str]]:
    """Every revision, newest first: (revision, down_revision, message)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [
        (str(s.revision), s.down_revision if isinstance(s.down_revision, str) else None,
         s.doc or "")
        for s in scripts.walk_revisions()
    ]


def check_schema(engine: Engine, *, create: bool = True) -> None:
    """Make sure the database is at this quotedb's schema revision.

    A new, empty database is created and migrated to head (when ``create``);
    an older revision is refused with a hint to run ``quotedb db upgrade`` so
    a user's data is never changed silently; a revision this quotedb does not
    know means a newer quotedb wrote it.
    """
    try:
        # Both read in one transaction, so a migration committed by another
        # process in between cannot make a database look half-made.
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            current = _stored_revision(connection, tables)
        if current is None:
            if tables - {"alembic_version"}:
                raise NotAQuotedbDatabase(_foreign_message(engine))
            if not create:
                raise SchemaOutOfDate(
                    f"{_describe(engine)}: empty database; run `quotedb db upgrade`"
                )
            upgrade(engine)
            return
    except OperationalError as exc:
        raise DatabaseError(f"{_describe(engine)}: cannot open database: {exc.orig}") from exc
    head = head_revision()
    if current == head:
        return
    known = {rev for rev, _, _ in history()}
    if current in known:
        raise SchemaOutOfDate(
            f"{_describe(engine)}: database schema is at revision {current}, this quotedb "
            f"needs {head}; back up the file, then run `quotedb db upgrade`"
        )
    raise SchemaTooNew(
        f"{_describe(engine)}: database schema revision {current} is unknown to this "
        "quotedb; it was written by a newer version, upgrade quotedb"
    )


def _describe(engine: Engine) -> str:
    """A database's name for messages: a SQLite file's path, else the URL sans password."""
    if engine.dialect.name == "sqlite" and engine.url.database:
        return engine.url.database
    return engine.url.render_as_string(hide_password=True)


def open_engine(
    db: str | None, *, create: bool = True, read_only: bool = False, must_exist: bool = False
) -> Engine:
    """quotedb's engine for a database, its schema checked (or created); dispose it when done.

    ``read_only`` is for commands that only read: an existing SQLite file is
    then opened so that nothing can write it (see ``make_engine``), which is
    what lets a corpus on read-only media be queried. An empty file or
    PostgreSQL database is still migrated (with ``create``), so an empty
    corpus reads as empty rather than as an error.

    Raises:
        NoDatabase: ``must_exist`` and a SQLite file that is not there
            (see ``require_existing``); otherwise it is created.
    """
    if must_exist:
        require_existing(db)
    url = resolve_url(db)
    path = sqlite_path(url) if is_sqlite(url) else None
    existing = path is not None and path.is_file() and path.stat().st_size > 0
    reader = read_only and existing
    engine = make_engine(url, read_only=reader)
    try:
        check_schema(engine, create=create and not reader)
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def open_database(
    db: str | None, *, create: bool = True, read_only: bool = False, must_exist: bool = False
) -> Iterator[Engine]:
    """``open_engine`` as a context: the engine is disposed at its end."""
    engine = open_engine(db, create=create, read_only=read_only, must_exist=must_exist)
    try:
        yield engine
    finally:
        engine.dispose()
