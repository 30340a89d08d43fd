"""The one front door: open a corpus, ingest, query, show, run SQL, analyse.

``quotedb``'s commands parse options, call a ``Database`` method and render
what it returns (as sqlite-utils' cli.py sits over its db.py), so a notebook
and the CLI use the same names, defaults and rules and always agree on what
a database holds::

    import quotedb
    with quotedb.connect("quotes.db") as corpus:
        corpus.ingest("articles/", "scraped.jsonl")
        df = corpus.to_pandas("quotes", speaker="Rumsfeld")
        corpus.sql("select count(*) as n from quotes where fragment = :f", f=False)

Rows are plain dicts (keys as in the CLI's CSV headers), so they work with
pandas, polars, ``csv.DictWriter`` or ``json.dumps`` without quotedb types.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from . import curation, db, queries, roles, sandbox
from .errors import NoSuchArticle
from .export import export_quotes
from .formats import FieldMap, format_for
from .ingest import Outcome, Summary, ingest_paths
from .ingest.inputs import default_pattern, find_inputs
from .ingest.remote import RemoteFile
from .parser import PARSER_VERSION
from .reparse import ReparseSummary, reparse
from .report import write_report
from .sources import DEFAULT_MAX_BYTES, SourceFile, SourceProblem
from .stats import corpus_stats

if TYPE_CHECKING:
    from distributed import Client as DaskClient

PANDAS_EXTRA_HINT = "to_pandas needs the 'pandas' extra: pip install 'quotedb[pandas]'"

#: Articles written per transaction by ``Database.ingest`` (and ``quotedb ingest``).
DEFAULT_BATCH_SIZE = 64

#: What ``Database.to_pandas`` can turn into a DataFrame, and its columns.
TABLES = {
    "quotes": queries.QUOTE_COLUMNS,
    "speakers": queries.SPEAKER_COLUMNS,
    "articles": queries.ARTICLE_COLUMNS,
}


class PandasUnavailable(ImportError):
    """pandas, which ``to_pandas`` returns data in, is not installed."""


class Rows(NamedTuple):
    """A query's column names and its rows, streamed (``Database.execute``)."""

    columns: list[str]
    rows: Iterator[Sequence[Any]]


@dataclass(frozen=True, slots=True)
class MarkedQuote:
    """One quotation of a shown article: where it is and who said it."""

    quote_id: int
    start: int
    end: int
    speaker: str | None
    fragment: bool


@dataclass(frozen=True, slots=True)
class ShownArticle:
    """An article with its metadata, text and quotation spans (``Database.show``)."""

    article_id: int
    source: str
    title: str | None
    published: date | None
    outlet: str | None
    authors: list[str]
    dateline: str | None
    parser_version: str
    text: str
    quotes: list[MarkedQuote]

    @property
    def quote_count(self) -> int:
        """Quotes proper: fragments are never counted as quotes."""
        return sum(1 for quote in self.quotes if not quote.fragment)

    @property
    def fragment_count(self) -> int:
        """Scare quotes and other fragments kept beside the quotes."""
        return len(self.quotes) - self.quote_count


