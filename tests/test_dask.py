"""Ingest on a Dask cluster (``--scheduler`` / ``Database.ingest(client=)``), on real databases.

A ``LocalCluster`` of two worker processes stands in for a cluster: its
workers import quotedb, read the files and parse them as remote ones would,
and on PostgreSQL write to the real server. Each run is compared with a
local ingest of the same files into a fresh database of the same backend.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from bench.corpus import write_corpus
from quotedb import connect
from quotedb.ingest import Outcome

from .conftest import POSTGRES_ENV, Quotedb, postgres_database
from .snapshot import snapshot

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (extra 'dask'): Dask tests skipped")


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    """A client of a two-process, one-thread-each local cluster, shared by this module."""
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as dask_client:
        yield dask_client


@contextmanager
def reference_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """Another fresh database on ``db_url``'s backend, for the local run to compare with."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'reference.db'}"
        return
    with postgres_database(os.environ[POSTGRES_ENV]) as url:
        yield url


def corpus_with_bad_files(folder: Path, count: int) -> Path:
    """Generated articles, with two undecodable files among them (sorted in the middle)."""
    write_corpus(folder, count, seed=5)
    (folder / "article_0000003_bad.txt").write_bytes(b"caf\xe9 au lait")
    (folder / "article_0000011_bad.txt").write_bytes(b"\x00\x01\x02")
    return folder


def ingest_with(url: str, folder: Path | str, **options: object) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with connect(url) as database:
        database.ingest(folder, on_outcome=outcomes.append, **options)  # type: ignore[arg-type]
    return outcomes


def test_cluster_ingest_equals_local_ingest_in_input_order(
    db_url: str, tmp_path: Path, client: distributed.Client
) -> None:
    folder = corpus_with_bad_files(tmp_path / "corpus", 40)
    on_cluster = ingest_with(db_url, folder, client=client, batch_size=8)
    with reference_url(db_url, tmp_path) as local_url:
        local = ingest_with(local_url, folder, workers=1, batch_size=8)
        assert [(o.source, o.status, o.quotes, o.error) for o in on_cluster] == \
            [(o.source, o.status, o.quotes, o.error) for o in local]
        assert snapshot(db_url) == snapshot(local_url)
    assert [o.source for o in on_cluster] == sorted(str(p) for p in folder.iterdir())
    assert sum(o.status == "failed" for o in on_cluster) == 2


def test_cli_scheduler_prints_the_local_summary_and_errors(
    db_url: str, tmp_path: Path, client: distributed.Client
) -> None:
    folder = corpus_with_bad_files(tmp_path / "corpus", 12)
    result = Quotedb(db_url)("ingest", str(folder), "--batch-size", "4",
                             "--scheduler", client.scheduler.address)
    with reference_url(db_url, tmp_path) as local_url:
        local = Quotedb(local_url)("ingest", str(folder), "--batch-size", "4", "--workers", "1")
    assert (result.exit_code, result.output) == (1, local.output)
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert [line.split(":")[1].strip() for line in errors] == [
        f"{folder}/article_0000003_bad.txt", f"{folder}/article_0000011_bad.txt"]
    assert result.output.splitlines()[-1].startswith("articles: 12 new, 0 unchanged")


