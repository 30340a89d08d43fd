"""The ``quotedb`` command line: a thin layer over the library.

Each command opens the database, calls one library function and formats the
result. Expected failures (``QuotedbError``) become one-line messages here and
nowhere else; data goes to stdout, progress and messages to stderr.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from . import __version__, api, db, queries, roles, sandbox
from .curation import GENDERS
from .errors import MissingParameter, QueryInterrupted, QuotedbError, UnsafeRole
from .export import WRITERS, jsonable
from .export.outfile import refuse_database_files, staged_output
from .formats import INPUT_FORMATS, FieldMap
from .ingest import Outcome
from .ingest.cluster import CONNECT_TIMEOUT, connect_scheduler
from .parser import PARSER_VERSION
from .progress import Eta
from .records import SPEAKER_KINDS
from .render import DEFAULT_CELL_WIDTH, OUTPUT_FORMATS, render_marked, write_output
from .reparse import count_stale
from .reparse import reparse as run_reparse
from .sources import DEFAULT_MAX_BYTES
from .stats import format_stats, version_key
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
            raise click.ClickException(cli_message(exc)) from exc
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


def cli_message(exc: QuotedbError) -> str:
    """A library error as the CLI says it: with the option that fixes it, where one does.

    The library's messages name no CLI options (a notebook has none); the
    hint is added here, where the options are.
    """
    message = str(exc)
    if isinstance(exc, MissingParameter):
        return f"{message}; pass -p {exc.name} VALUE"
    if isinstance(exc, UnsafeRole):
        return f"{message}; give its URL as --read-url (or ${roles.READ_URL_ENV})"
    return message


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
    def database(self, *, read_only: bool = False) -> Iterator[api.Database]:
        """The library's ``Database``, schema checked; created and migrated on first use by writers.

        ``read_only`` for commands that only read: an existing SQLite file is
        opened so nothing can write it, which also works on read-only media,
        and a missing one is an error (a mistyped --db), not a new database.
        """
        with api.connect(self.db, read_only=read_only) as database:
            yield database

    @contextmanager
    def engine(self, *, read_only: bool = False) -> Iterator[Engine]:
        """The database's engine, for the commands that hand it to a module of their own."""
        with self.database(read_only=read_only) as database:
            yield database.engine


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
@click.option("--batch-size", type=click.IntRange(min=1), default=api.DEFAULT_BATCH_SIZE,
              show_default=True,
              help="Articles per transaction (each still all-or-nothing).")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
              help="Parse on this running Dask cluster (extra 'dask'); on PostgreSQL its "
                   "workers write too. Files must be at the same paths on the workers.")
@click.option("--scheduler-timeout", type=click.FloatRange(min=0, min_open=True),
              default=CONNECT_TIMEOUT, show_default=True,
              help="Seconds to wait for the --scheduler to answer.")
@pass_app
def ingest(app: App, paths: tuple[str, ...], pattern: str | None, input_format: str | None,
           text_field: str | None, title_field: str | None, date_field: str | None,
           url_field: str | None, id_field: str | None, max_bytes: int,
           workers: int | None, batch_size: int, scheduler: str | None,
           scheduler_timeout: float) -> None:
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
        quotedb --db postgresql+psycopg://db/quotes ingest /shared/corpus \\
            --scheduler tcp://scheduler:8786
    """
    if scheduler is not None and workers is not None:
        raise click.UsageError("--workers is for parsing here; with --scheduler the "
                               "cluster's workers parse")
    fields = FieldMap.from_options(text=text_field, title=title_field, date=date_field,
                                   url=url_field, id=id_field)
    advance: list[Callable[[int], None]] = []  # the progress bar's, once it is shown
    bars = ExitStack()

    def start_bar(length: int | None) -> None:
        # Corpus files hold many records, so then the bar has no length. Its own
        # ETA is replaced by a moving average over batches (see progress.py).
        eta = Eta(length or 0, batch_size)
        bar: Any = bars.enter_context(click.progressbar(
            length=length, file=sys.stderr, label="ingesting", show_eta=False, show_pos=True,
            item_show_func=lambda text: text))
        advance.append(lambda n: bar.update(n, eta.advance(n)))

    show_bar = not app.quiet and sys.stderr.isatty()
    # The scheduler first: an unreachable one must leave no database behind.
    client = connect_scheduler(scheduler, scheduler_timeout) if scheduler else None
    with app.database() as database, bars, client or nullcontext():
        summary = database.ingest(
            *paths, input_format=input_format, pattern=pattern, fields=fields,
            max_bytes=max_bytes, workers=workers, batch_size=batch_size,
            on_start=start_bar if show_bar else None,
            on_outcome=lambda outcome: _after(outcome, advance), client=client)
    app.say(summary.line())
    if summary.failed:
        sys.exit(1)


def _after(outcome: Outcome, advance: list[Callable[[int], None]]) -> None:
    """Report a failed input at once (always, even with --quiet), then move the bar if any."""
    if outcome.error:  # names files and records, which may hold control characters
        click.echo(visible(f"error: {outcome.error}"), err=True)
    for step in advance:
        step(1)


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
        click.option("--since", type=ISO_DATE, help="Articles published on or after YYYY-MM-DD."),
        click.option("--until", type=ISO_DATE, help="Articles published on or before YYYY-MM-DD."),
        outlet_option,
        click.option("--limit", type=click.IntRange(min=0), help="At most this many quotes."),
        click.option("--fragments", is_flag=True,
                     help="Include scare quotes and fragments (never attributed); rows then "
                          "say which are fragments (a fragment column)."),
        click.option("--all-copies", is_flag=True,
                     help="Every syndicated copy's quotes too (a story counts once by default)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


class IsoDate(click.ParamType):
    """A YYYY-MM-DD date, handed on as typed: the library reads it (``quote_filter``)."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        try:
            queries.quote_filter(since=value)
        except QuotedbError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)
        return value


