"""Replaying calls against pools and credits, in time order, one array operation per step.

Each call's fate depends on the calls before it, but only through running sums,
so the replay is written as window functions rather than a loop per call:

1. Pools: partition the pool calls by (pool, calendar month). Minutes are used
   as they are spoken: a call's k-th billed minute begins at its start + 60 k.
   The pool runs out when its last minute begins (the cap-th minute in time
   order, found by a binary search over time of a vectorized count of begun
   minutes); a call that starts by then is carried whole, a later one finds
   the pool used up. International plans run out when either their domestic
   or their international minutes do ("whichever is reached first").
2. Credits: the calls on credits (Pay-As-You-Go, international on a Domestic
   plan, premium, and pool overflow of users with credits), ordered by start
   across the tenant: without auto-recharge a call goes out while the balance
   before it (the starting balance less the exclusive running sum of charges)
   is above zero; with auto-recharge the balance never falls below the trigger
   (recharges = ceil(deficit / amount), again a function of the running sum).

In SQL terms, step 1 is a count of begun minutes per (pool, month) at a
moment, then a filter `start <= ran_out_at`; step 2 `sum(charge) over (order
by start rows between unbounded preceding and 1 preceding)` over the credit
calls; `normalizer.bulk.spark` could run them as such.

State carried between chunks (minutes used per pool and month, the calls still
speaking, credits spent and recharges) makes a replay in chunks equal to one
pass when chunks come in time order (no call starts before the latest one of
an earlier chunk); a chunk out of order is refused (`OutOfOrderError`).
Within a chunk, calls may come in any order (ties: input order).

>>> import numpy as np
>>> from normalizer.billing.outcome import BillingCategory, Intent, Route
>>> pool = Intent(BillingCategory.DOMESTIC, Route.POOL, pool="FR/domestic-120")
>>> replay = Replay({"FR/domestic-120": (1, 120, 0)}, increment_seconds=60)
>>> out = replay.feed(Calls(np.array([0, 60, 3601]), np.array([3600.0, 3600.0, 60.0]), np.zeros(3, np.int32)), [pool])
>>> out.allowed.tolist(), out.block_reason(1), out.block_reason(2)
([True, True, False], None, 'pool-exhausted')
>>> replay.ran_out_at(("FR/domestic-120", 0))  # 1970-01; the 120th minute: the second call's 60th, begun at 60 + 59 x 60
3600
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from normalizer.billing.outcome import BillingCategory, BlockReason, Intent, Route
from normalizer.errors import DialplanInputError
from normalizer.models import CreditsSettings

_REASONS = list(BlockReason)
_CATEGORIES = list(BillingCategory)
_FREE, _POOL, _CREDITS, _BLOCKED = 0, 1, 2, 3
_ROUTE_CODE = {Route.FREE: _FREE, Route.POOL: _POOL, Route.CREDITS: _CREDITS, Route.BLOCKED: _BLOCKED}
class OutOfOrderError(DialplanInputError):
    """A chunk holds a call that starts before the latest call of an earlier chunk."""


NO_CHARGE = -1
"""`charged_to` code: nothing charged."""
ON_CREDITS = -2
"""`charged_to` code: Communications Credits."""


def months_of(start: np.ndarray) -> np.ndarray:
    """Calendar month (`datetime64[M]` as an integer) of each start, UTC.

    By searching the month boundaries between the earliest and latest start,
    rather than converting each timestamp to a calendar date.
    """
    if not len(start):
        return np.zeros(0, np.int64)
    first, last = (np.datetime64(int(value), "s").astype("datetime64[M]") for value in (start.min(), start.max()))
    months = np.arange(first, last + 1)
    if len(months) <= 4:
        # A chunk spans a few months: one comparison per month boundary is quicker than a search.
        found = np.full(len(start), int(months[0].astype(np.int64)), np.int64)
        for boundary in months[1:].astype("datetime64[s]").astype(np.int64).tolist():
            found += start >= boundary
        return found
    bounds = months.astype("datetime64[s]").astype(np.int64)
    return months.astype(np.int64)[np.searchsorted(bounds, start, side="right") - 1]


@dataclass(frozen=True, slots=True)
class Calls:
    """Calls to replay: start (seconds since the epoch, UTC), duration (seconds), intent index."""

    start: np.ndarray
    seconds: np.ndarray
    intent: np.ndarray
    rate: np.ndarray | None = None
    """Rate per minute from the rate card (NaN: no prefix matched), when there is one."""

    def __len__(self) -> int:
        return len(self.start)


@dataclass(slots=True)
class Outcomes:
    """Per call, in input order: the replay's answer."""

    category: np.ndarray
    allowed: np.ndarray
    reason: np.ndarray
    """Index into `BlockReason` (-1: none)."""
    charged_to: np.ndarray
    """Pool index into `pools`, `ON_CREDITS` or `NO_CHARGE`."""
    billed_minutes: np.ndarray
    charge: np.ndarray
    """Money from credits (NaN: none, or no rate card)."""
    pools: list[str]

    def block_reason(self, row: int) -> str | None:
        code = int(self.reason[row])
        return None if code < 0 else str(_REASONS[code])


