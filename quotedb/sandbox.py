"""The read-only SQL sandbox behind ``Database.sql`` and ``quotedb sql``.

A user's SQL runs here and nowhere else, on a connection that cannot write:
SQLite is opened ``mode=ro`` with ``query_only`` and an authorizer that lets
a statement read and nothing more; PostgreSQL runs as a read-only role in a
``READ ONLY`` transaction, one statement behind ``DECLARE … CURSOR``. A time
limit (and Ctrl-C, on SQLite) stops a runaway query. Kept apart from
``queries`` (quotedb's own statements) because its whole job is distrust:
everything here assumes the SQL is hostile.
"""

from __future__ import annotations

import math
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import regex
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from .db import is_sqlite, read_only_uri, sqlite_path
from .errors import (
    DatabaseError,
    MissingParameter,
    QueryError,
    QueryInterrupted,
    QueryTimedOut,
    QuotedbError,
    ReadOnlyViolation,
)
from .roles import check_reader

#: PRAGMAs whose argument names what to describe (a table or index), not a value to set.
_DESCRIBING_PRAGMAS = frozenset(
    {"table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
     "foreign_key_list"}
)
#: PRAGMAs a read-only query may use without an argument: they only report.
_READ_PRAGMAS = _DESCRIBING_PRAGMAS | frozenset(
    {
        "database_list",
        "collation_list",
        "function_list",
        "compile_options",
        "user_version",
        "schema_version",
        "page_count",
        "page_size",
        "freelist_count",
        "encoding",
        "journal_mode",
        "query_only",
        "foreign_keys",
        "busy_timeout",
        "data_version",
    }
)


#: The schema table, under the names SQLite's authorizer reports it by.
_SCHEMA_TABLES = frozenset({"sqlite_master", "sqlite_temp_master"})


def _sqlite_authorizer(action: int, arg1: Any, arg2: Any, _db: Any, _trigger: Any) -> int:
    """Let a query read, and nothing else: the last line of defence for ``quotedb sql``.

    The connection is already opened read-only with ``query_only``; this also
    refuses ATTACH (which could create files), writable PRAGMAs and
    ``load_extension``.

    One UPDATE passes: of the schema table. Opening a virtual table (the
    FTS5 ``quotes_fts``) declares its columns with a ``CREATE TABLE`` that
    SQLite compiles, schema-table UPDATE included, but never runs; refusing
    that made every full-text query fail with "vtable constructor failed".
    No statement of the user's gets that far: SQLite refuses to compile an
    UPDATE of the schema table ("may not be modified") before asking the
    authorizer, unless ``writable_schema`` is on, a PRAGMA refused below.
    """
    if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_UPDATE and str(arg1).lower() in _SCHEMA_TABLES:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        return sqlite3.SQLITE_DENY if str(arg2).lower() == "load_extension" else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        pragma = str(arg1).lower()
        allowed = pragma in _DESCRIBING_PRAGMAS or (pragma in _READ_PRAGMAS and arg2 is None)
        return sqlite3.SQLITE_OK if allowed else sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_TRANSACTION:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def read_only_engine(url: str) -> Engine:
    """An engine whose connections cannot write, for ``quotedb sql``.

    SQLite: the file is opened with ``mode=ro``, ``PRAGMA query_only`` is set
    and an authorizer refuses anything but reading. PostgreSQL: every
    transaction is ``READ ONLY`` (set per transaction, see ``run_sql``).
    """
    if not is_sqlite(url):
        # No pool: a connection made read-only must never serve anybody else.
        return create_engine(url, poolclass=NullPool)
    path = sqlite_path(url)
    if path is None:
        raise DatabaseError("quotedb sql needs a database file, not an in-memory database")
    if not path.exists():
        raise DatabaseError(f"{path}: no such database file")
    uri = read_only_uri(path)

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout = 30000")
        connection.execute("PRAGMA query_only = ON")
        return connection

    engine = create_engine("sqlite://", creator=connect, poolclass=NullPool)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")
        # Installed per transaction, after SQLAlchemy's own first-connect
        # PRAGMAs, which the authorizer would otherwise refuse.
        conn.connection.dbapi_connection.set_authorizer(_sqlite_authorizer)

    return engine


