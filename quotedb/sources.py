"""Finding article files and turning their bytes into text.

Kept apart from ingest so that reading and decoding rules (what counts as a
binary file, which encodings are accepted, how line endings are normalised)
are small pure functions that can be tested on their own.
"""

from __future__ import annotations

import codecs
import hashlib
import heapq
import os
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import ArticleReadError

#: Files larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
STDIN = "-"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file (or stdin) to ingest, named as the user will see it."""

    name: str
    path: Path | None  # None for stdin


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """A path that could not even be listed: reported, never fatal to the batch."""

    name: str
    message: str


def find_sources(paths: list[str], pattern: str = "*.txt") -> Iterator[SourceFile | SourceProblem]:
    """Expand files, folders (recursively, matching ``pattern``) and ``-``.

    Folders are walked in sorted order so a run is deterministic; symlinked
    folders are not followed, so a symlink loop cannot trap the walk.
    """
    for raw in paths:
        if raw == STDIN:
            # A closed stdin (`<&-`) leaves Python no stream at all.
            yield SourceFile(STDIN, None) if sys.stdin is not None else SourceProblem(
                raw, "standard input is closed")
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path, pattern)
        elif path.is_file():
            yield SourceFile(str(path), path)
        elif path.is_symlink():
            yield SourceProblem(raw, "broken symbolic link")
        elif not path.exists():
            yield SourceProblem(raw, "no such file or folder")
        else:
            yield SourceProblem(raw, "not a regular file")


#: File names sorted and packed together per block while a folder is listed.
_NAMES_PER_BLOCK = 4096


def walk_sorted(top: str) -> Iterator[str]:
    """Paths of the files under ``top``: a folder's files in name order, then its subfolders.

    Only regular files (and broken links, for the caller to report) are
    listed: FIFOs, sockets and devices are skipped, as ``find -type f`` does.

    The order of ``os.walk`` with sorted names, in less memory: a folder of
    a million files would hold a million name objects (~80 bytes each) to
    sort them; here names are sorted a block at a time and each block is
    packed into one string (~20 bytes a name), then the blocks are merged.
    Symbolic links to folders are not followed (a loop cannot trap the
    walk); an unreadable folder is skipped, as ``os.walk`` does.
    """
    blocks: list[str] = []
    names: list[str] = []
    folders: list[str] = []
    try:
        with os.scandir(top) as entries:
            for entry in entries:
                if _is_folder(entry):
                    if not entry.is_symlink():
                        folders.append(entry.name)
                elif _is_file_or_broken_link(entry):
                    names.append(entry.name)
                    if len(names) == _NAMES_PER_BLOCK:
                        blocks.append(_pack(names))
                        names = []
    except OSError:
        return
    if names:
        blocks.append(_pack(names))
    del names
    for name in heapq.merge(*map(_unpack, blocks)):
        yield os.path.join(top, name)
    for sub in sorted(folders):
        yield from walk_sorted(os.path.join(top, sub))


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether an entry is (or links to) a folder; a symlink loop is not."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file_or_broken_link(entry: os.DirEntry[str]) -> bool:
    """A regular file (or a link to one), or a broken link, which the caller reports.

    Never a FIFO, socket or device: opening a FIFO waits for a writer
    forever, and a device can be endless. ``is_file`` needs no system call
    for anything but a link.
    """
    try:
        if entry.is_file():
            return True
    except OSError:  # a symlink loop
        pass
    return entry.is_symlink() and not os.path.exists(entry.path)


def _pack(names: list[str]) -> str:
    """Sorted names in one string, NUL-separated (no file name holds a NUL)."""
    names.sort()
    return "\0".join(names)


def _unpack(block: str) -> Iterator[str]:
    """The names of a packed block, one at a time (never all as objects)."""
    start = 0
    while (end := block.find("\0", start)) >= 0:
        yield block[start:end]
        start = end + 1
    yield block[start:]


def _walk(folder: Path, pattern: str) -> Iterator[SourceFile | SourceProblem]:
    found = False
    for name in walk_sorted(str(folder)):
        path = Path(name)
        if not path.match(pattern):
            continue
        found = True
        if path.is_symlink() and not path.exists():
            yield SourceProblem(name, "broken symbolic link")
        else:
            yield SourceFile(name, path)
    if not found:
        yield SourceProblem(str(folder), f"no files matching {pattern!r} in this folder")


def read_source(source: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read and decode one plain-text article (a file, or stdin), normalised for storage.

    Raises:
        ArticleReadError: unreadable, too large, binary, undecodable or empty.
    """
    try:
        if source.path is None:
            return read_text(source.name, sys.stdin.buffer, max_bytes)
        with open(source.path, "rb") as handle:
            return read_text(source.name, handle, max_bytes)
    except OSError as exc:
        raise ArticleReadError(f"{source.name}: cannot read: {exc.strerror or exc}") from exc


def read_text(name: str, stream: BinaryIO, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The one plain-text reader: a stream's bytes as stored text, files and stdin alike.

    Why one: two readers (one for files, one for stdin) had started to
    give the same bytes different errors.

    Raises:
        ArticleReadError: too large, binary, undecodable or empty.
        OSError: the stream cannot be read (the caller names the file).
    """
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ArticleReadError(f"{name}: larger than the {max_bytes:,}-byte limit")
    return normalise_text(decode_bytes(data, name), name)


def decode_bytes(data: bytes, name: str) -> str:
    """Decode article bytes: UTF-8 (with or without BOM) or UTF-16/32 with a BOM.

    Anything else is an error rather than a guess: silently storing mojibake
    would corrupt a researcher's corpus without anyone noticing.

    >>> decode_bytes(codecs.BOM_UTF8 + "é".encode(), "a.txt")
    'é'
    >>> decode_bytes("é".encode("utf-16"), "a.txt")
    'é'
    """
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ArticleReadError(
                    f"{name}: not valid {encoding.upper()}: {exc.reason}"
                ) from exc
    if b"\x00" in data:
        raise ArticleReadError(f"{name}: binary file (contains NUL bytes), not a text article")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleReadError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it to UTF-8 first, e.g. iconv -f cp1252 -t utf-8"
        ) from exc


def normalise_text(text: str, name: str) -> str:
    """The text as stored: line endings made ``\\n``; refuses empty articles.

    Offsets are offsets into this stored text, so CRLF and CR files get exact
    spans too.

    >>> normalise_text("a\\r\\nb\\rc", "x")
    'a\\nb\\nc'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ArticleReadError(f"{name}: empty article (no text)")
    if "\x00" in text:
        raise ArticleReadError(f"{name}: binary file (contains NUL characters), not a text article")
    return text


def content_hash(text: str) -> str:
    """The dedupe key: sha256 of the text, NFC-normalised and trimmed.

    >>> content_hash("abc\\n") == content_hash("  abc")
    True
    """
    canonical = unicodedata.normalize("NFC", text).strip()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
