"""One self-contained HTML page of who is quoted: ``quotedb report``.

Researchers publish three kinds of figure about a corpus (who is quoted
over time, the share of women and men quoted by each outlet, and each
outlet's most quoted voices), so the report draws exactly those, for the
whole database or a filter, with the numbers beside every chart in tables
a screen reader or a spreadsheet can use. Everything is counted in SQL
(never loading the quotes) and the page needs no network: charts are
inline SVG (``svgchart``), the style is inline CSS.

Fragments never count; syndicated copies count as the queries count them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from html import escape
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import __version__, models
from .queries import QuoteFilter, quotes_select, resolve_speaker
from .svgchart import bar_chart, line_chart, share_columns

#: Speakers drawn over time, and outlets given charts of their own.
TOP_SPEAKERS = 8
TOP_OUTLETS = 6
#: Speakers listed per outlet.
TOP_PER_OUTLET = 10
GENDERS = ("female", "male", "unknown")
NO_OUTLET = "(no outlet)"


@dataclass
class ReportData:
    """The figures of a report, ready to draw (and to test without HTML)."""

    quotes: int = 0
    attributed: int = 0
    articles: int = 0
    undated: int = 0
    months: list[str] = field(default_factory=list)
    #: Quotes per month of the most quoted speakers (aligned with ``months``).
    speaker_months: dict[str, list[int]] = field(default_factory=dict)
    #: outlet -> month -> gender -> attributed quotes
    gender_share: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    #: outlet -> [(speaker, quotes)], most quoted first
    top_by_outlet: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def report_data(session: Session, flt: QuoteFilter) -> ReportData:
    """Count what the report shows over the quotes ``flt`` selects."""
    q, a, s = models.Quote, models.Article, models.Speaker
    flt = resolve_speaker(session, replace(flt, limit=None, fragments=False))
    ids = quotes_select(flt, session.get_bind().dialect.name).order_by(None).subquery()
    month = _month(session.get_bind().dialect.name, a.published)
    outlet = a.outlet  # NULL is "(no outlet)", named in Python: a bound default in
    # SELECT and GROUP BY would be two parameters to PostgreSQL, not one expression
    base = select().select_from(q).join(ids, ids.c.quote_id == q.id).join(a, a.id == q.article_id)
    data = ReportData()
    data.quotes, data.attributed, data.articles, data.undated = session.execute(
        base.add_columns(func.count(q.id), func.count(q.speaker_id),
                         func.count(q.article_id.distinct()),
                         func.count(q.id).filter(a.published.is_(None)))
    ).one()

    rows = session.execute(
        base.add_columns(s.name, month.label("month"), func.count(q.id))
        .join(s, s.id == q.speaker_id).where(a.published.is_not(None))
        .group_by(s.id, s.name, month)
    ).all()
    totals: dict[str, int] = defaultdict(int)
    by_speaker: dict[str, dict[str, int]] = defaultdict(dict)
    months: set[str] = set()
    for name, when, count in rows:
        totals[name] += count
        by_speaker[name][str(when)] = count
        months.add(str(when))
    data.months = _month_range(sorted(months))
    top = sorted(totals, key=lambda n: (-totals[n], n))[:TOP_SPEAKERS]
    data.speaker_months = {n: [by_speaker[n].get(m, 0) for m in data.months] for n in top}

    gender_rows = session.execute(
        base.add_columns(outlet.label("outlet"), month.label("month"),
                         s.gender, func.count(q.id))
        .join(s, s.id == q.speaker_id).where(a.published.is_not(None))
        .group_by(outlet, month, s.gender)
    ).all()
    per_outlet: dict[str, int] = defaultdict(int)
    shares: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for name, when, gender, count in gender_rows:
        shares[name or NO_OUTLET][str(when)][gender or "unknown"] = count
        per_outlet[name or NO_OUTLET] += count
    outlets = sorted(per_outlet, key=lambda n: (-per_outlet[n], n))[:TOP_OUTLETS]
    data.gender_share = {n: dict(sorted(shares[n].items())) for n in outlets}

    speaker_rows = session.execute(
        base.add_columns(outlet.label("outlet"), s.name, func.count(q.id))
        .join(s, s.id == q.speaker_id)
        .group_by(outlet, s.id, s.name)
    ).all()
    ranked: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for name, speaker, count in speaker_rows:
        ranked[name or NO_OUTLET].append((speaker, count))
    volume = {n: sum(c for _, c in rows) for n, rows in ranked.items()}
    for name in sorted(volume, key=lambda n: (-volume[n], n))[:TOP_OUTLETS]:
        data.top_by_outlet[name] = sorted(ranked[name], key=lambda r: (-r[1], r[0]))[
            :TOP_PER_OUTLET]
    return data


def _month(dialect: str, column: Any) -> Any:
    """'YYYY-MM' of a date, in the backend's own function."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _month_range(months: list[str]) -> list[str]:
    """Every month from the first to the last, so a gap shows as zero, not as nothing.

    >>> _month_range(["2001-11", "2002-02"])
    ['2001-11', '2001-12', '2002-01', '2002-02']
    """
    if not months:
        return []
    year, month = map(int, months[0].split("-"))
    end = tuple(map(int, months[-1].split("-")))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# --- the page ---------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2.2rem}h3{font-size:1rem;margin:1rem 0 .3rem}
