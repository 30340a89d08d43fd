"""Tokens and noun phrases of masked narrative text, and what a phrase names.

``np_forward``/``np_backward`` find a noun phrase from a position and
``classify`` says whether it is a pronoun, a name (titles stripped, initials
kept) or a description ("the spokesman", "an Egyptian education official").
"""

from __future__ import annotations

import re
from typing import NamedTuple

import regex

from .. import lexicon as lx

#: A number that can modify a role noun: "9/11 widow", "52-year-old", "3rd".
NUMERIC_MODIFIER = regex.compile(r"\d+(?:/\d+|-[a-z]+(?:-[a-z]+)*|st|nd|rd|th)?")

#: Initials as written in names: "G.K", "K" (the tokenizer leaves the last dot apart).
INITIALS = regex.compile(r"\p{Lu}(?:\.\p{Lu})*")

#: Combining marks (accents typed as separate code points) that continue a
#: word. The standard-library engine has no ``\p{M}``; these blocks cover the
#: Latin, Greek, Cyrillic, Hebrew, Arabic and Devanagari marks of news names.
_MARKS = (
    "\u0300-\u036F\u0483-\u0489\u0591-\u05BD\u05BF-\u05C7\u0610-\u061A"
    "\u064B-\u065F\u0670\u0900-\u0903\u093A-\u094F\u0951-\u0957\u0962\u0963"
    "\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F"
)

#: A narrative token with the blanks before it: (blanks, token), where a token
#: is a word (with inner apostrophes, hyphens, dots), a run of masked quote
#: characters, or one other visible character. Tokenising is the parser's
#: innermost loop, so this uses the standard-library engine, which is faster
#: than ``regex`` here; ``[^\W_]`` is a letter or digit. Matching the blanks
#: (rather than skipping them) spares the engine a failed try of every
#: alternative at each blank, and gives each token's offset without a search.
TOKEN = re.compile(
    rf"""
    (\s*)                                   # the blanks before the token
    ([^\W_][\w{_MARKS}]*                   # a word, accents included (one class:
     (?:['\u2019\-.][\w{_MARKS}]+|/\d+)*    # 1.8x faster than an alternation per
                                           # character); O'Brien, al-Qaeda, U.S, 9/11
    | [\x01-\x03]+                           # a masked quotation
    | \S)                                    # punctuation, one character
    """,
    re.VERBOSE,
)

#: Every word :func:`_is_cue` can accept: a set test spares a call per token.
CUE_WORDS: frozenset[str] = (
    lx.CUE_VERBS | lx.PLURAL_PRESENT_CUES | lx.PARTICIPLE_CUES | {"according", "put"}
)

#: Longest noun phrase, in tokens, the subject rules read.
MAX_NP = 25

#: A possessive ending on a name token (Massoud's, UNICEF’s, Jones').
POSSESSIVE = regex.compile(r"['\u2019]s?\Z")




class Tok(NamedTuple):
    """A token of masked narrative text with its offsets (a tuple: cheap to make).

    The kind flags are stored, not computed: the rules ask them about a
    hundred thousand times per megabyte, and a field read is a C-level
    tuple access where a property is a Python call.
    """

    text: str
    low: str
    #: The token stands for a masked quotation.
    is_quote: bool
    #: The token is a word (letters or digits).
    is_word: bool
    #: The token is a capitalised word.
    is_cap: bool
    #: Offsets last: a token is its text's memoised fields plus ``(start, end)``.
    start: int
    end: int


#: The fields of a token that depend on its text alone, by text:
#: (text, low, is_quote, is_word, is_cap).
_TOKEN_INFO: dict[str, tuple[str, str, bool, bool, bool]] = {}


def _token_info(word: str) -> tuple[str, str, bool, bool, bool]:
    """The fields of a :class:`Tok` that depend on its text alone, memoised.

    Why: lower-casing and three character tests per token were a third of
    tokenising, and most tokens of news text are words already seen.
    """
    info = _TOKEN_INFO.get(word)
    if info is None:
        if len(_TOKEN_INFO) >= MEMO_LIMIT:
            _TOKEN_INFO.clear()
        c = word[0]
        info = _TOKEN_INFO[word] = (
            word, word.lower(), c in "\x01\x02\x03", c.isalnum(), c.isupper()
        )
    return info


