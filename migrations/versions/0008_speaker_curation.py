"""A table of speaker curation decisions

Revision ID: 0008_speaker_curation
Revises: 0006_article_url
Create Date: 2026-12-02 05:00:00

``quotedb speakers merge / rename / set`` store each fix as a row here and
apply it; ingest and reparse replay every row afterwards, so a fix made
once survives the speakers being re-created from the text
(``quotedb.curation``). A new, empty table: no existing data changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_speaker_curation"
down_revision: str | None = "0006_article_url"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create speaker_curation."""
    op.create_table(
        "speaker_curation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("speaker", sa.String(length=255), nullable=False),
        sa.Column("other", sa.String(length=255), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("gender", sa.String(length=16), nullable=True),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaker_curation")),
    )


def downgrade() -> None:
    """Drop speaker_curation (the decisions are lost; what they changed stays)."""
    op.drop_table("speaker_curation")
