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
(`Sharing`) computes the new pairs of earlier ones, and returns a `CdrSummary`.

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

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from normalizer.bulk.cdr_io import JSON_VALUES_PREFIX
from normalizer.bulk.keys import KeyIndex, Vocabulary, arrow_integers
from normalizer.bulk.sharing import PairWork, PlanSpec, Sharing, result_of
from normalizer.bulk.store import (
    EMPTY_APPENDED,
    OUTPUT_COLUMNS,
    PairStore,
    RowErrors,
    decoded,
    needs_quoting,
)
from normalizer.bulk.summary import CdrSummary, Tally
from normalizer.engine import PlanNormalizer
from normalizer.errors import DialplanError, DialplanInputError
from normalizer.models import EffectiveDialPlan, Scope, Tenant
from normalizer.simulation import Simulator

DEFAULT_TIMEOUT = 1.0
"""The work budget of one pattern on one dial string (`normalizer.dotnet.budget`: 10 million
proven steps a second), past which the row is marked: work, so the rows do not depend on the load."""

_MAX_CACHED_PAIRS = 1_000_000
_MAX_COUNTED_UNMATCHED = 200_000
_TOP = 20
_WARM_PLANS = 64


@dataclass(frozen=True, slots=True)
class CdrColumns:
    """Which input columns hold the dial string and the caller."""

    dialed: str
    user: str | None = None
    location: str | None = None
    dial_plan: str | None = None
    region: str | None = None
    """One usage location for every row (`--location REGION`)."""
    also_read: tuple[str, ...] = ()
    """Other input columns the job reads (the Calling Plan pass's start, duration, direction)."""
    also_appended: tuple[str, ...] = ()
    """Columns the job appends after the result columns (the Calling Plan pass's)."""

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


def _text(
    column: pa.ChunkedArray | pa.Array, name: str
) -> tuple[pa.Array, str | None, np.ndarray | None]:
    """A column as text, or (nulls, why not) when its type is not text.

    The third part marks the rows of a binary column whose bytes are not UTF-8
    (None: there are none): those values are null, and the rows are errors, as
    such lines are in a CSV (guessed characters would make a wrong number).
    """
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = array.type
    if pa.types.is_dictionary(kind):
        array, kind = array.dictionary_decode(), kind.value_type
    if pa.types.is_null(kind):
        return pa.nulls(len(array), pa.string()), None, None
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return array.cast(pa.string()), None, None
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        try:
            return array.cast(pa.string()), None, None
        except pa.ArrowInvalid:
            values: list[str | None] = []
            bad = np.zeros(len(array), bool)
            for row, value in enumerate(array.to_pylist()):
                try:
                    values.append(None if value is None else value.decode("utf-8"))
                except UnicodeDecodeError:
                    values.append(None)
                    bad[row] = True
            return pa.array(values, pa.string()), None, bad
    return pa.nulls(len(array), pa.string()), f"field {name!r} must be text, not {kind}", None


def encode_text_columns(table: pa.Table, names: Iterable[str]) -> dict[str, pa.DictionaryArray]:
    """The `names` columns of `table` that hold text, dictionary-encoded."""
    return {
        name: pc.dictionary_encode(table[name].combine_chunks())
        for name in names
        if name in table.column_names and pa.types.is_string(table.schema.field(name).type)
    }


def _not_utf8(name: str) -> str:
    return f"field {name!r} holds bytes that are not valid UTF-8"


def _encode(array: pa.Array) -> tuple[np.ndarray, list[Any]]:
    """Per row the index of its distinct value (-1 for null), and the distinct values."""
    encoded = pc.dictionary_encode(array)
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return indices, encoded.dictionary.to_pylist()


