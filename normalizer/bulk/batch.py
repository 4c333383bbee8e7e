"""Bulk normalization of call-detail records: Arrow tables in, the same tables plus results out.

Each row names a dial string and who dialled it (a user, or a usage location
and optional tenant plan). A `CdrNormalizer` keeps, across the chunks of one
job, every distinct effective plan compiled once (`Simulator.effective` /
`Simulator.normalizer`) and every distinct (plan, dial string) pair normalized
and classified once; per row there is only Arrow work (hashing, `take`). Rows
are never dropped: a row that cannot be processed (unknown user, empty or
non-text dial field, a line the reader could not read) gets `error` and empty
results. `normalize_file` streams a file through it chunk by chunk, reading
and writing on other threads, submitting chunks ahead while a helper process
(`_Sharing`) computes the new pairs of earlier ones, and returns a `CdrSummary`.

>>> import pyarrow as pa
>>> from normalizer.formats import load_tenant
>>> calls = pa.table({"caller": ["marcel.beauchamp@contoso.com", "nobody@contoso.com"],
...                   "dialed": ["7123", "7123"]})
>>> out = normalize_batch(calls, load_tenant(), dialed_column="dialed", user_column="caller")
>>> out["translated_number"].to_pylist(), out["call_type"].to_pylist()
(['+33199997123', None], ['extension', None])
>>> out["error"].to_pylist()[1]
"user 'nobody@contoso.com' does not exist in tenant 'Contoso'"
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import IO, Any, Self, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from normalizer.catalog import ServiceCatalog
from normalizer.cdr_io import CdrFormat, open_reader, open_writer
from normalizer.emergency import EmergencyNumbers
from normalizer.engine import PlanNormalizer, clean
from normalizer.errors import DialplanError, DialplanInputError
from normalizer.models import EffectiveDialPlan, Scope, Tenant
from normalizer.simulation import Simulator

OUTPUT_COLUMNS = (
    "translated_number",
    "final_number",
    "matching_rule",
    "rule_scope",
    "call_type",
    "destination_region",
    "number_type",
    "error",
)
"""The columns appended to every input row, in this order."""

DEFAULT_TIMEOUT = 1.0
"""Seconds one pattern may run on one dial string before the row is marked."""

_MAX_CACHED_PAIRS = 1_000_000
_MAX_COUNTED_UNMATCHED = 200_000
_TOP = 20
_LOOKAHEAD = 3
"""Chunks submitted ahead of the one being finished (bounded memory)."""
_SLICE_PAIRS = 1_000
_WARM_PLANS = 64
"""New pairs per piece of work handed to a helper."""

# One result per distinct (plan, dial string): the seven result columns, the
# error, and the identity of the plan the matching rule belongs to.
_Result = tuple[str | None, str | None, str | None, str | None, str | None, str | None, str | None, str | None, str | None]
_EMPTY: _Result = (None,) * 9
_Spec = tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class CdrColumns:
    """Which input columns hold the dial string and the caller."""

    dialed: str
    user: str | None = None
    location: str | None = None
    dial_plan: str | None = None
    region: str | None = None
    """One usage location for every row (`--location REGION`)."""

    def __post_init__(self) -> None:
        given = [name for name in (self.user, self.location, self.region) if name]
        if len(given) != 1:
            raise DialplanInputError(
                "name the caller by exactly one of a user column, a location column, or one location"
            )
        if self.dial_plan and not self.location:
            raise DialplanInputError("a dial plan column needs a location column")

    @property
    def text_columns(self) -> tuple[str, ...]:
        """The input columns that must hold text."""
        names = (self.dialed, self.user, self.location, self.dial_plan)
        return tuple(name for name in names if name)


@dataclass(frozen=True, slots=True)
class CdrSummary:
    """What a bulk run found: the counts add up to `rows`."""

    rows: int
    errors: int
    unmatched: int
    """Rows (without error) whose dial string matched no rule."""
    call_types: dict[str, int]
    """Rows without error, by call type."""
    rule_hits: dict[str, dict[str, int]]
    """Per dial plan identity, per rule name: rows it matched (0 = never fired).

    A service plan whose identity a tenant plan also has (a tenant plan named
    "FR") is listed as "FR (service)", so their counts never mix.
    """
    top_unmatched: list[tuple[str, int]]
    """The most frequent dial strings that matched no rule."""
    top_errors: list[tuple[str, int]]
    distinct_plans: int
    distinct_pairs: int
    seconds: float = 0.0

    @property
    def unused_rules(self) -> dict[str, list[str]]:
        """Per dial plan, the rules that never fired."""
        unused = {
            plan: [rule for rule, hits in rules.items() if not hits]
            for plan, rules in self.rule_hits.items()
        }
        return {plan: rules for plan, rules in unused.items() if rules}

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `--summary FILE`."""
        return {
            "rows": self.rows,
            "errors": self.errors,
            "unmatched": self.unmatched,
            "call_types": self.call_types,
            "rule_hits": self.rule_hits,
            "unused_rules": self.unused_rules,
            "top_unmatched": [{"dialed_number": d, "rows": n} for d, n in self.top_unmatched],
            "top_errors": [{"error": e, "rows": n} for e, n in self.top_errors],
            "distinct_plans": self.distinct_plans,
            "distinct_pairs": self.distinct_pairs,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second),
        }


