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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from normalizer.billing.catalog import CountryPlans, PlanKind
from normalizer.billing.outcome import (
    CREDITS,
    BillingCategory,
    BlockReason,
    CallBilling,
    Intent,
    Route,
)
from normalizer.billing.pairs import PairFacts
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
from normalizer.errors import DialplanInputError

if TYPE_CHECKING:
    from normalizer.engine import NormalizationResult
    from normalizer.models import User
    from normalizer.simulation import Simulator

_EMERGENCY, _INTERNAL, _DOMESTIC, _INTERNATIONAL, _PREMIUM, _TOLL_FREE, _INBOUND = (
    _CATEGORIES.index(category) for category in BillingCategory
)


_FIXES = {
    str(BlockReason.NO_INTERNATIONAL_ENTITLEMENT): "an International plan or Communications Credits would have carried these calls",
    str(BlockReason.POOL_EXHAUSTED): "Communications Credits (or a bigger pool, below) would have carried these calls",
    str(BlockReason.PAYG_UNFUNDED): "Communications Credits would have funded these Pay-As-You-Go calls",
    str(BlockReason.CREDITS_EXHAUSTED): "a larger balance or auto-recharge would have carried these calls",
}
"""The advice for a user's blocked calls, by reason."""


MAX_INCREMENT_SECONDS = 3600
"""The largest billing increment a replay takes (a started hour)."""


def month_name(code: int) -> str:
    """`datetime64[M]` integer -> `2024-03`."""
    return str(np.datetime64(code, "M"))


