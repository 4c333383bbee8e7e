"""Replaying calls against pools and credits, in time order, one array operation per step.

Each call's fate depends on the calls before it, but only through running sums,
so the replay is written as window functions rather than a loop per call:

1. Pools: partition the pool calls by (pool, calendar month), order by start;
   a call is carried when the minutes used *before* it (an exclusive running
   sum, plus what earlier chunks used) are under the pool's domestic cap, and
   (International plans) its international minutes under theirs. The sums only
   grow, so once a call finds the pool used up every later one does: calls
   before that point are exactly the ones that consumed minutes.
2. Credits: the calls on credits (Pay-As-You-Go, international on a Domestic
   plan, premium, and pool overflow of users with credits), ordered by start
   across the tenant: without auto-recharge a call goes out while the balance
   before it (the starting balance less the exclusive running sum of charges)
   is above zero; with auto-recharge the balance never falls below the trigger
   (recharges = ceil(deficit / amount), again a function of the running sum).

In SQL terms, step 1 is `sum(minutes) over (partition by pool, month order by
start, row rows between unbounded preceding and 1 preceding)`; step 2 the same
over the credit calls; `normalizer.bulk.spark` could run them as such.

State carried between chunks (minutes used per pool and month, credits spent
and recharges) makes a replay in chunks equal to one pass when chunks come in
time order; within a chunk calls are ordered by start (ties: input order).

>>> import numpy as np
>>> from normalizer.billing.outcome import BillingCategory, Intent, Route
>>> pool = Intent(BillingCategory.DOMESTIC, Route.POOL, pool="FR/domestic-120")
>>> replay = Replay({"FR/domestic-120": (1, 120, 0)}, increment_seconds=60)
>>> out = replay.feed(Calls(np.array([0, 60, 120]), np.array([3600.0, 3600.0, 60.0]), np.zeros(3, np.int32)), [pool])
>>> out.allowed.tolist(), out.block_reason(0), out.block_reason(2)
([True, True, False], None, 'pool-exhausted')
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from normalizer.billing.outcome import CREDITS, BillingCategory, BlockReason, Intent, Route
from normalizer.errors import DialplanInputError
from normalizer.models import CreditsSettings

_REASONS = list(BlockReason)
_CATEGORIES = list(BillingCategory)
_FREE, _POOL, _CREDITS, _BLOCKED = 0, 1, 2, 3
_ROUTE_CODE = {Route.FREE: _FREE, Route.POOL: _POOL, Route.CREDITS: _CREDITS, Route.BLOCKED: _BLOCKED}
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

    def charged_to_names(self) -> list[str | None]:
        names: list[str | None] = [*self.pools, CREDITS, None]  # -2 and -1 index from the end
        return [names[code] for code in self.charged_to.tolist()]

    def reason_names(self) -> list[str | None]:
        names: list[str | None] = [*(str(reason) for reason in _REASONS), None]
        return [names[code] for code in self.reason.tolist()]

    def category_names(self) -> list[str]:
        names = [str(category) for category in _CATEGORIES]
        return [names[code] for code in self.category.tolist()]


@dataclass(slots=True)
class PoolMonth:
    """A pool's use in one calendar month."""

    used_domestic: int = 0
    used_international: int = 0
    ran_out_at: int | None = None
    """When the pool was used up: the end of the call that used its last minute."""
    unmet_minutes: int = 0
    """Minutes of calls that found the pool used up (carried on credits or blocked)."""


