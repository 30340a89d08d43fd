"""Normalised keys for names, shared by ingest, queries and evaluation.

A speaker is one row per real speaker: "Hervé De Lys", "herve de lys" and
"Hervé  De Lys." must meet on the same key.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

_NOT_WORD = regex.compile(r"[^\p{L}\p{N}]+")


@lru_cache(maxsize=8192)  # ingest keys the same few names over and over
def name_key(name: str) -> str:
    """Case-folded, accent-free, punctuation-free form of a name.

    >>> name_key("  Hervé Ludovic De-Lys. ")
    'herve ludovic de lys'
    >>> name_key("The State Department")
    'the state department'
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", plain).strip()
