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

import bisect
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import regex

from . import lexicon as lx
from .records import ArticleMeta, ParsedArticle, Quote, Speaker

PARSER_VERSION = "1.0.0"

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------

#: One paragraph: a run of characters without a line break.
PARAGRAPH = regex.compile(r"[^\r\n]+")

#: Any double quotation mark the pairing pass considers.
DOUBLE_MARK = regex.compile(
    r"""
    [\u201C\u201D\u201E\u201F"\u00AB\u00BB]   # “ ” „ ‟ " « »
    """,
    regex.VERBOSE,
)

#: Any single quotation mark (or apostrophe) the single-quote pass considers.
SINGLE_MARK = regex.compile(
    r"""
    [\u2018\u2019\u201A'\u2039\u203A`]  # ‘ ’ ‚ ' ‹ › and ` (LaTeX)
    """,
    regex.VERBOSE,
)

#: A sentence boundary inside quoted text: end punctuation, maybe a closing
#: bracket or mark, space, then a capital or digit.
SENTENCE_GAP = regex.compile(
    r"""
    [.!?\u2026]                  # . ! ? …
    [)\]'\u2019]*                # closing brackets or single marks
    \s+                          # the gap
    [\p{Lu}\p{N}]                # next sentence starts with a capital or digit
    """,
    regex.VERBOSE,
)

#: Two-character double marks: NYT-style ``''`` (both ends) and LaTeX/ASCII
#: ````` (opening). Pairing works on single characters, so each becomes a
#: ``"`` plus a space in a same-length copy of the text (see
#: :func:`fold_double_ticks`).
DOUBLE_TICKS = regex.compile(
    r"""
    (?<!['`])             # not part of a longer run of ticks
    (?:''|``)             # the pair
    (?!['`])
    """,
    regex.VERBOSE,
)

#: A US party-and-state tag after a name, "(D-N.C.)", "(R-Utah)", "(I)": the
#: narrative rules read past it as if it were not there.
PARTY_TAG = regex.compile(
    r"""
    [ ]?\(                                  # opens after the name
    (?:D|R|I|Dem|Rep|Ind)\.?                # the party
    (?:[ ]?[-–—][ ]?               # a dash, then the state
       \p{Lu}[\p{L}.]*(?:[ ]\p{Lu}[\p{L}.]*)?)?
    \)
    | ,[ ](?:D|R|I)-\p{Lu}[\p{L}.]*(?=,)     # or between commas: ", R-Ky.,"
    """,
    regex.VERBOSE,
)

#: A number that can modify a role noun: "9/11 widow", "52-year-old", "3rd".
NUMERIC_MODIFIER = regex.compile(r"\d+(?:/\d+|-[a-z]+(?:-[a-z]+)*|st|nd|rd|th)?")

#: Initials as written in names: "G.K", "K" (the tokenizer leaves the last dot apart).
INITIALS = regex.compile(r"\p{Lu}(?:\.\p{Lu})*")

#: A decade or year clipped by an apostrophe ('90s, ’05): never opens a quote.
CLIPPED_YEAR = regex.compile(
    r"""
    \d\d           # two digits after the mark
    (?:s\b|\b)     # '90s or '05
    """,
    regex.VERBOSE,
)

#: Combining marks (accents typed as separate code points) that continue a
#: word. The standard-library engine has no ``\p{M}``; these blocks cover the
#: Latin, Greek, Cyrillic, Hebrew, Arabic and Devanagari marks of news names.
_MARKS = (
    "\u0300-\u036F\u0483-\u0489\u0591-\u05BD\u05BF-\u05C7\u0610-\u061A"
    "\u064B-\u065F\u0670\u0900-\u0903\u093A-\u094F\u0951-\u0957\u0962\u0963"
    "\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F"
)

#: A narrative token: a word (with inner apostrophes, hyphens, dots), a run of
#: masked quote characters, or one other visible character. Tokenising is the
#: parser's innermost loop, so this uses the standard-library engine, which
#: is faster than ``regex`` here; ``[^\W_]`` is a letter or digit.
TOKEN = re.compile(
    rf"""
    [^\W_](?:[^\W_]|[{_MARKS}])*            # a word, accents included
    (?:['\u2019\-.](?:[^\W_]|[{_MARKS}])+|/\d+)*  # O'Brien, al-Qaeda, U.S, 9/11
    | [\x01-\x03]+                            # a masked quotation
    | \S                                      # punctuation, one character
    """,
    re.VERBOSE,
)

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

#: A run of capitalised words that may be a name (particles allowed inside).
CAPS_RUN = regex.compile(
    r"""
    (?<![\p{L}\p{N}'\u2019\-.])                          # starts a word
    (?:\p{Lu}\.(?:\p{Lu}\.)*(?=[ ]\p{Lu})                   # initials: "G.K." "K."
     |\p{Lu}[\p{L}\p{M}'\u2019\-]*)                        # Capitalised word
    (?:[ ]+(?:\L<particles>[ ]+)?
       (?:\p{Lu}\.(?:\p{Lu}\.)*(?=[ ]\p{Lu})
        |\p{Lu}[\p{L}\p{M}'\u2019\-]*))*                    # more, with de/bin
    """,
    regex.VERBOSE,
    particles=sorted(lx.NAME_PARTICLES),
)

#: A quotation inside a sentence, with no speaker anywhere, shorter than this
#: many words is a quoted phrase (a scare quote, a motto), not speech.
EMBEDDED_FRAGMENT_WORDS = 12

#: Punctuation a quotation may open with before its first word ("-Wish- you success!").
LEADING_PUNCT = "-\u2013\u2014\u2026.'\"\u2018\u201C( "

#: A title in quotes ("Face the Nation") has at most this many words.
TITLE_MAX_WORDS = 10

#: A sentence boundary inside a text: a title has none.
INNER_SENTENCE = regex.compile(r"[.!?]\s+\S")

#: Lines a hard-wrapped quotation may run on without a mark (see ``_runs_on``).
WRAP_LOOKAHEAD = 3

#: An empty line: the text separates paragraphs with blank lines.
BLANK_LINE = regex.compile(r"\n[ \t\u00A0]*\r?\n")

#: Where a sentence ends, for the short look-ahead past a quotation.
SHORT_SENTENCE_END = regex.compile(r"[.!?\x02](?:\s|\Z)")

#: Text ends with sentence-final punctuation (optionally closed by brackets).
ENDS_SENTENCE = regex.compile(
    r"""
    [.!?\u2026]                      # . ! ? …
    [)\]'\u2019"\u201D]*             # ) ] or inner closing marks
    \s*\Z
    """,
    regex.VERBOSE,
)

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

#: Every word :func:`_is_cue` can accept: a set test spares a call per token.
CUE_WORDS: frozenset[str] = (
    lx.CUE_VERBS | lx.PLURAL_PRESENT_CUES | lx.PARTICIPLE_CUES | {"according", "put"}
)

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

#: Paragraphs before a quoted one that get every rule, and those before them
#: that only feed their sentence subjects to the history (:func:`_near_quotes`).
NEAR_PARAGRAPHS = 1
CONTEXT_PARAGRAPHS = 2

#: Characters of a quote-free sentence read for its leading subject.
LEAD_WINDOW = 160
#: Tokens a cue verb or subject may lie before the quote or verb it serves.
BACK_WINDOW = 80

#: An interview's question or answer label opening a paragraph: "Q:", "A:".
QA_LABEL = regex.compile(
    r"""
    [ \t]*                         # indentation
    (?P<tag>Q|A|Question|Answer)   # the label
    [ \t]*:[ \t]*                  # its colon
    """,
    regex.VERBOSE,
)

#: Cue verbs tried, nearest first, before a quotation gives up on "before".
CUE_TRIES = 3

#: Most words of a role before an appositive name ("Her younger brother, X,").
APPOSITION_ROLE = 5

#: Longest noun phrase, in tokens, the subject rules read.
MAX_NP = 25

#: Words after a quotation that ended a sentence within which a cue verb
#: still makes them its attribution ("“Where?” Senate leader Ann Lee asked.").
ATTRIBUTION_WORDS = 6

