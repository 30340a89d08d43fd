"""Article metadata read from the text itself, and the page chrome to ignore.

Articles reach quotedb as plain text copied or scraped from web pages, so the
header (headline, "Published on ..." line, byline, dateline) and the page
furniture ("Back to top button", "Related Articles", copyright lines) are mixed
in with the story. ``read_article`` reads the header into an
:class:`~quotedb.records.ArticleMeta` and tells the parser which lines are
chrome, so that it neither quotes them nor takes a headline for a speaker.
Each header line is classified (``classify_header_line``: a byline, a date
line, a "Published in ..." lead) and fed to a ``_Header``, which keeps what
the lines said and decides the fields at the end.

How it stays safe on any input:

* Text is split into lines once, left to right. A line longer than
  :data:`MAX_META_LINE` characters is prose: it is never metadata or chrome, so
  no pattern ever sees more than that many characters of it. Reading an
  article therefore runs in time linear in the length of the text.
* Only the first :data:`HEADER_LINES` meaningful lines are read as a header: a
  date, "By ..." or "LONDON -" deep in the story is not the article's.
* Impossible dates ("February 30, 2001") give ``None``, never an exception.

The word lists are data at the top of the module (as price-parser keeps
``_currencies.py``): extend a list rather than a pattern. Nothing here comes
from a particular article.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import regex

from .dates import MONTHS, WEEKDAYS, find_date
from .lexicon import NAME_PARTICLES
from .records import ArticleMeta

#: Lines longer than this are story text, never a header or page chrome.
MAX_META_LINE = 300

#: How many non-empty, non-chrome lines from the top are read as the header.
HEADER_LINES = 12

#: Headline limits: a first line longer than this is the story's first paragraph.
MAX_TITLE_CHARS = 200
MAX_TITLE_WORDS = 25

# --------------------------------------------------------------------------
# Lexicons
# --------------------------------------------------------------------------

#: Weekday names, and words that may sit next to a date on a date line
#: ("Tuesday, November 20, 2001 10:32 AM GMT") without making it prose.
DATE_FILLER: frozenset[str] = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday
    mon tue tues wed thu thur thurs fri sat sun
    am pm a.m p.m gmt utc bst cet cest est edt cst cdt pst pdt ist pkt aft
    at on the of
    """.split()
)

#: Words that open a date line: "Published on ...", "Last updated: ...".
DATE_LEADS: tuple[str, ...] = (
    "published", "first published", "originally published", "posted", "date",
    "dated", "created", "publication date", "updated", "last updated",
    "modified", "last modified",
)  # fmt: skip

#: Date-line leads whose date is a revision, used only when nothing says "published".
UPDATE_LEADS: frozenset[str] = frozenset({"updated", "last updated", "modified", "last modified"})

#: News agencies, lower case, with the name to store. They appear as a credit
#: "(Reuters)", "- Reuters" or a byline affiliation "By Jane Doe, Reuters".
WIRE_SERVICES: dict[str, str] = {
    "reuters": "Reuters", "thomson reuters": "Reuters", "ap": "AP",
    "associated press": "Associated Press", "the associated press": "Associated Press",
    "afp": "AFP", "agence france-presse": "AFP", "agence france presse": "AFP",
    "bloomberg": "Bloomberg", "dpa": "dpa", "xinhua": "Xinhua", "pti": "PTI",
    "ani": "ANI", "ians": "IANS", "upi": "UPI", "anadolu": "Anadolu Agency",
    "anadolu agency": "Anadolu Agency", "efe": "EFE", "kyodo": "Kyodo",
    "kyodo news": "Kyodo", "yonhap": "Yonhap", "tass": "TASS", "ria novosti": "RIA Novosti",
    "app": "APP", "irna": "IRNA", "bernama": "Bernama", "antara": "Antara",
    "aap": "AAP", "cnn": "CNN", "bbc": "BBC", "bbc news": "BBC News",
}  # fmt: skip

