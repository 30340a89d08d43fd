"""The Python API for notebooks and scripts: open a corpus, ingest, query, analyse.

Everything here is a thin layer over the modules the CLI uses (``db``,
``ingest``, ``queries``, ``stats``), so a notebook and ``quotedb`` always agree
on what a database holds::

    import quotedb.api as qdb
    with qdb.connect("quotes.db") as corpus:
        corpus.ingest("articles/", "scraped.jsonl")
        df = corpus.to_pandas("quotes", speaker="Rumsfeld")
        corpus.sql("select count(*) as n from quotes where fragment = :f", f=False)

Rows are plain dicts (keys as in the CLI's CSV headers), so they work with
pandas, polars, ``csv.DictWriter`` or ``json.dumps`` without quotedb types.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from . import db, queries, roles
from .export import export_quotes
from .formats import (
    FORMAT_GLOBS,
    FieldMap,
)
from .ingest import Outcome, Summary, ingest_paths
from .sources import DEFAULT_MAX_BYTES, find_sources
from .stats import corpus_stats

PANDAS_EXTRA_HINT = "to_pandas needs the 'pandas' extra: pip install 'quotedb[pandas]'"

#: What ``Database.to_pandas`` can turn into a DataFrame, and its columns.
TABLES = {
    "quotes": queries.QUOTE_COLUMNS,
    "speakers": queries.SPEAKER_COLUMNS,
    "articles": queries.ARTICLE_COLUMNS,
}


class PandasUnavailable(ImportError):
    """pandas, which ``to_pandas`` returns data in, is not installed."""


def connect(
    url_or_path: str | Path | None = None, *, read_url: str | None = None, create: bool = True,
) -> Database:
    """Open (creating and migrating if new) a quotedb database.

    Args:
        url_or_path: a SQLite file path or a SQLAlchemy URL; default
            ``$QUOTEDB_URL``, else ``quotes.db`` in the working directory.
        read_url: PostgreSQL: the read-only role's URL that ``Database.sql``
            runs as (see ``quotedb db create-reader``); default ``$QUOTEDB_READ_URL``.
        create: make and migrate a database that is not there yet, as
            ``Database.ingest`` needs (the default: ``connect`` then ``ingest``
            is how a corpus starts). False for a notebook that only reads: a
            mistyped path then raises ``NoDatabase`` instead of opening a new,
            empty corpus.

    Raises:
        NoDatabase: not ``create``, and the SQLite file does not exist.
        DatabaseError: cannot be opened, is not a quotedb database, or its
            schema is older or newer than this quotedb (see ``quotedb db``);
            not ``create`` and the database is empty.
    """
    given = str(url_or_path) if url_or_path is not None else None
    if not create:
        db.require_existing(given)
    url = db.resolve_url(given)
    engine = db.make_engine(url)
    try:
        db.check_schema(engine, create=create)
    except BaseException:
        engine.dispose()
        raise
    return Database(engine, read_url=read_url or os.environ.get(roles.READ_URL_ENV))


class Database:
    """An open quotedb corpus; close it (or use ``with``) when done."""

    def __init__(self, engine: Engine, *, read_url: str | None = None) -> None:
        self.engine = engine
        self.read_url = read_url

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"Database({self.url!r})"

    # --- reading ---------------------------------------------------------

    def quotes(
        self,
        speaker: str | None = None,
        article_id: int | None = None,
        search: str | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        limit: int | None = None,
        include_fragments: bool = False,
        outlet: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Quotes matching the filters, as dicts keyed by ``queries.QUOTE_COLUMNS``.

        Same filters as ``quotedb quotes`` (dates as ``date`` or
        ``"YYYY-MM-DD"``). Rows stream from the database, so
        iterating over a whole corpus takes constant memory; the connection
        is held until the iterator is exhausted or closed.
        """
        flt = quote_filter(
            speaker=speaker, article_id=article_id, search=search, since=since, until=until,
            limit=limit, include_fragments=include_fragments, outlet=outlet,
        )
        with Session(self.engine) as session:
            stmt = queries.select_quotes(session, flt)
            for row in session.execute(stmt.execution_options(yield_per=1000)):
                yield dict(row._mapping)

    def export(
        self,
        out: TextIO | str | os.PathLike[str],
        *,
        fmt: str = "csv",
        raw: bool = False,
        jobs: int | None = None,
        **filters: Any,
    ) -> int:
        """Export the quotes ``quotes()``'s filters select to ``out``, as ``quotedb export``.

        ``out`` is a text stream or a file path (written in full or not at
        all); ``fmt`` one of ``quotedb.export.WRITERS`` (csv, json, jsonl,
        parquet: a path only). Columns: ``quotedb.export.EXPORT_COLUMNS``.
        Returns how many quotes were written.

        Raises:
            ExportFailed: the file cannot be written.
            ExportNeedsFile: Parquet to a stream.
            OutputIsDatabase: ``out`` is the database's own file.
        """
        return export_quotes(self.engine, quote_filter(**filters), fmt, out, raw=raw, jobs=jobs)

    def speakers(self) -> list[dict[str, Any]]:
        """Every speaker with quote and article counts, most quoted first."""
        with Session(self.engine) as session:
            return queries.speakers(session)

    def articles(self, outlet: str | None = None) -> list[dict[str, Any]]:
        """Every article (from ``outlet``, if given) with its metadata and quote count."""
        with Session(self.engine) as session:
            return queries.articles(session, outlet)

    def stats(self) -> dict[str, Any]:
        """Corpus figures (see ``quotedb.stats.corpus_stats``)."""
        with Session(self.engine) as session:
            return corpus_stats(session)

    def sql(
        self, query: str, /, *, timeout: float | None = queries.DEFAULT_SQL_TIMEOUT,
        **params: Any,
    ) -> list[dict[str, Any]]:
        """Run one read-only SQL statement with ``:name`` parameters bound from ``params``.

        The connection itself refuses writes, as for ``quotedb sql``; on
        PostgreSQL it runs as ``read_url``'s role (see ``connect``). The
        query is stopped after ``timeout`` seconds of work (None: no limit),
        so a runaway query cannot hang a notebook; on SQLite, Ctrl-C (the
        notebook's interrupt) stops it too. ``timeout`` is this method's own
        argument, so a ``:timeout`` parameter cannot be bound by keyword.

        Raises:
            UnsafeRole: PostgreSQL, and the role is a superuser or can reach the server.
            ReadOnlyViolation: the statement tried to change the database.
            QueryTimedOut: the statement ran longer than ``timeout``.
            QueryInterrupted: Ctrl-C stopped it.
            QueryError: the statement failed.
        """
        url = self.read_url or self.engine.url.render_as_string(hide_password=False)
        engine = queries.read_only_engine(db.resolve_url(url))
        try:
            columns, rows = queries.run_sql(engine, query, params, timeout=timeout)
            return [dict(zip(columns, row, strict=True)) for row in rows]
        finally:
            engine.dispose()

    def to_pandas(self, what: str = "quotes", **filters: Any) -> Any:
        """``quotes`` (with ``quotes()``'s filters), ``speakers`` or ``articles`` as a DataFrame.

        Raises:
            PandasUnavailable: pandas is not installed.
        """
        try:
            import pandas
        except ImportError as exc:
            raise PandasUnavailable(PANDAS_EXTRA_HINT) from exc
        if what not in TABLES:
            raise ValueError(f"unknown table {what!r}; choose from {', '.join(TABLES)}")
        if what != "quotes" and filters:
            raise TypeError(f"{what} takes no filters")
        rows: Iterable[dict[str, Any]] = {
            "quotes": lambda: self.quotes(**filters),
            "speakers": self.speakers,
            "articles": self.articles,
        }[what]()
        return pandas.DataFrame.from_records(list(rows), columns=list(TABLES[what]))

    # --- writing ---------------------------------------------------------

    def ingest(
        self,
        *paths: str | Path,
        input_format: str | None = None,
        pattern: str | None = None,
        fields: FieldMap | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        workers: int = 1,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> Summary:
        """Ingest files, folders and ``-`` (stdin) like ``quotedb ingest``.

        Each file's format comes from its extension unless ``input_format``
        is given; folders are searched for ``pattern`` (default: the
        format's usual extension, ``*.txt`` without a format). Bad files and
        bad records are counted as failed and listed in ``Summary.errors``;
        the rest are stored. ``workers`` processes parse in parallel.
        """
        names = [str(path) for path in paths]
        glob = pattern or FORMAT_GLOBS.get(input_format or "txt", "*.txt")
        return ingest_paths(
            self.engine, find_sources(names, glob), workers=workers, max_bytes=max_bytes,
            input_format=input_format, fields=fields, on_outcome=on_outcome,
        )

    # --- lifetime --------------------------------------------------------

    def close(self) -> None:
        """Release the database's connections."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def quote_filter(
    speaker: str | None = None,
    article_id: int | None = None,
    search: str | None = None,
    since: date | str | None = None,
    until: date | str | None = None,
    limit: int | None = None,
    include_fragments: bool = False,
    outlet: str | None = None,
) -> queries.QuoteFilter:
    """The filter ``quotes()`` and ``export()`` take as keywords (dates may be ISO strings)."""
    return queries.QuoteFilter(
        speaker=speaker, article_id=article_id, search=search,
        since=_as_date(since), until=_as_date(until),
        limit=limit, include_fragments=include_fragments, outlet=outlet,
    )


def _as_date(value: date | str | None) -> date | None:
    """A filter date given as a date, an ISO string or a datetime (its day).

    >>> _as_date("2001-11-20"), _as_date(datetime(2001, 11, 20, 9, 30))
    (datetime.date(2001, 11, 20), datetime.date(2001, 11, 20))
    """
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(value) if isinstance(value, str) else value


__all__ = [
    "Database",
    "PandasUnavailable",
    "connect",
]