#: How many tokens after a named subject its own pronoun may come ("his plan").
PRONOUN_REACH = 15

#: Words an opening phrase without a comma may take before the subject.
OPENING_PHRASE = 6

#: How far past a subject's first comma its appositions may run, in tokens.
APPOSITION_REACH = 40

#: Longest personal name, in words (titles apart): "Julie A. Diaz Martinez".
MAX_NAME_WORDS = 4

#: Word tokens as the evaluation counts them (also used to size quotes).
WORD = regex.compile(r"\w+")

#: A possessive ending on a name token (Massoud's, UNICEF’s, Jones').
POSSESSIVE = regex.compile(r"['\u2019]s?\Z")

#: Opening punctuation after which a mark may open a quote.
_OPEN_BEFORE = set("([{\u2014\u2013-/*_\u201C\u201E\u2018\u00AB\"'")
#: Punctuation after which a mark may close a quote.
_CLOSE_AFTER_OK = set(".,;:!?)]}\u2014\u2013-/*_\u2026\u201D\u2019\u00BB\"'")

_DOUBLE_OPENERS = {"\u201C", "\u201E", "\u201F", '"', "\u00AB", "\u00BB", "\u201D"}
#: Which closing marks can close a quote opened by each opener.
_DOUBLE_CLOSERS: dict[str, frozenset[str]] = {
    "\u201C": frozenset({"\u201D", '"', "\u201C"}),
    "\u201E": frozenset({"\u201C", "\u201D", '"', "\u201F"}),
    "\u201F": frozenset({"\u201D", '"'}),
    '"': frozenset({'"', "\u201D"}),
    "\u00AB": frozenset({"\u00BB"}),
    "\u00BB": frozenset({"\u00AB"}),
    "\u201D": frozenset({"\u201D", '"'}),
}
_SINGLE_OPENERS = {"\u2018", "'", "\u201A", "\u2039", "`"}
_SINGLE_CLOSERS = {"\u2019", "'", "\u2018", "\u203A"}


# --------------------------------------------------------------------------
# Pass 1: pairing quotation marks
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """A paired quotation: mark at ``open``, content ``[start, end)``, marks to ``close_end``."""

    open: int
    start: int
    end: int
    close_end: int
    closed: bool = True


@dataclass(slots=True)
class _Pending:
    """A quotation still open at the end of a paragraph."""

    open: int
    mark: str
    family: str
    #: Where the open quotation stops when the next paragraph doesn't go on
    #: with it (None: at the paragraph's end).
    end: int | None = None
    #: The next line is the same paragraph, hard-wrapped: the quotation runs
    #: on into it without a re-opening mark.
    soft: bool = False


#: A stand-in open double quotation, to ask whether a paragraph opens with one.
_ANY_DOUBLE = _Pending(-1, "\u201C", "double")


def _can_open(text: str, i: int, lo: int, hi: int) -> bool:
    """Context lets the mark at ``i`` open a quote: starts a word, content follows.

    >>> _can_open('say "hi"', 4, 0, 8), _can_open('say "hi"', 7, 0, 8)
    (True, False)
    """
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    return (before.isspace() or before in _OPEN_BEFORE) and not after.isspace()


def _can_close(text: str, i: int, lo: int, hi: int) -> bool:
    """Context lets the mark at ``i`` close a quote: ends a word, no letter follows.

    >>> _can_close('say "hi" now', 7, 0, 12), _can_close("don't", 3, 0, 5)
    (True, False)
    """
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    return not before.isspace() and (
        after.isspace() or after in _CLOSE_AFTER_OK or not after.isalnum()
    )


def _pair_doubles(
    text: str, lo: int, hi: int, pending: _Pending | None, may_continue: bool = False
) -> tuple[list[tuple[int, int]], _Pending | None]:
    """Pair double marks in paragraph ``[lo, hi)``; return outer pairs and what stays open.

    A stack handles nesting; only outermost pairs are returned. ``pending``
    is a quotation re-opened by this paragraph's first mark; ``may_continue``
    says the next paragraph opens with a mark, so an open quotation may run on.
    """
    stack: list[tuple[int, str]] = []
    pairs: list[tuple[int, int]] = []
    #: Pairs closed directly inside the bottom opener of the stack.
    children: list[tuple[int, int]] = []
    skip_first = False
    if pending is not None and pending.family == "double":
        stack.append((pending.open, pending.mark))
        skip_first = not pending.soft
    for m in DOUBLE_MARK.finditer(text, lo, hi):
        i = m.start()
        ch = text[i]
        if skip_first:
            skip_first = False
            if text[lo:i].strip() == "":
                continue
        opens = _can_open(text, i, lo, hi)
        closes = _can_close(text, i, lo, hi)
        if ch in "\u00AB\u00BB":
            # French typography spaces guillemets inside: « Oui ».
            opens = opens or _can_open(text, i, lo, hi) or text[i + 1 : i + 2] in (" ", "\u00A0")
            closes = closes or text[i - 1 : i] in (" ", "\u00A0")
        if stack and closes and ch in _DOUBLE_CLOSERS[stack[-1][1]]:
            start, _ = stack.pop()
            if not stack:
                pairs.append((start, i))
                children.clear()
            elif len(stack) == 1:
                children.append((start, i))
            continue
        if opens and ch in _DOUBLE_OPENERS:
            if ch == "\u201D" and not text[i + 1 : i + 2].isalpha():
                continue  # a stray closer between spaces, not an opener
            stack.append((i, ch))
    if not stack:
        return pairs, None
    if len(stack) == 1 and children and not may_continue:
        return _resolve_nested(text, stack[0], children, pairs)
    # Unclosed: keep the first opener after the last closed pair, if any.
    last_close = pairs[-1][1] if pairs else -1
    for pos, mark in stack:
        if pos > last_close:
            return pairs, _Pending(pos, mark, "double")
    return pairs, None


def _resolve_nested(
    text: str,
    opener: tuple[int, str],
    children: list[tuple[int, int]],
    pairs: list[tuple[int, int]],
) -> tuple[list[tuple[int, int]], _Pending | None]:
    """Read a paragraph with one opener too many, and quotations closed inside it.

    Two readings fit “A “b” c: the inner pair nests in a quote left open, or
    the writer forgot to close the first quote and “b” is a new one. If a
    sentence ends between the open mark and the first inner one (“We won.
    Then “Yes,” …) the first quote was left open and stops there. Otherwise
    the last closer is taken as the outer one (“Commas, “inner quotes, and
    more,” said X): that reading ends the quotation at a closing mark the
    attribution follows, instead of running it to the end of the paragraph.
    """
    open_at, mark = opener
    first_inner = children[0][0]
    if SENTENCE_GAP.search(text, open_at + 1, first_inner):
        return pairs + children, _Pending(open_at, mark, "double", end=first_inner)
    return pairs + [(open_at, children[-1][1])], None


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """Position lies inside one of the sorted ``spans`` (inclusive bounds)."""
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][1] < pos:
            lo = mid + 1
        else:
            hi = mid
    return lo < len(spans) and spans[lo][0] <= pos <= spans[lo][1]


def _pair_singles(
    text: str, lo: int, hi: int, doubles: list[tuple[int, int]], pending: _Pending | None
) -> tuple[list[tuple[int, int]], _Pending | None]:
    """Pair single marks outside double quotes in ``[lo, hi)``.

    An opener must start a word; a closer must end one and not be followed by
    a letter (so They’re, Wallace’s, weren’t never close). A closer after
    "s" followed by a lower-case word ("the fighters’ guns") is weak: used
    only when no strong closer comes before the paragraph ends.
    """
    pairs: list[tuple[int, int]] = []
    open_at: int | None = None
    weak: int | None = None
    skip_first = False
    if pending is not None and pending.family == "single":
        open_at = pending.open
        skip_first = not pending.soft
    for m in SINGLE_MARK.finditer(text, lo, hi):
        i = m.start()
        if _inside(i, doubles):
            continue
        ch = text[i]
        if skip_first:
            skip_first = False
            if text[lo:i].strip() == "":
                continue
        if open_at is not None and ch in _SINGLE_CLOSERS and _can_close(text, i, lo, hi):
            nxt = text[i + 1 : i + 3]
            if text[i - 1] in "sS" and len(nxt) == 2 and nxt[0] == " " and nxt[1].islower():
                if weak is None:
                    weak = i
                continue
            if _good_single(text, open_at, i, doubles):
                pairs.append((open_at, i))
            open_at, weak = None, None
            continue
        if open_at is None and ch in _SINGLE_OPENERS and _can_open(text, i, lo, hi):
            if CLIPPED_YEAR.match(text, i + 1, hi):
                continue
            open_at, weak = i, None
    if open_at is not None:
        if weak is not None and _good_single(text, open_at, weak, doubles, weak=True):
            pairs.append((open_at, weak))
            return pairs, None
        return pairs, _Pending(open_at, text[open_at], "single")
    return pairs, None


