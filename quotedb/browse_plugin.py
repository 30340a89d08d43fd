"""quotedb's Datasette plugin: the hooks ``quotedb browse`` loads into Datasette.

Datasette loads plugins from a folder of modules (``--plugins-dir``);
``browse.write_plugins`` writes one there that imports these hooks, so the
code lives in the package, is linted and typed like the rest, and is the same
code the tests give Datasette. Only Datasette imports this module (it needs
the 'browse' extra).

- ``prepare_connection``: ``quotedb_name_key(text)`` in SQL, so canned queries
  find a speaker by exactly the rule ``quotedb quotes --speaker`` uses.
- ``filters_from_request`` and ``register_facet_classes``: the quotes table
  leaves fragments out unless the request asks about them, as the CLI does;
  the ``fragment`` facet still counts both kinds and links to the fragments.
- ``extra_template_vars``: a speaker's row page lists its aliases and quotes
  (``browse_templates/row.html`` shows them).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl
from datasette.facets import ColumnFacet
from datasette.filters import FilterArguments
from datasette.utils import path_with_added_args, urlsafe_components

from .names import name_key

QUOTES_TABLE = "quotes"
SPEAKERS_TABLE = "speakers"
FRAGMENT_COLUMN = "fragment"
#: ``?_fragments=all`` lifts the default without filtering on the column.
SHOW_ALL_ARG = "_fragments"
#: The SQL parameter that switches the default clause off (1) or on (0); the
#: facet re-runs the page's own query with it set to 1 to count fragments too.
SHOW_ALL_PARAM = "quotedb_all_fragments"
DEFAULT_CLAUSE = f'("{FRAGMENT_COLUMN}" = 0 or :{SHOW_ALL_PARAM})'
FACET_TYPE = "fragments"
FACET_LABELS = {0: "quotes", 1: "fragments"}
#: How many of a speaker's quotes its row page lists (the rest are a link away).
SPEAKER_PAGE_QUOTES = 100


# --- quotedb_name_key -------------------------------------------------------


def add_sql_functions(connection: sqlite3.Connection) -> None:
    """Register ``quotedb_name_key(text)`` (``names.name_key``; NULL stays NULL).

    SQLite cannot fold accents itself, so the key is computed by quotedb's own
    function rather than approximated with ``lower()``.
    """
    connection.create_function(
        "quotedb_name_key", 1, lambda value: None if value is None else name_key(str(value)),
        deterministic=True,
    )


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    add_sql_functions(conn)


# --- fragments hidden by default ------------------------------------------------


def asks_about_fragments(args: dict[str, list[str]]) -> bool:
    """Whether a quotes-table request chooses for itself which fragments to see.

    Any filter on the column (``?fragment=1``, ``?fragment__in=0,1``), a
    ``?_where=`` naming it, or ``?_fragments=all`` replaces the default.

    >>> asks_about_fragments({"_search": ["war"]})
    False
    >>> asks_about_fragments({"fragment__exact": ["1"]})
    True
    >>> asks_about_fragments({"_where": ["fragment = 1"]})
    True
    """
    if SHOW_ALL_ARG in args:
        return True
    if any(key == FRAGMENT_COLUMN or key.startswith(FRAGMENT_COLUMN + "__") for key in args):
        return True
    return any(FRAGMENT_COLUMN in where for where in args.get("_where", []))


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    """Leave fragments out of the quotes table unless the request asks about them."""
    if table != QUOTES_TABLE:
        return None
    if asks_about_fragments({key: request.args.getlist(key) for key in request.args.keys()}):
        return None
    return FilterArguments(
        [DEFAULT_CLAUSE],
        params={SHOW_ALL_PARAM: 0},
        human_descriptions=["fragments hidden (the fragment facet shows them)"],
    )


class FragmentFacet(ColumnFacet):  # type: ignore[misc]
    """The ``fragment`` facet, counting fragments even while the default hides them.

    With the default in force it re-runs the page's query with the default
    clause switched off, lists "quotes" as the selected value and links
    "fragments" to ``?fragment=1``; its cross shows both (``?_fragments=all``).
    """

    type = FACET_TYPE
    params: Any  # Facet.__init__ sets it: the table page's own query parameters

    async def suggest(self) -> list[dict[str, Any]]:
        return []  # ColumnFacet already suggests every column once

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        hidden = isinstance(self.params, dict) and self.params.get(SHOW_ALL_PARAM) == 0
        if hidden:
            self.params = {**self.params, SHOW_ALL_PARAM: 1}
        results, timed_out = await super().facet_results()
        for facet in results:
            for value in facet["results"]:
                value["label"] = FACET_LABELS.get(value["value"], value["label"])
                if hidden and value["value"] == 0:
                    value["selected"] = True
                    value["toggle_url"] = self.ds.absolute_url(
                        self.request,
                        self.ds.urls.path(path_with_added_args(self.request,
                                                               {SHOW_ALL_ARG: "all"})),
                    )
        return results, timed_out


@hookimpl
def register_facet_classes() -> list[type]:
    return [FragmentFacet]


# --- a speaker's row page ---------------------------------------------------------

_SPEAKER_QUOTES_SQL = f"""
select quotes.id, quotes.text, quotes.cue, quotes.article_id,
       articles.title as article_title, articles.published
from quotes join articles on articles.id = quotes.article_id
where quotes.speaker_id = :speaker_id
order by articles.published, quotes.article_id, quotes.start
limit {SPEAKER_PAGE_QUOTES}
"""
_SPEAKER_COUNT_SQL = "select count(*) from quotes where speaker_id = :speaker_id"
_SPEAKER_ALIASES_SQL = """
select alias from speaker_aliases where speaker_id = :speaker_id order by alias
"""


async def speaker_page(datasette: Any, database: str, speaker_id: str) -> dict[str, Any]:
    """What a speaker's row page adds: its aliases, quote count and first quotes."""
    db = datasette.get_database(database)
    params = {"speaker_id": speaker_id}
    quotes = await db.execute(_SPEAKER_QUOTES_SQL, params)
    count = await db.execute(_SPEAKER_COUNT_SQL, params)
    aliases = await db.execute(_SPEAKER_ALIASES_SQL, params)
    return {
        "id": speaker_id,
        "aliases": [row["alias"] for row in aliases.rows],
        "quote_count": count.rows[0][0],
        "quotes": [dict(row) for row in quotes.rows],
    }


@hookimpl
def extra_template_vars(
    template: str, database: str, table: str, view_name: str, request: Any, datasette: Any
) -> Callable[[], Awaitable[dict[str, Any]]] | None:
    """On a speaker's row page, ``quotedb_speaker`` for ``browse_templates/row.html``."""
    if view_name != "row" or table != SPEAKERS_TABLE or request is None:
        return None
    pks = urlsafe_components(request.url_vars.get("pks", ""))
    if len(pks) != 1:
        return None

    async def inner() -> dict[str, Any]:
        return {"quotedb_speaker": await speaker_page(datasette, database, pks[0])}

    return inner