ISO_DATE = IsoDate()


def _filter(**filters: Any) -> queries.QuoteFilter:
    """The library's filter for the options of ``quote_filters``."""
    return queries.quote_filter(**filters)


#: The ``--format`` shortcuts sqlite-utils users type, and the format each means.
FORMAT_SHORTCUTS = {"csv": "csv", "json": "json", "nl": "jsonl", "table": "table"}


def output_options(width: int | None) -> Callable[[F], F]:
    """``--format`` and its sqlite-utils shortcuts, and the table's cell width.

    The command gets ``fmt`` (one of ``OUTPUT_FORMATS``) and ``width`` (None:
    whole cells); ``width`` is where its table cuts cells by default.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(*args: Any, fmt: str | None, no_truncate: bool, **kwargs: Any) -> Any:
            chosen = {FORMAT_SHORTCUTS[name] for name in FORMAT_SHORTCUTS
                      if kwargs.pop(f"as_{name}")}
            if fmt is not None:
                chosen.add(fmt)
            if len(chosen) > 1:
                raise _Misuse(f"choose one output format, not {' and '.join(sorted(chosen))}")
            kwargs["fmt"] = chosen.pop() if chosen else "table"
            if no_truncate:
                kwargs["width"] = None
            return func(*args, **kwargs)

        options = [
            click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default=None,
                         help="Output format [default: table]."),
            click.option("--csv", "as_csv", is_flag=True, help="Same as --format csv."),
            click.option("--json", "as_json", is_flag=True, help="Same as --format json."),
            click.option("--nl", "as_nl", is_flag=True,
                         help="Same as --format jsonl: one JSON object a line."),
            click.option("-t", "--table", "as_table", is_flag=True,
                         help="Same as --format table."),
            click.option("--width", type=click.IntRange(min=2), default=width,
                         show_default=width is not None,
                         help="Table: cut longer cells to this many characters, ending in …"
                              + ("" if width is not None else " [default: whole cells]")),
            click.option("--no-truncate", is_flag=True, help="Table: show whole cells."),
        ]
        wrapped: Any = command
        for option in reversed(options):
            wrapped = option(wrapped)
        return wrapped  # type: ignore[no-any-return]

    return decorate


#: The columns the ``quotes`` table shows (csv/json/jsonl show all of them).
TABLE_QUOTE_COLUMNS = ("quote_id", "article_id", "speaker", "cue", "quote")


def table_quote_columns(fragments: bool) -> tuple[str, ...]:
    """What the ``quotes`` table shows: with ``--fragments``, which rows are fragments too."""
    if not fragments:
        return TABLE_QUOTE_COLUMNS
    return (*TABLE_QUOTE_COLUMNS[:-1], "fragment", TABLE_QUOTE_COLUMNS[-1])


@cli.command()
@quote_filters
@output_options(width=DEFAULT_CELL_WIDTH)
@pass_app
def quotes(app: App, fmt: str, width: int | None, **filters: Any) -> None:
    """List quotes with their speakers.

    \b
    Example:
        quotedb quotes --speaker "donald rumsfeld" --json
        quotedb quotes --search "safe passage" --since 2001-11-01 --no-truncate
    """
    columns = (table_quote_columns(filters["fragments"]) if fmt == "table"
               else queries.quote_columns(filters["fragments"]))
    with app.database(read_only=True) as database:
        rows = database.quotes(**filters)
        write_output(([row[c] for c in columns] for row in rows), columns, fmt, sys.stdout,
                     width=width)


@cli.group(invoke_without_command=True, cls=click.Group)
@output_options(width=DEFAULT_CELL_WIDTH)
@click.option("--similar", is_flag=True,
              help="List pairs of speakers who are likely one person, to review before merging.")
@click.pass_context
def speakers(ctx: click.Context, fmt: str, width: int | None, similar: bool) -> None:
    """List speakers with quote and article counts, most quoted first; curate them.

    Curation (merge, rename, set) is stored and applied again after every
    ingest and reparse, so a fix is made once.

    \b
    Example:
        quotedb speakers --csv > speakers.csv
        quotedb speakers --similar
        quotedb speakers merge "Ahmad Massoud" "Massoud"
    """
    if ctx.invoked_subcommand is not None:
        return
    app = ctx.find_object(App)
    assert app is not None
    with app.database(read_only=True) as database:
        if similar:
            pairs = database.similar_speakers()
            columns: tuple[str, ...] = ("speaker", "quotes", "similar", "similar_quotes", "why")
            rows: Any = ([p.name, p.quotes, p.other, p.other_quotes, p.reason] for p in pairs)
        else:
            items = database.speakers()
            columns = queries.SPEAKER_COLUMNS
            rows = ([i[c] for c in columns] for i in items)
        write_output(rows, columns, fmt, sys.stdout, width=width)


@speakers.command("merge")
@click.argument("into")
@click.argument("other")
@pass_app
def speakers_merge(app: App, into: str, other: str) -> None:
    """OTHER becomes one speaker with INTO: its quotes and aliases move, its name an alias."""
    with app.database() as database:
        decision = database.merge_speakers(into, other)
    app.say(f"decision {decision.id}: {decision.describe()}")


@speakers.command("rename")
@click.argument("speaker")
@click.argument("new_name")
@pass_app
def speakers_rename(app: App, speaker: str, new_name: str) -> None:
    """Call SPEAKER NEW_NAME from now on (the old name stays an alias)."""
    with app.database() as database:
        decision = database.rename_speaker(speaker, new_name)
    app.say(f"decision {decision.id}: {decision.describe()}")


@speakers.command("set")
@click.argument("speaker")
@click.option("--kind", type=click.Choice(SPEAKER_KINDS), help="What the speaker is.")
@click.option("--gender", type=click.Choice(GENDERS),
              help="The speaker's gender; unknown clears what the text said.")
@pass_app
def speakers_set(app: App, speaker: str, kind: str | None, gender: str | None) -> None:
    """Set SPEAKER's kind and/or gender over what the articles say."""
    with app.database() as database:
        decision = database.set_speaker(speaker, kind=kind, gender=gender)
    app.say(f"decision {decision.id}: {decision.describe()}")


