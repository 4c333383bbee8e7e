"""A replay of a tenant's calls with its monthly report: pools, credits, blocked calls, advice.

`CallLedger` takes calls in chunks, already classified (the `cdr` job's
columns) or as dial strings (normalized here, each distinct one once), turns
each distinct (user, number, classification, direction) into an `Intent`
once, and replays them (`normalizer.billing.replay`). `summary()` is the
`calling_plans` key of the `cdr` summary and of `POST /v1/calls/replay`.

>>> from normalizer.formats import load_tenant
>>> from normalizer.simulation import Simulator
>>> import numpy as np
>>> ledger = CallLedger(Simulator(load_tenant()))
>>> out = ledger.feed_dialed(["lidia.holloway@contoso.com"], ["0033123456789"], np.array([0]), np.array([60.0]))
>>> out.block_reason(0)
'no-international-entitlement'
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from normalizer.billing.catalog import PlanKind
from normalizer.billing.outcome import BlockReason, CallBilling, Intent
from normalizer.billing.rates import RateCard
from normalizer.billing.replay import NO_CHARGE, ON_CREDITS, Calls, Outcomes, Replay
from normalizer.classify import CallType
from normalizer.errors import DialplanInputError

if TYPE_CHECKING:
    from normalizer.engine import NormalizationResult
    from normalizer.simulation import Simulator

_SEPARATOR = "\x1f"


def month_name(code: int) -> str:
    """`datetime64[M]` integer -> `2024-03`."""
    return str(np.datetime64(code, "M"))


def timestamp(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class KeptCalls:
    """Every replayed call's start and fate, kept for the plots of `--report`."""

    start: np.ndarray
    charged_to: np.ndarray
    minutes: np.ndarray
    charge: np.ndarray

    def extend(self, start: np.ndarray, out: Outcomes) -> None:
        self.start = np.concatenate([self.start, start.astype(np.int64)])
        self.charged_to = np.concatenate([self.charged_to, out.charged_to])
        self.minutes = np.concatenate([self.minutes, out.billed_minutes])
        self.charge = np.concatenate([self.charge, out.charge])


