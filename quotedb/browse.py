"""Browsing a quotedb SQLite file in Datasette: labelled tables, facets, search, saved queries.

Datasette already gives researchers filtering, faceting, full-text search and
CSV/JSON downloads in a browser; quotedb's part is the metadata that makes
its schema readable there (what each table and column means, which columns
to facet on, which FTS table searches quotes) and a few canned queries for
the questions everybody asks first. Datasette is optional:
``pip install 'quotedb[browse]'``.

The file is served read-only (Datasette opens it with ``mode=ro``), so
browsing never changes a corpus, and only on 127.0.0.1. Datasette runs as a
child process that ``supervise.run`` ends with quotedb, whatever signal ends
quotedb; the hooks it loads (speaker search, fragments hidden by default, a
speaker's quotes on its page) live in ``browse_plugin``.
"""

from __future__ import annotations

import html
import importlib.util
import json
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import inspect

from . import db, supervise
from .errors import DatabaseError, QuotedbError

BROWSE_EXTRA_HINT = "quotedb browse needs the 'browse' extra: pip install 'quotedb[browse]'"
DEFAULT_PORT = 8001
#: Templates Datasette is given (``--template-dir``): the row page with a
#: speaker's aliases and quotes.
TEMPLATES_DIR = Path(__file__).resolve().parent / "browse_templates"


class DatasetteMissing(QuotedbError):
    """Datasette, which ``quotedb browse`` runs, is not installed."""


class BrowseNeedsSQLite(QuotedbError):
    """Datasette serves SQLite files only; the database is elsewhere."""


class PortInUse(QuotedbError):
    """Something already listens on the port ``quotedb browse`` was asked to use."""


# --- metadata -------------------------------------------------------------

#: ``queries.speaker_ids_select`` in SQL: whole words of the name or an alias,
#: compared as keys (``quotedb_name_key`` comes from quotedb's plugin, see
#: ``write_plugins``).
_SPEAKER_MATCH = """(
      ' ' || speakers.key || ' ' like '% ' || quotedb_name_key(:speaker) || ' %'
      or speakers.id in (select speaker_id from speaker_aliases
                         where ' ' || key || ' ' like '% ' || quotedb_name_key(:speaker) || ' %')
    )"""

