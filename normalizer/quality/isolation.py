"""Work that no timeout inside Python can stop, run in a child process killed at a time limit.

Lint decides shadowing on the patterns' regular languages, and building the
automaton of a short pattern can take exponential time and memory
(`^\\d*1\\d{16}$` runs for minutes); neither the `regex` module's timeout nor
a check inside the work reaches there. So such work runs in a child process:
past its time limit the child is killed and a `TimeLimitError` says what it
was doing (`note`); past its memory cap the work stops with a
`MemoryLimitError`. `run_isolated` runs one call; `run_each` runs one call
per item in one child, each under its own time limit, and after a stop goes
on with the next item in a new child, so one slow item costs the others
nothing. A `DialplanError` raised in the child is raised (or yielded) here
with its location; results come back by pickle.

The child is forked from this process when it runs no other thread (a few
milliseconds, nothing imported again); a threaded process (the web service)
asks for a forkserver, which forks clean children from a process that has
the `preload` modules imported.

>>> run_isolated(sorted, ([3, 1, 2],), seconds=30)
[1, 2, 3]
>>> run_isolated(time.sleep, (30,), seconds=0.2)
Traceback (most recent call last):
...
normalizer.errors.TimeLimitError: the work ran past its limit of 0.2 s and was stopped
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Any

from normalizer.errors import DialplanError, MemoryLimitError, TimeLimitError

MEMORY_BYTES = 4 * 1024**3
"""The address space a child may take beyond what it starts with (`memory_bytes`)."""

_contexts: dict[str, Any] = {}
_contexts_lock = threading.Lock()
_notes: Connection | None = None
"""In a child: where `note` sends what the work is doing."""


def note(doing: str, **where: str | int | None) -> None:
    """Say what the work in this child process is doing now, e.g. `note("building ...", rule="R")`.

    A `TimeLimitError` then ends its detail with `while <doing>` and takes the
    location parts `where` (plan, rule, rule_index, field). Outside a child
    process of this module it does nothing.
    """
    if _notes is not None:
        _notes.send(("note", doing, where))


def _start_method() -> str:
    """Fork when nothing else runs in this process; a forkserver otherwise (or spawn)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _context(method: str | None, preload: Sequence[str]) -> Any:
    chosen = method or _start_method()
    with _contexts_lock:
        if chosen not in _contexts:
            context = multiprocessing.get_context(chosen)
            if chosen == "forkserver" and preload:
                context.set_forkserver_preload(list(preload))
            _contexts[chosen] = context
        return _contexts[chosen]


def _limit_memory(extra: int) -> None:
    """Cap the address space at what the process has now plus `extra` bytes (where possible)."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            current = int(statm.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (current + extra, current + extra))
    except (ImportError, OSError, ValueError):  # not on this platform: the time limit still holds
        pass


def _child(
    connection: Connection,
    function: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    memory_bytes: int | None,
) -> None:
    global _notes
    _notes = connection
    if memory_bytes is not None:
        _limit_memory(memory_bytes)
    connection.send(("ready",))
    for args in calls:
        try:
            message: tuple[Any, ...] = ("ok", function(*args))
        except DialplanError as exc:
            message = ("error", exc)
        except MemoryError:
            message = ("memory",)
        except Exception as exc:  # noqa: BLE001 - sent to the parent, which raises it as a bug
            message = ("crash", f"{type(exc).__name__}: {exc}")
        connection.send(message)
    connection.close()


def _stopped(
    seconds: float, doing: str | None, where: dict[str, Any], share: float | None = None
) -> TimeLimitError:
    if share is not None and share < seconds:
        detail = f"the work ran past its share ({share:.2g} s) of the limit of {seconds:g} s and was stopped"
    else:
        detail = f"the work ran past its limit of {seconds:g} s and was stopped"
    if doing:
        detail += f" while {doing}"
    return TimeLimitError(detail, **where)


def _is_ready(receiver: Connection, process: Any, seconds: float) -> bool:
    """Whether a new child said it is ready within `seconds` (a child that died is a bug)."""
    if not receiver.poll(max(0.0, seconds)):
        return False
    try:
        message = receiver.recv()
    except EOFError:
        raise RuntimeError(
            f"isolated work failed: the child process ended with code {process.exitcode}"
        ) from None
    return bool(message[0] == "ready")


class NotStarted:
    """The outcome `run_each` yields for a call it never started: the run's deadline had passed."""

    def __repr__(self) -> str:
        return "NotStarted()"


