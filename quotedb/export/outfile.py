"""Where an export's bytes go: a file written safely, or a text stream as bytes.

Files: never onto the database, never half-written.

``quotedb --db q.db export -o q.db`` used to truncate the database before
reading it, and a failed, interrupted or killed export left a truncated file
where the last good export had been. Here the output is checked against the
database's files first, and every export is made in a private folder beside
the output and renamed over it (one atomic ``os.replace``) only once it is
complete: until then the old file, or no file, is what anyone sees.
"""

from __future__ import annotations

import codecs
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..errors import OutputIsDatabase

#: The files a SQLite database consists of: the database and its journals.
SQLITE_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def refuse_database_files(output: Path, database: Path | None) -> None:
    """Refuse an output that is the SQLite database or one of its journal files.

    Compared as files, not names: a symlink, a hard link or a ``..`` path to
    the database is refused too. ``database`` is None for PostgreSQL.

    Raises:
        OutputIsDatabase: ``output`` is one of the database's files.
    """
    if database is None:
        return
    for suffix in SQLITE_FILE_SUFFIXES:
        if _same_file(output, Path(f"{database}{suffix}")):
            raise OutputIsDatabase(
                f"{output}: is the database's own file; choose another output file")


def _same_file(first: Path, second: Path) -> bool:
    """Whether two paths reach one file (or would, for a file not made yet)."""
    try:
        return os.path.samefile(first, second)
    except OSError:  # one does not exist (yet): a journal file comes and goes
        return first.resolve() == second.resolve()


@dataclass(frozen=True)
class Staged:
    """Where to write an export: ``path`` (the file), ``folder`` (for part files)."""

    path: Path
    folder: Path


@contextmanager
def staged_output(output: Path) -> Iterator[Staged]:
    """A file to write the export to, which becomes ``output`` once the block ends cleanly.

    The file is made in a new hidden folder beside ``output`` (same file
    system, so the rename is atomic; named ``.NAME.*.tmp``), which also holds
    any part files, and the folder is removed whatever happens. An exception
    or interrupt leaves ``output`` as it was; a SIGKILL can leave only that
    folder. A symlinked output has its target replaced, and an existing
    output keeps its permissions. An output that is not a regular file
    (``/dev/null``, a FIFO) is written directly: renaming over it would
    replace the device or pipe itself.
    """
    try:
        # os.stat follows links: /dev/stdout is whatever fd 1 is (a pipe, a tty).
        found = os.stat(output).st_mode
    except FileNotFoundError:
        found = None
    mode = None if found is None else stat.S_IMODE(found)
    regular = found is None or stat.S_ISREG(found)
    if not regular:
        with tempfile.TemporaryDirectory(prefix="quotedb-export-") as parts:
            yield Staged(output, Path(parts))
        return
    target = output.resolve() if output.is_symlink() else output
    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        staged = Staged(folder / target.name, folder)
        yield staged
        if mode is not None:
            os.chmod(staged.path, mode)
        os.replace(staged.path, target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def utf8_writer(out: TextIO) -> Callable[[bytes], object]:
    """A function writing UTF-8 bytes to text stream ``out``, in order with its text.

    Straight to the byte buffer under ``out`` when it encodes UTF-8 (files,
    standard output), which skips a decode and an encode per chunk.
    """
    binary = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None) or "ascii"
    # Where text streams turn "\n" into "\r\n" (Windows), bytes would not match.
    if binary is None or codecs.lookup(encoding).name != "utf-8" or os.linesep != "\n":
        return lambda data: out.write(data.decode("utf-8"))
    out.flush()  # what was written as text goes first
    write: Callable[[bytes], object] = binary.write
    return write


__all__ = [
    "SQLITE_FILE_SUFFIXES", "Staged", "refuse_database_files", "staged_output", "utf8_writer",
]