#: Whole lines of web-page chrome, lower case, without decoration or final
#: punctuation (":", ".", "»", markdown). Compared after normalising the line.
CHROME_PHRASES: frozenset[str] = frozenset(
    line.strip()
    for line in """
    back to top
    back to top button
    scroll to top
    go to top
    adblock detected
    ad blocker detected
    please consider supporting us by disabling your ad blocker
    related
    related articles
    related stories
    related posts
    related news
    related content
    related coverage
    related topics
    related links
    see also
    also read
    read also
    read more
    read next
    continue reading
    must read
    most read
    most popular
    more stories
    more news
    more on this story
    top stories
    trending
    trending now
    recommended
    recommended for you
    you may also like
    you might also like
    don't miss
    editor's picks
    share
    share this
    share this article
    share this story
    share this post
    share this page
    share on facebook
    share on twitter
    share via email
    advertisement
    advertisements
    sponsored
    sponsored content
    ad
    ads
    sign up for our newsletter
    subscribe
    subscribe now
    subscribe to our newsletter
    newsletter
    leave a comment
    leave a reply
    comments
    show comments
    skip to content
    skip to main content
    click here
    follow us
    loading
    print this article
    email this article
    all rights reserved
    """.splitlines()
    if line.strip()
)

#: Share-button words: a line made only of these ("Facebook Twitter Email") is chrome.
SOCIAL_WORDS: frozenset[str] = frozenset(
    """
    share facebook twitter x whatsapp telegram linkedin reddit pinterest email
    e-mail print copy link tweet messenger pocket flipboard
    """.split()
)

#: Labels that start a line with "LABEL:" but are not a dateline place.
NOT_PLACES: frozenset[str] = frozenset(
    """
    UPDATE UPDATED BREAKING EXCLUSIVE WATCH VIDEO PHOTO PHOTOS NOTE LIVE
    OPINION ANALYSIS COMMENT EDITORIAL WARNING SOURCE SOURCES CAPTION
    CORRECTION CLARIFICATION Q A READ MORE ALSO SEE RELATED ADVERTISEMENT
    EDITOR'S EDITOR’S PS NB FYI
    """.split()
)

#: Words that make a byline chunk a job title, not a name ("Staff Reporter").
BYLINE_ROLES: frozenset[str] = frozenset(
    """
    reporter reporters correspondent correspondents writer writers editor
    editors staff contributor contributors columnist bureau chief senior
    political diplomatic defence defense security foreign our news desk
    service agencies agency team online web digital associate deputy producer
    analyst special report monitoring newsroom press
    """.split()
)

# --------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------

#: A date line's opening word: "Published on", "Last updated:".
_DATE_LEAD = regex.compile(
    r"""
    ^[\W_]*                      # decoration: "*", "#", "|"
    (?P<lead>\L<leads>)\b        # the lead word(s)
    """,
    regex.VERBOSE | regex.IGNORECASE,
    leads=sorted(DATE_LEADS, key=len, reverse=True),
)

#: A date line whose date is missing or unreadable: "Published in the Times", "Posted by".
_UNDATED_LEAD = regex.compile(
    r"""
    ^[\W_]*(?:\L<leads>)     # "Published", "Posted", "Last updated"
    \s*(?::|(?:on|in|at|by)\b)  # then a colon or a preposition, unlike "Updated rules ..."
    """,
    regex.VERBOSE | regex.IGNORECASE,
    leads=sorted(DATE_LEADS, key=len, reverse=True),
)

#: The outlet on a "Published ... in the [Times of London](#)" line.
_PUBLISHED_IN = regex.compile(
    r"""
    \bin\s+(?:the\s+)?                              # "in the"
    (?:
        \[(?P<link>[^\[\]\n]{1,80})\]\([^()\n]{0,300}\)   # markdown link: keep its text
      | (?P<plain>\p{Lu}[\p{L}&'’.-]*                     # or capitalised words ...
           (?:\s+(?:of|the|and|on|&|\p{Lu}[\p{L}&'’.-]*)){0,6})  # ... "Times of London"
    )
    """,
    regex.VERBOSE,
)

#: A byline: "By Jane Doe", "by Ian Cobain in Konduz", "Written by ...", "Author: ...".
_BYLINE = regex.compile(
    r"""
    ^[\W_]*?                                   # decoration: "*", "_", "—"
    (?:by|written\s+by|words\s+by|story\s+by|authors?\s*:)  # the byline lead
    \s+(?P<rest>\S.*)$                         # the names and whatever follows
    """,
    regex.VERBOSE | regex.IGNORECASE,
)

#: A byline inside a date line: "Posted on March 3, 2020 by Jane Doe".
_BY_IN_LINE = regex.compile(r"\bby\s+(?=\p{Lu})", regex.IGNORECASE)