@dataclass(slots=True)
class CreditsState:
    spent: float = 0.0
    minutes: int = 0
    recharges: int = 0
    blocked_since: int | None = None


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

    def feed(self, calls: Calls, intents: list[Intent]) -> Outcomes:
        """Replay one chunk of calls (in time order relative to earlier chunks)."""
        count = len(calls)
        names = list(self.pools)
        pool_index = {name: index for index, name in enumerate(names)}
        route = np.array([_ROUTE_CODE[i.route] for i in intents], np.int8)[calls.intent]
        category = np.array([_CATEGORIES.index(i.category) for i in intents], np.int8)[calls.intent]
        reason = np.array(
            [_REASONS.index(i.block_reason) if i.block_reason else -1 for i in intents], np.int8
        )[calls.intent]
        pool = np.array([pool_index.get(i.pool or "", -1) for i in intents], np.int32)[calls.intent]
        international = np.array([i.international for i in intents], bool)[calls.intent]
        overflow = np.array([i.overflow_to_credits for i in intents], bool)[calls.intent]

        step = self.increment_seconds
        seconds = calls.seconds.astype(np.float64)
        if count and not (np.isfinite(seconds).all() and seconds.min() >= 0):
            raise DialplanInputError("durations must be finite numbers of seconds, not negative", field="duration")
        minutes = np.ceil(np.ceil(seconds / step) * step / 60).astype(np.int64)
        start = calls.start.astype(np.int64)
        month = months_of(start)

        allowed = route != _BLOCKED
        charged_to = np.full(count, NO_CHARGE, np.int32)
        billed = np.where(route == _BLOCKED, 0, minutes)
        billed[route == _FREE] = 0
        on_credits = route == _CREDITS

        # 1. Pools, partitioned by (pool, month), ordered by start then input order.
        by_time = np.argsort(start, kind="stable")  # ties: input order
        in_pool = by_time[route[by_time] == _POOL]
        if len(in_pool):
            # (pool, month) partitions, each in time order: a stable sort of the time-ordered calls.
            order = in_pool[np.argsort(pool[in_pool].astype(np.int64) * (1 << 32) + (month[in_pool] - month[in_pool].min()), kind="stable")]
            keys = np.stack([pool[order], month[order]], axis=1)
            boundaries = np.flatnonzero(np.any(keys[1:] != keys[:-1], axis=1)) + 1
            for part in np.split(order, boundaries):
                name = names[int(pool[part[0]])]
                carried = self._pool_partition(part, name, minutes, international, start, seconds, month)
                charged_to[part[carried]] = pool[part[carried]]
                spill = part[~carried]
                to_credits = spill[overflow[spill]]
                on_credits[to_credits] = True
                blocked = spill[~overflow[spill]]
                allowed[blocked] = False
                reason[blocked] = _REASONS.index(BlockReason.POOL_EXHAUSTED)
                billed[blocked] = 0

        # 2. Credits, across the tenant, ordered by start then input order.
        charge = np.full(count, np.nan)
        if on_credits.any():
            order = by_time[on_credits[by_time]]
            costs = (
                minutes[order] * np.nan_to_num(calls.rate[order], nan=0.0)
                if self.priced and calls.rate is not None
                else None
            )
            funded = self._credits_funded(order, costs, minutes, month, start)
            ok, refused = order[funded], order[~funded]
            charged_to[ok] = ON_CREDITS
            if costs is not None:
                charge[ok] = costs[funded]
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
        """Which calls of one (pool, month) partition the pool carries (a boolean mask)."""
        key = (name, int(month[part[0]]))
        state = self.pool_months.setdefault(key, PoolMonth())
        _, domestic_cap, international_cap = self.pools[key[0]]
        is_international = international[part]
        used = minutes[part]
        domestic = np.where(is_international, 0, used)
        abroad = np.where(is_international, used, 0)
        before_domestic = np.cumsum(domestic) - domestic + state.used_domestic
        before_abroad = np.cumsum(abroad) - abroad + state.used_international
        carried = before_domestic < domestic_cap
        if international_cap:
            carried &= before_abroad < international_cap
        taken = int(np.count_nonzero(carried))  # the sums only grow: a prefix is carried
        state.used_domestic += int(domestic[:taken].sum())
        state.used_international += int(abroad[:taken].sum())
        full = state.used_domestic >= domestic_cap or (
            bool(international_cap) and state.used_international >= international_cap
        )
        if full and state.ran_out_at is None and taken:
            last = part[taken - 1]
            state.ran_out_at = int(start[last] + seconds[last])
        state.unmet_minutes += int(used[taken:].sum())
        return carried

    def _credits_funded(
        self,
        order: np.ndarray,
        costs: np.ndarray | None,
        minutes: np.ndarray,
        month: np.ndarray,
        start: np.ndarray,
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
        if not funded.all() and state.blocked_since is None:
            state.blocked_since = int(start[order[int(np.argmin(funded))]])
        # Recharges fired by each call: a function of the running sum of what was spent.
        after = self._recharges(state.spent + np.cumsum(spent))
        fired = np.diff(after, prepend=self._recharges(np.array([state.spent]))[0])
        months = month[order]
        for month_code in np.unique(months).tolist():
            in_month = months == month_code
            entry = self.credit_months[int(month_code)]
            entry.spent += float(spent[in_month].sum())
            entry.minutes += int(minutes[order][in_month & funded].sum())
            entry.recharges += int(fired[in_month].sum())
        state.spent += float(spent.sum())
        state.minutes += int(minutes[order][funded].sum())
        state.recharges = int(after[-1]) if len(after) else state.recharges
        return funded

    def _recharges(self, spent: np.ndarray) -> np.ndarray:
        """Auto-recharges fired once `spent` is spent: enough to keep the balance at the trigger."""
        settings = self.credits
        if settings is None or settings.recharge_amount is None or settings.recharge_below is None:
            return np.zeros(len(spent), np.int64)
        deficit = settings.recharge_below - (settings.balance - spent)
        return np.where(deficit > 0, np.ceil(deficit / settings.recharge_amount), 0).astype(np.int64)

    def balance(self) -> float | None:
        """The credits balance now (None: no `[communications_credits]` or no rate card)."""
        settings = self.credits
        if settings is None or not self.priced:
            return None
        amount = settings.recharge_amount or 0.0
        return settings.balance - self.credit_state.spent + amount * self.credit_state.recharges
