"""Pass 1 and 2: pairing quotation marks into quotations, then masking them.

Marks are paired paragraph by paragraph, double marks first, then single
marks at top level. A mark's direction comes from its neighbours (straight
``"`` has none of its own and ``’`` doubles as an apostrophe); ``''`` and
```` `` ```` are folded into one double mark on a same-length copy of the
text, so offsets stay the article's. A paragraph left open that the next
re-opens (or that hard wrapping continues) is one quotation; any other
unbalanced quote is closed at the end of its paragraph, so it can never
swallow the article. Masking then blanks every quotation out of a copy of the
text, so the narrative rules never read quoted words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import regex

log = logging.getLogger(__name__)

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

#: Any mark of either pass: a paragraph with none, and no quotation left open
#: before it, holds no quotation (about half of news paragraphs).
ANY_MARK = regex.compile(
    r"""
    [\u201C\u201D\u201E\u201F"\u00AB\u00BB]   # the doubles of DOUBLE_MARK
  | [\u2018\u2019\u201A'\u2039\u203A`]         # the singles of SINGLE_MARK
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

#: A decade or year clipped by an apostrophe ('90s, ’05): never opens a quote.
CLIPPED_YEAR = regex.compile(
    r"""
    \d\d           # two digits after the mark
    (?:s\b|\b)     # '90s or '05
    """,
    regex.VERBOSE,
)

#: Lines a hard-wrapped quotation may run on without a mark (see ``_runs_on``).
WRAP_LOOKAHEAD = 3

#: An empty line: the text separates paragraphs with blank lines.
BLANK_LINE = regex.compile(r"\n[ \t\u00A0]*\r?\n")

#: Text ends with sentence-final punctuation (optionally closed by brackets).
ENDS_SENTENCE = regex.compile(
    r"""
    [.!?\u2026]                      # . ! ? …
    [)\]'\u2019"\u201D]*             # ) ] or inner closing marks
    \s*\Z
    """,
    regex.VERBOSE,
)

#: Word tokens as the evaluation counts them (also used to size quotes).
WORD = regex.compile(r"\w+")

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




@dataclass(slots=True)
class QuoteSpan:
    """A paired quotation: mark at ``open``, content ``[start, end)``, marks to ``close_end``.

    Not frozen (a frozen dataclass is five times slower to build); nothing
    changes a span once made.
    """

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
        if pending is None and ANY_MARK.search(text, lo, hi) is None:
            continue  # nothing to pair and nothing open: both passes would find nothing
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
