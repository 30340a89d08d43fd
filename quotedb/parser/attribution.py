"""Pass 3: the sentence loop that attributes every quotation of an article.

Only paragraphs near a quotation are read (:func:`_near_quotes`). Each
sentence is tokenised, its leading subject is recorded for later pronouns,
and each quotation in it is given to :data:`~quotedb.parser.rules.ATTRIBUTION_RULES`;
a paragraph's speaker carries over to the quote-only paragraphs after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from .. import lexicon as lx
from .clauses import (
    BACK_WINDOW,
    LEAD_WINDOW,
    Attribution,
    _apposition,
    _is_cue,
    _may_speak,
    _name_after_phrase,
    _pronoun_gender,
    _skip_leading_adverbial,
    _subject_of,
)
from .entities import Article, Entity
from .marks import QuoteSpan
from .phrases import CUE_WORDS, INITIALS, Mention, Tok, classify, np_backward, np_forward, tokenize
from .rules import ATTRIBUTION_RULES, QuoteContext

#: Where a sentence may end in masked text: terminal punctuation (or a masked
#: quote that ended with some) plus closing brackets, then space, then a
#: capital, a digit or another quotation.
SENTENCE_END = regex.compile(
    r"""
    [.!?\x02]                 # full stop, ! ? or a quote ending with one
    [)\]"'\u2019\u201D]*      # closing brackets or marks left unmasked
    \s+                       # the gap
    (?=[\p{Lu}\p{N}\x01])     # next sentence starts with a capital/quote
    """,
    regex.VERBOSE,
)

#: Where a sentence ends, for the short look-ahead past a quotation.
SHORT_SENTENCE_END = regex.compile(r"[.!?\x02](?:\s|\Z)")

#: Lower- or title-case words of a sentence, for the cheap "busy" test. The
#: standard-library engine is used here because this scan touches every word
#: of every sentence and a set look-up beats a long alternation.
HINT_WORD = re.compile(r"[A-Za-z]+")

#: Words that make a sentence worth the full rules: cue verbs and group nouns.
HINT_WORDS: frozenset[str] = frozenset(
    w2
    for w in lx.CUE_VERBS | lx.GROUP_NOUNS | lx.PLURAL_PRESENT_CUES | lx.PARTICIPLE_CUES
    | {"according"}
    for w2 in (w, w.capitalize())
)

#: Paragraphs before a quoted one that get every rule, and those before them
#: that only feed their sentence subjects to the history (:func:`_near_quotes`).
NEAR_PARAGRAPHS = 1
CONTEXT_PARAGRAPHS = 2


#: An interview's question or answer label opening a paragraph: "Q:", "A:".
QA_LABEL = regex.compile(
    r"""
    [ \t]*                         # indentation
    (?P<tag>Q|A|Question|Answer)   # the label
    [ \t]*:[ \t]*                  # its colon
    """,
    regex.VERBOSE,
)

#: Words after a quotation that ended a sentence within which a cue verb
#: still makes them its attribution ("“Where?” Senate leader Ann Lee asked.").
ATTRIBUTION_WORDS = 6


def _attribution_follows(masked: str, pos: int, hi: int) -> bool:
    """A cue verb among the next few words, before the next sentence ends.

    >>> _attribution_follows("x Moore said. Then", 2, 18), _attribution_follows(" He left.", 0, 9)
    (True, False)
    """
    chunk = masked[pos : min(hi, pos + 80)]
    stop = SHORT_SENTENCE_END.search(chunk)
    words = HINT_WORD.findall(chunk, 0, stop.start() if stop else len(chunk))
    return any(w.lower() in lx.CUE_VERBS for w in words[:ATTRIBUTION_WORDS])


def _sentences(masked: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Sentence spans of masked paragraph ``[lo, hi)``; abbreviations don't end one."""
    out: list[tuple[int, int]] = []
    start = lo
    for m in SENTENCE_END.finditer(masked, lo, hi):
        if masked[m.start()] == ".":
            before = masked[max(lo, m.start() - 12) : m.start()].split()
            word = before[-1].lower() if before else ""
            last = before[-1] if before else ""
            if word in lx.ABBREVIATIONS or last in lx.TITLE_WORDS or INITIALS.fullmatch(last):
                continue
        elif masked[m.start()] == "\x02" and _attribution_follows(masked, m.end(), hi):
            continue  # "“Where is it?” Moore said." is one sentence
        out.append((start, m.end()))
        start = m.end()
    if start < hi:
        out.append((start, hi))
    return out


