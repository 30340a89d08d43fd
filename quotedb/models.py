"""The database schema as SQLAlchemy 2.0 typed ORM classes.

Alembic owns the schema (``migrations/``); these classes must match what the
migrations create, which pytest-alembic's ``model_definitions_match_ddl``
test checks. The metadata has a naming convention so that every constraint
has a stable name: SQLite batch migrations cannot drop unnamed constraints.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose metadata names every constraint."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Article(Base):
    """One ingested article: its original text, metadata and provenance.

    ``content_hash`` (sha256 of the normalised text) is the dedupe key;
    ``source`` is where it came from, so re-ingesting a changed file replaces
    the old version instead of adding a second article.
    """

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(1024), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date, index=True)
    outlet: Mapped[str | None] = mapped_column(String(255))
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    dateline: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    parser_version: Mapped[str] = mapped_column(String(32))
    #: The first stored copy of this article's story when this one is a
    #: near-duplicate of it (a syndicated copy), else NULL (revision 0007).
    #: No ON DELETE action: deleting a first copy is refused until its copies
    #: point at the next one, as SET NULL would make each count alone.
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), index=True)
    #: The body's MinHash signature (``quotedb.duplicates.signature``), so a
    #: new process rebuilds the duplicate index without re-reading every text.
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)

    quotes: Mapped[list[Quote]] = relationship(
        back_populates="article",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Quote.start",
    )

    def __repr__(self) -> str:
        return f"Article(id={self.id!r}, source={self.source!r}, title={self.title!r})"


class Speaker(Base):
    """A person, organisation, document or group that is quoted.

    One row per real speaker across all articles: ``key`` is the normalised
    canonical name and is unique, so "Donald Rumsfeld" from two articles is
    one speaker.
    """

    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str | None] = mapped_column(String(32))
    #: "female" or "male" when the articles' text says so (revision 0005).
    gender: Mapped[str | None] = mapped_column(String(16))

    aliases: Mapped[list[SpeakerAlias]] = relationship(
        back_populates="speaker", cascade="all, delete-orphan", passive_deletes=True
    )
    quotes: Mapped[list[Quote]] = relationship(back_populates="speaker")

    def __repr__(self) -> str:
        return f"Speaker(id={self.id!r}, name={self.name!r}, kind={self.kind!r})"


class SpeakerEvidence(Base):
    """What one article says a speaker is: its vote for the speaker's ``kind``.

    ``Speaker.kind`` is the kind most of the speaker's articles give (ties
    go to the first in ``records.SPEAKER_KINDS``), recomputed from these
    rows when they change, so it does not depend on which article was
    ingested first. An article's rows go with it (revision 0004).
    """

    __tablename__ = "speaker_evidence"

    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    #: The gender this article's text gives the speaker, if any (revision 0005).
    gender: Mapped[str | None] = mapped_column(String(16))

    def __repr__(self) -> str:
        return (f"SpeakerEvidence(speaker_id={self.speaker_id!r}, "
                f"article_id={self.article_id!r}, kind={self.kind!r})")


class SpeakerAlias(Base):
    """Another name a speaker went by ("Mr Rumsfeld", "Rumsfeld")."""

    __tablename__ = "speaker_aliases"
    __table_args__ = (UniqueConstraint("speaker_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speakers.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(255), index=True)

    speaker: Mapped[Speaker] = relationship(back_populates="aliases")

    def __repr__(self) -> str:
        return f"SpeakerAlias(speaker_id={self.speaker_id!r}, alias={self.alias!r})"


class SpeakerDecision(Base):
    """A researcher's fix to the speakers, replayed after every ingest and reparse.

    ``action`` is "merge" (``other`` becomes one speaker with ``speaker``),
    "rename" (``speaker`` is called ``other`` from now on) or "set"
    (``kind`` and/or ``gender`` over what the text says). Speakers are named,
    not referenced by id: ids do not survive a reparse (revision 0008; see
    ``quotedb.curation``).
    """

    __tablename__ = "speaker_curation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    speaker: Mapped[str] = mapped_column(String(255))
    other: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str | None] = mapped_column(String(32))
    gender: Mapped[str | None] = mapped_column(String(16))
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return (f"SpeakerDecision(id={self.id!r}, action={self.action!r}, "
                f"speaker={self.speaker!r}, other={self.other!r})")


class Quote(Base):
    """One direct quotation: ``article.text[start:end] == text``."""

    __tablename__ = "quotes"
    __table_args__ = (
        Index("ix_quotes_article_id_start", "article_id", "start"),
        # A speaker's quotes in article order straight from the index (revision 0003).
        Index("ix_quotes_speaker_id_article_id_start", "speaker_id", "article_id", "start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    paragraph: Mapped[int] = mapped_column(Integer)
    speaker_mention: Mapped[str | None] = mapped_column(String(255))
    cue: Mapped[str | None] = mapped_column(String(64))
    fragment: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The parser rule that chose the speaker (revision 0005; NULL before parser 2.0.0).
    rule: Mapped[str | None] = mapped_column(String(32))

    article: Mapped[Article] = relationship(back_populates="quotes")
    speaker: Mapped[Speaker | None] = relationship(back_populates="quotes")

    def __repr__(self) -> str:
        return f"Quote(id={self.id!r}, article_id={self.article_id!r}, text={self.text[:30]!r})"
