"""Example tables for :mod:`quotedb.metadata`, grouped by provenance.

* **Seeds**: the five real articles in ``seeds/``; their headers are what the
  extractor must get right on real input.
* **Web headers**: headers written the way news sites and wire services write
  them (markdown links, "Updated:" lines, "(Reuters) -" datelines, title
  suffixes), not copied from any one article.
* **Negatives**: story prose and section headings that look a little like
  metadata and must not become a title, byline, date or dateline.
* **Robustness**: arbitrary text never raises (linear time: bench/bench_linear.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotedb import lexicon
from quotedb.dates import find_date
from quotedb.metadata import (
    find_dateline,
    is_boilerplate,
    looks_like_headline,
    parse_byline,
    read_article,
)
from quotedb.records import ArticleMeta

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _meta(text: str) -> ArticleMeta:
    """The metadata ``read_article`` reads from ``text``."""
    return read_article(text)[0]


def _seed(prefix: str) -> str:
    """The text of the seed article whose file name starts with ``prefix``."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------

SEED_META = [
    pytest.param(
        "000",
        ArticleMeta(
            title="America Will Take No Prisoners",
            published=date(2001, 11, 20),
            outlet="Times of London",
            authors=("Ian Cobain", "Damian Whitworth"),
            dateline=None,
        ),
        id="000-times-of-london",
    ),
    pytest.param("001", ArticleMeta(), id="001-body-first-no-title"),
    pytest.param(
        "002",
        ArticleMeta(title="Mullah Omar asked Musharraf to bomb Kandahar: US cable"),
        id="002-no-date-despite-date-in-body",
    ),
    pytest.param(
        "003",
        ArticleMeta(
            title=(
                "Anti-Taliban Leaders: If They Launch An Attack, "
                "They Will Face Hard Fight From Us"
            ),
            dateline="JAKARTA",
        ),
        id="003-jakarta-dateline",
    ),
    pytest.param(
        "004",
        ArticleMeta(
            title=(
                "Engaging Pakistan to clear Taliban ‘safe haven’ "
                "from Afghanistan border: Pentagon"
            ),
            dateline="WASHINGTON/KABUL",
        ),
        id="004-two-city-dateline-nbsp",
    ),
]


@pytest.mark.parametrize(("prefix", "expected"), SEED_META)
def test_seed_metadata(prefix: str, expected: ArticleMeta) -> None:
    assert _meta(_seed(prefix)) == expected


SEED_CHROME = [
    pytest.param("000", ["Copyright 2001 Times Newspapers Ltd."], id="000-copyright"),
    pytest.param("001", [], id="001-none"),
    pytest.param(
        "002",
        [
            "Related Articles",
            "Back to top button",
            "Adblock Detected",
            "Please consider supporting us by disabling your ad blocker",
        ],
        id="002-page-footer",
    ),
    pytest.param("003", ["SEE ALSO:"], id="003-see-also"),
    pytest.param(
        "004", ["Reuters contributed to this report", "Must Read"], id="004-credit-must-read"
    ),
]


@pytest.mark.parametrize(("prefix", "expected"), SEED_CHROME)
def test_seed_boilerplate(prefix: str, expected: list[str]) -> None:
    text = _seed(prefix)
    assert [text[start:end] for start, end in read_article(text)[1]] == expected


# --------------------------------------------------------------------------
# Web headers
# --------------------------------------------------------------------------