def connect(
    url_or_path: str | Path | None = None, *, read_url: str | None = None, create: bool = True,
    read_only: bool = False,
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
        read_only: only read, as quotedb's reading commands do: a missing
            SQLite file raises ``NoDatabase``, and an existing one is opened
            so that nothing can write it (which also works on read-only media).

    Raises:
        NoDatabase: not ``create``, or ``read_only``, and the SQLite file does not exist.
        DatabaseError: cannot be opened, is not a quotedb database, or its
            schema is older or newer than this quotedb (see ``quotedb db``);
            not ``create`` and the database is empty.
    """
    given = str(url_or_path) if url_or_path is not None else None
    engine = db.open_engine(given, create=create, read_only=read_only,
                            must_exist=read_only or not create)
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
        fragments: bool = False,
        outlet: str | None = None,
        all_copies: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Quotes matching the filters, as dicts keyed by ``queries.quote_columns(fragments)``.

        Same filters as ``quotedb quotes`` (dates as ``date`` or
        ``"YYYY-MM-DD"``). With ``fragments``, scare quotes and fragments
        come too, and each row says which it is (``fragment``), since a
        fragment has no speaker just as an unattributed quote has none.
        Rows stream from the database, so iterating over a whole corpus
        takes constant memory; the connection is held until the iterator is
        exhausted or closed.

        Raises:
            BadFilter: a date that is not YYYY-MM-DD.
        """
        flt = queries.quote_filter(
            speaker=speaker, article_id=article_id, search=search, since=since, until=until,
            limit=limit, fragments=fragments, outlet=outlet, all_copies=all_copies,
        )
        with Session(self.engine) as session:
            stmt = queries.select_quotes(session, flt)
            if fragments:
                stmt = queries.with_fragment(stmt)
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
        flt = queries.quote_filter(**filters)
        return export_quotes(self.engine, flt, fmt, out, raw=raw, jobs=jobs)

    def speakers(self) -> list[dict[str, Any]]:
        """Every speaker with quote and article counts, most quoted first."""
        with Session(self.engine) as session:
            return queries.speakers(session)

    def articles(self, outlet: str | None = None) -> list[dict[str, Any]]:
        """Every article (from ``outlet``, if given) with its metadata and quote count."""
        with Session(self.engine) as session:
            return queries.articles(session, outlet)

    def show(self, article_id: int) -> ShownArticle:
        """One article: its metadata, its text and where each quotation is.

        Raises:
            NoSuchArticle: no article has this id.
        """
        with Session(self.engine) as session:
            article = queries.get_article(session, article_id)
            if article is None:
                raise NoSuchArticle(f"no article with id {article_id}")
            return ShownArticle(
                article_id=article.id, source=article.source, title=article.title,
                published=article.published, outlet=article.outlet,
                authors=list(article.authors or []), dateline=article.dateline,
                parser_version=article.parser_version, text=article.text,
                quotes=[
                    MarkedQuote(q.id, q.start, q.end, q.speaker.name if q.speaker else None,
                                bool(q.fragment))
                    for q in sorted(article.quotes, key=lambda q: (q.start, q.id))
                ],
            )

    def report(
        self, *, title: str = "Who is quoted", speaker: str | None = None,
        search: str | None = None, since: date | str | None = None,
        until: date | str | None = None, outlet: str | None = None,
    ) -> str:
        """One self-contained HTML page of charts over the quotes the filters match.

        Raises:
            BadFilter: a date that is not YYYY-MM-DD.
        """
        flt = queries.quote_filter(speaker=speaker, search=search, since=since, until=until,
                                   outlet=outlet)
        with Session(self.engine) as session:
            return write_report(session, flt, title=title)

    # --- curation (``quotedb.curation``): stored and replayed after ingest/reparse ----

    def merge_speakers(self, into: str, other: str) -> curation.Decision:
        """``other`` becomes one speaker with ``into`` (its name an alias), for good.

        Raises:
            CurationError: a name matches no speaker, or both name the same one.
        """
        with self.engine.begin() as connection:
            return curation.merge(connection, into, other)

    def rename_speaker(self, speaker: str, new_name: str) -> curation.Decision:
        """Call a speaker ``new_name`` from now on (the old name stays an alias)."""
        with self.engine.begin() as connection:
            return curation.rename(connection, speaker, new_name)

    def set_speaker(self, speaker: str, *, kind: str | None = None,
                    gender: str | None = None) -> curation.Decision:
        """Set a speaker's kind and/or gender over what the articles say."""
        with self.engine.begin() as connection:
            return curation.set_attributes(connection, speaker, kind=kind, gender=gender)

    def curation_decisions(self) -> list[curation.Decision]:
        """Every stored curation decision, in the order they are applied."""
        with self.engine.connect() as connection:
            return curation.decisions(connection)

    def forget_decision(self, decision_id: int) -> curation.Decision:
        """Stop applying a decision (what it changed stays until a reparse)."""
        with self.engine.begin() as connection:
            return curation.forget(connection, decision_id)

    def similar_speakers(self) -> list[curation.SimilarPair]:
        """Pairs of speakers who are likely one person, most quoted first."""
        with self.engine.connect() as connection:
            return curation.similar_speakers(connection)

    def reparse(self, *, older_than: str | None = PARSER_VERSION, workers: int = 1,
                batch_size: int = 64, dry_run: bool = False) -> ReparseSummary:
        """Re-parse articles stored by an older parser (``older_than=None``: all)."""
        return reparse(self.engine, older_than=older_than, workers=workers,
                       batch_size=batch_size, dry_run=dry_run)

    def stats(self) -> dict[str, Any]:
        """Corpus figures (see ``quotedb.stats.corpus_stats``)."""
        with Session(self.engine) as session:
            return corpus_stats(session)

    def execute(
        self, query: str, params: dict[str, Any] | None = None, *,
        timeout: float | None = sandbox.DEFAULT_SQL_TIMEOUT,
    ) -> Rows:
        """Run one read-only SQL statement; its columns and its rows, streamed.

        What ``sql`` does, without building every row first: ``quotedb sql``
        writes rows as they come, so a huge result takes constant memory.
        Read the rows to the end (or close the iterator) to free the
        connection. Raises as ``sql`` does.
        """
        url = self.read_url or self.engine.url.render_as_string(hide_password=False)
        columns, rows = sandbox.run_sql_at(db.resolve_url(url), query, params or {},
                                           timeout=timeout)
        return Rows(columns, rows)

    def sql(
        self, query: str, /, *, timeout: float | None = sandbox.DEFAULT_SQL_TIMEOUT,
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
            MissingParameter: the statement names a ``:name`` not in ``params``.
            QueryError: the statement failed.
        """
        columns, rows = self.execute(query, params, timeout=timeout)
        return [dict(zip(columns, row, strict=True)) for row in rows]

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
        columns = (queries.quote_columns(bool(filters.get("fragments"))) if what == "quotes"
                   else TABLES[what])
        rows: Iterable[dict[str, Any]] = {
            "quotes": lambda: self.quotes(**filters),
            "speakers": self.speakers,
            "articles": self.articles,
        }[what]()
        return pandas.DataFrame.from_records(list(rows), columns=list(columns))

    # --- writing ---------------------------------------------------------

    def ingest(
        self,
        *paths: str | Path,
        input_format: str | None = None,
        pattern: str | None = None,
        fields: FieldMap | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        workers: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_outcome: Callable[[Outcome], None] | None = None,
        on_start: Callable[[int | None], None] | None = None,
        client: DaskClient | None = None,
    ) -> Summary:
        """Ingest files, folders, fsspec URLs and ``-`` (stdin) like ``quotedb ingest``.

        Each file's format comes from its extension unless ``input_format``
        is given; folders are searched for ``pattern`` (default: the
        format's usual extension, ``*.txt`` without a format). Bad files and
        bad records are counted as failed and listed in ``Summary.errors``;
        the rest are stored. ``workers`` processes parse in parallel (default:
        one per core), and ``batch_size`` articles are written per transaction.

        Args:
            on_start: called once before the first article with how many
                articles are coming (None when corpus files, which hold many
                records each, make that unknown until read), for a progress
                bar. Giving it lists every path first.
            client: a ``dask.distributed.Client``: its cluster reads and parses
                (``workers`` is then unused), and on PostgreSQL writes too;
                see ``quotedb.ingest.cluster``. Files must be at the same
                paths on the workers (a shared file system).
        """
        sources: Iterable[SourceFile | RemoteFile | SourceProblem] = find_inputs(
            [str(path) for path in paths], pattern or default_pattern(input_format))
        if on_start is not None:
            sources = list(sources)
            on_start(article_count(sources, input_format))
        return ingest_paths(
            self.engine, sources, workers=workers or os.cpu_count() or 1,
            batch_size=batch_size, max_bytes=max_bytes, input_format=input_format,
            fields=fields, on_outcome=on_outcome, client=client,
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


def article_count(
    sources: Sequence[SourceFile | RemoteFile | SourceProblem], input_format: str | None
) -> int | None:
    """How many articles listed sources hold, if each holds one (text and HTML files).

    A corpus file (JSON Lines, JSON, CSV) holds any number of records,
    unknown until it is read, so a listing with one gives None.
    """
    one_each = all(format_for(s.name, input_format) in ("txt", "html") for s in sources
                   if isinstance(s, RemoteFile) or (isinstance(s, SourceFile) and s.path))
    return len(sources) if one_each else None


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Database",
    "MarkedQuote",
    "PandasUnavailable",
    "Rows",
    "ShownArticle",
    "connect",
]
