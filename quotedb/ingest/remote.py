"""Inputs named by fsspec URLs (``s3://…``, ``gs://…``, ``https://…``, ``file://…``).

A URL is listed here (a folder-like prefix is searched for the glob, in
sorted order, as a local folder is) and read wherever the work runs: a
page or text file by the worker that parses it, so on a Dask cluster
every worker reads its own inputs from object storage; a corpus file's
records as a local one's are, streamed by ``formats.iter_records``.

fsspec comes with the ``dask`` extra; each file system needs its own
package (``s3fs``, ``gcsfs``, ``aiohttp`` for HTTP), and one that is
missing is a one-line problem for that input, never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from ..formats import ArticleRecord, FieldMap, RecordProblem, iter_records
from ..sources import DEFAULT_MAX_BYTES, SourceProblem

#: A URL scheme (RFC 3986), then ``://``: what tells a URL from a local path.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")

FSSPEC_HINT = "URLs need fsspec (the 'dask' extra): pip install 'quotedb[dask]'"


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """A file named by an fsspec URL; the URL is also the article's source."""

    name: str


def is_url(name: str) -> bool:
    """Whether an input names a URL rather than a local path.

    >>> is_url("s3://bucket/news/"), is_url("file:///tmp/a.txt"), is_url("news/a.txt")
    (True, True, False)
    """
    return _URL.match(name) is not None


def find_remote(url: str, pattern: str) -> Iterator[RemoteFile | SourceProblem]:
    """The files a URL names: itself, or those under it matching ``pattern``, sorted."""
    try:
        fs, path = _filesystem(url)
        if not fs.isdir(path):
            if not fs.exists(path):
                yield SourceProblem(url, "no such file or folder")
                return
            yield RemoteFile(url)
            return
        names = sorted(name for name in fs.find(path)
                       if fnmatchcase(name.rsplit("/", 1)[-1], pattern))
    except (OSError, ImportError, ValueError) as exc:
        yield SourceProblem(url, f"cannot list: {_reason(exc)}")
        return
    if not names:
        yield SourceProblem(url, f"no files matching {pattern!r} in this folder")
    for name in names:
        yield RemoteFile(fs.unstrip_protocol(name))


def remote_records(
    item: RemoteFile, fmt: str, fields: FieldMap | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[ArticleRecord | RecordProblem]:
    """``formats.iter_records`` over a URL's bytes, streamed; a read failure is a problem."""
    try:
        import fsspec

        with fsspec.open(item.name, "rb") as stream:
            yield from iter_records(item.name, stream, fmt, fields, max_bytes)
    except (OSError, ImportError, ValueError) as exc:
        yield RecordProblem(item.name, f"{item.name}: cannot read: {_reason(exc)}")


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError as exc:
        raise ImportError(FSSPEC_HINT) from exc
    return url_to_fs(url)  # type: ignore[no-any-return]


def _reason(exc: BaseException) -> str:
    """An exception as one line (file systems' messages can span several)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


__all__ = ["RemoteFile", "find_remote", "is_url", "remote_records"]