HEADERS = [
    pytest.param(
        "Taliban take Kabul - Reuters\n\nBy Jane Doe and John Roe\n\n"
        "KABUL (Reuters) - The Taliban entered Kabul on Sunday.\n",
        ArticleMeta(
            title="Taliban take Kabul",
            outlet="Reuters",
            authors=("Jane Doe", "John Roe"),
            dateline="KABUL",
        ),
        id="wire-title-suffix-and-dateline-credit",
    ),
    pytest.param(
        "Kabul falls | The Guardian\nBy Jane Doe, Reuters\nUpdated: Nov. 20, 2001\n"
        "LONDON, Nov 20 (Reuters) - Britain said on Tuesday it would send troops.\n",
        ArticleMeta(
            title="Kabul falls",
            published=date(2001, 11, 20),
            outlet="The Guardian",
            authors=("Jane Doe",),
            dateline="LONDON",
        ),
        id="pipe-suffix-outlet-beats-byline-agency",
    ),
    pytest.param(
        "# Headline here\n2021-08-17T10:32:00Z\nBY IAN COBAIN\n"
        "ISLAMABAD, Pakistan — Talks went on.\n",
        ArticleMeta(
            title="Headline here",
            published=date(2021, 8, 17),
            authors=("Ian Cobain",),
            dateline="ISLAMABAD",
        ),
        id="markdown-title-iso-timestamp-caps-byline",
    ),
    pytest.param(
        "Published 20 November 2001\nSome Headline\nText. More text here.\n"
        "© 2021 Dawn Media Group. All rights reserved.\n",
        ArticleMeta(title="Some Headline", published=date(2001, 11, 20), outlet="Dawn Media Group"),
        id="copyright-holder-fallback",
    ),
    pytest.param(
        "Ceasefire Holds\nPosted on March 3rd, 2020 by Jane Doe\nThe guns fell silent.\n",
        ArticleMeta(title="Ceasefire Holds", published=date(2020, 3, 3), authors=("Jane Doe",)),
        id="posted-on-by",
    ),
    pytest.param(
        "Published on Friday, 20 November 2001 in The Independent\n\nLeaders Meet\n\n"
        "By Jane Doe\n\nThe leaders met.\n",
        ArticleMeta(
            title="Leaders Meet",
            published=date(2001, 11, 20),
            outlet="The Independent",
            authors=("Jane Doe",),
        ),
        id="published-in-plain-outlet",
    ),
    pytest.param(
        "Leaders Meet\nLast updated: 2021-08-18\nPublished: 2021-08-17\nThe leaders met.\n",
        ArticleMeta(title="Leaders Meet", published=date(2021, 8, 17)),
        id="published-beats-updated",
    ),
    pytest.param(
        "Leaders Meet\nUpdated: 18 Aug 2021 10:32 GMT\nThe leaders met.\n",
        ArticleMeta(title="Leaders Meet", published=date(2021, 8, 18)),
        id="updated-only",
    ),
    pytest.param(
        "Aid Arrives\nBy Staff Reporter\nKABUL: Aid arrived.\n- AFP\n",
        ArticleMeta(title="Aid Arrives", outlet="AFP", dateline="KABUL"),
        id="role-byline-and-credit-line",
    ),
    pytest.param(
        "Who Will Run Afghanistan?\nBy Jane Doe in London, John Roe in Paris and Ann Lee\n"
        "Nobody knows.\n",
        ArticleMeta(
            title="Who Will Run Afghanistan?", authors=("Jane Doe", "John Roe", "Ann Lee")
        ),
        id="three-authors-with-places",
    ),
    pytest.param(
        "Advertisement\n\nShare this article\n\nSanctions Lifted\n\nBy Nasser al-Hashimi\n\n"
        "The sanctions were lifted.\n",
        ArticleMeta(title="Sanctions Lifted", authors=("Nasser al-Hashimi",)),
        id="chrome-before-title",
    ),
    pytest.param(
        "Leaders Meet\nWritten by [Jane Doe](/authors/jane-doe)\nThe leaders met.\n",
        ArticleMeta(title="Leaders Meet", authors=("Jane Doe",)),
        id="markdown-author-link",
    ),
    pytest.param(
        "Published in the [Times of London](#)\nTroops Head North\nPosted by Jane Doe\nText.\n",
        ArticleMeta(title="Troops Head North", outlet="Times of London", authors=("Jane Doe",)),
        id="undated-published-and-posted-lines",
    ),
    pytest.param(
        "Troops Head North\nPosted by Jane Doe, Reuters\nText.\n",
        ArticleMeta(title="Troops Head North", outlet="Reuters", authors=("Jane Doe",)),
        id="undated-lead-byline-names-the-agency",
    ),
    pytest.param(
        "Updated Covid rules come into force\nThe rules changed.\n",
        ArticleMeta(title="Updated Covid rules come into force"),
        id="headline-starting-with-lead-word",
    ),
]


@pytest.mark.parametrize(("text", "expected"), HEADERS)
def test_web_headers(text: str, expected: ArticleMeta) -> None:
    assert _meta(text) == expected


DATES = [
    pytest.param("Published on Tuesday, November 20, 2001", date(2001, 11, 20), id="weekday-mdy"),
    pytest.param("20 November 2001", date(2001, 11, 20), id="dmy"),
    pytest.param("Nov. 20, 2001", date(2001, 11, 20), id="abbrev-dot"),
    pytest.param("20th of Sept 2001", date(2001, 9, 20), id="ordinal-of"),
    pytest.param("2001-11-20", date(2001, 11, 20), id="iso"),
    pytest.param("2001/11/20 10:32", date(2001, 11, 20), id="iso-slash"),
    pytest.param("February 30, 2001", None, id="impossible-date"),
    pytest.param("2001-13-40", None, id="impossible-iso"),
    pytest.param("Room 12345-67-89", None, id="long-number"),
    pytest.param("May 2001", None, id="no-day"),
]


