"""Input formats for ingest: plain text, saved web pages, JSON Lines, JSON and CSV.

Researchers' articles rarely arrive as one ``.txt`` file each: they come as
saved web pages, scraper output (JSON Lines), API dumps (JSON) or spreadsheet
exports (CSV). Every format is turned into the same ``ArticleRecord`` here, so
ingest, the CLI and the Python API need no format-specific code.

Memory: JSON Lines and CSV are streamed one record at a time (a 1 GB corpus
is never read whole); ``max_bytes`` then limits each *record*, not the file.
A ``.json`` file is one JSON document and is loaded whole, so ``max_bytes``
limits the file: convert big corpora to JSON Lines. An HTML page has a
smaller limit of its own (``MAX_HTML_BYTES``) and a time limit
(``HTML_TIME_LIMIT``): extracting one costs far more than its size.

A bad record never stops a file: it becomes a ``RecordProblem`` naming the
file and line (or record) number, and the records after it still come through.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import os
import pickle
import re
import select
import signal
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from .dates import parse_date
from .errors import ArticleReadError
from .records import ArticleMeta
from .sources import (
    DEFAULT_MAX_BYTES,
    STDIN,
    SourceFile,
    decode_bytes,
    normalise_text,
    read_text,
)

#: Every input format ``iter_records`` understands.
INPUT_FORMATS = ("txt", "html", "jsonl", "json", "csv")

#: File extensions (lower case) and the format they mean; anything else is text.
_EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
}

#: The glob each format's files match when a folder is ingested.
FORMAT_GLOBS = {
    "txt": "*.txt",
    "html": "*.htm*",
    "jsonl": "*.jsonl",
    "json": "*.json",
    "csv": "*.csv",
}

HTML_EXTRA_HINT = "HTML input needs the 'html' extra: pip install 'quotedb[html]'"
#: The most HTML a page may hold outside its scripts and styles (bytes; see
#: ``html_markup_bytes``); ``max_bytes`` still limits the whole file.
#: trafilatura's time and memory grow faster than the page: an 8 MB page of
#: tables took 76 s and 1.5 GB. At this size the worst shapes
#: ``bench/bench_html.py`` builds stay within the README's ingest memory
#: figure; an article page's markup is rarely near it.
MAX_HTML_BYTES = 512 * 1024
#: Seconds one page's extraction may take before it is given up (see ``extract_html``).
HTML_TIME_LIMIT = 10.0


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One article from any input format, ready to parse and store.

    ``source`` is the stable, unique name ingest dedupes updates on: the path
    for a one-article file, ``path#id`` for a record in a corpus file (its id,
    else its URL, else its 1-based line or record number).
    """

    source: str
    text: str
    #: What the page or record states (never ``dateline``: that is in the text).
    meta: ArticleMeta = ArticleMeta()


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """A record (or whole file) that could not be read: reported, never fatal."""

    source: str
    message: str


@dataclass(frozen=True)
class FieldMap:
    """Which fields of a JSON object or CSV row hold what; the first present wins.

    Names match exactly first, then ignoring case (CSV headers vary: "Text").
    """

    text: tuple[str, ...] = ("text", "body", "content")
    title: tuple[str, ...] = ("title", "headline")
    date: tuple[str, ...] = ("date", "published", "published_at", "pubdate")
    url: tuple[str, ...] = ("url", "link")
    id: tuple[str, ...] = ("id",)
    outlet: tuple[str, ...] = ("outlet", "site_name", "sitename", "publisher")
    authors: tuple[str, ...] = ("authors", "author", "byline")

    @classmethod
    def from_options(
        cls,
        text: str | None = None,
        title: str | None = None,
        date: str | None = None,
        url: str | None = None,
        id: str | None = None,  # noqa: A002 - mirrors the --id-field option
    ) -> FieldMap:
        """The field map for ``--text-field`` etc.: a given name replaces the defaults.

        >>> FieldMap.from_options(text="article_body").text
        ('article_body',)
        >>> FieldMap.from_options().title
        ('title', 'headline')
        """
        default = cls()
        return cls(
            text=(text,) if text else default.text,
            title=(title,) if title else default.title,
            date=(date,) if date else default.date,
            url=(url,) if url else default.url,
            id=(id,) if id else default.id,
        )