_EMPTY = np.zeros(0, np.int64)


@dataclass(slots=True)
class PoolMonth:
    """A pool's use in one calendar month."""

    used_domestic: int = 0
    used_international: int = 0
    ran_out_at: int | None = None
    """When the pool's last minute went into use: calls that start later find it used up."""
    unmet_minutes: int = 0
    """Minutes of calls that found the pool used up (carried on credits or blocked)."""
    unmet_international: int = 0
    """The international part of `unmet_minutes`."""
    horizon: int | None = None
    """The latest start replayed so far: what happens after it is not known yet."""
    pending_start: np.ndarray = field(default_factory=lambda: _EMPTY)
    pending_minutes: np.ndarray = field(default_factory=lambda: _EMPTY)
    pending_international: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    """Carried calls still speaking at `horizon` (the others have used all their minutes)."""

    def settled(self, international: bool) -> int:
        """Minutes of carried calls that had all begun by `horizon`."""
        used = self.used_international if international else self.used_domestic
        return used - int(self.pending_minutes[self.pending_international == international].sum())


def minute_ticks(t: int, start: np.ndarray, minutes: np.ndarray) -> int:
    """How many billed minutes have begun by time `t` (inclusive): minute k of a call begins at start + 60 k."""
    begun = np.floor_divide(t - start, 60) + 1
    return int(np.clip(begun, 0, minutes).sum())


def nth_minute(k: int, start: np.ndarray, minutes: np.ndarray) -> int | None:
    """When the `k`-th billed minute (from 1, in time order) begins; None if fewer are billed.

    A binary search over time of `minute_ticks`: one array operation per step, not one per minute.
    """
    if k <= 0:
        return int(start.min()) if len(start) else None
    if int(minutes.sum()) < k:
        return None
    low = int(start.min())
    high = int((start + 60 * np.maximum(minutes - 1, 0)).max())
    while low < high:
        middle = (low + high) // 2
        if minute_ticks(middle, start, minutes) >= k:
            high = middle
        else:
            low = middle + 1
    return low


@dataclass(slots=True)
class CreditsState:
    spent: float = 0.0
    minutes: int = 0
    recharges: int = 0
    """Auto-recharges fired by this month's calls (the replay's total in `Replay.credit_state`)."""
    unrated_calls: int = 0
    """Calls on credits to a destination missing from the rate card: not charged."""
    unrated_minutes: int = 0


