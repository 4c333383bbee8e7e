"""Work on client input that no regex timeout can bound, run in a child process with a hard limit.

Lint decides shadowing and overlaps on the patterns' regular languages: making
the automaton of a short pattern can take exponential time and memory
(`^\\d*1\\d{16}$` runs for minutes), and the `regex` module's timeout does not
reach there. So such work runs in a child process forked from a forkserver
that has the code loaded (a few milliseconds per call, and forking a clean
process, not the threaded server); past the time limit the child is killed and
the request answers `time_limit_exceeded`. Its address space is capped too.
At most `SLOTS` children run at once; a request that finds none free within
its time limit answers 503.

>>> run_isolated(sorted, ([3, 1, 2],), seconds=30)
[1, 2, 3]
>>> run_isolated(normalizer.load_tenant, ("missing.toml",), seconds=30)
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: missing.toml: no such file
>>> run_isolated(time.sleep, (30,), seconds=0.5)
Traceback (most recent call last):
...
api.errors.RequestLimitError: the work ran past its limit of 0.5 s and was stopped
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import normalizer
from api.errors import RequestLimitError
from normalizer import DialplanError

SLOTS = 2
"""Children running at once."""
MEMORY_BYTES = 4 * 1024**3
"""The address space a child may use."""
PRELOAD = ["normalizer", "api.routers.lint"]

_slots = threading.BoundedSemaphore(SLOTS)
_started = threading.Lock()
_context: Any = None


def _forkserver() -> Any:
    global _context
    with _started:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
        return _context


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        pass


def _child(connection: Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    _limit_memory()
    try:
        result: tuple[Any, ...] = ("ok", function(*args))
    except DialplanError as exc:
        where = (exc.detail, exc.file, exc.plan, exc.rule, exc.rule_index, exc.field)
        result = ("error", type(exc).__name__, where)
    except MemoryError:
        result = ("memory",)
    except Exception as exc:  # noqa: BLE001 - sent to the server, which logs it as a bug
        result = ("crash", f"{type(exc).__name__}: {exc}")
    connection.send(result)
    connection.close()


def warm() -> None:
    """Start the forkserver now (it takes a second or two), so the first request need not."""
    run_isolated(int, (), seconds=120)


def run_isolated(function: Callable[..., Any], args: tuple[Any, ...], *, seconds: float) -> Any:
    """`function(*args)` in a child process, killed after `seconds`.

    `function` and its arguments and result travel by pickle. A `DialplanError`
    raised in the child is raised again here, with its location.
    """
    deadline = time.monotonic() + seconds
    if not _slots.acquire(timeout=seconds):
        raise RequestLimitError(503, "busy", "the server is busy with other such requests; try again")
    try:
        context = _forkserver()
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(sender, function, args), daemon=True)
        process.start()
        sender.close()
        try:
            if not receiver.poll(max(0.0, deadline - time.monotonic())):
                raise RequestLimitError(
                    422,
                    "time_limit_exceeded",
                    f"the work ran past its limit of {seconds} s and was stopped",
                )
            try:
                result = receiver.recv()
            except EOFError:
                result = ("crash", f"the child process ended with code {process.exitcode}")
        finally:
            receiver.close()
            if process.is_alive():
                process.kill()
            process.join()
    finally:
        _slots.release()
    kind = result[0]
    if kind == "ok":
        return result[1]
    if kind == "error":
        name, (detail, file, plan, rule, rule_index, field) = result[1], result[2]
        error_class = getattr(normalizer, name, DialplanError)
        if not (isinstance(error_class, type) and issubclass(error_class, DialplanError)):
            error_class = DialplanError
        raise error_class(detail, file=file, plan=plan, rule=rule, rule_index=rule_index, field=field)
    if kind == "memory":
        raise RequestLimitError(
            422, "too_complex", f"the work needed more than {MEMORY_BYTES // 1024**3} GiB and was stopped"
        )
    raise RuntimeError(f"isolated work failed: {result[1]}")
