"""The ``quotedb`` command line: a thin layer over the library.

Each command opens the database, calls one library function and formats the
result. Expected failures (``QuotedbError``) become one-line messages here and
nowhere else; data goes to stdout, progress and messages to stderr.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from . import __version__, db, queries, roles
from .api import Database
from .errors import QueryInterrupted, QuotedbError
from .export import FORMATS, WRITERS, jsonable, write_rows
from .export.outfile import refuse_database_files, staged_output
from .formats import FORMAT_GLOBS, INPUT_FORMATS, FieldMap, format_for
from .ingest import Outcome, ingest_paths
from .parser import PARSER_VERSION
from .progress import Eta
from .reparse import count_stale, version_key
from .reparse import reparse as run_reparse
from .report import write_report
from .sources import DEFAULT_MAX_BYTES, SourceFile, find_sources
from .stats import corpus_stats, format_stats
from .terminal import visible

F = TypeVar("F", bound=Callable[..., Any])

#: Most processes --workers and --jobs may ask for: a typo's millions would
#: try to start them all.
MAX_PROCESSES = 1024
#: Largest --max-size: each read asks for a buffer of that size up front.
MAX_SIZE_LIMIT = 1 << 30


class FilePath(click.Path):
    """``click.Path`` that refuses a NUL in the name as a usage error.

    The operating system cannot take one, and ``click.Path`` passes the
    name to ``os.stat``, which raises ``ValueError`` instead.
    """

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail(f"{value!r} contains a NUL character", param, ctx)
        return super().convert(value, param, ctx)


class QuotedbGroup(click.Group):
    """A group that turns quotedb's expected errors into one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            if sys.stdout is not None:  # None when started with stdout closed (>&-)
                sys.stdout.flush()  # a reader gone early shows here, not at interpreter exit
            return result
        except BrokenPipeError:
            # `quotedb export | head -1`: the reader has what it wanted. End
            # quietly with the status a shell shows for coreutils killed by
            # SIGPIPE (128 + 13) rather than Click's 1, which reads as a failure.
            _discard_stdout()
            ctx.exit(SIGPIPE_STATUS)
        except QueryInterrupted as exc:
            raise _Interrupted(str(exc)) from exc
        except QuotedbError as exc:
            raise click.ClickException(str(exc)) from exc
        except OperationalError as exc:
            raise click.ClickException(f"database error: {_first_line(exc.orig)}") from exc
        except SQLAlchemyError as exc:
            raise click.ClickException(f"database error: {_first_line(exc)}") from exc
        except OSError as exc:
            # Reading inputs and writing -o files have their own messages;
            # what gets here is output that could not be written (a full
            # disk behind stdout, a staging file in the temporary folder).
            # What stdout still buffers would fail again at exit.
            _discard_stdout()
            raise click.ClickException(_os_error(exc)) from exc


def _os_error(exc: OSError) -> str:
    """An I/O failure in one line: the file if known, and the system's reason."""
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}cannot write output: {exc.strerror or exc}"


