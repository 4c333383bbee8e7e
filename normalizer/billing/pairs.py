"""What a normalization result means for billing, worked out once per distinct result.

The bulk job gives each distinct (plan, dial string) pair one result and each
row the id of its pair; billing facts that depend on the result alone (where
the call goes, whether it is an emergency, internal, premium or toll-free
call, its rate per minute) are computed here once per pair, with Arrow, and
gathered per row by pair id. A `PairFacts` remembers the results it has seen:
fed results that extend them (the job's results grow chunk by chunk), only
the new ones are worked out; other results start it over. Given one result
per row (pair id = row), it works per row.

>>> import pyarrow as pa
>>> facts = PairFacts({"": 0}, frozenset({"+33199990001"}))
>>> results = [pa.array(values) for values in (["+442071234567", "112", "+33199990001;ext=1"],
...     ["international", "emergency", "extension"], ["GB", None, "FR"], ["fixed_line", None, "fixed_line"])]
>>> facts.update(*results)
>>> facts.region.tolist(), facts.fixed.tolist()
([1, 0, 2], [-1, 0, 1])
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from normalizer.billing.catalog import CountryPlans
from normalizer.billing.outcome import NOT_A_NUMBER_TYPES, BillingCategory
from normalizer.billing.rates import RateCard
from normalizer.classify import CallType, e164_part

_CATEGORIES = list(BillingCategory)
_PREMIUM_TYPES = ("premium_rate", "shared_cost")
NO_REGION = "+"
"""The destination of a number billed abroad: no region, so domestic for no licence."""


def _distinct(pairs: np.ndarray, size: int) -> np.ndarray:
    """The distinct values of `pairs` (ids below `size`), in order, by marking rather than sorting."""
    marked = np.zeros(size, bool)
    marked[pairs] = True
    return np.flatnonzero(marked)


def _mask(values: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), bool)


class PairFacts:
    """Billing facts of every distinct result seen so far, by pair id."""

    def __init__(self, regions: dict[str, int], internal_numbers: frozenset[str]) -> None:
        self.regions = regions
        """Destination region -> index, shared with the ledger (0: the caller's own country)."""
        self.internal_numbers = internal_numbers
        self._forget()

    def _forget(self) -> None:
        self.results: tuple[pa.Array, ...] = ()
        self.region = np.zeros(0, np.int64)
        """Destination region index; 0 where the call is dialled at home (short codes, unknown)."""
        self.fixed = np.zeros(0, np.int8)
        """Category whatever the licence (emergency, internal, premium), or -1: domestic or
        international by region (toll-free at home)."""
        self.toll_free = np.zeros(0, bool)
        self.typed = np.zeros(0, bool)
        """Has a call type (a result without one is an error)."""
        self.rate = np.zeros(0, np.float64)
        """Rate per minute (NaN: no prefix of the rate card), where `rated`."""
        self.rated = np.zeros(0, bool)
        self.premium_ok: dict[str, np.ndarray] = {}
        """Country -> per pair, may this premium number be called there (-1: not asked yet)."""

    def __len__(self) -> int:
        return len(self.region)

    def update(
        self, final_number: pa.Array, call_type: pa.Array, destination_region: pa.Array, number_type: pa.Array
    ) -> None:
        """Take the results (one value per pair): only those after the ones already seen are new,
        unless the ones seen are not their beginning (another job's, or every row's): then all are."""
        results = (final_number, call_type, destination_region, number_type)
        known = len(self)
        if known and not (
            len(final_number) >= known
            and all(new.slice(0, known).equals(old) for new, old in zip(results, self.results, strict=True))
        ):
            self._forget()
            known = 0
        self.results = results
        if len(final_number) == known:
            return
        finals, kinds, places, types = (
            pc.fill_null(values.slice(known).cast(pa.string()), "") for values in results
        )
        # Destination regions: a few distinct values, each given an index kept for the whole replay.
        encoded = places.dictionary_encode()
        names = encoded.dictionary.to_pylist()
        ids = np.array([self.regions.setdefault(name, len(self.regions)) for name in names], np.int64)
        codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), np.int64)
        region = ids[codes] if len(ids) else np.zeros(len(codes), np.int64)
        region[_mask(pc.equal(kinds, str(CallType.SERVICE)))] = 0  # a short code is dialled at home
        # An E.164 number with no region or no valid type is billed abroad (`is_billed_abroad`).
        abroad = _mask(pc.starts_with(finals, "+")) & (
            _mask(pc.equal(places, "")) | _mask(pc.is_in(types, value_set=pa.array(NOT_A_NUMBER_TYPES, pa.string())))
        )
        region[abroad] = self.regions.setdefault(NO_REGION, len(self.regions))
        fixed = np.full(len(region), -1, np.int8)
        fixed[_mask(pc.is_in(types, value_set=pa.array(_PREMIUM_TYPES)))] = _CATEGORIES.index(BillingCategory.PREMIUM)
        if self.internal_numbers:
            # A tenant user's own number (e164_part: before any ';'), or a Direct Routing user's
            # number with its extension (`+14255551234;ext=1001`), as `CallBilling.category` reads it.
            plain = pc.struct_field(pc.extract_regex(finals, r"^(?P<n>[^;]*)"), "n")
            numbers = pa.array(sorted(self.internal_numbers), pa.string())
            internal = _mask(pc.is_in(plain, value_set=numbers)) | _mask(pc.is_in(finals, value_set=numbers))
            fixed[internal] = _CATEGORIES.index(BillingCategory.INTERNAL)
        fixed[_mask(pc.equal(kinds, str(CallType.EMERGENCY)))] = _CATEGORIES.index(BillingCategory.EMERGENCY)
        self.region = np.concatenate([self.region, region])
        self.fixed = np.concatenate([self.fixed, fixed])
        self.toll_free = np.concatenate([self.toll_free, _mask(pc.equal(types, "toll_free"))])
        self.typed = np.concatenate([self.typed, _mask(pc.is_valid(results[1].slice(known)))])
        self.rate = np.concatenate([self.rate, np.full(len(region), np.nan)])
        self.rated = np.concatenate([self.rated, np.zeros(len(region), bool)])

    def premium_allowed(self, country: CountryPlans, pairs: np.ndarray) -> np.ndarray:
        """Whether `country` lets each of `pairs` (premium numbers) be called, asked once per
        (country, pair)."""
        known = self.premium_ok.get(country.region)
        if known is None or len(known) < len(self):
            grown = np.full(len(self), -1, np.int8)
            if known is not None:
                grown[: len(known)] = known
            known = self.premium_ok[country.region] = grown
        asked = known.take(pairs)
        if (asked < 0).any():
            missing = _distinct(pairs.compress(asked < 0), len(self))
            numbers = self.results[0].take(pa.array(missing)).to_pylist()
            known[missing] = [country.allows_premium(e164_part(number or "")) for number in numbers]
            asked = known.take(pairs)
        allowed: np.ndarray = asked == 1
        return allowed

    def rates(self, pairs: np.ndarray, card: RateCard) -> np.ndarray:
        """The rate per minute of each of `pairs` (looked up in `card` once per pair)."""
        needed = ~self.rated.take(pairs)
        if needed.any():
            missing = _distinct(pairs.compress(needed), len(self))
            numbers = self.results[0].take(pa.array(missing))
            self.rate[missing] = card.rates_of_array(numbers)
            self.rated[missing] = True
        found: np.ndarray = self.rate.take(pairs)
        return found