CANNED_QUERIES: dict[str, dict[str, str]] = {
    "most_quoted_speakers": {
        "title": "Most quoted speakers",
        "description": "Speakers by number of quotes (fragments excluded), with how many "
        "articles quote them and the span of those articles' publication dates.",
        "sql": """select speakers.id as speaker_id, speakers.name, speakers.kind,
       count(quotes.id) as quotes,
       count(distinct quotes.article_id) as articles,
       min(articles.published) as first_published,
       max(articles.published) as last_published
from speakers
join quotes on quotes.speaker_id = speakers.id and quotes.fragment = 0
join articles on articles.id = quotes.article_id
group by speakers.id, speakers.name, speakers.kind
order by quotes desc, speakers.name
limit 100""",
    },
    "quotes_by_speaker_over_time": {
        "title": "Quotes by a speaker, month by month",
        "description": "How often a speaker (full name, alias such as 'Mr Rumsfeld', or whole "
        "words of one such as 'rumsfeld'; any case, accents optional) is quoted per month of "
        "publication. Articles with no "
        "publication date are counted under 'undated'.",
        "sql": f"""select coalesce(substr(articles.published, 1, 7), 'undated') as month,
       speakers.name as speaker,
       count(quotes.id) as quotes,
       count(distinct quotes.article_id) as articles
from quotes
join speakers on speakers.id = quotes.speaker_id
join articles on articles.id = quotes.article_id
where quotes.fragment = 0
  and {_SPEAKER_MATCH}
group by month, speakers.id, speakers.name
order by month, quotes desc""",
    },
    # Charts (issue 15): each opens drawn by datasette-vega (the browse extra), from
    # the options in the link's #g.* fragment. Syndicated copies count once.
    "quotes_per_speaker_per_month": {
        "title": "Chart: the most quoted speakers, quotes per month",
        "description": "Quotes per month of publication of the eight most quoted speakers "
        "(fragments, undated articles and syndicated copies left out).",
        "chart": "mark=line&x_column=month&x_type=ordinal&y_column=quotes"
                 "&y_type=quantitative&color_column=speaker",
        "sql": """select substr(articles.published, 1, 7) as month, speakers.name as speaker,
       count(quotes.id) as quotes
from quotes
join speakers on speakers.id = quotes.speaker_id
join articles on articles.id = quotes.article_id
where quotes.fragment = 0 and articles.published is not null
  and articles.duplicate_of is null
  and speakers.id in (select s.id from quotes q
                      join speakers s on s.id = q.speaker_id
                      join articles a on a.id = q.article_id
                      where q.fragment = 0 and a.published is not null
                        and a.duplicate_of is null
                      group by s.id order by count(*) desc, s.name limit 8)
group by month, speakers.id, speakers.name
order by month, quotes desc""",
    },
    "gender_share_by_outlet": {
        "title": "Chart: share of quotes by speaker gender, per outlet and month",
        "description": "Attributed quotes per outlet, month and speaker gender as the articles "
        "give it ('unknown' where they do not), with each gender's share of the outlet's month "
        "in percent (syndicated copies count once).",
        "chart": "mark=bar&x_column=month&x_type=ordinal&y_column=share"
                 "&y_type=quantitative&color_column=gender",
        "sql": """select outlet, month, gender, quotes,
       round(100.0 * quotes / sum(quotes) over (partition by outlet, month), 1) as share
from (select coalesce(articles.outlet, '(no outlet)') as outlet,
             substr(articles.published, 1, 7) as month,
             coalesce(speakers.gender, 'unknown') as gender,
             count(quotes.id) as quotes
      from quotes
      join speakers on speakers.id = quotes.speaker_id
      join articles on articles.id = quotes.article_id
      where quotes.fragment = 0 and articles.published is not null
        and articles.duplicate_of is null
      group by 1, 2, 3)
order by outlet, month, gender""",
    },
    "top_speakers_per_outlet": {
        "title": "Chart: the most quoted speakers per outlet",
        "description": "Each outlet's ten most quoted speakers (syndicated copies count once).",
        "chart": "mark=bar&x_column=speaker&x_type=ordinal&y_column=quotes"
                 "&y_type=quantitative&color_column=outlet",
        "sql": """select outlet, speaker, quotes from (
  select coalesce(articles.outlet, '(no outlet)') as outlet, speakers.name as speaker,
         count(quotes.id) as quotes,
         row_number() over (partition by coalesce(articles.outlet, '(no outlet)')
                            order by count(quotes.id) desc, speakers.name) as rank
  from quotes
  join speakers on speakers.id = quotes.speaker_id
  join articles on articles.id = quotes.article_id
  where quotes.fragment = 0 and articles.duplicate_of is null
  group by 1, speakers.id, speakers.name)
where rank <= 10
order by outlet, quotes desc, speaker""",
    },
    "unattributed_quotes": {
        "title": "Unattributed quotes",
        "description": "Quotes the parser found no speaker for (fragments excluded): the "
        "place to check its work or to attribute by hand.",
        "sql": """select quotes.id as quote_id, articles.id as article_id,
       articles.title as article_title, articles.published,
       quotes.paragraph, quotes.text as quote
from quotes
join articles on articles.id = quotes.article_id
where quotes.speaker_id is null and quotes.fragment = 0
order by articles.id, quotes.start
limit 1000""",
    },
}

def chart_fragment(options: str) -> str:
    """datasette-vega's chart options as the URL fragment it reads on load (``#g.mark=…``)."""
    return "#" + "&".join(f"g.{option}" for option in options.split("&"))


def _canned(name: str, query: dict[str, str]) -> dict[str, str]:
    """A canned query's metadata; a chart query links to itself drawn as its chart.

    The link reloads the page (the ``_chart`` parameter, which Datasette
    ignores) so datasette-vega reads the fragment as the page starts.
    """
    out = {key: value for key, value in query.items() if key != "chart"}
    if "chart" in query:
        out["description_html"] = (
            f"{html.escape(query['description'])} <a href=\"{name}?_chart=1"
            f"{html.escape(chart_fragment(query['chart']))}\">Open as a chart</a>")
    return out