def _good_single(
    text: str, open_at: int, close_at: int, doubles: list[tuple[int, int]], weak: bool = False
) -> bool:
    """A single-quote pair holds real content: two or more characters with a letter.

    Rejects rock 'n' roll; a weak closer may not enclose a double quote.
    """
    content = text[open_at + 1 : close_at]
    if len(content.strip()) < 2 or not any(c.isalnum() for c in content):
        return False
    if weak and any(open_at < a < close_at for a, _ in doubles):
        return False
    return True


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of ``text``: news copy puts one paragraph a line."""
    return [(m.start(), m.end()) for m in PARAGRAPH.finditer(text) if not m.group().isspace()]


def _reopens(text: str, lo: int, hi: int, pending: _Pending) -> bool:
    """Paragraph ``[lo, hi)`` starts by re-opening the quotation left open before it."""
    j = lo
    while j < hi and text[j].isspace():
        j += 1
    if j >= hi:
        return False
    ch = text[j]
    if pending.family == "double":
        return ch in _DOUBLE_OPENERS and ch not in "\u00BB\u201D" or ch == pending.mark
    return ch in _SINGLE_OPENERS


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def fold_double_ticks(text: str) -> str:
    """Same-length copy of ``text`` with ``''`` and ```` `` ```` as one double mark and a space.

    An opening pair (before a word) becomes a space and ``"``, a closing pair
    ``"`` and a space, so the mark sits next to the quoted words and offsets
    stay those of ``text``.

    >>> fold_double_ticks("''Go,'' he said. ``Now''")
    ' "Go,"  he said.  "Now" '
    """
    if "''" not in text and "``" not in text:
        return text

    def fold(m: regex.Match[str]) -> str:
        after = text[m.end() : m.end() + 1]
        opening = m.group() == "``" or (after != "" and not after.isspace()
                                        and after not in ".,;:!?)]")
        return ' "' if opening else '" '

    return DOUBLE_TICKS.sub(fold, text)


def blank_party_tags(masked: str) -> str:
    """Party-and-state tags after names blanked to spaces (same length).

    >>> blank_party_tags("said Rep. Ann Lee (D-N.C.), head of")
    'said Rep. Ann Lee         , head of'
    """
    if "(" not in masked and "-" not in masked:
        return masked
    return PARTY_TAG.sub(lambda m: " " * len(m.group()), masked)


def _runs_on(
    text: str, paragraphs: list[tuple[int, int]], n: int, pending: _Pending
) -> bool:
    """Line ``n`` leaves a quotation open that a later line closes: the text is hard-wrapped.

    The line must end mid-sentence with the next in lower case, or the next lines (up to
    :data:`WRAP_LOOKAHEAD`) must meet a mark that can only close before any
    that could open, as in ``"Hello,`` / ``I am the last." followed by``.
    """
    lo, hi = paragraphs[n]
    nxt_lo = paragraphs[n + 1][0] if n + 1 < len(paragraphs) else hi
    if not ENDS_SENTENCE.search(text, lo, hi) and text[nxt_lo : nxt_lo + 1].islower():
        return True  # the sentence goes on in lower case on the next line
    marks = DOUBLE_MARK if pending.family == "double" else SINGLE_MARK
    for a, b in paragraphs[n + 1 : n + 1 + WRAP_LOOKAHEAD]:
        for m in marks.finditer(text, a, b):
            i = m.start()
            return _can_close(text, i, a, b) and not _can_open(text, i, a, b)
    return False


def find_quote_spans(
    text: str,
    skip: list[tuple[int, int]] | None = None,
    paragraphs: list[tuple[int, int]] | None = None,
) -> list[QuoteSpan]:
    """Pair quotation marks into quotations, sorted and non-overlapping.

    ``skip`` holds spans (boilerplate) whose paragraphs are ignored;
    ``paragraphs`` are ``text``'s, when the caller has already found them.

    >>> [text[s.start:s.end] for text in ['“We won,” he said, “and won.”']
    ...  for s in find_quote_spans(text)]
    ['We won,', 'and won.']
    >>> [s.closed for s in find_quote_spans('He said "oops and left.')]
    [False]
    """
    skip = sorted(skip or [])
    all_paras = _paragraphs(text) if paragraphs is None else paragraphs
    paragraphs = _without(all_paras, skip)
    spans: list[QuoteSpan] = []
    pending: _Pending | None = None
    # Where blank lines separate paragraphs, a single line break inside one is
    # hard wrapping, not a new paragraph.
    wrapped = BLANK_LINE.search(text) is not None
    for n, (lo, hi) in enumerate(paragraphs):
        if pending is not None and not pending.soft and not _reopens(text, lo, hi, pending):
            pending = None  # the previous paragraph was closed at its end
        nxt = paragraphs[n + 1] if n + 1 < len(paragraphs) else None
        may_continue = nxt is not None and _reopens(text, nxt[0], nxt[1], _ANY_DOUBLE)
        if pending is not None and pending.soft and _reopens(text, lo, hi, pending):
            pending.soft = False  # a wrapped line that opens with a mark re-opens
        doubles, pend_d = _pair_doubles(text, lo, hi, pending, may_continue)
        singles, pend_s = _pair_singles(text, lo, hi, doubles, pending)
        carried = pending.open if pending is not None else None
        pairs = _merge_pairs(doubles, singles)
        new_pending = pend_d if pend_d is not None else pend_s
        if pend_d is not None and pend_s is not None:
            new_pending = min(pend_d, pend_s, key=lambda p: p.open)
        stop = hi
        if new_pending is not None and new_pending.end is not None:
            stop = new_pending.end
        for a, b in pairs:
            if new_pending is not None and new_pending.open < a < stop:
                continue  # inside the still-open quotation
            spans.append(_make_span(text, a, b, b + 1, carried))
        if new_pending is not None:
            if nxt is not None and _reopens(text, nxt[0], nxt[1], new_pending):
                pending = new_pending
                continue
            one_break = nxt is not None and text.count("\n", hi, nxt[0]) == 1
            if one_break and new_pending.end is None and (
                wrapped or _runs_on(text, paragraphs, n, new_pending)
            ):
                new_pending.soft = True
                pending = new_pending
                continue
            log.debug("unbalanced quote at %d closed at %d", new_pending.open, stop)
            # Cut short, the quotation's mask ends with its text: the space
            # before the next quotation keeps the two apart.
            close_end = stop if stop == hi else 0
            spans.append(
                _make_span(text, new_pending.open, stop, close_end, carried, closed=False)
            )
        pending = None
    return _clean_spans(text, spans)


def _without(
    paragraphs: list[tuple[int, int]], skip: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Paragraphs (sorted) that overlap none of the sorted ``skip`` spans; one linear sweep.

    >>> _without([(0, 5), (6, 10), (11, 15)], [(7, 9)])
    [(0, 5), (11, 15)]
    """
    out: list[tuple[int, int]] = []
    j = 0
    for a, b in paragraphs:
        while j < len(skip) and skip[j][1] <= a:
            j += 1
        if j < len(skip) and skip[j][0] < b:
            continue
        out.append((a, b))
    return out


