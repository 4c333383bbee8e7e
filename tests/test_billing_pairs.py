"""`PairFacts`: billing facts of distinct results, worked out once each, kept while the results grow."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from normalizer.billing.pairs import NO_REGION, PairFacts
from normalizer.billing.rates import RateCard

RESULTS = {
    # final number, call type, destination region, number type
    "gb": ("+442071234567", "international", "GB", "fixed_line"),
    "sos": ("112", "emergency", None, None),
    "own": ("+33199990001;ext=1", "extension", "FR", "fixed_line"),
    "premium": ("+33899123456", "domestic", "FR", "premium_rate"),
    "free": ("+33800123456", "domestic", "FR", "toll_free"),
    "short": ("3949", "service", "FR", None),
    "typo": ("+3312", "unknown", "FR", "unknown"),
    "error": (None, None, None, None),
}


def columns(*names: str) -> list[pa.Array]:
    rows = [RESULTS[name] for name in names]
    return [pa.array([row[i] for row in rows], pa.string()) for i in range(4)]


def test_each_result_gets_its_facts() -> None:
    regions = {"": 0}
    facts = PairFacts(regions, frozenset({"+33199990001"}))
    facts.update(*columns("gb", "sos", "own", "premium", "free", "short", "typo", "error"))
    named = {index: name for name, index in regions.items()}
    assert [named[index] for index in facts.region.tolist()] == ["GB", "", "FR", "FR", "FR", "", NO_REGION, ""]
    # emergency 0, internal 1, premium 4 (BillingCategory's order); -1: by region
    assert facts.fixed.tolist() == [-1, 0, 1, 4, -1, -1, -1, -1]
    assert facts.toll_free.tolist() == [False, False, False, False, True, False, False, False]
    assert facts.typed.tolist() == [True, True, True, True, True, True, True, False]


def test_results_that_grow_are_worked_out_once_and_others_start_over() -> None:
    facts = PairFacts({"": 0}, frozenset())
    card = RateCard({"+44": 0.02, "+33": 0.05}, "USD")
    facts.update(*columns("error", "gb"))
    assert facts.rates(np.array([1, 1]), card).tolist() == [0.02, 0.02]
    facts.update(*columns("error", "gb", "premium"))  # the job's results grew: the first two are kept
    assert len(facts) == 3 and facts.rated.tolist() == [False, True, False]
    assert facts.rates(np.array([2, 1]), card).tolist() == [0.05, 0.02]
    facts.update(*columns("error", "premium", "gb"))  # not an extension: every result again
    assert facts.rated.tolist() == [False, False, False]
    assert facts.fixed.tolist() == [-1, 4, -1]
    assert facts.rates(np.array([1, 2]), card).tolist() == [0.05, 0.02]


def test_a_direct_routing_number_with_its_extension_is_internal() -> None:
    # As `CallBilling.category` reads it: the whole number, or the number before ';'.
    facts = PairFacts({"": 0}, frozenset({"+14255551234;ext=1001", "+33199990001"}))
    rows = [("+14255551234;ext=1001", "extension", "US", "fixed_line"), ("+14255551234;ext=1002", "domestic", "US", "fixed_line"),
            ("+33199990001;ext=7", "extension", "FR", "fixed_line")]
    facts.update(*(pa.array([row[i] for row in rows], pa.string()) for i in range(4)))
    assert facts.fixed.tolist() == [1, -1, 1]


def test_rates_per_pair_are_the_rate_cards_own_reading_extensions_included() -> None:
    card = RateCard({"+1": 0.01, "+33": 0.05, "+336": 0.06, "+44": 0.02}, "USD")
    numbers = ["+33612345678", "+3312;ext=4", None, "+14255551234;ext=1001", "+999", "", ";ext=1", "+336;ext=9"]
    facts = PairFacts({"": 0}, frozenset())
    others = (["domestic"] * len(numbers), ["FR"] * len(numbers), ["fixed_line"] * len(numbers))
    facts.update(*(pa.array(values, pa.string()) for values in (numbers, *others)))
    found = facts.rates(np.arange(len(numbers)), card)
    expected = [card.rate(number or "") for number in numbers]
    assert [None if np.isnan(rate) else rate for rate in found.tolist()] == expected
