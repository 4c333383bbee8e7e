"""Compiled effective plan vs the plain loop (per-rule `re.search` + `Match.expand`).

A 35-rule plan (25 tenant rules + the service rules of a region, as a busy
tenant has) against distinct dial strings of every kind. Target: >= 5x.
"""

from __future__ import annotations

import random
import re

import pytest

from normalizer import NormalizationRule, Simulator, Tenant
from normalizer.dotnet.matcher import compile_rules

random.seed(7)


def plan_rules() -> tuple[NormalizationRule, ...]:
    rules = [
        NormalizationRule(f"Site{i}-Ext", rf"^({i + 1}\d{{3}})$", f"+3314{i:02d}$1", is_internal_extension=True)
        for i in range(8)
    ]
    rules += [NormalizationRule(f"Short{i}", rf"^(9{i}\d{{2}})$", f"+44207946{i}$1") for i in range(8)]
    rules += [
        NormalizationRule("Intl-Plus", r"^\+(\d{8,15})$", "+$1"),
        NormalizationRule("TollFree", r"^0?(80\d{7})\d*$", "+33$1"),
        NormalizationRule("Service", r"^(1\d{1,2}|11[68]\d{3}|10\d{2}|3\d{3})$", "$1"),
        NormalizationRule("Mobile", r"^0([67]\d{8})$", "+33$1"),
        NormalizationRule("Paris", r"^0(1\d{8})$", "+33$1"),
        NormalizationRule("Lyon", r"^0(4\d{8})$", "+33$1"),
        NormalizationRule("Marseille", r"^0(49\d{7})$", "+33$1"),
        NormalizationRule("Operator", r"^(0)$", "+33199990000"),
        NormalizationRule("Reception", r"^(9)$", "+33199997000"),
    ]
    service = Simulator(Tenant(name="bench")).effective(usage_location="FR").service_plan.rules
    # Ten more service-like rules so the plan reaches 35 in all.
    rules += [NormalizationRule(f"Region{i}", rf"^00{i}(\d+)$", "+$1") for i in range(35 - len(rules) - len(service))]
    return tuple(rules) + service


RULES = plan_rules()
DIALED = list(
    {
        random.choice(
            [
                f"{random.randint(1, 8)}{random.randint(0, 999):03d}",
                f"0{random.choice('1234567')}{random.randint(0, 99999999):08d}",
                f"00{random.randint(1, 99)}{random.randint(0, 10**9):09d}",
                f"+{random.randint(1, 99)}{random.randint(0, 10**9):09d}",
                f"{random.randint(1, 99)}",
                f"9{random.randint(0, 9)}{random.randint(0, 99):02d}",
                f"{random.randint(10**9, 10**11)}",
            ]
        )
        for _ in range(30000)
    }
)[:20000]


def naive_rules() -> list[tuple[re.Pattern[str], str]]:
    """The patterns in `re`, translations as Match.expand templates."""
    return [(re.compile(rule.pattern), re.sub(r"\$(\d)", r"\\g<\1>", rule.translation)) for rule in RULES]


def naive(dialed: list[str]) -> list[str | None]:
    compiled = naive_rules()
    out: list[str | None] = []
    for text in dialed:
        for pattern, template in compiled:
            found = pattern.search(text)
            if found:
                out.append(found.expand(template) + text[found.end() :])
                break
        else:
            out.append(None)
    return out


def compiled(dialed: list[str]) -> list[str | None]:
    matcher = compile_rules(RULES)
    out: list[str | None] = []
    for text in dialed:
        found = matcher.match(text)
        out.append(found[1] if found else None)
    return out


def test_both_agree() -> None:
    assert compiled(DIALED) == naive(DIALED)


@pytest.mark.benchmark(group="matcher-35-rules")
def test_naive_loop(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info.update(role="baseline", items=len(DIALED))
    benchmark.pedantic(naive, args=(DIALED,), rounds=9, iterations=1)


@pytest.mark.benchmark(group="matcher-35-rules")
def test_compiled_matcher(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info.update(role="candidate", items=len(DIALED))
    benchmark.pedantic(compiled, args=(DIALED,), rounds=9, iterations=1)
