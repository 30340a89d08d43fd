"""Bad input: a clear one-line error naming the file, the rest of the batch ingested.

Also inputs that are odd but valid (BOMs, CRLF, unbalanced quotes, huge
paragraphs): they ingest, and every stored offset is exact.
"""

from __future__ import annotations

import codecs
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from quotedb import db, models

from .conftest import Quotedb

GOOD = "“We will rebuild the bridge,” said Maria Lopez, the mayor.\n"


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def stored_quotes(url: str) -> list[tuple[str, str, int, int]]:
    """(source, quote, start, end), checking each quote is its span of the stored text."""
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            rows = []
            for quote in session.scalars(select(models.Quote)):
                assert quote.article.text[quote.start:quote.end] == quote.text
                rows.append((quote.article.source, quote.text, quote.start, quote.end))
            return rows
    finally:
        engine.dispose()


BAD_FILES = {
    "binary": (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00", "binary file"),
    "nul-in-text": (b"He said \"hi\x00 there\"", "binary file"),
    "invalid-utf8": ("caf\u00e9 “au lait”".encode("cp1252"), "not valid UTF-8"),
    "empty": (b"", "empty article"),
    "whitespace-only": (b"  \r\n\t \n", "empty article"),
    "bad-utf16": (codecs.BOM_UTF16_LE + b"\x00\xd8", "not valid UTF-16"),
}


@pytest.mark.parametrize(("content", "message"), list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_bad_file_fails_alone_with_one_line(
    quotedb: Quotedb, tmp_path: Path, content: bytes, message: str
) -> None:
    (tmp_path / "a_good.txt").write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "b_bad.txt"
    bad.write_bytes(content)
    (tmp_path / "c_good.txt").write_text(GOOD.replace("bridge", "school"), encoding="utf-8")
    result = quotedb("ingest", str(tmp_path))
    assert result.exit_code == 1
    assert len(error_lines(result.stderr)) == 1
    assert error_lines(result.stderr)[0].startswith(f"error: {bad}: {message}")
    assert "2 new, 0 unchanged, 0 updated, 1 failed" in result.stderr
    assert "Traceback" not in result.output


def test_file_over_size_limit(quotedb: Quotedb, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(GOOD * 100, encoding="utf-8")
    result = quotedb("ingest", "--max-size", "1000", str(big))
    assert result.exit_code == 1
    assert error_lines(result.stderr) == [f"error: {big}: larger than the 1,000-byte limit"]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
     ("utf-16-be", codecs.BOM_UTF16_BE)],
    ids=["utf-8-bom", "utf-16-le-bom", "utf-16-be-bom"],
)
def test_bom_files_decode_correctly(
    quotedb: Quotedb, tmp_path: Path, encoding: str, bom: bytes
) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(bom + GOOD.encode(encoding))
    assert quotedb("ingest", str(path)).exit_code == 0
    [(_, quote, start, _end)] = stored_quotes(quotedb.url)
    assert quote.startswith("We will rebuild the bridge")
    assert start == 1  # the BOM is not part of the stored text


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_crlf_and_cr_offsets_are_exact(quotedb: Quotedb, tmp_path: Path, newline: str) -> None:
    text = ("Headline here\n\nMaria Lopez spoke.\n\n" + GOOD + "\n“And again,” she said.\n")
    path = tmp_path / "lines.txt"
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    assert quotedb("ingest", str(path)).exit_code == 0
    quotes = stored_quotes(quotedb.url)  # asserts body[start:end] == quote
    assert len(quotes) == 2


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("“This never closes, said nobody.\n\nNext paragraph.\n" * 3, id="unbalanced"),
        pytest.param('"' * 5000 + "\n" + "“”‘’«»„" * 2000, id="thousands-of-marks"),
        pytest.param(("word “quoted” " * 70_000) + "\n", id="1MB-paragraph"),
    ],
)
def test_odd_articles_ingest_without_crashing(quotedb: Quotedb, tmp_path: Path, text: str) -> None:
    path = tmp_path / "odd.txt"
    path.write_text(text, encoding="utf-8")
    result = quotedb("ingest", str(path))
    assert result.exit_code == 0, result.output
    stored_quotes(quotedb.url)


def test_missing_path_empty_folder_and_broken_links(quotedb: Quotedb, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, encoding="utf-8")
    (corpus / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    (corpus / "subdir-loop").symlink_to(corpus)  # not followed: no endless walk
    missing = tmp_path / "missing.txt"
    result = quotedb("ingest", str(corpus), str(empty), str(missing))
    assert result.exit_code == 1
    errors = error_lines(result.stderr)
    assert f"error: {corpus / 'broken.txt'}: broken symbolic link" in errors
    assert f"error: {corpus / 'loop.txt'}: broken symbolic link" in errors
    assert f"error: {empty}: no files matching '*.txt' in this folder" in errors
    assert f"error: {missing}: no such file or folder" in errors
    assert "1 new" in result.stderr
    assert len(stored_quotes(quotedb.url)) == 1


def test_unreadable_file(quotedb: Quotedb, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root reads any file whatever its mode; /proc/self/mem is a regular
        # file whose first page cannot be read, which gives the same error path.
        path = Path("/proc/self/mem")
    else:
        path = tmp_path / "locked.txt"
        path.write_text(GOOD, encoding="utf-8")
        path.chmod(0)
    result = quotedb("ingest", str(path))
    assert result.exit_code == 1
    assert error_lines(result.stderr)[0].startswith(f"error: {path}: cannot read")


def test_decode_choice_is_documented_error_not_mojibake(quotedb: Quotedb, tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("“Ça va,” dit Amélie Dubois.".encode("cp1252"))
    result = quotedb("ingest", str(path))
    assert "iconv -f cp1252 -t utf-8" in result.stderr
    assert json.loads(quotedb("articles", "--format", "json").stdout) == []


def test_folder_walk_skips_fifos_and_other_special_files(
    quotedb: Quotedb, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(corpus / "x.txt")  # opening it would wait for a writer forever
    process = subprocess.Popen(
        [sys.executable, "-m", "quotedb", "--db", quotedb.url, "ingest", str(corpus)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, stderr
    assert "1 new" in stderr
    assert len(stored_quotes(quotedb.url)) == 1


def test_file_name_that_is_not_utf8_fails_alone(quotedb: Quotedb, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, encoding="utf-8")
    latin = os.path.join(os.fsencode(corpus), b"caf\xe9.txt")  # Latin-1 bytes in the name
    with open(latin, "w", encoding="utf-8") as handle:
        handle.write("“We will win,” said Ann Lee.\n")
    result = quotedb("ingest", str(corpus), "--workers", "1")
    assert result.exit_code == 1
    assert error_lines(result.stderr) == [
        f"error: {corpus}/caf\\udce9.txt: the file name is not valid UTF-8; rename the file"]
    assert [source for source, *_ in stored_quotes(quotedb.url)] == [str(corpus / "good.txt")]