@pytest.mark.parametrize(("line", "expected"), DATES)
def test_find_date(line: str, expected: date | None) -> None:
    found = find_date(line)
    assert (found[0] if found else None) == expected


BYLINES = [
    pytest.param(
        "by Ian Cobain in Konduz Province and Damian Whitworth in Washington",
        ("Ian Cobain", "Damian Whitworth"),
        None,
        id="places-after-names",
    ),
    pytest.param("By Jane Doe and John Roe", ("Jane Doe", "John Roe"), None, id="and"),
    pytest.param("By Jane Doe, Reuters", ("Jane Doe",), "Reuters", id="agency"),
    pytest.param("By Jane Doe & John Roe | AP", ("Jane Doe", "John Roe"), "AP", id="amp-pipe"),
    pytest.param("By Reuters", (), "Reuters", id="agency-only"),
    pytest.param("By JANE DOE", ("Jane Doe",), None, id="all-caps"),
    pytest.param("Author: Jean-Luc de la Fontaine", ("Jean-Luc de la Fontaine",), None, id="label"),
]


@pytest.mark.parametrize(("line", "authors", "outlet"), BYLINES)
def test_parse_byline(line: str, authors: tuple[str, ...], outlet: str | None) -> None:
    byline = parse_byline(line)
    assert byline is not None
    assert (byline.authors, byline.outlet) == (authors, outlet)


DATELINES = [
    pytest.param("WASHINGTON/KABUL: A day after", "WASHINGTON/KABUL", None, id="colon-two-cities"),
    pytest.param("JAKARTA - Anti-Taliban leader", "JAKARTA", None, id="hyphen"),
    pytest.param("LONDON (Reuters) - Britain said", "LONDON", "Reuters", id="wire-credit"),
    pytest.param("NEW YORK, Nov 20 (AP) — Stocks fell", "NEW YORK", "AP", id="date-and-credit"),
    pytest.param("SAN FRANCISCO, Calif. -- A judge", "SAN FRANCISCO", None, id="state-double-dash"),
    pytest.param("KABUL:\xa0The city", "KABUL", None, id="no-break-space"),
]


@pytest.mark.parametrize(("line", "place", "credit"), DATELINES)
def test_find_dateline(line: str, place: str, credit: str | None) -> None:
    assert find_dateline(line) == (place, credit)


CHROME = [
    "Back to top button",
    "Adblock Detected",
    "Please consider supporting us by disabling your ad blocker",
    "Related Articles",
    "SEE ALSO:",
    "SEE ALSO: Taliban enter Kabul",
    "Must Read",
    "Reuters contributed to this report",
    "Additional reporting by Jane Doe in London",
    "(Reporting by Jane Doe; Editing by John Roe)",
    "Copyright 2001 Times Newspapers Ltd.",
    "© 2021 Dawn Media Group. All rights reserved.",
    "Share this article",
    "Advertisement",
    "Read more",
    "[Read more »](https://example.com/more)",
    "**Related:**",
    "Sign up for our newsletter",
    "Sign up for the Morning Briefing newsletter",
    "Facebook Twitter WhatsApp Email",
    "Follow us on Twitter",
    "You may also like",
    "- Reuters",
]


@pytest.mark.parametrize("line", CHROME, ids=CHROME)
def test_chrome_lines(line: str) -> None:
    assert is_boilerplate(line)


# --------------------------------------------------------------------------
# Negatives
# --------------------------------------------------------------------------

NOT_CHROME = [
    pytest.param('"Read more," he said.', id="quote-with-chrome-words"),
    pytest.param("The share price fell by a third on Monday.", id="share-in-prose"),
    pytest.param("Related talks will resume next week.", id="related-in-prose"),
    pytest.param("Ad blockers are popular, the survey found.", id="ad-blockers-topic"),
    pytest.param("Copyright law was changed in 2001, he said.", id="copyright-topic"),
    pytest.param("UP TO AFGHANS TO DEFEND COUNTRY:", id="section-heading"),
    pytest.param("Twitter", id="single-social-word"),
    pytest.param("x" * 400, id="too-long"),
]


@pytest.mark.parametrize("line", NOT_CHROME)
def test_not_chrome(line: str) -> None:
    assert not is_boilerplate(line)


