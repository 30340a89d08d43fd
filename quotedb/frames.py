"""Quotes from a DataFrame of articles, with no database: ``quotedb.parse_frame``.

Data-frame users already hold their corpus in pandas, a Dask DataFrame or
Spark. ``parse_frame`` is a pure function from a pandas DataFrame of
articles to a pandas DataFrame of quotes, so it drops into
``dask.dataframe.map_partitions`` (with ``meta=quote_frame_meta()``) and
Spark's ``mapInPandas`` (with ``parse_frames``) and runs wherever those
engines put it; nothing is written anywhere. pandas is the ``pandas`` extra.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .errors import QuotedbError
from .parser import parse_article

#: One row per quote: the article's id, then what the parser found.
#: ``quote == text[start:end]`` of that article's text.
FRAME_COLUMNS = ("article", "quote", "speaker", "speaker_kind", "speaker_mention", "cue",
                 "start", "end", "paragraph", "fragment", "rule")
_DTYPES = {"article": "object", "quote": "object", "speaker": "object", "speaker_kind": "object",
           "speaker_mention": "object", "cue": "object", "start": "int64", "end": "int64",
           "paragraph": "int64", "fragment": "bool", "rule": "object"}

PANDAS_HINT = "parse_frame needs pandas: pip install 'quotedb[pandas]'"


class FrameError(QuotedbError, ValueError):
    """The DataFrame does not have the column the articles' text is in, or holds non-text."""


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as exc:
        raise FrameError(PANDAS_HINT) from exc
    return pandas


def quote_frame_meta() -> Any:
    """An empty quotes DataFrame with the right columns and dtypes (Dask's ``meta``)."""
    pandas = _pandas()
    return pandas.DataFrame({name: pandas.Series(dtype=dtype) for name, dtype in _DTYPES.items()})


def parse_frame(frame: Any, text: str = "text", id: str | None = None, *,
                fragments: bool = False) -> Any:
    """Parse each row's ``text`` column; one output row per quote (``FRAME_COLUMNS``).

    ``article`` is the row's ``id`` column, or its index label when ``id`` is
    None, so quotes join back to the articles. Fragments and scare quotes
    are left out unless ``fragments``, as in ``quotedb quotes``. A missing
    text (None/NaN) is an article without quotes; any other non-string is
    refused, naming the row.

    Raises:
        FrameError: ``text`` (or ``id``) is not a column, or a text is not a string.
    """
    pandas = _pandas()
    for column in (text, id):
        if column is not None and column not in frame.columns:
            raise FrameError(f"no column {column!r} in the DataFrame (columns: "
                             f"{', '.join(map(str, frame.columns))})")
    keys = frame[id] if id is not None else frame.index
    rows: list[tuple[Any, ...]] = []
    for key, body in zip(keys, frame[text], strict=True):
        if body is None or (isinstance(body, float) and body != body):  # None or NaN
            continue
        if not isinstance(body, str):
            raise FrameError(f"row {key!r}: {text!r} holds {type(body).__name__}, not text")
        for q in parse_article(body).quotes:
            if q.fragment and not fragments:
                continue
            rows.append((key, q.text, q.speaker, q.speaker_kind, q.speaker_mention, q.cue,
                         q.start, q.end, q.paragraph, q.fragment, q.rule))
    if not rows:
        return quote_frame_meta()
    return pandas.DataFrame.from_records(rows, columns=list(FRAME_COLUMNS)).astype(_DTYPES)


def parse_frames(frames: Iterable[Any], text: str = "text", id: str | None = None, *,
                 fragments: bool = False) -> Iterator[Any]:
    """``parse_frame`` over an iterator of DataFrames: the shape Spark's ``mapInPandas`` wants."""
    for frame in frames:
        yield parse_frame(frame, text, id, fragments=fragments)


__all__ = ["FRAME_COLUMNS", "FrameError", "parse_frame", "parse_frames", "quote_frame_meta"]
