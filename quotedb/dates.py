"""Dates, written any of the ways news copy and corpus files write them.

One module for both readers of dates: ``find_date`` finds a date inside a
line of article text (the metadata header), ``parse_date`` reads a value
that is meant to be a date (a record's field, a page's metadata). They used
to be two modules with two month tables, and disagreed on "Sept. 9, 2021".

Impossible dates ("February 30, 2001") give ``None``, never an exception.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import regex

#: Month names and the abbreviations news copy uses ("Nov.", "Sept").
MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip

#: Weekday names and abbreviations: never an outlet or a person.
WEEKDAYS: frozenset[str] = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday "
    "mon tue tues wed thu thur thurs fri sat sun".split()
)

_MONTH_NAMES = sorted(MONTHS, key=len, reverse=True)

#: "November 20, 2001", "Nov. 20 2001", "Tuesday, Nov 20th, 2001".
_DATE_MDY = regex.compile(
    r"""
    \b(?P<month>\L<months>)\.?            # month name or abbreviation, optional dot
    \s+(?P<day>\d{1,2})(?:st|nd|rd|th)?   # day of the month, maybe "20th"
    ,?\s+(?P<year>\d{4})(?!\d)            # four-digit year
    """,
    regex.VERBOSE | regex.IGNORECASE,
    months=_MONTH_NAMES,
)

#: "20 November 2001", "20th of Nov. 2001".
_DATE_DMY = regex.compile(
    r"""
    (?<!\d)(?P<day>\d{1,2})(?:st|nd|rd|th)?  # day of the month
    \s+(?:of\s+)?                            # "the 20th of November"
    (?P<month>\L<months>)\b\.?               # month name or abbreviation
    ,?\s+(?P<year>\d{4})(?!\d)               # four-digit year
    """,
    regex.VERBOSE | regex.IGNORECASE,
    months=_MONTH_NAMES,
)

#: "2001-11-20", "2001-11-20T10:32:00Z", "2001/11/20": year first is unambiguous.
_DATE_ISO = regex.compile(
    r"""
    (?<!\d)(?P<year>\d{4})     # four-digit year, not the tail of a longer number
    (?P<sep>[-/.])             # separator, the same one twice
    (?P<month>\d{1,2})
    (?P=sep)
    (?P<day>\d{1,2})(?!\d)     # day; a time may follow ("T10:32")
    """,
    regex.VERBOSE,
)

#: Four digits in a row: without them no date pattern can match, and this
#: cheap test spares three case-insensitive scans of most header lines.
_YEAR_GATE = regex.compile(r"\d{4}")


def _make_date(year: str, month: str | int, day: str) -> date | None:
    """A date from matched parts, or None when it does not exist (Feb 30) or is implausible."""
    try:
        number = month if isinstance(month, int) else int(month)
        result = date(int(year), number, int(day))
    except ValueError:
        return None
    return result if 1800 <= result.year <= 2200 else None


def find_date(line: str) -> tuple[date, int, int] | None:
    """The first date written in ``line`` and its span, in any of the usual news formats.

    >>> find_date("Published on Tuesday, November 20, 2001 in the Times")
    (datetime.date(2001, 11, 20), 22, 39)
    >>> find_date("Updated: 20 Nov. 2001 10:32 GMT")[0]
    datetime.date(2001, 11, 20)
    >>> find_date("2021-08-17T10:32:00Z")[0]
    datetime.date(2021, 8, 17)
    >>> find_date("February 30, 2001") is None
    True
    """
    if _YEAR_GATE.search(line) is None:
        return None  # every format needs a four-digit year: most lines have none
    best: tuple[date, int, int] | None = None
    for pattern in (_DATE_MDY, _DATE_DMY, _DATE_ISO):
        for match in pattern.finditer(line):
            if best is not None and match.start() >= best[1]:
                break
            month = match["month"]
            number = MONTHS[month.lower()] if month.isalpha() else month
            found = _make_date(match["year"], number, match["day"])
            if found is not None:
                best = (found, match.start(), match.end())
                break
    return best



#: Day-first numeric forms (written-out months and year-first forms are ``find_date``'s).
_NUMERIC_FORMATS = ("%d.%m.%Y", "%Y%m%d")


def parse_date(value: Any) -> date | None:
    """A publication date from ISO and other common forms; None if not a date.

    A date written with a time keeps the calendar day as written (no
    conversion to UTC): that is the day the outlet published it.
    Numbers are Unix timestamps (seconds). Ambiguous forms such as
    ``03/04/2021`` are not guessed.

    >>> parse_date("2021-08-10T12:00:00Z")
    datetime.date(2021, 8, 10)
    >>> parse_date("10 August 2021")
    datetime.date(2021, 8, 10)
    >>> parse_date("Tue, 10 Aug 2021 23:30:00 -0500")
    datetime.date(2021, 8, 10)
    >>> parse_date("last Tuesday") is None
    True
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc).date()
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text:
        return None
    return _iso_date(text) or _rfc2822_date(text) or _written_date(text) or _numeric_date(text)


def _iso_date(text: str) -> date | None:
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.fromisoformat(candidate).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10]) if re.match(r"\d{4}-\d\d-\d\d\b", text) else None
    except ValueError:
        return None


def _rfc2822_date(text: str) -> date | None:
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def _written_date(text: str) -> date | None:
    """A date that is the whole of ``text``, but for a weekday: "Tuesday, 10 Aug. 2021"."""
    found = find_date(text)
    if found is None:
        return None
    when, start, end = found
    rest = (text[:start] + " " + text[end:]).replace(",", " ").lower().split()
    return when if all(word.rstrip(".") in WEEKDAYS for word in rest) else None


def _numeric_date(text: str) -> date | None:
    for fmt in _NUMERIC_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


__all__ = ["MONTHS", "WEEKDAYS", "find_date", "parse_date"]