def tokenize(masked: str, lo: int, hi: int) -> list[Tok]:
    """Tokens of ``masked[lo:hi]`` with absolute offsets.

    Offsets are counted from the blanks :data:`TOKEN` matches before each
    token, not read from match objects or searched for (``str.find`` copies a
    short word to the text's width first when the text is wider than Latin-1,
    as news with curly apostrophes is): only blanks lie between two tokens.

    >>> [t.text for t in tokenize("Mr Smith, 52, said:", 0, 19)]
    ['Mr', 'Smith', ',', '52', ',', 'said', ':']
    >>> tokenize(" ’Go’", 0, 5)[1][5:]
    (2, 4)
    """
    new = tuple.__new__  # skips NamedTuple's _make wrapper: this runs per token
    memo = _TOKEN_INFO
    out: list[Tok] = []
    add = out.append
    pos = lo
    for blanks, w in TOKEN.findall(masked, lo, hi):
        a = pos + len(blanks)
        pos = a + len(w)
        info = memo.get(w) or _token_info(w)
        add(new(Tok, info + (a, pos)))
    return out


class Mention(NamedTuple):
    """A noun phrase that may name a speaker, classified but not yet resolved.

    A tuple, not a frozen dataclass: a frozen dataclass sets each field
    through ``object.__setattr__``, five times slower to build, and one is
    built for every noun phrase the rules read. Immutable, so the article's
    memo of classified phrases can hand the same one out again.

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


#: Most words whose noun-phrase role or name reading is remembered; past it
#: the memo starts afresh, so a long run over varied text cannot grow it.
MEMO_LIMIT = 50_000

#: Noun-phrase role by token text (see :func:`_np_word`).
_ROLES: dict[str, str | None] = {}


def _np_word(t: Tok, first: bool = False) -> str | None:
    """Role of token ``t`` inside a noun phrase, or None when it ends the phrase.

    Returns ``det`` (determiner), ``pron``, ``cap``, ``noun`` (lexicon noun),
    ``mod``, ``prep``, ``part`` (name particle) or ``dot``. Why a memo: the
    role depends on the token's text alone, the phrase walks ask it for most
    tokens they pass, and news vocabulary repeats (said, the, Mr, names).
    """
    try:
        return _ROLES[t.text]
    except KeyError:
        pass
    if len(_ROLES) >= MEMO_LIMIT:
        _ROLES.clear()
    role = _ROLES[t.text] = _word_role(t)
    return role


def _word_role(t: Tok) -> str | None:
    """The uncached :func:`_np_word`."""
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
        if t.text in lx.NON_NAME_CAPS and t.text not in lx.TITLE_WORDS:
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
    if first_role is None and _modifies_role(toks, k, hi):
        first_role = "mod"  # "said lead author Dr. Ana Ruiz"
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
        if role is None and first_role in ("det", "mod") and _modifies_role(toks, k, hi):
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


#: Name reading by the words read (see :func:`_name_tokens`).
_NAMES: dict[tuple[str, ...], tuple[tuple[str, ...], bool]] = {}


def _name_tokens(words: list[str]) -> tuple[list[str], bool]:
    """Last run of capitalised name words with leading titles stripped.

    Memoised by the words: the registry and every name mention ask it, and
    an article repeats its names (a fresh list is returned each time).

    >>> _name_tokens(["British", "Defence", "Secretary", "Ben", "Wallace"])
    (['Ben', 'Wallace'], True)
    >>> _name_tokens(["Hervé", "Ludovic", "De", "Lys"])
    (['Hervé', 'Ludovic', 'De', 'Lys'], False)
    """
    key = tuple(words)
    hit = _NAMES.get(key)
    if hit is None:
        if len(_NAMES) >= MEMO_LIMIT:
            _NAMES.clear()
        run, titled = _read_name(words)
        hit = _NAMES[key] = (tuple(run), titled)
    return list(hit[0]), hit[1]


def _read_name(words: list[str]) -> tuple[list[str], bool]:
    """The uncached :func:`_name_tokens`."""
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
        if run and _strip_possessive(w) != w:
            break  # "NBC’s Dante Chinni", "Toronto's Ada Park": the owner is no part
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
    # Only a phrase with an "and" inside can coordinate names: most have none.
    joins = [i for i in range(1, len(words) - 1) if _coordinates_names(words, i, len(words))
             ] if len(words) > 2 and any(t.low == "and" for t in words) else []
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
    rest = words[len(head_words) + 1 :]
    if (len(head_words) < len(words) and head_words[-1].text in lx.ORG_WORDS and rest
            and all(w.is_cap or w.low in lx.NP_PREPOSITIONS for w in rest)):
        # "the Center for American Progress", "Bank of America": one name.
        named = words[1:] if head_words[0].low in lx.DETERMINERS else words
        return Mention(surface, "name", name=text[named[0].start : named[-1].end],
                       kind="organisation")
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