@dataclass(frozen=True, slots=True)
class ColumnIds:
    """One column of a chunk as ids of its values (`CdrNormalizer.encode`)."""

    ids: np.ndarray
    """Per row the id of its value (-1: null, or not readable)."""
    distinct: pa.Array
    """The chunk's distinct values (not every value so far: a few chunks wait at once)."""
    distinct_ids: np.ndarray
    """Their ids."""
    order: np.ndarray
    """The positions of `distinct_ids` in ascending order (found by the thread that encodes)."""
    why: str | None = None
    """Why no row of the column can be read (it is not text)."""
    bad: np.ndarray | None = None
    """Rows whose bytes are not UTF-8 (None: there are none)."""

    def values_of(self, ids: np.ndarray) -> list[str]:
        """The values of ids this chunk's rows hold."""
        positions = self.order[np.searchsorted(self.distinct_ids, ids, sorter=self.order)]
        values: list[str] = self.distinct.take(arrow_integers(positions)).to_pylist()
        return values


@dataclass(frozen=True, slots=True)
class EncodedChunk:
    """A chunk's text columns dictionary-encoded, and the caller and dial string columns as ids."""

    columns: dict[str, pa.DictionaryArray]
    callers: tuple[ColumnIds | None, ColumnIds | None]
    """The user (or usage location) column, and the dial plan column."""
    dialed: ColumnIds | None
    dials_generation: int
    """Bumped when the dial strings' ids start again (bounded memory)."""