def format_for(path: str, override: str | None = None) -> str:
    """The input format of a file: ``override`` if given, else by its extension.

    >>> format_for("corpus/2021.NDJSON")
    'jsonl'
    >>> format_for("page.htm")
    'html'
    >>> format_for("notes.md")
    'txt'
    >>> format_for("-", "csv")
    'csv'
    """
    if override is not None:
        if override not in INPUT_FORMATS:
            raise ValueError(f"unknown input format {override!r}; choose from {INPUT_FORMATS}")
        return override
    return _EXTENSIONS.get(Path(path).suffix.lower(), "txt")


def iter_records(
    name: str,
    stream: BinaryIO,
    fmt: str,
    fields: FieldMap | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[ArticleRecord | RecordProblem]:
    """Every article in one input, in order, with a problem for each bad record.

    Args:
        name: the input as the user named it (a path, or ``-`` for stdin);
            sources and messages are built from it.
        stream: the input's bytes, read lazily; the caller opens and closes it.
        fmt: one of ``INPUT_FORMATS`` (see ``format_for``).
        max_bytes: limit per record for JSON Lines and CSV, per file otherwise.
    """
    fields = fields or FieldMap()
    label = "stdin" if name == STDIN else name
    if fmt in ("jsonl", "csv"):
        text = _text_stream(stream)
        try:
            if fmt == "jsonl":
                yield from _jsonl_records(label, text, fields, max_bytes)
            else:
                yield from _csv_records(label, text, fields, max_bytes)
        finally:
            # Detach so the caller's stream stays open (it is theirs to close)
            # unless they closed it already, abandoning this iterator.
            if not stream.closed:
                text.detach()
        return
    if fmt == "txt":
        try:
            yield ArticleRecord(source=label, text=read_text(label, stream, max_bytes))
        except ArticleReadError as exc:
            yield RecordProblem(label, str(exc))
        return
    if fmt not in ("html", "json"):
        raise ValueError(f"unknown input format {fmt!r}; choose from {INPUT_FORMATS}")
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        hint = "; convert it to JSON Lines, which is streamed" if fmt == "json" else ""
        yield RecordProblem(label, f"{label}: larger than the {max_bytes:,}-byte limit{hint}")
        return
    if fmt == "html" and (markup := html_markup_bytes(data)) > MAX_HTML_BYTES:
        yield RecordProblem(label, f"{label}: {markup:,} bytes of HTML outside scripts and "
                                   f"styles, more than the {MAX_HTML_BYTES:,} extracted")
        return
    if fmt == "html":
        yield extract_html(label, data)
    else:
        yield from _json_records(label, data, fields)


def iter_file_records(
    path: Path, fmt: str | None = None, fields: FieldMap | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[ArticleRecord | RecordProblem]:
    """``iter_records`` for a file on disk (format by extension unless given).

    The file stays open only while the iterator is being consumed.
    """
    fmt = format_for(str(path), fmt)
    try:
        handle = open(path, "rb")
    except OSError as exc:
        yield RecordProblem(str(path), f"{path}: cannot read: {exc.strerror or exc}")
        return
    with handle:
        yield from iter_records(str(path), handle, fmt, fields, max_bytes)


def source_records(
    source: SourceFile, fmt: str | None = None, fields: FieldMap | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[ArticleRecord | RecordProblem]:
    """``iter_records`` for a file found by ``sources.find_sources``, or stdin.

    Standard input has no extension, so it is plain text unless ``fmt`` says
    otherwise.
    """
    if source.path is None:
        yield from iter_records(STDIN, sys.stdin.buffer, fmt or "txt", fields, max_bytes)
    else:
        yield from iter_file_records(source.path, fmt, fields, max_bytes)


# --- one article per file -------------------------------------------------


#: A script or style start tag (lower-cased input): the HTML elements whose
#: content is raw text, not elements.
_RAW_TEXT_OPENER = re.compile(rb"<(script|style)[\s/>]")


def html_markup_bytes(data: bytes) -> int:
    """How much of a page is markup and text: its bytes outside script and style elements.

    What extraction costs grows with the page's elements, while inline
    scripts (often most of a saved news page, as JSON state) are single
    text nodes that trafilatura drops cheaply; so they do not count against
    ``MAX_HTML_BYTES``. One forward pass (nothing that could backtrack).

    >>> html_markup_bytes(b"<p>hi</p><SCRIPT>var x = '<p>';</script ><p>yo</p>")
    18
    >>> html_markup_bytes(b"<styles>not raw text</styles>")
    29
    """
    lowered = data.lower()
    skipped = 0
    position = 0
    while opener := _RAW_TEXT_OPENER.search(lowered, position):
        # Like the HTML parser, the element's text runs to its closing tag, or to the end.
        close = lowered.find(b"</" + opener[1], opener.end())
        end = len(data) if close < 0 else (lowered.find(b">", close) + 1 or len(data))
        skipped += end - opener.start()
        position = end
    return len(data) - skipped


def extract_html(
    label: str, data: bytes, time_limit: float | None = HTML_TIME_LIMIT
) -> ArticleRecord | RecordProblem:
    """``_html_record`` in a child process that is killed after ``time_limit`` seconds.

    trafilatura's worst pages spend minutes inside single lxml calls, where
    no Python-level alarm can stop them, so the page is extracted in a
    forked child that is simply killed when time is up (and that SIGALRM
    ends by itself a second later, should its parent be gone). The child
    takes the page's memory with it when it exits, so a worker does not
    keep the peak of its worst page. Without ``fork`` (Windows), or with no
    limit, the page is extracted in this process.
    """
    if time_limit is None or not hasattr(os, "fork"):
        return _html_record(label, data)
    try:  # here, once per process, not in every child (it takes ~0.5 s)
        import trafilatura  # noqa: F401
    except ImportError:
        return RecordProblem(label, f"{label}: {HTML_EXTRA_HINT}")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: extract, send the pickled result, leave at once
        try:
            os.close(read_end)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(math.ceil(time_limit) + 1)
            payload = pickle.dumps(_html_record(label, data))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)  # no atexit handlers, no flushing the parent's buffers
    os.close(write_end)
    chunks: list[bytes] = []
    try:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            deadline = time.monotonic() + time_limit
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([pipe], [], [], left)[0]:
                    return RecordProblem(label, f"{label}: gave up extracting the article "
                                                f"after {time_limit:g} s (the page is too complex)")
                chunk = pipe.read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.kill(pid, signal.SIGKILL)  # done or out of time; not yet reaped, so still ours
        os.waitpid(pid, 0)
    if not chunks:
        return RecordProblem(label, f"{label}: cannot extract the article: the extracting "
                                    "process died (out of memory?)")
    result: ArticleRecord | RecordProblem = pickle.loads(b"".join(chunks))
    return result


def _html_record(label: str, data: bytes) -> ArticleRecord | RecordProblem:
    """The article in a saved web page: main text and metadata, no page chrome.

    trafilatura keeps menus, ads, related links, cookie banners and (with
    ``include_comments=False``) readers' comments out of the text, so a
    quotation in a reader's comment can never be stored as the article's.
    """
    try:
        import trafilatura
    except ImportError:
        return RecordProblem(label, f"{label}: {HTML_EXTRA_HINT}")
    try:
        # Bytes, not str: trafilatura honours the page's declared charset.
        document = trafilatura.bare_extraction(
            data,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            include_formatting=False,
            with_metadata=True,
        )
    except ImportError as exc:  # a dependency of trafilatura's is missing
        return RecordProblem(label, f"{label}: {HTML_EXTRA_HINT} (missing {exc.name or exc})")
    except Exception as exc:  # noqa: BLE001 - one odd page must not stop the batch
        return RecordProblem(label, f"{label}: cannot extract the article: {exc}")
    body = getattr(document, "body", None)
    text = _paragraphs(body) if body is not None else ""
    if not text.strip():
        return RecordProblem(label, f"{label}: no article text found in the page")
    return ArticleRecord(source=label, text=normalise_text(text, label), meta=ArticleMeta(
        title=_clean(getattr(document, "title", None)),
        published=parse_date(getattr(document, "date", None)),
        url=_clean(getattr(document, "url", None)),
        outlet=_clean(getattr(document, "sitename", None)),
        authors=_authors(getattr(document, "author", None)),
    ))


def _paragraphs(body: Any) -> str:
    """The extracted body as text, one paragraph per block, blank lines between.

    Blank lines matter: the parser numbers paragraphs by them, and a quote
    that runs over paragraphs is recognised by its reopening quote mark.
    """
    blocks: list[str] = []
    for element in body:
        parts = list(element) if element.tag in ("list", "table") else [element]
        for part in parts:
            line = " ".join("".join(part.itertext()).split())
            if line:
                blocks.append(line)
    return "\n\n".join(blocks)


# --- JSON Lines -----------------------------------------------------------


def _text_stream(stream: BinaryIO) -> io.TextIOWrapper:
    """Decode lazily: UTF-8 (BOM optional), or UTF-16/32 when a BOM says so.

    Undecodable bytes become lone surrogates (``surrogateescape``) instead of
    an exception, so one bad record is reported by line and the rest of the
    file still reads; records holding them are refused, never stored garbled.
    """
    head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
    encoding = "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    return io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")


def _lines(text: TextIO, max_chars: int) -> Iterator[tuple[int, str | None]]:
    """Numbered lines, never holding more than ``max_chars`` of one in memory.

    A longer line is skipped to its end and given as None.
    """
    number = 0
    while True:
        line = text.readline(max_chars + 1)
        if not line:
            return
        number += 1
        if len(line) > max_chars and not line.endswith("\n"):
            while (rest := text.readline(max_chars)) and not rest.endswith("\n"):
                pass
            yield number, None
            continue
        yield number, line


def _jsonl_records(
    label: str, text: TextIO, fields: FieldMap, max_bytes: int
) -> Iterator[ArticleRecord | RecordProblem]:
    seen: set[str] = set()
    for number, line in _lines(text, max_bytes):
        where = f"{label}: line {number}"
        if line is None:
            yield RecordProblem(label, f"{where}: longer than the {max_bytes:,}-character limit")
            continue
        if not line.strip():
            continue
        if _SURROGATE.search(line):
            yield RecordProblem(label, f"{where}: not valid UTF-8")
            continue
        try:
            obj = _decode_json(line.rstrip("\r\n"))
        except UnreadableJson as exc:
            yield RecordProblem(label, f"{where}: {exc}")
            continue
        yield _from_object(label, where, number, obj, fields, seen)


_SURROGATE = re.compile("[\udc80-\udcff]")
#: Any surrogate code point: in decoded JSON, a valid pair has become one
#: character, so what is left is a lone half that no UTF-8 database stores.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class UnreadableJson(ValueError):
    """A JSON text that is not valid, or valid but beyond what Python converts."""


def _decode_json(text: str, start: int | None = None) -> Any:
    """One JSON value (``text[start:]``'s first, with ``raw_decode``, if ``start`` is given).

    Valid JSON can still defeat Python: a number of more than 4,300 digits
    (``sys.get_int_max_str_digits``) raises ValueError and deep nesting
    RecursionError. Both become ``UnreadableJson``, so the record is
    reported like a syntax error instead of stopping the file.
    """
    try:
        if start is None:
            return json.loads(text)
        return _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise UnreadableJson(f"not valid JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise UnreadableJson("not readable: nested too deeply") from exc
    except ValueError as exc:  # the integer-string conversion limit
        raise UnreadableJson(
            f"not readable: a number has more than {sys.get_int_max_str_digits():,} digits"
        ) from exc


_DECODER = json.JSONDecoder()


# --- JSON -----------------------------------------------------------------


def _json_records(
    label: str, data: bytes, fields: FieldMap
) -> Iterator[ArticleRecord | RecordProblem]:
    """An array of objects, one object, or (if the file is not one document) JSON Lines."""
    try:
        raw = decode_bytes(data, label)
    except ArticleReadError as exc:
        yield RecordProblem(label, str(exc))
        return
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and raw.lstrip().startswith("{"):
            yield from _jsonl_records(label, io.StringIO(raw), fields, len(raw))
            return
        yield RecordProblem(
            label, f"{label}: line {exc.lineno}: not valid JSON ({exc.msg}); nothing read"
        )
        return
    except (ValueError, RecursionError):
        # Valid JSON that Python will not convert somewhere: go record by
        # record, so only the records holding it are lost.
        yield from _json_records_one_by_one(label, raw, fields)
        return
    items = document if isinstance(document, list) else [document]
    seen: set[str] = set()
    for number, obj in enumerate(items, start=1):
        yield _from_object(label, f"{label}: record {number}", number, obj, fields, seen)


_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _json_records_one_by_one(
    label: str, raw: str, fields: FieldMap
) -> Iterator[ArticleRecord | RecordProblem]:
    """The records of a JSON array (or JSON Lines) decoded one at a time.

    A record Python cannot convert is skipped to its end by ``_skip_value``
    and reported; a syntax error ends the file there (where the next record
    starts is then unknown), after the records before it came through.
    """
    position = _WHITESPACE.match(raw).end()  # type: ignore[union-attr]
    if raw.startswith("{", position):
        end = _skip_value(raw, position)
        if raw[end:].strip():  # more than one object: JSON Lines
            yield from _jsonl_records(label, io.StringIO(raw), fields, len(raw))
            return
    if not raw.startswith("[", position):
        try:
            document = _decode_json(raw)
        except UnreadableJson as exc:
            yield RecordProblem(label, f"{label}: {exc}; nothing read")
            return
        yield _from_object(label, f"{label}: record 1", 1, document, fields, set())
        return
    seen: set[str] = set()
    position = _WHITESPACE.match(raw, position + 1).end()  # type: ignore[union-attr]
    number = 0
    while not raw.startswith("]", position):
        number += 1
        where = f"{label}: record {number}"
        try:
            obj, end = _decode_json(raw, position)
            yield _from_object(label, where, number, obj, fields, seen)
        except UnreadableJson as exc:
            end = _skip_value(raw, position)
            if end == position or str(exc).startswith("not valid JSON"):
                line = raw.count("\n", 0, position) + 1
                yield RecordProblem(label, f"{where} (line {line}): {exc}; "
                                           "the records after it are not read")
                return
            yield RecordProblem(label, f"{where}: {exc}")
        position = _WHITESPACE.match(raw, end).end()  # type: ignore[union-attr]
        if raw.startswith(",", position):
            position = _WHITESPACE.match(raw, position + 1).end()  # type: ignore[union-attr]
        elif not raw.startswith("]", position):
            line = raw.count("\n", 0, position) + 1
            yield RecordProblem(label, f"{label}: line {line}: not valid JSON (expected , or ]"
                                       " after a record); the records after it are not read")
            return


#: What can end or nest a JSON value, outside strings.
_STRUCTURE = re.compile(r'["\[\]{},]')
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def _skip_value(text: str, start: int) -> int:
    """Where the JSON value at ``text[start]`` ends, without decoding it.

    A loop, not recursion, so any depth of nesting is fine; strings are
    skipped whole, so brackets in them do not count.
    """
    depth = 0
    position = start
    while (found := _STRUCTURE.search(text, position)) is not None:
        position = found.start()
        char = text[position]
        if char == '"':
            string = _STRING.match(text, position)
            if string is None:
                return len(text)
            position = string.end()
            if depth == 0:
                return position
            continue
        if char in "[{":
            depth += 1
        elif depth == 0:  # , ] or } after a number or literal
            return position
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return position + 1
        position += 1
    return len(text)


# --- CSV ------------------------------------------------------------------


def _csv_records(
    label: str, text: io.TextIOWrapper, fields: FieldMap, max_bytes: int
) -> Iterator[ArticleRecord | RecordProblem]:
    """Rows as records; a header row names the fields. Quoted fields may hold newlines."""
    # The csv module's field limit is process-wide and 128 KiB by default:
    # raise it (never lower it) so that long articles fit.
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes))
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield RecordProblem(label, f"{label}: empty CSV file (no header row)")
        return
    except csv.Error as exc:
        yield RecordProblem(label, f"{label}: line 1: bad CSV header ({exc})")
        return
    header = [column.strip() for column in header]
    seen: set[str] = set()
    number = 0
    while True:
        start_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield RecordProblem(label, f"{label}: record {number} (line {start_line}): "
                                       f"not valid CSV ({exc})")
            continue
        if not any(cell.strip() for cell in row):
            continue  # blank line
        number += 1
        where = f"{label}: record {number} (line {start_line})"
        if len(row) != len(header):
            yield RecordProblem(label, f"{where}: {len(row)} fields, but the header has "
                                       f"{len(header)}")
            continue
        if any(_SURROGATE.search(cell) for cell in row):
            yield RecordProblem(label, f"{where}: not valid UTF-8")
            continue
        yield _from_object(label, where, number, dict(zip(header, row, strict=True)), fields, seen)


