"""Ingest on a Dask cluster: workers read and parse; on PostgreSQL they write too.

The same units of work as a local run (``inputs.iter_articles``) go to a
running ``dask.distributed`` cluster in chunks, one task each. A task reads
and parses its chunk (``pipeline.prepare_chunk``) on its worker; then:

- on PostgreSQL the task writes the chunk itself with the store layer
  (``pipeline.write_in_order`` over ``store.write_batch``: the same upserts,
  retries and speaker cache as a local run) and sends back only Outcomes,
  so the client never becomes the bottleneck;
- on SQLite, a file only this machine can write, the parsed articles come
  back to the one local writer.

The client keeps a bounded window of tasks in flight and takes their
results in input order, so the progress bar, the summary and the errors
read as a local run's. A worker that dies (killed, out of memory) has its
tasks re-run elsewhere by Dask; that is safe because every write is
idempotent (the content hash finds an article already stored, speakers and
aliases are upserts with ON CONFLICT), so the database ends as one local
ingest of the same inputs would leave it. An article a re-run task finds
stored then counts as "unchanged" in the summary.

``distributed`` is imported only here, and only when a cluster is used
(the ``dask`` extra).
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from ..curation import apply_decisions
from ..db import is_sqlite, make_engine, writer
from ..errors import IngestAborted, MissingExtra, SchedulerUnreachable
from ..sources import DEFAULT_MAX_BYTES, SourceFile
from .inputs import PageFile, Work
from .pipeline import prepare_chunk, write_in_order
from .store import Outcome, Prepared, SpeakerCache, Summary, _in_transaction

if TYPE_CHECKING:
    from distributed import Client, Future

DASK_EXTRA_HINT = "a Dask cluster needs the 'dask' extra: pip install 'quotedb[dask]'"

#: Seconds to wait for a scheduler to answer before giving up.
CONNECT_TIMEOUT = 10.0

#: Articles per task on SQLite, where a task only parses: big enough that a
#: round trip through the scheduler (~ms) is small next to parsing them.
PARSE_CHUNK = 16

#: Tasks in flight per worker thread: enough to keep every thread busy
#: while the client takes results in order, few enough that memory stays flat.
TASKS_PER_THREAD = 4


def connect_scheduler(address: str, timeout: float = CONNECT_TIMEOUT) -> Client:
    """A client of the Dask scheduler at ``address`` (``tcp://host:port``).

    The scheduler is reached once with a bare connection first: a
    ``Client`` that fails to connect leaves a half-made object whose
    finaliser prints a traceback at exit, which a user should never see.

    Raises:
        MissingExtra: ``distributed`` is not installed.
        SchedulerUnreachable: no scheduler answered within ``timeout`` seconds,
            or the address is malformed.
    """
    try:
        from distributed import Client
        from distributed.comm import connect
    except ImportError as exc:
        raise MissingExtra(DASK_EXTRA_HINT) from exc

    async def probe() -> None:
        comm = await connect(address, timeout=timeout)
        await comm.close()

    try:
        asyncio.run(probe())
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, ValueError, TimeoutError) as exc:
        raise SchedulerUnreachable(
            f"cannot reach the Dask scheduler at {address}: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def ingest_on_cluster(
    engine: Engine,
    work: Iterable[Work],
    client: Client,
    *,
    batch_size: int = 64,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Summary:
    """Ingest units of work (``inputs.iter_articles``) on ``client``'s cluster, reporting in order.

    ``pipeline.ingest_paths`` calls this when given a client. Files are read
    by the workers, so they must see the same paths (a shared file system)
    or be URLs; corpus records and stdin are read here and shipped. On
    PostgreSQL each task of ``batch_size`` articles is one batch written by
    its worker; on SQLite the local writer stores what the workers parsed.

    Raises:
        IngestAborted: the cluster lost a task for good (a worker died on it
            repeatedly) or the scheduler went away; what was stored is whole.
    """
    work = (_for_worker(item) for item in work)
    url = engine.url.render_as_string(hide_password=False)
    if is_sqlite(url):
        parsed = _results_in_order(client, work, PARSE_CHUNK, prepare_chunk, max_bytes)
        return write_in_order(engine, parsed, batch_size=batch_size, on_outcome=on_outcome)
    summary = Summary()
    for outcome in _results_in_order(client, work, batch_size, store_chunk, max_bytes, url):
        summary.add(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    if summary.new or summary.updated:
        _in_transaction(writer(engine), apply_decisions)
    return summary


def _for_worker(item: Work) -> Work:
    """A unit of work another machine can do: its file named by an absolute path.

    The article keeps the name it was given (its ``source`` is what a local
    run stores); only where a worker finds the file changes. Records (of
    corpus files and stdin) are read here already and travel whole; a URL
    is the same everywhere.
    """
    if isinstance(item, SourceFile) and item.path is not None:
        return replace(item, path=item.path.absolute())
    if isinstance(item, PageFile) and isinstance(item.source, SourceFile) \
            and item.source.path is not None:
        return replace(item, source=replace(item.source, path=item.source.path.absolute()))
    return item


def _results_in_order(
    client: Client, work: Iterable[Work], chunk_size: int, task: Callable[..., list[Any]],
    *args: Any,
) -> Iterator[Any]:
    """Run ``task(chunk, *args)`` on the cluster for each chunk; yield its results in order.

    Only a bounded window of tasks is in flight, so inputs are pulled lazily
    and memory stays flat; a task left unfinished (an error, Ctrl-C) is
    cancelled, so the cluster does not go on writing after the client stops.
    """
    from distributed import CancelledError

    threads = sum(client.nthreads().values()) or 1
    window = threads * TASKS_PER_THREAD
    pending: deque[Future] = deque()
    iterator = iter(work)
    try:
        while chunk := list(islice(iterator, chunk_size)):
            pending.append(client.submit(task, chunk, *args, pure=False))
            if len(pending) >= window:
                yield from _result(pending.popleft())
        while pending:
            yield from _result(pending.popleft())
    except (OSError, CancelledError) as exc:
        raise IngestAborted(f"lost the Dask cluster ({_first_line(exc)}); what was stored so far "
                            "is complete, run the same command again to finish") from exc
    finally:
        if pending:
            client.cancel(list(pending))


def _result(future: Future) -> list[Any]:
    """A task's results; a task Dask gave up on (its workers kept dying) aborts the run."""
    from distributed import KilledWorker

    try:
        return list(future.result())
    except KilledWorker as exc:
        raise IngestAborted(
            "Dask workers died running the same articles again and again (out of memory?); "
            "what was stored so far is complete, run the same command again to finish"
        ) from exc


# --- on the worker -------------------------------------------------------

#: Each worker process's engines (one per database URL; an engine is thread-safe).
_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()
#: Each worker thread's speaker caches, by URL: a cache is not thread-safe,
#: and kept from task to task it saves the lookups that dominate writing.
_CACHES = threading.local()


def store_chunk(items: list[Work], max_bytes: int, url: str) -> list[Outcome]:
    """A task: read, parse and store a chunk in one batch; only its Outcomes go back.

    Runs on a worker. The batch is written as a local run writes one
    (``write_in_order``: a transaction per batch, article by article on a
    clash, retries while busy), so a task that runs twice stores nothing twice.
    """
    outcomes: list[Outcome] = []
    prepared: list[Prepared | Outcome] = prepare_chunk(items, max_bytes)
    write_in_order(_engine(url), prepared, batch_size=max(len(prepared), 1),
                   on_outcome=outcomes.append, cache=_cache(url), replay=False)
    return outcomes


def _engine(url: str) -> Engine:
    with _ENGINES_LOCK:
        if url not in _ENGINES:
            _ENGINES[url] = make_engine(url)
        return _ENGINES[url]


def _cache(url: str) -> SpeakerCache:
    caches: dict[str, SpeakerCache] = getattr(_CACHES, "by_url", None) or {}
    _CACHES.by_url = caches
    return caches.setdefault(url, SpeakerCache())


__all__ = ["CONNECT_TIMEOUT", "DASK_EXTRA_HINT", "connect_scheduler", "ingest_on_cluster",
           "store_chunk"]