_TABLES: dict[str, dict[str, Any]] = {
    "articles": {
        "title": "Articles",
        "description": "One row per ingested article: its text, metadata and where it came from.",
        "label_column": "title",
        "facets": ["outlet", "published"],
        "sort_desc": "published",
        "columns": {
            "source": "Where the article came from: a file path, or path#id for a record in a "
            "JSON Lines, JSON or CSV corpus.",
            "content_hash": "SHA-256 of the normalised text; the same text is stored once.",
            "title": "Headline, from the page or record, or read from the text.",
            "published": "Publication date, where known.",
            "outlet": "Publication or site name.",
            "url": "The article's address, from the record or the page, where known.",
            "authors": "Bylines, as a JSON list.",
            "dateline": "Place the story was filed from.",
            "text": "The article text as stored; quote offsets index into it.",
            "ingested_at": "When quotedb stored this version of the article.",
            "parser_version": "Version of the quotedb parser that extracted the quotes.",
            "duplicate_of": "The first stored copy of this story when this article is a "
            "near-duplicate of it (a syndicated copy); empty otherwise.",
            "minhash": "The text's MinHash signature, kept so near-duplicates are found "
            "without re-reading every text.",
        },
    },
    "quotes": {
        "title": "Quotes",
        "description": "Every direct quotation: articles.text[start:end] is the quote. "
        "Fragments (scare quotes and short phrases with no speech cue, never attributed) "
        "are hidden unless you ask for them: the fragment facet shows them.",
        "label_column": "text",
        # The fragment facet counts fragments even while they are hidden (browse_plugin).
        "facets": ["speaker_id", "cue", {"fragments": "fragment"}],
        # Datasette lists 30 values a facet; 5 (and a link to the rest) keep the rows
        # of an unfiltered page on the first screen too.
        "facet_size": 5,
        "columns": {
            "article_id": "The article quoted from.",
            "speaker_id": "Who said it (empty when the parser could not tell).",
            "text": "The quoted words, without the quotation marks.",
            "start": "Character offset of the quote in the article text.",
            "end": "Character offset just after the quote.",
            "paragraph": "Paragraph number in the article, from 0.",
            "speaker_mention": "How the article referred to the speaker here ('he', "
            "'Mr Rumsfeld', 'a spokesman').",
            "cue": "The speech verb that attributes the quote ('said', 'told').",
            "fragment": "1 for scare quotes and short fragments with no speech cue.",
            "rule": "The parser rule that chose the speaker, or said there is none.",
        },
    },
    "speakers": {
        "title": "Speakers",
        "description": "People, organisations, documents and groups that are quoted; one row "
        "per speaker across all articles. A speaker's page lists its aliases and quotes.",
        "label_column": "name",
        "facets": ["kind"],
        "columns": {
            "name": "Canonical full name, titles stripped.",
            "key": "The name case-folded and without accents or punctuation; unique.",
            "kind": "person, organisation, document or group: what most articles quoting "
            "them say.",
            "gender": "female, male or empty: what most articles' text says (Mr, Ms, a "
            "spokeswoman, a resolved he or she), never guessed from a first name.",
        },
    },
    "speaker_evidence": {
        "title": "Speaker evidence",
        "description": "What each article says a speaker is: the votes speakers.kind and "
        "speakers.gender are counted from.",
        "facets": ["kind", "gender"],
        "columns": {
            "speaker_id": "The speaker.",
            "article_id": "The article quoting them.",
            "kind": "What this article makes them: person, organisation, document or group.",
            "gender": "The gender this article's text gives them, if any.",
        },
    },
    "speaker_curation": {
        "title": "Speaker curation",
        "description": "Researchers' fixes to the speakers (quotedb speakers merge, rename, "
        "set), replayed after every ingest; speakers are named, as ids do not survive a "
        "reparse.",
        "facets": ["action"],
        "columns": {
            "action": "merge (other becomes one speaker with speaker), rename (speaker is "
            "called other from now on) or set (kind and/or gender).",
            "speaker": "The speaker the fix is about, by name.",
            "other": "The speaker merged in, or the new name.",
            "kind": "The kind set, over what the text says.",
            "gender": "The gender set, over what the text says.",
            "made_at": "When the fix was made.",
        },
    },
    "speaker_aliases": {
        "title": "Speaker aliases",
        "description": "Other names a speaker went by ('Mr Rumsfeld', 'Rumsfeld').",
        "label_column": "alias",
        "columns": {"speaker_id": "The speaker.", "alias": "The name as written.",
                    "key": "Its normalised form."},
    },
    "alembic_version": {"hidden": True},
}


