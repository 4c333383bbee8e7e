"""Behavioural diff: users grouped by effective plan vs every user run on their own.

A tenant of 300 users over 3 regions and 4 tenant plans (12 rules each), a
version with two rules edited, and 200 corpus dial strings plus the rules'
witness strings. The baseline normalizes every string for every user in both
versions and compares the results (no causes); `diff_tenants` runs each
distinct (region, plan) once and finds the cause of each change.
"""

from __future__ import annotations

import random

import pytest

from normalizer import DialPlan, NormalizationRule, Scope, Simulator, Tenant, User
from normalizer.quality.diff import Outcome, diff_tenants, witness_strings

random.seed(11)
REGIONS = ("FR", "GB", "US")


def plan(index: int, edited: bool = False) -> DialPlan:
    rules = [
        NormalizationRule(f"Site{index}-{i}-Ext", rf"^({i}\d{{3}})$", f"+331{index}{i:02d}$1", is_internal_extension=True)
        for i in range(1, 9)
    ]
    rules += [
        NormalizationRule("TollFree", r"^0?(80\d{7})\d*$" if not edited else r"^0?(80\d{7})$", "+33$1"),
        NormalizationRule("Service", r"^(1\d{1,2}|11[68]\d{3}|10\d{2}|3\d{3})$", "$1"),
        NormalizationRule("Mobile", r"^0([67]\d{8})$", "+33$1"),
        NormalizationRule("Operator", r"^(0)$", "+3319999000" + ("1" if edited else "0")),
    ]
    return DialPlan(f"Site{index}", Scope.TENANT_USER, tuple(rules))


USERS = tuple(User(f"user{n}@t.com", REGIONS[n % 3], f"Site{n % 4}") for n in range(300))
OLD = Tenant("T", tuple(plan(i) for i in range(4)), USERS)
NEW = Tenant("T", tuple(plan(i, edited=i == 0) for i in range(4)), USERS)
CORPUS = [
    random.choice(
        [
            f"{random.randint(1, 9)}{random.randint(0, 999):03d}",
            f"0{random.choice('1234567')}{random.randint(0, 99999999):08d}",
            f"0080{random.randint(0, 9999999):07d}{random.randint(0, 99)}",
            f"00{random.randint(1, 99)}{random.randint(0, 10**9):09d}",
            "0",
        ]
    )
    for _ in range(200)
]
STRINGS = list(dict.fromkeys([*CORPUS, *witness_strings(OLD, NEW)[0]]))


def per_user() -> int:
    old, new = Simulator(OLD), Simulator(NEW)
    changed = 0
    for user in USERS:
        for dialed in STRINGS:
            before = Outcome.of(old.normalize(dialed, user=user.upn))
            after = Outcome.of(new.normalize(dialed, user=user.upn))
            changed += before != after
    return changed


def grouped() -> int:
    report = diff_tenants(OLD, NEW, CORPUS)
    return len({(c.dialed_number, user) for c in report.changes for user in c.target.users})


def test_both_find_the_same_changes() -> None:
    assert per_user() == grouped() > 0


@pytest.mark.benchmark(group="diff-300-users")
def test_every_user_on_their_own(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info.update(role="baseline", items=len(USERS) * len(STRINGS))
    benchmark.pedantic(per_user, rounds=3, iterations=1)


@pytest.mark.benchmark(group="diff-300-users")
def test_diff_tenants(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info.update(role="candidate", items=len(USERS) * len(STRINGS))
    benchmark.pedantic(grouped, rounds=3, iterations=1)
