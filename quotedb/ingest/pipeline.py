"""From units of work to stored articles: prepare in worker processes, store in input order.

``prepare`` turns one unit (see ``inputs``) into a parsed article, or a
failed ``Outcome``: pure CPU and file work with no database, so it runs in a
pool of worker processes (``prepared_in_order``). ``ingest_paths`` hands
the results, in input order, to the write path (``store``) a batch at a
time. A file that cannot be read or parsed is reported and skipped; the
rest of the batch goes on.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import replace
from itertools import islice
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import Connection, Engine

from ..curation import apply_decisions
from ..db import writer
from ..duplicates import signature
from ..errors import ArticleReadError, IngestAborted
from ..formats import ArticleRecord, FieldMap, RecordProblem
from ..pagemeta import clean_meta
from ..parser import parse_article
from ..records import ParsedArticle
from ..sources import (
    DEFAULT_MAX_BYTES,
    STDIN,
    SourceFile,
    SourceProblem,
    content_hash,
    read_source,
)
from .inputs import PageFile, Work, iter_articles, page_records
from .remote import RemoteFile
from .store import Outcome, Prepared, SpeakerCache, Summary, _in_transaction, write_batch

if TYPE_CHECKING:
    from distributed import Client as DaskClient

log = logging.getLogger(__name__)


def prepare(item: Work, max_bytes: int = DEFAULT_MAX_BYTES) -> Prepared | Outcome:
    """Read, decode and parse one article; a failure becomes a "failed" Outcome.

    Pure CPU and file work with no database, so it runs in worker processes.
    """
    if isinstance(item, SourceProblem):
        return Outcome(item.name, "failed", error=f"{item.name}: {item.message}")
    if isinstance(item, RecordProblem):
        return Outcome(item.source, "failed", error=item.message)
    if isinstance(item, PageFile):
        record = next(page_records(item, max_bytes), None)
        if record is None:
            return Outcome(item.source.name, "failed", error=f"{item.source.name}: no article")
        return prepare(record, max_bytes)
    if isinstance(item, ArticleRecord):
        return _parsed(item.source, item.text, record=item)
    try:
        text = read_source(item, max_bytes=max_bytes)
    except ArticleReadError as exc:
        return Outcome(item.name, "failed", error=str(exc))
    return _parsed(item.name if item.path is not None else STDIN, text)


def _parsed(source: str, text: str, record: ArticleRecord | None = None) -> Prepared | Outcome:
    """Parse a text; a record's own metadata (from a page or corpus) wins over the text's.

    The merged metadata is then cleaned by the general rules of ``pagemeta``
    (a title's site suffix, an outlet spelled as a domain, authors that are
    no people), whichever of the two it came from.
    """
    refused = _not_storable(source, text, record)
    if refused is not None:
        return refused
    digest = content_hash(text)
    if source in (STDIN, "stdin"):
        source = f"stdin:{digest[:16]}"
    try:
        parsed = parse_article(text)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the batch
        return Outcome(source, "failed", error=f"{source}: parser error: {exc!r}")
    meta = record.meta.over(parsed.meta) if record is not None else parsed.meta
    parsed = replace(parsed, meta=clean_meta(meta))
    return Prepared(source, digest, parsed, signature(text) or None)


#: A surrogate code point: valid text never holds one (a pair in UTF-16 is
#: one character in Python), and UTF-8 databases cannot store it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _not_storable(source: str, text: str, record: ArticleRecord | None = None) -> Outcome | None:
    """A failed Outcome if a lone surrogate would reach the database, else None.

    Decoding and the corpus readers already refuse them; this is the last
    check before storing, for any other way in: a file name that is not
    UTF-8 (Python keeps its bytes as surrogates), an HTML extractor, the API.
    """
    if _SURROGATE.search(source):
        shown = source.encode("utf-8", "backslashreplace").decode("utf-8")
        return Outcome(shown, "failed", error=f"{shown}: the file name is not valid UTF-8; "
                                              "rename the file")
    given = record.meta if record is not None else None
    meta = (given.title, given.url, given.outlet, *given.authors) if given else ()
    if any(value and _SURROGATE.search(value) for value in (text, *meta)):
        return Outcome(source, "failed", error=f"{source}: holds a lone surrogate, not text")
    return None


def prepare_chunk(items: list[Work], max_bytes: int) -> list[Prepared | Outcome]:
    """``prepare`` over several items: one round trip to a worker for all of them."""
    with warnings_logged():
        return [prepare(item, max_bytes) for item in items]


@contextmanager
def warnings_logged() -> Iterator[None]:
    """Send warnings raised meanwhile to the ``quotedb`` logger at debug, not the terminal.

    Why: third-party libraries warn about the pages they read (dateutil's
    ``UnknownTimezoneWarning`` for a "10:32 PKT" in a page's metadata), and
    a two-line warning amid the progress bar tells the user nothing they can
    act on. A forked child (an HTML page's extractor) inherits the redirect.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = _log_warning
        yield


def _log_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: TextIO | None = None, line: str | None = None) -> None:
    """``warnings.showwarning`` that logs instead of printing."""
    log.debug("%s: %s (%s:%d)", category.__name__, message, filename, lineno)


def _chunks(items: Iterable[Work], size: int) -> Iterator[list[Work]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def prepared_in_order(
    items: Iterable[Work],
    *,
    workers: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    chunk_size: int = 8,
) -> Iterator[Prepared | Outcome]:
    """Prepare inputs in a process pool, yielding results in input order.

    Items go to the workers ``chunk_size`` at a time (one round trip each),
    and only a bounded number of chunks per worker are in flight, so memory stays flat
    however many files there are: inputs are pulled lazily and results are
    handed on as soon as the oldest chunk is ready.

    Raises:
        IngestAborted: a worker process died (killed, out of memory).
    """
    if workers <= 1:
        for item in items:
            yield prepare(item, max_bytes)
        return
    # Chunks in flight: enough that the workers keep parsing while the
    # writer commits a batch (64 articles, ~0.1 s), few enough that memory
    # stays flat (a chunk's results are ~60 kB). 3 per worker left them idle
    # ~15% of an ingest; 8 per worker cut ingest time by ~8%.
    window = workers * 8
    pending: deque[Future[list[Prepared | Outcome]]] = deque()
    try:
        context = multiprocessing.get_context()
        direct = context.get_start_method() != "forkserver"
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=_die_with_parent,
                                 initargs=(os.getpid(), direct)) as pool:
            _start_workers(pool, workers)
            for chunk in _chunks(items, chunk_size):
                pending.append(pool.submit(prepare_chunk, chunk, max_bytes))
                if len(pending) >= window:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    except BrokenProcessPool as exc:
        raise IngestAborted(
            "a parser worker process died (out of memory or killed); what was stored so far "
            "is complete, run the same command again to finish"
        ) from exc


#: Linux's prctl option that has the kernel signal a process when its parent dies.
_PR_SET_PDEATHSIG = 1
#: How often a worker without prctl looks whether its parent is still there (seconds).
_ORPHAN_POLL = 1.0


def _die_with_parent(parent: int, direct: bool) -> None:
    """Pool initializer: end this worker as soon as the ingest that made it is gone.

    A worker waits for its next task on a pipe whose write end it holds
    itself (a forked copy of its parent's), so it would never see the end
    of a parent killed with SIGKILL or by the out-of-memory killer, and
    would wait for ever. On Linux the kernel sends it SIGKILL when its
    parent dies (it holds no database connection, so nothing is left
    half-done); elsewhere a thread looks every second whether it has been
    orphaned. ``direct`` is False under a fork server, which is then the
    parent the kernel watches, and which itself ends with the ingest.

    The kernel watches the *thread* that forked the worker; the pool is
    made and used in one thread (``prepared_in_order``), which outlives it.
    """
    if not (sys.platform.startswith("linux") and _parent_death_signal()):
        threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True,
                         name="quotedb-orphan-watch").start()
    if direct and os.getppid() != parent:  # it died before the signal was set up
        os._exit(1)