@speakers.command("decisions")
@output_options(width=None)
@pass_app
def speakers_decisions(app: App, fmt: str, width: int | None) -> None:
    """List the stored curation decisions, in the order they are applied."""
    with app.database(read_only=True) as database:
        decisions = database.curation_decisions()
    write_output(([d.id, d.describe(), d.made_at] for d in decisions),
                 ("id", "decision", "made_at"), fmt, sys.stdout, width=width)


@speakers.command("forget")
@click.argument("decision_id", type=int)
@pass_app
def speakers_forget(app: App, decision_id: int) -> None:
    """Stop applying a decision (what it changed stays until a reparse)."""
    with app.database() as database:
        decision = database.forget_decision(decision_id)
    app.say(f"forgot decision {decision.id}: {decision.describe()}")


@cli.command()
@outlet_option
@output_options(width=DEFAULT_CELL_WIDTH)
@pass_app
def articles(app: App, fmt: str, width: int | None, outlet: str | None) -> None:
    """List ingested articles with their metadata and quote counts.

    \b
    Example:
        quotedb articles --json
        quotedb articles --outlet reuters
    """
    with app.database(read_only=True) as database:
        items = database.articles(outlet)
    write_output(([i[c] for c in queries.ARTICLE_COLUMNS] for i in items),
                 queries.ARTICLE_COLUMNS, fmt, sys.stdout, width=width)