#: How long ``quotedb sql`` and ``Database.sql`` let a query run (seconds):
#: PostgreSQL's ``statement_timeout``, SQLite's clock in ``_Watch``.
DEFAULT_SQL_TIMEOUT = 60.0
#: Rows fetched per round trip from PostgreSQL's server-side cursor.
_FETCH_ROWS = 2000
#: SQLite virtual-machine steps between two looks at the clock and at Ctrl-C
#: (a fraction of a millisecond of work, so stopping is prompt and cheap).
_PROGRESS_STEPS = 10_000
#: Rows fetched from SQLite at a time while streaming (the clock runs only then).
_SQLITE_FETCH_ROWS = 500


def run_sql_at(
    url: str, sql: str, params: dict[str, Any] | None = None,
    timeout: float | None = DEFAULT_SQL_TIMEOUT,
) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """``run_sql`` on a connection of its own to ``url`` (see ``read_only_engine``).

    The engine lives as long as the rows: it is disposed once they are read
    to the end, fail, or their iterator is closed.
    """
    engine = read_only_engine(url)
    try:
        columns, rows = run_sql(engine, sql, params, timeout)
    except BaseException:
        engine.dispose()
        raise

    def owned() -> Iterator[Sequence[Any]]:
        try:
            yield from rows
        finally:
            engine.dispose()

    return columns, owned()


def run_sql(
    engine: Engine, sql: str, params: dict[str, Any] | None = None,
    timeout: float | None = DEFAULT_SQL_TIMEOUT,
) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """Run one read-only statement with bound parameters; return columns and rows.

    Args:
        timeout: seconds one statement may run (None or 0: no limit); on
            PostgreSQL its ``statement_timeout``. On SQLite, time the caller
            spends between rows does not count, and Ctrl-C stops the query
            too (see ``_Watch``).

    Raises:
        UnsafeRole: a PostgreSQL role that could reach the server (see ``roles``).
        ReadOnlyViolation: the statement tried to change something.
        QueryTimedOut: the statement ran longer than ``timeout``.
        QueryInterrupted: Ctrl-C (SIGINT) stopped it.
        QueryError: any other failure of the statement.
    """
    if timeout is not None and not (math.isfinite(timeout) and timeout >= 0):
        raise QueryError(f"timeout must be a number of seconds, 0 or more, not {timeout}")
    timeout = timeout or None  # 0 means no limit, on both backends
    if engine.dialect.name == "postgresql":
        return _run_postgres(engine, sql, params or {}, timeout)
    try:
        connection = engine.connect()
    except SQLAlchemyError as exc:
        raise _sql_error(exc) from exc
    watch = _Watch(timeout)
    try:
        transaction = connection.begin()
        watch.attach(connection.connection.dbapi_connection)
        with watch.running():
            result = connection.execute(text(sql), params or {})
    except SQLAlchemyError as exc:
        watch.detach()
        connection.close()
        raise watch.error() or _sql_error(exc) from exc
    except BaseException:
        watch.detach()
        connection.close()
        raise
    if not result.returns_rows:
        watch.detach()
        connection.close()
        return [], iter(())
    columns = list(result.keys())

    def rows() -> Iterator[Sequence[Any]]:
        try:
            while True:
                with watch.running():
                    chunk = result.fetchmany(_SQLITE_FETCH_ROWS)
                if not chunk:
                    return
                yield from chunk
        except SQLAlchemyError as exc:
            raise watch.error() or _sql_error(exc) from exc
        finally:
            watch.detach()
            transaction.rollback()
            connection.close()

    return columns, rows()