def _parent_death_signal() -> bool:
    """Ask Linux for SIGKILL when the parent dies; False if that cannot be done."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _exit_when_orphaned(parent: int) -> None:
    """Exit the process once its parent has gone (it is then adopted by another)."""
    while os.getppid() == parent:
        time.sleep(_ORPHAN_POLL)
    os._exit(1)


def _start_workers(pool: ProcessPoolExecutor, workers: int) -> None:
    """Make the worker processes now, before the first input is listed.

    A forked worker keeps a copy-on-write share of everything its parent
    held when it was made, and counts it in its resident memory; listing a
    big folder (the file names, kept for sorted order) is the largest thing
    the parent holds, so workers made after it would each carry it too.
    """
    for started in [pool.submit(os.getpid) for _ in range(workers)]:
        started.result()


def ingest_paths(
    engine: Engine,
    sources: Iterable[str | SourceFile | RemoteFile | SourceProblem],
    *,
    workers: int = 1,
    batch_size: int = 64,
    max_bytes: int = DEFAULT_MAX_BYTES,
    input_format: str | None = None,
    fields: FieldMap | None = None,
    pattern: str | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    client: DaskClient | None = None,
) -> Summary:
    """Ingest every article of every source, in input order; report each outcome.

    Parsing runs in ``workers`` processes; writing happens here, in batches
    of ``batch_size`` articles per transaction (see ``write_batch``: each
    article is still stored whole or not at all). Each file's format comes
    from its extension unless ``input_format`` says otherwise. With a Dask
    ``client``, its cluster parses instead (and on PostgreSQL writes; see
    ``cluster``).
    """
    work = iter_articles(sources, input_format=input_format, fields=fields, max_bytes=max_bytes,
                         pattern=pattern)
    if client is not None:
        from .cluster import ingest_on_cluster  # distributed only when a cluster is used

        return ingest_on_cluster(engine, work, client, batch_size=batch_size,
                                 max_bytes=max_bytes, on_outcome=on_outcome)
    results = prepared_in_order(work, workers=workers, max_bytes=max_bytes)
    return write_in_order(engine, results, batch_size=batch_size, on_outcome=on_outcome)


def write_in_order(
    engine: Engine,
    results: Iterable[Prepared | Outcome],
    *,
    batch_size: int = 64,
    on_outcome: Callable[[Outcome], None] | None = None,
    cache: SpeakerCache | None = None,
    replay: bool = True,
) -> Summary:
    """Store prepared articles in input order, ``batch_size`` per transaction; report each.

    The one write loop, whoever prepared the articles: this machine's
    process pool, a Dask cluster on SQLite (which has no server the workers
    could write to), or a Dask task writing its own chunk to PostgreSQL
    (with the ``cache`` its worker keeps, and ``replay`` False: the client
    replays curation decisions once, at the end of the whole run).
    """
    summary = Summary()
    batch: list[Prepared] = []
    cache = cache if cache is not None else SpeakerCache()

    def report(outcome: Outcome) -> None:
        summary.add(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    def flush(connection: Connection) -> None:
        for outcome in write_batch(connection, batch, cache):
            report(outcome)
        batch.clear()

    # One connection for the whole run: on SQLite, closing the last one
    # checkpoints the WAL into the database, which per batch cost ~15% of
    # the writer's time. It holds no lock between batches.
    with warnings_logged(), writer(engine).connect() as connection:
        for result in results:
            if isinstance(result, Outcome):
                flush(connection)  # keep outcomes in input order
                report(result)
                continue
            batch.append(result)
            if len(batch) >= batch_size:
                flush(connection)
        flush(connection)
        if replay and (summary.new or summary.updated):
            _in_transaction(connection, apply_decisions)
    return summary


def ingest_text(
    engine: Engine, source: str, text: str, parsed: ParsedArticle | None = None
) -> Outcome:
    """Store one article's text under ``source`` (the library's one-article entry)."""
    refused = _not_storable(source, text)
    if refused is not None:
        return refused
    prepared = Prepared(source, content_hash(text), parsed or parse_article(text),
                        signature(text) or None)
    outcome = write_batch(engine, [prepared])[0]
    if outcome.status in ("new", "updated"):
        _in_transaction(engine, apply_decisions)
    return outcome



__all__ = ["ingest_paths", "ingest_text", "prepare", "prepare_chunk", "prepared_in_order",
           "write_in_order"]
