"""parse_frame: a pandas DataFrame of articles in, a DataFrame of quotes out, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotedb import parse_article, parse_frame, parse_frames
from quotedb.frames import FRAME_COLUMNS, FrameError, quote_frame_meta

pandas = pytest.importorskip("pandas")


@pytest.fixture
def articles(seeds_dir: Path) -> object:
    """The seeds as a DataFrame with an id column."""
    paths = sorted(seeds_dir.glob("*.txt"))
    return pandas.DataFrame({"id": [p.stem for p in paths],
                             "body": [p.read_text(encoding="utf-8") for p in paths]})


def test_rows_are_the_parsers_quotes_with_offsets(articles: object) -> None:
    """One row per non-fragment quote, in article order, each a span of its article's text."""
    frame = parse_frame(articles, text="body", id="id")
    assert list(frame.columns) == list(FRAME_COLUMNS)
    texts = dict(zip(articles["id"], articles["body"], strict=True))  # type: ignore[index]
    expected = [(key, q.text, q.speaker) for key, body in texts.items()
                for q in parse_article(body).quotes if not q.fragment]
    speakers = [None if pandas.isna(s) else s for s in frame.speaker]  # pandas: NaN
    assert list(zip(frame.article, frame.quote, speakers, strict=True)) == expected
    for row in frame.itertuples():
        assert texts[row.article][row.start:row.end] == row.quote


def test_fragments_and_index_labels(articles: object) -> None:
    """fragments=True adds the fragments; without ``id`` the index label names the article."""
    with_fragments = parse_frame(articles, text="body", fragments=True)
    without = parse_frame(articles, text="body")
    assert with_fragments.fragment.sum() > 0 and not without.fragment.any()
    assert len(with_fragments) == len(without) + with_fragments.fragment.sum()
    assert set(without.article) <= set(range(len(articles)))  # type: ignore[arg-type]


def test_missing_text_is_no_quotes_and_bad_input_is_refused() -> None:
    """None/NaN text gives no rows; a number or a wrong column name is a clear error."""
    empty = parse_frame(pandas.DataFrame({"text": [None, float("nan")]}))
    assert empty.empty and list(empty.dtypes) == list(quote_frame_meta().dtypes)
    with pytest.raises(FrameError, match="no column 'body'"):
        parse_frame(pandas.DataFrame({"text": ["x"]}), text="body")
    with pytest.raises(FrameError, match="row 0: 'text' holds int, not text"):
        parse_frame(pandas.DataFrame({"text": [3]}))


def test_parse_frames_maps_an_iterator_as_mapinpandas_does(articles: object) -> None:
    """Split into chunks, the result is the same rows."""
    whole = parse_frame(articles, text="body", id="id")
    parts = [articles.iloc[:2], articles.iloc[2:]]  # type: ignore[attr-defined]
    joined = pandas.concat(list(parse_frames(parts, text="body", id="id")), ignore_index=True)
    pandas.testing.assert_frame_equal(joined, whole)