# --- records from objects -------------------------------------------------


def _from_object(
    label: str, where: str, number: int, obj: Any, fields: FieldMap, seen: set[str]
) -> ArticleRecord | RecordProblem:
    """One JSON object or CSV row as a record, or the problem with it."""
    if not isinstance(obj, Mapping):
        return RecordProblem(label, f"{where}: not a JSON object but {type(obj).__name__}")
    raw_text = _pick(obj, fields.text)
    if isinstance(raw_text, list) and all(isinstance(p, str) for p in raw_text):
        raw_text = "\n\n".join(raw_text)  # a list of paragraphs
    if raw_text is not None and not isinstance(raw_text, str):
        return RecordProblem(label, f"{where}: field {_first_present(obj, fields.text)!r} "
                                    f"is {type(raw_text).__name__}, not text")
    if not raw_text or not raw_text.strip():
        return RecordProblem(label, f"{where}: no text in fields {'/'.join(fields.text)}")
    if "\x00" in raw_text:
        return RecordProblem(label, f"{where}: text contains NUL characters")
    url = _clean(_scalar(_pick(obj, fields.url)))
    key = _clean(_scalar(_pick(obj, fields.id))) or url or str(number)
    title = _clean(_scalar(_pick(obj, fields.title)))
    outlet = _clean(_scalar(_pick(obj, fields.outlet)))
    authors = _authors(_pick(obj, fields.authors))
    # Refused, not repaired: a lone surrogate means a character was cut in
    # half upstream, as with undecodable bytes (refused too), and no UTF-8
    # database can store one.
    for name, value in (("text", raw_text), ("id", key), ("title", title), ("url", url),
                        ("outlet", outlet), ("authors", " ".join(authors))):
        if value and (found := _LONE_SURROGATE.search(value)):
            return RecordProblem(label, f"{where}: {name} holds a lone surrogate "
                                        f"(U+{ord(found.group()):04X}), not text")
    source = f"{label}#{key}"
    if source in seen:
        return RecordProblem(label, f"{where}: duplicate id {key!r} (an earlier record has it)")
    seen.add(source)
    return ArticleRecord(source=source, text=normalise_text(raw_text, source), meta=ArticleMeta(
        title=title,
        published=parse_date(_pick(obj, fields.date)),
        url=url,
        outlet=outlet,
        authors=authors,
    ))