def run_each(
    function: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    *,
    seconds: float,
    until: float | None = None,
    memory_bytes: int | None = MEMORY_BYTES,
    method: str | None = None,
    preload: Sequence[str] = (),
    shares_per_call: float | None = None,
) -> Iterator[Any]:
    """`function(*args)` for each `args` of `calls`, in order, each under `seconds`.

    Yields each call's result, or the `DialplanError` it raised or was stopped
    with (`TimeLimitError`, `MemoryLimitError`) as a value, so the caller
    decides what a stopped call means. With `until` (a `time.monotonic()`
    deadline for them all), each call gets at most what is left of it, and the
    calls not started by then are yielded as `NotStarted()` at once. With
    `until` and `shares_per_call` too, a call gets at most an equal share of
    what is left: that time divided by `shares_per_call` times the calls not
    yet done (a call that finishes early leaves its rest to the next ones), so
    no one call can spend the time of all the others. An
    unexpected exception in the child is a bug: `RuntimeError`. With the fork
    method, `function` and `calls` need not pickle; results always do.
    """
    start = 0
    while start < len(calls):
        if until is not None and until - time.monotonic() <= 0:
            for _ in calls[start:]:
                yield NotStarted()
            return
        context = _context(method, preload)
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_child, args=(sender, function, calls[start:], memory_bytes), daemon=True
        )
        process.start()
        sender.close()
        index = start
        try:
            # A child's start (a forkserver's first one imports `preload`) counts
            # against `until` but not against the first call's own time or share.
            if until is not None and not _is_ready(receiver, process, until - time.monotonic()):
                for _ in calls[start:]:
                    yield NotStarted()
                return
            if until is None and not _is_ready(receiver, process, seconds):
                start = index + 1  # that call is stopped; the next ones go on in a new child
                yield _stopped(seconds, "starting its process", {})
                continue
            while index < len(calls):
                doing: str | None = None
                where: dict[str, Any] = {}
                now = time.monotonic()
                deadline = now + seconds
                share: float | None = None
                if until is not None:
                    # Past it, a result already sent is still taken; a call under way is stopped.
                    deadline = min(deadline, until)
                    if shares_per_call is not None:
                        share = max(0.0, until - now) / (shares_per_call * (len(calls) - index))
                        deadline = min(deadline, now + share)
                while True:
                    if not receiver.poll(max(0.0, deadline - time.monotonic())):
                        message: tuple[Any, ...] = ("time",)
                        break
                    try:
                        message = receiver.recv()
                    except EOFError:
                        message = ("crash", f"the child process ended with code {process.exitcode}")
                        break
                    if message[0] != "note":
                        break
                    doing, where = message[1], message[2]
                index += 1
                kind = message[0]
                if kind == "ok":
                    yield message[1]
                    continue
                if kind == "error":
                    yield message[1]
                    continue
                if kind == "crash":
                    raise RuntimeError(f"isolated work failed: {message[1]}")
                if kind == "time":
                    yield _stopped(seconds, doing, where, share)
                else:
                    needed = (
                        f"more than {memory_bytes / 1024**3:g} GiB"
                        if memory_bytes is not None
                        else "more memory than there is"
                    )
                    yield MemoryLimitError(f"the work needed {needed} and was stopped", **where)
                break  # the child is stopped (or spent): go on in a new one
        finally:
            receiver.close()
            if process.is_alive():
                process.kill()
            process.join()
        start = index


def run_isolated(
    function: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    seconds: float,
    memory_bytes: int | None = MEMORY_BYTES,
    method: str | None = None,
    preload: Sequence[str] = (),
) -> Any:
    """`function(*args)` in a child process, killed after `seconds`; its result or its error raised."""
    (outcome,) = run_each(
        function, [args], seconds=seconds, memory_bytes=memory_bytes, method=method, preload=preload
    )
    if isinstance(outcome, DialplanError):
        raise outcome
    return outcome
