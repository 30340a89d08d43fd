"""A corpus at a glance: how many articles, quotes and speakers, and who dominates.

The figures are what a researcher checks first after an ingest (did
everything come in? how much is unattributed? whose voice fills the
corpus?), so they are computed in SQL on either backend and never load the
quotes themselves.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import models
from .terminal import visible

#: How many of the most quoted speakers ``corpus_stats`` lists.
TOP_SPEAKERS = 10


def quote_counts(quotes: int, fragments: int) -> str:
    """Quotes and fragments as both the ingest summary and ``stats`` say them.

    Fragments (scare quotes, titles) are stored beside the quotes but are
    never counted as quotes, so both figures are always given, apart.

    >>> quote_counts(182, 97), quote_counts(1, 1)
    ('182 quotes, 97 fragments', '1 quote, 1 fragment')
    """
    return (f"{quotes:,} quote{'' if quotes == 1 else 's'}, "
            f"{fragments:,} fragment{'' if fragments == 1 else 's'}")


def corpus_stats(session: Session, top: int = TOP_SPEAKERS) -> dict[str, Any]:
    """Counts and shares over the whole corpus (fragments never count as quotes).

    Returns a dict with ``articles``, ``quotes``, ``fragments`` (stored
    beside the quotes, never counted as quotes), ``speakers`` (speakers with
    at least one quote), ``quotes_per_article`` (mean, 0.0 for no articles),
    ``unattributed_share`` (0.0-1.0 of quotes with no speaker),
    ``top_speakers`` (list of ``{"name", "quotes"}``, most quoted first, ties
    by name), ``earliest`` / ``latest`` published dates (None if unknown),
    ``parser_versions`` (articles per parser version, so a researcher sees
    what was parsed by an older parser), ``quotes_by_gender`` (attributed
    quotes per speaker gender as the text gave it: female, male, unknown)
    and ``syndicated_copies`` (articles that copy an earlier one).

    A syndicated story's quotes count once, from its first copy, as
    ``quotedb quotes`` lists them; ``articles`` counts every copy.
    """
    q, a, s = models.Quote, models.Article, models.Speaker
    articles, copies = session.execute(
        select(func.count(a.id), func.count(a.duplicate_of))).one()
    once = q.article_id.in_(select(a.id).where(a.duplicate_of.is_(None)))
    quotes, unattributed, fragments = session.execute(
        select(
            func.count(q.id).filter(q.fragment.is_(False)),
            func.count(q.id).filter(q.speaker_id.is_(None), q.fragment.is_(False)),
            func.count(q.id).filter(q.fragment.is_(True)),
        ).where(once)
    ).one()
    count = func.count(q.id)
    top_rows = session.execute(
        select(s.name, count.label("quotes"))
        .join(q, q.speaker_id == s.id)
        .where(q.fragment.is_(False), once)
        .group_by(s.id, s.name)
        .order_by(count.desc(), s.name)
        .limit(top)
    ).all()
    speakers = session.scalar(
        select(func.count(q.speaker_id.distinct())).where(q.fragment.is_(False), once)
    ) or 0
    earliest, latest = session.execute(select(func.min(a.published), func.max(a.published))).one()
    versions = session.execute(
        select(a.parser_version, func.count(a.id)).group_by(a.parser_version)
    ).all()
    genders = dict(session.execute(
        select(s.gender, func.count(q.id)).join(q, q.speaker_id == s.id)
        .where(q.fragment.is_(False), once).group_by(s.gender)
    ).all())
    return {
        "articles": articles,
        "quotes": quotes,
        "fragments": fragments,
        "speakers": speakers,
        "syndicated_copies": copies,
        "quotes_per_article": quotes / (articles - copies) if articles > copies else 0.0,
        "unattributed_share": unattributed / quotes if quotes else 0.0,
        "top_speakers": [{"name": name, "quotes": n} for name, n in top_rows],
        "earliest": _as_date(earliest),
        "latest": _as_date(latest),
        "parser_versions": {str(version): n
                            for version, n in sorted(versions, key=_version_order)},
        "quotes_by_gender": {gender or "unknown": genders.get(gender, 0)
                             for gender in ("female", "male", None)},
    }


def version_key(version: str | None) -> tuple[int, ...]:
    """A parser version as numbers, so "10.0.0" sorts after "2.0.0" (text order would not).

    >>> version_key("2.0.0") < version_key("10.0.0"), version_key(None)
    (True, ())
    """
    return tuple(int(part) for part in re.findall(r"\d+", version or ""))


def _version_order(row: Any) -> tuple[tuple[int, ...], str]:
    """Versions in number order; unknown versions first."""
    version = str(row[0] or "")
    return version_key(version), version


def _as_date(value: Any) -> date | None:
    """A MIN/MAX over a date column: SQLite may hand back the ISO string."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def format_stats(stats: dict[str, Any]) -> str:
    """The figures as a one-screen text summary (what ``quotedb stats`` prints)."""
    earliest, latest = stats["earliest"], stats["latest"]
    if earliest is None:
        span = "no publication dates"
    elif earliest == latest:
        span = earliest.isoformat()
    else:
        span = f"{earliest.isoformat()} to {latest.isoformat()}"
    lines = [
        f"articles:            {stats['articles']:,}" + (
            f" ({stats['syndicated_copies']:,} syndicated copies, their quotes counted once)"
            if stats.get("syndicated_copies") else ""),
        f"quotes:              {quote_counts(stats['quotes'], stats['fragments'])}",
        f"speakers:            {stats['speakers']:,}",
        f"quotes per article:  {stats['quotes_per_article']:.1f}",
        f"unattributed:        {stats['unattributed_share']:.1%} of quotes",
        f"published:           {span}",
        "parsed by:           " + (", ".join(
            f"parser {version} ({n:,} articles)"
            for version, n in stats["parser_versions"].items()) or "-"),
        "quotes by gender:    " + ", ".join(
            f"{gender} {n:,}" for gender, n in stats["quotes_by_gender"].items()),
    ]
    top = stats["top_speakers"]
    if top:
        lines.append("")
        lines.append(f"top {len(top)} speakers:")
        names = [visible(row["name"]) for row in top]  # speaker names come from articles
        width = max(len(name) for name in names)
        for rank, (row, name) in enumerate(zip(top, names, strict=True), start=1):
            lines.append(f"{rank:>3}. {name:<{width}}  {row['quotes']:>6,}")
    return "\n".join(lines) + "\n"


__all__ = ["TOP_SPEAKERS", "corpus_stats", "format_stats", "quote_counts", "version_key"]