#: Separators between the people (and affiliations) in a byline.
_BYLINE_SPLIT = regex.compile(
    r"""
    \s*[,;|•·]\s*          # list punctuation, pipes and bullets
  | \s+(?:and|&)\s+        # "Jane Doe and John Roe"
  | \s+[-–—]+\s+           # "Jane Doe - Reuters"
    """,
    regex.VERBOSE | regex.IGNORECASE,
)

#: Where a byline name stops: "Ian Cobain in Konduz Province", "Jane Doe for The Times".
_BYLINE_TAIL = regex.compile(r"\s+(?:in|at|from|for|with)\s.*$", regex.IGNORECASE)

#: A markdown link, replaced by its text: "[Jane Doe](/authors/jane-doe)".
_MD_LINK = regex.compile(r"\[([^\[\]\n]{0,200})\]\([^()\n]{0,500}\)")

#: One word of a person's name: "Ian", "O'Neil", "J.", "al-Hashimi", "Jean-Luc".
_NAME_WORD = regex.compile(
    r"""
    (?:\L<particles>[-'’])?        # attached particle: "al-", any of the name particles
    \p{Lu}[\p{L}\p{M}'’.-]*         # capitalised word or initial
    """,
    regex.VERBOSE,
    particles=sorted(NAME_PARTICLES),
)

#: A dateline opening the story: "WASHINGTON/KABUL:", "JAKARTA -",
#: "LONDON (Reuters) -", "NEW YORK, Nov 20 (Reuters) -", "KABUL, Afghanistan —".
_DATELINE = regex.compile(
    r"""
    ^[\s*_]*
    (?P<place>
        \p{Lu}[\p{Lu}.'’-]+                    # first word of the place, all capitals
        (?:(?:[ ]+|[ ]*/[ ]*)\p{Lu}[\p{Lu}.'’-]*){0,4}   # more words, or "/KABUL"
    )
    (?:,[ ]*\p{L}[\p{L}.]*(?:[ ]+\p{L}[\p{L}.]*)?)?   # ", Pakistan", ", Calif.", ", Nov"
    (?:[ ]+\d{1,2})?                           # day of the month: ", Nov 20"
    [ ]*
    (?:\((?P<credit>[^()\n]{1,40})\)[ ]*)?     # wire credit: "(Reuters)"
    (?:[:—–]|--?)                              # separator
    [ ]+\S                                     # and the story goes on on this line
    """,
    regex.VERBOSE,
)

#: Decoration around a chrome line: markdown, bullets, brackets; at the end also
#: arrows, colons and full stops. ``str.strip`` with these is much faster than a regex.
_LEADING_DECORATION = " \t\xa0#>*_•·|[](){}<>«»›‹=~-"
_TRAILING_DECORATION = _LEADING_DECORATION + ":.!…"

#: Chrome that varies too much for a phrase list, recognised by how the
#: normalised line starts.
_CHROME_START = regex.compile(
    r"""
    copyright[ ]*(?:©|\(c\))?[ ]*\d{4}                             # "Copyright 2001 ...": a year,
  | copyright[ ]*(?:©|\(c\))                                       # or the mark ("Copyright law" is
  | ©|c\)[ ]*\d                                                   # prose); "© 2021", "(c) 2021"
  | (?:additional[ ])?(?:reporting|writing|editing|compiled|research
        |translation|translated|edited|produced|graphics)[ ]by\b  # "Reporting by X; Editing by Y"
  | (?:with[ ])?inputs?[ ]from\b                                  # "With inputs from PTI"
  | (?:see[ ]also|read[ ]more|also[ ]read|read[ ]also|related|more[ ]on
        |watch|listen|read[ ]next)[ ]?:                           # "SEE ALSO: <link title>"
  | (?:sign[ ]up|subscribe|get|receive)\b.*\bnewsletters?\b      # newsletter pitches
  | follow[ ](?:us|@)                                             # "Follow us on Twitter"
  | (?:image|photo|photograph|picture)[ ]?(?:caption|source|credit)?[ ]?[:,]  # captions
  | click[ ]here[ ]to\b                                           # "Click here to subscribe"
    """,
    regex.VERBOSE,
)