def _merge_pairs(
    doubles: list[tuple[int, int]], singles: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Outer pairs of both kinds: a single pair enclosing doubles wins (British style)."""
    if not singles:
        return doubles
    merged = sorted(doubles + singles)
    out: list[tuple[int, int]] = []
    for a, b in merged:
        if out and a < out[-1][1]:
            continue  # nested inside the previous outer pair
        out.append((a, b))
    return out


def _make_span(
    text: str, open_at: int, close_at: int, close_end: int, carried: int | None,
    closed: bool = True,
) -> QuoteSpan:
    """A :class:`QuoteSpan` from mark positions (content whitespace trimmed)."""
    start, end = _trim(text, open_at + 1, close_at)
    return QuoteSpan(open_at, start, end, max(close_end, end), closed)


def _clean_spans(text: str, spans: list[QuoteSpan]) -> list[QuoteSpan]:
    """Drop empty or overlapping spans; sort by position (defensive, cheap)."""
    out: list[QuoteSpan] = []
    for s in sorted(spans, key=lambda s: s.open):
        if s.end <= s.start or not WORD.search(text, s.start, s.end):
            continue
        if out and s.open < out[-1].close_end:
            continue
        out.append(s)
    return out


# --------------------------------------------------------------------------
# Pass 2: masking
# --------------------------------------------------------------------------


def mask_quotes(text: str, spans: list[QuoteSpan]) -> str:
    """Copy of ``text`` with each quotation blanked to ``\\x01`` characters.

    The last masked character is ``\\x02`` when the quotation ended a sentence,
    else ``\\x03``, so sentence splitting can still see its punctuation.
    Offsets are unchanged.

    >>> mask_quotes('He said "Go." Then', find_quote_spans('He said "Go." Then'))
    'He said \\x01\\x01\\x01\\x01\\x02 Then'
    """
    pieces: list[str] = []
    pos = 0
    for s in spans:
        pieces.append(text[pos : s.open])
        width = s.close_end - s.open
        final = "\x02" if ENDS_SENTENCE.search(text[s.start : s.end][-8:]) else "\x03"
        pieces.append("\x01" * (width - 1) + final)
        pos = s.close_end
    pieces.append(text[pos:])
    return "".join(pieces)


# --------------------------------------------------------------------------
# Tokens and noun phrases
# --------------------------------------------------------------------------


class Tok(NamedTuple):
    """A token of masked narrative text with its offsets (a tuple: cheap to make)."""

    text: str
    start: int
    end: int
    low: str

    @property
    def is_quote(self) -> bool:
        """The token stands for a masked quotation."""
        return self.text[0] in "\x01\x02\x03"

    @property
    def is_word(self) -> bool:
        """The token is a word (letters or digits)."""
        return self.text[0].isalnum()

    @property
    def is_cap(self) -> bool:
        """The token is a capitalised word."""
        return self.text[0].isupper()


def tokenize(masked: str, lo: int, hi: int) -> list[Tok]:
    """Tokens of ``masked[lo:hi]`` with absolute offsets.

    >>> [t.text for t in tokenize("Mr Smith, 52, said:", 0, 19)]
    ['Mr', 'Smith', ',', '52', ',', 'said', ':']
    """
    new = tuple.__new__  # skips NamedTuple's _make wrapper: this runs per token
    return [
        new(Tok, (w, a, a + len(w), w.lower()))
        for m in TOKEN.finditer(masked, lo, hi)
        for w, a in ((m.group(), m.start()),)
    ]


@dataclass(frozen=True, slots=True)
class Mention:
    """A noun phrase that may name a speaker, classified but not yet resolved.

    ``form`` is one of ``pronoun``, ``member`` (numeral "One"), ``name``,
    ``description``; ``name`` holds the name tokens with titles stripped,
    ``head`` the head noun of a description, ``bare`` whether a description
    has nothing but a determiner and its head ("the man").
    """

    surface: str
    form: str
    name: str = ""
    kind: str | None = None
    head: str = ""
    role: str = ""
    bare: bool = False
    titled: bool = False


def _strip_possessive(word: str) -> str:
    """Name token without a possessive ending.

    >>> _strip_possessive("Massoud’s")
    'Massoud'
    """
    # String tests, not POSSESSIVE.sub: this runs for every word of every name.
    if len(word) <= 2:
        return word
    if word[-1] in "'\u2019":
        return word[:-1]
    if word[-1] == "s" and word[-2] in "'\u2019":
        return word[:-2]
    return word


def _is_acronym(word: str) -> bool:
    """All-capital short word (UNICEF, NATO): an organisation when it speaks."""
    core = word.replace(".", "")
    return 2 <= len(core) <= 7 and core.isupper() and core.isalpha()


def _np_word(t: Tok, first: bool) -> str | None:
    """Role of token ``t`` inside a noun phrase, or None when it ends the phrase.

    Returns ``det`` (determiner), ``pron``, ``cap``, ``noun`` (lexicon noun),
    ``mod``, ``prep``, ``part`` (name particle) or ``dot``.
    """
    low = t.low
    if not t.is_word:
        return "dot" if t.text == "." else None
    if low[0].isdigit():
        return "mod" if NUMERIC_MODIFIER.fullmatch(low) else None  # "9/11 widow", "52-year-old"
    if low in lx.PRONOUN_KINDS or low in lx.GROUP_MEMBER_PRONOUNS:
        return "pron"
    if low in lx.DETERMINERS:
        return "det"
    if t.is_cap:
        if t.text in lx.NON_NAME_CAPS and not (first and t.text in lx.TITLE_WORDS):
            return None
        return "cap"
    if low in lx.PERSON_ROLES or low in lx.GROUP_NOUNS or low in lx.DOCUMENT_NOUNS:
        return "noun"
    if low in lx.ORG_NOUNS:
        return "noun"
    if low in lx.NP_MODIFIERS:
        return "mod"
    if low in lx.NP_PREPOSITIONS:
        return "prep"
    if low in lx.NAME_PARTICLES:
        return "part"
    if POSSESSIVE.search(t.text) and t.text[0].isalpha():
        return "mod"
    return None


def _dot_joins(word: str) -> bool:
    """A full stop after ``word`` stays inside a name: a title ("Gen.") or initials ("G.K.").

    >>> _dot_joins("Gen"), _dot_joins("G.K"), _dot_joins("said")
    (True, True, False)
    """
    return word in lx.TITLE_WORDS or INITIALS.fullmatch(word) is not None


def np_backward(toks: list[Tok], end: int, lo: int = 0) -> tuple[int, int] | None:
    """Token range of the noun phrase ending just before ``toks[end]``.

    Walks left over capitalised words, lexicon nouns and modifiers, stopping
    after a determiner or pronoun. A phrase that starts with a preposition is
    the object of something else ("fled to Kabul said"), not a subject.
    """
    k = end
    lo = max(lo, end - MAX_NP)
    while k > lo:
        role = _np_word(toks[k - 1], first=False)
        if role is None:
            break
        if role == "pron":
            if k == end:
                k -= 1
            break
        if role == "dot" and not (k - 2 >= lo and _dot_joins(toks[k - 2].text)):
            break
        k -= 1
        if role == "det":
            break
    while k < end and _np_word(toks[k], first=False) in ("prep", "part", "dot"):
        k += 1
    if k >= end:
        return None
    if k > lo and toks[k - 1].low in lx.NP_PREPOSITIONS:
        return None
    return k, end


def _modifies_role(toks: list[Tok], k: int, hi: int) -> bool:
    """``toks[k]`` is a lower-case word right before a role noun ("education official").

    Only asked inside a phrase that opened with a determiner: after a name,
    a lower-case word is the verb ("Merkel told reporters").
    """
    t = toks[k]
    return (t.is_word and not t.is_cap and t.text.isalpha() and k + 1 < hi
            and toks[k + 1].low in _NOUNS and t.low not in lx.CLAUSE_BOUNDARIES
            and t.low not in CUE_WORDS)


def _coordinates_names(toks: list[Tok], k: int, hi: int) -> bool:
    """``toks[k]`` is an "and" joining two capitalised names ("Burton and Nick")."""
    return (0 < k < hi - 1 and toks[k].low == "and" and toks[k - 1].is_cap
            and toks[k + 1].is_cap and toks[k + 1].text not in lx.NON_NAME_CAPS)


def np_forward(toks: list[Tok], start: int, hi: int | None = None) -> tuple[int, int] | None:
    """Token range of the noun phrase starting at ``toks[start]``.

    A leading pronoun is a phrase on its own; a preposition is kept only when
    more of the phrase follows it ("an aide to Massoud").
    """
    hi = min(len(toks) if hi is None else hi, start + MAX_NP)
    k = start
    if k >= hi:
        return None
    first_role = _np_word(toks[k], first=True)
    if first_role is None or first_role in ("prep", "dot", "part"):
        return None
    if first_role == "pron":
        nxt = _np_word(toks[k + 1], first=False) if k + 1 < hi else None
        if toks[k].low not in lx.GROUP_MEMBER_PRONOUNS or nxt not in ("noun", "mod", "cap"):
            return k, k + 1
    k += 1
    last_good = k
    while k < hi:
        role = _np_word(toks[k], first=False)
        if role is None and first_role == "det" and _modifies_role(toks, k, hi):
            role = "mod"  # "an Egyptian education official"
        if role is None or role in ("pron", "det") and toks[k - 1].low not in lx.NP_PREPOSITIONS:
            break
        if role == "dot" and not _dot_joins(toks[k - 1].text):
            break
        k += 1
        if role not in ("prep", "part", "dot", "det"):
            last_good = k
    if _coordinates_names(toks, last_good, hi):
        more = np_forward(toks, last_good + 1, hi)
        if more is not None and toks[more[1] - 1].is_cap:
            return start, more[1]  # "reply Burton and Nick"
    return start, last_good


def _name_tokens(words: list[str]) -> tuple[list[str], bool]:
    """Last run of capitalised name words with leading titles stripped.

    >>> _name_tokens(["British", "Defence", "Secretary", "Ben", "Wallace"])
    (['Ben', 'Wallace'], True)
    >>> _name_tokens(["Hervé", "Ludovic", "De", "Lys"])
    (['Hervé', 'Ludovic', 'De', 'Lys'], False)
    """
    run: list[str] = []
    dot = False
    for w in reversed(words):
        if w in lx.TITLE_WORDS or w.rstrip(".") in lx.TITLE_WORDS and w.endswith("."):
            return list(reversed(run)), True
        if run and w.lower() in lx.ROLE_TITLES and w[0].isupper():
            return list(reversed(run)), True  # "Councillor Ann Lee"; not "Ann Farmer"
        if w == ".":
            dot = True
            continue
        if dot and INITIALS.fullmatch(w):
            w += "."  # "G.K." and "Mary K. Olsen" keep their initials' full stops
        dot = False
        if not (w[0].isupper() or w.lower() in lx.NAME_PARTICLES):
            break
        run.append(_strip_possessive(w))
    run.reverse()
    while run and run[0].lower() in lx.NAME_PARTICLES and not run[0][0].isupper():
        run.pop(0)
    return run, False


def classify(toks: list[Tok], rng: tuple[int, int], text: str) -> Mention | None:
    """Classify the noun phrase ``toks[rng]`` as pronoun, name or description.

    >>> t = tokenize("Pentagon spokesperson John Kirby", 0, 32)
    >>> m = classify(t, (0, 4), "Pentagon spokesperson John Kirby")
    >>> m.form, m.name, m.kind, m.role
    ('name', 'John Kirby', 'person', 'spokesperson')
    """
    a, b = rng
    words = toks[a:b]
    surface = text[words[0].start : words[-1].end].strip("*_ ")
    if len(words) == 1 and words[0].low in lx.PRONOUN_KINDS:
        return Mention(surface, "pronoun", head=words[0].low)
    if len(words) == 1 and words[0].low in lx.GROUP_MEMBER_PRONOUNS:
        return Mention(surface, "member", head=words[0].low)
    joins = [i for i in range(1, len(words) - 1) if _coordinates_names(words, i, len(words))]
    if joins:
        parts = [words[a:b] for a, b in zip([0, *[j + 1 for j in joins]], [*joins, len(words)],
                                             strict=True)]
        names = [" ".join(_name_tokens([t.text for t in part])[0]) for part in parts]
        if all(names):
            return Mention(surface, "name", name=" and ".join(names), kind="group")
    head_words: list[Tok] = []
    for t in words:
        if t.low in lx.NP_PREPOSITIONS and head_words:
            break
        head_words.append(t)
    det = head_words[0].low in lx.DETERMINERS
    content = head_words[1:] if det else head_words
    noun_at = -1
    for i, t in enumerate(content):
        if t.low in _NOUNS:
            if not t.is_cap or t.text in lx.TITLE_WORDS and i == len(content) - 1:
                noun_at = i
    caps_after_noun = any(t.is_cap for t in content[noun_at + 1 :]) if noun_at >= 0 else True
    if noun_at >= 0 and not caps_after_noun:
        noun = content[noun_at].low
        kind = (
            "group" if noun in lx.GROUP_NOUNS
            else "document" if noun in lx.DOCUMENT_NOUNS
            else "organisation" if noun in lx.ORG_NOUNS and noun not in lx.PERSON_ROLES
            else "person"
        )
        described = words[1:] if det else words
        name = text[described[0].start : described[-1].end].strip("*_ ") if described else noun
        bare = noun_at == 0 and len(content) == 1 and len(words) == len(head_words)
        modifiers_lower = all(not t.is_cap for t in content[:noun_at])
        if kind in ("document", "organisation") and modifiers_lower:
            bare = True  # "the secret message" is the same message
        return Mention(surface, "description", name=name, kind=kind, head=noun, bare=bare)
    cap_words = [t.text for t in content if t.is_cap or t.low in lx.NAME_PARTICLES or t.text == "."]
    if not cap_words:
        return None
    last_cap = content[-1]
    role = next((t.low for t in content if t.low in lx.PERSON_ROLES and not t.is_cap), "")
    run_words = [t.text for t in content]
    names, titled = _name_tokens(run_words)
    # "Patrol Chief James Hall": a title before two or more name words makes a
    # person even when the surname is also an organisation word (Hall, House).
    person_titled = titled and len(names) >= 2 and names[0] not in lx.ORG_WORDS
    if not person_titled and (
        last_cap.text in lx.ORG_WORDS or _strip_possessive(last_cap.text) in lx.ORG_WORDS
    ):
        run, _ = _trailing_caps(run_words)
        return Mention(surface, "name", name=" ".join(run), kind="organisation")
    if not names:
        run, _ = _trailing_caps(run_words)
        if run:
            return Mention(
                surface, "description", name=" ".join(run), kind="person",
                head=run[-1].lower(), role=run[-1].lower(), bare=False,
            )
        return None
    if len(names) == 1 and _is_acronym(names[0]) and not titled:
        return Mention(surface, "name", name=names[0], kind="organisation")
    if not role and a >= 2 and toks[a - 1].text == "," and toks[a - 2].low in lx.PERSON_ROLES:
        role = toks[a - 2].low or ""  # "Ricci's daughter, Megan": an appositive name
    person_kind = "person" if (titled or role or len(names) >= 2) else None
    if det and not titled and not role:
        person_kind = "organisation"  # "the Northern Alliance": people take no article
    return Mention(
        surface, "name", name=" ".join(names), kind=person_kind, role=role, titled=titled
    )


#: Every lexicon noun that can head a descriptive subject.
_NOUNS = lx.PERSON_ROLES | lx.GROUP_NOUNS | lx.DOCUMENT_NOUNS | lx.ORG_NOUNS


def _trailing_caps(words: list[str]) -> tuple[list[str], int]:
    """The trailing run of capitalised words (and particles) of ``words``."""
    run: list[str] = []
    for w in reversed(words):
        if w[0].isupper() or w.lower() in lx.NAME_PARTICLES:
            run.append(_strip_possessive(w))
        else:
            break
    run.reverse()
    return run, len(run)


# --------------------------------------------------------------------------
# Entities within one article
# --------------------------------------------------------------------------


@dataclass(slots=True)
class Entity:
    """A speaker candidate resolved within one article."""

    name: str
    kind: str | None
    aliases: list[str] = field(default_factory=list)
    roles: set[str] = field(default_factory=set)
    head: str = ""
    #: "f" or "m" when a title or role noun said so, for "she" and "he".
    gender: str | None = None

    def note_gender(self, words: list[str]) -> None:
        """Take a gender from titles or role nouns among ``words``, once."""
        if self.gender is None:
            self.gender = _gender(words)

    def add_alias(self, alias: str) -> None:
        """Remember another by-name form (not pronouns, not bare descriptions)."""
        alias = alias.strip()
        if alias and alias != self.name and alias not in self.aliases:
            self.aliases.append(alias)


@dataclass(slots=True)
class _Registered:
    """A full name seen in the article, with how good a referent it is."""

    words: tuple[str, ...]
    first: int
    score: int
    #: How often the article writes it in full: the likelier referent of a
    #: bare surname when two people share it.
    count: int = 1


def _gender(words: list[str]) -> str | None:
    """"f" or "m" from the first gendered title or role noun in ``words``.

    >>> _gender(["Ms", "Lee"]), _gender(["a", "spokesman"]), _gender(["Ann", "Lee"])
    ('f', 'm', None)
    """
    for w in words:
        low = w.lower().rstrip(".")
        if low in lx.FEMALE_WORDS:
            return "f"
        if low in lx.MALE_WORDS:
            return "m"
    return None


class NameRegistry:
    """Full personal names in an article, for resolving surnames and titles."""

    def __init__(self, masked: str) -> None:
        self._by_last: dict[str, list[_Registered]] = {}
        self.forms: dict[tuple[str, ...], list[str]] = {}
        for m in CAPS_RUN.finditer(masked):
            run = m.group()
            if " " in run:  # a single word is never a full name
                self._register(masked, m.start(), run)

    def _register(self, masked: str, pos: int, run: str) -> None:
        """Record one capitalised run if it looks like a personal name."""
        words = [w for w in run.split() if w]
        while words and (words[0] in lx.NON_NAME_CAPS and words[0] not in lx.TITLE_WORDS):
            pos += len(words[0]) + 1
            words.pop(0)
        if not words:
            return
        if any(w in lx.NON_NAME_CAPS and w not in lx.TITLE_WORDS for w in words[1:]):
            return  # a headline in title case ("Railing Against Trump"), not a name
        names, titled = _name_tokens(words)
        if len(names) > MAX_NAME_WORDS:
            return  # "Chris Christie Calls Hillary Clinton": a headline again
        person_titled = titled and len(names) >= 2 and names[0] not in lx.ORG_WORDS
        if not names or (_strip_possessive(words[-1]) in lx.ORG_WORDS and not person_titled):
            return
        if any(_is_acronym(w) for w in names) or any(w.isupper() and len(w) > 1 for w in names):
            return
        before = masked[max(0, pos - 12) : pos].lower().split()
        if before and before[-1] in ("the", "a", "an") and not titled:
            return
        if len(names) < 2:
            return
        score = 1 if titled else 0
        if len(before) >= 2 and before[-1] == "of" and before[-2] in lx.RELATION_NOUNS:
            score -= 2
        key = tuple(names)
        self.forms.setdefault(key, [])
        if run.strip() not in self.forms[key]:
            self.forms[key].append(" ".join(words))
        bucket = self._by_last.setdefault(names[-1], [])
        for reg in bucket:
            if reg.words == key:
                reg.score = max(reg.score, score)
                reg.count += 1
                return
        bucket.append(_Registered(key, pos, score))

    def resolve(self, names: list[str]) -> str | None:
        """Full name ending with ``names`` (best-scored, then first seen), if any.

        A mention of two or more words that is already registered stays itself.
        """
        if not names:
            return None
        cands = [
            r for r in self._by_last.get(names[-1], [])
            if len(r.words) >= len(names) and list(r.words[-len(names):]) == names
        ]
        if not cands:
            return None
        exact = [r for r in cands if len(r.words) == len(names)]
        if exact and len(names) >= 2:
            return " ".join(exact[0].words)
        best = max(cands, key=lambda r: (r.score + r.count, -r.first))
        return " ".join(best.words)


def _title_roles(words: list[str]) -> set[str]:
    """Role nouns a title stands for ("Sen." -> senator), for "the senator" later.

    >>> sorted(_title_roles(["Sen.", "Ann", "Lee"])), sorted(_title_roles(["President", "X"]))
    (['senator'], ['president'])
    """
    roles = set()
    for w in words:
        if w in lx.TITLE_WORDS:
            low = w.rstrip(".").lower()
            roles.add(lx.TITLE_ROLES.get(low, low))
    return roles


def _by_name_form(surface: str) -> str:
    """A mention reduced to its capitalised tail, without a possessive.

    >>> _by_name_form("Anti-Taliban leader Ahmad Massoud"), _by_name_form("Mr Rumsfeld’s")
    ('Ahmad Massoud', 'Mr Rumsfeld')
    """
    words = surface.split()
    tail: list[str] = []
    for w in reversed(words):
        if not (w[:1].isupper() or w.lower() in lx.NAME_PARTICLES):
            break
        tail.append(w)
    tail.reverse()
    if tail:
        tail[-1] = _strip_possessive(tail[-1])
    return " ".join(tail)


class Article:
    """Mutable resolution state while one article is parsed."""

    def __init__(self, masked: str) -> None:
        self.registry = NameRegistry(masked)
        self.entities: dict[str, Entity] = {}
        self.history: list[str] = []
        self.groups_seen: list[tuple[str, str]] = []

    def entity(self, name: str, kind: str | None, head: str = "") -> Entity:
        """The entity called ``name``, created on first use."""
        ent = self.entities.get(name)
        if ent is None:
            ent = Entity(name, kind, head=head)
            self.entities[name] = ent
        elif ent.kind is None and kind is not None:
            ent.kind = kind
        return ent

    def mentioned(self, name: str | None) -> None:
        """Record that ``name`` was a subject or speaker just now."""
        if name is not None:
            self.history.append(name)

    def _last(self, accept: Callable[[Entity], bool], limit: int = 60) -> Entity | None:
        """Most recent entity in the history that ``accept`` allows."""
        for key in reversed(self.history[-limit:]):
            ent = self.entities[key]
            if accept(ent):
                return ent
        return None

    def resolve(self, m: Mention) -> Entity | None:
        """The entity a mention refers to, or None when it can't be told."""
        if m.form == "pronoun":
            kinds = lx.PRONOUN_KINDS[m.head]
            if m.head in ("it", "they"):
                return self._last(lambda e: e.kind in kinds or e.kind is None)
            # "he" never means a spokeswoman, "she" never a Mr. A bare
            # capitalised name of unknown kind ("Burton explained") may be a
            # person; once "he" or "she" names someone, that is their gender.
            other = "m" if m.head == "she" else "f"
            hit = self._last(
                lambda e: (e.kind in kinds or (e.kind is None and not e.head))
                and e.gender != other
            )
            if hit is not None:
                hit.kind = hit.kind or "person"
                hit.gender = hit.gender or ("f" if m.head == "she" else "m")
            return hit
        if m.form == "member":
            # "One said" picks a member of a recently named group; generic
            # groups ("members", "people") are a last resort.
            recent = self.groups_seen[-20:]
            for generic_ok in (False, True):
                for name, head in reversed(recent):
                    if generic_ok or head not in lx.GENERIC_GROUP_NOUNS:
                        return self.entity(name, "group", head)
            return None
        if m.form == "description":
            return self._resolve_description(m)
        return self._resolve_name(m)

    def _resolve_description(self, m: Mention) -> Entity | None:
        """Bare descriptions ("the man", "the sources") point back; others are new."""
        first_word = m.surface.split()[0].lower()
        if first_word in lx.GROUP_MEMBER_PRONOUNS and m.kind == "person":
            # "one official said" after "Officials said": a member of that group.
            for name, head in reversed(self.groups_seen[-20:]):
                if head in (m.head + "s", m.head + "es"):
                    return self.entity(name, "group", head)
        if m.bare and m.kind == "person" and first_word in lx.INDEFINITE_DETERMINERS:
            # "a friend commented": an indefinite description brings in someone
            # new; only "the friend" points back to a person already named.
            return self.entity(m.name, "person", head=m.head)
        if m.bare and m.kind == "person":
            generic = m.head in lx.GENERIC_PERSON_NOUNS
            if not generic:
                hit = self._last(lambda e: e.kind == "person" and m.head in e.roles)
                if hit is not None:
                    return hit
            hit = self._last(lambda e: e.kind == "person" and e.head == "")
            if hit is not None:
                return hit
            return self.entity(m.head, "person", head=m.head)  # "the girl", named by nobody
        if m.bare and m.kind in ("group", "document", "organisation"):
            hit = self._last(lambda e: e.kind == m.kind and e.head == m.head)
            if hit is None and m.kind == "group":
                for name, head in reversed(self.groups_seen):
                    if head == m.head:
                        return self.entity(name, "group", head)
            if hit is not None:
                hit.add_alias(m.name)
                return hit
        ent = self.entity(m.name, m.kind, head=m.head)
        if ent.kind == "person":
            ent.note_gender(m.name.split())
        return ent

    def _resolve_name(self, m: Mention) -> Entity:
        """Names: surnames and titled forms go to the full name seen in the article."""
        words = m.name.split()
        kind = m.kind
        full = None
        if kind != "organisation":
            full = self.registry.resolve(words)
        said = _gender(m.surface.split())
        known = self.entities.get(full) if full else None
        if known is not None and said and known.gender and known.gender != said:
            full = None  # "Mr. Obama" is not the "Michelle Obama" of "Mrs. Obama"
        name = full or m.name
        if full is not None and kind is None:
            kind = "person"
        ent = self.entity(name, kind)
        ent.note_gender([*m.surface.split(), m.role])
        if m.role:
            ent.roles.add(m.role)
        if m.titled:
            # "President Obama" is who "the president" is, later on.
            ent.roles.update(_title_roles(m.surface.split()))
        if ent.kind == "person":
            ent.add_alias(_by_name_form(m.surface))
            ent.add_alias(m.name)
        elif m.surface.lower().startswith("the "):
            ent.add_alias(m.surface)
        return ent


# --------------------------------------------------------------------------
# Pass 3: attribution
# --------------------------------------------------------------------------


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
    #: to it), which keeps a short quote from being taken for a fragment.
    direct: bool = True

    def match(self, at: _Attributor, ctx: QuoteContext) -> Attribution | None:
        """The attribution this rule makes, or None to let the next rule try."""
        raise NotImplementedError


class Nickname(Rule):
    """Marcia "Cia" Price: a quoted word inside a name is a nickname, not speech."""

    name = "nickname"
    direct = False

    def match(self, at: _Attributor, ctx: QuoteContext) -> Attribution | None:
        return at._nickname(ctx)


class Thought(Rule):
    """"“Why am I doing this?” she thought": a thought is not a quotation."""

    name = "thought"
    direct = False

    def match(self, at: _Attributor, ctx: QuoteContext) -> Attribution | None:
        return at._thought(ctx)


class AfterQuote(Rule):
    """"…,” he said" / "…,” said X": a cue right after the quotation."""

    name = "after"

    def match(self, at: _Attributor, ctx: QuoteContext) -> Attribution | None:
        return at._after(ctx.toks, ctx.qi, ctx.span)


class DashByline(Rule):
    """"…” ― Sonya Herridge": a dash and a name after it, same line or the next."""

    name = "dash"

    def match(self, at: _Attributor, ctx: QuoteContext) -> Attribution | None:
        return at._dash_byline(ctx)


class CueBefore(Rule):
    """"X said: “…”", "X said the US … “…”", "saying, “…”": a cue earlier in the sentence."""

    name = "before"
    direct = False  # only when nothing but a colon or "that" stands between

    def match(self, at: _Attributor, ctx: QuoteContext) -> Attribution | None:
        return at._before(ctx.toks, ctx.qi, max(0, ctx.qi - BACK_WINDOW), ctx.cues)


class ColonIntro(Rule):
    """"Kim is more blunt: “…”": the subject of a clause that ends in a colon."""

    name = "colon"

    def match(self, at: _Attributor, ctx: QuoteContext) -> Attribution | None:
        return at._colon_intro(ctx)


class Continuation(Rule):
    """A quote opening its sentence: the previous sentence's or paragraph's speaker."""

    name = "continuation"
    direct = False

    def match(self, at: _Attributor, ctx: QuoteContext) -> Attribution | None:
        return at._continuation(ctx)


#: The attribution rules, tried in this order for each quotation; the first
#: that names a speaker wins. A new pattern is one :class:`Rule` and one entry.
ATTRIBUTION_RULES: tuple[Rule, ...] = (
    Nickname(), Thought(), AfterQuote(), DashByline(), CueBefore(), ColonIntro(), Continuation(),
)


def _may_speak(ent: Entity | None) -> bool:
    """A person, group or organisation: something that can say a quotation."""
    return ent is not None and ent.kind not in ("document",)


def _pronoun_gender(toks: list[Tok], start: int) -> str | None:
    """Gender a named subject's own pronoun gives it: "Trump revised his plan" -> "m".

    The first personal pronoun after the subject counts, unless another name
    comes first ("Trump attacked Clinton over her emails" says nothing of Trump).

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


@dataclass(slots=True)
class _SentenceState:
    """What a sentence said about speakers, for the next one to lean on."""

    speaker: Entity | None = None
    #: The entity the sentence opens with as its subject, if any.
    lead: Entity | None = None


class _Attributor:
    """Attributes the quotations of one article, sentence by sentence."""

    def __init__(self, text: str, masked: str, spans: list[QuoteSpan]) -> None:
        self.text = text
        self.masked = masked
        self.spans = {s.open: s for s in spans}
        self.art = Article(masked)
        self.results: dict[int, Attribution] = {}
        #: Who answers in a Q-and-A interview: the speaker of the first answer.
        self.interviewee: Entity | None = None

    # -- helpers -----------------------------------------------------------

    def _mention(self, toks: list[Tok], rng: tuple[int, int] | None) -> Mention | None:
        """Classify a token range (None passes through)."""
        if rng is None:
            return None
        return classify(toks, rng, self.text)

    def _resolve(self, m: Mention | None) -> Entity | None:
        """Resolve a mention to an entity within the article."""
        return None if m is None else self.art.resolve(m)

    def _after(self, toks: list[Tok], qi: int, span: QuoteSpan) -> Attribution | None:
        """Rule: attribution right after the quote ("…,” he said" / "…,” said X")."""
        a = qi + 1
        while a < len(toks) and toks[a].text in (",", "\u2014", "\u2013", "-", "*"):
            a += 1
        if a >= len(toks) or not toks[a].is_word:
            return None
        ended = bool(ENDS_SENTENCE.search(self.text[span.start : span.end][-8:]))
        if _is_cue(toks, a):
            rng = (
                np_forward(toks, a + 2) if toks[a].low == "according"
                else np_forward(toks, a + 1)
            )
            # "“Go.” Said the man …" after a full stop starts a new sentence.
            new_sentence = ended and toks[a].is_cap and toks[a].low != "according"
            if rng is None or new_sentence:
                return None
            return self._attrib(self._mention(toks, rng), _cue_text(toks, a), "after-inverted")
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
        m = self._mention(toks, rng)
        return self._attrib(m, _cue_text(toks, c), "after")

    def _attrib(self, m: Mention | None, cue: str, rule: str) -> Attribution | None:
        """An attribution from a mention (None when there is no usable mention)."""
        if m is None:
            return None
        ent = self._resolve(m)
        return Attribution(ent, m.surface, cue, rule, direct=True)

    def _before(
        self, toks: list[Tok], qi: int, lo: int, cues: list[int]
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
            rng = _subject_of(toks, ci, lo, self.text)
            inverted = ci == lo or toks[ci - 1].is_quote or toks[ci - 1].text in (",", ":")
            if rng is None and toks[ci].low != "according" and inverted:
                rng = np_forward(toks, ci + 1, qi)  # "“A,” said X, “B.”"
            m = self._mention(toks, rng)
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
        ent = self._resolve(m)
        return Attribution(ent, m.surface, _cue_text(toks, ci), "before", direct=direct)

    # -- main loop ---------------------------------------------------------

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
        if not busy:
            return state
        self._note_groups(toks, 0, hi)
        cues = [i for i, t in enumerate(toks) if t.low in CUE_WORDS and _is_cue(toks, i)]
        last_speaker: Entity | None = None
        seen_word = False
        opening = 0
        while opening < hi and toks[opening].start < label_end:
            opening += 1
        for qi, t in enumerate(toks):
            if qi < opening:
                continue
            if not t.is_quote:
                seen_word = seen_word or t.is_word
                continue
            span = self.spans.get(t.start)
            if span is None:
                continue
            ctx = QuoteContext(toks, qi, span, cues, seen_word, qi == opening, first,
                               carry, prev.speaker, last_speaker)
            att = self.attribute(ctx)
            self.results[span.open] = att
            if att.entity is not None:
                last_speaker = att.entity
                self.art.mentioned(att.entity.name)
        state.lead = lead_ent
        cue_ent = None
        if cues:
            ci = cues[0]
            rng = _subject_of(toks, ci, max(0, ci - BACK_WINDOW), self.text)
            cue_ent = self._resolve(self._mention(toks, rng))
        # The subject of a speech verb is a referent for a later "he" or
        # "she" even when nothing said what kind of thing it is ("Burton
        # explained"): _leading_subject only records subjects of known kind.
        if cue_ent is not None and (cue_ent is not lead_ent or cue_ent.kind is None):
            self.art.mentioned(cue_ent.name)
        state.speaker = last_speaker or cue_ent
        if state.speaker is None and toks[-1].text == ":" and _may_speak(lead_ent):
            state.speaker = lead_ent  # "Sanders made the following comment:" ¶ “…”
        return state

    def attribute(self, ctx: QuoteContext) -> Attribution:
        """The first rule of :data:`ATTRIBUTION_RULES` that names a speaker, else "none"."""
        for rule in ATTRIBUTION_RULES:
            att = rule.match(self, ctx)
            if att is not None:
                return att
        # Embedded: the quote continues the sentence's own words ("were “just
        # maybe not in his DNA”"); after a dash, colon or comma it is set off.
        before = ctx.toks[ctx.qi - 1] if ctx.qi > 0 else None
        embedded = ctx.seen_word and before is not None and before.is_word
        return Attribution(None, None, None, "none", embedded=embedded)

    def _nickname(self, ctx: QuoteContext) -> Attribution | None:
        """Rule: one or two capitalised words quoted between two parts of a name."""
        span, toks, qi = ctx.span, ctx.toks, ctx.qi
        words = self.text[span.start : span.end].split()
        if not 1 <= len(words) <= 2 or not all(w[:1].isupper() for w in words):
            return None
        before = toks[qi - 1] if qi > 0 else None
        after = toks[qi + 1] if qi + 1 < len(toks) else None
        if before is None or after is None or not (before.is_cap and after.is_cap):
            return None
        if before.text in lx.NON_NAME_CAPS or after.low in CUE_WORDS:
            return None
        return Attribution(None, None, None, "nickname")

    def _thought(self, ctx: QuoteContext) -> Attribution | None:
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

    def _dash_byline(self, ctx: QuoteContext) -> Attribution | None:
        """Rule: a dash and a name after the quotation ("…” ― Sonya Herridge")."""
        at = ctx.span.close_end
        m = DASH_BYLINE.match(self.masked, at)
        if m is None:
            return None
        line_end = self.masked.find("\n", m.end())
        line_end = len(self.masked) if line_end < 0 else line_end
        toks = tokenize(self.masked, m.end(), min(line_end, m.end() + LEAD_WINDOW))
        rng = np_forward(toks, 0)
        if rng is None:
            return None
        after = toks[rng[1]].text if rng[1] < len(toks) else ""
        if after not in ("", ",", ".", "(", ";"):
            return None
        mention = self._mention(toks, rng)
        if mention is None or mention.form not in ("name", "description"):
            return None
        return Attribution(self._resolve(mention), mention.surface, None, "dash", direct=True)

    def _colon_intro(self, ctx: QuoteContext) -> Attribution | None:
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
        mention = self._mention(toks, rng)
        if mention is None or mention.form == "member":
            return None
        if mention.form == "description" and mention.kind not in ("person", "group"):
            return None
        ent = self._resolve(mention)
        if ent is None or ent.kind in ("document",):
            return None
        return Attribution(ent, mention.surface, None, "colon", direct=True)

    def _continuation(self, ctx: QuoteContext) -> Attribution | None:
        """Rule: a quote that opens its sentence goes on with the last speaker."""
        if ctx.seen_word:
            return None
        if ctx.opening:
            src = ctx.carry if ctx.first else ctx.prev_speaker
        else:
            src = ctx.last_speaker
        return None if src is None else Attribution(src, None, None, "continuation")

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
        m = self._mention(toks, rng)
        if m is None or (m.form == "description" and not m.bare
                         and m.kind not in ("person", "group")):
            return None
        ent = self._resolve(m)
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


# --------------------------------------------------------------------------
# Fragments and the public entry point
# --------------------------------------------------------------------------


def _word_count(text: str) -> int:
    """Number of word tokens in ``text``."""
    return sum(1 for _ in WORD.finditer(text))


def _title_like(text: str) -> bool:
    """Mostly capitalised words and no sentence punctuation: a title in quotes.

    >>> _title_like("Gone With The Wind"), _title_like("We will win.")
    (True, False)
    >>> _title_like("Legend in the Coal Fields."), _title_like("Stop. Go Home.")
    (True, False)
    """
    words = [w for w in text.split() if w[:1].isalpha()]
    if len(words) < 2 or len(words) > TITLE_MAX_WORDS or INNER_SENTENCE.search(text):
        return False
    if text.rstrip()[-1:] in "!?":
        return False
    content = [w for w in words if w.lower() not in lx.TITLE_FUNCTION_WORDS]
    caps = sum(1 for w in content if w[0].isupper())
    return bool(content) and caps == len(content) and len(content) >= 2


def _alone(masked: str, span: QuoteSpan) -> bool:
    """The quotation is its paragraph, nothing else on its lines: a line of dialogue."""
    lo = masked.rfind("\n", 0, span.open) + 1
    hi = masked.find("\n", span.close_end)
    hi = len(masked) if hi < 0 else hi
    return not masked[lo : span.open].strip() and not masked[span.close_end : hi].strip()


def is_fragment(text: str, att: Attribution, alone: bool = False) -> bool:
    """Scare quotes and short fragments: too short to be speech unless a cue sits beside them.

    >>> is_fragment("meltdown", Attribution(None, None, None, "none"))
    True
    >>> is_fragment("Not much.", Attribution(None, "Kirby", "said", "before", direct=True))
    False
    """
    n = _word_count(text)
    sentence = bool(ENDS_SENTENCE.search(text)) and text.lstrip(LEADING_PUNCT)[:1].isupper()
    if att.rule in ("thought", "nickname"):
        return True
    if _title_like(text) and (not att.direct or n >= 3):
        return True  # "Make Your Kid a Millionaire," Mr. McKinley suggested
    if att.direct and att.rule != "none":
        return False
    if att.rule == "none" and att.embedded and n < EMBEDDED_FRAGMENT_WORDS and "\n" not in text:
        return True  # a quotation that runs over lines is no quoted phrase
    if alone and sentence:
        return False  # "Where?" on its own line is said by someone
    if att.rule in ("before", "continuation"):
        return n <= 3 and not sentence
    return n < 6 and not (sentence and n >= 2)


def _safe_meta(text: str) -> tuple[ArticleMeta, list[tuple[int, int]]]:
    """Metadata and boilerplate spans; a failure there must not sink the parse."""
    try:
        from .metadata import read_article

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
    attributor = _Attributor(text, masked, spans)
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
            )
        )
    speakers = tuple(
        Speaker(e.name, e.kind, tuple(a for a in e.aliases if a != e.name))
        for e in speaking.values()
    )
    return tuple(quotes), speakers


def iter_quotes(text: str) -> Iterator[Quote]:
    """Quotations of ``text`` that are not fragments (a convenience for scripts)."""
    return (q for q in parse_article(text).quotes if not q.fragment)