@dataclass(slots=True)
class Replay:
    """The running state of one replay: pool use per (pool, month), credits spent."""

    pools: dict[str, tuple[int, int, int]]
    """Pool key -> (licences, domestic minutes, international minutes) a month."""
    increment_seconds: int = 60
    credits: CreditsSettings | None = None
    priced: bool = False
    """True when calls carry rates: credits are then money, else minutes only."""
    pool_months: dict[tuple[str, int], PoolMonth] = field(default_factory=dict)
    credit_state: CreditsState = field(default_factory=CreditsState)
    credit_months: dict[int, CreditsState] = field(default_factory=lambda: defaultdict(CreditsState))
    latest: int | None = None
    """The latest start of a pool or credit call replayed so far."""

    def feed(self, calls: Calls, intents: list[Intent]) -> Outcomes:
        """Replay one chunk of calls (no call before the latest of an earlier chunk)."""
        # Per call, gathered from per-intent values with `take` (quicker than fancy indexing),
        # and rows picked by position or `compress`, not by boolean indexing.
        count = len(calls)
        names = list(self.pools)
        pool_index = {name: index for index, name in enumerate(names)}
        ids = np.asarray(calls.intent, np.int64)
        route = np.array([_ROUTE_CODE[i.route] for i in intents], np.int8).take(ids)
        category = np.array([_CATEGORIES.index(i.category) for i in intents], np.int8).take(ids)
        reason = np.array(
            [_REASONS.index(i.block_reason) if i.block_reason else -1 for i in intents], np.int8
        ).take(ids)
        pool = np.array([pool_index.get(i.pool or "", -1) for i in intents], np.int32).take(ids)
        international = np.array([i.international for i in intents], bool).take(ids)
        overflow = np.array([i.overflow_to_credits for i in intents], bool).take(ids)
        free = ~np.array([i.uses_minutes for i in intents], bool).take(ids)

        step = self.increment_seconds
        seconds = calls.seconds.astype(np.float64)
        if count and not (np.isfinite(seconds).all() and seconds.min() >= 0):
            raise DialplanInputError("durations must be finite numbers of seconds, not negative", field="duration")
        minutes = np.ceil(np.ceil(seconds / step) * step / 60).astype(np.int64)
        minutes *= ~free  # toll-free: follows its pool, uses none of its minutes
        start = calls.start.astype(np.int64)
        month = months_of(start)

        counted = (route == _POOL) | (route == _CREDITS)
        in_order = True
        if counted.any():
            counted_start = start.compress(counted)
            first, last = int(counted_start.min()), int(counted_start.max())
            in_order = bool((counted_start[1:] >= counted_start[:-1]).all())
            if self.latest is not None and first < self.latest:
                raise OutOfOrderError(
                    f"calls out of time order: a call at {first} s comes after one at {self.latest} s; "
                    "replay chunks in order of start",
                    field="start",
                )
            self.latest = last if self.latest is None else max(self.latest, last)

        allowed = route != _BLOCKED
        charged_to = np.full(count, NO_CHARGE, np.int32)
        billed = minutes * (allowed & (route != _FREE))
        on_credits = route == _CREDITS

        # Calls in order of start, ties in input order. Only pool and credit calls are ever
        # ordered: when they are in time order already (a log in time order), so is any subset.
        by_time = None if in_order else np.argsort(start, kind="stable")

        def in_time_order(rows: np.ndarray) -> np.ndarray:
            """The positions of the calls of `rows` (a mask of pool or credit calls), in order of start."""
            return np.flatnonzero(rows) if by_time is None else by_time.compress(rows.take(by_time))

        # 1. Pools, partitioned by (pool, month), ordered by start then input order.
        in_pool = in_time_order(route == _POOL)
        if len(in_pool):
            # (pool, month) partitions, each in time order: a stable sort of the time-ordered calls
            # by one small key (a radix sort when it fits in 16 bits).
            months = month.take(in_pool)
            months -= months.min()
            key = pool.take(in_pool).astype(np.int64) * (int(months.max()) + 1) + months
            sorting = np.argsort(key.astype(np.int16) if int(key.max()) < 1 << 15 else key, kind="stable")
            order, key = in_pool.take(sorting), key.take(sorting)
            boundaries = np.flatnonzero(key[1:] != key[:-1]) + 1
            carried = np.concatenate([
                self._pool_partition(part, names[int(pool[part[0]])], minutes, international, start, seconds, month)
                for part in np.split(order, boundaries)
            ])
            kept = order.compress(carried)
            charged_to[kept] = np.where(free.take(kept), NO_CHARGE, pool.take(kept))
            if not carried.all():
                spill = order.compress(~carried)
                spill = spill.compress(~(free.take(spill) & overflow.take(spill)))  # toll-free with credits: goes, costs nothing
                spilled_over = overflow.take(spill)
                on_credits[spill.compress(spilled_over)] = True
                blocked = spill.compress(~spilled_over)
                allowed[blocked] = False
                reason[blocked] = _REASONS.index(BlockReason.POOL_EXHAUSTED)
                billed[blocked] = 0

        # 2. Credits, across the tenant, ordered by start then input order.
        charge = np.full(count, np.nan)
        if on_credits.any():
            order = in_time_order(on_credits)
            costs = unrated = None
            if self.priced and calls.rate is not None:
                # A destination missing from the rate card is not free: it has no charge (null),
                # moves no balance, and is counted apart (`unrated`) for the report to say so.
                rate = calls.rate.take(order)
                unrated = np.isnan(rate)
                costs = np.where(unrated, 0.0, minutes.take(order) * np.where(unrated, 0.0, rate))
            funded = self._credits_funded(order, costs, minutes, month, start, unrated)
            charged_to[order.compress(funded)] = ON_CREDITS
            if costs is not None and unrated is not None:
                priced = funded & ~unrated
                charge[order.compress(priced)] = costs.compress(priced)
            if not funded.all():
                refused = order.compress(~funded)
                allowed[refused] = False
                reason[refused] = _REASONS.index(BlockReason.CREDITS_EXHAUSTED)
                billed[refused] = 0
        return Outcomes(category, allowed, reason, charged_to, billed, charge, names)

    def _pool_partition(
        self,
        part: np.ndarray,
        name: str,
        minutes: np.ndarray,
        international: np.ndarray,
        start: np.ndarray,
        seconds: np.ndarray,
        month: np.ndarray,
    ) -> np.ndarray:
        """Which calls of one (pool, month) partition the pool carries (a boolean mask).

        Minutes are used as they are spoken: a call's k-th billed minute begins
        at its start + 60 k. The pool runs out when its last minute begins (the
        cap-th minute in time order, over the calls carried before and these);
        a call that starts by then is carried whole, a later one is not. That
        moment does not depend on the calls that start after it, so a chunk
        fixes it once it is not later than the chunk's last start; otherwise
        the calls still speaking are kept for the next chunk.
        """
        key = (name, int(month[part[0]]))
        state = self.pool_months.setdefault(key, PoolMonth())
        _, domestic_cap, international_cap = self.pools[key[0]]
        starts = start.take(part)
        used = minutes.take(part)
        is_international = international.take(part)
        horizon = int(starts.max())
        abroad = used * is_international
        if state.ran_out_at is None and not (
            # Not even all these minutes reach a cap: the pool cannot run out with these calls.
            state.used_domestic + int(used.sum()) - int(abroad.sum()) < domestic_cap
            and (not international_cap or state.used_international + int(abroad.sum()) < international_cap)
        ):
            state.ran_out_at = self._run_out(state, starts, used, is_international, domestic_cap, international_cap)
            if state.ran_out_at is not None and state.ran_out_at > horizon:
                state.ran_out_at = None  # later calls could still bring it forward
        carried = starts <= state.ran_out_at if state.ran_out_at is not None else np.ones(len(part), bool)
        if carried.all():  # most partitions: the pool lasts past them
            state.used_international += int(abroad.sum())
            state.used_domestic += int(used.sum()) - int(abroad.sum())
        else:
            state.used_domestic += int((used - abroad).compress(carried).sum())
            state.used_international += int(abroad.compress(carried).sum())
            state.unmet_minutes += int(used.compress(~carried).sum())
            state.unmet_international += int(abroad.compress(~carried).sum())
            starts, used, is_international = (values.compress(carried) for values in (starts, used, is_international))
        # Carried calls still speaking at the horizon are kept; the others are settled.
        all_start = np.concatenate([state.pending_start, starts])
        all_minutes = np.concatenate([state.pending_minutes, used])
        all_international = np.concatenate([state.pending_international, is_international])
        speaking = all_start + 60 * (all_minutes - 1) >= horizon
        state.pending_start, state.pending_minutes = all_start.compress(speaking), all_minutes.compress(speaking)
        state.pending_international = all_international.compress(speaking)
        state.horizon = horizon if state.horizon is None else max(state.horizon, horizon)
        return carried

    @staticmethod
    def _run_out(
        state: PoolMonth,
        starts: np.ndarray,
        used: np.ndarray,
        is_international: np.ndarray,
        domestic_cap: int,
        international_cap: int,
    ) -> int | None:
        """When the pool's last minute begins, over the pending calls and these (None: not with these calls)."""
        moments = []
        caps = [(False, domestic_cap)] + ([(True, international_cap)] if international_cap else [])
        for kind, cap in caps:
            pending = state.pending_international == kind
            mine = is_international == kind
            found = nth_minute(
                cap - state.settled(kind),
                np.concatenate([state.pending_start.compress(pending), starts.compress(mine)]),
                np.concatenate([state.pending_minutes.compress(pending), used.compress(mine)]),
            )
            if found is not None:
                moments.append(found)
        return min(moments) if moments else None

    def ran_out_at(self, key: tuple[str, int]) -> int | None:
        """When a pool month ran out: fixed by the replay, or (after the last call started) by the calls still speaking."""
        state = self.pool_months[key]
        if state.ran_out_at is not None:
            return state.ran_out_at
        _, domestic_cap, international_cap = self.pools[key[0]]
        return self._run_out(state, _EMPTY, _EMPTY, np.zeros(0, bool), domestic_cap, international_cap)

    def _credits_funded(
        self,
        order: np.ndarray,
        costs: np.ndarray | None,
        minutes: np.ndarray,
        month: np.ndarray,
        start: np.ndarray,
        unrated: np.ndarray | None = None,
    ) -> np.ndarray:
        """Which credit calls (in `order`) go out, spending the balance as they do."""
        state = self.credit_state
        settings = self.credits
        if costs is None or settings is None:
            funded = np.ones(len(order), bool)  # minutes only: no money to run out of
            spent = np.zeros(len(order))
        else:
            before = np.cumsum(costs) - costs + state.spent
            recharge = settings.recharge_amount
            if recharge is not None and settings.recharge_below is not None:
                funded = np.ones(len(order), bool)
            else:
                funded = settings.balance - before > 0
            spent = np.where(funded, costs, 0.0)
        # Recharges fired by each call: a function of the running sum of what was spent
        # (those needed before any spending are the report's, `start_recharges`).
        after = self._recharges(state.spent + np.cumsum(spent))
        fired = np.diff(after, prepend=self._recharges(np.array([state.spent]))[0])
        months = month.take(order)
        used = minutes.take(order)
        first = int(months.min()) if len(months) else 0
        for offset in np.flatnonzero(np.bincount(months - first)).tolist():
            in_month = months == first + offset
            entry = self.credit_months[first + offset]
            entry.spent += float(spent.compress(in_month).sum())
            entry.minutes += int(used.compress(in_month & funded).sum())
            entry.recharges += int(fired.compress(in_month).sum())
            if unrated is not None:
                missing = in_month & funded & unrated
                entry.unrated_calls += int(np.count_nonzero(missing))
                entry.unrated_minutes += int(used.compress(missing).sum())
        state.spent += float(spent.sum())
        state.recharges = int(after[-1]) if len(after) else state.recharges
        return funded

    def _recharges(self, spent: np.ndarray) -> np.ndarray:
        """Auto-recharges fired once `spent` is spent: enough to keep the balance at or above the trigger.

        Counted as floats (whole numbers): a count never wraps around as an int64 would.
        """
        settings = self.credits
        if settings is None or settings.recharge_amount is None or settings.recharge_below is None:
            return np.zeros(len(spent))
        deficit = settings.recharge_below - (settings.balance - spent)
        return np.where(deficit > 0, np.ceil(deficit / settings.recharge_amount), 0.0)

    def start_recharges(self) -> int:
        """Auto-recharges needed before any call: a starting balance below the trigger."""
        return int(self._recharges(np.zeros(1))[0])