class CdrNormalizer:
    """Normalizes chunks of one call-detail job, remembering plans and pairs across chunks.

    `encode` gives a chunk's values their ids; `submit` (with its encoding) and
    `finish` do the rest. The bulk job encodes each chunk on its reader's thread,
    where Arrow hashes the values without the GIL, while this thread works on
    earlier chunks.
    """

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
        self._specs: list[PlanSpec] = []
        self._targets: dict[tuple[str | None, ...], int | str] = {}
        # Plan ids by the plan's spec: thousands of users share a few specs, and
        # hashing an effective plan (every rule) per user cost 0.1 s on 3,000 users.
        self._spec_targets: dict[PlanSpec, int] = {}
        self._users = {user.upn.lower(): user for user in simulator.tenant.users}
        # Only `encode` uses the vocabularies: it may run on another thread.
        self._caller_values = (Vocabulary(), Vocabulary())
        self._dials = Vocabulary()
        self._dials_generation = 0
        # Callers by the ids of their one or two column values: a plan id, or
        # -2 - i for the i-th reason a caller has no plan (`_whys`).
        self._callers = KeyIndex()
        self._whys: list[str] = []
        self._why_ids: dict[str, int] = {}
        self._generation = 0
        self._store = PairStore()
        self._hits = np.zeros(1, np.int64)
        self._pairs_seen = 0
        self._tally = Tally()
        self._sharing: Sharing | None = None
        if processes > 1:
            self._compile_users_plans()  # once here, and the forked helpers inherit them
            self._sharing = Sharing(simulator, processes - 1, timeout)

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
        spec_key = tuple(spec.items())
        if not (spec.get("user") or spec.get("usage_location")):
            found = "empty user" if columns.user else "empty usage location"
        elif spec_key in self._spec_targets:
            found = self._spec_targets[spec_key]
        else:
            shared = True
            try:
                try:
                    plan = self.simulator.effective(**spec)
                except DialplanError:
                    if not columns.user:
                        raise
                    shared = False
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
                    self._specs.append(spec_key)
                if shared:
                    self._spec_targets[spec_key] = found
        self._targets[key] = found
        return found

    def encode(self, table: pa.Table, also: Iterable[str] = ()) -> EncodedChunk:
        """A chunk's caller and dial string columns as ids, and its text columns (those
        and `also`) dictionary-encoded: the first step of `submit`.

        Call it from one thread at a time, chunk after chunk in the order they
        are submitted: a value keeps its id across chunks. Past
        `_MAX_CACHED_PAIRS` distinct dial strings their ids start again (a new
        generation; `submit` then forgets the pairs so far). A column the chunk
        lacks is left out (`submit` refuses the chunk).
        """
        columns = self.columns
        encoded = encode_text_columns(table, dict.fromkeys([*columns.text_columns, *also]))
        if len(self._dials) > _MAX_CACHED_PAIRS:
            self._dials = Vocabulary()
            self._dials_generation += 1

        def ids(name: str | None, vocabulary: Vocabulary) -> ColumnIds | None:
            if name is None or name not in table.column_names:
                return None
            why = bad = None
            column = encoded.get(name)
            if column is None:
                text, why, bad = _text(table[name], name)
                column = pc.dictionary_encode(text)
            per_row, distinct_ids = vocabulary.ids_and_distinct_ids(column)
            return ColumnIds(per_row, column.dictionary, distinct_ids, np.argsort(distinct_ids), why, bad)

        first, second = (columns.user, None) if columns.user else (columns.location, columns.dial_plan)
        return EncodedChunk(
            encoded,
            (ids(first, self._caller_values[0]), ids(second, self._caller_values[1])),
            ids(columns.dialed, self._dials),
            self._dials_generation,
        )

    @staticmethod
    def _value_ids(column: ColumnIds | None, name: str, errors: RowErrors) -> np.ndarray:
        """Each row's id of its value in column `name` (-1: none), marking rows it cannot be read in."""
        assert column is not None  # `check_columns` refused a chunk without the column
        if column.why:
            errors.mark_all(column.why)
        if column.bad is not None:
            errors.mark(column.bad, _not_utf8(name))
        return column.ids

    def _plan_per_row(self, table: pa.Table, errors: RowErrors, chunk: EncodedChunk) -> np.ndarray:
        """The plan id of each row's caller (-1 where it has none, the reason marked)."""
        columns = self.columns
        rows = table.num_rows
        if columns.region:
            found = self._target((None, None))
            codes = np.full(rows, found if isinstance(found, int) else -1, np.int64)
            if isinstance(found, str):
                errors.mark_all(found)
            return codes
        names = [columns.user] if columns.user else [columns.location, columns.dial_plan]
        ids = [np.full(rows, -1, np.int64), np.full(rows, -1, np.int64)]
        for position, name in enumerate(names):
            if name is not None:
                ids[position] = self._value_ids(chunk.callers[position], name, errors)
        # One integer per caller: a row without the first value is the empty caller (-1).
        keys = np.where(ids[0] < 0, -1, (ids[0] << 32) | (ids[1] + 1))
        encoded = pc.dictionary_encode(arrow_integers(keys))
        indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        distinct = encoded.dictionary.to_numpy(zero_copy_only=False)
        codes = self._callers.find(distinct)
        new = np.flatnonzero(codes == -1)
        if len(new):
            keys = distinct[new]
            # A key without a first value (-1) is the empty caller: no value of either column.
            firsts = _values_or_none(chunk.callers[0], np.where(keys < 0, -1, keys >> 32))
            seconds = _values_or_none(chunk.callers[1], np.where(keys < 0, -1, (keys & 0xFFFFFFFF) - 1))
            codes[new] = [self._caller_code(caller) for caller in zip(firsts, seconds, strict=True)]
            self._callers.add(keys, codes[new])
        per_row: np.ndarray = codes[indices]
        errors.mark_by(np.where(per_row <= -2, -2 - per_row, -1), list(self._whys))
        return np.where(per_row < 0, -1, per_row)

    def _caller_code(self, caller: tuple[str | None, str | None]) -> int:
        """A caller's plan id (`caller`: its one or two column values), or -2 - the index
        of the reason it has none."""
        found = self._target(caller)
        if isinstance(found, int):
            return found
        why = self._why_ids.get(found)
        if why is None:
            why = self._why_ids[found] = len(self._whys)
            self._whys.append(found)
        return -2 - why

    # -- normalizing -------------------------------------------------------

    def normalize(
        self, table: pa.Table, read_errors: pa.Array | None = None, *, encoded: bool = False
    ) -> pa.Table:
        """`table` with the result columns appended; the counts go to the summary.

        With `encoded`, the result columns are dictionary arrays over every
        distinct result so far (cheap to build; `decoded` makes them plain text).
        """
        return self.finish(self.submit(table, read_errors), encoded=encoded)

    def check_columns(self, names: list[str]) -> None:
        """Refuse an input (its column `names`) that lacks a column the job reads or already
        has one it appends: checked on each chunk as it comes, before any work on it."""
        columns = self.columns
        for name in (*columns.text_columns, *columns.also_read):
            if name not in names:
                shown = [shown for shown in names if not shown.startswith(JSON_VALUES_PREFIX)]
                raise DialplanInputError(f"no column {name!r} in the input (columns: {', '.join(shown)})", field=name)
        clash = [name for name in OUTPUT_COLUMNS if name in names]
        if clash:
            raise DialplanInputError(
                f"the input already has a column {clash[0]!r} (is it an output of dialplan cdr?)",
                field=clash[0],
            )
        clash = [name for name in columns.also_appended if name in names]
        if clash:
            # A Graph PSTN call record has its own `charge`: one of the two would be lost.
            raise DialplanInputError(
                f"the input already has a column {clash[0]!r}, which the Calling Plan replay appends "
                "(rename the input's column)",
                field=clash[0],
            )

    def submit(
        self,
        table: pa.Table,
        read_errors: pa.Array | None = None,
        encoded: EncodedChunk | None = None,
    ) -> CdrTicket:
        """Start on a chunk: its rows are counted and its new pairs handed to the helpers.

        `finish` completes it; chunks are finished in the order they were submitted.
        `encoded`: the chunk's `encode`, when another thread made it.
        """
        columns = self.columns
        self.check_columns(table.column_names)
        rows = table.num_rows
        errors = RowErrors(rows)
        if read_errors is not None:
            errors.mark_by(*_encode(read_errors))
        if encoded is None:
            encoded = self.encode(table)
        if encoded.dials_generation != self._generation:
            # Bounded memory: the dial strings' ids started again, and so does the store.
            self._forget()
            self._generation = encoded.dials_generation
        plan_ids = self._plan_per_row(table, errors, encoded)
        assert encoded.dialed is not None
        dial_ids = self._value_ids(encoded.dialed, columns.dialed, errors)
        errors.mark(dial_ids < 0, "empty dialed number")
        # One integer per (plan, dial string) pair; -1 for a row with an error.
        keys = np.where(errors.codes == 0, (plan_ids << 32) | dial_ids, -1)
        encoded_keys = pc.dictionary_encode(arrow_integers(keys))
        key_index = encoded_keys.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        distinct = encoded_keys.dictionary.to_numpy(zero_copy_only=False)
        pair_of_key = self._pairs_of(distinct, encoded.dialed)
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
        indices = arrow_integers(ticket.pair_ids)
        out = ticket.table
        for name, values in zip(OUTPUT_COLUMNS[:-1], store.columns()):
            out = out.append_column(name, pa.DictionaryArray.from_arrays(indices, values))
        row_errors = ticket.errors.column()
        if store.has_errors:
            row_errors = pc.coalesce(row_errors, store.errors().take(indices))
        out = out.append_column("error", row_errors)
        return out if encoded else decoded(out)

    def finish_lines(self, ticket: CdrTicket) -> tuple[list[pa.Array], pa.Array] | None:
        """The text a CSV row of the submitted chunk ends with (its result columns), as
        a dictionary (in parts to concatenate) and each row's index into it (waiting for
        its pairs); None when a value would need quoting (`finish` then gives the columns)."""
        store = ticket.store
        self._wait(store, ticket.needed)
        appended, quoted = store.appended()
        pair_ids = ticket.pair_ids
        if quoted[pair_ids].any():
            return None
        errors = ticket.errors
        messages = errors.messages[1:]
        if not messages:
            return list(appended), arrow_integers(pair_ids)
        if needs_quoting(pa.array(messages, pa.string())):
            return None
        texts = pa.array([EMPTY_APPENDED + (message or "") for message in messages], pa.string())
        index = np.where(errors.codes == 0, pair_ids, len(quoted) - 1 + errors.codes).astype(np.int32)
        return [*appended, texts], arrow_integers(index)

    def _pairs_of(self, distinct: np.ndarray, dialed: ColumnIds) -> np.ndarray:
        """The pair id of each distinct key (0: a row with an error), computing new pairs
        (`dialed`: the chunk's dial strings, whose ids the keys hold).

        Known pairs are found in the store's index of every pair so far (kept
        across chunks, not rebuilt), by sorted search: no Python per key.
        """
        found = np.zeros(len(distinct), np.int64)
        valid = np.flatnonzero(distinct >= 0)
        if not len(valid):
            return found
        keys = distinct[valid]
        known = self._store.index.find(keys)
        new = known < 0
        found[valid[~new]] = known[~new]
        if new.any():
            fresh = keys[new]
            if len(self._store) > 1 and len(self._store) + len(fresh) > _MAX_CACHED_PAIRS:
                self._forget()
                return self._pairs_of(distinct, dialed)
            dials = dialed.values_of(fresh & 0xFFFFFFFF)
            first = self._store.reserve(fresh, pa.array(dials, pa.string()))
            self._compute(first, (fresh >> 32).tolist(), dials)
            found[valid[new]] = np.arange(first, first + len(fresh))
            self._pairs_seen += len(fresh)
        return found

    def _compute(self, first: int, plans: list[int], dials: list[str]) -> None:
        """Results of new pairs (from pair id `first`; their plan ids and dial strings):
        here, or shared with the helpers."""
        if self._sharing is not None:
            self._sharing.add(self._store, first, PairWork(tuple(self._specs), plans, dials))
            return
        normalizers, timeout = self._normalizers, self.timeout
        self._store.fill(
            first, [result_of(normalizers[plan], dial, timeout) for plan, dial in zip(plans, dials, strict=True)]
        )

    def _wait(self, store: PairStore, upto: int) -> None:
        if self._sharing is not None:
            self._sharing.wait(store, upto)

    def _count(self, pair_ids: np.ndarray, errors: RowErrors) -> None:
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

    def _fold(self) -> Tally:
        """The tally with the pair counts added (pair 0 holds rows with errors: counted apart)."""
        kept = self._tally
        tally = Tally(
            kept.rows,
            Counter(kept.errors),
            Counter(kept.call_types),
            Counter(kept.hits),
            Counter(kept.unmatched),
            kept.unmatched_rows,
        )
        # Once per pair of the job (the summary's last step, as the last chunks are written):
        # locals, and the dial strings as one list rather than one Arrow lookup each.
        results = self._store.results
        errors, call_types, hits, unmatched = tally.errors, tally.call_types, tally.hits, tally.unmatched
        service = str(Scope.SERVICE)
        dials: list[str] | None = None
        counted = np.flatnonzero(self._hits)
        for pair, rows in zip(counted.tolist(), self._hits[counted].tolist(), strict=True):
            if not pair:
                continue
            result = results[pair]
            if result[7] is not None:
                errors[result[7]] += rows
                continue
            call_types[result[4] or ""] += rows
            if result[2] is None:
                tally.unmatched_rows += rows
                if dials is None:
                    dials = self._store.keys().to_pylist()
                unmatched[str(dials[pair - 1])] += rows
            else:
                hits[result[8] or "", result[3] == service, result[2]] += rows
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
        self._store = PairStore()
        self._hits = np.zeros(1, np.int64)

    def summary(self, seconds: float = 0.0) -> CdrSummary:
        """The counts so far."""
        self._wait(self._store, len(self._store))
        tally = self._fold()
        tenant = self.simulator.tenant

        def label(identity: str, is_service: bool) -> str:
            return plan_label(tenant, identity, is_service)

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


def _values_or_none(column: ColumnIds | None, ids: np.ndarray) -> list[str | None]:
    """The values of a chunk's ids in one of its columns (None for -1, or no column)."""
    values: list[str | None] = [None] * len(ids)
    given = np.flatnonzero(ids >= 0)
    if column is not None and len(given):
        for at, value in zip(given.tolist(), column.values_of(ids[given]), strict=True):
            values[at] = value
    return values


def plan_label(tenant: Tenant, identity: str, is_service: bool) -> str:
    """A plan's key in `CdrSummary.rule_hits`: a service plan a tenant plan shares an identity
    with is "FR (service)", so their counts never mix."""
    if is_service and identity.lower() in {plan.identity.lower() for plan in tenant.dial_plans}:
        return f"{identity} (service)"
    return identity


@dataclass(frozen=True, slots=True)
class CdrTicket:
    """A submitted chunk: its rows' pair ids, errors, and the store their results come from."""

    table: pa.Table
    pair_ids: np.ndarray
    errors: RowErrors
    store: PairStore
    needed: int
    """Pair ids below this one are used by the chunk."""


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