#: Substrings without which :data:`_CHROME_ANYWHERE` cannot match: a cheap gate,
#: since searching every story line with it would dominate the run time.
_ANYWHERE_CUES: tuple[str, ...] = ("reserved", "contributed", "block")

#: Chrome recognised by a phrase anywhere in the normalised line.
_CHROME_ANYWHERE = regex.compile(
    r"""
    \ball[ ]rights[ ]reserved\b                                        # "... All rights reserved."
  | \bcontributed[ ](?:to[ ])?(?:this|the)[ ](?:report|story|article)  # "X contributed to ..."
  | \bad[ ]?-?blocke?r?s?\b.*\b(?:disabl|detect|whitelist|turn|pause)  # "Adblock detected"
  | \b(?:disabl|whitelist|turn[ ]off|pause)\w*\b.*\bad[ ]?-?blocke?r?\b  # "disable your ad blocker"
    """,
    regex.VERBOSE,
)

#: Copyright holder, for the outlet fallback: "Copyright 2001 Times Newspapers Ltd.".
_COPYRIGHT_HOLDER = regex.compile(
    r"""
    ^[\W_]*?(?:copyright|©|\(c\))            # the mark
    (?:[ ]*(?:©|\(c\)))?                     # "Copyright © 2021"
    [ ]*(?:\d{4}(?:[ ]*[-–][ ]*\d{2,4})?[ ]*,?)?  # year or range "2001-2021"
    [ ]*(?P<holder>\p{L}[^\n]*)              # the holder, "All rights reserved" and all
    """,
    regex.VERBOSE | regex.IGNORECASE,
)

#: The "All rights reserved" after a copyright holder.
_RIGHTS_RESERVED = regex.compile(r"[.,;\s]*\ball\s+rights\s+reserved\W*$", regex.IGNORECASE)

#: A credit line: "- Reuters", "— (AFP)".
_CREDIT_LINE = regex.compile(
    r"^[\s*_]*[-–—]+[ ]*\(?(?P<wire>\L<wires>)\)?[\s.]*$",
    regex.IGNORECASE,
    wires=sorted(WIRE_SERVICES, key=len, reverse=True),
)

#: A web-page title suffix naming the outlet: "Kabul falls | The Guardian", "... - Reuters".
_TITLE_SUFFIX = regex.compile(
    r"""
    [ ]+(?:
        \|[ ]+(?P<outlet>\p{Lu}[^|]{1,60}?)          # "| The Guardian": any outlet
      | [-–—][ ]+(?P<wire>\L<wires>)                 # "- Reuters": news agencies only
    )[ ]*$
    """,
    regex.VERBOSE | regex.IGNORECASE,
    wires=sorted(WIRE_SERVICES, key=len, reverse=True),
)

#: A sentence boundary inside a line: "... the city. General Dostum ...".
_SENTENCE_BREAK = regex.compile(r"\p{Ll}{2,}[.!?][\"”’]?\s+[\"“‘]?\p{Lu}")

#: A line that ends a sentence with a full stop (not "...", not "U.S.").
_ENDS_WITH_PERIOD = regex.compile(r"(?<!\.)(?<!\b\p{Lu})\.[\"”’)\]]*\s*$")

# --------------------------------------------------------------------------
# Lines
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    """One line of the article: its text (without the line break) and offsets.

    Not frozen: one is made per line of every article, and a frozen
    dataclass is five times slower to build.
    """

    text: str
    start: int
    end: int


def _lines(text: str) -> Iterator[_Line]:
    """Every non-blank line with its offsets, in order; ``\\r\\n`` endings are trimmed.

    >>> [(line.text, line.start, line.end) for line in _lines("a\\r\\n\\n bc\\n")]
    [('a', 0, 1), (' bc', 4, 7)]
    """
    start = 0
    size = len(text)
    while start < size:
        newline = text.find("\n", start)
        end = size if newline < 0 else newline
        stop = end
        while stop > start and text[stop - 1] == "\r":
            stop -= 1
        # Only the first MAX_META_LINE characters of a line are ever read, so a
        # huge one-line input costs one slice, not a copy of the whole text.
        probe = text[start : min(stop, start + MAX_META_LINE + 1)]
        if probe.strip():
            yield _Line(text[start:stop] if stop - start <= MAX_META_LINE else probe, start, stop)
        start = end + 1


