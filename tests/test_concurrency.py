"""Several ``quotedb ingest`` processes at once, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.corpus import write_corpus
from quotedb import db, models, roles

from .conftest import reader_url
from .snapshot import snapshot


def quotedb_process(url: str, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "QUOTEDB_URL"}
    return subprocess.Popen([sys.executable, "-m", "quotedb", "--db", url, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    process = quotedb_process(url, *args)
    stdout, stderr = process.communicate(timeout=600)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_four_writers_on_overlapping_inputs(db_url: str, tmp_path: Path) -> None:
    files = [str(p) for p in write_corpus(tmp_path / "corpus", 80, seed=7)]
    # Writer k takes a window of 40 files starting at 20k (wrapping), so
    # every file is ingested by two writers at about the same time.
    shares = [[files[(20 * k + i) % len(files)] for i in range(40)] for k in range(4)]
    writers = [quotedb_process(db_url, "ingest", "--workers", "1", "--batch-size", "8", *share)
               for share in shares]
    results = [(w.wait(timeout=600), w.stderr.read() if w.stderr else "") for w in writers]
    for code, stderr in results:
        assert code == 0, stderr
        assert "failed" in stderr and ", 0 failed" in stderr

    reference = str(tmp_path / "reference.db")
    assert run(reference, "ingest", "--workers", "1", *files).returncode == 0
    expected, got = snapshot(f"sqlite:///{reference}"), snapshot(db_url)
    assert len(got["articles"]) == 80
    assert got["articles"] == expected["articles"]
    assert got["quotes"] == expected["quotes"]
    assert sorted(s[1] for s in got["speakers"]) == sorted(s[1] for s in expected["speakers"])
    # Each speaker is counted new by exactly one writer, even when two raced to add it.
    added = [int(m[1]) for _, stderr in results
             for m in re.finditer(r"speakers: (\d+) new", stderr)]
    assert len(added) == 4 and sum(added) == len(got["speakers"])
    assert got["aliases"] == expected["aliases"] or {a[1] for a in got["aliases"]} == {
        a[1] for a in expected["aliases"]
    }


def test_readers_work_while_an_ingest_runs(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 300, seed=3)
    assert run(db_url, "db", "upgrade").returncode == 0
    monkeypatch.setenv(roles.READ_URL_ENV, reader_url(db_url))
    writer = quotedb_process(db_url, "ingest", "--workers", "2", "--batch-size", "4", str(corpus))
    reads = 0
    try:
        while writer.poll() is None or reads < 2:
            for args in (("quotes", "--limit", "5", "--format", "csv"),
                         ("sql", "select count(*) from quotes")):
                result = run(db_url, *args)
                assert result.returncode == 0, result.stderr
                reads += 1
            time.sleep(0.05)
    finally:
        writer.wait(timeout=600)
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    engine = db.make_engine(db_url)
    try:
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(models.Article)) == 300
    finally:
        engine.dispose()
