"""Alembic environment for quotedb.

The database URL comes from where the CLI takes it: an outside connection
(``quotedb db upgrade`` and the tests pass one in ``config.attributes``), else
the ``sqlalchemy.url`` set on the config, else ``--db``'s environment variable
``QUOTEDB_URL`` / the default ``quotes.db`` (so plain ``alembic upgrade head``
from the repository root acts on the same database as ``quotedb``).
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, Engine

from quotedb.db import make_engine, resolve_url, writer
from quotedb.models import Base

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    """The database URL: the config's own, else quotedb's usual resolution."""
    return config.get_main_option("sqlalchemy.url") or resolve_url(None)


#: Schema objects that migrations create outside the ORM models (full-text
#: search, see revision 0002); autogenerate must not try to drop them.
UNMODELLED_PREFIXES = ("quotes_fts", "ix_quotes_text_fts")


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Leave the hand-written full-text search objects out of autogenerate."""
    return not (name and name.startswith(UNMODELLED_PREFIXES))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        render_as_batch=True,  # SQLite can only ALTER tables by copying them
        compare_type=True,
    )


def run_migrations_offline() -> None:
    """Emit the SQL for a migration without a database (``--sql``)."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over the caller's connection or engine, or one of our own.

    ``quotedb db`` passes a Connection (its transaction is the caller's);
    pytest-alembic passes an Engine.
    """
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        _run(given)
        return
    engine = given if isinstance(given, Engine) else writer(make_engine(_url()))
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        if given is None:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
