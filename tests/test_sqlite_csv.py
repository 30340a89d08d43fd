"""SQLite's fast CSV lines (``quotedb.export.sqlite_fast``) against the exact path.

The exact path (``csvfmt.write_query``: Python's lines) is what every path
must write byte for byte (``test_export_identity.py`` runs the CLI over
every filter); here the fast path is held to it at the function, including
the two cases where it must give way (a cell holding its mark, a plan that
would feed ``group_concat`` out of order) and a cell holding a NUL, which
``printf`` would have cut short.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session

from quotedb import db, models
from quotedb.export.columns import export_select
from quotedb.export.csvfmt import write_query
from quotedb.export.sqlite_fast import _grouped_lines, write_quotes_csv
from quotedb.queries import QuoteFilter, resolve_speaker

from .conftest import Quotedb


@pytest.fixture
def engine(sqlite_url: str, seeds_dir: Path) -> Iterator[Engine]:
    result = Quotedb(sqlite_url)("ingest", str(seeds_dir))
    assert result.exit_code == 0, result.output
    engine = db.make_engine(sqlite_url)
    yield engine
    engine.dispose()


def both_paths(engine: Engine, flt: QuoteFilter, raw: bool = False) -> tuple[str, str]:
    """(fast, exact) CSV of the quotes ``flt`` selects, without header."""
    fast, exact = io.StringIO(), io.StringIO()
    with engine.connect() as connection:
        stmt = export_select(flt, "sqlite")
        fast_count = write_quotes_csv(connection, stmt, fast, raw=raw)
        exact_count = write_query(connection, stmt, exact, raw=raw)
    assert fast_count == exact_count > 0
    return fast.getvalue(), exact.getvalue()


def cells(csv_text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_text, newline="")))


@pytest.mark.parametrize("raw", [False, True], ids=["guarded", "raw"])
def test_fast_lines_hold_the_exact_cells(engine: Engine, raw: bool) -> None:
    with engine.begin() as connection:  # cells that need quoting, doubling and guarding
        connection.execute(update(models.Quote).where(models.Quote.id == 1).values(
            text='=SUM(A1), "quoted"\nand\r\nmore', cue="+said", speaker_mention="@x"))
        connection.execute(update(models.Article).where(models.Article.id == 2).values(
            title="-Dash, title", published=None))
    fast, exact = both_paths(engine, QuoteFilter(fragments=True), raw)
    assert fast == exact
    first = cells(fast)[0]
    assert first[8] == ('=SUM(A1), "quoted"\nand\r\nmore' if raw
                        else '\'=SUM(A1), "quoted"\nand\r\nmore')


@pytest.mark.parametrize("stray", ["\x01", "\x00"], ids=["mark", "nul"])
def test_a_cell_holding_the_mark_or_a_nul_keeps_its_text(engine: Engine, stray: str) -> None:
    with engine.begin() as connection:
        connection.execute(update(models.Quote).where(models.Quote.id == 3).values(
            cue="said" + stray + "=x"))
        connection.execute(update(models.Article).where(models.Article.id == 4).values(
            title="A" + stray + "B, C"))
    fast, exact = both_paths(engine, QuoteFilter())
    assert fast == exact
    assert any(row[7] == "said" + stray + "=x" for row in cells(fast))


def test_a_plan_that_sorts_to_group_falls_back_to_rows(engine: Engine) -> None:
    with engine.connect() as connection:
        speakers = connection.scalars(
            select(models.Quote.speaker_id).where(models.Quote.speaker_id.is_not(None))
            .group_by(models.Quote.speaker_id).order_by(func.count().desc()).limit(3)).all()
        stmt = _grouped_lines(export_select(QuoteFilter(speaker_ids=tuple(speakers)), "sqlite"))
        plan = connection.execute(text("EXPLAIN QUERY PLAN " + str(stmt.compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True})))).all()
    assert len(speakers) == 3
    assert any("TEMP B-TREE" in str(step[-1]) for step in plan)
    fast, exact = both_paths(engine, QuoteFilter(speaker_ids=tuple(speakers)))
    assert fast == exact, "went row by row through csv.writer: the same bytes"


@pytest.mark.parametrize("flt", [
    QuoteFilter(article_range=(2, 4)),
    QuoteFilter(speaker="Donald Rumsfeld"),
    QuoteFilter(fragments=True),
], ids=["range", "one-speaker", "fragments"])
def test_filtered_fast_lines_keep_article_and_start_order(
    engine: Engine, flt: QuoteFilter
) -> None:
    with Session(engine) as session:
        flt = resolve_speaker(session, flt)
    fast, exact = both_paths(engine, flt)
    rows = cells(fast)
    assert fast == exact
    order = [(int(row[1]), int(row[9])) for row in rows]
    assert order == sorted(order)