def test_relative_paths_and_stdin_are_read_where_the_workers_can(
    tmp_path: Path, client: distributed.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workers started in another folder: a relative path must reach them absolute.
    write_corpus(tmp_path / "corpus", 3, seed=2)
    story = (tmp_path / "corpus" / "article_0000000.txt").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    on_cluster = Quotedb(f"sqlite:///{tmp_path / 'cluster.db'}")
    local = Quotedb(f"sqlite:///{tmp_path / 'local.db'}")
    for quotedb, options in ((on_cluster, ["--scheduler", client.scheduler.address]),
                             (local, ["--workers", "1"])):
        assert quotedb("ingest", "corpus", *options).exit_code == 0
        assert quotedb("ingest", "-", *options, input=story + "\nMore.\n").exit_code == 0
    assert snapshot(on_cluster.url) == snapshot(local.url)
    assert [row[0] for row in snapshot(on_cluster.url)["articles"]][:3] == [
        "corpus/article_0000000.txt", "corpus/article_0000001.txt", "corpus/article_0000002.txt"]
    assert len(snapshot(on_cluster.url)["articles"]) == 4


def test_workers_read_fsspec_urls_themselves(
    db_url: str, tmp_path: Path, client: distributed.Client
) -> None:
    folder = write_corpus(tmp_path / "corpus", 10, seed=4)[0].parent
    on_cluster = ingest_with(db_url, folder.as_uri(), client=client, batch_size=4)
    with reference_url(db_url, tmp_path) as local_url:
        local = ingest_with(local_url, folder.as_uri(), workers=1)
        assert snapshot(db_url) == snapshot(local_url)
    assert [o.source for o in on_cluster] == [o.source for o in local] == [
        p.as_uri() for p in sorted(folder.iterdir())]
    assert {o.status for o in on_cluster} == {"new"}


def test_worker_killed_mid_run_leaves_what_one_process_would(
    tmp_path: Path, client: distributed.Client
) -> None:
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set: workers write only to PostgreSQL")
    folder = tmp_path / "corpus"
    write_corpus(folder, 240, seed=9)
    killed: list[int] = []

    def kill_a_busy_worker(outcome: Outcome) -> None:
        if killed:
            return
        busy = [address for address, keys in client.processing().items() if keys]
        assert busy, "no task in flight to lose"
        pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    server = os.environ[POSTGRES_ENV]
    with postgres_database(server) as cluster_url, postgres_database(server) as local_url:
        outcomes: list[Outcome] = []
        with connect(cluster_url) as database:
            summary = database.ingest(folder, client=client, batch_size=8,
                                      on_outcome=lambda o: (outcomes.append(o),
                                                            kill_a_busy_worker(o)))
        assert killed, "no worker was killed"
        assert [o.source for o in outcomes] == sorted(str(p) for p in folder.iterdir())
        assert summary.failed == 0 and summary.new + summary.unchanged == 240
        with connect(local_url) as database:
            database.ingest(folder, workers=1, batch_size=8)
        assert snapshot(cluster_url) == snapshot(local_url)
    client.wait_for_workers(2, timeout=30)  # the nanny restarted it, for the next test


def test_unreachable_scheduler_fails_in_one_line_and_writes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    (tmp_path / "story.txt").write_text('"We will see," she said.\n', encoding="utf-8")
    started = time.monotonic()
    result = Quotedb(db_url)("ingest", str(tmp_path / "story.txt"),
                             "--scheduler", "tcp://127.0.0.1:1", "--scheduler-timeout", "1")
    assert result.exit_code == 1
    assert result.output == ("Error: cannot reach the Dask scheduler at tcp://127.0.0.1:1: "
                             "Timed out trying to connect to tcp://127.0.0.1:1 after 1 s\n")
    assert time.monotonic() - started < 10
    if db_url.startswith("sqlite"):
        assert not (tmp_path / "quotes.db").exists()
    else:
        engine = create_engine(db_url)
        try:
            assert inspect(engine).get_table_names() == []
        finally:
            engine.dispose()


def test_malformed_scheduler_address_is_one_line(tmp_path: Path) -> None:
    result = Quotedb(f"sqlite:///{tmp_path / 'q.db'}")("ingest", str(tmp_path),
                                                        "--scheduler", "scheduler-host")
    assert result.exit_code == 1
    assert result.output == ("Error: cannot reach the Dask scheduler at scheduler-host: "
                             "missing port number in address 'scheduler-host'\n")
    assert not (tmp_path / "q.db").exists()


def test_workers_and_scheduler_together_are_refused(tmp_path: Path) -> None:
    result = Quotedb(f"sqlite:///{tmp_path / 'q.db'}")(
        "ingest", str(tmp_path), "--workers", "2", "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2
    assert "--workers is for parsing here; with --scheduler the cluster's workers parse" \
        in result.output
    assert not (tmp_path / "q.db").exists()