class CallLedger:
    """One replay of a tenant's calls, fed in time-ordered chunks, and its report."""

    def __init__(
        self, simulator: Simulator, *, rates: RateCard | None = None, keep_calls: bool = False
    ) -> None:
        self.simulator = simulator
        self.billing: CallBilling = simulator.billing
        self.rates = rates
        credits = simulator.tenant.communications_credits
        if rates is not None and credits is not None and rates.currency != credits.currency:
            raise DialplanInputError(
                f"the rate card is in {rates.currency}, the tenant's Communications Credits in "
                f"{credits.currency}",
                file=rates.source,
                field="currency",
            )
        self.replay = Replay(
            self.billing.pools,
            increment_seconds=self.billing.catalog.billing.increment_seconds,
            credits=credits,
            priced=rates is not None,
        )
        self.intents: list[Intent] = []
        self._intent_ids: dict[str, int] = {}
        self.blocked: dict[int, dict[str, dict[str, list[int]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(lambda: [0, 0]))
        )
        """month -> user -> reason -> [calls, minutes]."""
        self.calls = 0
        self.billed_minutes = 0
        self.kept: KeptCalls | None = None
        if keep_calls:
            empty = np.zeros(0, np.int64)
            self.kept = KeptCalls(empty, empty.astype(np.int32), empty, empty.astype(np.float64))

    # Feeding ---------------------------------------------------------------------

    def _intent_id(self, key: str) -> int:
        found = self._intent_ids.get(key)
        if found is None:
            upn, final, call_type, region, number_type, inbound = key.split(_SEPARATOR)
            user = self.billing.user(upn)
            category = self.billing.category(
                user,
                final,
                CallType(call_type),
                region or None,
                number_type or None,
                inbound=inbound == "1",
            )
            found = self._intent_ids[key] = len(self.intents)
            self.intents.append(self.billing.intent_for(user, category, final))
        return found

    def feed_classified(
        self,
        users: pa.Array,
        final_number: pa.Array,
        call_type: pa.Array,
        destination_region: pa.Array,
        number_type: pa.Array,
        start: np.ndarray,
        seconds: np.ndarray,
        inbound: np.ndarray | None = None,
    ) -> Outcomes:
        """Replay classified calls (the `cdr` output columns); rows with no call type are errors."""
        direction = pa.array(
            np.where(inbound, "1", "0") if inbound is not None else np.full(len(start), "0")
        )
        parts = [
            pc.fill_null(pc.utf8_lower(users.cast(pa.string())), ""),
            pc.fill_null(final_number.cast(pa.string()), ""),
            pc.fill_null(call_type.cast(pa.string()), ""),
            pc.fill_null(destination_region.cast(pa.string()), ""),
            pc.fill_null(number_type.cast(pa.string()), ""),
            direction,
        ]
        keys = pc.binary_join_element_wise(*parts, _SEPARATOR).dictionary_encode()
        distinct = keys.dictionary.to_pylist()
        codes = np.asarray(keys.indices.to_numpy(zero_copy_only=False), np.int64)
        ids = np.array([self._intent_id(key) for key in distinct], np.int32)
        rates = None
        if self.rates is not None:
            numbers = final_number.cast(pa.string()).dictionary_encode()
            rates = self.rates.rates_of(numbers.dictionary.to_pylist())[
                np.asarray(numbers.indices.fill_null(0).to_numpy(zero_copy_only=False), np.int64)
            ] if len(numbers.dictionary) else np.full(len(start), np.nan)
        calls = Calls(np.asarray(start, np.int64), np.asarray(seconds, np.float64), ids[codes], rates)
        return self.feed(calls, pc.fill_null(users.cast(pa.string()), "").to_pylist())

    def feed_dialed(
        self,
        users: Sequence[str],
        dialed: Sequence[str],
        start: np.ndarray,
        seconds: np.ndarray,
        inbound: np.ndarray | None = None,
    ) -> Outcomes:
        """Replay calls given as dial strings: each distinct (user, dial string) normalized once."""
        results: dict[tuple[str, str], Any] = {}
        for user, number in zip(users, dialed, strict=True):
            key = (user.lower(), number)
            if key not in results:
                results[key] = self.simulator.normalize(number, user=user)
        rows = [results[(user.lower(), number)] for user, number in zip(users, dialed, strict=True)]
        return self.feed_results(users, rows, start, seconds, inbound)

    def feed_results(
        self,
        users: Sequence[str],
        rows: Sequence[NormalizationResult],
        start: np.ndarray,
        seconds: np.ndarray,
        inbound: np.ndarray | None = None,
    ) -> Outcomes:
        """Replay calls already normalized (one result per call)."""
        return self.feed_classified(
            pa.array(list(users), pa.string()),
            pa.array([r.final_number for r in rows], pa.string()),
            pa.array(
                ["emergency" if r.is_emergency else str(r.call_type) for r in rows], pa.string()
            ),
            pa.array([r.classification.destination_region for r in rows], pa.string()),
            pa.array([r.classification.number_type for r in rows], pa.string()),
            start,
            seconds,
            inbound,
        )

    def feed(self, calls: Calls, users: list[str]) -> Outcomes:
        """Replay one chunk and count its blocked calls per month, user and reason."""
        out = self.replay.feed(calls, self.intents)
        if self.kept is not None:
            self.kept.extend(calls.start, out)
        self.calls += len(calls)
        self.billed_minutes += int(out.billed_minutes.sum())
        refused = np.flatnonzero(~out.allowed)
        if len(refused):
            months = calls.start[refused].astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
            step = self.replay.increment_seconds
            wanted = np.ceil(np.ceil(calls.seconds[refused] / step) * step / 60).astype(np.int64)
            for row, month, minutes in zip(refused.tolist(), months.tolist(), wanted.tolist(), strict=True):
                entry = self.blocked[month][users[row]][out.block_reason(row) or ""]
                entry[0] += 1
                entry[1] += minutes
        return out

    # The report ------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """Per month: pools, credits, blocked calls per user and reason, recommendations."""
        replay = self.replay
        settings = replay.credits
        priced = replay.priced and settings is not None
        if settings is None:
            note = "the tenant has no [communications_credits]: credits counted in minutes only"
        elif not replay.priced:
            note = "no rate card (--rates): credits counted in minutes only"
        else:
            note = None
        months = sorted(
            {month for _, month in replay.pool_months}
            | set(replay.credit_months)
            | set(self.blocked)
        )
        spent_so_far = 0.0
        recharges_so_far = 0
        report: dict[str, Any] = {}
        for month in months:
            credit = replay.credit_months.get(month)
            spent_so_far += credit.spent if credit else 0.0
            recharges_so_far += credit.recharges if credit else 0
            balance = None
            if priced and settings is not None:
                balance = settings.balance - spent_so_far + (settings.recharge_amount or 0.0) * recharges_so_far
            pools = [self._pool_entry(pool, state) for (pool, code), state in sorted(replay.pool_months.items()) if code == month]
            blocked = {
                user: {reason: {"calls": calls, "minutes": minutes} for reason, (calls, minutes) in sorted(reasons.items())}
                for user, reasons in sorted(self.blocked.get(month, {}).items())
            }
            report[month_name(month)] = {
                "pools": pools,
                "credits": {
                    "minutes": credit.minutes if credit else 0,
                    "spent": round(credit.spent, 6) if credit and priced else None,
                    "recharges": credit.recharges if credit else 0,
                    "balance": round(balance, 6) if balance is not None else None,
                },
                "blocked": blocked,
                "recommendations": self._recommendations(pools, blocked),
            }
        return {
            "calls": self.calls,
            "billed_minutes": self.billed_minutes,
            "minute_rounding": f"per started {replay.increment_seconds} s",
            "credits_currency": settings.currency if settings and priced else None,
            "credits_note": note,
            "months": report,
        }

    def _pool_entry(self, pool: str, state: Any) -> dict[str, Any]:
        licences, domestic, international = self.replay.pools[pool]
        region, plan = pool.split("/", 1)
        return {
            "pool": pool,
            "country": region,
            "plan": plan,
            "licences": licences,
            "minutes_available": domestic,
            "international_minutes_available": international,
            "used": state.used_domestic,
            "international_used": state.used_international,
            "ran_out_at": timestamp(state.ran_out_at),
            "unmet_minutes": state.unmet_minutes,
        }

    def _recommendations(
        self, pools: list[dict[str, Any]], blocked: dict[str, dict[str, dict[str, int]]]
    ) -> list[dict[str, Any]]:
        advice: list[dict[str, Any]] = []
        for user, reasons in blocked.items():
            for reason, counts in reasons.items():
                fix = {
                    str(BlockReason.NO_INTERNATIONAL_ENTITLEMENT): "an International plan or Communications Credits would have carried these calls",
                    str(BlockReason.POOL_EXHAUSTED): "Communications Credits (or a bigger pool, below) would have carried these calls",
                    str(BlockReason.PAYG_UNFUNDED): "Communications Credits would have funded these Pay-As-You-Go calls",
                    str(BlockReason.CREDITS_EXHAUSTED): "a larger balance or auto-recharge would have carried these calls",
                }.get(reason)
                if fix:
                    advice.append({"user": user, "reason": reason, **counts, "advice": fix})
        for pool in pools:
            if not pool["unmet_minutes"]:
                continue
            country = self.billing.catalog.country(pool["country"])
            plan = country.plan(pool["plan"])
            licences = pool["licences"]
            if plan.kind is PlanKind.INTERNATIONAL:
                needed = pool["used"] + pool["international_used"] + pool["unmet_minutes"]
                per_user = plan.domestic_minutes
            else:
                needed = pool["used"] + pool["unmet_minutes"]
                per_user = plan.domestic_minutes
            options: list[dict[str, Any]] = []
            if per_user:
                total = max(licences, math.ceil(needed / per_user))
                options.append(
                    {"plan": plan.id, "licences": total, "extra_licences": total - licences, "minutes": total * per_user}
                )
            for bigger in country.plans:
                fits = bigger.domestic_minutes * licences >= needed
                if plan.kind is PlanKind.DOMESTIC and bigger.kind is PlanKind.DOMESTIC and bigger.domestic_minutes > per_user and fits:
                    options.append(
                        {"plan": bigger.id, "licences": licences, "extra_licences": 0, "minutes": bigger.domestic_minutes * licences}
                    )
                    break
            advice.append(
                {
                    "pool": pool["pool"],
                    "needed_minutes": needed,
                    "advice": "the pool ran out; these plan mixes would have covered the month",
                    "options": options,
                }
            )
        return advice


def outcome_columns(out: Outcomes, valid: np.ndarray | None = None) -> dict[str, pa.Array]:
    """The six columns `cdr` appends; rows that are not `valid` (errors) get nulls."""
    mask = None if valid is None else pa.array(~valid)
    charge = out.charge
    no_charge = np.isnan(charge) if valid is None else np.isnan(charge) | ~valid
    columns = {
        "billing_category": pa.array(out.category_names(), pa.string(), mask=mask),
        "allowed": pa.array(out.allowed, pa.bool_(), mask=mask),
        "block_reason": pa.array(out.reason_names(), pa.string(), mask=mask),
        "charged_to": pa.array(out.charged_to_names(), pa.string(), mask=mask),
        "billed_minutes": pa.array(out.billed_minutes, pa.int64(), mask=mask),
        "charge": pa.array(np.round(charge, 6), pa.float64(), mask=no_charge),
    }
    return columns


__all__ = ["NO_CHARGE", "ON_CREDITS", "CallLedger", "outcome_columns"]
