"""The grammar of attribution clauses: cue verbs, their subjects, appositions.

Small pure functions over a sentence's tokens, shared by the rules:
which token is a reporting verb, where its subject is ("X said",
"X, a Y, said", "said X", "footage of X asking"), and what an attribution is.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .. import lexicon as lx
from .entities import Entity
from .phrases import Tok, _dot_joins, np_backward, np_forward

#: Characters of a quote-free sentence read for its leading subject.
LEAD_WINDOW = 160
#: Tokens a cue verb or subject may lie before the quote or verb it serves.
BACK_WINDOW = 80

#: A dash that introduces a byline after a quotation ("…” ― Sonya Herridge"),
#: on the quote's line or alone at the start of the next one.
DASH_BYLINE = regex.compile(
    r"""
    [ \t\u00A0]*(?:\r?\n[ \t\u00A0]*)?   # the same line, or the start of the next
    (?:[\u2015\u2014\u2013]|--?)          # ― — – - --
    [ \t\u00A0]*
    """,
    regex.VERBOSE,
)

#: Cue verbs tried, nearest first, before a quotation gives up on "before".
CUE_TRIES = 3

#: Most words of a role before an appositive name ("Her younger brother, X,").
APPOSITION_ROLE = 5

#: How many tokens after a named subject its own pronoun may come ("his plan").
PRONOUN_REACH = 15

#: Words an opening phrase without a comma may take before the subject.
OPENING_PHRASE = 6

#: How far past a subject's first comma its appositions may run, in tokens.
APPOSITION_REACH = 40




@dataclass(slots=True)
class Attribution:
    """Who a quotation is attributed to, and by which rule."""

    entity: Entity | None
    mention: str | None
    cue: str | None
    rule: str
    direct: bool = False
    #: Words of its own sentence come before the quotation ("… were “just
    #: maybe not in his DNA”"): with no speaker, that is how a phrase is quoted.
    embedded: bool = False


def _is_cue(toks: list[Tok], i: int) -> bool:
    """``toks[i]`` is a reporting verb used as one ("said", "according to")."""
    low = toks[i].low
    if low in lx.PARTICIPLE_CUES:
        return True
    if low in lx.CUE_VERBS:
        if low == "pointed":
            return i + 1 < len(toks) and toks[i + 1].low == "out"
        return True
    if low == "according":
        return i + 1 < len(toks) and toks[i + 1].low == "to"
    if low == "put":  # "as X put it, “…”"
        return i + 1 < len(toks) and toks[i + 1].low == "it"
    if low in lx.PLURAL_PRESENT_CUES:
        # "officials say", and inverted after a quote: "“…” reply Burton and Nick".
        prev = toks[i - 1] if i > 0 else None
        return prev is not None and prev.low not in lx.CUE_BLOCKERS and (
            prev.is_word or prev.is_quote or prev.text == ","
        )
    return False


def _cue_text(toks: list[Tok], i: int) -> str:
    """The cue as written ("said", "according to", "pointed out")."""
    if toks[i].low in ("according", "pointed") and i + 1 < len(toks):
        return f"{toks[i].text} {toks[i + 1].text}"
    return toks[i].text


def _name_after_phrase(toks: list[Tok], lead: int, hi: int) -> tuple[int, int] | None:
    """A name that follows a short opening phrase with no comma, then a lower-case verb.

    "In the summer Joe Smith decided …": the phrase is a few lower-case
    words; the first capitalised run after it, followed by a lower-case
    word, is the sentence's subject.
    """
    for k in range(lead + 1, min(hi, lead + OPENING_PHRASE)):
        t = toks[k]
        if not t.is_word:
            return None
        if t.is_cap and t.text not in lx.NON_NAME_CAPS:
            j = k
            while j < hi and (toks[j].is_cap or toks[j].low in lx.NAME_PARTICLES):
                j += 1
            if j < hi and toks[j].is_word and not toks[j].is_cap:
                return k, j
            return None
    return None


def _after_appositions(toks: list[Tok], comma: int) -> int:
    """Index of the verb after the appositions that follow a subject, or -1.

    "X, the Republican attorney general of Oklahoma, one of the states suing
    the EPA, said": each comma may close an apposition; the first one that a
    cue verb follows (auxiliaries and adverbs allowed) ends them. A full stop
    (not an abbreviation's) or another quotation on the way means the
    sentence went elsewhere.
    """
    for j in range(comma, min(len(toks), comma + APPOSITION_REACH)):
        t = toks[j]
        if t.is_quote:
            return -1
        if t.text == "." and not (j > 0 and (_dot_joins(toks[j - 1].text)
                                             or toks[j - 1].low in lx.ABBREVIATIONS)):
            return -1
        if t.text == "," and j + 1 < len(toks):
            k = j + 1
            while k < len(toks) and toks[k].low in lx.AUX_AND_ADVERBS:
                k += 1
            if k < len(toks) and _is_cue(toks, k):
                return j + 1
    return -1


def _skip_leading_adverbial(toks: list[Tok], k: int, hi: int) -> int:
    """Index past a leading adverbial phrase ("In his press conference, ") or dateline."""
    for _ in range(3):
        if k >= hi:
            return k
        t = toks[k]
        if t.is_word and t.text.isupper() and len(t.text) > 1:
            j = k
            while j < hi and toks[j].is_word and toks[j].text.isupper():
                j += 1
            if j < hi and toks[j].text in ("-", "\u2014", "\u2013", ":") and j > k:
                k = j + 1
                continue
        if t.low in lx.CONJUNCTION_OPENERS and k + 1 < hi and toks[k + 1].text != ",":
            k += 1  # "And then an official asked": a conjunction, no phrase to skip
            continue
        if t.low in lx.ADVERBIAL_OPENERS or (t.is_word and t.low.endswith(("ing", "ed"))):
            for j in range(k + 1, min(hi, k + 30)):
                if toks[j].text == ",":
                    k = j + 1
                    break
                if toks[j].is_quote:
                    return k
            else:
                return k
            continue
        return k
    return k


def _apposition(toks: list[Tok], start: int, hi: int) -> tuple[int, int] | None:
    """The name in "Her younger brother, Tom Haskins, said" (a role, a comma, a name).

    Why: the role noun before the comma is the subject's grammar, but the
    name after it is who speaks; reading the role alone makes a speaker
    called "charity's chair". The role is up to :data:`APPOSITION_ROLE`
    words ending in a lower-case noun; the name is capitalised words closed
    by a comma or dash.

    >>> from quotedb.parser.phrases import tokenize
    >>> t = tokenize("Its president, Ann Lee, told us", 0, 31)
    >>> _apposition(t, 0, len(t))
    (3, 5)
    """
    k = start
    while k < hi and k - start < APPOSITION_ROLE and toks[k].is_word:
        if k > start and toks[k].is_cap:
            return None
        k += 1
    if k == start or k + 1 >= hi or toks[k].text != "," or toks[k - 1].is_cap:
        return None
    rng = np_forward(toks, k + 1, hi)
    if rng is None or rng[1] >= hi or toks[rng[1]].text not in (",", "\u2014", "\u2013"):
        return None
    if not all(t.is_cap or t.low in lx.NAME_PARTICLES for t in toks[rng[0] : rng[1]]):
        return None
    if toks[rng[0]].text in lx.NON_NAME_CAPS:
        return None
    return rng


def _subject_of(toks: list[Tok], ci: int, lo: int, text: str) -> tuple[int, int] | None:
    """Token range of the subject of the cue verb at ``toks[ci]`` (sentence from ``lo``).

    "X said", "X, a Y, said", "X also said"; after "but said" (ellipsis) the
    clause's leading noun phrase.
    """
    if toks[ci].low == "according":
        return np_forward(toks, ci + 2)
    if toks[ci].low in lx.PARTICIPLE_CUES:
        return _participle_subject(toks, ci, lo)
    j = ci
    while j > lo and toks[j - 1].low in lx.AUX_AND_ADVERBS:
        j -= 1
    if j > lo and toks[j - 1].text == ",":
        start = _skip_leading_adverbial(toks, lo, j)
        app = _apposition(toks, start, j)
        if app is not None and app[1] == j - 1:
            return app
        rng = np_forward(toks, start, j)
        if rng is not None and rng[1] < len(toks) and toks[rng[1]].text == ",":
            return rng
        return None
    rng = np_backward(toks, j, lo)
    if rng is not None:
        return rng
    if j == lo or toks[j - 1].is_quote or toks[j - 1].text in (",", "\u2014", "\u2013", ":"):
        return None
    if toks[j - 1].low in ("but", "and", "then"):
        start = _skip_leading_adverbial(toks, lo, j)
        fwd = np_forward(toks, start, j)
        return fwd
    if toks[j - 1].low in ("who", "which", "that"):
        end = j - 2 if j - 2 > lo and toks[j - 2].text == "," else j - 1
        return np_backward(toks, end, lo)  # "Stevie Wonder, who joked, “…”"
    return None


def _participle_subject(toks: list[Tok], ci: int, lo: int) -> tuple[int, int] | None:
    """Who speaks in a participle cue: "footage of Ann Lee asking, “…”" or "X left, saying".

    A name right before the participle is its subject; otherwise the
    participle hangs on the clause, whose subject opens the sentence.
    """
    if ci > lo and toks[ci - 1].is_cap:
        k = ci
        while k > lo and (toks[k - 1].is_cap or toks[k - 1].text == "." and k - 2 >= lo
                          and _dot_joins(toks[k - 2].text)):
            k -= 1
        if k < ci:
            return k, ci  # "footage of Hillary Clinton asking"
    start = _skip_leading_adverbial(toks, lo, ci)
    rng = np_forward(toks, start, ci)
    if rng is None or rng[1] >= ci:
        return None
    return rng


def _may_speak(ent: Entity | None) -> bool:
    """A person, group or organisation: something that can say a quotation."""
    return ent is not None and ent.kind not in ("document",)


def _pronoun_gender(toks: list[Tok], start: int) -> str | None:
    """Gender a named subject's own pronoun gives it: "Trump revised his plan" -> "m".

    The first personal pronoun after the subject counts, unless another name
    comes first ("Trump attacked Clinton over her emails" says nothing of Trump).

    >>> from quotedb.parser.phrases import tokenize
    >>> t = tokenize("Ann Lee revised her plan", 0, 24)
    >>> _pronoun_gender(t, 2), _pronoun_gender(tokenize("Bo Li met Ann over her plan", 0, 27), 2)
    ('f', None)
    """
    for t in toks[start : start + PRONOUN_REACH]:
        if t.low in lx.MALE_PRONOUNS:
            return "m"
        if t.low in lx.FEMALE_PRONOUNS:
            return "f"
        if t.is_cap or t.is_quote:
            return None
    return None
