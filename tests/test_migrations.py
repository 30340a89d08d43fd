"""Schema migrations: pytest-alembic's built-in checks, on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytest_alembic.tests import (  # noqa: F401  (collected as tests)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Engine

from quotedb import db


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
