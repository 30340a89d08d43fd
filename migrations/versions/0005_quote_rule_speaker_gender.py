"""Which rule attributed each quote; the gender the text gives each speaker

Revision ID: 0005_quote_rule_speaker_gender
Revises: 0004_speaker_kind_evidence
Create Date: 2026-12-02 02:40:00

Parser 2.0.0 names the attribution rule that chose a quote's speaker
(``quotes.rule``: after, dash, before, colon, continuation, ...), so users
can see why a speaker was chosen, and reports the gender the text gives a
speaker (a title such as Mr or Ms, a role noun, a "he" or "she" resolved to
them). Like the kind, the gender is one vote per article in
``speaker_evidence`` and ``speakers.gender`` is decided from all of them, so
ingest order does not matter. Quotes and speakers stored by an older parser
keep NULL: nothing is guessed for them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_quote_rule_speaker_gender"
down_revision: str | None = "0004_speaker_kind_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add quotes.rule, speakers.gender and speaker_evidence.gender (all nullable)."""
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("rule", sa.String(length=32), nullable=True))
    with op.batch_alter_table("speakers") as batch:
        batch.add_column(sa.Column("gender", sa.String(length=16), nullable=True))
    with op.batch_alter_table("speaker_evidence") as batch:
        batch.add_column(sa.Column("gender", sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Drop the three columns."""
    with op.batch_alter_table("speaker_evidence") as batch:
        batch.drop_column("gender")
    with op.batch_alter_table("speakers") as batch:
        batch.drop_column("gender")
    with op.batch_alter_table("quotes") as batch:
        batch.drop_column("rule")
