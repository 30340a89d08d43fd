"""Every CSV export path writes the exact path's bytes, on both backends.

The exact path is Python's: the export's rows (``export_rows``) through
``csvfmt.write_csv``. ``quotedb export`` makes the same file by other
paths: SQLite's fast lines (``sqlite_fast``: whole exports and every filter
but a search or a limit), PostgreSQL's ``COPY`` (every filter), and
``--jobs`` parts joined. Here they run on the seeds with cells made hostile
(formula characters, quotes, commas, line breaks, carriage returns, the
fast path's own mark, non-ASCII, empty strings and NULLs) and must give
the exact path's file byte for byte; a path that quoted, guarded or wrote a
boolean, date or NULL differently fails here.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from quotedb import db, models
from quotedb.export import EXPORT_COLUMNS
from quotedb.export.columns import export_rows
from quotedb.export.csv_export import export_csv
from quotedb.export.csvfmt import write_csv
from quotedb.queries import QuoteFilter, quote_filter

from .conftest import Quotedb

#: Cell texts that need quoting, guarding or both, or neither (the fast path's mark aside).
HOSTILE = (
    "=SUM(A1)", "+1 and more", "-2, minus", "@cmd", "\tTabbed", "\rCR first",
    'say "hi"', "a,b", "line\nbreak", "cr\rinside", "crlf\r\ninside", "ünïcödé ✓ 中文",
    "", "'already guarded", '"', "plain", "trailing,", " leading space", "-", "=",
)
#: Cells holding the fast path's mark (``\x01``): only one article's quotes
#: get them, so the other articles still go the fast way.
MARKED = ("mark\x01inside", "\x01", "\x01=\x01,\x01")
MARKED_ARTICLE = 3


@dataclass(frozen=True)
class Case:
    """One export: the CLI's arguments and the same filter as library keywords."""

    args: tuple[str, ...]
    filters: dict[str, Any]


CASES = {
    "all": Case((), {}),
    "limit": Case(("--limit", "7"), {"limit": 7}),
    "speaker": Case(("--speaker", "Rumsfeld"), {"speaker": "Rumsfeld"}),
    "article": Case(("--article", "5"), {"article_id": 5}),
    "marked-article": Case(("--article", str(MARKED_ARTICLE)), {"article_id": MARKED_ARTICLE}),
    "search": Case(("--search", "quote"), {"search": "quote"}),
    "since-until": Case(("--since", "2001-11-01", "--until", "2011-12-31"),
                        {"since": "2001-11-01", "until": "2011-12-31"}),
    "outlet": Case(("--outlet", "A,B"), {"outlet": "A,B"}),
    "fragments": Case(("--fragments",), {"fragments": True}),
    "jobs-2": Case(("--jobs", "2", "--fragments"), {"fragments": True}),
}


def _text(number: int) -> str:
    return HOSTILE[number % len(HOSTILE)]


@pytest.fixture
def hostile(quotedb: Quotedb, seeds_dir: Path) -> Quotedb:
    """The seeds, with every text cell of the export made hostile in turn."""
    result = quotedb("ingest", str(seeds_dir))
    assert result.exit_code == 0, result.output
    engine = db.make_engine(db.resolve_url(quotedb.url))
    try:
        with engine.begin() as connection:
            q, a, s = models.Quote, models.Article, models.Speaker
            for quote_id, article_id in connection.execute(
                    select(q.id, q.article_id).order_by(q.id)).all():
                texts = MARKED if article_id == MARKED_ARTICLE else HOSTILE
                connection.execute(update(q).where(q.id == quote_id).values(
                    text=texts[quote_id % len(texts)] + " quote",  # a quote is never empty
                    cue=_text(quote_id + 1) or None,
                    speaker_mention=_text(quote_id + 2),
                    fragment=quote_id % 3 == 0,
                ))
            for article_id in connection.scalars(select(a.id)).all():
                connection.execute(update(a).where(a.id == article_id).values(
                    title=_text(article_id + 3) if article_id != 4 else None,
                    outlet=_text(article_id + 6),
                    url=f"https://example.com/{article_id}?a=1,b=\"2\"" if article_id % 2
                    else None,
                    published=date(2001 + 5 * article_id, 11, 20) if article_id != 3 else None,
                ))
            for speaker_id in connection.scalars(select(s.id).where(s.name != "Donald Rumsfeld")):
                connection.execute(update(s).where(s.id == speaker_id).values(
                    name=_text(speaker_id + 9) + f" {speaker_id}"))
    finally:
        engine.dispose()
    return quotedb


@pytest.fixture
def engine(hostile: Quotedb) -> Iterator[Engine]:
    engine = db.make_engine(db.resolve_url(hostile.url))
    yield engine
    engine.dispose()


def exact_csv(engine: Engine, flt: QuoteFilter, raw: bool) -> str:
    """The exact path's file: the export's rows through Python's lines."""
    out = io.StringIO()
    with export_rows(engine, flt) as (_, rows):
        write_csv(rows, EXPORT_COLUMNS, out, raw=raw)
    return out.getvalue()


@pytest.mark.parametrize("raw", [False, True], ids=["guarded", "raw"])
@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_cli_export_is_the_exact_paths_bytes(hostile: Quotedb, engine: Engine, case: Case,
                                             raw: bool) -> None:
    result = hostile("export", *case.args, *(("--raw",) if raw else ()))
    assert result.exit_code == 0, result.output
    expected = exact_csv(engine, quote_filter(**case.filters), raw)
    assert expected.count("\n") > 2, "the filter selects quotes"
    assert result.stdout_bytes == expected.encode("utf-8")  # .stdout turns \r\n into \n


@pytest.mark.parametrize("case", ["all", "speaker", "since-until", "fragments"])
def test_parallel_parts_join_into_the_exact_paths_bytes(engine: Engine, tmp_path: Path,
                                                        case: str) -> None:
    flt = quote_filter(**CASES[case].filters)
    out = io.StringIO()
    # Three jobs even on the seeds: the threshold is lowered to one quote a job.
    export_csv(engine, flt, out, jobs=3, tmp_dir=tmp_path, min_quotes_per_job=1)
    assert out.getvalue() == exact_csv(engine, flt, raw=False)


def test_hostile_cells_reach_the_file(hostile: Quotedb, engine: Engine) -> None:
    """The fixture did make every kind of cell: the identity above is not vacuous."""
    text = exact_csv(engine, QuoteFilter(fragments=True), raw=False)
    for needle in ('"\'=SUM(A1) quote"', '"\'+1 and more"', '"\'-2, minus', '"say ""hi"" quote"',
                   '"line\nbreak', '"cr\rinside', '"ünïcödé ✓ 中文"', "mark\x01inside",
                   ",true,", ",false,", ",,", '"https://example.com/1?a=1,b=""2"""'):
        assert needle in text, needle
