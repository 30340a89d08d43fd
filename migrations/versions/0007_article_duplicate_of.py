"""articles.duplicate_of and articles.minhash: syndicated copies

Revision ID: 0007_article_duplicate_of
Revises: 0008_speaker_curation
Create Date: 2026-12-02 05:00:00

A wire story stored once per outlet that ran it should count its quotes
once. ``articles.duplicate_of`` points a near-duplicate copy at the first
stored copy of its story (NULL for a first copy or an article with no
copy), and
``articles.minhash`` keeps the body's MinHash signature
(``quotedb.duplicates``) so a new ingest process rebuilds its duplicate
index from the database. Existing articles get NULL in both: nothing is
guessed until they are signed.

The foreign key has no ON DELETE action, on purpose: when a first copy
goes, its copies must be pointed at the next one (SET NULL would leave each
counting alone), which only the code deleting it can do, so the database
refuses the delete until it has.

Numbered 0007 but revising 0008: 0008_speaker_curation landed first on
0006, and one line of revisions (not two heads) is what ``upgrade head``
and every existing database at 0008 need.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_article_duplicate_of"
down_revision: str | None = "0008_speaker_curation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The names the models' naming convention gives the constraint and the index.
_FK = "fk_articles_duplicate_of_articles"
_INDEX = "ix_articles_duplicate_of"


def upgrade() -> None:
    """Add articles.duplicate_of (indexed, nullable FK to articles.id) and articles.minhash."""
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a foreign key column in place only with the reference
        # inline; a batch copy of articles would drop the old table, which
        # with foreign keys on deletes every article's quotes on the way.
        op.execute(f"ALTER TABLE articles ADD COLUMN duplicate_of INTEGER CONSTRAINT {_FK} "
                   "REFERENCES articles (id)")
    else:
        op.add_column("articles", sa.Column("duplicate_of", sa.Integer(), nullable=True))
        op.create_foreign_key(_FK, "articles", "articles", ["duplicate_of"], ["id"])
    op.add_column("articles", sa.Column("minhash", sa.LargeBinary(), nullable=True))
    op.create_index(_INDEX, "articles", ["duplicate_of"])


def downgrade() -> None:
    """Drop the index, the foreign key and both columns (in place, on SQLite too)."""
    op.drop_index(_INDEX, table_name="articles")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column whose reference is inline in place.
        op.execute("ALTER TABLE articles DROP COLUMN minhash")
        op.execute("ALTER TABLE articles DROP COLUMN duplicate_of")
    else:
        op.drop_constraint(_FK, "articles", type_="foreignkey")
        op.drop_column("articles", "minhash")
        op.drop_column("articles", "duplicate_of")
