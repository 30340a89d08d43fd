"""Speaker kinds decided by every article, not the first

Revision ID: 0004_speaker_kind_evidence
Revises: 0003_speaker_quote_order
Create Date: 2026-12-02 02:00:00

A speaker's ``kind`` was whatever the first article that quoted them said,
so the same corpus ingested in another order stored other kinds. Each
article's say is now kept in ``speaker_evidence`` (one row per article and
speaker it quotes with a kind) and ``speakers.kind`` is the majority of it.
Existing databases have only the kind that was kept: each article quoting a
speaker is backfilled with it, so kinds are unchanged until new evidence
arrives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_speaker_kind_evidence"
down_revision: str | None = "0003_speaker_quote_order"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add speaker_evidence and fill it from the kinds stored so far."""
    op.create_table(
        "speaker_evidence",
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"],
            name=op.f("fk_speaker_evidence_article_id_articles"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["speakers.id"],
            name=op.f("fk_speaker_evidence_speaker_id_speakers"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("speaker_id", "article_id", name=op.f("pk_speaker_evidence")),
    )
    with op.batch_alter_table("speaker_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speaker_evidence_article_id"), ["article_id"],
                              unique=False)
    op.execute(
        "INSERT INTO speaker_evidence (speaker_id, article_id, kind) "
        "SELECT DISTINCT q.speaker_id, q.article_id, s.kind "
        "FROM quotes q JOIN speakers s ON s.id = q.speaker_id WHERE s.kind IS NOT NULL"
    )


def downgrade() -> None:
    """Drop speaker_evidence (speakers keep the kinds decided so far)."""
    with op.batch_alter_table("speaker_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speaker_evidence_article_id"))
    op.drop_table("speaker_evidence")