def datasette_metadata(db_path: Path, *, fts: bool | None = None) -> dict[str, Any]:
    """Datasette metadata for a quotedb SQLite file: labels, facets, search, queries.

    Datasette names a database after its file's stem, so the metadata is keyed
    by ``db_path.stem``. Full-text search on quotes is configured when the
    file has the ``quotes_fts`` table (``fts=None`` looks; True/False forces).
    """
    if fts is None:
        fts = _has_fts(db_path)
    tables = json.loads(json.dumps(_TABLES))  # a deep copy callers may change
    for table in tables.values():
        if "columns" in table:
            table["description_html"] = description_html(table["description"],
                                                         table.pop("columns"))
    if fts:
        tables["quotes"]["fts_table"] = "quotes_fts"
        tables["quotes"]["fts_pk"] = "id"
    return {
        "title": "quotedb: who said what",
        "description": "Direct quotations and their speakers extracted from news articles.",
        "databases": {
            db_path.stem: {
                "description": f"quotedb corpus in {db_path.name}.",
                "tables": tables,
                "queries": {name: _canned(name, query) for name, query in CANNED_QUERIES.items()},
            }
        },
    }


def description_html(description: str, columns: dict[str, str]) -> str:
    """A table's description with what each column means folded away.

    Datasette lists a table's ``columns`` metadata in full above its rows,
    which pushed the quotes ~1,000 px down on every page; inside a closed
    ``<details>`` the list costs one line and opens on a click.

    >>> print(description_html("Quotes.", {"cue": "The verb ('said')."}))
    ... # doctest: +NORMALIZE_WHITESPACE
    <p>Quotes.</p><details class="quotedb-columns"><summary>Columns</summary>
    <dl><dt>cue</dt><dd>The verb (&#x27;said&#x27;).</dd></dl></details>
    """
    items = "".join(f"<dt>{html.escape(name)}</dt><dd>{html.escape(text)}</dd>"
                    for name, text in columns.items())
    return (f"<p>{html.escape(description)}</p><details class=\"quotedb-columns\">"
            f"<summary>Columns</summary>\n<dl>{items}</dl></details>")


def _has_fts(db_path: Path) -> bool:
    """Whether the file has the quotes full-text table (read-only look)."""
    engine = db.make_engine(db.sqlite_url(db_path.resolve()), read_only=True)
    try:
        return "quotes_fts" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


# --- quotedb's plugin ----------------------------------------------------------

#: The module Datasette loads with --plugins-dir: the hooks themselves live in
#: ``quotedb.browse_plugin`` (pluggy registers the names a module holds).
_PLUGIN = """\"\"\"quotedb's Datasette plugin, written by quotedb browse.\"\"\"
from quotedb.browse_plugin import (  # noqa: F401
    extra_template_vars,
    filters_from_request,
    prepare_connection,
    register_facet_classes,
)
"""
#: Added when quotedb serves: once Datasette has started it has read the
#: metadata and this plugin (templates come from the package), so it removes
#: quotedb's temporary folder then. Nothing is left behind however either
#: process ends later, SIGKILL included (uvicorn ends on a re-raised SIGTERM,
#: so an ``atexit`` in Datasette would not run).
_REMOVE_WHEN_STARTED = """
import shutil

from datasette import hookimpl


@hookimpl
def startup(datasette):
    shutil.rmtree({folder!r}, ignore_errors=True)
"""
PLUGIN_FILE = "quotedb_browse.py"