def _is_long(line: _Line) -> bool:
    """Whether the line is too long to be a header line or chrome."""
    return line.end - line.start > MAX_META_LINE


def _normalise_chrome(line: str) -> str:
    """The line as compared with :data:`CHROME_PHRASES`: link text, no decoration, lower case.

    >>> _normalise_chrome("  **Related Articles:** ")
    'related articles'
    >>> _normalise_chrome("[Read more »](https://example.com/x)")
    'read more'
    """
    if "[" in line:
        line = _MD_LINK.sub(r"\1", line)
    line = line.lstrip(_LEADING_DECORATION).rstrip(_TRAILING_DECORATION)
    return " ".join(line.replace("’", "'").split()).lower()


def is_boilerplate(line: str) -> bool:
    """Whether one line (without its line break) is web-page chrome rather than story text.

    >>> is_boilerplate("Back to top button")
    True
    >>> is_boilerplate("Copyright 2001 Times Newspapers Ltd.")
    True
    >>> is_boilerplate("Reuters contributed to this report")
    True
    >>> is_boilerplate('"Read more," he said.')
    False
    """
    if len(line) > MAX_META_LINE:
        return False
    norm = _normalise_chrome(line)
    if not norm:
        return False
    if norm in CHROME_PHRASES or _CHROME_START.match(norm) or _CREDIT_LINE.match(line):
        return True
    for cue in _ANYWHERE_CUES:
        if cue in norm:
            return _CHROME_ANYWHERE.search(norm) is not None
    words = norm.replace("|", " ").replace(",", " ").split()
    return all(word in SOCIAL_WORDS for word in words) and len(words) >= 2


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------


def _date_line(line: str) -> tuple[date, bool] | None:
    """The date of a line that is a date line, and whether it is an update time.

    A date line opens with a lead ("Published on", "Updated:") or is little
    more than the date itself; a date inside a sentence is not the article's.

    >>> _date_line("Nov. 20, 2001")
    (datetime.date(2001, 11, 20), False)
    >>> _date_line("Last updated: 2021-08-17 10:32 PKT")
    (datetime.date(2021, 8, 17), True)
    >>> _date_line("The meeting in Islamabad on March 26, 2000 went well") is None
    True
    """
    found = find_date(line)
    if found is None:
        return None
    when, start, end = found
    lead = _DATE_LEAD.match(line)
    if lead is not None:
        return when, " ".join(lead["lead"].lower().split()) in UPDATE_LEADS
    rest = regex.sub(r"[^\p{L}.]+", " ", line[:start] + " " + line[end:]).lower().split()
    # Single letters are the "T" and "Z" of an ISO timestamp, or initials of a zone.
    words = (word.strip(".") for word in rest)
    extra = [word for word in words if len(word) > 1 and word not in DATE_FILLER]
    return (when, False) if len(extra) <= 1 else None


# --------------------------------------------------------------------------
# Outlets, bylines, datelines, titles
# --------------------------------------------------------------------------


def wire_service(name: str) -> str | None:
    """The stored name of a news agency, or None if ``name`` is not one.

    >>> wire_service(" (reuters) ")
    'Reuters'
    >>> wire_service("The Times") is None
    True
    """
    key = " ".join(name.strip(" ()[]*_.").split()).lower()
    return WIRE_SERVICES.get(key)


def _published_outlet(line: str) -> str | None:
    """The outlet named on a "Published ... in the X" line.

    >>> _published_outlet("Published on Tuesday, November 20, 2001 in the [Times of London](#)")
    'Times of London'
    >>> _published_outlet("Published on 20 November 2001 in The Guardian")
    'The Guardian'
    >>> _published_outlet("Published in November 2001") is None
    True
    """
    for match in _PUBLISHED_IN.finditer(line):
        name = (match["link"] or match["plain"] or "").strip(" .,;:*_")
        first = name.split()[0].rstrip(".").lower() if name.split() else ""
        if name and first not in MONTHS and first not in WEEKDAYS:
            return name
    return None


def _copyright_holder(line: str) -> str | None:
    """The holder named on a copyright line, for use when nothing better names the outlet.

    >>> _copyright_holder("Copyright 2001 Times Newspapers Ltd.")
    'Times Newspapers Ltd.'
    >>> _copyright_holder("© 2021 Dawn Media Group. All rights reserved.")
    'Dawn Media Group'
    """
    match = _COPYRIGHT_HOLDER.match(line)
    if match is None:
        return None
    holder = _RIGHTS_RESERVED.sub("", match["holder"]).strip(" ,;")
    if holder.endswith(".") and not regex.search(r"\b(?:Ltd|Inc|Co|Corp|Plc|LLC|Bhd)\.$", holder):
        holder = holder[:-1]
    return holder or None


