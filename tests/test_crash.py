"""SIGKILL during ingest loses nothing: the database stays whole and a rerun completes it."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.corpus import write_corpus

from .snapshot import snapshot

TRIALS = 5
SCHEMA = {"alembic_version", "articles", "quotes", "speakers", "speaker_aliases"}


def ingest_command(db_path: Path, corpus: Path) -> list[str]:
    return [sys.executable, "-m", "quotedb", "--db", str(db_path), "ingest",
            "--workers", "2", "--batch-size", "16", str(corpus)]


@pytest.fixture(scope="module")
def corpus_and_reference(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, float]:
    """A generated corpus, the database of one uninterrupted ingest of it, and its duration."""
    folder = tmp_path_factory.mktemp("crash")
    corpus = folder / "corpus"
    write_corpus(corpus, 600, seed=11)
    reference = folder / "reference.db"
    started = time.perf_counter()
    subprocess.run(ingest_command(reference, corpus), check=True, capture_output=True)
    return corpus, reference, time.perf_counter() - started


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(TRIALS))
def test_sigkill_mid_ingest_then_rerun_matches_uninterrupted_run(
    corpus_and_reference: tuple[Path, Path, float], tmp_path: Path, trial: int
) -> None:
    corpus, reference, duration = corpus_and_reference
    target = tmp_path / "crashed.db"
    # Somewhere between start-up (migrating a new file) and the last batch.
    delay = duration * random.Random(trial).uniform(0.15, 0.9)
    process = subprocess.Popen(ingest_command(target, corpus), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGKILL)  # the writer and its parser workers
    process.wait()

    if target.exists():
        with sqlite3.connect(target) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            tables = {name for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        # Killed while the new file was being migrated: the schema is one
        # transaction, so it is all there or not at all.
        assert SCHEMA <= tables or not SCHEMA & tables, tables
    if target.exists() and SCHEMA <= tables:
        partial = snapshot(f"sqlite:///{target}")
        expected = snapshot(f"sqlite:///{reference}")
        # Every stored article has exactly its full set of quotes.
        stored_sources = {row[0] for row in partial["articles"]}
        assert set(partial["quotes"]) == {
            q for q in expected["quotes"] if q[0] in stored_sources
        }

    rerun = subprocess.run(ingest_command(target, corpus), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert snapshot(f"sqlite:///{target}") == snapshot(f"sqlite:///{reference}")