class _Watch:
    """Stops a SQLite query at its time limit, or when the user presses Ctrl-C.

    SQLite runs a query inside one C call that Python's own Ctrl-C handling
    cannot enter, so a runaway ``WITH RECURSIVE`` would run for ever. SQLite
    calls ``_progress`` every ``_PROGRESS_STEPS`` steps instead, and a
    non-zero answer makes the query fail with "interrupted"; Python runs a
    pending SIGINT handler at that moment too, so ``_on_sigint`` only has to
    raise a flag. The clock runs only while SQLite works (``running``), so a
    slow reader of the rows is not what times out, as with PostgreSQL's
    ``statement_timeout``.

    ``REGEXP`` is one C call per row that no progress handler reaches (and
    Python's ``re`` ignores Ctrl-C), so it is the ``regex`` module here, with
    the time left as its own limit: a backtracking pattern ends with the
    query's timeout. Ctrl-C takes effect once such a call returns.
    """

    def __init__(self, timeout: float | None) -> None:
        self.limit = timeout or None
        self.spent = 0.0
        self.started: float | None = None  # while SQLite works: when it began
        self.timed_out = False
        self.interrupted = False
        self._connection: Any = None
        self._previous_sigint: Any = None
        self._catching_sigint = False

    def attach(self, dbapi_connection: Any) -> None:
        """Watch this connection's queries (and catch Ctrl-C, from the main thread)."""
        self._connection = dbapi_connection
        dbapi_connection.set_progress_handler(self._progress, _PROGRESS_STEPS)
        dbapi_connection.create_function("regexp", 2, self._regexp, deterministic=True)
        if threading.current_thread() is threading.main_thread():
            self._previous_sigint = signal.signal(signal.SIGINT, self._on_sigint)
            self._catching_sigint = True

    def detach(self) -> None:
        """Give Ctrl-C back to whoever handled it before."""
        if self._catching_sigint:
            signal.signal(signal.SIGINT, self._previous_sigint or signal.default_int_handler)
            self._catching_sigint = False

    @contextmanager
    def running(self) -> Iterator[None]:
        """Count the time spent inside this block against the limit."""
        self.started = time.monotonic()
        try:
            yield
        finally:
            self.spent += time.monotonic() - self.started
            self.started = None

    def remaining(self) -> float | None:
        """Seconds left, or None without a limit."""
        if self.limit is None:
            return None
        now = time.monotonic()
        return self.limit - self.spent - (now - self.started if self.started is not None else 0)

    def error(self) -> QuotedbError | None:
        """What stopped the query, if it was this watch."""
        if self.interrupted:
            return QueryInterrupted("query interrupted")
        if self.timed_out:
            return QueryTimedOut(f"query timed out after {self.limit:g} s")
        return None

    def _progress(self) -> int:
        if self.interrupted or self.timed_out:
            return 1
        left = self.remaining()
        if left is not None and left <= 0:
            self.timed_out = True
            return 1
        return 0

    def _on_sigint(self, _signum: int, _frame: Any) -> None:
        self.interrupted = True
        if self.started is None:  # not inside SQLite: stop as Python always does
            raise KeyboardInterrupt

    def _regexp(self, pattern: str | None, value: Any) -> bool | None:
        if pattern is None or value is None:
            return None
        left = self.remaining()
        try:
            found = regex.search(pattern, value if isinstance(value, str) else str(value),
                                 timeout=None if left is None else max(left, 0.001))
        except TimeoutError:
            # Interrupt rather than raise: SQLite may print a function's exception.
            self.timed_out = True
            self._connection.interrupt()
            return None
        return found is not None


#: Statements that only read. COPY is left out: as a superuser it writes
#: server files even inside a read-only transaction.
_PG_READING_KEYWORDS = frozenset({"select", "with", "values", "table", "explain", "show"})
#: Of those, the ones PostgreSQL cannot run behind DECLARE CURSOR.
_PG_NOT_CURSORABLE = frozenset({"explain", "show"})
#: PostgreSQL's own whitespace (scan.l: ``space``); Unicode spaces are not.
_PG_SPACE = frozenset(" \t\n\r\f\v")