@cli.command()
@click.argument("article_id", type=int)
@pass_app
def show(app: App, article_id: int) -> None:
    """Show one article with each quote marked [[like this]]{speaker}.

    \b
    Example:
        quotedb show 1
    """
    with app.database(read_only=True) as database:
        article = database.show(article_id)
    meta = [
        ("id", article.article_id), ("source", article.source), ("title", article.title),
        ("published", article.published), ("outlet", article.outlet),
        ("authors", "; ".join(article.authors)), ("dateline", article.dateline),
        ("parser", article.parser_version), ("quotes", article.quote_count),
    ]
    # Article text and metadata may hold terminal control sequences:
    # shown escaped (line breaks and tabs kept), never obeyed.
    for label, value in meta:
        if value not in (None, ""):
            click.echo(visible(f"{label + ':':<11}{value}"))
    click.echo()
    click.echo(visible(render_marked(article.text, [
        (q.start, q.end, "fragment" if q.fragment else (q.speaker or "unattributed"))
        for q in article.quotes
    ]), keep="\n\t"))


@cli.command()
@click.argument("query")
@click.option("-p", "--param", "params", nargs=2, multiple=True, metavar="NAME VALUE",
              help="Bind :NAME to VALUE (repeatable); never formatted into the SQL.")
@click.option("--read-url", envvar=roles.READ_URL_ENV, metavar="URL",
              help="PostgreSQL: run the query as this read-only role (made by "
                   "`quotedb db create-reader`) instead of --db; env QUOTEDB_READ_URL.")
@click.option("--timeout", type=click.FloatRange(min=0), default=sandbox.DEFAULT_SQL_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="Stop the query after the database has worked on it this long (0: no "
                   "limit). Ctrl-C stops it too.")
@output_options(width=None)
@pass_app
def sql(app: App, query: str, params: tuple[tuple[str, str], ...], read_url: str | None,
        timeout: float, fmt: str, width: int | None) -> None:
    """Run one read-only SQL query (- reads it from stdin); the connection refuses writes.

    On PostgreSQL the query runs only as a role that cannot reach the server
    (not a superuser): make one with `quotedb db create-reader`.

    \b
    Example:
        quotedb sql "select name, count(*) from quotes join speakers
                     on speakers.id = quotes.speaker_id group by name"
        quotedb sql "select * from quotes where text like :t" -p t "%war%"
        echo "select count(*) from quotes" | quotedb sql - --csv
        quotedb --db postgresql+psycopg://admin@host/news sql --read-url \\
            postgresql+psycopg://reader:PW@host/news "select count(*) from quotes"
    """
    if query == "-":
        query = sys.stdin.read()
    # A reader's URL is a database of its own: --db is not opened at all then.
    opened: AbstractContextManager[api.Database] = (
        api.connect(read_url, read_only=True, read_url=read_url) if read_url
        else app.database(read_only=True))
    with opened as database:
        columns, rows = database.execute(query, dict(params), timeout=timeout)
        write_output(rows, columns, fmt, sys.stdout, width=width)


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
    with app.database(read_only=True) as database, _sigterm_unwinds():
        count = database.export(sys.stdout if output is None else output, fmt=fmt,
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




@cli.command()
@click.option("-o", "--output", "output_name", required=True,
              type=FilePath(dir_okay=False, writable=True, allow_dash=True),
              help="The HTML file to write (- for stdout).")
@click.option("--title", default="Who is quoted", show_default=True, help="The page's title.")
@click.option("--speaker", help="Only this speaker (whole words of a name or alias).")
@click.option("--search", help="Only quotes matching this full-text search.")
@outlet_option
@click.option("--since", type=ISO_DATE, help="Articles published on or after YYYY-MM-DD.")
@click.option("--until", type=ISO_DATE, help="Articles published on or before YYYY-MM-DD.")
@pass_app
def report(app: App, output_name: str, title: str, speaker: str | None, search: str | None,
           outlet: str | None, since: str | None, until: str | None) -> None:
    """Write one self-contained HTML page of charts: who is quoted, by whom, over time.

    The page needs no network to open: the charts are drawn into it.

    \b
    Example:
        quotedb report -o report.html
        quotedb report -o reuters.html --outlet reuters --since 2001-01-01
    """
    output = None if output_name == "-" else Path(output_name)
    if output is not None:
        refuse_database_files(output, db.sqlite_path(db.resolve_url(app.db)))
    with app.database(read_only=True) as database:
        page = database.report(title=title, speaker=speaker, search=search, since=since,
                               until=until, outlet=outlet)
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
    with app.database(read_only=True) as database:
        figures = database.stats()
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
