"""Read-side queries: quotes with filters, speakers, articles, raw SQL.

Functions build ``select()`` statements or take a session; they never format
output (that is ``export``'s job) and never open databases themselves.
"""

from __future__ import annotations

import math
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import regex
from sqlalchemy import (
    Engine,
    Select,
    column,
    create_engine,
    event,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import ColumnClause

from . import models
from .db import is_sqlite, read_only_uri, sqlite_path
from .errors import (
    DatabaseError,
    QueryError,
    QueryInterrupted,
    QueryTimedOut,
    QuotedbError,
    ReadOnlyViolation,
)
from .names import name_key
from .roles import check_reader

#: The largest integer either database stores (SQLite INTEGER, PostgreSQL bigint).
#: A larger id cannot name a row, and SQLite's driver refuses to bind it at all.
MAX_INTEGER = 2**63 - 1


def storable(number: int) -> bool:
    """Whether an id can be in the database at all (see ``MAX_INTEGER``).

    >>> storable(7), storable(-1), storable(2**64)
    (True, True, False)
    """
    return -MAX_INTEGER - 1 <= number <= MAX_INTEGER


#: Columns of a quote row, in export order (the CSV header).
QUOTE_COLUMNS = (
    "quote_id",
    "article_id",
    "article_source",
    "article_title",
    "published",
    "speaker",
    "speaker_mention",
    "cue",
    "quote",
    "start",
    "end",
)


@dataclass(frozen=True, slots=True)
class QuoteFilter:
    """The filters shared by ``quotedb quotes`` and ``quotedb export``."""

    speaker: str | None = None
    article_id: int | None = None
    search: str | None = None
    since: date | None = None
    until: date | None = None
    limit: int | None = None
    include_fragments: bool = False
    #: Only articles from this outlet (case-insensitive, as ``outlet_condition``).
    outlet: str | None = None
    #: The speakers ``speaker`` names, once looked up (see ``resolve_speaker``).
    speaker_ids: tuple[int, ...] | None = None
    #: Only articles with ``first <= id < end``: how a parallel export splits
    #: its work (see ``export.csv_export``).
    article_range: tuple[int, int] | None = None


def select_quotes(session: Session, flt: QuoteFilter) -> Select:
    """``quotes_select`` for this session's database, the speaker looked up first."""
    return quotes_select(resolve_speaker(session, flt), session.get_bind().dialect.name)


def resolve_speaker(session: Session, flt: QuoteFilter) -> QuoteFilter:
    """The filter with ``speaker_ids`` filled in from the name or alias (``speaker_ids_select``).

    A name usually means one speaker, and ``speaker_id = :id`` lets the
    database read that speaker's quotes in order from its index and stop at
    the limit, where ``IN (subquery)`` makes it sort every one of them first
    (100 ms instead of 1 ms for a much-quoted speaker at a million quotes).
    """
    if flt.speaker is None or flt.speaker_ids is not None:
        return flt
    ids = tuple(session.scalars(speaker_ids_select(flt.speaker)))
    return replace(flt, speaker_ids=ids)


def quotes_select(flt: QuoteFilter, dialect: str = "sqlite") -> Select:
    """SELECT quote rows (columns ``QUOTE_COLUMNS``) matching a filter.

    Rows come in article order, or best match first with ``search``, which
    uses the full-text index of the backend (``dialect``).
    """
    q, a, s = models.Quote, models.Article, models.Speaker
    stmt: Select = (
        select(
            q.id.label("quote_id"),
            q.article_id.label("article_id"),
            a.source.label("article_source"),
            a.title.label("article_title"),
            a.published.label("published"),
            s.name.label("speaker"),
            q.speaker_mention.label("speaker_mention"),
            q.cue.label("cue"),
            q.text.label("quote"),
            q.start.label("start"),
            q.end.label("end"),
        )
        .join(a, a.id == q.article_id)
        .outerjoin(s, s.id == q.speaker_id)
        .order_by(q.article_id, q.start)
    )
    if not flt.include_fragments:
        stmt = stmt.where(q.fragment.is_(False))
    if flt.speaker_ids is not None:
        stmt = stmt.where(_speaker_condition(flt))
    elif flt.speaker is not None:
        stmt = stmt.where(q.speaker_id.in_(speaker_ids_select(flt.speaker)))
    if flt.article_id is not None:
        stmt = stmt.where(q.article_id == flt.article_id if storable(flt.article_id) else false())
    if flt.article_range is not None:
        first, end = flt.article_range
        stmt = stmt.where(q.article_id >= first, q.article_id < end)
    if flt.search:
        stmt = _search(stmt, flt.search, dialect)
    if flt.since is not None:
        stmt = stmt.where(a.published >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(a.published <= flt.until)
    if flt.outlet is not None:
        stmt = stmt.where(outlet_condition(flt.outlet))
    if flt.limit is not None:
        stmt = stmt.limit(min(flt.limit, MAX_INTEGER))  # more rows than that cannot exist
    return stmt


def speaker_ids_select(name: str) -> Select:
    """Ids of speakers whose name or an alias holds ``name`` as whole words.

    Articles name people in full ("Satya Nadella") and users type what they
    remember ("nadella", "Herve"), so both sides are compared as keys
    (``name_key``: case-folded, without accents or punctuation) and ``name``
    may be any run of whole words of the name: "Nadella" finds Satya
    Nadella, "Nad" finds nobody. Plain LIKE, so it is the same on both
    backends; a key holds only letters, digits and single spaces, so nothing
    in it needs escaping.
    """
    key = name_key(name)
    speaker, alias = models.Speaker, models.SpeakerAlias
    if not key:  # only punctuation: no words to match
        return select(speaker.id).where(false())
    pattern = f"% {key} %"

    def holds(column: Any) -> Any:
        return literal(" ").concat(column).concat(" ").like(pattern)

    return select(speaker.id).where(
        or_(holds(speaker.key), speaker.id.in_(select(alias.speaker_id).where(holds(alias.key))))
    )


_SEARCH_TERM = regex.compile(
    r"""
    "(?P<phrase>[^"]*)"?     # "a phrase" (an unclosed one runs to the end)
    | (?P<word>[^\s"]+)      # or a bare word, maybe ending in * for a prefix
    """,
    regex.VERBOSE,
)
_WORD = regex.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class SearchTerm:
    """One part of a search: words to match in order, the last maybe a prefix."""

    words: tuple[str, ...]
    prefix: bool = False


def parse_search(query: str) -> list[SearchTerm]:
    """Split a user's search into phrases, words and prefixes (``word*``).

    Only word characters survive, so nothing the user types can become
    full-text query syntax of either backend.

    >>> parse_search('"safe passage" taliban negoti*')  # doctest: +NORMALIZE_WHITESPACE
    [SearchTerm(words=('safe', 'passage'), prefix=False),
     SearchTerm(words=('taliban',), prefix=False), SearchTerm(words=('negoti',), prefix=True)]
    """
    terms = []
    for match in _SEARCH_TERM.finditer(query):
        raw = match["phrase"] if match["phrase"] is not None else match["word"]
        words = tuple(_WORD.findall(raw))
        if words:
            terms.append(SearchTerm(words, prefix=match["word"] is not None and raw.endswith("*")))
    return terms


def fts5_query(terms: list[SearchTerm]) -> str:
    """The terms as an FTS5 MATCH expression (implicit AND).

    >>> fts5_query(parse_search('"safe passage" negoti*'))
    '"safe passage" "negoti"*'
    """
    return " ".join(f'"{" ".join(t.words)}"' + ("*" if t.prefix else "") for t in terms)


def tsquery(terms: list[SearchTerm]) -> str:
    """The terms as a PostgreSQL ``to_tsquery`` expression.

    The index holds English stems, which can be shorter than a prefix the
    user typed ("negotia*" against the stem "negoti"), so a prefix is
    widened here (see ``_stem_prefix``) and checked exactly by ``_search``.

    >>> tsquery(parse_search('"safe passage" negotia*'))
    '(safe <-> passage) & nego:*'
    """
    parts = []
    for term in terms:
        words = [*term.words[:-1], _stem_prefix(term.words[-1]) if term.prefix else term.words[-1]]
        body = " <-> ".join(words)
        parts.append((f"({body})" if len(words) > 1 else body) + (":*" if term.prefix else ""))
    return " & ".join(parts)


def _stem_prefix(word: str) -> str:
    """A prefix short enough to cover the stems of the words it begins.

    >>> _stem_prefix("negotia"), _stem_prefix("ferr")
    ('nego', 'fer')
    """
    return word[: max(3, len(word) - 3)]


_FTS = table("quotes_fts", column("rowid"), column("quotes_fts"))
#: Must repeat revision 0002's index expression exactly for the index to be used.
_PG_CONFIG: ColumnClause[Any] = literal_column("'english'::regconfig")


def _search(stmt: Select, query: str, dialect: str) -> Select:
    """Filter and rank by a full-text search (falls back to LIKE with no words)."""
    q = models.Quote
    terms = parse_search(query)
    if not terms:
        return stmt.where(q.text.ilike(f"%{_escape_like(query)}%", escape="\\"))
    if dialect == "postgresql":
        vector = func.to_tsvector(_PG_CONFIG, q.text)
        ts = func.to_tsquery(_PG_CONFIG, tsquery(terms))
        stmt = stmt.where(vector.op("@@")(ts))
        for term in terms:
            if term.prefix:  # the widened prefix, checked exactly: a word starting so
                stmt = stmt.where(q.text.op("~*")(rf"\m{term.words[-1]}"))
        return stmt.order_by(None).order_by(func.ts_rank(vector, ts).desc(), q.id)
    return (
        stmt.join(_FTS, _FTS.c.rowid == q.id)
        .where(_FTS.c.quotes_fts.op("MATCH")(fts5_query(terms)))
        .order_by(None)
        .order_by(func.bm25(literal_column("quotes_fts")), q.id)
    )


def _speaker_condition(flt: QuoteFilter) -> Any:
    """The WHERE for resolved speaker ids, shaped so an index serves it in order.

    One id is an equality. Several ids with a limit and no other quote
    filter (a name that is also another speaker's alias) become the first
    ``limit`` quotes of each id, each read in order from the
    (speaker_id, article_id, start) index, so only those few rows are sorted.
    """
    q = models.Quote
    ids = flt.speaker_ids or ()
    if len(ids) == 1:
        return q.speaker_id == ids[0]
    plain = not (flt.search or flt.since or flt.until or flt.article_id is not None
                 or flt.article_range is not None)
    if flt.limit is None or not plain or not ids:
        return q.speaker_id.in_(ids)
    firsts = []
    for speaker_id in ids:
        first = select(q.id).where(q.speaker_id == speaker_id)
        if not flt.include_fragments:
            first = first.where(q.fragment.is_(False))
        limited = first.order_by(q.article_id, q.start).limit(flt.limit).subquery()
        firsts.append(select(limited.c.id))
    return q.id.in_(union_all(*firsts))


def _escape_like(value: str) -> str:
    r"""Make ``%`` and ``_`` literal in a LIKE pattern.

    >>> _escape_like("50%_off")
    '50\\%\\_off'
    """
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


SPEAKER_COLUMNS = ("speaker_id", "name", "kind", "quotes", "articles", "aliases")


def speakers(session: Session) -> list[dict[str, Any]]:
    """Every speaker with quote and article counts, most quoted first."""
    q, s = models.Quote, models.Speaker
    stmt = (
        select(
            s.id,
            s.name,
            s.kind,
            func.count(q.id).label("quotes"),
            func.count(q.article_id.distinct()).label("articles"),
        )
        .outerjoin(q, (q.speaker_id == s.id) & q.fragment.is_(False))
        .group_by(s.id, s.name, s.kind)
        .order_by(func.count(q.id).desc(), s.name)
    )
    aliases: dict[int, list[str]] = {}
    for speaker_id, alias in session.execute(
        select(models.SpeakerAlias.speaker_id, models.SpeakerAlias.alias).order_by(
            models.SpeakerAlias.alias
        )
    ):
        aliases.setdefault(speaker_id, []).append(alias)
    return [
        {
            "speaker_id": row.id,
            "name": row.name,
            "kind": row.kind,
            "quotes": row.quotes,
            "articles": row.articles,
            "aliases": "; ".join(a for a in aliases.get(row.id, []) if a != row.name),
        }
        for row in session.execute(stmt)
    ]


ARTICLE_COLUMNS = (
    "article_id", "source", "title", "published", "outlet", "authors", "quotes", "url",
)


def outlet_condition(outlet: str) -> Any:
    """Articles from ``outlet``, whatever its case ("reuters" finds "Reuters").

    Whole-name equality, not a substring: "Times" must not find "The New
    York Times" and "Financial Times" at once; ``quotedb articles`` lists
    the outlets as stored. Surrounding spaces are ignored.
    """
    return func.lower(models.Article.outlet) == outlet.strip().lower()


def articles(session: Session, outlet: str | None = None) -> list[dict[str, Any]]:
    """Every article (from ``outlet``, if given) with metadata and quote count, by id."""
    a, q = models.Article, models.Quote
    stmt = (
        select(a, func.count(q.id).label("quotes"))
        .outerjoin(q, (q.article_id == a.id) & q.fragment.is_(False))
        .group_by(a.id)
        .order_by(a.id)
    )
    if outlet is not None:
        stmt = stmt.where(outlet_condition(outlet))
    return [
        {
            "article_id": article.id,
            "source": article.source,
            "title": article.title,
            "published": article.published,
            "outlet": article.outlet,
            "authors": "; ".join(article.authors or []),
            "quotes": count,
            "url": article.url,
        }
        for article, count in session.execute(stmt)
    ]


def get_article(session: Session, article_id: int) -> models.Article | None:
    """One article with its quotes (and their speakers) loaded."""
    if not storable(article_id):
        return None
    return session.get(models.Article, article_id)


# --- raw, read-only SQL ---------------------------------------------------

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
        return QueryError(f"query failed: no value for :{name}; pass -p {name} VALUE")
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
