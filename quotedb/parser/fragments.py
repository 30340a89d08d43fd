"""Which quotations are fragments (scare quotes, titles, thoughts), not speech."""

from __future__ import annotations

import re

import regex

from .. import lexicon as lx
from .clauses import Attribution
from .marks import ENDS_SENTENCE, WORD, QuoteSpan
from .rules import NOT_SPEECH

#: A quotation inside a sentence, with no speaker anywhere, shorter than this
#: many words is a quoted phrase (a scare quote, a motto), not speech.
EMBEDDED_FRAGMENT_WORDS = 12

#: Punctuation a quotation may open with before its first word ("-Wish- you success!").
LEADING_PUNCT = "-\u2013\u2014\u2026.'\"\u2018\u201C( "

#: A title in quotes ("Face the Nation") has at most this many words.
TITLE_MAX_WORDS = 10

#: A sentence boundary inside a text: a title has none.
INNER_SENTENCE = regex.compile(r"[.!?]\s+\S")




def _word_count(text: str) -> int:
    """Number of word tokens in ``text`` (findall: no match object per word)."""
    return len(WORD.findall(text))


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


#: Only blanks up to the end of the line (or text): nothing follows on it.
BLANK_TO_LINE_END = re.compile(r"[^\S\n]*(?:\n|\Z)")


def _alone(masked: str, span: QuoteSpan) -> bool:
    """The quotation is its paragraph, nothing else on its lines: a line of dialogue.

    Why walk from the quotation instead of slicing its whole line: on one
    long line with many quotations, slicing the line per quotation made the
    parse quadratic. The walks stop at the first character that is not a
    blank, so each stretch of blanks is read at most twice.
    """
    j = span.open - 1
    while j >= 0 and masked[j] != "\n" and masked[j].isspace():
        j -= 1
    if j >= 0 and masked[j] != "\n":
        return False  # something before the quotation on its first line
    return BLANK_TO_LINE_END.match(masked, span.close_end) is not None


def is_fragment(text: str, att: Attribution, alone: bool = False) -> bool:
    """Scare quotes and short fragments: too short to be speech unless a cue sits beside them.

    >>> is_fragment("meltdown", Attribution(None, None, None, "none"))
    True
    >>> is_fragment("Not much.", Attribution(None, "Kirby", "said", "before", direct=True))
    False
    """
    n = _word_count(text)
    sentence = bool(ENDS_SENTENCE.search(text)) and text.lstrip(LEADING_PUNCT)[:1].isupper()
    if att.rule in NOT_SPEECH:
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