def _skip_block_comment(sql: str, i: int) -> int:
    """Index just past the block comment opening at ``i``; PostgreSQL nests them."""
    depth = 0
    while i < len(sql):
        if sql.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif sql.startswith("*/", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    return i


def _first_keyword(sql: str) -> str:
    r"""The statement's first word, after comments and opening parentheses, as the server reads it.

    Block comments nest and a line comment ends at ``\n`` or ``\r``, as in
    PostgreSQL's scanner, so a comment cannot hide the real first word.

    >>> _first_keyword("  -- hi\n/* x */ (SELECT 1)")
    'select'
    >>> _first_keyword("/* /* */ SELECT */ COPY x TO PROGRAM 'id'")
    'copy'
    >>> _first_keyword(" -- x\rCOPY (SELECT 'hi') TO '/tmp/y' /*\nSELECT */")
    'copy'
    """
    i = 0
    while i < len(sql):
        if sql[i] in _PG_SPACE or sql[i] == "(":
            i += 1
        elif sql.startswith("--", i):
            ends = [j for j in (sql.find("\n", i), sql.find("\r", i)) if j >= 0]
            i = min(ends) + 1 if ends else len(sql)
        elif sql.startswith("/*", i):
            i = _skip_block_comment(sql, i)
        else:
            break
    word = regex.match(r"\w*", sql, pos=i)
    return word[0].lower() if word else ""


def _run_postgres(
    engine: Engine, sql: str, params: dict[str, Any], timeout: float | None
) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """``run_sql`` on PostgreSQL, inside layers the server enforces.

    1. The role: a superuser or a member of a role that reaches the server's
       files, programs or other backends is refused (``roles.check_reader``);
       the reader made by ``quotedb db create-reader`` can only SELECT.
    2. The transaction is ``READ ONLY`` and has a ``statement_timeout``.
    3. One statement: queries run as ``DECLARE … CURSOR FOR <statement>``
       through the extended protocol, so the server itself accepts only a
       single SELECT/VALUES without data-modifying CTEs, and rows stream
       ``_FETCH_ROWS`` at a time instead of all landing in client memory.
       EXPLAIN and SHOW, which cannot be declared, run as one prepared
       statement.
    The keyword check before all this only makes the usual refusal readable.
    """
    dbapi_error = engine.dialect.loaded_dbapi.Error
    keyword = _first_keyword(sql)
    if keyword not in _PG_READING_KEYWORDS:
        raise ReadOnlyViolation(
            f"refused: quotedb sql is read-only and runs only "
            f"{'/'.join(sorted(k.upper() for k in _PG_READING_KEYWORDS))} statements"
            + (f", not {keyword.upper()}" if keyword else "")
        )
    try:
        compiled = text(sql).compile(dialect=engine.dialect)
        values = compiled.construct_params(params)
    except SQLAlchemyError as exc:
        raise _sql_error(exc) from exc
    try:
        connection = engine.connect()
    except SQLAlchemyError as exc:
        raise _sql_error(exc) from exc
    driver: Any = connection.connection.driver_connection
    try:
        driver.read_only = True  # every transaction on it starts READ ONLY
        check_reader(connection)
        # 0 (no limit) is set too: it overrides the reader role's own default.
        limit = 0 if timeout is None else min(max(1, round(timeout * 1000)), _PG_MAX_TIMEOUT_MS)
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {limit}")
        if keyword in _PG_NOT_CURSORABLE:
            cursor = driver.cursor()
            cursor.execute(compiled.string, values, prepare=True)
        else:
            cursor = driver.cursor(name="quotedb_sql")
            cursor.itersize = _FETCH_ROWS
            cursor.execute(compiled.string, values)
    except (SQLAlchemyError, dbapi_error) as exc:
        connection.close()
        raise _sql_error(exc) from exc
    except BaseException:
        connection.close()
        raise
    if cursor.description is None:
        connection.close()
        return [], iter(())
    columns = [col.name for col in cursor.description]

    def rows() -> Iterator[Sequence[Any]]:
        try:
            yield from cursor
        except dbapi_error as exc:  # e.g. the timeout or a division by zero mid-stream
            raise _sql_error(exc) from exc
        finally:
            connection.close()  # rolls the read-only transaction back

    return columns, rows()


#: PostgreSQL's largest ``statement_timeout`` (milliseconds, a 32-bit int).
_PG_MAX_TIMEOUT_MS = 2_147_483_647
#: PostgreSQL error codes (SQLSTATE) of a refused write and of a timeout.
_PG_REFUSED = frozenset({"25006", "42501"})  # read-only transaction, insufficient privilege
_PG_TIMED_OUT = "57014"  # query_canceled: statement_timeout
#: How SQLite words a refused write (the authorizer; mode=ro or query_only).
_SQLITE_REFUSED = ("not authorized", "attempt to write a readonly database")


def _sql_error(exc: Exception) -> Exception:
    """Name what went wrong with a user's SQL in one line.

    PostgreSQL's error code, not its wording, says what happened; SQLite has
    only its messages, matched as SQLite writes them (never words a user's
    own SQL could echo, such as a column named "read only").
    """
    missing = regex.search(r"value is required for bind parameter '(\w+)'", str(exc))
    if missing:
        name = missing[1]
        return MissingParameter(f"query failed: no value for :{name}", name)
    orig = getattr(exc, "orig", None) or exc
    message = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    lowered = message.lower()
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate == _PG_TIMED_OUT:
        return QueryTimedOut(f"query timed out ({message})")
    if sqlstate in _PG_REFUSED or lowered.startswith(_SQLITE_REFUSED) or (
        sqlstate is None and any(marker in lowered for marker in (
            "read-only transaction", "permission denied", "must be superuser", "must be owner"))
    ):
        return ReadOnlyViolation(f"refused: quotedb sql is read-only ({message})")
    if "declare cursor" in lowered and "data-modifying" in lowered:
        return ReadOnlyViolation(f"refused: quotedb sql is read-only ({message})")
    if "one statement at a time" in lowered or "multiple commands" in lowered:
        return QueryError("refused: quotedb sql runs exactly one statement")
    return QueryError(f"query failed: {message}")