@dataclass(slots=True)
class _Tally:
    rows: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    call_types: Counter[str] = field(default_factory=Counter)
    hits: Counter[tuple[str, bool, str]] = field(default_factory=Counter)
    """Rows by (dial plan identity, is a service plan, rule name)."""
    unmatched: Counter[str] = field(default_factory=Counter)
    unmatched_rows: int = 0


def _result_of(normalizer: PlanNormalizer, dialed: str, timeout: float | None) -> _Result:
    """Normalize and classify one dial string for one plan, as the result columns."""
    cleaned = clean(dialed)
    if not cleaned:
        return (None,) * 7 + ("empty dialed number", None)
    try:
        outcome = normalizer.outcome(cleaned, timeout=timeout)
    except DialplanError as exc:
        return (None,) * 7 + (exc.message, None)
    found = outcome.classification
    if outcome.full is None:
        return (None, outcome.final, None, None, found.call_type.value, found.destination_region, found.number_type, None, None)
    rule = normalizer.plan.rules[outcome.full[0]]
    return (
        outcome.full[1],
        outcome.final,
        rule.rule.name,
        rule.scope.value,
        found.call_type.value,
        found.destination_region,
        found.number_type,
        None,
        rule.dial_plan,
    )


# The helper process's own simulator (set when it starts).
_HELPER: list[Simulator] = []


def _start_helper(
    source: Tenant | Simulator,
    catalog: ServiceCatalog | None = None,
    emergency_numbers: EmergencyNumbers | None = None,
) -> None:
    # A spawned helper builds its own simulator: the same service plans and emergency numbers.
    if not isinstance(source, Simulator):
        source = Simulator(source, catalog=catalog, emergency_numbers=emergency_numbers)
    _HELPER[:] = [source]


def _helper_results(pairs: list[tuple[_Spec, str]], timeout: float | None) -> list[_Result]:
    """In a helper: results of (plan spec, dial string) pairs, with its own simulator."""
    return _pair_results(_HELPER[0], pairs, timeout)


def _pair_results(simulator: Simulator, pairs: list[tuple[_Spec, str]], timeout: float | None) -> list[_Result]:
    """Results of (plan spec, dial string) pairs."""
    normalizers: dict[_Spec, PlanNormalizer] = {}
    done: list[_Result] = []
    for spec, dialed in pairs:
        normalizer = normalizers.get(spec)
        if normalizer is None:
            normalizer = normalizers[spec] = simulator.normalizer(simulator.effective(**dict(spec)))
        done.append(_result_of(normalizer, dialed, timeout))
    return done


@dataclass(slots=True)
class _Slice:
    """Some new pairs of one store, from pair id `first`."""

    store: _Store
    first: int
    pairs: list[tuple[_Spec, str]]


