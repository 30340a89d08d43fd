"""Exceptions quotedb raises; the CLI turns each into a one-line message."""

from __future__ import annotations


class QuotedbError(Exception):
    """Base class: an expected failure with a message fit for the user."""


class DatabaseError(QuotedbError):
    """The database cannot be opened or used."""


class SchemaOutOfDate(DatabaseError):
    """The database is at an older schema revision than this quotedb."""


class SchemaTooNew(DatabaseError):
    """The database was written by a newer quotedb than this one."""


class NotAQuotedbDatabase(DatabaseError):
    """The database has tables but no quotedb schema revision."""


class ReadOnlyViolation(QuotedbError):
    """A read-only query tried to change the database."""


class QueryError(QuotedbError):
    """A user's SQL query failed."""


class QueryTimedOut(QueryError):
    """A user's SQL query ran longer than its time limit and was stopped."""


class QueryInterrupted(QueryError):
    """A user's SQL query was stopped by Ctrl-C (SIGINT)."""


class IngestAborted(QuotedbError):
    """An ingest run could not go on (its parser workers died)."""


class SchedulerUnreachable(QuotedbError):
    """A Dask scheduler did not answer (wrong address, not running, a firewall)."""


class MissingExtra(QuotedbError):
    """A feature needs an optional dependency (an extra) that is not installed."""


class ArticleReadError(QuotedbError):
    """An article file could not be read or decoded."""


class UnsafeRole(ReadOnlyViolation):
    """A PostgreSQL role too powerful to run a user's SQL with."""


class OutputIsDatabase(QuotedbError):
    """An export was asked to write over the database's own file."""


class UnknownRevision(DatabaseError):
    """A migration was asked for a schema revision that does not exist or cannot be reached."""


class BadDatabaseURL(DatabaseError):
    """The database URL cannot be parsed."""


class NoDatabase(DatabaseError):
    """A command that only reads named a SQLite file that does not exist (a typo, usually)."""


class ExportFailed(QuotedbError):
    """An export file could not be written (the disk, permissions, a missing library)."""


class ExportNeedsFile(QuotedbError):
    """A format that is written to files only (Parquet) was asked for a stream."""


class NoSuchArticle(QuotedbError):
    """An article id that names no stored article."""


class MissingParameter(QueryError):
    """A user's SQL names a ``:parameter`` that was given no value."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


class BadFilter(QuotedbError):
    """A quote filter's value cannot be used (a date that is not YYYY-MM-DD)."""
