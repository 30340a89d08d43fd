"""Plain value types that the parser produces and ingest consumes.

They live in their own module so that the parser, the metadata extractor,
ingest and the evaluation code can share them without importing each other
(and without importing SQLAlchemy: parsing is pure Python).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: Kinds of speaker the parser can tell apart.
SPEAKER_KINDS = ("person", "organisation", "document", "group")


@dataclass(frozen=True, slots=True)
class Speaker:
    """Somebody (or something) an article quotes, resolved within the article.

    ``name`` is the canonical full name with titles stripped ("Donald Rumsfeld");
    ``aliases`` are the other ways the article referred to them by name
    ("Mr Rumsfeld", "Rumsfeld", "Defense Secretary Donald Rumsfeld").
    Pronouns ("he") are mentions, not aliases.
    """

    name: str
    kind: str | None = None
    aliases: tuple[str, ...] = ()
    #: "female" or "male" when the text says so (a title such as Mr or Ms, a
    #: role noun such as spokeswoman, "he" or "she" resolved to the person);
    #: never guessed from a first name. None when the text does not tell.
    gender: str | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """One direct quotation: ``article_text[start:end] == text``.

    ``fragment`` marks scare quotes and short fragments with no speech cue
    ("foreign" force, the "meltdown"): kept for completeness, never attributed.
    """

    text: str
    start: int
    end: int
    paragraph: int
    speaker: str | None = None
    speaker_kind: str | None = None
    speaker_mention: str | None = None
    cue: str | None = None
    fragment: bool = False
    #: Name of the attribution rule that decided (``quotedb.parser.rules``):
    #: "after", "before", "dash", "colon", "continuation", … or "none".
    rule: str = "none"


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """An article's metadata, all optional: what its text says, or its page or record states.

    ``url`` is never in the text: only a page or a record gives one.
    """

    title: str | None = None
    published: date | None = None
    outlet: str | None = None
    authors: tuple[str, ...] = ()
    dateline: str | None = None
    url: str | None = None

    def over(self, fallback: ArticleMeta) -> ArticleMeta:
        """This metadata, each missing field taken from ``fallback``.

        A page's or record's own metadata wins over what the parser read
        from the text: it is what the outlet stated, not a guess.

        >>> ArticleMeta(title="Page").over(ArticleMeta(title="Text", outlet="AP"))
        ArticleMeta(title='Page', published=None, outlet='AP', authors=(), dateline=None, url=None)
        """
        return ArticleMeta(
            title=self.title or fallback.title,
            published=self.published or fallback.published,
            outlet=self.outlet or fallback.outlet,
            authors=self.authors or fallback.authors,
            dateline=self.dateline or fallback.dateline,
            url=self.url or fallback.url,
        )


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    """Everything the parser found in one article."""

    text: str
    meta: ArticleMeta = field(default_factory=ArticleMeta)
    quotes: tuple[Quote, ...] = ()
    speakers: tuple[Speaker, ...] = ()

    @property
    def fragment_count(self) -> int:
        """How many of ``quotes`` are fragments, which are stored but never counted as quotes."""
        return sum(1 for quote in self.quotes if quote.fragment)
