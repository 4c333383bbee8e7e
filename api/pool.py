"""Posted-tenant work in a bounded pool of worker processes, apart from the served tenant.

A what-if simulation compiles and runs a client's own patterns: seconds of CPU
that, in the server's process, hold the interpreter while light requests on
the served tenant wait (p99 7 ms went to 0.5-2 s with 20 heavy requests in
flight). Such work runs in `WORKERS` processes of its own, forked from the
forkserver, so the server's process keeps answering the fast path. At most
`QUEUE` jobs are running or waiting; one more is answered at once with 503
and `Retry-After` (overload gets a refusal, never a slower wrong answer).
A job gets the request's deadline and stops at it as in the server.

>>> run(sum, [1, 2, 3])
6
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from api.errors import RequestLimitError
from api.isolation import RETRY_AFTER

WORKERS = 1
"""Worker processes: one of two cores, the other for the server's own process."""
QUEUE = 4
"""Jobs running or waiting; past it a request is refused with 503."""
PRELOAD = ["normalizer", "api.posted"]

T = TypeVar("T")

_lock = threading.Lock()
_slots = threading.BoundedSemaphore(QUEUE)
_executor: list[ProcessPoolExecutor] = []


def _pool() -> ProcessPoolExecutor:
    with _lock:
        if not _executor:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _executor.append(ProcessPoolExecutor(WORKERS, mp_context=context))
        return _executor[0]


def _lose(pool: ProcessPoolExecutor) -> None:
    """Forget a pool whose worker died (killed, out of memory): the next job starts a new one."""
    with _lock:
        if _executor and _executor[0] is pool:
            _executor.clear()
    pool.shutdown(wait=False, cancel_futures=True)


def busy() -> RequestLimitError:
    return RequestLimitError(
        503,
        "busy",
        "the server is busy with other what-if requests; try again",
        retry_after=RETRY_AFTER,
    )


def run(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a worker process; 503 at once when `QUEUE` jobs are in hand.

    `function`, its arguments and its result travel by pickle.
    """
    if not _slots.acquire(blocking=False):
        raise busy()
    pool = _pool()
    try:
        future = pool.submit(function, *args)
    except (BrokenProcessPool, RuntimeError):
        _slots.release()
        _lose(pool)
        raise busy() from None
    future.add_done_callback(lambda _: _slots.release())
    try:
        return future.result()
    except BrokenProcessPool:
        _lose(pool)
        raise busy() from None


def warm() -> None:
    """Start the worker now (imports and service plans), so the first request need not."""
    from api.posted import warm_worker

    run(warm_worker)
