"""Read-side queries: quotes with filters, speakers, articles.

Functions build ``select()`` statements or take a session; they never format
output (that is ``export``'s job) and never open databases themselves. A
user's own SQL runs in ``sandbox``, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import regex
from sqlalchemy import (
    Select,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnClause

from . import models
from .errors import BadFilter
from .names import name_key

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
    #: Scare quotes and fragments too (left out by default).
    fragments: bool = False
    #: Only articles from this outlet (case-insensitive, as ``outlet_condition``).
    outlet: str | None = None
    #: Every syndicated copy's quotes too; by default a story is counted once,
    #: from its first copy (``articles.duplicate_of``, see ``copies_condition``).
    all_copies: bool = False
    #: The speakers ``speaker`` names, once looked up (see ``resolve_speaker``).
    speaker_ids: tuple[int, ...] | None = None
    #: Only articles with ``first <= id < end``: how a parallel export splits
    #: its work (see ``export.csv_export``).
    article_range: tuple[int, int] | None = None


def quote_filter(
    *, speaker: str | None = None, article_id: int | None = None, search: str | None = None,
    since: date | str | None = None, until: date | str | None = None,
    limit: int | None = None, fragments: bool = False, outlet: str | None = None,
    all_copies: bool = False,
) -> QuoteFilter:
    """The filter for the options a user gives, dates as ``date`` or ``"YYYY-MM-DD"``.

    Raises:
        BadFilter: a date that is not YYYY-MM-DD.
    """
    return QuoteFilter(speaker=speaker, article_id=article_id, search=search,
                       since=_as_date("since", since), until=_as_date("until", until),
                       limit=limit, fragments=fragments, outlet=outlet, all_copies=all_copies)


def _as_date(name: str, value: date | str | None) -> date | None:
    """A filter date given as a date or an ISO string.

    >>> _as_date("since", "2001-11-20")
    datetime.date(2001, 11, 20)
    """
    if isinstance(value, datetime):  # a datetime is a date too: its day
        return value.date()
    if not isinstance(value, str):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def quote_columns(fragments: bool = False) -> tuple[str, ...]:
    """The columns of quote rows: ``QUOTE_COLUMNS``, and ``fragment`` when fragments come too."""
    return (*QUOTE_COLUMNS, "fragment") if fragments else QUOTE_COLUMNS


def with_fragment(stmt: Select) -> Select:
    """``stmt`` (from ``select_quotes``) with a last column saying which rows are fragments.

    Without it a fragment and an unattributed quote look the same: neither
    has a speaker.
    """
    return stmt.add_columns(models.Quote.fragment.label("fragment"))


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
    if not flt.fragments:
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
    if not flt.all_copies:
        stmt = stmt.where(copies_condition(flt.outlet))
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
        if not flt.fragments:
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


def copies_condition(outlet: str | None = None) -> Any:
    """Articles that count: first copies, and with ``outlet``, copies whose first copy
    that outlet did not run.

    A wire story in twenty papers is one story: counted once, from its first
    copy. Asked about one outlet, the story counts for that outlet even when
    another outlet ran it first.
    """
    a = models.Article
    if outlet is None:
        return a.duplicate_of.is_(None)
    first = aliased(models.Article)
    first_here = (select(first.id)
                  .where(first.id == a.duplicate_of,
                         func.lower(first.outlet) == outlet.strip().lower())
                  .exists())
    return or_(a.duplicate_of.is_(None), ~first_here)


def copy_counts() -> Any:
    """Each first copy's number of copies (``first``, ``copies``): a derived table.

    Joined once per export rather than counted per quote row (a correlated
    count per row made the SQLite export five times slower); grouped by the
    ``duplicate_of`` index, so no sort. Stories never syndicated have no row.
    """
    a = models.Article
    return (select(a.duplicate_of.label("first"), func.count(a.id).label("copies"))
            .where(a.duplicate_of.is_not(None)).group_by(a.duplicate_of)
            .subquery("copy_counts"))


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

