"""The attribution rules: how a quotation's speaker is found, in priority order.

Each rule is a small class with a ``name`` (stored with the quote as
``quotes.rule``), whether it ties speaker and quote directly, and a
``match(at, ctx)`` that returns an :class:`Attribution` or None. The
:data:`ATTRIBUTION_RULES` table is tried in order for every quotation, the
way dateparser and price-parser order their methods. Adding a pattern is one
class, one entry in the table and one row in ``tests/test_parser_rules.py``;
word lists stay in :mod:`quotedb.lexicon`.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from .. import lexicon as lx
from .clauses import (
    BACK_WINDOW,
    CUE_TRIES,
    DASH_BYLINE,
    LEAD_WINDOW,
    Attribution,
    _after_appositions,
    _apposition,
    _cue_text,
    _is_cue,
    _skip_leading_adverbial,
    _subject_of,
)
from .entities import Entity
from .marks import ENDS_SENTENCE, QuoteSpan
from .phrases import CUE_WORDS, Mention, Tok, np_forward, tokenize

if TYPE_CHECKING:
    from .attribution import Attributor


def _after(at: Attributor, toks: list[Tok], qi: int, span: QuoteSpan) -> Attribution | None:
    """Rule: attribution right after the quote ("…,” he said" / "…,” said X")."""
    a = qi + 1
    while a < len(toks) and toks[a].text in (",", "\u2014", "\u2013", "-", "*"):
        a += 1
    if a >= len(toks) or not toks[a].is_word:
        return None
    ended = bool(ENDS_SENTENCE.search(at.text[span.start : span.end][-8:]))
    if _is_cue(toks, a):
        rng = (
            np_forward(toks, a + 2) if toks[a].low == "according"
            else np_forward(toks, a + 1)
        )
        # "“Go.” Said the man …" after a full stop starts a new sentence.
        new_sentence = ended and toks[a].is_cap and toks[a].low != "according"
        if rng is None or new_sentence:
            return None
        return _attrib(at, at.mention(toks, rng), _cue_text(toks, a), "after")
    rng = np_forward(toks, a)
    if rng is None:
        return None
    c = rng[1]
    if c < len(toks) and toks[c].text == ",":
        c = _after_appositions(toks, c)
        if c < 0:
            return None
    while c < len(toks) and toks[c].low in lx.AUX_AND_ADVERBS:
        c += 1
    if c >= len(toks) or not _is_cue(toks, c) or toks[c].low == "according":
        return None
    if ended and toks[a].is_cap:
        tail = [t for t in toks[c + 1 : c + 8] if t.is_word]
        stop = next((i for i, t in enumerate(toks[c + 1 :]) if t.text in ".!?"), None)
        if stop is not None:
            tail = [t for t in toks[c + 1 : c + 1 + stop] if t.is_word]
        if len(tail) > 4 or any(t.low == "that" for t in tail):
            return None
    m = at.mention(toks, rng)
    return _attrib(at, m, _cue_text(toks, c), "after")


def _attrib(at: Attributor, m: Mention | None, cue: str, rule: str) -> Attribution | None:
    """An attribution from a mention (None when there is no usable mention)."""
    if m is None:
        return None
    ent = at.resolve(m)
    return Attribution(ent, m.surface, cue, rule, direct=True)


def _before(
    at: Attributor, toks: list[Tok], qi: int, lo: int, cues: list[int]
) -> Attribution | None:
    """Rule: a cue verb earlier in the sentence ("X said:", "X said the US … “…”").

    ``cues`` are the sentence's cue positions, sorted, so finding the
    nearest one is a binary search, not a scan. A nearer cue without a
    subject ("the union's demands would cost …") gives way to the one
    before it ("X told radio that …"), up to :data:`CUE_TRIES` cues back.
    """
    n = bisect.bisect_left(cues, qi)
    m: Mention | None = None
    ci = -1
    for k in range(n - 1, max(-1, n - 1 - CUE_TRIES), -1):
        ci = cues[k]
        if ci < lo:
            break
        rng = _subject_of(toks, ci, lo, at.text)
        inverted = ci == lo or toks[ci - 1].is_quote or toks[ci - 1].text in (",", ":")
        if rng is None and toks[ci].low != "according" and inverted:
            rng = np_forward(toks, ci + 1, qi)  # "“A,” said X, “B.”"
        m = at.mention(toks, rng)
        if m is not None:
            break
    if m is None:
        return None
    between = [t for t in toks[ci + 1 : qi] if t.text not in ("*", "_")]
    direct = (
        not between
        or between[-1].text == ":"
        or (len(between) == 1 and between[0].text in (",", "that"))
    )
    ent = at.resolve(m)
    return Attribution(ent, m.surface, _cue_text(toks, ci), "before", direct=direct)

# -- main loop ---------------------------------------------------------


def _nickname(at: Attributor, ctx: QuoteContext) -> Attribution | None:
    """Rule: one or two capitalised words quoted between two parts of a name."""
    span, toks, qi = ctx.span, ctx.toks, ctx.qi
    words = at.text[span.start : span.end].split()
    if not 1 <= len(words) <= 2 or not all(w[:1].isupper() for w in words):
        return None
    before = toks[qi - 1] if qi > 0 else None
    after = toks[qi + 1] if qi + 1 < len(toks) else None
    if before is None or after is None or not (before.is_cap and after.is_cap):
        return None
    if before.text in lx.NON_NAME_CAPS or after.low in CUE_WORDS:
        return None
    return Attribution(None, None, None, "nickname")


def _thought(at: Attributor, ctx: QuoteContext) -> Attribution | None:
    """Rule: "“…” she thought": a verb of thinking after the quotation; not speech."""
    toks = ctx.toks
    a = ctx.qi + 1
    while a < len(toks) and toks[a].text in (",", "\u2014", "\u2013", "-"):
        a += 1
    if a < len(toks) and toks[a].low not in lx.THOUGHT_VERBS:
        rng = np_forward(toks, a)
        a = rng[1] if rng is not None else len(toks)
    if a < len(toks) and toks[a].low in lx.THOUGHT_VERBS:
        return Attribution(None, None, None, "thought")
    return None


def _dash_byline(at: Attributor, ctx: QuoteContext) -> Attribution | None:
    """Rule: a dash and a name after the quotation ("…” ― Sonya Herridge")."""
    end = ctx.span.close_end
    m = DASH_BYLINE.match(at.masked, end)
    if m is None:
        return None
    line_end = at.masked.find("\n", m.end())
    line_end = len(at.masked) if line_end < 0 else line_end
    toks = tokenize(at.masked, m.end(), min(line_end, m.end() + LEAD_WINDOW))
    rng = np_forward(toks, 0)
    if rng is None:
        return None
    after = toks[rng[1]].text if rng[1] < len(toks) else ""
    if after not in ("", ",", ".", "(", ";"):
        return None
    mention = at.mention(toks, rng)
    if mention is None or mention.form not in ("name", "description"):
        return None
    return Attribution(at.resolve(mention), mention.surface, None, "dash", direct=True)


def _colon_intro(at: Attributor, ctx: QuoteContext) -> Attribution | None:
    """Rule: a clause whose subject introduces the quote with a colon ("Kim is blunt: “…”").

    Only a person, group or organisation subject counts: "The piece used
    her words as its headline: “…”" names no speaker.
    """
    toks, qi = ctx.toks, ctx.qi
    if qi == 0 or toks[qi - 1].text != ":":
        return None
    start = _skip_leading_adverbial(toks, 0, qi - 1)
    rng = _apposition(toks, start, qi - 1) or np_forward(toks, start, qi - 1)
    if rng is None or rng[1] >= qi - 1:
        return None
    mention = at.mention(toks, rng)
    if mention is None or mention.form == "member":
        return None
    if mention.form == "description" and mention.kind not in ("person", "group"):
        return None
    ent = at.resolve(mention)
    if ent is None or ent.kind in ("document",):
        return None
    return Attribution(ent, mention.surface, None, "colon", direct=True)


def _continuation(at: Attributor, ctx: QuoteContext) -> Attribution | None:
    """Rule: a quote that opens its sentence goes on with the last speaker."""
    if ctx.seen_word:
        return None
    if ctx.opening:
        src = ctx.carry if ctx.first else ctx.prev_speaker
    else:
        src = ctx.last_speaker
    return None if src is None else Attribution(src, None, None, "continuation")



class QuoteContext:
    """What an attribution rule may read about one quotation in its sentence.

    Slotted and not frozen: one is made per quotation, in the hot loop.
    """

    __slots__ = ("toks", "qi", "span", "cues", "seen_word", "opening", "first",
                 "carry", "prev_speaker", "last_speaker")

    def __init__(self, toks: list[Tok], qi: int, span: QuoteSpan, cues: list[int],
                 seen_word: bool, opening: bool, first: bool, carry: Entity | None,
                 prev_speaker: Entity | None, last_speaker: Entity | None) -> None:
        self.toks = toks  #: the sentence's tokens
        self.qi = qi  #: index of the quotation's token
        self.span = span
        self.cues = cues  #: sorted indices of cue words in the sentence
        self.seen_word = seen_word  #: a word comes before the quote in the sentence
        self.opening = opening  #: the quote is the sentence's first token
        self.first = first  #: the sentence is its paragraph's first
        self.carry = carry  #: the previous paragraph's speaker
        self.prev_speaker = prev_speaker  #: the previous sentence's speaker
        self.last_speaker = last_speaker  #: this sentence's latest speaker so far


class Rule:
    """One way of finding a quotation's speaker; see :data:`ATTRIBUTION_RULES`."""

    #: Stored with each quote (``quotes.rule``), so users can see why.
    name: str = ""
    #: Whether the rule ties speaker and quote directly (a cue or a byline next
    #: to it), which keeps a short quote from being taken for a fragment. It is
    #: the rule's usual answer; the ``Attribution`` it returns has the final say
    #: (``before`` is direct only when nothing but a colon or "that" intervenes).
    direct: bool = True

    def match(self, at: Attributor, ctx: QuoteContext) -> Attribution | None:
        """The attribution this rule makes, or None to let the next rule try."""
        raise NotImplementedError


