"""Ingest: read articles, parse them in worker processes, store them in batches.

Three layers, each a module:

- ``inputs``: paths in, units of work out (``iter_articles``): every input
  format and source behind one iterator;
- ``pipeline``: units of work to parsed articles (``prepare``) in a pool of
  workers, handed on in input order (``ingest_paths``);
- ``store``: parsed articles into the database, a batch per transaction,
  with the speaker cache, the statements and the retries (``write_batch``).
"""

from __future__ import annotations

from .inputs import iter_articles
from .pipeline import ingest_paths, ingest_text, prepare, prepared_in_order
from .store import Outcome, Prepared, Summary, decide_gender, decide_kind, write_batch

__all__ = [
    "Outcome", "Prepared", "Summary", "decide_gender", "decide_kind", "ingest_paths", "ingest_text",
    "iter_articles", "prepare", "prepared_in_order", "write_batch",
]
