"""Hostile arguments get a one-line error and a failing status, never a traceback.

Every command and subcommand is found from the click group itself, so a new
command is covered without editing this file. The many cases run in-process
(``CliRunner`` catching whatever escapes, which must only be ``SystemExit``);
a handful that need a real process (a full disk behind stdout, a closed
stdin, arguments as the shell passes them) run ``python -m quotedb``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from quotedb.cli import cli

from .conftest import POSTGRES_ENV, REPO, SEEDS, Quotedb, postgres_database

HUGE = "99999999999999999999"
INTS = [HUGE, f"-{HUGE}", "-1", "0", "", "1\x00", "nan"]
TEXTS = ["", "\x00", "a\x00b", "\x1b]0;x\x07", "'; drop table quotes; --", "%_\\", "x" * 5000]
DATES = ["", "2021-13-45", "99999-01-01", "\x00"]
BAD_URLS = [
    "postgresql+psycopg://u@[::1/x", "nosuchdriver://x/y", "sqlite:///{missing}/q.db",
    "{missing}/q.db", "{file}", "{folder}", "\x00", "sqlite://", "postgresql+psycopg://",
    "sqlite:///file:x?mode=ro&uri=true",
]


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ()
             ) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every leaf command under ``group``, with the words that reach it."""
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


#: A value each required argument accepts, so that other parameters can be tried alone.
BENIGN = {"show": ["1"], "sql": ["select 1"], "eval": [str(SEEDS / "gold.jsonl")],
          "ingest": ["{story}", "--workers", "1"], "db downgrade": ["head"],
          "browse": ["--port", "0"]}


def hostile_values(param: click.Parameter, paths: dict[str, str]) -> list[str]:
    """Values to try for one parameter, from its type."""
    kind = param.type
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return INTS
    if isinstance(kind, click.DateTime):
        return DATES
    if isinstance(kind, click.Choice):
        return ["", "nonsense", "\x00"]
    bad_paths = ["", "\x00", paths["missing"], paths["folder"], paths["file"], "/dev/null"]
    if isinstance(kind, click.Path):
        return bad_paths
    return TEXTS + bad_paths[2:]


