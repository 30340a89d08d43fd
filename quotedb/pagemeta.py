"""Cleaning the metadata pages and records state, by general rules.

A saved page's metadata (trafilatura's reading of its ``<title>``, site name
and author tags) carries the site's habits: titles end in the site's name
("… - Telegraph", "… | DW | 26.09.2021"), site names are spelled as domains
("video.usnews.com", "Reuters_Co_Uk") or run together with an edition
("ReutersIndia"), and author tags hold photo credits, dates and the
"Account You're logged in" of a login menu. The rules here decide what a
title, an outlet and an author are, for any site; none names one.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

import regex

from .dates import find_date
from .metadata import looks_like_byline, parse_byline, wire_service
from .names import name_key
from .records import ArticleMeta

#: Second-level labels under a country's domain: "co" of "telegraph.co.uk".
_SECOND_LEVEL = frozenset("co com org net gov ac edu ne or".split())

#: A site name spelled as a host: "video.usnews.com".
_HOST = regex.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$", regex.IGNORECASE)
#: A host spelled with underscores and capitals: "Reuters_Co_Uk".
_UNDERSCORE_HOST = regex.compile(r"^[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*_(?:[A-Za-z]{2}|Com|Org|Net)$")
#: Where words of a run-together name meet: "Reuters|India".
_CAMEL = regex.compile(r"(?<=\p{Ll})(?=\p{Lu})")
#: What separates a title from the site's name: " - ", " | ", " – ", " — ".
_TITLE_PARTS = regex.compile(r"\s*\|\s*|\s+[-–—]\s+")
#: A segment that is only a date in numbers: "26.09.2021".
_NUMERIC_DATE = regex.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")


def domain_label(url: str | None) -> str | None:
    """The name part of a URL's or host's domain: "telegraph" for www.telegraph.co.uk.

    >>> domain_label("https://video.usnews.com/x"), domain_label("in.reuters.com")
    ('usnews', 'reuters')
    >>> domain_label("https://www.telegraph.co.uk/news/1"), domain_label("http://[x") is None
    ('telegraph', True)
    """
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    except ValueError:  # "http://[not-an-ip": a URL no parser reads has no domain
        return None
    if not _HOST.match(host):
        return None
    labels = host.lower().split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2]


def _label_name(label: str) -> str:
    """A domain label as an outlet's name: "bbc" is BBC, "reuters" is Reuters."""
    return wire_service(label) or (label.upper() if len(label) <= 3 else label.capitalize())


def clean_outlet(site: str | None, url: str | None = None) -> str | None:
    """The outlet, from a site name (or, without one, the URL's domain).

    >>> clean_outlet("Reuters_Co_Uk"), clean_outlet("video.usnews.com")
    ('Reuters', 'Usnews')
    >>> clean_outlet("ReutersIndia"), clean_outlet("NYTimesWorld", "https://nytimes.com/a")
    ('Reuters', 'NYTimes')
    >>> clean_outlet("The Guardian"), clean_outlet(None, "https://www.bbc.co.uk/news")
    ('The Guardian', 'BBC')
    """
    label = domain_label(url)
    if not site:
        return _label_name(label) if label else None
    if _UNDERSCORE_HOST.match(site):
        site = site.replace("_", ".")
    if _HOST.match(site):
        host_label = domain_label(site)
        return _label_name(host_label) if host_label else site
    if " " not in site:
        # A name run together with its edition: "ReutersIndia" is Reuters.
        words = _CAMEL.split(site)
        for cut in range(len(words) - 1, 0, -1):
            prefix = "".join(words[:cut])
            if wire_service(prefix) or (label and _key(prefix) == label):
                return wire_service(prefix) or prefix
    return site


def _key(name: str) -> str:
    """A name compared with a site's: no case, accents, spaces or leading "the".

    >>> _key("The Daily  Telegraph"), _key("U.S. News")
    ('dailytelegraph', 'usnews')
    """
    key = name_key(name)
    return key.removeprefix("the ").replace(" ", "")


def split_title(title: str, names: tuple[str | None, ...]) -> tuple[str, str | None]:
    """A title without a trailing site name, and that name as the title spells it.

    The suffix goes only when it is one of ``names`` (the outlet, the site
    name, the domain's label), with a date next to it ("| DW | 26.09.2021");
    any other " - " part is the headline's own.

    >>> split_title("Troops head north - Telegraph", ("The Telegraph",))
    ('Troops head north', 'Telegraph')
    >>> split_title("Germany votes | DW | 26.09.2021", ("dw",))
    ('Germany votes', 'DW')
    >>> split_title("Biden - the first 100 days", ("Reuters",))
    ('Biden - the first 100 days', None)
    """
    keys = {_key(name) for name in names if name} - {""}
    parts = _TITLE_PARTS.split(title)
    found: str | None = None
    end = len(parts)
    while end > 1:
        part = parts[end - 1].strip()
        if part and _key(part) in keys:
            found = part
        elif part and not (_NUMERIC_DATE.match(part) or find_date(part)):
            break
        end -= 1
    if found is None or end == 0:
        return title, None
    # The headline is the text before the first dropped separator, as written.
    separators = list(_TITLE_PARTS.finditer(title))
    return title[: separators[end - 1].start()].strip(), found


def clean_authors(authors: tuple[str, ...]) -> tuple[str, ...]:
    """The people among a page's authors: never a credit line, date, place or menu text.

    >>> clean_authors(("Photo by The Associated Press", "January", "Hamburg",
    ...                "Account You're logged", "Jane Doe, Reuters", "By IAN COBAIN"))
    ('Jane Doe', 'Ian Cobain')
    """
    people: list[str] = []
    for author in authors:
        byline = parse_byline(author if looks_like_byline(author) else f"By {author}")
        for name in byline.authors if byline is not None else ():
            if name not in people:
                people.append(name)
    return tuple(people)


def clean_meta(meta: ArticleMeta) -> ArticleMeta:
    """``meta`` with its title, outlet and authors cleaned (see the functions above).

    >>> clean_meta(ArticleMeta(title="Taliban take Kabul - US News", outlet="video.usnews.com",
    ...                        authors=("January",)))
    ArticleMeta(title='Taliban take Kabul', published=None, outlet='US News', authors=(), \
dateline=None, url=None)
    """
    outlet = clean_outlet(meta.outlet, meta.url)
    title = meta.title
    if title is not None and looks_like_byline(title):
        title = None  # "By Wire Service Staff" credits the copy; it does not name it
    if title is not None:
        title, suffix = split_title(title, (meta.outlet, outlet, domain_label(meta.url),
                                            domain_label(meta.outlet)))
        if suffix is not None and outlet is not None and _key(suffix) == _key(outlet) \
                and outlet != meta.outlet:
            outlet = suffix  # the site's own spelling: "US News", not "Usnews"
    return replace(meta, title=title or None, outlet=outlet, authors=clean_authors(meta.authors))


__all__ = ["clean_authors", "clean_meta", "clean_outlet", "domain_label", "split_title"]
