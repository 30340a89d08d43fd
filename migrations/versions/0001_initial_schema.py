"""Initial schema: articles, speakers, aliases, quotes

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23 20:39:42.107525
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create articles, speakers, speaker_aliases and quotes."""
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=1024), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("outlet", sa.String(length=255), nullable=True),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("dateline", sa.String(length=255), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parser_version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_articles_content_hash")),
        sa.UniqueConstraint("source", name=op.f("uq_articles_source")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_articles_published"), ["published"], unique=False)

    op.create_table(
        "speakers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speakers")),
        sa.UniqueConstraint("key", name=op.f("uq_speakers_key")),
    )
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("paragraph", sa.Integer(), nullable=False),
        sa.Column("speaker_mention", sa.String(length=255), nullable=True),
        sa.Column("cue", sa.String(length=64), nullable=True),
        sa.Column("fragment", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_quotes_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["speakers.id"],
            name=op.f("fk_quotes_speaker_id_speakers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index("ix_quotes_article_id_start", ["article_id", "start"], unique=False)
        batch_op.create_index(batch_op.f("ix_quotes_speaker_id"), ["speaker_id"], unique=False)

    op.create_table(
        "speaker_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["speakers.id"],
            name=op.f("fk_speaker_aliases_speaker_id_speakers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaker_aliases")),
        sa.UniqueConstraint("speaker_id", "key", name=op.f("uq_speaker_aliases_speaker_id")),
    )
    with op.batch_alter_table("speaker_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speaker_aliases_key"), ["key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_speaker_aliases_speaker_id"), ["speaker_id"], unique=False
        )


def downgrade() -> None:
    """Drop every quotedb table."""
    with op.batch_alter_table("speaker_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speaker_aliases_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_speaker_aliases_key"))

    op.drop_table("speaker_aliases")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotes_speaker_id"))
        batch_op.drop_index("ix_quotes_article_id_start")

    op.drop_table("quotes")
    op.drop_table("speakers")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_articles_published"))

    op.drop_table("articles")
