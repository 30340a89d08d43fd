"""quotedb: extract who said what from news articles into a SQL database.

The library API the CLI is built on::

    from quotedb import parse_article, open_database, ingest_text
    parsed = parse_article(open("article.txt").read())
    for quote in parsed.quotes:
        print(quote.speaker, quote.text)
"""

from __future__ import annotations

__version__ = "0.1.0"

from .db import open_database, resolve_url  # noqa: E402
from .errors import QuotedbError  # noqa: E402
from .ingest import Summary, ingest_paths, ingest_text  # noqa: E402
from .parser import PARSER_VERSION, parse_article  # noqa: E402
from .queries import QuoteFilter, quotes_select  # noqa: E402
from .records import ArticleMeta, ParsedArticle, Quote, Speaker  # noqa: E402
from .sources import find_sources  # noqa: E402

__all__ = [
    "PARSER_VERSION",
    "ArticleMeta",
    "ParsedArticle",
    "Quote",
    "QuoteFilter",
    "QuotedbError",
    "Speaker",
    "Summary",
    "__version__",
    "find_sources",
    "ingest_paths",
    "ingest_text",
    "open_database",
    "parse_article",
    "quotes_select",
    "resolve_url",
]