#: Rules whose answer is that the quotation is not speech at all.
NOT_SPEECH = frozenset({"nickname", "thought"})


class Nickname(Rule):
    """Marcia "Cia" Price: a quoted word inside a name is a nickname, not speech."""

    name = "nickname"
    direct = False

    def match(self, at: Attributor, ctx: QuoteContext) -> Attribution | None:
        return _nickname(at, ctx)


class Thought(Rule):
    """"“Why am I doing this?” she thought": a thought is not a quotation."""

    name = "thought"
    direct = False

    def match(self, at: Attributor, ctx: QuoteContext) -> Attribution | None:
        return _thought(at, ctx)


class AfterQuote(Rule):
    """"…,” he said" / "…,” said X": a cue right after the quotation."""

    name = "after"

    def match(self, at: Attributor, ctx: QuoteContext) -> Attribution | None:
        return _after(at, ctx.toks, ctx.qi, ctx.span)


class DashByline(Rule):
    """"…” ― Sonya Herridge": a dash and a name after it, same line or the next."""

    name = "dash"

    def match(self, at: Attributor, ctx: QuoteContext) -> Attribution | None:
        return _dash_byline(at, ctx)


class CueBefore(Rule):
    """"X said: “…”", "X said the US … “…”", "saying, “…”": a cue earlier in the sentence."""

    name = "before"
    direct = False  # only when nothing but a colon or "that" stands between

    def match(self, at: Attributor, ctx: QuoteContext) -> Attribution | None:
        return _before(at, ctx.toks, ctx.qi, max(0, ctx.qi - BACK_WINDOW), ctx.cues)


class ColonIntro(Rule):
    """"Kim is more blunt: “…”": the subject of a clause that ends in a colon."""

    name = "colon"

    def match(self, at: Attributor, ctx: QuoteContext) -> Attribution | None:
        return _colon_intro(at, ctx)


class Continuation(Rule):
    """A quote opening its sentence: the previous sentence's or paragraph's speaker."""

    name = "continuation"
    direct = False

    def match(self, at: Attributor, ctx: QuoteContext) -> Attribution | None:
        return _continuation(at, ctx)


#: The attribution rules, tried in this order for each quotation; the first
#: that answers wins (with a speaker, or saying it is no speech). A new
#: pattern is one :class:`Rule` and one entry.
ATTRIBUTION_RULES: tuple[Rule, ...] = (
    Nickname(), Thought(), AfterQuote(), DashByline(), CueBefore(), ColonIntro(), Continuation(),
)
