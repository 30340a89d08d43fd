"""Comparable views of a whole database, for tests that compare two runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quotedb import db, models


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a user would see, without ids or timestamps, sorted."""
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            a, q, s, al = models.Article, models.Quote, models.Speaker, models.SpeakerAlias
            tables = {
                "articles": sorted(session.execute(
                    select(a.source, a.content_hash, a.title, a.published, a.outlet)
                ).all()),
                "quotes": sorted(session.execute(
                    select(a.source, q.start, q.end, q.text, s.name, q.speaker_mention, q.cue,
                           q.fragment)
                    .join(a, a.id == q.article_id).outerjoin(s, s.id == q.speaker_id)
                ).all(), key=repr),
                "speakers": sorted(session.execute(select(s.name, s.key, s.kind)).all(),
                                   key=repr),
                "aliases": sorted(session.execute(
                    select(s.name, al.alias).join(al, al.speaker_id == s.id)
                ).all()),
            }
            return {name: [tuple(row) for row in rows] for name, rows in tables.items()}
    finally:
        engine.dispose()
