"""The README's examples run on a fresh ingest of seeds/ and print what the README shows.

Like sqlite-utils' documentation tests: a README example is a fenced
``console`` block of ``$ quotedb ...`` lines, each followed by what it
prints (stdout and stderr, as a terminal shows them). The examples run in
README order, in a new folder holding a copy of seeds/ and nothing else, so
the first (``quotedb ingest seeds/``) makes the database the others read.

An example that cannot run there (it needs other files, a network, a server
or PostgreSQL) is a block preceded by ``<!-- readme-test: skip: REASON -->``;
the reason is what the skip says. A ``quotedb`` command in any other code
block fails ``test_every_example_is_run_or_marked``, so no example can go
unchecked by accident.

When the output changes on purpose, rewrite the README's outputs with
``python tests/test_readme.py --update`` and review the diff.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from quotedb.cli import cli

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
SKIP = re.compile(r"<!--\s*readme-test:\s*skip:\s*(?P<reason>.*?)\s*-->")
FENCE = re.compile(r"^```(?P<info>\S*)\s*$")
#: A line that runs quotedb: the command itself, or after a pipe.
RUNS_QUOTEDB = re.compile(r"^(\$\s+)?(.*\|\s*)?quotedb\s")
#: What makes a command line need a real shell (pipes, redirections, lists).
SHELL_SYNTAX = re.compile(r"[|<>;&]")
#: Variables that would point the examples at another database.
ENVIRONMENT = ("QUOTEDB_URL", "QUOTEDB_READ_URL")


@dataclass
class Example:
    """One ``$ command`` of a console block and the lines shown after it."""

    line: int  # 1-based, in README.md
    command: str
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    """A fenced code block: where it starts, its info string, lines, and skip reason if marked."""

    line: int
    info: str
    lines: list[str]
    skip: str | None


def blocks(text: str) -> list[Block]:
    r"""Every fenced code block of a Markdown text.

    >>> [(b.line, b.info, b.lines, b.skip) for b in blocks(
    ...     "x\n<!-- readme-test: skip: needs a server -->\n```sh\nquotedb browse\n```\n")]
    [(3, 'sh', ['quotedb browse'], 'needs a server')]
    """
    found: list[Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        before = next((line for line in reversed(lines[:i]) if line.strip()), "")
        marked = SKIP.search(before)
        end = i + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        found.append(Block(i + 1, fence["info"], lines[i + 1:end],
                           marked["reason"] if marked else None))
        i = end + 1
    return found


def examples(block: Block) -> list[Example]:
    """A console block's commands, each with the output lines that follow it.

    >>> [(e.command, e.expected) for e in examples(Block(1, "console",
    ...     ["$ quotedb db current", "0005 (head)", "", "$ quotedb stats"], None))]
    [('quotedb db current', ['0005 (head)']), ('quotedb stats', [])]
    """
    found: list[Example] = []
    for offset, line in enumerate(block.lines):
        if line.startswith("$ "):
            found.append(Example(block.line + 1 + offset, line[2:]))
        elif found:
            found[-1].expected.append(line)
    for example in found:
        while example.expected and not example.expected[-1].strip():
            example.expected.pop()
    return found


def readme_examples() -> list[Example]:
    """Every example the README shows, in order, from the blocks not marked skip."""
    return [example for block in blocks(README.read_text(encoding="utf-8"))
            if block.info == "console" and block.skip is None
            for example in examples(block)]


@contextmanager
def working_in(folder: Path) -> Iterator[None]:
    """Run with ``folder`` as the working directory, as a user in a checkout would."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def run(command: str, folder: Path) -> tuple[int, str]:
    """Run one README command in ``folder``; its exit status and what it printed.

    A plain ``quotedb`` command runs in-process (fast); one with pipes or
    redirections runs in bash, with this Python's ``quotedb`` first on PATH.
    """
    if SHELL_SYNTAX.search(command.split("#")[0]):
        env = {key: value for key, value in os.environ.items() if key not in ENVIRONMENT}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        done = subprocess.run(["bash", "-c", command], cwd=folder, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        return done.returncode, done.stdout
    argv = shlex.split(command, comments=True)
    assert argv[0] == "quotedb", f"not a quotedb command: {command}"
    with working_in(folder):
        result = CliRunner().invoke(cli, argv[1:], env=dict.fromkeys(ENVIRONMENT),
                                    catch_exceptions=False)
    return result.exit_code, result.output


def printed(output: str) -> list[str]:
    """Output as lines the README can show: trailing spaces and blank lines dropped.

    Markdown editors strip trailing spaces, so they are not compared.
    """
    lines = [line.rstrip() for line in output.rstrip("\n").split("\n")]
    return lines if lines != [""] else []


def fresh_checkout(folder: Path) -> Path:
    """A folder holding a copy of seeds/ and nothing else (no database)."""
    shutil.copytree(REPO / "seeds", folder / "seeds")
    return folder


def test_every_example_is_run_or_marked() -> None:
    text = README.read_text(encoding="utf-8")
    unchecked = [
        f"README.md:{block.line}: a ```{block.info} block runs quotedb; make it a console "
        "block or mark it <!-- readme-test: skip: REASON -->"
        for block in blocks(text)
        if block.skip is None and block.info != "console"
        and any(RUNS_QUOTEDB.match(line) for line in block.lines)
    ]
    # An indented code block (four spaces) is not run either.
    unchecked += [
        f"README.md:{number}: an indented example; make it a fenced console block"
        for number, line in enumerate(text.split("\n"), start=1)
        if line.startswith("    ") and RUNS_QUOTEDB.match(line.strip())
    ]
    assert not unchecked, "\n".join(unchecked)


def test_skipped_blocks_say_why() -> None:
    for block in blocks(README.read_text(encoding="utf-8")):
        assert block.skip is None or block.skip.strip(), f"README.md:{block.line}: no reason"


def test_readme_examples_print_what_they_show(tmp_path: Path) -> None:
    folder = fresh_checkout(tmp_path)
    shown = readme_examples()
    assert shown and shown[0].command.startswith("quotedb ingest seeds")
    failures = []
    for example in shown:
        status, output = run(example.command, folder)
        if status != 0 or printed(output) != example.expected:
            failures.append(
                f"README.md:{example.line}: $ {example.command}\n(exit status {status})\n"
                + "\n".join(f"  shown:   {line}" for line in example.expected)
                + "\n" + "\n".join(f"  printed: {line}" for line in printed(output)))
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("block", [
    pytest.param(block, id=f"README.md:{block.line}")
    for block in blocks(README.read_text(encoding="utf-8")) if block.skip
])
def test_marked_blocks_are_skipped(block: Block) -> None:
    """Each marked block shows up in pytest's report as skipped, with its reason."""
    pytest.skip(f"README.md:{block.line}: {block.skip}")


def update(readme: Path, folder: Path) -> None:
    """Rewrite every console block's outputs with what its commands print now.

    The commands run in README order (the first makes the database); the
    blocks are then rewritten from the last, so earlier line numbers hold.
    """
    lines = readme.read_text(encoding="utf-8").split("\n")
    shown = [block for block in blocks("\n".join(lines))
             if block.info == "console" and block.skip is None]
    bodies = []
    for block in shown:
        body: list[str] = []
        for number, example in enumerate(examples(block)):
            body.extend([""] if number else [])
            body.append(f"$ {example.command}")
            body.extend(printed(run(example.command, folder)[1]))
        bodies.append(body)
    for block, body in reversed(list(zip(shown, bodies, strict=True))):
        lines[block.line:block.line + len(block.lines)] = body
    readme.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_readme.py --update")
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        update(README, fresh_checkout(Path(scratch)))