NOT_HEADLINES = [
    pytest.param(
        "A key Northern Alliance commander says he has reached an outline agreement.",
        id="prose-sentence",
    ),
    pytest.param("The Taliban have taken Kabul. Fighters entered at dawn.", id="two-sentences"),
    pytest.param("JAKARTA - Anti-Taliban leader Ahmad Massoud has said", id="dateline"),
    pytest.param("UP TO AFGHANS TO DEFEND COUNTRY:", id="colon-heading"),
    pytest.param("and then it ended", id="lower-case-start"),
    pytest.param(" ".join(["word"] * 40).capitalize(), id="too-many-words"),
]


@pytest.mark.parametrize("line", NOT_HEADLINES)
def test_not_headline(line: str) -> None:
    assert not looks_like_headline(line)


NOT_BYLINES = [
    pytest.param("By the time the troops arrived, the city had fallen.", id="by-the-time"),
    pytest.param("By Monday, 2,000 fighters had surrendered.", id="by-monday"),
    pytest.param("by and large", id="by-and-large"),
    pytest.param("Bystanders fled.", id="by-prefix-word"),
]


@pytest.mark.parametrize("line", NOT_BYLINES)
def test_not_byline(line: str) -> None:
    assert parse_byline(line) is None


NOT_DATELINES = [
    pytest.param("AMERICAN forces attacking Taleban fighters", id="caps-first-word"),
    pytest.param("UP TO AFGHANS TO DEFEND COUNTRY:", id="heading-nothing-after"),
    pytest.param("UPDATE: The talks resumed", id="label"),
    pytest.param("BREAKING - Kabul falls", id="breaking-label"),
    pytest.param("US: Talks resumed", id="two-letters"),
    pytest.param("Kabul: the city fell", id="not-capitals"),
]


@pytest.mark.parametrize("line", NOT_DATELINES)
def test_not_dateline(line: str) -> None:
    assert find_dateline(line) is None


NEGATIVE_ARTICLES = [
    pytest.param(
        "The talks on March 26, 2000 in Islamabad were long, officials said on Monday.\n"
        "By then, Mr Smith had left.\n",
        ArticleMeta(),
        id="dates-and-by-in-prose",
    ),
    pytest.param(
        "Body prose comes first here and runs on for a long while, as stories do.\n"
        "LONDON - This is not the dateline's paragraph.\n",
        ArticleMeta(dateline="LONDON"),
        id="dateline-in-second-paragraph",
    ),
    pytest.param(
        "Headline\n" + "Prose line.\n" * 20 + "By Jane Doe\nPublished 20 November 2001\n",
        ArticleMeta(title="Headline"),
        id="byline-and-date-after-header",
    ),
    pytest.param("", ArticleMeta(), id="empty"),
    pytest.param("\n\n  \n\t\n", ArticleMeta(), id="blank"),
    pytest.param("\x00\x01\xff\ud800\ufeff", ArticleMeta(), id="binary-junk"),
    pytest.param("Related Articles\nBack to top button\n", ArticleMeta(), id="chrome-only"),
    pytest.param(
        "He said Reuters was wrong.\nNothing else.\n", ArticleMeta(), id="agency-in-prose"
    ),
]


@pytest.mark.parametrize(("text", "expected"), NEGATIVE_ARTICLES)
def test_negative_articles(text: str, expected: ArticleMeta) -> None:
    assert _meta(text) == expected


# --------------------------------------------------------------------------
# Robustness
# --------------------------------------------------------------------------

_HEADERISH = st.sampled_from(
    [
        "By ", "Published on ", "Updated: ", "Copyright ", "©", " (Reuters) - ", "KABUL: ",
        "November 20, 2001", "2001-11-20", "[Times](#)", " in the ", " and ", "\n", "\r\n",
        "Related Articles", "|", "—", "\xa0", "“", "”", "'", '"', "Jane Doe", "Feb 30, 2001",
    ]
)  # fmt: skip
_JUNKY_TEXT = st.lists(st.one_of(_HEADERISH, st.text(max_size=20)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(_JUNKY_TEXT)
def test_never_raises(text: str) -> None:
    meta = _meta(text)
    assert isinstance(meta, ArticleMeta)
    spans = read_article(text)[1]
    assert all(0 <= start < end <= len(text) for start, end in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert all("\n" not in text[start:end] for start, end in spans)




@pytest.mark.parametrize("particle", sorted(lexicon.NAME_PARTICLES))
def test_a_byline_reads_every_particle_the_parser_knows(particle: str) -> None:
    """One particle list: a name the parser reads ("Ann ter Berg") is a byline's author too."""
    byline = parse_byline(f"By Ann {particle} Berg and Bo {particle.title()}-Lind")
    assert byline is not None
    assert byline.authors == (f"Ann {particle} Berg", f"Bo {particle.title()}-Lind")
