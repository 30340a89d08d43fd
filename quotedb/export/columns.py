"""What an export row holds: the quote's columns, then fragment, article_url, outlet, copies.

One SELECT for every format and path, so CSV, JSON, JSON Lines and Parquet
have the same columns (JSON keys) in the same order.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Integer, Select, func, type_coerce
from sqlalchemy.engine import Result
from sqlalchemy.orm import Session

from .. import models
from ..queries import QUOTE_COLUMNS, QuoteFilter, copy_counts, quotes_select, resolve_speaker

#: The columns of an export, in order (the CSV header, the JSON keys).
EXPORT_COLUMNS = (*QUOTE_COLUMNS, "fragment", "article_url", "outlet", "copies")


def export_select(flt: QuoteFilter, dialect: str) -> Select:
    """``queries.quotes_select`` with the export's last columns added.

    ``fragment`` tells a scare quote or title (kept with ``--fragments``)
    from a quote nobody was found to have said; ``article_url`` and
    ``outlet`` say where the article came from; ``copies`` how many articles
    carry the story (1 unless it was syndicated: see ``articles.duplicate_of``).
    """
    q, a = models.Quote, models.Article
    counts = copy_counts()
    return (
        quotes_select(flt, dialect)
        .outerjoin(counts, counts.c.first == func.coalesce(a.duplicate_of, a.id))
        .add_columns(
            q.fragment.label("fragment"),
            a.url.label("article_url"),
            a.outlet.label("outlet"),
            type_coerce(1 + func.coalesce(counts.c.copies, 0), Integer).label("copies"),
        )
    )


@contextmanager
def export_rows(engine: Engine, flt: QuoteFilter) -> Iterator[tuple[Select, Result[Any]]]:
    """The export's statement and its rows, streamed (the session lives as long as the block)."""
    with Session(engine) as session:
        stmt = export_select(resolve_speaker(session, flt), engine.dialect.name)
        # Core rows on the session's connection: no ORM step per row.
        yield stmt, session.connection().execute(stmt.execution_options(yield_per=2000))


__all__ = ["EXPORT_COLUMNS", "export_rows", "export_select"]