class _Sharing:
    """New pairs computed by helper processes and, rather than wait for them, by this one.

    New pairs are cut into slices; the helpers keep two slices each in hand.
    When a chunk needs results that are not in yet, this process computes the
    oldest slice not yet sent instead of waiting, so both cores stay busy
    whatever else the machine is doing. A helper that dies (killed, out of
    memory) costs only speed: its slices are computed here and no more are sent.
    """

    def __init__(self, simulator: Simulator, helpers: int, timeout: float | None) -> None:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self.pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            helpers,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_helper,
            # A forked helper inherits the simulator, its compiled plans included.
            initargs=(
                (simulator,)
                if method == "fork"
                else (simulator.tenant, simulator.catalog, simulator.emergency_numbers)
            ),
        )
        # Started now, before any Arrow thread runs: the helpers only run Python.
        for started in [self.pool.submit(int) for _ in range(helpers)]:
            started.result()
        self.in_hand = 2 * helpers
        self.simulator = simulator
        self.timeout = timeout
        self.queued: deque[_Slice] = deque()
        self.sent: deque[tuple[_Slice, Future[list[_Result]]]] = deque()
        """Slices in a helper's hands, with their pending results."""

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None

    def add(self, store: _Store, first: int, pairs: list[tuple[_Spec, str]]) -> None:
        for start in range(0, len(pairs), _SLICE_PAIRS):
            part = pairs[start : start + _SLICE_PAIRS]
            store.expect(first + start, len(part))
            self.queued.append(_Slice(store, first + start, part))
        self._send()

    def _send(self) -> None:
        while self.pool is not None and self.queued and len(self.sent) < self.in_hand:
            part = self.queued.popleft()
            try:
                job = self.pool.submit(_helper_results, part.pairs, self.timeout)
            except BrokenProcessPool:
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
        except BrokenProcessPool:
            self._lose_helpers()
            return
        self.sent.popleft()
        part.store.fill(part.first, results)

    def collect_ready(self) -> None:
        """Fill the results the helpers have finished, without waiting."""
        while self.sent and self.sent[0][1].done():
            self._take_oldest()
        self._send()

    def wait(self, store: _Store, upto: int) -> None:
        """Fill every pair of `store` below `upto`, computing here rather than idling."""
        while True:
            self.collect_ready()
            if store.filled >= upto:
                return
            if self.queued:
                part = self.queued.popleft()
                part.store.fill(part.first, _pair_results(self.simulator, part.pairs, self.timeout))
            else:
                self._take_oldest()