def _name_case(name: str) -> str:
    """A name as stored: all-capitals bylines ("IAN COBAIN") become title case."""
    return name.title() if name.isupper() and len(name) > 3 else name


def person_name(chunk: str) -> str | None:
    """The person named by one byline chunk, or None for places, roles and agencies.

    >>> person_name("Ian Cobain in Konduz Province")
    'Ian Cobain'
    >>> person_name("Staff Reporter") is None
    True
    >>> person_name("Nasser al-Hashimi")
    'Nasser al-Hashimi'
    """
    chunk = _BYLINE_TAIL.sub("", _MD_LINK.sub(r"\1", chunk)).strip(" *_.:\t")
    words = chunk.split()
    if not 2 <= len(words) <= 6 or any(ch.isdigit() for ch in chunk):
        return None
    for index, word in enumerate(words):
        lower = word.lower().strip(".")
        if lower in BYLINE_ROLES or lower in MONTHS or lower in DATE_FILLER:
            return None
        inner = 0 < index < len(words) - 1
        if not (_NAME_WORD.fullmatch(word) or (inner and lower in NAME_PARTICLES)):
            return None
    return _name_case(" ".join(words))


@dataclass(frozen=True, slots=True)
class Byline:
    """What a byline line says: the authors and the agency they write for."""

    authors: tuple[str, ...]
    outlet: str | None = None


def parse_byline(line: str) -> Byline | None:
    """The authors (and agency) of a byline line, or None if it is not a byline.

    >>> parse_byline("by Ian Cobain in Konduz Province and Damian Whitworth in Washington")
    Byline(authors=('Ian Cobain', 'Damian Whitworth'), outlet=None)
    >>> parse_byline("By Jane Doe, Reuters")
    Byline(authors=('Jane Doe',), outlet='Reuters')
    >>> parse_byline("By the time the troops arrived, the city had fallen.") is None
    True
    """
    if len(line) > MAX_META_LINE:
        return None
    match = _BYLINE.match(line)
    if match is None:
        return None
    authors: list[str] = []
    outlet: str | None = None
    for chunk in _BYLINE_SPLIT.split(match["rest"]):
        wire = wire_service(chunk)
        if wire is not None:
            outlet = outlet or wire
            continue
        name = person_name(chunk)
        if name is not None and name not in authors:
            authors.append(name)
    if not authors and outlet is None:
        return None
    return Byline(tuple(authors), outlet)


def find_dateline(line: str) -> tuple[str, str | None] | None:
    """The place (and wire credit) of a dateline opening ``line``.

    >>> find_dateline("WASHINGTON/KABUL: A day after Taliban militants ...")
    ('WASHINGTON/KABUL', None)
    >>> find_dateline("LONDON (Reuters) - Britain said on Monday ...")
    ('LONDON', 'Reuters')
    >>> find_dateline("AMERICAN forces attacking Taleban fighters ...") is None
    True
    """
    # Web copy often puts a no-break space after the colon: "KABUL:\xa0A day ...".
    match = _DATELINE.match(" ".join(line[: MAX_META_LINE + 1].split()))
    if match is None:
        return None
    place = " ".join(match["place"].split()).strip(".-'’ ")
    words = set(regex.split(r"[ /]+", place))
    if sum(ch.isalpha() for ch in place) < 3 or words & NOT_PLACES:
        return None
    credit = match["credit"]
    return place, (" ".join(credit.split()) if credit else None)


def _strip_title(line: str) -> tuple[str, str | None]:
    """A headline without markdown or an outlet suffix, and the outlet that suffix named.

    >>> _strip_title("## Kabul falls to the Taliban | The Guardian")
    ('Kabul falls to the Taliban', 'The Guardian')
    >>> _strip_title("**Taliban take Kabul - Reuters**")
    ('Taliban take Kabul', 'Reuters')
    """
    title = _MD_LINK.sub(r"\1", line)
    title = regex.sub(r"^[\s#>]+", "", title)
    title = " ".join(title.strip().strip("*_").split())
    outlet: str | None = None
    suffix = _TITLE_SUFFIX.search(title)
    if suffix is not None and suffix.start() > 0:
        outlet = wire_service(suffix["wire"]) if suffix["wire"] else suffix["outlet"].strip()
        title = title[: suffix.start()].rstrip()
    return title, outlet