def _near_quotes(
    masked: str, paragraphs: list[tuple[int, int]]
) -> list[tuple[int, int, bool]]:
    """Paragraphs worth reading, each with whether it gets the full rules.

    Why: a speaker is named in the quote's own paragraph or, for "he said"
    and continuation paragraphs, in the paragraphs just before it. So the
    quoted paragraph and :data:`NEAR_PARAGRAPHS` before it get every rule;
    the :data:`CONTEXT_PARAGRAPHS` before those only give their sentence
    subjects to the history (the usual referents of "he" and "she"); prose
    further away, and after the last quote, decides nothing and is not read.
    Reading all of it was most of the parser's time.
    """
    keep: list[tuple[int, int, bool]] = []
    reach = NEAR_PARAGRAPHS + CONTEXT_PARAGRAPHS
    ahead = reach + 1  # distance to the next quoted paragraph, capped
    for lo, hi in reversed(paragraphs):
        ahead = 0 if masked.find("\x01", lo, hi) >= 0 else min(ahead + 1, reach + 1)
        if ahead <= reach:
            keep.append((lo, hi, ahead <= NEAR_PARAGRAPHS))
    keep.reverse()
    return keep


@dataclass(slots=True)
class _SentenceState:
    """What a sentence said about speakers, for the next one to lean on."""

    speaker: Entity | None = None
    #: The entity the sentence opens with as its subject, if any.
    lead: Entity | None = None


