"""Full-text search on quotes: SQLite FTS5, PostgreSQL GIN over tsvector

Revision ID: 0002_quote_search
Revises: 0001_initial
Create Date: 2026-11-23 21:00:00

SQLite gets an external-content FTS5 table ``quotes_fts`` kept in sync by
triggers (Datasette detects it and offers search on ``quotes``); PostgreSQL
gets a GIN index on ``to_tsvector('english', text)``, which the search query
repeats exactly so the planner can use it. Neither is in the ORM models:
env.py leaves them out of autogenerate.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002_quote_search"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UPGRADE = [
    """CREATE VIRTUAL TABLE quotes_fts USING fts5(
        text, content='quotes', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
        INSERT INTO quotes_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
        INSERT INTO quotes_fts(quotes_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER quotes_fts_update AFTER UPDATE OF text ON quotes BEGIN
        INSERT INTO quotes_fts(quotes_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO quotes_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    # Index the quotes that were stored before this revision.
    "INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild')",
]

SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS quotes_fts_update",
    "DROP TRIGGER IF EXISTS quotes_fts_delete",
    "DROP TRIGGER IF EXISTS quotes_fts_insert",
    "DROP TABLE IF EXISTS quotes_fts",
]

POSTGRES_UPGRADE = [
    "CREATE INDEX ix_quotes_text_fts ON quotes USING gin (to_tsvector('english', text))",
]

POSTGRES_DOWNGRADE = ["DROP INDEX IF EXISTS ix_quotes_text_fts"]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    """Add the full-text index for the backend in use."""
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UPGRADE)
    elif dialect == "postgresql":
        _run(POSTGRES_UPGRADE)


def downgrade() -> None:
    """Drop the full-text index (the quotes themselves stay)."""
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWNGRADE)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWNGRADE)
