"""Keep each article's URL

Revision ID: 0006_article_url
Revises: 0005_quote_rule_speaker_gender
Create Date: 2026-12-02 04:40:00

Readers took the URL of a JSON/CSV record (``--url-field``) and of an HTML
page and then threw it away, so a quote could not be traced back to the
page it came from. ``articles.url`` keeps it (NULL where the input had
none: plain text files, and every article stored before this revision,
whose URL was never kept and cannot be recovered).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_article_url"
down_revision: str | None = "0005_quote_rule_speaker_gender"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add articles.url (nullable; existing rows keep every value)."""
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("url", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop articles.url."""
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("url")