def looks_like_byline(line: str) -> bool:
    """Whether a line is a byline, even one naming nobody ("By Wire Service Staff").

    A "By" line whose words are all capitalised (or "and", "&", particles)
    credits somebody; "By the Numbers" or "By the time ..." is a headline or
    prose.

    >>> looks_like_byline("By Wire Service Staff"), looks_like_byline("By the Numbers")
    (True, False)
    """
    match = _BYLINE.match(line)
    if match is None or len(line) > MAX_META_LINE:
        return False
    words = _MD_LINK.sub(r"\1", match["rest"]).replace(",", " ").split()
    return all(word[0].isupper() or word.lower() in _BYLINE_JOINERS for word in words)


#: Lower-case words a byline's names may be joined or placed with.
_BYLINE_JOINERS = NAME_PARTICLES | {"and", "&", "in", "at", "for", "|", "-", "–", "—"}


def looks_like_headline(line: str) -> bool:
    """Whether a first line reads as a headline rather than the story's first sentence.

    >>> looks_like_headline("America Will Take No Prisoners")
    True
    >>> looks_like_headline("A key commander says he has reached an agreement. He said so.")
    False
    >>> looks_like_headline("JAKARTA - Anti-Taliban leader Ahmad Massoud has said ...")
    False
    """
    words = line.split()
    if not words or len(words) > MAX_TITLE_WORDS or len(line) > MAX_TITLE_CHARS:
        return False
    first = next((ch for ch in line if ch.isalnum()), "")
    if not first or first.islower():
        return False
    if find_dateline(line) is not None or line.rstrip().endswith((":", ",", ";")):
        # A dateline opens a story; a trailing colon marks a section heading.
        return False
    if looks_like_byline(line):
        return False
    return not (_ENDS_WITH_PERIOD.search(line) or _SENTENCE_BREAK.search(line))


# --------------------------------------------------------------------------
# The header as a whole
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeaderLine:
    """What one line of the header states: a byline, a date line or an undated lead."""

    kind: Literal["byline", "date", "lead"]
    byline: Byline | None = None
    when: date | None = None
    #: The date is a revision ("Last updated: ..."), used only when no line says published.
    is_update: bool = False
    #: The outlet a "Published ... in the X" line names.
    outlet: str | None = None


def classify_header_line(raw: str) -> HeaderLine | None:
    """What a header line (whitespace collapsed) states, or None for a story line.

    >>> classify_header_line("By Jane Doe, Reuters")
    HeaderLine(kind='byline', byline=Byline(authors=('Jane Doe',), outlet='Reuters'), \
when=None, is_update=False, outlet=None)
    >>> classify_header_line("Last updated: 2021-08-17").is_update
    True
    >>> classify_header_line("Posted by Jane Doe, Reuters").byline.outlet
    'Reuters'
    >>> classify_header_line("The Taliban took Kabul.") is None
    True
    """
    byline = parse_byline(raw)
    if byline is not None:
        found = find_date(raw)
        return HeaderLine("byline", byline, found[0] if found is not None else None)
    dated = _date_line(raw)
    if dated is not None:
        # "Posted on March 3, 2020 by Jane Doe": the byline shares the date line.
        return HeaderLine("date", _byline_in(raw), dated[0], dated[1], _published_outlet(raw))
    if _UNDATED_LEAD.match(raw):
        # Still a header line, never the headline: "Published in the Times of London".
        return HeaderLine("lead", _byline_in(raw), outlet=_published_outlet(raw))
    return None


def _byline_in(raw: str) -> Byline | None:
    """The byline inside a date line or lead: "Posted on March 3, 2020 by Jane Doe"."""
    by = _BY_IN_LINE.search(raw)
    return parse_byline(raw[by.start() :]) if by is not None else None