.figures{display:flex;gap:2rem;flex-wrap:wrap}.figures div{font-size:.9rem}
.figures b{display:block;font-size:1.4rem}
.grid{display:flex;flex-wrap:wrap;gap:1.5rem}.grid section{flex:0 0 auto}
table{border-collapse:collapse;font-size:.85rem;margin:.4rem 0}
td,th{border:1px solid #ddd;padding:.15rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}
details{margin:.3rem 0 1rem}summary{cursor:pointer;color:#555;font-size:.85rem}
.note{color:#555;font-size:.85rem}
"""


def render_report(data: ReportData, *, title: str, scope: str, made: datetime | None = None) -> str:
    """The whole page as one HTML string."""
    made = made or datetime.now(timezone.utc)
    parts = [
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="note">{escape(scope)}. Made by quotedb {escape(__version__)} on '
        f"{made:%Y-%m-%d %H:%M} UTC. Fragments and scare quotes are not counted.</p>",
        '<div class="figures">',
        *(f"<div><b>{value:,}</b>{escape(name)}</div>" for name, value in (
            ("quotes", data.quotes), ("attributed", data.attributed),
            ("articles", data.articles), ("undated quotes", data.undated))),
        "</div>",
    ]
    if not data.quotes:
        parts.append("<p>No quotes match: nothing to chart.</p></body></html>")
        return "\n".join(parts)
    parts += _speakers_over_time(data)
    parts += _gender_by_outlet(data)
    parts += _top_by_outlet(data)
    parts.append("</body></html>")
    return "\n".join(parts)


def _speakers_over_time(data: ReportData) -> list[str]:
    out = ['<h2 id="speakers-over-time">Most quoted speakers, quotes per month</h2>']
    if not data.months:
        return [*out, '<p class="note">No quote has a publication date.</p>']
    out.append(line_chart(data.months, data.speaker_months,
                          "Quotes per month of the most quoted speakers"))
    header = "".join(f"<th>{escape(m)}</th>" for m in data.months)
    body = "".join(
        f"<tr><td>{escape(name)}</td>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>"
        for name, values in data.speaker_months.items())
    return [*out, f"<details><summary>Table</summary><table><tr><th>speaker</th>{header}</tr>"
                  f"{body}</table></details>"]


def _gender_by_outlet(data: ReportData) -> list[str]:
    out = ['<h2 id="gender-by-outlet">Share of attributed quotes by speaker gender, '
           "per outlet and month</h2>",
           '<p class="note">Gender as the articles give it (a title, an honorific, '
           '"she said"); "unknown" where they do not.</p>', '<div class="grid">']
    for outlet, months in data.gender_share.items():
        columns = list(months)
        counts = [months[m] for m in columns]
        rows = "".join(
            f"<tr><td>{escape(m)}</td>" + "".join(f"<td>{c.get(g, 0)}</td>" for g in GENDERS)
            + "</tr>" for m, c in zip(columns, counts, strict=True))
        out += [f"<section><h3>{escape(outlet)}</h3>",
                share_columns(columns, list(GENDERS), counts,
                              f"{outlet}: share of quotes by gender per month"),
                "<details><summary>Table</summary><table><tr><th>month</th>"
                + "".join(f"<th>{g}</th>" for g in GENDERS) + f"</tr>{rows}</table></details>",
                "</section>"]
    return [*out, "</div>"]


def _top_by_outlet(data: ReportData) -> list[str]:
    out = ['<h2 id="top-by-outlet">Most quoted speakers per outlet</h2>', '<div class="grid">']
    for outlet, rows in data.top_by_outlet.items():
        out += [f"<section><h3>{escape(outlet)}</h3>",
                bar_chart(rows, f"{outlet}: most quoted speakers"), "</section>"]
    return [*out, "</div>"]


def describe_filter(flt: QuoteFilter) -> str:
    """The scope line: what the report counts."""
    bits = []
    if flt.outlet:
        bits.append(f"outlet {flt.outlet}")
    if flt.speaker:
        bits.append(f"speaker {flt.speaker}")
    if flt.search:
        bits.append(f"quotes matching {flt.search!r}")
    if flt.since or flt.until:
        bits.append(f"published {_day(flt.since) or '…'} to {_day(flt.until) or '…'}")
    return "All quotes" if not bits else "Quotes of " + ", ".join(bits)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def write_report(session: Session, flt: QuoteFilter, title: str = "Who is quoted") -> str:
    """Count and render: the page for ``flt``."""
    return render_report(report_data(session, flt), title=title, scope=describe_filter(flt))


__all__ = ["ReportData", "describe_filter", "render_report", "report_data", "write_report"]
