"""What ingest reads: paths in, units of work (one per article) out.

Every input format (``quotedb.formats``) and every way of naming inputs
(files, folders, ``-`` for stdin; ``quotedb.sources``) meets here, behind
``iter_articles``: the pipeline never asks which format or source a unit
came from, only what to do with it.

Plain-text and HTML files stay whole (a worker reads them, since reading
and extracting are the slow part); JSON Lines, JSON and CSV files are
streamed here, record by record, so a huge corpus file is never held in
memory. Standard input is read here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..formats import (
    FORMAT_GLOBS,
    ArticleRecord,
    FieldMap,
    RecordProblem,
    format_for,
    source_records,
)
from ..sources import DEFAULT_MAX_BYTES, SourceFile, SourceProblem, find_sources
from .remote import RemoteFile, find_remote, is_url, remote_records


@dataclass(frozen=True, slots=True)
class PageFile:
    """A file holding one article, read in the worker: an HTML page, or any file behind a URL.

    Extraction is slow, and a remote file is best fetched where it is
    parsed, so both happen in the worker along with parsing.
    """

    source: SourceFile | RemoteFile
    fmt: str


#: One unit of work: a text file to read, a page to extract, a record read
#: already, or a problem to report in its place.
Work = SourceFile | SourceProblem | PageFile | ArticleRecord | RecordProblem

#: Formats with one article per file, read (and extracted) in the worker.
_ONE_PER_FILE = ("txt", "html")


def default_pattern(input_format: str | None) -> str:
    """The glob a folder is searched with: the format's usual extension, ``*.txt`` by default.

    >>> default_pattern(None), default_pattern("jsonl")
    ('*.txt', '*.jsonl')
    """
    return FORMAT_GLOBS.get(input_format or "txt", "*.txt")


def find_inputs(
    paths: Iterable[str], pattern: str
) -> Iterator[SourceFile | RemoteFile | SourceProblem]:
    """Every input file named: local paths (``sources.find_sources``) and fsspec URLs."""
    for name in paths:
        yield from find_remote(name, pattern) if is_url(name) else find_sources([name], pattern)


def iter_articles(
    paths: Iterable[str | SourceFile | RemoteFile | SourceProblem],
    *,
    input_format: str | None = None,
    fields: FieldMap | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    pattern: str | None = None,
) -> Iterator[Work]:
    """Every article of every input, lazily, in input order, as units of work.

    ``paths`` are names as typed (files, folders searched recursively for
    ``pattern``, ``-``, fsspec URLs) or sources listed already by ``find_inputs``. Each
    file's format comes from its extension unless ``input_format`` says
    otherwise; a path that cannot be listed, a file or a record that cannot
    be read becomes a problem in its place, never an exception.
    """
    glob = pattern or default_pattern(input_format)
    for item in paths:
        if isinstance(item, str):
            yield from _units(find_inputs([item], glob), input_format, fields, max_bytes)
        else:
            yield from _units((item,), input_format, fields, max_bytes)


def _units(
    sources: Iterable[SourceFile | RemoteFile | SourceProblem], input_format: str | None,
    fields: FieldMap | None, max_bytes: int,
) -> Iterator[Work]:
    """The units of work of listed sources (see ``iter_articles``)."""
    for source in sources:
        if isinstance(source, SourceProblem):
            yield source
            continue
        if isinstance(source, RemoteFile):
            fmt = format_for(source.name, input_format)
            if fmt in _ONE_PER_FILE:
                yield PageFile(source, fmt)
            else:
                yield from remote_records(source, fmt, fields, max_bytes)
            continue
        fmt = format_for(source.name, input_format) if source.path else (input_format or "txt")
        if source.path is not None and fmt == "txt":
            yield source
        elif source.path is not None and fmt in _ONE_PER_FILE:
            yield PageFile(source, fmt)
        else:
            yield from source_records(source, fmt, fields, max_bytes)


def page_records(item: PageFile, max_bytes: int) -> Iterator[ArticleRecord | RecordProblem]:
    """A one-article file's record, read from disk or from its URL."""
    if isinstance(item.source, RemoteFile):
        return remote_records(item.source, item.fmt, None, max_bytes)
    return source_records(item.source, item.fmt, None, max_bytes)


__all__ = ["PageFile", "Work", "default_pattern", "find_inputs", "iter_articles", "page_records"]