def _text(column: pa.ChunkedArray | pa.Array, name: str) -> tuple[pa.Array, str | None]:
    """A column as text, or (nulls, why not) when its type is not text."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = array.type
    if pa.types.is_dictionary(kind):
        array, kind = array.dictionary_decode(), kind.value_type
    if pa.types.is_null(kind):
        return pa.nulls(len(array), pa.string()), None
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return array.cast(pa.string()), None
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        try:
            return array.cast(pa.string()), None
        except pa.ArrowInvalid:
            values = [v if v is None else v.decode("utf-8", "replace") for v in array.to_pylist()]
            return pa.array(values, pa.string()), None
    return pa.nulls(len(array), pa.string()), f"field {name!r} must be text, not {kind}"


def _encode(array: pa.Array) -> tuple[np.ndarray, list[Any]]:
    """Per row the index of its distinct value (-1 for null), and the distinct values."""
    encoded = pc.dictionary_encode(array)
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return indices, encoded.dictionary.to_pylist()


class CdrNormalizer:
    """Normalizes chunks of one call-detail job, remembering plans and pairs across chunks."""

    def __init__(
        self,
        simulator: Simulator,
        columns: CdrColumns,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        processes: int = 1,
    ) -> None:
        self.simulator = simulator
        self.columns = columns
        self.timeout = timeout
        self._plans: list[EffectiveDialPlan] = []
        self._normalizers: list[PlanNormalizer] = []
        self._plan_ids: dict[EffectiveDialPlan, int] = {}
        self._specs: list[_Spec] = []
        self._targets: dict[tuple[str | None, ...], int | str] = {}
        self._users = {user.upn.lower(): user for user in simulator.tenant.users}
        self._store = _Store()
        self._hits = np.zeros(1, np.int64)
        self._pairs_seen = 0
        self._tally = _Tally()
        self._sharing: _Sharing | None = None
        if processes > 1:
            self._compile_users_plans()  # once here, and the forked helpers inherit them
            self._sharing = _Sharing(simulator, processes - 1, timeout)

    def _compile_users_plans(self) -> None:
        """Compile the effective plans of the tenant's users (the first few dozen kinds)."""
        if not self.columns.user:
            return
        kinds = {(user.usage_location, user.dial_plan) for user in self.simulator.tenant.users}
        for usage_location, dial_plan in sorted(kinds, key=str)[:_WARM_PLANS]:
            try:
                self.simulator.normalizer(self.simulator.effective(usage_location=usage_location, dial_plan=dial_plan))
            except DialplanError:
                continue  # reported on the rows of such a user

    def close(self) -> None:
        """Stop the helper processes, if any."""
        if self._sharing is not None:
            self._sharing.close()
            self._sharing = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the caller's plan -------------------------------------------------

    def _target(self, key: tuple[str | None, ...]) -> int | str:
        """The plan id of one distinct caller, or why there is none."""
        found = self._targets.get(key)
        if found is not None:
            return found
        columns = self.columns
        spec: dict[str, str | None]
        if columns.user:
            # `Tenant.user` scans the users; the index makes each caller O(1). A
            # user's plan is the plan of its usage location and assigned plan.
            known = self._users.get(key[0].lower()) if key[0] else None
            if known is None:
                spec = {"user": key[0]}
            else:
                spec = {"usage_location": known.usage_location, "dial_plan": known.dial_plan}
        else:
            spec = {"usage_location": key[0] or columns.region, "dial_plan": key[1] or None}
        if not (spec.get("user") or spec.get("usage_location")):
            found = "empty user" if columns.user else "empty usage location"
        else:
            try:
                try:
                    plan = self.simulator.effective(**spec)
                except DialplanError:
                    if not columns.user:
                        raise
                    plan = self.simulator.effective(user=key[0])  # the user's own error
                normalizer = self.simulator.normalizer(plan)
            except DialplanError as exc:
                found = exc.message if exc.rule else exc.detail
            else:
                found = self._plan_ids.get(plan)
                if found is None:
                    found = len(self._plans)
                    self._plan_ids[plan] = found
                    self._plans.append(plan)
                    self._normalizers.append(normalizer)
                    self._specs.append(tuple(spec.items()))
        self._targets[key] = found
        return found

    def _plan_per_row(self, table: pa.Table, errors: _Errors) -> np.ndarray:
        columns = self.columns
        rows = table.num_rows
        if columns.region:
            found = self._target((None, None))
            codes = np.full(rows, found if isinstance(found, int) else -1, np.int64)
            if isinstance(found, str):
                errors.mark_all(found)
            return codes
        names = [columns.user] if columns.user else [columns.location, columns.dial_plan]
        parts: list[tuple[np.ndarray, list[Any]]] = []
        for name in names:
            if name is None:
                parts.append((np.full(rows, -1, np.int64), []))
                continue
            text, why = _text(table[name], name)
            if why:
                errors.mark_all(why)
            parts.append(_encode(text))
        (first, first_values), (second, second_values) = (parts + [(np.full(rows, -1, np.int64), [])])[:2]
        combined = first * (len(second_values) + 1) + (second + 1)
        combined[first < 0] = -1
        indices, keys = _encode(pa.array(combined))
        plan_of_key = np.empty(len(keys), np.int64)
        why_of_key: list[str | None] = []
        for position, key in enumerate(keys):
            if key < 0:
                found = self._target((None, None))
            else:
                one, two = divmod(key, len(second_values) + 1)
                found = self._target((first_values[one], second_values[two - 1] if two else None))
            plan_of_key[position] = found if isinstance(found, int) else -1
            why_of_key.append(found if isinstance(found, str) else None)
        errors.mark_by(indices, why_of_key)
        per_row: np.ndarray = plan_of_key[indices]
        return per_row

    # -- normalizing -------------------------------------------------------

    def normalize(
        self, table: pa.Table, read_errors: pa.Array | None = None, *, encoded: bool = False
    ) -> pa.Table:
        """`table` with the result columns appended; the counts go to the summary.

        With `encoded`, the result columns are dictionary arrays over every
        distinct result so far (cheap to build; `decoded` makes them plain text).
        """
        return self.finish(self.submit(table, read_errors), encoded=encoded)

    def submit(self, table: pa.Table, read_errors: pa.Array | None = None) -> CdrTicket:
        """Start on a chunk: its rows are counted and its new pairs handed to the helpers.

        `finish` completes it; chunks are finished in the order they were submitted.
        """
        columns = self.columns
        for name in columns.text_columns:
            if name not in table.column_names:
                raise DialplanInputError(
                    f"no column {name!r} in the input (columns: {', '.join(table.column_names)})",
                    field=name,
                )
        clash = [name for name in OUTPUT_COLUMNS if name in table.column_names]
        if clash:
            raise DialplanInputError(
                f"the input already has a column {clash[0]!r} (is it an output of dialplan cdr?)",
                field=clash[0],
            )
        rows = table.num_rows
        errors = _Errors(rows)
        if read_errors is not None:
            errors.mark_by(*_encode(read_errors))
        plan_ids = self._plan_per_row(table, errors)
        dialed, why = _text(table[columns.dialed], columns.dialed)
        if why:
            errors.mark_all(why)
        encoded_dials = pc.dictionary_encode(dialed)
        dial_index = encoded_dials.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        errors.mark(dial_index < 0, "empty dialed number")
        width = max(len(encoded_dials.dictionary), 1)
        keys = np.where(errors.codes == 0, plan_ids * width + dial_index, -1)
        encoded_keys = pc.dictionary_encode(pa.array(keys))
        key_index = encoded_keys.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        distinct = encoded_keys.dictionary.to_numpy(zero_copy_only=False)
        pair_of_key = self._pairs_of(distinct, width, encoded_dials.dictionary)
        pair_ids = pair_of_key[key_index]
        self._count(pair_ids, errors)
        needed = int(pair_ids.max(initial=0)) + 1
        return CdrTicket(table, pair_ids.astype(np.int32), errors, self._store, needed)

    def is_ready(self, ticket: CdrTicket) -> bool:
        """True when `finish` would not wait for a helper."""
        if self._sharing is not None:
            self._sharing.collect_ready()
        return ticket.store.filled >= ticket.needed

    def finish(self, ticket: CdrTicket, *, encoded: bool = False) -> pa.Table:
        """The submitted chunk with the result columns appended (waiting for its pairs)."""
        store = ticket.store
        self._wait(store, ticket.needed)
        indices = pa.array(ticket.pair_ids)
        out = ticket.table
        for name, values in zip(OUTPUT_COLUMNS[:-1], store.columns()):
            out = out.append_column(name, pa.DictionaryArray.from_arrays(indices, values))
        row_errors = ticket.errors.column()
        if store.has_errors:
            row_errors = pc.coalesce(row_errors, store.errors().take(indices))
        out = out.append_column("error", row_errors)
        return out if encoded else decoded(out)

    def _pairs_of(self, distinct: np.ndarray, width: int, dials: pa.Array) -> np.ndarray:
        """The pair id of each distinct key (0: a row with an error), computing new pairs.

        Known pairs are found by their key `"<plan id> <dial string>"` in the
        store's index of every pair so far (kept across chunks, not rebuilt).
        """
        found = np.zeros(len(distinct), np.int64)
        valid = np.flatnonzero(distinct >= 0)
        if not len(valid):
            return found
        plan_ids, dial_index = np.divmod(distinct[valid], width)
        plans = pa.array(plan_ids).cast(pa.string())
        names = pc.binary_join_element_wise(plans, dials.take(pa.array(dial_index)), " ")
        known = np.fromiter(map(self._store.pair_of.get, names.to_pylist(), repeat(0)), np.int64, len(names))
        new = known == 0
        found[valid[~new]] = known[~new]
        if new.any():
            positions = valid[new]
            missing = list(zip(plan_ids[new].tolist(), dials.take(pa.array(dial_index[new])).to_pylist()))
            if len(self._store) > 1 and len(self._store) + len(missing) > _MAX_CACHED_PAIRS:
                self._forget()
                return self._pairs_of(distinct, width, dials)
            first = self._store.reserve(names.filter(pa.array(new)), len(missing))
            self._compute(first, missing)
            found[positions] = np.arange(first, first + len(missing))
            self._pairs_seen += len(missing)
        return found

    def _compute(self, first: int, missing: list[tuple[int, str]]) -> None:
        """Results of new pairs (from pair id `first`): here, or shared with the helpers."""
        if self._sharing is not None:
            self._sharing.add(self._store, first, [(self._specs[plan], dial) for plan, dial in missing])
            return
        normalizers, timeout = self._normalizers, self.timeout
        self._store.fill(first, [_result_of(normalizers[plan], dial, timeout) for plan, dial in missing])

    def _wait(self, store: _Store, upto: int) -> None:
        if self._sharing is not None:
            self._sharing.wait(store, upto)

    def _count(self, pair_ids: np.ndarray, errors: _Errors) -> None:
        tally = self._tally
        tally.rows += len(pair_ids)
        for code, rows in enumerate(np.bincount(errors.codes, minlength=len(errors.messages)).tolist()):
            message = errors.messages[code]
            if message is not None and rows:
                tally.errors[message] += rows
        hits = np.bincount(pair_ids, minlength=len(self._store))
        if len(self._hits) < len(hits):
            self._hits = np.concatenate([self._hits, np.zeros(len(hits) - len(self._hits), np.int64)])
        self._hits[: len(hits)] += hits

    def _fold(self) -> _Tally:
        """The tally with the pair counts added (pair 0 holds rows with errors: counted apart)."""
        kept = self._tally
        tally = _Tally(
            kept.rows,
            Counter(kept.errors),
            Counter(kept.call_types),
            Counter(kept.hits),
            Counter(kept.unmatched),
            kept.unmatched_rows,
        )
        for pair, rows in enumerate(self._hits.tolist()):
            if not pair or not rows:
                continue
            result = self._store[pair]
            if result[7] is not None:
                tally.errors[result[7]] += rows
                continue
            tally.call_types[result[4] or ""] += rows
            if result[2] is None:
                tally.unmatched_rows += rows
                tally.unmatched[self._store.dialed(pair)] += rows
            else:
                tally.hits[result[8] or "", result[3] == Scope.SERVICE, result[2]] += rows
        if len(tally.unmatched) > _MAX_COUNTED_UNMATCHED:
            # Bounded memory: keep the most frequent half (the top list stays right
            # unless the log has hundreds of thousands of distinct unmatched strings).
            tally.unmatched = Counter(dict(tally.unmatched.most_common(_MAX_COUNTED_UNMATCHED // 2)))
        return tally

    def _forget(self) -> None:
        """Drop the remembered pairs (bounded memory), keeping their counts.

        Chunks submitted before keep the old store, which their results fill.
        """
        self._wait(self._store, len(self._store))
        self._tally = self._fold()
        self._store = _Store()
        self._hits = np.zeros(1, np.int64)

    def summary(self, seconds: float = 0.0) -> CdrSummary:
        """The counts so far."""
        self._wait(self._store, len(self._store))
        tally = self._fold()
        tenant_plans = {plan.identity.lower() for plan in self.simulator.tenant.dial_plans}

        def label(identity: str, is_service: bool) -> str:
            return f"{identity} (service)" if is_service and identity.lower() in tenant_plans else identity

        hits: dict[str, dict[str, int]] = {}
        plans = [(plan, False) for plan in self.simulator.tenant.dial_plans]
        plans += [(plan.service_plan, True) for plan in self._plans]
        for plan, is_service in plans:
            rules = hits.setdefault(label(plan.identity, is_service), {})
            for rule in plan.rules:
                rules.setdefault(rule.name, 0)
        for (plan_name, is_service, rule_name), rows in tally.hits.items():
            hits.setdefault(label(plan_name, is_service), {})[rule_name] = rows
        return CdrSummary(
            rows=tally.rows,
            errors=sum(tally.errors.values()),
            unmatched=tally.unmatched_rows,
            call_types=dict(sorted(tally.call_types.items(), key=lambda item: -item[1])),
            rule_hits=hits,
            top_unmatched=tally.unmatched.most_common(_TOP),
            top_errors=tally.errors.most_common(_TOP),
            distinct_plans=len(self._plans),
            distinct_pairs=self._pairs_seen,
            seconds=seconds,
        )


@dataclass(frozen=True, slots=True)
class CdrTicket:
    """A submitted chunk: its rows' pair ids, errors, and the store their results come from."""

    table: pa.Table
    pair_ids: np.ndarray
    errors: _Errors
    store: _Store
    needed: int
    """Pair ids below this one are used by the chunk."""


class _Store:
    """Every distinct result so far, by pair id (0: the empty result of a row with an error)."""

    def __init__(self) -> None:
        self.results: list[_Result] = [_EMPTY]
        self._keys: list[pa.Array] = []
        self._built: list[pa.Array] = [pa.array([None], pa.string())] * 8
        self._built_keys = pa.array([], pa.string())
        self._built_size = 1
        self.has_errors = False
        self.pair_of: dict[str, int] = {}
        """Pair id by key."""
        self.unfinished: dict[int, int] = {}
        """Reserved pairs still being computed: count by first id."""

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, pair: int) -> _Result:
        return self.results[pair]

    def reserve(self, keys: pa.Array, count: int) -> int:
        """Ids for new pairs by their `"<plan id> <dial string>"` keys; the first id."""
        first = len(self.results)
        self.pair_of.update(zip(keys.to_pylist(), range(first, first + count)))
        self.results.extend([_EMPTY] * count)
        self._keys.append(keys)
        return first

    def fill(self, first: int, results: list[_Result]) -> None:
        """The results of reserved pairs from id `first`."""
        self.results[first : first + len(results)] = results
        self.unfinished.pop(first, None)
        self.has_errors = self.has_errors or any(result[7] is not None for result in results)

    def expect(self, first: int, count: int) -> None:
        """Reserved pairs from id `first` whose results `fill` brings later."""
        self.unfinished[first] = count

    @property
    def filled(self) -> int:
        """Pairs below this id have their results."""
        return min(self.unfinished, default=len(self.results))

    def keys(self) -> pa.Array:
        """The key of every pair, pair id - 1 = position."""
        if self._keys:
            self._built_keys = pa.concat_arrays([self._built_keys, *self._keys])
            self._keys = []
        return self._built_keys

    def dialed(self, pair: int) -> str:
        """The dial string of a pair."""
        return str(self.keys()[pair - 1].as_py()).split(" ", 1)[1]

    def _columns(self) -> list[pa.Array]:
        if self._built_size < self.filled:
            fresh = list(zip(*self.results[self._built_size : self.filled]))
            self._built = [
                pa.concat_arrays([built, pa.array(values, pa.string())])
                for built, values in zip(self._built, fresh)
            ]
            self._built_size = self.filled
        return self._built

    def columns(self) -> list[pa.Array]:
        """The seven result columns, one value per pair."""
        return self._columns()[:7]

    def errors(self) -> pa.Array:
        return self._columns()[7]


def decoded(table: pa.Table) -> pa.Table:
    """`table` with dictionary-encoded result columns turned into plain text."""
    fields = [
        pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type) and f.name in OUTPUT_COLUMNS else f
        for f in table.schema
    ]
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))