def write_plugins(folder: Path, *, remove_when_started: Path | None = None) -> Path:
    """Write quotedb's Datasette plugin into ``folder``; return it, for --plugins-dir.

    Args:
        remove_when_started: a folder Datasette removes once it has started.
    """
    code = _PLUGIN
    if remove_when_started is not None:
        code += _REMOVE_WHEN_STARTED.format(folder=str(remove_when_started))
    (folder / PLUGIN_FILE).write_text(code, encoding="utf-8")
    return folder


# --- serving --------------------------------------------------------------


def database_file(url_or_path: str | None) -> Path:
    """The SQLite file behind ``--db``, checked to be a quotedb database at head.

    Raises:
        BrowseNeedsSQLite: the database is PostgreSQL (or another server).
        DatabaseError: no such file, or not a usable quotedb database.
    """
    url = db.resolve_url(url_or_path)
    if not db.is_sqlite(url):
        raise BrowseNeedsSQLite(
            "quotedb browse serves SQLite files only (Datasette reads SQLite); for "
            "PostgreSQL, export a copy: quotedb --db URL export --format csv, or query it "
            "with quotedb sql"
        )
    path = db.sqlite_path(url)
    if path is None:
        raise DatabaseError("quotedb browse needs a database file, not an in-memory database")
    if not path.is_file():
        raise DatabaseError(f"{path}: no such database file; ingest some articles first")
    engine = db.make_engine(url, read_only=True)
    try:
        db.check_schema(engine, create=False)
    finally:
        engine.dispose()
    return path


def check_port(port: int, host: str = "127.0.0.1") -> None:
    """Refuse a port something already listens on, before Datasette starts.

    Datasette would start, fail to bind and print its log lines around the
    error; this says it in one line. (A server could still take the port in
    between; Datasette then reports it itself.)

    Raises:
        PortInUse: binding the port fails.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUse(f"port {port} on {host} is in use ({exc.strerror}); choose "
                            "another with --port") from exc


def serve_command(
    db_path: Path, metadata_path: Path, port: int = DEFAULT_PORT, open_browser: bool = False,
    plugins_dir: Path | None = None,
) -> list[str]:
    """The ``datasette serve`` command line for a file (local interface only)."""
    command = [
        sys.executable, "-m", "datasette", "serve", str(db_path),
        "--metadata", str(metadata_path),
        "--template-dir", str(TEMPLATES_DIR),
        *(["--plugins-dir", str(plugins_dir)] if plugins_dir is not None else []),
        "--host", "127.0.0.1",
        "--port", str(port),
    ]
    if open_browser:
        command.append("--open")
    return command


def browse(
    url_or_path: str | None, port: int = DEFAULT_PORT, open_browser: bool = False
) -> int:
    """Serve the database in Datasette until stopped; return an exit status.

    Datasette runs as a child that ends when quotedb is stopped by TERM, INT
    or HUP (``supervise.run``; the status is then 0) and, on Linux, when
    quotedb is killed. The temporary folder it starts from (metadata, plugin)
    is removed by Datasette once started, and by quotedb when it ends.

    Raises:
        DatasetteMissing: Datasette is not installed.
        BrowseNeedsSQLite: the database is not a SQLite file.
        DatabaseError: the file is missing or not a quotedb database.
        PortInUse: something already listens on the port.
    """
    if importlib.util.find_spec("datasette") is None:
        raise DatasetteMissing(BROWSE_EXTRA_HINT)
    path = database_file(url_or_path)
    check_port(port)
    folder = Path(tempfile.mkdtemp(prefix="quotedb-browse-"))
    try:
        metadata_path = folder / "metadata.json"
        metadata_path.write_text(json.dumps(datasette_metadata(path), indent=2),
                                 encoding="utf-8")
        plugins = folder / "plugins"
        plugins.mkdir()
        write_plugins(plugins, remove_when_started=folder)
        return supervise.run(serve_command(path, metadata_path, port, open_browser, plugins))
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # Datasette removes it once started


__all__ = [
    "CANNED_QUERIES",
    "BrowseNeedsSQLite",
    "DatasetteMissing",
    "PortInUse",
    "browse",
    "check_port",
    "database_file",
    "datasette_metadata",
    "description_html",
    "serve_command",
    "write_plugins",
]
