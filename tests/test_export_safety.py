"""``export -o``: never onto the database, never a half-written file.

The output may not be the SQLite database or one of its ``-wal``/``-shm``/
``-journal`` files (by any name that reaches the same file). Every export is
written to a temporary file beside the output and renamed into place when it
is complete, so a failed, interrupted or killed export leaves the old file
as it was (or no file).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .conftest import Quotedb


@pytest.fixture
def loaded(sqlite_url: str, seeds_dir: Path) -> Quotedb:
    quotedb = Quotedb(sqlite_url)
    result = quotedb("ingest", str(seeds_dir), "--workers", "1")
    assert result.exit_code == 0, result.output
    return quotedb


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def database_file(quotedb: Quotedb) -> Path:
    return Path(quotedb.url.removeprefix("sqlite:///"))


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_export_onto_the_database_files_is_refused(
    loaded: Quotedb, suffix: str, fmt: str
) -> None:
    database = database_file(loaded)
    before = digest(database)
    target = Path(f"{database}{suffix}")
    result = loaded("export", "--format", fmt, "-o", str(target))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {target}: is the database's own file; choose another output file"
    ]
    assert digest(database) == before
    assert suffix == "" or not target.exists()


def test_export_onto_the_database_by_another_name_is_refused(
    loaded: Quotedb, tmp_path: Path
) -> None:
    database = database_file(loaded)
    before = digest(database)
    link = tmp_path / "link.db"
    link.symlink_to(database)
    hard = tmp_path / "hard.db"
    os.link(database, hard)
    roundabout = tmp_path / "seeds" / ".." / database.name
    for target in (link, hard, roundabout):
        result = loaded("export", "-o", str(target))
        assert result.exit_code == 1, target
        assert result.output.startswith(f"Error: {target}: is the database's own file")
    assert digest(database) == before


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_export_that_fails_midway_leaves_the_existing_output_as_it_was(
    loaded: Quotedb, tmp_path: Path, fmt: str
) -> None:
    database = database_file(loaded)
    make_big(database, 5_000, noise=True)
    out = tmp_path / "work" / f"old.{fmt}"
    out.parent.mkdir()
    out.write_text("the previous export\n", encoding="utf-8")

    def small_files() -> None:  # as a full disk: writing past 64 kB fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, 1 << 16))

    result = subprocess.run(
        [sys.executable, "-m", "quotedb", "--db", str(database), "export", "--format", fmt,
         "-o", str(out)],
        capture_output=True, text=True, preexec_fn=small_files, timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"Error: {out}: "), result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert out.read_text(encoding="utf-8") == "the previous export\n"
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_export_output_gets_the_usual_file_mode(loaded: Quotedb, tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    out = tmp_path / "quotes.csv"
    assert loaded("export", "-o", str(out)).exit_code == 0
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    out.chmod(0o640)
    assert loaded("export", "-o", str(out)).exit_code == 0
    assert out.stat().st_mode & 0o777 == 0o640, "an existing file keeps its mode"


def make_big(database: Path, at_least: int, noise: bool = False) -> int:
    """Copy the quotes over and over (raw SQL) until there are ``at_least``.

    ``noise`` adds random text to each quote (so that Parquet cannot
    compress the copies away).
    """
    connection = sqlite3.connect(database)
    try:
        columns = "article_id, speaker_id, text, start, \"end\", paragraph, " \
                  "speaker_mention, cue, fragment"
        while connection.execute("select count(*) from quotes").fetchone()[0] < at_least:
            connection.execute(f"insert into quotes ({columns}) select {columns} from quotes")
        if noise:
            connection.execute("update quotes set text = text || hex(randomblob(32))")
        connection.commit()
        return int(connection.execute(
            "select count(*) from quotes where not fragment").fetchone()[0])
    finally:
        connection.close()


def start_big_export(
    loaded: Quotedb, tmp_path: Path, stderr: int | None
) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """A 2-job export of 260,000 quotes over an earlier export, in a process group of its own.

    Returns the process, its output folder and output file.
    """
    database = database_file(loaded)
    make_big(database, 260_000)  # above two jobs' worth (csv_export.MIN_QUOTES_PER_JOB)
    work = tmp_path / "out"
    work.mkdir()
    out = work / "out.csv"
    out.write_text("the previous export\n", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "quotedb", "--db", str(database), "export", "--jobs", "2",
         "-o", str(out)],
        stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
    )
    return process, work, out


def test_killed_parallel_export_leaves_no_partial_file(loaded: Quotedb, tmp_path: Path) -> None:
    process, work, out = start_big_export(loaded, tmp_path, subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        # Kill once the export has started writing (anything new in the folder, or
        # the old file touched), while it is still running.
        while time.monotonic() < deadline and process.poll() is None:
            if len(list(work.iterdir())) > 1 or out.stat().st_size != 20:
                break
            time.sleep(0.01)
        time.sleep(0.3)
        finished = process.poll() is not None
        if not finished:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert not finished, "the export ended before it could be killed: make the database bigger"
    assert out.read_text(encoding="utf-8") == "the previous export\n"
    leftovers = [p.name for p in work.iterdir() if p != out]
    # SIGKILL runs no clean-up: at most the one hidden staging folder may stay.
    assert all(name.startswith(".out.csv.") and name.endswith(".tmp") for name in leftovers), \
        leftovers
    assert len(leftovers) <= 1


def test_export_to_a_fifo_writes_into_it_not_over_it(loaded: Quotedb, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = loaded("export", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode), "the pipe itself is never replaced"
    assert received == [loaded("export").stdout_bytes]


def test_terminated_export_cleans_up_after_itself(loaded: Quotedb, tmp_path: Path) -> None:
    process, work, out = start_big_export(loaded, tmp_path, subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if len(list(work.iterdir())) > 1:
                break
            time.sleep(0.01)
        time.sleep(0.3)
        assert process.poll() is None, "the export ended before it could be stopped"
        process.terminate()  # `kill PID`: SIGTERM to quotedb alone, not its workers
        _, stderr = process.communicate(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):  # no worker may outlive the test
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == 143, stderr
    assert out.read_text(encoding="utf-8") == "the previous export\n"
    assert [p.name for p in work.iterdir()] == ["out.csv"]


def test_a_postgresql_database_name_is_no_file(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a SQLite database is a file an export could overwrite; a server's name is not."""
    if db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    monkeypatch.chdir(tmp_path)
    name = db_url.rsplit("/", 1)[1]
    result = Quotedb(db_url)("export", "-o", name)
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).read_text(encoding="utf-8").startswith("quote_id,")


def test_export_to_dev_stdout_in_a_pipe(loaded: Quotedb) -> None:
    """/dev/stdout is a link to whatever fd 1 is: a pipe here, written into, not replaced."""
    result = subprocess.run(
        f"{sys.executable} -m quotedb --db {database_file(loaded)} export -o /dev/stdout | cat",
        shell=True, capture_output=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == loaded("export").stdout_bytes
