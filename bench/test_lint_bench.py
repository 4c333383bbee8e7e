"""Lint of a large tenant: 200 tenant dial plans of 25 rules each, users in five regions.

Candidate: `lint` (every check, shadowing and overlaps decided on automata in
one product walk per plan and region). Baseline: the textbook way to decide
shadowing alone with interegular's set operations (for each rule, the
difference with the union of the rules before it, tested for emptiness),
tenant rules only. Caches are cleared before each round, so both start cold.
"""

from __future__ import annotations

import random

import pytest
from interegular import parse_pattern

from normalizer import DialPlan, NormalizationRule, Scope, Tenant, User, lint
from normalizer.dotnet import language, shape
from normalizer.dotnet.matcher import compile_rules
from normalizer.quality.lint import sample_strings

PLANS = 200
RULES = 25
REGIONS = ("US", "GB", "FR", "DE", "AU")
# A site's numbers per region: E.164 prefixes four digits short of a full number.
SITE = {"US": "+1425555", "GB": "+44207946", "FR": "+3319999", "DE": "+4930901", "AU": "+6129000"}
CALLING = {"US": "1", "GB": "44", "FR": "33", "DE": "49", "AU": "61"}


def plan_rules(index: int, region: str, rng: random.Random) -> tuple[NormalizationRule, ...]:
    """A busy site's rules: extension ranges, short codes, trunk and international forms."""
    cc = CALLING[region]
    site = SITE[region]
    rules: list[NormalizationRule] = []
    for block in rng.sample(range(1, 10), 6):
        rules.append(NormalizationRule(f"Ext-{block}xxx", rf"^({block}\d{{3}})$", f"{site}$1", is_internal_extension=True))
    for code in rng.sample(range(10, 99), 5):
        rules.append(NormalizationRule(f"Site-{code}", rf"^8{code}(\d{{4}})$", f"{site}$1"))
    rules += [
        NormalizationRule("Operator", r"^0$", f"{site}0000"),
        NormalizationRule("Reception", r"^(9)$", f"{site}9000"),
        NormalizationRule("Intl-Plus", r"^\+(\d{8,15})$", "+$1"),
        NormalizationRule("Outside-Line", r"^9(\d{7,14})$", f"+{cc}$1"),
        NormalizationRule("TollFree", r"^0?(800\d{6,7})$", f"+{cc}$1"),
        NormalizationRule("Mobile", r"^0([67]\d{8,9})$", f"+{cc}$1"),
        NormalizationRule("Service", r"^(1\d{2,3}|11[68]\d{3})$", "$1"),
        NormalizationRule("Conf", rf"^(5{rng.randint(0, 9)}\d{{2}})$", f"{site}$1"),
        NormalizationRule("Voicemail", r"^\*(\d{4})$", f"{site}$1"),
        NormalizationRule("Intl", r"^00(\d{7,15})$", "+$1"),
        NormalizationRule("National", r"^0(\d{9,10})$", f"+{cc}$1"),
        NormalizationRule("Fax", rf"^7{rng.randint(0, 9)}(\d{{2}})$", f"{site}70$1"),
        NormalizationRule("Legacy", r"^(\d{5})$", f"{site[:-1]}$1"),
        NormalizationRule("Alt-Ext", r"^#(\d{3})$", f"{site}0$1"),
    ]
    return tuple(rules[:RULES])


def bench_tenant() -> Tenant:
    rng = random.Random(4)
    plans, users = [], []
    for index in range(PLANS):
        region = REGIONS[index % len(REGIONS)]
        identity = f"{region}-Site-{index:03d}"
        plans.append(DialPlan(identity, Scope.TENANT_USER, plan_rules(index, region, rng)))
        users.append(User(f"user{index}@contoso.com", region, identity))
    return Tenant("Bench", tuple(plans), tuple(users), max_rules=RULES)


TENANT = bench_tenant()


def clear_caches() -> None:
    language.language.cache_clear()
    language.regular_automaton.cache_clear()
    shape.pattern_shape.cache_clear()
    compile_rules.cache_clear()
    sample_strings.cache_clear()


def lint_tenant() -> int:
    return len(lint(TENANT))


def shadowed_by_set_operations() -> int:
    """For each rule: (its language - union of the earlier ones) is empty?"""
    shadowed = 0
    for plan in TENANT.dial_plans:
        earlier = None
        for rule in plan.rules:
            regular = shape.pattern_shape(rule.pattern).regular
            assert regular is not None
            fsm = parse_pattern(regular).to_fsm()
            if earlier is not None and (fsm - earlier).empty():
                shadowed += 1
            earlier = fsm if earlier is None else earlier | fsm
    return shadowed


def test_lint_finds_what_the_plans_hold() -> None:
    findings = lint(TENANT)
    codes = {finding.code for finding in findings}
    assert not any(finding.severity == "error" for finding in findings)
    # Legacy ^(\d{5})$ overlaps the site codes' range; TollFree has ^0?; Service has no '+'.
    assert {"partial-overlap", "optional-first-token", "no-plus"} <= codes


@pytest.mark.benchmark(group="lint-200-plans-x-25-rules")
def test_shadowing_by_set_operations(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info.update(role="baseline", items=PLANS * RULES)
    benchmark.pedantic(shadowed_by_set_operations, setup=clear_caches, rounds=1, iterations=1)


@pytest.mark.benchmark(group="lint-200-plans-x-25-rules")
def test_lint(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info.update(role="candidate", items=PLANS * RULES)
    benchmark.pedantic(lint_tenant, setup=clear_caches, rounds=3, iterations=1)