#: The exit status for a closed stdout pipe: what shells report for SIGPIPE.
SIGPIPE_STATUS = 141


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that flushing what is left at exit cannot fail.

    Python's advice for a broken pipe (``signal`` module docs, "Note on
    SIGPIPE"); a stdout that is not a real file (tests) is left alone.
    """
    try:
        fileno = sys.stdout.fileno()
    except (OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fileno)
    finally:
        os.close(devnull)


class _Misuse(click.ClickException):
    """A usage error in one line (Click's own prints the usage text above it)."""

    exit_code = 2


class _Interrupted(click.ClickException):
    """A one-line error that exits as the shell does for Ctrl-C (128 + SIGINT)."""

    exit_code = 130


def _first_line(exc: object) -> str:
    r"""An exception's message on one line (SQLAlchemy's add the SQL and a link).

    >>> _first_line(ValueError("bad thing\n[SQL: SELECT 1]"))
    'bad thing'
    """
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@dataclass
class App:
    """State shared by every command: which database, how chatty."""

    db: str | None
    quiet: bool

    def say(self, message: str) -> None:
        """A message for the user (stderr), unless --quiet."""
        if not self.quiet:
            click.echo(message, err=True)

    @contextmanager
    def engine(self, *, read_only: bool = False) -> Iterator[Engine]:
        """The database, schema checked; created and migrated on first use by writers.

        ``read_only`` for commands that only read: an existing SQLite file is
        opened so nothing can write it, which also works on read-only media,
        and a missing one is an error (a mistyped --db), not a new database.
        """
        with db.open_database(self.db, read_only=read_only, must_exist=read_only) as engine:
            yield engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session on the checked database (opened read-only)."""
        with self.engine(read_only=True) as engine, Session(engine) as session:
            yield session


pass_app = click.make_pass_decorator(App)


@click.group(cls=QuotedbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_url",
    envvar=db.ENV_VAR,
    metavar="URL_OR_PATH",
    help="Database: a SQLite file path or a SQLAlchemy URL "
    "(postgresql+psycopg://user@host/db). Default: quotes.db here; env QUOTEDB_URL.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print no progress or summaries.")
@click.version_option(__version__, prog_name="quotedb")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, quiet: bool) -> None:
    """quotedb: who said what in your news articles.

    Extracts every direct quotation and its speaker from news articles and
    stores articles, speakers and quotes in SQLite (default) or PostgreSQL.

    \b
    Example:
        quotedb ingest seeds/
        quotedb quotes --speaker Rumsfeld --limit 5
    """
    ctx.obj = App(db=db_url, quiet=quiet)


# --- ingest ---------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--glob", "pattern", default=None,
              help="Which files to take from folders [default: *.txt, or the --input-format's "
                   "extension].")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), default=None,
              help="Read every input as this format [default: by file extension; stdin: txt].")
@click.option("--text-field", help="Record field holding the article text "
                                   "[default: text, body or content].")
@click.option("--title-field", help="Record field holding the title [default: title, headline].")
@click.option("--date-field", help="Record field holding the date [default: date, published].")
@click.option("--url-field", help="Record field holding the URL [default: url, link].")
@click.option("--id-field", help="Record field holding a unique id [default: id].")
@click.option("--max-size", "max_bytes", default=DEFAULT_MAX_BYTES, show_default=True,
              type=click.IntRange(min=1, max=MAX_SIZE_LIMIT),
              help="Refuse files (JSONL/CSV: records) larger than this many bytes, at most "
                   "1 GiB (HTML pages: also more than 512 KB of markup outside scripts).")
@click.option("-w", "--workers", type=click.IntRange(min=1, max=MAX_PROCESSES), default=None,
              help="Parser processes (default: the number of cores).")
@click.option("--batch-size", type=click.IntRange(min=1), default=64, show_default=True,
              help="Articles per transaction (each still all-or-nothing).")
@pass_app
def ingest(app: App, paths: tuple[str, ...], pattern: str | None, input_format: str | None,
           text_field: str | None, title_field: str | None, date_field: str | None,
           url_field: str | None, id_field: str | None, max_bytes: int,
           workers: int | None, batch_size: int) -> None:
    """Ingest articles: files, folders (recursively) or - for stdin.

    Plain text, HTML pages (extra 'html'), JSON Lines, JSON and CSV corpora
    (one article per record) are told apart by extension. Each article is
    stored in its own transaction. The same text again is "unchanged"; a
    source whose text changed replaces its old version. A file or record
    that cannot be read is reported and the rest still ingest (exit status 1).

    \b
    Example:
        quotedb ingest seeds/ more/article.txt
        quotedb ingest saved-pages/ --glob '*.html'
        quotedb ingest corpus.jsonl --text-field body
        some-scraper | quotedb ingest - --input-format jsonl
    """
    fields = FieldMap.from_options(text=text_field, title=title_field, date=date_field,
                                   url=url_field, id=id_field)
    pattern = pattern or FORMAT_GLOBS.get(input_format or "txt", "*.txt")
    options: dict[str, Any] = {
        "workers": workers or os.cpu_count() or 1, "batch_size": batch_size,
        "max_bytes": max_bytes, "input_format": input_format, "fields": fields,
    }
    with app.engine() as engine:
        if not app.quiet and sys.stderr.isatty():
            # Listing paths (not reading files) first gives the bar its length;
            # corpus files hold many records, so their bar counts records.
            sources = list(find_sources(list(paths), pattern))
            one_each = all(format_for(s.name, input_format) in ("txt", "html")
                           for s in sources if isinstance(s, SourceFile) and s.path)
            bar: Any
            total = len(sources) if one_each else None
            eta = Eta(total or 0, batch_size)
            # The bar's own ETA is replaced by a moving average over batches (see progress.py).
            with click.progressbar(length=total, file=sys.stderr, label="ingesting",
                                   show_eta=False, show_pos=True,
                                   item_show_func=lambda text: text) as bar:
                summary = ingest_paths(
                    engine, sources, **options,
                    on_outcome=lambda o: _after(o, lambda n: bar.update(n, eta.advance(n))))
        else:
            summary = ingest_paths(engine, find_sources(list(paths), pattern), **options,
                                   on_outcome=lambda o: _after(o, None))
    app.say(summary.line())
    if summary.failed:
        sys.exit(1)


def _after(outcome: Outcome, advance: Callable[[int], None] | None) -> None:
    """Report a failed input at once (always, even with --quiet)."""
    if outcome.error:  # names files and records, which may hold control characters
        click.echo(visible(f"error: {outcome.error}"), err=True)
    if advance is not None:
        advance(1)


@cli.command()
@click.option("--all", "everything", is_flag=True,
              help="Re-parse every article, whatever parser stored it.")
@click.option("--older-than", metavar="VERSION", default=None,
              help=f"Re-parse articles stored by a parser older than VERSION "
                   f"[default: the installed parser, {PARSER_VERSION}].")
@click.option("-w", "--workers", type=click.IntRange(min=1, max=MAX_PROCESSES), default=None,
              help="Parser processes [default: one per core].")
@click.option("--batch-size", type=click.IntRange(min=1), default=64, show_default=True,
              help="Articles replaced per transaction.")
@click.option("--dry-run", is_flag=True, help="Count what would change; write nothing.")
@pass_app
def reparse(app: App, everything: bool, older_than: str | None, workers: int | None,
            batch_size: int, dry_run: bool) -> None:
    """Re-parse stored articles with the installed parser and replace their quotes.

    Reads the text kept in the database (the original files are not
    needed). Each batch is replaced in one transaction, so an interrupted
    run leaves every article old or new, never half, and the same command
    finishes it. Speaker curation is applied again afterwards.

    \b
    Example:
        quotedb reparse --dry-run
        quotedb reparse
        quotedb reparse --all --workers 2
    """
    if everything and older_than:
        raise click.UsageError("give --all or --older-than, not both")
    limit = None if everything else (older_than or PARSER_VERSION)
    if limit is not None and not version_key(limit):
        raise click.BadParameter(f"{limit!r} is not a version like 2.0.0",
                                 param_hint="--older-than")
    with app.engine() as engine:
        total = count_stale(engine, limit)
        if not total:
            app.say(f"nothing to re-parse: every article was parsed by parser {PARSER_VERSION}"
                    if limit == PARSER_VERSION else "nothing to re-parse")
            return
        options: dict[str, Any] = {"older_than": limit, "workers": workers or os.cpu_count() or 1,
                                   "batch_size": batch_size, "dry_run": dry_run}
        if not app.quiet and sys.stderr.isatty():
            with click.progressbar(length=total, file=sys.stderr, label="re-parsing") as bar:
                summary = run_reparse(engine, **options, on_batch=bar.update)
        else:
            summary = run_reparse(engine, **options)
    for error in summary.failed:
        click.echo(visible(f"error: {error}"), err=True)
    app.say(summary.line(dry_run=dry_run))
    if summary.failed:
        sys.exit(1)


# --- reading --------------------------------------------------------------


outlet_option = click.option("--outlet", help="Only articles from this outlet (any case).")


def quote_filters(func: F) -> F:
    """The filter options shared by ``quotes`` and ``export``."""
    options = [
        click.option("--speaker", help="Name or alias, or whole words of one (Nadella, herve); "
                                        "any case, accents optional."),
        click.option("--article", "article_id", type=int, help="Only this article id."),
        click.option("--search", help="Full-text search: words (all must match), \"a phrase\", "
                                       "prefix*; best match first."),
        click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
                     help="Articles published on or after YYYY-MM-DD."),
        click.option("--until", type=click.DateTime(["%Y-%m-%d"]),
                     help="Articles published on or before YYYY-MM-DD."),
        outlet_option,
        click.option("--limit", type=click.IntRange(min=0), help="At most this many quotes."),
        click.option("--fragments", "include_fragments", is_flag=True,
                     help="Include scare quotes and fragments (never attributed)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filter(speaker: str | None, article_id: int | None, search: str | None,
            since: datetime | None, until: datetime | None, limit: int | None,
            include_fragments: bool, outlet: str | None) -> queries.QuoteFilter:
    return queries.QuoteFilter(
        speaker=speaker, article_id=article_id, search=search,
        since=since.date() if since else None, until=until.date() if until else None,
        limit=limit, include_fragments=include_fragments, outlet=outlet,
    )


format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                              show_default=True, help="Output format.")

#: The columns the ``quotes`` table shows (csv/json/jsonl show all of them).
TABLE_QUOTE_COLUMNS = ("quote_id", "article_id", "speaker", "cue", "quote")


@cli.command()
@quote_filters
@format_option
@pass_app
def quotes(app: App, fmt: str, **filters: Any) -> None:
    """List quotes with their speakers.

    \b
    Example:
        quotedb quotes --speaker "donald rumsfeld" --format json
        quotedb quotes --search "safe passage" --since 2001-11-01
    """
    with app.session() as session:
        stmt = queries.select_quotes(session, _filter(**filters))
        rows = session.execute(stmt.execution_options(yield_per=1000))
        columns: tuple[str, ...] = queries.QUOTE_COLUMNS
        if fmt == "table":
            picked = [queries.QUOTE_COLUMNS.index(c) for c in TABLE_QUOTE_COLUMNS]
            columns = TABLE_QUOTE_COLUMNS
            rows = ([row[i] for i in picked] for row in rows)  # type: ignore[assignment]
        _emit(rows, columns, fmt, sys.stdout)


@cli.command()
@format_option
@pass_app
def speakers(app: App, fmt: str) -> None:
    """List speakers with quote and article counts, most quoted first.

    \b
    Example:
        quotedb speakers --format csv > speakers.csv
    """
    with app.session() as session:
        items = queries.speakers(session)
    _emit(([i[c] for c in queries.SPEAKER_COLUMNS] for i in items),
          queries.SPEAKER_COLUMNS, fmt, sys.stdout)


@cli.command()
@outlet_option
@format_option
@pass_app
def articles(app: App, fmt: str, outlet: str | None) -> None:
    """List ingested articles with their metadata and quote counts.

    \b
    Example:
        quotedb articles --format json
        quotedb articles --outlet reuters
    """
    with app.session() as session:
        items = queries.articles(session, outlet)
    _emit(([i[c] for c in queries.ARTICLE_COLUMNS] for i in items),
          queries.ARTICLE_COLUMNS, fmt, sys.stdout)


@cli.command()
@click.argument("article_id", type=int)
@pass_app
def show(app: App, article_id: int) -> None:
    """Show one article with each quote marked [[like this]]{speaker}.

    \b
    Example:
        quotedb show 1
    """
    with app.session() as session:
        article = queries.get_article(session, article_id)
        if article is None:
            raise click.ClickException(f"no article with id {article_id}")
        meta = [
            ("id", article.id), ("source", article.source), ("title", article.title),
            ("published", article.published), ("outlet", article.outlet),
            ("authors", "; ".join(article.authors or [])), ("dateline", article.dateline),
            ("parser", article.parser_version),
            ("quotes", sum(1 for q in article.quotes if not q.fragment)),
        ]
        # Article text and metadata may hold terminal control sequences:
        # shown escaped (line breaks and tabs kept), never obeyed.
        for label, value in meta:
            if value not in (None, ""):
                click.echo(visible(f"{label + ':':<11}{value}"))
        click.echo()
        click.echo(visible(render_marked(article.text, [
            (q.start, q.end, "fragment" if q.fragment else
             (q.speaker.name if q.speaker else "unattributed"))
            for q in article.quotes
        ]), keep="\n\t"))


def render_marked(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The text with each span wrapped as ``[[quote]]{label}``.

    >>> render_marked("He said “hi” twice.", [(9, 11, "Ann")])
    'He said “[[hi]]{Ann}” twice.'
    """
    parts: list[str] = []
    position = 0
    for start, end, label in sorted(spans):
        parts.append(text[position:start])
        parts.append(f"[[{text[start:end]}]]{{{label}}}")
        position = end
    parts.append(text[position:])
    return "".join(parts)


@cli.command()
@click.argument("query")
@click.option("-p", "--param", "params", nargs=2, multiple=True, metavar="NAME VALUE",
              help="Bind :NAME to VALUE (repeatable); never formatted into the SQL.")
@click.option("--read-url", envvar=roles.READ_URL_ENV, metavar="URL",
              help="PostgreSQL: run the query as this read-only role (made by "
                   "`quotedb db create-reader`) instead of --db; env QUOTEDB_READ_URL.")
@click.option("--timeout", type=click.FloatRange(min=0), default=queries.DEFAULT_SQL_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="Stop the query after the database has worked on it this long (0: no "
                   "limit). Ctrl-C stops it too.")
@format_option
@pass_app
def sql(app: App, query: str, params: tuple[tuple[str, str], ...], read_url: str | None,
        timeout: float, fmt: str) -> None:
    """Run one read-only SQL query; writes are refused by the connection itself.

    On PostgreSQL the query runs only as a role that cannot reach the server
    (not a superuser): make one with `quotedb db create-reader`.

    \b
    Example:
        quotedb sql "select name, count(*) from quotes join speakers
                     on speakers.id = quotes.speaker_id group by name"
        quotedb sql "select * from quotes where text like :t" -p t "%war%"
        quotedb --db postgresql+psycopg://admin@host/news sql --read-url \\
            postgresql+psycopg://reader:PW@host/news "select count(*) from quotes"
    """
    if read_url:
        url = db.resolve_url(read_url)
        with db.open_database(url, create=False, must_exist=True):  # a reader cannot create
            pass
    else:
        with app.engine(read_only=True):  # checks the schema; a missing file is an error
            pass
        url = db.resolve_url(app.db)
    engine = queries.read_only_engine(url)
    try:
        columns, rows = queries.run_sql(engine, query, dict(params), timeout=timeout or None)
        _emit(rows, columns, fmt, sys.stdout)
    finally:
        engine.dispose()


@cli.command()
@quote_filters
@click.option("--format", "fmt", type=click.Choice(list(WRITERS)),
              default="csv", show_default=True,
              help="Output format (parquet needs the 'parquet' extra and -o).")
@click.option("-o", "--output", "output_name",
              type=FilePath(dir_okay=False, writable=True, allow_dash=True),
              help="Write here instead of stdout (- is stdout; ./- a file named -).")
@click.option("--raw", is_flag=True,
              help="CSV: keep cells starting with = + - @ as they are (by default they are "
                   "prefixed with ' so spreadsheets do not run them as formulas).")
@click.option("-j", "--jobs", type=click.IntRange(min=1, max=MAX_PROCESSES), default=None,
              help="CSV from SQLite: processes to format a big export with "
                   "[default: number of cores].")
@pass_app
def export(app: App, fmt: str, output_name: str | None, raw: bool, jobs: int | None,
           **filters: Any) -> None:
    """Export quotes as CSV, JSON, JSON Lines or Parquet, streaming (constant memory).

    Columns: quote_id, article_id, article_source, article_title,
    published, speaker, speaker_mention, cue, quote, start, end, fragment,
    article_url, outlet. A big SQLite export is split by article over
    --jobs processes (parts staged beside -o FILE, or in the temporary
    folder); the file is the same.

    \b
    Example:
        quotedb export --format csv -o quotes.csv
        quotedb export --speaker Kirby --format jsonl
        quotedb export --format parquet -o quotes.parquet
        quotedb export --format jsonl -o - | gzip > quotes.jsonl.gz
    """
    if WRITERS[fmt].to_file and output_name == "-":
        raise _Misuse(f"--format {fmt} cannot write to stdout: give -o FILE")
    if WRITERS[fmt].to_file and output_name is None:
        raise click.UsageError(f"--format {fmt} writes a file: give -o FILE")
    # Compared as typed: Path("./-") would read as "-", so a file named - stays reachable.
    output = None if output_name in (None, "-") else Path(output_name)
    if output is not None:  # before opening: reading a WAL database makes its -wal file
        refuse_database_files(output, db.sqlite_path(db.resolve_url(app.db)))
    with app.engine(read_only=True) as engine, _sigterm_unwinds():
        count = Database(engine).export(sys.stdout if output is None else output, fmt=fmt,
                                        raw=raw, jobs=jobs, **filters)
    app.say(f"exported {count} quotes" + (f" to {output}" if output else ""))


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """Make SIGTERM (plain ``kill``) unwind like Ctrl-C, so temporary files are removed.

    By default SIGTERM ends Python at once, running no ``finally``: the
    staging folder would stay, and worker processes would be left orphaned.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # the status a shell shows for a process the signal ended


def _emit(rows: Any, columns: Any, fmt: str, out: TextIO) -> None:
    write_rows(rows, list(columns), fmt, out)


@cli.command()
@click.option("-o", "--output", "output_name", required=True,
              type=FilePath(dir_okay=False, writable=True, allow_dash=True),
              help="The HTML file to write (- for stdout).")
@click.option("--title", default="Who is quoted", show_default=True, help="The page's title.")
@click.option("--speaker", help="Only this speaker (whole words of a name or alias).")
@click.option("--search", help="Only quotes matching this full-text search.")
@outlet_option
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="Articles published on or after YYYY-MM-DD.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]),
              help="Articles published on or before YYYY-MM-DD.")
@pass_app
def report(app: App, output_name: str, title: str, speaker: str | None, search: str | None,
           outlet: str | None, since: datetime | None, until: datetime | None) -> None:
    """Write one self-contained HTML page of charts: who is quoted, by whom, over time.

    The page needs no network to open: the charts are drawn into it.

    \b
    Example:
        quotedb report -o report.html
        quotedb report -o reuters.html --outlet reuters --since 2001-01-01
    """
    flt = _filter(speaker=speaker, article_id=None, search=search, since=since, until=until,
                  limit=None, include_fragments=False, outlet=outlet)
    output = None if output_name == "-" else Path(output_name)
    if output is not None:
        refuse_database_files(output, db.sqlite_path(db.resolve_url(app.db)))
    with app.session() as session:
        page = write_report(session, flt, title=title)
    if output is None:
        click.echo(page)
        return
    try:
        with staged_output(output) as staged:
            staged.path.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot write the report: {_os_error(exc)}") from exc
    app.say(f"report: {output}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@pass_app
def stats(app: App, fmt: str) -> None:
    """A one-screen summary of the corpus: counts, top speakers, date range.

    \b
    Example:
        quotedb stats
        quotedb stats --format json
    """
    with app.session() as session:
        figures = corpus_stats(session)
    if fmt == "json":
        click.echo(json.dumps(figures, default=jsonable, indent=2, ensure_ascii=False))
    else:
        click.echo(format_stats(figures), nl=False)


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open a web browser.")
@pass_app
def browse(app: App, port: int, open_browser: bool) -> None:
    """Explore the database in Datasette (extra 'browse'; SQLite only).

    Tables are labelled, quotes are searchable and faceted by speaker
    (fragments hidden unless asked for), a speaker's page lists its aliases
    and quotes, and canned queries list the most quoted speakers and a
    speaker over time. Ctrl-C, TERM or HUP stops Datasette too.

    \b
    Example:
        quotedb browse --open
    """
    from .browse import browse as serve

    with app.engine(read_only=True):  # checks the schema first; a missing file is an error
        pass
    sys.exit(serve(app.db, port=port, open_browser=open_browser))


# --- evaluation -----------------------------------------------------------


@cli.command("eval")
@click.argument("paths", metavar="GOLD_OR_DIR...", nargs=-1, required=True,
                type=FilePath(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--errors", "show_errors", is_flag=True,
              help="List every missed, spurious and wrongly attributed quote.")
def eval_command(paths: tuple[Path, ...], fmt: str, show_errors: bool) -> None:
    """Score the parser against hand-annotated gold quotes.

    Each argument is a gold file, a JSON Lines file with one article per line,
    {"article", "quotes": [{"text", "speaker", "aliases", "optional", "start"}]},
    whose articles sit beside it; or a folder searched for gold.jsonl files,
    one set each. A folder right after a gold file, with no gold.jsonl of its
    own, holds that file's articles. Several sets print a row each and a total.

    \b
    Example:
        quotedb eval seeds/gold.jsonl seeds --format json
        quotedb eval seeds ../shared/devsets
    """
    from .evaluate import eval_payload, evaluate_sets, format_report, gold_sets

    try:
        results = evaluate_sets(gold_sets(paths))
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(eval_payload(results, show_errors), indent=2, ensure_ascii=False))
    else:
        click.echo(format_report(results, show_errors), nl=False)


# --- migrations -----------------------------------------------------------


@cli.group("db")
def db_group() -> None:
    """Manage the database schema (Alembic migrations).

    \b
    Example:
        quotedb db current
        quotedb db upgrade
    """


@contextmanager
def _raw_engine(app: App) -> Iterator[Engine]:
    engine = db.make_engine(db.resolve_url(app.db))
    try:
        yield engine
    finally:
        engine.dispose()


def _migrate(
    app: App, step: Callable[[Engine, str], None], revision: str
) -> tuple[str | None, str | None]:
    """Run a migration step; return the revisions before and after it."""
    with _raw_engine(app) as engine:
        before = db.current_revision(engine)
        step(engine, revision)
        return before, db.current_revision(engine)


@db_group.command("upgrade")
@click.argument("revision", default="head")
@pass_app
def db_upgrade(app: App, revision: str) -> None:
    """Migrate the database up to REVISION (default: head).

    \b
    Example:
        quotedb --db quotes.db db upgrade
    """
    before, after = _migrate(app, db.upgrade, revision)
    app.say(f"upgraded {before or 'empty'} -> {after}")


@db_group.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def db_downgrade(app: App, revision: str, yes: bool) -> None:
    """Migrate the database down to REVISION ("base" drops every table).

    Downgrading can drop tables and the data in them: back the database up
    first.

    \b
    Example:
        cp quotes.db quotes.db.bak && quotedb db downgrade base --yes
    """
    url = db.resolve_url(app.db)
    click.echo(f"warning: downgrading may delete data; back up {db.sqlite_path(url) or url} "
               "first (for SQLite: copy the file; for PostgreSQL: pg_dump).", err=True)
    if not yes:
        click.confirm("Downgrade now?", abort=True, err=True)
    before, after = _migrate(app, db.downgrade, revision)
    app.say(f"downgraded {before or 'empty'} -> {after or 'base'}")


@db_group.command("current")
@pass_app
def db_current(app: App) -> None:
    """Print the database's schema revision.

    \b
    Example:
        quotedb db current
    """
    db.require_existing(app.db)  # connecting would create the file
    with _raw_engine(app) as engine:
        current = db.current_revision(engine)
    head = db.head_revision()
    marker = " (head)" if current == head else f" (head is {head})"
    click.echo(f"{current or 'empty'}{marker}")


@db_group.command("create-reader")
@click.argument("name")
@click.option("--password", envvar="QUOTEDB_READER_PASSWORD", default=None,
              help="The role's password [default: a new random one]; "
                   "env QUOTEDB_READER_PASSWORD.")
@pass_app
def db_create_reader(app: App, name: str, password: str | None) -> None:
    """Create (or update) PostgreSQL login role NAME that can only read quotedb's tables.

    Prints the URL to give `quotedb sql` as --read-url (or QUOTEDB_READ_URL).
    Run it as the database's owner; run it again after `db upgrade` adds tables.

    \b
    Example:
        quotedb --db postgresql+psycopg://admin@host/news db create-reader analyst
    """
    with app.engine() as engine:
        click.echo(roles.create_reader(engine, name, password))
    app.say(f"role {name!r} can SELECT quotedb's tables; use the URL above as --read-url "
            f"or ${roles.READ_URL_ENV}")


@db_group.command("history")
def db_history() -> None:
    """List every schema revision, newest first.

    \b
    Example:
        quotedb db history
    """
    head = db.head_revision()
    for revision, down, message in db.history():
        tag = " (head)" if revision == head else ""
        click.echo(f"{down or '<base>'} -> {revision}{tag}: {message.strip().splitlines()[0]}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="quotedb")


__all__ = ["cli", "main"]
