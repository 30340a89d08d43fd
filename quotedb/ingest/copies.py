"""Syndicated copies at ingest: each new article is looked up among the stored ones.

A wire story arrives once per outlet that ran it. ``articles.duplicate_of``
names the first copy stored, so queries can count a syndicated quote once
while every copy (and its outlet) is kept. The lookup is
``duplicates.DuplicateIndex`` over the signatures stored in
``articles.minhash``; the writer keeps the index in memory and, at the
start of each batch, reads the signatures stored since (its own and other
writers'), so several ingest processes on one PostgreSQL server see each
other's articles at batch granularity.

Memory: the index holds about 2.3 KB per first copy (230 MB at 100k
distinct stories), read once per ingest run; a corpus in the millions would
keep the band keys in a table instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Connection, Table, bindparam, select, update

from .. import models
from ..duplicates import DuplicateIndex

ARTICLES = cast(Table, models.Article.__table__)


@dataclass(slots=True)
class CopyFinder:
    """The signatures this writer has seen; what a transaction adds is staged.

    Staged signatures sit in a small index of their own until the
    transaction commits, so a rolled-back batch leaves no article behind in
    the index that the database does not have.
    """

    index: DuplicateIndex = field(default_factory=DuplicateIndex)
    staged: DuplicateIndex = field(default_factory=DuplicateIndex)
    seen: int = 0

    def refresh(self, connection: Connection) -> None:
        """Index the signatures stored since the last look (by any writer)."""
        a = ARTICLES.c
        rows = connection.execute(
            select(a.id, a.minhash, a.duplicate_of)
            .where(a.id > self.seen, a.minhash.is_not(None)).order_by(a.id)
        )
        for article_id, sig, first in rows:
            if first is None:  # first copies only: see ``mark_copies``
                self.index.add(article_id, sig)
            self.seen = max(self.seen, article_id)

    def find(self, sig: bytes | None, exclude: int | None = None) -> int | None:
        """A stored or staged article ``sig`` is a copy of (not ``exclude``), or None."""
        for index in (self.index, self.staged):
            for article_id, _ in _matches(index, sig):
                if article_id != exclude:
                    return article_id
        return None

    def stage(self, article_id: int, sig: bytes | None) -> None:
        self.staged.add(article_id, sig)

    def commit(self) -> None:
        for article_id, sig in self.staged._signatures.items():
            self.index.add(article_id, sig)
        self.rollback()

    def rollback(self) -> None:
        self.staged = DuplicateIndex()


def _matches(index: DuplicateIndex, sig: bytes | None) -> list[tuple[int, float]]:
    return [(article_id, score) for article_id, score in index.candidates(sig)
            if score >= index.threshold]


def mark_copies(connection: Connection, finder: CopyFinder,
                articles: Iterable[tuple[int, bytes | None]]) -> None:
    """Set ``duplicate_of`` for just-stored articles that copy an earlier one.

    ``duplicate_of`` always names the first copy (the root), never a copy of
    it, so counting "once" is a GROUP BY on ``coalesce(duplicate_of, id)``.
    """
    marks = []
    for article_id, sig in articles:
        match = finder.find(sig, exclude=article_id)
        if match is not None:
            root = connection.execute(
                select(ARTICLES.c.duplicate_of, ARTICLES.c.id).where(ARTICLES.c.id == match)
            ).first()
            if root is not None:
                marks.append({"b_id": article_id, "b_root": root[0] or root[1]})
                continue
        # Only first copies are indexed: a story's copies are found through
        # it, and indexing them too would make a much-syndicated story's
        # every new copy compare against all its earlier ones (quadratic).
        finder.stage(article_id, sig)
    if marks:
        connection.execute(
            update(ARTICLES).where(ARTICLES.c.id == bindparam("b_id"))
            .values(duplicate_of=bindparam("b_root")), marks)


def release_copies(connection: Connection, article_id: int) -> None:
    """Before an article is deleted or its text replaced: its copies get a new root.

    The earliest remaining copy becomes the first copy and the others point
    to it, so no ``duplicate_of`` dangles (the foreign key refuses that)
    and the story is still counted once.
    """
    a = ARTICLES.c
    copies = connection.execute(
        select(a.id).where(a.duplicate_of == article_id).order_by(a.id)).scalars().all()
    if not copies:
        return
    root, rest = copies[0], copies[1:]
    connection.execute(update(ARTICLES).where(a.id == root).values(duplicate_of=None))
    if rest:
        connection.execute(update(ARTICLES).where(a.duplicate_of == article_id)
                           .values(duplicate_of=root))


__all__ = ["CopyFinder", "mark_copies", "release_copies"]
