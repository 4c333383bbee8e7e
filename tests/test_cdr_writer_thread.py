"""The `cdr` job's writer thread when a stop signal interrupts the main thread mid-`put`.

A signal raises in the main thread between any two of its bytecodes, so also
inside `Queue.put` after the item is queued and before the writer is woken.
The test leaves the queue in exactly that state and checks that neither way
out of the job (`finish`, `abandon`) then waits for ever.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from normalizer.bulk.job import _Behind


def _queued_without_waking(behind: _Behind, item: Any) -> None:
    """What an interrupted `put` leaves: the item in the queue, the sleeping writer not told."""
    with behind.slots.mutex:
        behind.slots.queue.append(item)
        behind.slots.unfinished_tasks += 1


def _ends_within(action: Any, seconds: float) -> bool:
    done = threading.Event()

    def run() -> None:
        action()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done.wait(seconds)


@pytest.mark.parametrize("way_out", ["finish", "abandon"])
def test_a_put_interrupted_after_queueing_does_not_hang_the_job(way_out: str) -> None:
    written: list[str] = []
    behind = _Behind(written.append)
    behind.put("first")
    deadline = time.monotonic() + 5
    while not written and time.monotonic() < deadline:
        time.sleep(0.01)
    assert written == ["first"]
    time.sleep(0.05)  # the writer is back asleep in `get`
    _queued_without_waking(behind, "second")
    assert _ends_within(getattr(behind, way_out), 5), f"{way_out} waited for a writer nobody woke"
    assert not behind.thread.is_alive()
    if way_out == "finish":
        assert written == ["first", "second"]  # finishing writes what was queued


def test_abandon_waits_for_the_write_in_progress_and_writes_nothing_after_it() -> None:
    started, release = threading.Event(), threading.Event()
    written: list[str] = []

    def slow_write(item: str) -> None:
        started.set()
        release.wait(5)
        written.append(item)

    behind = _Behind(slow_write)
    behind.put("first")
    assert started.wait(5)
    behind.put("second")  # queued behind the write in progress
    stopper = threading.Thread(target=behind.abandon)
    stopper.start()
    time.sleep(0.2)
    assert stopper.is_alive()  # the file is not closed under a running write
    release.set()
    stopper.join(5)
    assert not stopper.is_alive() and not behind.thread.is_alive()
    assert written == ["first"]