class _Errors:
    """Per row, the first reason it cannot be processed (0 = none), as codes into `messages`."""

    def __init__(self, rows: int) -> None:
        self.codes = np.zeros(rows, np.int64)
        self.messages: list[str | None] = [None]
        self._code_of: dict[str, int] = {}

    def _code(self, message: str) -> int:
        code = self._code_of.get(message)
        if code is None:
            code = self._code_of[message] = len(self.messages)
            self.messages.append(message)
        return code

    def mark(self, rows: np.ndarray, message: str) -> None:
        """Rows (a mask) that cannot be processed, unless already marked."""
        fresh = rows & (self.codes == 0)
        if fresh.any():
            self.codes[fresh] = self._code(message)

    def mark_all(self, message: str) -> None:
        self.mark(np.ones(len(self.codes), bool), message)

    def mark_by(self, indices: np.ndarray, messages: list[str | None]) -> None:
        """Row i gets `messages[indices[i]]` (None or a negative index: no error)."""
        if not any(messages):
            return
        code_of = np.array([0] + [self._code(m) if m else 0 for m in messages], np.int64)
        found = code_of[indices + 1]
        self.codes = np.where(self.codes == 0, found, self.codes)

    def column(self) -> pa.Array:
        return pa.array(self.messages, pa.string()).take(pa.array(self.codes))


