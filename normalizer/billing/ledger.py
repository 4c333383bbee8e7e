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

from normalizer.billing.catalog import CountryPlans, PlanKind
from normalizer.billing.outcome import (
    CREDITS,
    NOT_A_NUMBER_TYPES,
    BillingCategory,
    BlockReason,
    CallBilling,
    Intent,
    Route,
)
from normalizer.billing.rates import PriceList, RateCard
from normalizer.billing.replay import (
    _CATEGORIES,
    _REASONS,
    NO_CHARGE,
    ON_CREDITS,
    Calls,
    Outcomes,
    Replay,
    months_of,
)
from normalizer.classify import CallType, e164_part
from normalizer.errors import DialplanInputError

if TYPE_CHECKING:
    from normalizer.engine import NormalizationResult
    from normalizer.models import User
    from normalizer.simulation import Simulator

_EMERGENCY, _INTERNAL, _DOMESTIC, _INTERNATIONAL, _PREMIUM, _TOLL_FREE, _INBOUND = (
    _CATEGORIES.index(category) for category in BillingCategory
)
_PREMIUM_TYPES = ("premium_rate", "shared_cost")
_NO_REGION = "+"
"""The destination of a number billed abroad: no region, so domestic for no licence."""


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
        self,
        simulator: Simulator,
        *,
        rates: RateCard | None = None,
        keep_calls: bool = False,
        prices: PriceList | None = None,
    ) -> None:
        self.simulator = simulator
        self.billing: CallBilling = simulator.billing
        self.rates = rates
        self.prices = prices
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
        self._user_profiles: dict[str, int] = {}
        self._profile_index: dict[tuple[str, str | None, bool], int] = {}
        self._profiles: list[tuple[User, CountryPlans | None]] = []
        self._void_id: int | None = None
        self._rates: dict[str, float] = {}
        """Rate per minute of each final number met so far (NaN: no prefix)."""
        self._regions: dict[str, int] = {"": 0}
        self._home = np.zeros((0, 0), bool)
        self._intent_ids: dict[tuple[object, ...], int] = {}
        self._user_ids: dict[str, int] = {}
        self._refused: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._blocked: dict[int, dict[str, dict[str, list[int]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(lambda: [0, 0]))
        )
        """month -> user -> reason -> [calls, minutes]."""
        self.calls = 0
        self.bad_rows = 0
        """Rows left out of the replay because their start or duration cannot be read (error rows)."""
        self.billed_minutes = 0
        self.kept: KeptCalls | None = None
        if keep_calls:
            empty = np.zeros(0, np.int64)
            self.kept = KeptCalls(empty, empty.astype(np.int32), empty, empty.astype(np.float64))

    # Feeding ---------------------------------------------------------------------

    def _intent_id(self, user: User, category: BillingCategory, premium_ok: bool) -> int:
        key = (*self.billing.profile(user), category, premium_ok)
        found = self._intent_ids.get(key)
        if found is None:
            found = self._intent_ids[key] = len(self.intents)
            self.intents.append(self.billing.intent_for(user, category, "", premium_ok=premium_ok))
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
        valid: np.ndarray | None = None,
    ) -> Outcomes:
        """Replay classified calls (the `cdr` output columns); rows not `valid` (errors) are passed over.

        The billing category is worked out with array operations (the same rules
        as `CallBilling.category`): per row from the call type, number type and
        final number, and per (licence, destination region) for domestic or
        international; each (licence, category) gets its intent once.
        """
        count = len(start)
        if valid is not None and not valid.all():
            users = pc.if_else(pa.array(valid), users.cast(pa.string()), pa.scalar("", pa.string()))
        # Distinct callers first, then their names in lower case (upns compare without case).
        user_codes = users.cast(pa.string()).dictionary_encode()
        written = user_codes.dictionary.to_pylist()
        lowered = [upn.lower() for upn in written]
        upns = list(dict.fromkeys(lowered))
        position = {upn: index for index, upn in enumerate(upns)}
        user_of = np.array([position[upn] for upn in lowered], np.int64)[
            np.asarray(user_codes.indices.to_numpy(zero_copy_only=False), np.int64)
        ]
        profile_of = np.array([self._profile_id(upn) if upn else 0 for upn in upns], np.int64)[user_of]
        kinds = pc.fill_null(call_type.cast(pa.string()), "")
        types = pc.fill_null(number_type.cast(pa.string()), "")
        finals = pc.fill_null(final_number.cast(pa.string()), "")

        def mask(values: pa.Array) -> np.ndarray:
            return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), bool)

        # Destination regions: a few distinct values, each given an index kept for the whole replay.
        named = pc.fill_null(destination_region.cast(pa.string()), "")
        regions = named.dictionary_encode()
        region_ids = np.array([self._regions.setdefault(r, len(self._regions)) for r in regions.dictionary.to_pylist()], np.int64)
        where = region_ids[np.asarray(regions.indices.to_numpy(zero_copy_only=False), np.int64)] if len(region_ids) else np.zeros(count, np.int64)
        where[mask(pc.equal(kinds, str(CallType.SERVICE)))] = 0  # a short code is dialled at home
        # An E.164 number with no region or no valid type is billed abroad (`is_billed_abroad`).
        abroad = mask(pc.starts_with(finals, "+")) & (
            mask(pc.equal(named, "")) | mask(pc.is_in(types, value_set=pa.array(NOT_A_NUMBER_TYPES, pa.string())))
        )
        where[abroad] = self._regions.setdefault(_NO_REGION, len(self._regions))
        # Domestic (billing view) for each (licence, destination region); region 0: dialled at home.
        home = self._home_matrix()
        category = np.where(home[profile_of, where], _DOMESTIC, _INTERNATIONAL).astype(np.int8)
        internal = np.zeros(count, bool)
        if self.billing.internal_numbers:  # a tenant user's own number (e164_part: before any ';')
            plain = pc.struct_field(pc.extract_regex(finals, r"^(?P<n>[^;]*)"), "n")
            numbers = pa.array(sorted(self.billing.internal_numbers), pa.string())
            internal = mask(pc.is_in(plain, value_set=numbers))
        category[mask(pc.equal(types, "toll_free")) & (category == _DOMESTIC)] = _TOLL_FREE  # abroad: international
        is_premium = mask(pc.is_in(types, value_set=pa.array(_PREMIUM_TYPES)))
        category[is_premium] = _PREMIUM
        category[internal] = _INTERNAL  # a tenant user's number, not any extension-rule match
        category[mask(pc.equal(kinds, str(CallType.EMERGENCY)))] = _EMERGENCY
        if inbound is not None:
            category[np.asarray(inbound, bool)] = _INBOUND
        # Premium numbers: allowed or not by the caller's country (few rows).
        premium_ok = np.zeros(count, bool)
        premium_rows = np.flatnonzero(category == _PREMIUM)
        if len(premium_rows):
            numbers = finals.take(pa.array(premium_rows)).to_pylist()
            for row, number in zip(premium_rows.tolist(), numbers, strict=True):
                country = self._profiles[profile_of[row]][1] if self._profiles else None
                premium_ok[row] = bool(country and country.allows_premium(e164_part(number)))
        # One intent per (licence, category, premium allowed); rows in error get the void one.
        combined = (profile_of * len(_CATEGORIES) + category) * 2 + premium_ok
        # The combinations present, found by counting (the codes are small), each given its intent.
        present = np.flatnonzero(np.bincount(combined)) if count else np.zeros(0, np.int64)
        table = np.zeros(int(present.max()) + 1 if len(present) else 1, np.int32)
        for code in present.tolist():
            table[code] = (
                self._intent_id(self._profiles[code // (2 * len(_CATEGORIES))][0], _CATEGORIES[code // 2 % len(_CATEGORIES)], bool(code % 2))
                if self._profiles
                else self._void()
            )
        ids = table[combined]
        if valid is not None:
            ids[~valid] = self._void()
        rates = None
        if self.rates is not None:
            # Only calls that may be paid from credits need a rate; each distinct number is looked up once.
            payable = np.array(
                [i.route is Route.CREDITS or (i.route is Route.POOL and i.overflow_to_credits) for i in self.intents],
                bool,
            )[ids]
            rates = np.full(count, np.nan)
            rows = np.flatnonzero(payable)
            if len(rows):
                numbers_codes = finals.take(pa.array(rows)).dictionary_encode()
                distinct_numbers = numbers_codes.dictionary.to_pylist()
                known = self._rates
                new = [number for number in distinct_numbers if number not in known]
                if new:  # numbers met for the first time, looked up together
                    known.update(zip(new, self.rates.rates_of_array(pa.array(new, pa.string())).tolist(), strict=True))
                distinct_rates = np.array([known[number] for number in distinct_numbers], np.float64)
                rates[rows] = distinct_rates[np.asarray(numbers_codes.indices.to_numpy(zero_copy_only=False), np.int64)]
        calls = Calls(np.asarray(start, np.int64), np.asarray(seconds, np.float64), ids, rates)
        return self.feed(calls, upns, user_of, valid)

    def _home_matrix(self) -> np.ndarray:
        """Domestic or not for each (licence, region) met so far; grown, never rebuilt."""
        rows, columns = max(len(self._profiles), 1), len(self._regions)
        known = self._home
        if known.shape == (rows, columns):
            return known
        home = np.zeros((rows, columns), bool)
        home[: known.shape[0], : known.shape[1]] = known
        names = list(self._regions)
        for row, (person, country) in enumerate(self._profiles):
            domestic = country.domestic_regions if country else frozenset({person.usage_location})
            start = known.shape[1] if row < known.shape[0] else 0
            home[row, 0] = True
            for column in range(max(start, 1), columns):
                home[row, column] = names[column] in domestic
        self._home = home
        return home

    def _void(self) -> int:
        """The intent of a row in error: nothing to replay."""
        if self._void_id is None:
            self._void_id = len(self.intents)
            self.intents.append(Intent(BillingCategory.INTERNAL, Route.FREE))
        return self._void_id

    def _profile_id(self, upn: str) -> int:
        """The licence (location, plan, credits) of a user, as an index kept for the whole replay."""
        found = self._user_profiles.get(upn)
        if found is None:
            person = self.billing.user(upn)
            profile = self.billing.profile(person)
            found = self._profile_index.get(profile)
            if found is None:
                found = self._profile_index[profile] = len(self._profiles)
                self._profiles.append((person, self.billing.country_of(person)))
            self._user_profiles[upn] = found
        return found

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

    def feed(
        self, calls: Calls, users: list[str], user_of: np.ndarray, valid: np.ndarray | None = None
    ) -> Outcomes:
        """Replay one chunk and count its blocked calls per month, user and reason."""
        out = self.replay.feed(calls, self.intents)
        if self.kept is not None:
            self.kept.extend(calls.start, out)
        self.calls += len(calls) if valid is None else int(valid.sum())
        self.billed_minutes += int(out.billed_minutes.sum())
        refused = np.flatnonzero(~out.allowed)
        if len(refused):
            step = self.replay.increment_seconds
            wanted = np.ceil(np.ceil(calls.seconds[refused] / step) * step / 60).astype(np.int64)
            ids = np.array([self._user_ids.setdefault(upn, len(self._user_ids)) for upn in users], np.int64)
            # Kept as arrays; counted per (month, user, reason) when the report is asked for.
            self._refused.append(
                (months_of(calls.start[refused]), ids[user_of[refused]], out.reason[refused].astype(np.int64), wanted)
            )
        return out

    @property
    def blocked(self) -> dict[int, dict[str, dict[str, list[int]]]]:
        """Blocked calls and minutes per month, user and reason."""
        if self._refused:
            months, users, reasons, minutes = (np.concatenate(part) for part in zip(*self._refused, strict=True))
            self._refused.clear()
            names = list(self._user_ids)
            width = len(_REASONS)
            key = (months * len(names) + users) * width + reasons
            groups, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
            totals = np.bincount(inverse.reshape(-1), weights=minutes, minlength=len(groups))
            for group, calls_in, minutes_in in zip(groups.tolist(), counts.tolist(), totals.tolist(), strict=True):
                month, rest = divmod(group, len(names) * width)
                user, reason = divmod(rest, width)
                entry = self._blocked[month][names[user]][str(_REASONS[reason])]
                entry[0] += calls_in
                entry[1] += int(minutes_in)
        return self._blocked

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
            unrated = [state for state in replay.credit_months.values() if state.unrated_calls]
            if unrated:
                calls = sum(state.unrated_calls for state in unrated)
                minutes = sum(state.unrated_minutes for state in unrated)
                note = (
                    f"{calls:,} calls ({minutes:,} min) on credits to destinations missing from the rate card: "
                    "not charged (no charge given) and left out of the balance"
                )
        months = sorted(
            {month for _, month in replay.pool_months}
            | set(replay.credit_months)
            | set(self.blocked)
        )
        spent_so_far = 0.0
        # A starting balance below the trigger is recharged at once: counted in the first month.
        recharges_so_far = 0
        first_recharges = replay.start_recharges() if priced else 0
        report: dict[str, Any] = {}
        for month in months:
            credit = replay.credit_months.get(month)
            fired = (credit.recharges if credit else 0) + (first_recharges if month == months[0] else 0)
            spent_so_far += credit.spent if credit else 0.0
            recharges_so_far += fired
            balance = None
            if priced and settings is not None:
                balance = settings.balance - spent_so_far + (settings.recharge_amount or 0.0) * recharges_so_far
            pools = [self._pool_entry(pool, code, state) for (pool, code), state in sorted(replay.pool_months.items()) if code == month]
            blocked = {
                user: {reason: {"calls": calls, "minutes": minutes} for reason, (calls, minutes) in sorted(reasons.items())}
                for user, reasons in sorted(self.blocked.get(month, {}).items())
            }
            report[month_name(month)] = {
                "pools": pools,
                "credits": {
                    "minutes": credit.minutes if credit else 0,
                    "spent": round(credit.spent, 6) if credit and priced else None,
                    "recharges": fired,
                    "balance": round(balance, 6) if balance is not None else None,
                    "unrated": {"calls": credit.unrated_calls if credit else 0, "minutes": credit.unrated_minutes if credit else 0},
                },
                "blocked": blocked,
                "recommendations": self._recommendations(pools, blocked),
            }
        return {
            "calls": self.calls,
            "rows_in_error": self.bad_rows,
            "billed_minutes": self.billed_minutes,
            "minute_rounding": f"per started {replay.increment_seconds} s",
            "credits_currency": settings.currency if settings and priced else None,
            "credits_note": note,
            "months": report,
        }

    def _pool_entry(self, pool: str, month: int, state: Any) -> dict[str, Any]:
        licences, domestic, international = self.replay.pools[pool]
        region, plan = pool.split("/", 1)
        capabilities = self.billing.catalog.billing.capabilities or {}
        remaining = max(domestic - state.used_domestic, 0)
        international_remaining = max(international - state.used_international, 0)
        return {
            "pool": pool,
            "country": region,
            "plan": plan,
            "capability": capabilities.get(plan),
            "licences": licences,
            # The PSTN minute pools report's columns: "Total minutes is the total number of minutes
            # available for the month", "Minutes used", "Minutes available is the number of minutes
            # remaining for the month". `used` and `*_remaining` are kept for readers of older summaries.
            "total_minutes": domestic,
            "minutes_used": state.used_domestic,
            "minutes_available": remaining,
            "international_total_minutes": international,
            "international_minutes_used": state.used_international,
            "international_minutes_available": international_remaining,
            "used": state.used_domestic,
            "international_used": state.used_international,
            "minutes_remaining": remaining,
            "international_minutes_remaining": international_remaining,
            "ran_out_at": timestamp(self.replay.ran_out_at((pool, month))),
            "unmet_minutes": state.unmet_minutes,
            "unmet_international_minutes": state.unmet_international,
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
            unmet_abroad = pool["unmet_international_minutes"]
            needed = pool["used"] + pool["unmet_minutes"] - unmet_abroad  # domestic minutes
            per_user = plan.domestic_minutes
            options: list[dict[str, Any]] = []
            if per_user:
                total = max(licences, math.ceil(needed / per_user))
                if plan.kind is PlanKind.INTERNATIONAL and plan.international_minutes:
                    # Each kind has its own cap: enough licences for both needs.
                    abroad = pool["international_used"] + unmet_abroad
                    total = max(total, math.ceil(abroad / plan.international_minutes))
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
            if self.prices is not None:
                current = self.prices.price(pool["country"], plan.id)
                for option in options:
                    price = self.prices.price(pool["country"], option["plan"])
                    option["monthly_cost"] = round(option["licences"] * price, 2) if price is not None else None
                    option["extra_cost"] = (
                        round(option["licences"] * price - licences * current, 2)
                        if price is not None and current is not None
                        else None
                    )
                    option["currency"] = self.prices.currency
            advice.append(
                {
                    "pool": pool["pool"],
                    "needed_minutes": needed,
                    "needed_international_minutes": pool["international_used"] + pool["unmet_international_minutes"],
                    "advice": "the pool ran out; these plan mixes would have covered the month",
                    "options": options,
                }
            )
        return advice


def _names(codes: np.ndarray, names: list[str | None], mask: np.ndarray | None) -> pa.Array:
    """Text from small integer codes (-1, -2: from the end of `names`), built without Python per row."""
    table = pa.array(names, pa.string())
    positions = np.where(codes < 0, codes + len(names), codes).astype(np.int32)
    return table.take(pa.array(positions, mask=mask))


def outcome_columns(out: Outcomes, valid: np.ndarray | None = None) -> dict[str, pa.Array]:
    """The six columns `cdr` appends; rows that are not `valid` (errors) get nulls."""
    mask = None if valid is None else ~valid
    charge = out.charge
    no_charge = np.isnan(charge) if valid is None else np.isnan(charge) | ~valid
    categories: list[str | None] = [str(category) for category in _CATEGORIES]
    reasons: list[str | None] = [*(str(reason) for reason in _REASONS), None]
    charged: list[str | None] = [*out.pools, CREDITS, None]  # -2: credits, -1: nothing
    return {
        "billing_category": _names(out.category, categories, mask),
        "allowed": pa.array(out.allowed, pa.bool_(), mask=mask),
        "block_reason": _names(out.reason, reasons, mask),
        "charged_to": _names(out.charged_to, charged, mask),
        "billed_minutes": pa.array(out.billed_minutes, pa.int64(), mask=mask),
        "charge": pa.array(np.round(charge, 6), pa.float64(), mask=no_charge),
    }


__all__ = ["NO_CHARGE", "ON_CREDITS", "CallLedger", "outcome_columns"]