def cases(paths: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """(id, arguments after --db) for every command and hostile value."""
    for words, command in commands():
        name = " ".join(words)
        benign = [arg.format(**paths) for arg in BENIGN.get(name, [])]
        for param in command.params:
            if param.name in ("help",) or getattr(param, "is_flag", False):
                continue
            if name == "browse" and param.name != "port":
                continue  # anything else would start a server
            for value in hostile_values(param, paths):
                if isinstance(param, click.Argument):
                    rest = benign[1:]  # the value stands in for the required argument
                    yield f"{name}:{param.name}={value!r}", [*words, value, *rest]
                else:
                    flag = param.opts[0]
                    args = [*words, *benign, flag, value]
                    if param.name in ("params",):  # -p takes NAME VALUE
                        args.append(value)
                    yield f"{name}:{flag}={value!r}", args


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A database holding the seeds, and the odd paths the cases use."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "folder").mkdir()
    (root / "file.txt").write_text("not a database\n", encoding="utf-8")
    (root / "story.txt").write_text("“It is over,” said Ann Lee.\n", encoding="utf-8")
    template = root / "template.db"
    result = CliRunner().invoke(cli, ["--db", str(template), "-q", "ingest", str(SEEDS),
                                      "--workers", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {"root": str(root), "template": str(template), "missing": str(root / "missing" / "x"),
            "folder": str(root / "folder"), "file": str(root / "file.txt"),
            "story": str(root / "story.txt")}


def problem(result: Result, what: str) -> str | None:
    """What is wrong with a run: a traceback escaped, or an error with status 0."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"{what}: {result.exception!r}"
    if "Traceback" in result.stderr:
        return f"{what}: traceback on stderr"
    if ("rror:" in result.stderr or "Aborted" in result.stderr) and result.exit_code == 0:
        return f"{what}: exit 0 after {result.stderr!r}"
    return None


def test_every_command_with_hostile_arguments(corpus: dict[str, str], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # an empty --db means ./quotes.db: made here, not in the repo
    monkeypatch.delenv("QUOTEDB_URL", raising=False)
    database = tmp_path / "quotes.db"
    runner = CliRunner()
    tried, problems = 0, []
    for what, args in cases(corpus):
        shutil.copy(corpus["template"], database)  # a case may downgrade or add to it
        result = runner.invoke(cli, ["--db", str(database), *args], catch_exceptions=True)
        problems.append(problem(result, what))
        tried += 1
    for url in BAD_URLS:
        url = url.format(**corpus)
        for words, _ in commands():
            name = " ".join(words)
            if name in ("browse", "db history", "eval"):
                continue  # these never open the database (browse would serve it)
            benign = [arg.format(**corpus) for arg in BENIGN.get(name, [])]
            result = runner.invoke(cli, ["--db", url, *words, *benign], catch_exceptions=True)
            problems.append(problem(result, f"--db {url!r} {name}"))
            tried += 1
    found = [p for p in problems if p]
    assert not found, "\n".join(found)
    assert tried > 300


def test_every_command_with_hostile_arguments_on_postgresql(
    corpus: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same cases on PostgreSQL, whose driver refuses NULs and checks integer ranges.

    Except ``db create-reader``: roles belong to the whole server, and each
    hostile name that worked would be left behind there.
    """
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    monkeypatch.chdir(tmp_path)  # a path-like --read-url names a SQLite file here
    runner = CliRunner()
    with postgres_database(server) as url:
        seeded = runner.invoke(cli, ["--db", url, "-q", "ingest", str(SEEDS), "--workers", "1"])
        assert seeded.exit_code == 0, seeded.output
        # No case changes the schema: a downgrade without --yes is refused.
        problems = [problem(runner.invoke(cli, ["--db", url, *args], catch_exceptions=True), what)
                    for what, args in cases(corpus) if args[:2] != ["db", "create-reader"]]
    found = [p for p in problems if p]
    assert not found, "\n".join(found)


def quotedb_process(*args: str, stdout: int | None = subprocess.PIPE,
                    shell_tail: str = "") -> subprocess.CompletedProcess[str]:
    """``python -m quotedb ARGS`` as a real process (``shell_tail`` adds redirections)."""
    command = [sys.executable, "-m", "quotedb", *args]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("QUOTEDB_URL", None)
    if shell_tail:
        line = " ".join(f"'{part}'" for part in command) + " " + shell_tail
        return subprocess.run(["sh", "-c", line], stdout=stdout, stderr=subprocess.PIPE,
                              text=True, env=env, timeout=60)
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env,
                          timeout=60)


def one_error_line(process: subprocess.CompletedProcess[str]) -> str:
    """The process failed with exactly one line on stderr, the error."""
    lines = [line for line in process.stderr.splitlines() if not line.startswith("warning:")]
    assert process.returncode != 0 and len(lines) == 1, process.stderr
    assert "Traceback" not in process.stderr and "Exception ignored" not in process.stderr
    return lines[0]


@pytest.mark.parametrize("args", [
    ["db", "upgrade", "nonsense"],
    ["db", "downgrade", "+1", "--yes"],
    ["show", HUGE],
    ["--db", "postgresql+psycopg://u@[::1/x", "quotes"],
], ids=["upgrade-nonsense", "downgrade-plus-one", "show-huge", "malformed-url"])
def test_real_process_fails_in_one_line(corpus: dict[str, str], tmp_path: Path,
                                        args: list[str]) -> None:
    database = tmp_path / "quotes.db"
    shutil.copy(corpus["template"], database)
    line = one_error_line(quotedb_process("--db", str(database), *args))
    assert line.startswith("Error: ")


@pytest.mark.parametrize("command", [["export"], ["quotes"], ["export", "--format", "json"]])
def test_full_disk_behind_stdout_is_one_line(corpus: dict[str, str], tmp_path: Path,
                                             command: list[str]) -> None:
    database = tmp_path / "quotes.db"
    shutil.copy(corpus["template"], database)
    with open("/dev/full", "w") as full:
        process = quotedb_process("--db", str(database), *command, stdout=full.fileno())
    assert one_error_line(process) == "Error: cannot write output: No space left on device"
    assert process.returncode == 1


def test_ingest_from_closed_stdin(tmp_path: Path) -> None:
    process = quotedb_process("--db", str(tmp_path / "q.db"), "ingest", "-", shell_tail="<&-")
    assert process.returncode == 1, process.stderr
    assert "error: -: standard input is closed" in process.stderr.splitlines()
    assert "Traceback" not in process.stderr


@pytest.mark.parametrize("args", [
    ["quotes", "--article", HUGE], ["quotes", "--limit", HUGE],
    ["export", "--article", HUGE], ["export", "--limit", HUGE, "--format", "jsonl"],
], ids=["quotes-article", "quotes-limit", "export-article", "export-limit"])
def test_integers_beyond_the_database_mean_nothing_or_everything(quotedb: Quotedb,
                                                                   args: list[str]) -> None:
    """An id no database can hold matches nothing; a limit that large is no limit."""
    assert quotedb("ingest", str(SEEDS), "--workers", "1").exit_code == 0
    result = quotedb(*args)
    assert result.exit_code == 0, result.output
    every = quotedb("export", "--format", "jsonl").stdout
    if "--article" in args:
        assert "Ann" not in result.stdout and "Rumsfeld" not in result.stdout
    elif args[0] == "export":
        assert result.stdout == every
    else:
        assert "Rumsfeld" in result.stdout


def test_show_an_id_beyond_the_database(quotedb: Quotedb) -> None:
    assert quotedb("db", "upgrade").exit_code == 0  # reading commands create no database
    result = quotedb("show", HUGE)
    assert result.exit_code == 1
    assert result.stderr == f"Error: no article with id {HUGE}\n"


def test_sql_json_writes_every_value_as_valid_json(quotedb: Quotedb) -> None:
    """Intervals, UUIDs, numerics, bytes and NaN/Infinity all come out as strict JSON."""
    if quotedb.url.startswith("postgresql"):
        query = ("select interval '1 day 2 hours' as i, "
                 "'8107a15c-99c2-4e2c-bef2-c3c86a79d7ac'::uuid as u, 1.5::numeric as n, "
                 "'NaN'::numeric as nn, 'Infinity'::float8 as f, '-Infinity'::float8 as g, "
                 "'NaN'::float8 as fn, '\\xdeadbeef'::bytea as b, "
                 "array['-Infinity'::float8, 2] as a, make_time(12, 30, 0) as t")
        expected = {"i": "P1DT2H", "u": "8107a15c-99c2-4e2c-bef2-c3c86a79d7ac", "n": 1.5,
                    "nn": "NaN", "f": "Infinity", "g": "-Infinity", "fn": "NaN",
                    "b": "deadbeef", "a": ["-Infinity", 2.0], "t": "12:30:00"}
    else:
        query = "select 1e999 as f, -1e999 as g, x'deadbeef' as b, 1.5 as n"
        expected = {"f": "Infinity", "g": "-Infinity", "b": "deadbeef", "n": 1.5}
        assert quotedb("db", "upgrade").exit_code == 0  # reading commands create no database
    result = quotedb("sql", query, "--format", "json")
    assert result.exit_code == 0, result.output

    def strict(constant: str) -> None:
        raise AssertionError(f"not JSON: {constant}")

    assert json.loads(result.stdout, parse_constant=strict) == [expected]