@dataclass(slots=True)
class _Header:
    """What the lines of an article's header said so far; ``meta`` decides the fields.

    Every source of a field is kept apart until the end, since a later line
    may name the outlet more surely than an earlier one (a "Published in"
    line beats a title suffix, which beats a wire credit).
    """

    lines: int = 0  # header lines read (story and chrome apart)
    story_lines: int = 0  # story lines read: the first may be the headline
    title: str | None = None
    title_outlet: str | None = None
    published: date | None = None
    updated: date | None = None
    published_outlet: str | None = None
    authors: list[str] = field(default_factory=list)
    byline_outlet: str | None = None
    dateline: str | None = None
    dateline_outlet: str | None = None
    credit_outlet: str | None = None
    copyright_outlet: str | None = None

    def add(self, line: HeaderLine) -> None:
        """Take what a header line states; the first line to state a field wins."""
        if line.byline is not None:
            self.authors.extend(name for name in line.byline.authors if name not in self.authors)
            self.byline_outlet = self.byline_outlet or line.byline.outlet
        if line.is_update:
            self.updated = self.updated or line.when
        else:
            self.published = self.published or line.when
        self.published_outlet = self.published_outlet or line.outlet

    def add_chrome(self, raw: str) -> None:
        """Chrome is the only place a copyright holder or "- Reuters" credit lives."""
        self.copyright_outlet = self.copyright_outlet or _copyright_holder(raw)
        credit = _CREDIT_LINE.match(raw)
        if credit is not None:
            self.credit_outlet = self.credit_outlet or wire_service(credit["wire"])

    def add_story(self, raw: str) -> None:
        """A story line: the first may be the headline, the first few may hold the dateline."""
        if self.story_lines == 0 and looks_like_headline(raw):
            title, self.title_outlet = _strip_title(raw)
            self.title = title or None
        elif self.dateline is None and self.story_lines < 3:
            found = find_dateline(raw)
            if found is not None:
                self.dateline, credit = found
                if credit:
                    self.dateline_outlet = wire_service(credit) or credit
        self.story_lines += 1

    def meta(self) -> ArticleMeta:
        outlet = (
            self.published_outlet
            or self.title_outlet
            or self.dateline_outlet
            or self.byline_outlet
            or self.credit_outlet
            or self.copyright_outlet
        )
        return ArticleMeta(
            title=self.title,
            published=self.published or self.updated,
            outlet=outlet,
            authors=tuple(self.authors),
            dateline=self.dateline,
        )


def read_article(text: str) -> tuple[ArticleMeta, list[tuple[int, int]]]:
    """Metadata and the character spans of the chrome lines, in one pass over the lines.

    Every field is optional: a field the text does not state is None (or
    ``()``), never a guess from the story body. A chrome span covers its
    line without the line break, so the parser can skip it (no quotes, no
    speakers, no paragraph) while keeping offsets into ``text``. Why one
    pass: the parser needs both, and splitting the text into lines and
    testing each for chrome twice was a fifth of the parse time.

    >>> meta, chrome = read_article(
    ...     "Published on Tuesday, November 20, 2001 in the [Times of London](#)\\n\\n"
    ...     "America Will Take No Prisoners\\n\\n"
    ...     "by Ian Cobain in Konduz Province and Damian Whitworth in Washington\\n\\n"
    ...     "AMERICAN forces are under orders to take no prisoners.\\n"
    ...     "Related Articles\\n"
    ... )
    >>> meta.title, meta.published, meta.outlet
    ('America Will Take No Prisoners', datetime.date(2001, 11, 20), 'Times of London')
    >>> meta.authors
    ('Ian Cobain', 'Damian Whitworth')
    >>> chrome
    [(225, 241)]
    """
    header = _Header()
    boiler: list[tuple[int, int]] = []
    for line in _lines(text):
        # One plain space between words: web copy is full of no-break spaces.
        raw = " ".join(line.text.split())
        if _is_long(line):
            if header.lines >= HEADER_LINES and header.story_lines >= 3:
                continue  # story prose after the header: nothing left to read
            header.lines += 1
        else:
            chrome = is_boilerplate(raw)
            if is_boilerplate(line.text) if raw != line.text else chrome:
                boiler.append((line.start, line.end))
            if chrome:
                header.add_chrome(raw)
                continue
            if header.lines >= HEADER_LINES:
                continue
            header.lines += 1
            classified = classify_header_line(raw)
            if classified is not None:
                header.add(classified)
                continue
        header.add_story(raw)
    return header.meta(), boiler
