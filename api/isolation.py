"""Client work that no regex timeout can bound, run by `normalizer.quality.isolation` under the request limit.

Lint decides shadowing and overlaps on the patterns' regular languages: making
the automaton of a short pattern can take exponential time and memory
(`^\\d*1\\d{16}$` runs for minutes). So `POST /v1/lint` runs in a child
process (`normalizer.run_isolated`), forked from a forkserver that
has the code loaded (a few milliseconds per call, and forking a clean
process, not the threaded server); past the request time limit the child is
killed and the request answers `time_limit_exceeded` (`TimeLimitError`),
past its memory cap `too_complex` (`MemoryLimitError`), both through the
error table of `api.errors`. At most `SLOTS` children run at once; a request
that finds none free within its time limit answers 503.

>>> run_isolated(sorted, ([3, 1, 2],), seconds=30)
[1, 2, 3]
>>> run_isolated(normalizer.load_tenant, ("missing.toml",), seconds=30)
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: missing.toml: no such file
>>> run_isolated(time.sleep, (30,), seconds=0.5)
Traceback (most recent call last):
...
normalizer.errors.TimeLimitError: the work ran past its limit of 0.5 s and was stopped
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import normalizer
from api.errors import RequestLimitError
from normalizer import TimeLimitError

SLOTS = 2
"""Children running at once."""
RETRY_AFTER = 2
"""Seconds a client told 503 is asked to wait (`Retry-After`)."""
SLOT_WAIT = 0.5
"""The longest a request waits for a free slot before its 503: a waiting request holds one
of the server's threads, and forty-five of them waiting for seconds left none for a
one-item batch."""
MEMORY_BYTES = 4 * 1024**3
"""The address space a child may take beyond what it starts with."""
PRELOAD = ["normalizer", "api.routers.lint", "api.routers.tenant_files"]

_slots = threading.BoundedSemaphore(SLOTS)


def warm() -> None:
    """Start the forkserver now (it takes a second or two), so the first request need not."""
    run_isolated(int, (), seconds=120)


@contextmanager
def slot(seconds: float) -> Iterator[None]:
    """Within: one of the `SLOTS` for child processes, waited for up to `seconds` and at
    most `SLOT_WAIT` (else 503 with `Retry-After`)."""
    if not _slots.acquire(timeout=max(0.0, min(seconds, SLOT_WAIT))):
        raise RequestLimitError(
            503, "busy", "the server is busy with other such requests; try again", retry_after=RETRY_AFTER
        )
    try:
        yield
    finally:
        _slots.release()


def run_isolated(function: Callable[..., Any], args: tuple[Any, ...], *, seconds: float) -> Any:
    """`function(*args)` in a child process; waiting for a slot and the work share `seconds`.

    `function` and its arguments and result travel by pickle. A `DialplanError`
    raised in the child is raised again here, with its location.
    """
    deadline = time.monotonic() + seconds
    with slot(seconds):
        try:
            return normalizer.run_isolated(
                function,
                args,
                seconds=max(0.0, deadline - time.monotonic()),
                memory_bytes=MEMORY_BYTES,
                method="forkserver",
                preload=PRELOAD,
            )
        except TimeLimitError as exc:
            # Name the request's limit, not what was left of it after waiting for a slot.
            raise TimeLimitError(f"the work ran past its limit of {seconds} s and was stopped") from exc
