"""New (plan, dial string) pairs of a bulk job, computed by helper processes and by this one.

`result_of` normalizes and classifies one pair as the result columns;
`Sharing` hands slices of new pairs to a helper process and, rather than wait
for it, computes queued slices itself.

>>> from normalizer.formats import load_tenant
>>> simulator = Simulator(load_tenant())
>>> spec = (("user", "marcel.beauchamp@contoso.com"),)
>>> pair_results(simulator, PairWork((spec,), [0], ["7123"]), timeout=None)[0][:3]
('+33199997123', '+33199997123', 'FR-39qdPR-Internal')
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from normalizer.bulk.store import PairResult, PairStore
from normalizer.catalog import ServiceCatalog
from normalizer.emergency import EmergencyNumbers
from normalizer.engine import PlanNormalizer, check_dialable, clean
from normalizer.errors import DialplanError
from normalizer.models import Tenant
from normalizer.simulation import Simulator

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

# multiprocessing and concurrent.futures load when a helper starts: a job in one
# process (a small file) starts without them.

PlanSpec = tuple[tuple[str, str | None], ...]
"""The keyword arguments of `Simulator.effective` that name one effective plan."""


class PairWork(NamedTuple):
    """Pairs to compute: per pair its plan (an index into `specs`) and its dial string.

    A helper gets them in this form: pickling a plain list of (spec, dial string)
    tuples cost 0.04 s of a 1 M-row job on the job's process, in threads that hold the GIL.
    """

    specs: tuple[PlanSpec, ...]
    plans: list[int]
    dials: list[str]

    def part(self, start: int, stop: int) -> PairWork:
        return PairWork(self.specs, self.plans[start:stop], self.dials[start:stop])

_SLICE_PAIRS = 1_000
"""New pairs per piece of work handed to a helper."""
IN_HAND = 4
"""Slices a helper holds: new ones are sent only between this process's own
steps, and with two a helper ran dry during a chunk's lookups. With four, this
process computed 15-19 of a 1 M-row job's 72 slices instead of 24-26 (0.1 s
less CPU on the job's thread, which every chunk goes through)."""


def result_of(normalizer: PlanNormalizer, dialed: str, timeout: float | None) -> PairResult:
    """Normalize and classify one dial string for one plan, as the result columns."""
    cleaned = clean(dialed)
    if not cleaned:
        return (None,) * 7 + ("empty dialed number", None)
    try:
        check_dialable(dialed)
    except DialplanError as exc:
        return (None,) * 7 + (exc.message, None)
    try:
        full, final, (call_type, destination_region, number_type, _) = normalizer.fields(cleaned, timeout)
    except DialplanError as exc:
        return (None,) * 7 + (exc.message, None)
    if full is None:
        return (None, final, None, None, call_type, destination_region, number_type, None, None)
    name, scope, dial_plan = normalizer.rule_fields[full[0]]
    return (full[1], final, name, scope, call_type, destination_region, number_type, None, dial_plan)


# The helper process's own simulator (set when it starts).
_HELPER: list[Simulator] = []


_PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal this process gets when its parent dies (Linux)."""


def _die_with_parent(parent: int) -> None:
    """End this helper when the job that started it ends, however it ends.

    A helper outlives a parent killed with SIGKILL (or any signal the parent does
    not handle): orphaned, it keeps its memory and the parent's inherited pipes
    open, so a caller reading the job's output through a pipe waits for it.
    On Linux the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG);
    elsewhere a thread watches for the parent's end.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before the request took effect
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _start_helper(
    parent: int,
    source: Tenant | Simulator,
    catalog: ServiceCatalog | None = None,
    emergency_numbers: EmergencyNumbers | None = None,
) -> None:
    _die_with_parent(parent)
    # A spawned helper builds its own simulator: the same service plans and emergency numbers.
    if not isinstance(source, Simulator):
        source = Simulator(source, catalog=catalog, emergency_numbers=emergency_numbers)
    _HELPER[:] = [source]


def _helper_results(work: PairWork, timeout: float | None) -> list[PairResult]:
    """In a helper: results of pairs, with its own simulator."""
    return pair_results(_HELPER[0], work, timeout)