def normalize_batch(
    table: pa.Table | pa.RecordBatch,
    tenant: Tenant | Simulator,
    *,
    dialed_column: str,
    user_column: str | None = None,
    location_column: str | None = None,
    dial_plan_column: str | None = None,
    location: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> pa.Table:
    """One Arrow table of call-detail rows, with the result columns appended."""
    simulator = tenant if isinstance(tenant, Simulator) else Simulator(tenant)
    columns = CdrColumns(dialed_column, user_column, location_column, dial_plan_column, location)
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    return CdrNormalizer(simulator, columns, timeout=timeout).normalize(table)


T = TypeVar("T")


def _ahead(items: Iterable[T], depth: int = 1) -> Iterator[T]:
    """`items`, produced on a second thread up to `depth` ahead (Arrow parses without the GIL)."""
    slots: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                slots.put((True, item))
            slots.put((False, None))
        except BaseException as exc:  # noqa: BLE001 - re-raised on the consumer's thread
            slots.put((False, exc))

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while True:
            more, item = slots.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                slots.get(timeout=0.05)
            except queue.Empty:
                pass
        worker.join()


class _Behind:
    """Calls `write` on a second thread, at most `depth` tables behind."""

    def __init__(self, write: Callable[[pa.Table], None], depth: int = 1) -> None:
        self.slots: queue.Queue[pa.Table | None] = queue.Queue(maxsize=depth)
        self.failure: BaseException | None = None
        self.write = write
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (table := self.slots.get()) is not None:
            if self.failure is None:
                try:
                    self.write(table)
                except BaseException as exc:  # noqa: BLE001 - re-raised by put/finish
                    self.failure = exc

    def put(self, table: pa.Table) -> None:
        if self.failure is not None:
            raise self.failure
        self.slots.put(table)

    def finish(self) -> None:
        self.slots.put(None)
        self.thread.join()
        if self.failure is not None:
            raise self.failure


Progress = Callable[[int, int, int | None], None]
"""Called after each chunk with rows so far, progress units so far, and the total units."""


def default_processes() -> int:
    """Processes that normalize new pairs: two when a core is idle, else one.

    Measured on a shared two-core machine (bench/test_cdr_bench.py, group
    cdr-one-or-two-processes, 1 M rows, load about 1.2): the helper, sharing
    slices of new pairs, made the job 1.2x faster (3.34 s -> 2.80 s). An
    earlier form of it made the job 0.8x-0.9x at a load of 3 to 4, when the
    second core was busy with other work. The helper adds about 60 MB resident.
    """
    cores = os.cpu_count() or 1
    if cores < 2:
        return 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return 1
    return 2 if load < cores - 0.5 else 1


def normalize_file(
    source: str | Path,
    sink: IO[bytes] | Path,
    simulator: Simulator,
    columns: CdrColumns,
    *,
    source_format: CdrFormat,
    sink_format: CdrFormat,
    progress: Progress | None = None,
    processes: int | None = None,
    chunk_bytes: int | None = None,
) -> CdrSummary:
    """Stream a call-detail file through the normalizer into `sink`; the summary of the run."""
    started = time.perf_counter()
    options: dict[str, Any] = {"text_columns": columns.text_columns}
    if chunk_bytes:
        options["chunk_bytes"] = chunk_bytes
    reader = open_reader(source, source_format, **options)
    writer = open_writer(sink, sink_format)
    workers = default_processes() if processes is None else processes
    with CdrNormalizer(simulator, columns, processes=workers) as normalizer:
        behind = _Behind(lambda table: writer.write(decoded(table)))
        rows = 0
        # Chunks read ahead while the helper computes earlier chunks' new pairs.
        waiting: deque[tuple[CdrTicket, int]] = deque()

        def emit() -> None:
            nonlocal rows
            ticket, done = waiting.popleft()
            out = normalizer.finish(ticket, encoded=True)
            behind.put(out)
            rows += out.num_rows
            if progress is not None:
                progress(rows, done, reader.total)

        try:
            try:
                for chunk in _ahead(reader):
                    waiting.append((normalizer.submit(chunk.table, chunk.read_errors), chunk.done))
                    while waiting and (len(waiting) > _LOOKAHEAD or normalizer.is_ready(waiting[0][0])):
                        emit()
                while waiting:
                    emit()
            finally:
                behind.finish()
            if rows == 0:  # still a file with the columns (a CSV header, a Parquet schema)
                writer.write(_empty_output(reader))
        except BaseException:
            # What was written stays readable (a Parquet file gets its footer).
            with suppress(Exception):
                writer.close()
            raise
        writer.close()
        return normalizer.summary(time.perf_counter() - started)


def _empty_output(reader: Any) -> pa.Table:
    """A zero-row table of the input's columns and the result columns."""
    names = list(getattr(reader, "names", []))
    schema = reader.file.schema_arrow if hasattr(reader, "file") else pa.schema([(n, pa.string()) for n in names])
    empty = schema.empty_table()
    for name in OUTPUT_COLUMNS:
        empty = empty.append_column(name, pa.array([], pa.string()))
    return empty

