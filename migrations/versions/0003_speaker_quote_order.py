"""Index quotes by speaker in article order

Revision ID: 0003_speaker_quote_order
Revises: 0002_quote_search
Create Date: 2026-11-23 22:15:00

``quotedb quotes --speaker X`` lists a speaker's quotes in article order; an
index on (speaker_id, article_id, start) serves that without sorting all of a
much-quoted speaker's rows. It replaces the index on speaker_id alone, which
is its prefix.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_speaker_quote_order"
down_revision: str | None = "0002_quote_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Replace the speaker_id index with (speaker_id, article_id, start)."""
    op.create_index(
        "ix_quotes_speaker_id_article_id_start", "quotes", ["speaker_id", "article_id", "start"]
    )
    op.drop_index("ix_quotes_speaker_id", table_name="quotes")


def downgrade() -> None:
    """Put back the index on speaker_id alone."""
    op.create_index("ix_quotes_speaker_id", "quotes", ["speaker_id"])
    op.drop_index("ix_quotes_speaker_id_article_id_start", table_name="quotes")