class Attributor:
    """Attributes the quotations of one article, sentence by sentence."""

    def __init__(self, text: str, masked: str, spans: list[QuoteSpan]) -> None:
        self.text = text
        self.masked = masked
        self.spans = {s.open: s for s in spans}
        self.art = Article(masked)
        self.results: dict[int, Attribution] = {}
        #: Classified phrases, see :meth:`mention`.
        self._mentions: dict[tuple[str, str, str | None, str | None], Mention | None] = {}
        #: Who answers in a Q-and-A interview: the speaker of the first answer.
        self.interviewee: Entity | None = None

    # -- helpers -----------------------------------------------------------

    def mention(self, toks: list[Tok], rng: tuple[int, int] | None) -> Mention | None:
        """Classify a token range (None passes through), memoised for the article.

        Why: an article names the same people again and again ("Trump
        said", "said Trump"), and classifying is a walk over the phrase.
        What :func:`classify` reads is the phrase as masked (its tokens), as
        written (the surface and names), and the two tokens before it
        (an appositive role: "Ricci's daughter, Megan"), so those are the key.
        """
        if rng is None:
            return None
        a, b = rng
        lo, hi = toks[a].start, toks[b - 1].end
        key = (self.masked[lo:hi], self.text[lo:hi],
               toks[a - 1].text if a >= 1 else None, toks[a - 2].low if a >= 2 else None)
        try:
            return self._mentions[key]
        except KeyError:
            m = self._mentions[key] = classify(toks, rng, self.text)
            return m

    def resolve(self, m: Mention | None) -> Entity | None:
        """Resolve a mention to an entity within the article."""
        return None if m is None else self.art.resolve(m)

    def run(self, paragraphs: list[tuple[int, int]]) -> None:
        """Attribute every quotation, paragraph by paragraph, sentence by sentence.

        Only paragraphs near a quotation are read (see :func:`_near_quotes`).
        """
        carry: Entity | None = None
        for lo, hi, full in _near_quotes(self.masked, paragraphs):
            prev = _SentenceState()
            first = True
            label = QA_LABEL.match(self.masked, lo, hi) if full else None
            answer = label is not None and label["tag"].upper().startswith("A")
            if answer and self.interviewee is not None:
                carry = self.interviewee  # every answer is the interviewee's
            talker: Entity | None = None  # the paragraph's latest speaker
            for s_lo, s_hi in _sentences(self.masked, lo, hi):
                if full:
                    skip = label.end() if label is not None and first else -1
                    prev = self._sentence(s_lo, s_hi, prev, carry, first, skip)
                    if prev.speaker is not None:
                        talker = prev.speaker
                    elif talker is not None and prev.lead in (None, talker):
                        # "“…,” Obama said. He didn't suggest retaliation. “…”":
                        # a sentence that brings in nobody else keeps the speaker.
                        prev.speaker = talker
                else:
                    lead = tokenize(self.masked, s_lo, min(s_hi, s_lo + LEAD_WINDOW))
                    self._leading_subject(lead)
                first = False
            if answer and self.interviewee is None:
                self.interviewee = prev.speaker
            if label is None or answer:
                carry = prev.speaker  # a question leaves the last speaker in place
                if carry is None and prev.lead is not None and prev.lead.kind == "person":
                    # "John Smith arrived late." ¶ “I was stuck in traffic.”: the
                    # person the paragraph ends on speaks the quote-only one.
                    carry = prev.lead

    def _tokens_for(self, lo: int, hi: int) -> tuple[list[Tok], bool]:
        """Tokens of a sentence, and whether it needs the full rules.

        A sentence with no quotation, cue verb or group noun only feeds its
        leading subject to the history, so only its opening is tokenised:
        this keeps long quote-free prose cheap.
        """
        busy = self.masked.find("\x01", lo, hi) >= 0 or not HINT_WORDS.isdisjoint(
            HINT_WORD.findall(self.masked, lo, hi)
        )
        if busy:
            return tokenize(self.masked, lo, hi), True
        return tokenize(self.masked, lo, min(hi, lo + LEAD_WINDOW)), False

    def _sentence(
        self,
        s_lo: int,
        s_hi: int,
        prev: _SentenceState,
        carry: Entity | None,
        first: bool,
        label_end: int = -1,
    ) -> _SentenceState:
        """Attribute the quotes in masked sentence ``[s_lo, s_hi)`` and update the history.

        Tokens before ``label_end`` (an interview's "A:") count as nothing, so
        a quote after the label still opens the sentence.
        """
        state = _SentenceState()
        toks, busy = self._tokens_for(s_lo, s_hi)
        hi = len(toks)
        if not toks:
            return state
        lead_ent = self._leading_subject(toks)
        state.lead = lead_ent
        if toks[-1].text == ":" and _may_speak(lead_ent):
            state.speaker = lead_ent  # "Sanders made the following comment:" ¶ “…”
        if not busy:
            return state
        lows = [t.low for t in toks]
        if not lx.GROUP_NOUNS.isdisjoint(lows):
            self._note_groups(toks, 0, hi)
        cues = [] if CUE_WORDS.isdisjoint(lows) else [
            i for i, low in enumerate(lows) if low in CUE_WORDS and _is_cue(toks, i)
        ]
        last_speaker: Entity | None = None
        opening = 0
        while opening < hi and toks[opening].start < label_end:
            opening += 1
        quoted = [i for i in range(opening, hi) if toks[i].is_quote]
        # A word before the quotation in its sentence (label skipped): the
        # first word's index answers that for every quotation at once.
        first_word = next((i for i in range(opening, hi) if toks[i].is_word), hi) if quoted else hi
        for qi in quoted:
            span = self.spans.get(toks[qi].start)
            if span is None:
                continue
            seen_word = first_word < qi
            ctx = QuoteContext(toks, qi, span, cues, seen_word, qi == opening, first,
                               carry, prev.speaker, last_speaker)
            att = self.attribute(ctx)
            self.results[span.open] = att
            if att.entity is not None:
                last_speaker = att.entity
                self.art.mentioned(att.entity.name)
        cue_ent = None
        if cues:
            ci = cues[0]
            rng = _subject_of(toks, ci, max(0, ci - BACK_WINDOW), self.text)
            if rng is None and 0 < ci and toks[ci - 1].text == ",":
                rng = np_forward(toks, ci + 1)  # "…, noted NBC's Dante Chinni."
            cue_ent = self.resolve(self.mention(toks, rng))
        # The subject of a speech verb is a referent for a later "he" or
        # "she" even when nothing said what kind of thing it is ("Burton
        # explained"): _leading_subject only records subjects of known kind.
        if cue_ent is not None and (cue_ent is not lead_ent or cue_ent.kind is None):
            self.art.mentioned(cue_ent.name)
        state.speaker = last_speaker or cue_ent or state.speaker
        return state

    def attribute(self, ctx: QuoteContext) -> Attribution:
        """The first answer a rule of :data:`ATTRIBUTION_RULES` gives, else "none"."""
        for rule in ATTRIBUTION_RULES:
            att = rule.match(self, ctx)
            if att is not None:
                return att
        # Embedded: the quote continues the sentence's own words ("were “just
        # maybe not in his DNA”"); after a dash, colon or comma it is set off.
        before = ctx.toks[ctx.qi - 1] if ctx.qi > 0 else None
        embedded = ctx.seen_word and before is not None and before.is_word
        return Attribution(None, None, None, "none", embedded=embedded)

    def _leading_subject(self, toks: list[Tok]) -> Entity | None:
        """Resolve and record the sentence's leading noun phrase, when it is a subject."""
        hi = len(toks)
        lead = _skip_leading_adverbial(toks, 0, hi)
        rng = _apposition(toks, lead, hi) or np_forward(toks, lead, hi)
        if 1 < lead < hi and toks[lead - 1].text == "," and toks[lead].low in ("a", "an"):
            # "For Jonas Albrecht, a retired driver, …": the name the opening
            # phrase ends with is described, so it is who the sentence is about.
            j = lead - 1
            while j > 0 and toks[j - 1].is_cap and toks[j - 1].text not in lx.NON_NAME_CAPS:
                j -= 1
            rng = (j, lead - 1) if j < lead - 1 else rng
        if rng is None and lead < hi and toks[lead].low in lx.ADVERBIAL_OPENERS:
            rng = _name_after_phrase(toks, lead, hi)  # "In the summer Joe Smith decided"
        if rng is None or rng[1] >= hi:
            return None
        nxt = toks[rng[1]]
        if not (nxt.is_word or nxt.text in (",", "\u2014", "\u2013")):
            return None
        m = self.mention(toks, rng)
        if m is None or (m.form == "description" and not m.bare
                         and m.kind not in ("person", "group")):
            return None
        ent = self.resolve(m)
        if ent is not None and ent.kind is not None:
            self.art.mentioned(ent.name)
        named = m.form == "name" and ent is not None and ent.kind != "organisation"
        if named and ent is not None and ent.gender is None:
            ent.gender = _pronoun_gender(toks, rng[1])
        return ent

    def _note_groups(self, toks: list[Tok], lo: int, hi: int) -> None:
        """Remember group nouns ("ministers") for a later "One said"."""
        for i in range(lo, hi):
            if toks[i].low in lx.GROUP_NOUNS:
                rng = np_backward(toks, i + 1, lo)
                words = toks[rng[0] : rng[1]] if rng else [toks[i]]
                if words and words[0].low in lx.DETERMINERS:
                    words = words[1:]
                name = self.text[words[0].start : words[-1].end] if words else toks[i].text
                self.art.groups_seen.append((name, toks[i].low))
