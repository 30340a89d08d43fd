"""quotedb: extract who said what from news articles into a SQL database.

The library API the CLI is built on::

    from quotedb import connect, parse_article
    parsed = parse_article(open("article.txt", encoding="utf-8").read())
    for quote in parsed.quotes:
        print(quote.speaker, quote.text)

    with connect("quotes.db") as db:
        db.ingest("seeds/")
        for row in db.quotes(speaker="Rumsfeld"):
            print(row["speaker"], row["quote"])
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import Database, connect  # noqa: E402
from .db import open_database, resolve_url  # noqa: E402
from .errors import QuotedbError  # noqa: E402
from .frames import parse_frame, parse_frames  # noqa: E402
from .ingest import Summary, ingest_paths, ingest_text  # noqa: E402
from .parser import PARSER_VERSION, parse_article  # noqa: E402
from .queries import QuoteFilter, quotes_select, select_quotes  # noqa: E402
from .records import ArticleMeta, ParsedArticle, Quote, Speaker  # noqa: E402
from .sources import find_sources  # noqa: E402

__all__ = [
    "PARSER_VERSION",
    "Database",
    "ArticleMeta",
    "ParsedArticle",
    "Quote",
    "QuoteFilter",
    "QuotedbError",
    "Speaker",
    "Summary",
    "__version__",
    "connect",
    "find_sources",
    "ingest_paths",
    "ingest_text",
    "open_database",
    "parse_article",
    "parse_frame",
    "parse_frames",
    "quotes_select",
    "select_quotes",
    "resolve_url",
]