def pair_results(simulator: Simulator, work: PairWork, timeout: float | None) -> list[PairResult]:
    """Results of pairs."""
    normalizers: dict[int, PlanNormalizer] = {}
    done: list[PairResult] = []
    for plan, dialed in zip(work.plans, work.dials, strict=True):
        normalizer = normalizers.get(plan)
        if normalizer is None:
            normalizer = normalizers[plan] = simulator.normalizer(simulator.effective(**dict(work.specs[plan])))
        done.append(result_of(normalizer, dialed, timeout))
    return done


def _broken_pool() -> type[Exception]:
    """The error of a pool whose helper died (imported once a pool exists)."""
    from concurrent.futures.process import BrokenProcessPool

    return BrokenProcessPool


@dataclass(slots=True)
class _Slice:
    """Some new pairs of one store, from pair id `first`."""

    store: PairStore
    first: int
    work: PairWork


class Sharing:
    """New pairs computed by helper processes and, rather than wait for them, by this one.

    New pairs are cut into slices; the helpers keep `IN_HAND` slices each in hand.
    When a chunk needs results that are not in yet, this process computes the
    oldest slice not yet sent instead of waiting, so both cores stay busy
    whatever else the machine is doing. A helper that dies (killed, out of
    memory) costs only speed: its slices are computed here and no more are sent.
    """

    def __init__(self, simulator: Simulator, helpers: int, timeout: float | None) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self.pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            helpers,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_helper,
            # A forked helper inherits the simulator, its compiled plans included.
            initargs=(
                (os.getpid(), simulator)
                if method == "fork"
                else (os.getpid(), simulator.tenant, simulator.catalog, simulator.emergency_numbers)
            ),
        )
        # Started now, before any Arrow thread runs: the helpers only run Python.
        for started in [self.pool.submit(int) for _ in range(helpers)]:
            started.result()
        self.in_hand = IN_HAND * helpers
        self.simulator = simulator
        self.timeout = timeout
        self.queued: deque[_Slice] = deque()
        self.sent: deque[tuple[_Slice, Future[list[PairResult]]]] = deque()
        """Slices in a helper's hands, with their pending results."""

    def close(self) -> None:
        """Stop the helpers once the slices in their hands are done; slices still pending are cancelled.

        A stop signal can raise inside `submit` after the slice is recorded as
        pending and before it is queued for a helper: never cancelled, it would
        keep `shutdown` waiting for ever.
        """
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None

    def add(self, store: PairStore, first: int, work: PairWork) -> None:
        for start in range(0, len(work.dials), _SLICE_PAIRS):
            part = work.part(start, start + _SLICE_PAIRS)
            store.expect(first + start, len(part.dials))
            self.queued.append(_Slice(store, first + start, part))
        self._send()

    def _send(self) -> None:
        while self.pool is not None and self.queued and len(self.sent) < self.in_hand:
            part = self.queued.popleft()
            try:
                job = self.pool.submit(_helper_results, part.work, self.timeout)
            except _broken_pool():
                self.queued.appendleft(part)
                self._lose_helpers()
                return
            self.sent.append((part, job))

    def _lose_helpers(self) -> None:
        """Go on alone: what was sent is computed again here."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
        self.queued.extendleft(reversed([part for part, _ in self.sent]))
        self.sent.clear()

    def _take_oldest(self) -> None:
        """Fill the oldest sent slice with the helper's results (waiting if need be)."""
        part, job = self.sent[0]
        try:
            results = job.result()
        except _broken_pool():
            self._lose_helpers()
            return
        self.sent.popleft()
        part.store.fill(part.first, results)

    def collect_ready(self) -> None:
        """Fill the results the helpers have finished, without waiting."""
        while self.sent and self.sent[0][1].done():
            self._take_oldest()
        self._send()

    def wait(self, store: PairStore, upto: int) -> None:
        """Fill every pair of `store` below `upto`, computing here rather than idling."""
        while True:
            self.collect_ready()
            if store.filled >= upto:
                return
            if self.queued:
                part = self.queued.popleft()
                part.store.fill(part.first, pair_results(self.simulator, part.work, self.timeout))
            else:
                self._take_oldest()