def _pick(obj: Mapping[str, Any], names: Sequence[str]) -> Any:
    """The value of the first of ``names`` that ``obj`` has (exact, then any case)."""
    name = _first_present(obj, names)
    return None if name is None else obj[name]


def _first_present(obj: Mapping[str, Any], names: Sequence[str]) -> str | None:
    for name in names:
        if obj.get(name) not in (None, ""):
            return name
    lowered = {str(key).lower(): key for key in obj}
    for name in names:
        key = lowered.get(name.lower())
        if key is not None and obj[key] not in (None, ""):
            return key
    return None


def _scalar(value: Any) -> str | None:
    """A JSON scalar as text (ids may be numbers); containers are not names."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    return str(value)


def _clean(value: str | None) -> str | None:
    """Whitespace collapsed; empty becomes None."""
    if value is None:
        return None
    cleaned = " ".join(str(value).split())
    return cleaned or None


def _authors(value: Any) -> tuple[str, ...]:
    """Authors from a list or a ``;``-separated string (trafilatura's form)."""
    if isinstance(value, str):
        value = value.split(";")
    if not isinstance(value, list):
        return ()
    names = (_clean(v if isinstance(v, str) else _scalar(v)) for v in value)
    return tuple(name for name in names if name)


__all__ = [
    "FORMAT_GLOBS",
    "INPUT_FORMATS",
    "ArticleRecord",
    "FieldMap",
    "RecordProblem",
    "format_for",
    "iter_file_records",
    "iter_records",
    "source_records",
]