def timestamp(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    # numpy, not datetime: any second a replay holds has a name (datetime stops at years 1 and 9999).
    return f"{np.datetime64(seconds, 's')}Z"


@dataclass(slots=True)
class KeptCalls:
    """Every replayed call's start and fate, kept for the plots of `--report`."""

    start: np.ndarray
    charged_to: np.ndarray
    minutes: np.ndarray
    charge: np.ndarray
    international: np.ndarray
    """Billed `international`: in an International plan's pool, its international minutes."""

    def extend(self, start: np.ndarray, out: Outcomes) -> None:
        self.start = np.concatenate([self.start, start.astype(np.int64)])
        self.charged_to = np.concatenate([self.charged_to, out.charged_to])
        self.minutes = np.concatenate([self.minutes, out.billed_minutes])
        self.charge = np.concatenate([self.charge, out.charge])
        self.international = np.concatenate([self.international, out.category == _INTERNATIONAL])


class CallLedger:
    """One replay of a tenant's calls, fed in time-ordered chunks, and its report."""

    def __init__(
        self,
        simulator: Simulator,
        *,
        rates: RateCard | None = None,
        keep_calls: bool = False,
        prices: PriceList | None = None,
        increment_seconds: int | None = None,
    ) -> None:
        """`increment_seconds`: bill per started increment of this many seconds (default: the
        catalog's `increment_seconds`, `rules/calling_plans/zones.toml`)."""
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
        step = self.billing.catalog.billing.increment_seconds if increment_seconds is None else increment_seconds
        if not 1 <= step <= MAX_INCREMENT_SECONDS:
            raise DialplanInputError(
                f"minute rounding must be from 1 to {MAX_INCREMENT_SECONDS:,} seconds, not {step}", field="minute_rounding"
            )
        self.replay = Replay(
            self.billing.pools,
            increment_seconds=step,
            credits=credits,
            priced=rates is not None,
        )
        self.intents: list[Intent] = []
        self._user_profiles: dict[str, int] = {}
        self._profile_index: dict[tuple[str, str | None, bool], int] = {}
        self._profiles: list[tuple[User, CountryPlans | None]] = []
        self._void_id: int | None = None
        self._countries: list[CountryPlans] = []
        self._intent_of_code = np.zeros(0, np.int32)
        self._country_of_profile = np.zeros(0, np.int64)
        self._intent_payable = np.zeros(0, bool)
        self._regions: dict[str, int] = {"": 0}
        self._pairs = PairFacts(self._regions, self.billing.internal_numbers)
        """The bulk job's distinct results, kept from chunk to chunk."""
        self._home = np.zeros((0, 0), bool)
        self._home_filled = 0
        self._intent_ids: dict[tuple[object, ...], int] = {}
        self._upns: list[str] = [""]
        """Callers in lower case (0: the empty caller of rows in error), with their licence."""
        self._upn_ids: dict[str, int] = {"": 0}
        self._user_profile = np.zeros(1, np.int64)
        self._words = pa.array([], pa.string())
        """Callers as written, each with its index in `_upns` (`_word_upn`)."""
        self._word_upn = np.zeros(0, np.int64)
        self._refused: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        """Refused calls' month, caller, reason and wanted minutes, by chunk (`blocked` counts them)."""
        self._report: dict[str, Any] | None = None
        """The report as last worked out (None: calls were fed since)."""
        self.calls = 0
        self.bad_rows = 0
        """Rows left out of the replay because their start, duration or direction cannot be read (error rows)."""
        self.billed_minutes = 0
        self.kept: KeptCalls | None = None
        if keep_calls:
            empty = np.zeros(0, np.int64)
            self.kept = KeptCalls(empty, empty.astype(np.int32), empty, empty.astype(np.float64), empty.astype(bool))

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
        *,
        pairs: np.ndarray | None = None,
    ) -> Outcomes:
        """Replay classified calls (the `cdr` output columns); rows not `valid` (errors) are passed over.

        With `pairs` (each row's pair id, as the bulk job gives it), the four
        result arrays hold one value per pair, and what depends on the result
        alone is worked out once per pair across chunks (`PairFacts`);
        otherwise they hold one value per row. The billing category follows
        the same rules as `CallBilling.category`, per (licence, pair) with
        array operations; each (licence, category) gets its intent once.
        """
        count = len(start)
        facts = self._pairs if pairs is not None else PairFacts(self._regions, self.billing.internal_numbers)
        facts.update(final_number, call_type, destination_region, number_type)
        pair = np.asarray(pairs, np.int64) if pairs is not None else np.arange(count, dtype=np.int64)
        user_of = self._user_ids_of(users, valid)
        profile_of = self._user_profile.take(user_of)
        # Domestic (billing view) for each (licence, destination region); region 0: dialled at home.
        # Gathered with `take` and chosen by arithmetic: quicker than fancy indexing and `where`.
        home = self._home_matrix()
        at_home = home.ravel().take(profile_of * home.shape[1] + facts.region.take(pair))
        category = (_DOMESTIC - _INTERNATIONAL) * at_home.astype(np.int8) + np.int8(_INTERNATIONAL)
        category[np.flatnonzero(facts.toll_free.take(pair) & at_home)] = _TOLL_FREE  # abroad: international
        fixed = facts.fixed.take(pair)
        np.copyto(category, fixed, where=fixed >= 0)
        if inbound is not None:
            category[np.flatnonzero(inbound)] = _INBOUND
        # Premium numbers: allowed or not by the caller's country, once per (country, pair).
        premium_ok = np.zeros(count, bool)
        premium_rows = np.flatnonzero(category == _PREMIUM)
        if len(premium_rows) and self._profiles:
            country_of = self._profile_country().take(profile_of.take(premium_rows))
            for code in np.unique(country_of).tolist():
                if code >= 0:
                    rows = premium_rows.compress(country_of == code)
                    premium_ok[rows] = facts.premium_allowed(self._countries[code], pair.take(rows))
        # One intent per (licence, category, premium allowed); rows in error get the void one.
        combined = (profile_of * len(_CATEGORIES) + category) * 2 + premium_ok
        ids = self._intents_of(combined).take(combined)
        if valid is not None:
            ids[np.flatnonzero(~valid)] = self._void()
        rates = None
        if self.rates is not None:
            # Only calls that may be paid from credits need a rate; each pair is looked up once.
            rates = np.full(count, np.nan)
            rows = np.flatnonzero(self._payable().take(ids))
            if len(rows):
                rates[rows] = facts.rates(pair.take(rows), self.rates)
        calls = Calls(np.asarray(start, np.int64), np.asarray(seconds, np.float64), ids, rates)
        return self.feed(calls, user_of, valid)

    def _intents_of(self, combined: np.ndarray) -> np.ndarray:
        """The intent of each (licence, category, premium allowed) code, kept for the whole replay:
        each code present is given its intent once (the void one while no licence is known)."""
        if not self._profiles:
            return np.full(int(combined.max(initial=0)) + 1, self._void(), np.int32)
        known = self._intent_of_code
        size = int(combined.max(initial=0)) + 1
        if len(known) < size:
            known = self._intent_of_code = np.concatenate([known, np.full(size - len(known), -1, np.int32)])
        # The codes present, found by counting (the codes are small).
        for code in np.flatnonzero((np.bincount(combined, minlength=size) > 0) & (known[:size] < 0)).tolist():
            known[code] = self._intent_id(
                self._profiles[code // (2 * len(_CATEGORIES))][0],
                _CATEGORIES[code // 2 % len(_CATEGORIES)],
                bool(code % 2),
            )
        return known

    def _user_ids_of(self, users: pa.Array, valid: np.ndarray | None) -> np.ndarray:
        """Each row's caller as an index into `_upns` (upns compare without case), kept for the
        whole replay; a caller seen only on rows in error is not looked up (it may not exist).
        Dictionary-encoded callers are looked up once per distinct value."""
        if isinstance(users, pa.DictionaryArray):
            codes = np.asarray(users.indices.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
            seen = None
            if valid is not None:
                seen = np.zeros(len(users.dictionary), bool)
                seen[codes[valid & (codes >= 0)]] = True
            return np.append(self._user_ids_of(users.dictionary, seen), 0)[codes]
        users = users.cast(pa.string())
        found = np.asarray(
            pc.index_in(users, value_set=self._words).fill_null(-1).to_numpy(zero_copy_only=False), np.int64
        )
        unknown = found < 0
        if valid is not None:
            unknown &= valid
        if unknown.any():
            # Callers met for the first time (once each), then their rows found again.
            fresh = [word for word in pc.unique(users.filter(pa.array(unknown))).to_pylist() if word]
            if fresh:
                indices, profiles = [], []
                for word in fresh:
                    upn = word.lower()
                    index = self._upn_ids.get(upn)
                    if index is None:
                        index = self._upn_ids[upn] = len(self._upns)
                        self._upns.append(upn)
                        profiles.append(self._profile_id(upn))
                    indices.append(index)
                self._user_profile = np.concatenate([self._user_profile, np.array(profiles, np.int64)])
                self._word_upn = np.concatenate([self._word_upn, np.array(indices, np.int64)])
                self._words = pa.concat_arrays([self._words, pa.array(fresh, pa.string())])
                found = np.asarray(
                    pc.index_in(users, value_set=self._words).fill_null(-1).to_numpy(zero_copy_only=False),
                    np.int64,
                )
        # -1 (an empty caller, or one of rows in error only): the empty caller, 0.
        user_of: np.ndarray = np.append(self._word_upn, 0)[found]
        return user_of

    def _profile_country(self) -> np.ndarray:
        """Per licence, its country as an index into `_countries` (-1: none sells Calling Plans)."""
        known = self._country_of_profile
        if len(known) < len(self._profiles):
            codes = {country.region: code for code, country in enumerate(self._countries)}
            fresh = []
            for _, country in self._profiles[len(known):]:
                if country is not None and country.region not in codes:
                    codes[country.region] = len(self._countries)
                    self._countries.append(country)
                fresh.append(-1 if country is None else codes[country.region])
            self._country_of_profile = known = np.concatenate([known, np.array(fresh, np.int64)])
        return known

    def _payable(self) -> np.ndarray:
        """Per intent: may it be paid from credits (then it needs a rate)."""
        known = self._intent_payable
        if len(known) < len(self.intents):
            fresh = [i.route is Route.CREDITS or (i.route is Route.POOL and i.overflow_to_credits) for i in self.intents[len(known):]]
            self._intent_payable = known = np.concatenate([known, np.array(fresh, bool)])
        return known

    def _home_matrix(self) -> np.ndarray:
        """Domestic or not for each (licence, region) met so far; grown, never rebuilt."""
        rows, columns = max(len(self._profiles), 1), len(self._regions)
        known = self._home
        # Rows are counted by the licences they were computed for: while no licence is known
        # (a first chunk of error rows) the one row is a placeholder, filled when one comes.
        filled = self._home_filled
        if filled == len(self._profiles) and known.shape == (rows, columns):
            return known
        home = np.zeros((rows, columns), bool)
        home[: known.shape[0], : known.shape[1]] = known
        names = list(self._regions)
        for row, (person, country) in enumerate(self._profiles):
            domestic = country.domestic_regions if country else frozenset({person.usage_location})
            start = known.shape[1] if row < filled else 0
            home[row, 0] = True
            for column in range(max(start, 1), columns):
                home[row, column] = names[column] in domestic
        self._home = home
        self._home_filled = len(self._profiles)
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

    def feed(self, calls: Calls, user_of: np.ndarray, valid: np.ndarray | None = None) -> Outcomes:
        """Replay one chunk (`user_of`: each call's caller, an index into `_upns`) and count
        its blocked calls per month, user and reason."""
        self._report = None
        out = self.replay.feed(calls, self.intents)
        if self.kept is not None:
            self.kept.extend(calls.start, out)
        self.calls += len(calls) if valid is None else int(np.count_nonzero(valid))
        self.billed_minutes += int(out.billed_minutes.sum())
        refused = np.flatnonzero(~out.allowed)
        if len(refused):
            step = self.replay.increment_seconds
            wanted = np.ceil(np.ceil(calls.seconds.take(refused) / step) * step / 60).astype(np.int64)
            # Kept as arrays; counted per (month, user, reason) when the report is asked for.
            self._refused.append(
                (
                    months_of(calls.start.take(refused)),
                    user_of.take(refused),
                    out.reason.take(refused).astype(np.int64),
                    wanted,
                )
            )
        return out

    @property
    def blocked(self) -> dict[int, dict[str, dict[str, dict[str, int]]]]:
        """Blocked calls and minutes per month, user and reason, users and reasons in name order.

        Counted from every refused call so far at once, in the order the report lists
        them, so each (month, user, reason) is visited once (folding them into nested
        counters and sorting those cost 0.05 s of a 1 M-row job's report)."""
        if not self._refused:
            return {}
        if len(self._refused) > 1:  # concatenated once, kept whole: a later report counts them again
            months, users, reasons, minutes = (np.concatenate(part) for part in zip(*self._refused, strict=True))
            self._refused[:] = [(months, users, reasons, minutes)]
        months, users, reasons, minutes = self._refused[0]
        names = self._upns
        reason_names = [str(reason) for reason in _REASONS]
        # Users and reasons numbered in name order: the groups then come sorted as the report lists them.
        user_order = sorted(range(len(names)), key=names.__getitem__)
        user_rank = np.empty(len(names), np.int64)
        user_rank[user_order] = np.arange(len(names))
        reason_order = sorted(range(len(reason_names)), key=reason_names.__getitem__)
        reason_rank = np.empty(len(reason_names), np.int64)
        reason_rank[reason_order] = np.arange(len(reason_names))
        width = len(reason_names)
        first = int(months.min())
        key = ((months - first) * len(names) + user_rank[users]) * width + reason_rank[reasons]
        if int(key.max()) < 1 << 20:
            # Few months, users and reasons: counted in place, no sort.
            counts = np.bincount(key)
            groups = np.flatnonzero(counts)
            counts = counts[groups]
            totals = np.bincount(key, weights=minutes)[groups]
        else:
            groups, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
            totals = np.bincount(inverse.reshape(-1), weights=minutes, minlength=len(groups))
        group_month, rest = np.divmod(groups, len(names) * width)
        group_month += first
        group_user, group_reason = np.divmod(rest, width)
        blocked: dict[int, dict[str, dict[str, dict[str, int]]]] = {}
        by_user: dict[str, dict[str, dict[str, int]]] = {}
        by_reason: dict[str, dict[str, int]] = {}
        at_month = at_user = -1
        for month, user, reason, calls_in, minutes_in in zip(
            group_month.tolist(), group_user.tolist(), group_reason.tolist(), counts.tolist(),
            totals.astype(np.int64).tolist(), strict=True,
        ):
            if month != at_month:
                at_month, at_user, by_user = month, -1, blocked.setdefault(month, {})
            if user != at_user:
                at_user, by_reason = user, by_user.setdefault(names[user_order[user]], {})
            by_reason[reason_names[reason_order[reason]]] = {"calls": calls_in, "minutes": minutes_in}
        return blocked

    # The report ------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """Per month: pools, credits, blocked calls per user and reason, recommendations
        (worked out once until more calls are fed: the caller may ask for it early)."""
        if self._report is None:
            self._report = self._summary()
        return self._report

    def _summary(self) -> dict[str, Any]:
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
        blocked_by_month = self.blocked
        months = sorted(
            {month for _, month in replay.pool_months}
            | set(replay.credit_months)
            | set(blocked_by_month)
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
            blocked = blocked_by_month.get(month, {})
            report[month_name(month)] = {
                "pools": pools,
                "credits": {
                    "minutes": credit.minutes if credit else 0,
                    # Priced: money, 0 in a month without credit calls (null only when not priced, as balance).
                    "spent": (round(credit.spent, 6) if credit else 0.0) if priced else None,
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
                fix = _FIXES.get(reason)
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
            binding = "domestic"
            if per_user:
                total = max(licences, math.ceil(needed / per_user))
                if plan.kind is PlanKind.INTERNATIONAL and plan.international_minutes:
                    # Each kind has its own cap: enough licences for both needs.
                    abroad = pool["international_used"] + unmet_abroad
                    if math.ceil(abroad / plan.international_minutes) > total:
                        total, binding = math.ceil(abroad / plan.international_minutes), "international"
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
                    "binding": binding,
                    "advice": "the pool ran out; these plan mixes would have covered the month",
                    "options": options,
                }
            )
        return advice


def _names(codes: np.ndarray, names: list[str | None], invalid: np.ndarray | None, encoded: bool) -> pa.Array:
    """Text from small integer codes (-1, -2: from the end of `names`; rows `invalid`: null), built
    without Python per row (`encoded`: as a dictionary array, decoded later)."""
    table = pa.array([*names, None], pa.string())
    positions = codes.astype(np.int32)
    positions += len(names) * (positions < 0)
    if invalid is not None:
        positions[invalid] = len(names)
    indices = pa.array(positions)
    return pa.DictionaryArray.from_arrays(indices, table) if encoded else table.take(indices)


def outcome_columns(out: Outcomes, valid: np.ndarray | None = None, *, encoded: bool = False) -> dict[str, pa.Array]:
    """The six columns `cdr` appends; rows that are not `valid` (errors) get nulls.

    With `encoded`, the three text columns are dictionary arrays (`normalizer.bulk.store.decoded`
    makes them text, as the `cdr` job's writer does)."""
    mask = None if valid is None else ~valid
    invalid = None if mask is None else np.flatnonzero(mask)
    charge = out.charge
    no_charge = np.isnan(charge) if mask is None else np.isnan(charge) | mask
    categories: list[str | None] = [str(category) for category in _CATEGORIES]
    reasons: list[str | None] = [*(str(reason) for reason in _REASONS), None]
    charged: list[str | None] = [*out.pools, CREDITS, None]  # -2: credits, -1: nothing
    return {
        "billing_category": _names(out.category, categories, invalid, encoded),
        "allowed": pa.array(out.allowed, pa.bool_(), mask=mask),
        "block_reason": _names(out.reason, reasons, invalid, encoded),
        "charged_to": _names(out.charged_to, charged, invalid, encoded),
        "billed_minutes": pa.array(out.billed_minutes, pa.int64(), mask=mask),
        "charge": pa.array(np.round(charge, 6), pa.float64(), mask=no_charge),
    }


__all__ = ["NO_CHARGE", "ON_CREDITS", "CallLedger", "outcome_columns"]
