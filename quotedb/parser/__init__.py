"""Rule-based extraction of direct quotations and their speakers from news text.

The parser works in three passes, each linear in the length of the article:

1. **Pairing** (:func:`find_quote_spans`): quotation marks are paired paragraph
   by paragraph, double marks first, then single marks at top level. A mark's
   direction comes from its neighbours (straight ``"`` has none of its own and
   ``’`` doubles as an apostrophe); a paragraph left open that the next
   paragraph re-opens is one multi-paragraph quotation; any other unbalanced
   quote is closed at the end of its paragraph so it can never swallow the
   article.
2. **Masking**: every quotation is blanked out of a copy of the text, so the
   narrative rules below never read words inside quotes and offsets stay
   those of the original text.
3. **Attribution** (:func:`parse_article`): sentence by sentence, each quote is
   attributed by the first rule in :data:`ATTRIBUTION_RULES` that fires
   ("…,” he said" / "said X" after the quote; a cue verb earlier in the
   sentence; the previous sentence or paragraph's speaker), and the mention is
   resolved within the article (pronouns, descriptions, surnames, titles).
   Only paragraphs near a quotation are read (:func:`_near_quotes`): the
   quoted paragraph and the one before it get every rule, the two before
   those only give their sentence subjects to the history.

Word lists live in :mod:`quotedb.lexicon`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from ..records import ArticleMeta, ParsedArticle, Quote, Speaker
from .attribution import Attributor
from .clauses import Attribution
from .entities import Entity
from .fragments import _alone, is_fragment
from .marks import (
    _paragraphs,
    _without,
    blank_party_tags,
    find_quote_spans,
    fold_double_ticks,
    mask_quotes,
)
from .rules import ATTRIBUTION_RULES, NOT_SPEECH, Rule

#: Bumped whenever the parser's output for some text changes, so stored
#: articles can be told apart by the parser that read them.
PARSER_VERSION = "2.0.0"

#: The gender evidence the text gave, as stored in ``speakers.gender``.
GENDERS = {"f": "female", "m": "male"}

log = logging.getLogger(__name__)


def _safe_meta(text: str) -> tuple[ArticleMeta, list[tuple[int, int]]]:
    """Metadata and boilerplate spans; a failure there must not sink the parse."""
    try:
        from ..metadata import read_article

        meta, boiler = read_article(text)
    except Exception:  # noqa: BLE001 - parse_article never raises
        log.exception("metadata extraction failed")
        return ArticleMeta(), []
    return meta, [(int(a), int(b)) for a, b in boiler]


def _paragraph_index(paragraphs: list[tuple[int, int]], pos: int) -> int:
    """Index of the paragraph holding ``pos`` (binary search)."""
    lo, hi = 0, len(paragraphs)
    while lo < hi:
        mid = (lo + hi) // 2
        if paragraphs[mid][1] <= pos:
            lo = mid + 1
        else:
            hi = mid
    return min(lo, max(0, len(paragraphs) - 1))


def parse_article(text: str) -> ParsedArticle:
    """Extract every direct quotation in ``text`` with its speaker.

    Never raises: a string the rules cannot handle yields fewer quotes.

    >>> art = parse_article('“We will fight,” said Jane Doe, a lawmaker.')
    >>> [(q.text, q.speaker, q.cue) for q in art.quotes]
    [('We will fight,', 'Jane Doe', 'said')]
    """
    if not isinstance(text, str):
        text = str(text)
    meta, boiler = _safe_meta(text)
    try:
        quotes, speakers = _parse(text, boiler)
    except Exception:  # noqa: BLE001 - last line of defence, see docstring
        log.exception("parser failed; article kept without quotes")
        quotes, speakers = (), ()
    return ParsedArticle(text=text, meta=meta, quotes=quotes, speakers=speakers)


def _parse(
    text: str, boiler: list[tuple[int, int]]
) -> tuple[tuple[Quote, ...], tuple[Speaker, ...]]:
    """The three passes; see the module docstring."""
    all_paras = _paragraphs(text)
    marks = fold_double_ticks(text)
    spans = find_quote_spans(marks, boiler, all_paras)
    masked = blank_party_tags(mask_quotes(marks, spans))
    # Masking changes the paragraphs only where a quotation spans a line break.
    spans_lines = any(text.find("\n", s.open, s.close_end) >= 0 for s in spans)
    paras = _without(_paragraphs(masked) if spans_lines else all_paras, sorted(boiler))
    attributor = Attributor(text, masked, spans)
    attributor.run(paras)
    quotes: list[Quote] = []
    speaking: dict[str, Entity] = {}
    for s in spans:
        att = attributor.results.get(s.open) or Attribution(None, None, None, "none")
        body = text[s.start : s.end]
        frag = is_fragment(body, att, _alone(masked, s))
        ent = None if frag else att.entity
        if ent is not None:
            speaking.setdefault(ent.name, ent)
        quotes.append(
            Quote(
                text=body,
                start=s.start,
                end=s.end,
                paragraph=_paragraph_index(all_paras, s.start),
                speaker=ent.name if ent else None,
                speaker_kind=ent.kind if ent else None,
                speaker_mention=att.mention if ent else None,
                cue=att.cue if ent else None,
                fragment=frag,
                # The rule that chose the speaker, or that said it is no
                # speech ("thought"); "none" when no speaker was found.
                rule=att.rule if ent is not None or att.rule in NOT_SPEECH else "none",
            )
        )
    speakers = tuple(
        Speaker(e.name, e.kind, tuple(a for a in e.aliases if a != e.name),
                gender=GENDERS.get(e.gender or "") if e.kind == "person" else None)
        for e in speaking.values()
    )
    return tuple(quotes), speakers


def iter_quotes(text: str) -> Iterator[Quote]:
    """Quotations of ``text`` that are not fragments (a convenience for scripts)."""
    return (q for q in parse_article(text).quotes if not q.fragment)


__all__ = [
    "ATTRIBUTION_RULES",
    "PARSER_VERSION",
    "Rule",
    "find_quote_spans",
    "iter_quotes",
    "mask_quotes",
    "parse_article",
]
