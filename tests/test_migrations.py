"""Schema migrations: pytest-alembic's built-in checks, on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from pytest_alembic.tests import (  # noqa: F401  (collected as tests)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quotedb import db, models, queries


@pytest.fixture
def alembic_config() -> dict[str, Any]:
    """The installed (or checked-out) migration scripts, found like the CLI finds them."""
    return {"script_location": str(db.script_location())}


@pytest.fixture
def alembic_engine(db_url: str) -> Iterator[Engine]:
    """quotedb's own engine (with its SQLite settings) on a fresh database."""
    engine = db.make_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


def test_upgrade_keeps_every_row_and_indexes_old_quotes(alembic_runner: Any,
                                                        alembic_engine: Engine) -> None:
    """A database filled at the previous revision upgrades with its data intact."""
    alembic_runner.migrate_up_before("0002_quote_search")
    alembic_runner.insert_into("articles", [{
        "id": 1, "source": "old.txt", "content_hash": "h" * 64, "title": "Old",
        "published": None, "outlet": None, "authors": [], "dateline": None,
        "text": "“Safe passage is off the table,” said Ann Lee.",
        "ingested_at": datetime(2021, 8, 10, tzinfo=timezone.utc), "parser_version": "0",
    }])
    alembic_runner.insert_into("speakers", [{"id": 1, "name": "Ann Lee", "key": "ann lee",
                                             "kind": "person"}])
    alembic_runner.insert_into("quotes", [{
        "id": 1, "article_id": 1, "speaker_id": 1, "text": "Safe passage is off the table,",
        "start": 1, "end": 31, "paragraph": 0, "speaker_mention": "Ann Lee", "cue": "said",
        "fragment": False,
    }])
    alembic_runner.migrate_up_one()

    with Session(alembic_engine) as session:
        assert session.scalars(select(models.Quote.text)).all() == [
            "Safe passage is off the table,"]
        found = session.execute(queries.quotes_select(
            queries.QuoteFilter(search='"safe passage"', all_copies=True),
            alembic_engine.dialect.name)).all()
        assert [row.speaker for row in found] == ["Ann Lee"]

    # Down and up again: the full-text index goes and comes back, the rows stay.
    alembic_runner.migrate_down_one()
    alembic_runner.migrate_up_one()
    with Session(alembic_engine) as session:
        found = session.execute(queries.quotes_select(
            queries.QuoteFilter(search="passage", all_copies=True),
            alembic_engine.dialect.name)).all()
        assert len(found) == 1
        assert session.scalar(select(func.count()).select_from(models.Article)) == 1


def test_speaker_evidence_is_backfilled_from_stored_kinds(alembic_runner: Any,
                                                          alembic_engine: Engine) -> None:
    """Each article quoting a speaker votes for the kind kept so far: kinds stay as they were."""
    alembic_runner.migrate_up_before("0004_speaker_kind_evidence")
    alembic_runner.insert_into("articles", [{
        "id": 1, "source": "old.txt", "content_hash": "h" * 64, "title": None,
        "published": None, "outlet": None, "authors": [], "dateline": None,
        "text": "“It is over,” said the Kestrel Bay. “It is,” it said.",
        "ingested_at": datetime(2021, 8, 10, tzinfo=timezone.utc), "parser_version": "0",
    }])
    alembic_runner.insert_into("speakers", [
        {"id": 1, "name": "Kestrel Bay", "key": "kestrel bay", "kind": "organisation"},
        {"id": 2, "name": "Nobody", "key": "nobody", "kind": None},
    ])
    alembic_runner.insert_into("quotes", [
        {"id": n, "article_id": 1, "speaker_id": 1, "text": "It", "start": start,
         "end": start + 2, "paragraph": 0, "speaker_mention": None, "cue": "said",
         "fragment": False}
        for n, start in ((1, 1), (2, 37))
    ])
    alembic_runner.migrate_up_one()

    with Session(alembic_engine) as session:
        rows = session.execute(select(models.SpeakerEvidence.speaker_id,
                                      models.SpeakerEvidence.article_id,
                                      models.SpeakerEvidence.kind)).all()
        assert [tuple(row) for row in rows] == [(1, 1, "organisation")]


def test_article_url_column_keeps_old_rows(alembic_runner: Any, alembic_engine: Engine) -> None:
    """0006 adds articles.url: old articles keep every value and get NULL, new ones store it."""
    alembic_runner.migrate_up_before("0006_article_url")
    alembic_runner.insert_into("articles", [{
        "id": 1, "source": "old.txt", "content_hash": "h" * 64, "title": "Old",
        "published": None, "outlet": "Wire", "authors": ["Ann Lee"], "dateline": None,
        "text": "“It is over,” said Ann Lee.",
        "ingested_at": datetime(2021, 8, 10, tzinfo=timezone.utc), "parser_version": "2.0.0",
    }])
    alembic_runner.migrate_up_one()
    # Columns, not the ORM class: the class also maps columns of later revisions.
    Article = models.Article
    with Session(alembic_engine) as session:
        row = session.execute(select(Article.title, Article.outlet, Article.authors,
                                     Article.url)).one()
        assert tuple(row) == ("Old", "Wire", ["Ann Lee"], None)
        session.execute(update(Article).values(url="https://example.org/old"))
        session.commit()
    alembic_runner.migrate_down_one()
    alembic_runner.migrate_up_one()
    with Session(alembic_engine) as session:
        assert session.scalar(select(Article.title)) == "Old"


def test_duplicate_of_columns_keep_articles_and_their_quotes(alembic_runner: Any,
                                                             alembic_engine: Engine) -> None:
    """0007 adds articles.duplicate_of and minhash: old articles keep their quotes and get NULL,
    and a copy can point at its first copy, whose delete is then refused until it does not."""
    alembic_runner.migrate_up_before("0007_article_duplicate_of")
    alembic_runner.insert_into("articles", [{
        "id": i, "source": f"{i}.txt", "content_hash": str(i) * 64, "title": "Old",
        "published": None, "outlet": "Wire", "authors": [], "dateline": None, "url": None,
        "text": "“It is over,” said Ann Lee.",
        "ingested_at": datetime(2021, 8, 10, tzinfo=timezone.utc), "parser_version": "2.0.0",
    } for i in (1, 2)])
    alembic_runner.insert_into("speakers", [{"id": 1, "name": "Ann Lee", "key": "ann lee",
                                             "kind": "person"}])
    alembic_runner.insert_into("quotes", [{
        "id": i, "article_id": i, "speaker_id": 1, "text": "It is over,", "start": 1,
        "end": 12, "paragraph": 0, "speaker_mention": "Ann Lee", "cue": "said",
        "fragment": False,
    } for i in (1, 2)])
    alembic_runner.migrate_up_one()
    with Session(alembic_engine) as session:
        articles = session.scalars(select(models.Article).order_by(models.Article.id)).all()
        assert [(a.duplicate_of, a.minhash, len(a.quotes)) for a in articles] == [
            (None, None, 1), (None, None, 1)]
        articles[1].duplicate_of = 1
        articles[1].minhash = b"\x01\x02"
        session.commit()
    with Session(alembic_engine) as session, pytest.raises(IntegrityError):
        session.delete(session.get_one(models.Article, 1))
        session.commit()
    with Session(alembic_engine) as session:
        copy = session.get_one(models.Article, 2)
        assert (copy.duplicate_of, copy.minhash, len(copy.quotes)) == (1, b"\x01\x02", 1)
        copy.duplicate_of = None
        session.delete(session.get_one(models.Article, 1))
        session.commit()
        assert session.scalars(select(models.Article.id)).all() == [2]
