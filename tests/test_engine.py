"""Normalization with the built-in Contoso tenant and small tenants of our own."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from normalizer import Simulator, TranslationError, load_tenant
from normalizer.catalog import default_catalog
from normalizer.classify import classify
from normalizer.countries import calling_code
from normalizer.dotnet.matcher import compile_rule
from normalizer.effective import merge
from normalizer.emergency import default_emergency_numbers
from normalizer.engine import (
    MAX_TRANSLATED_LENGTH,
    SEPARATORS,
    NormalizationResult,
    PassTrace,
    PlanNormalizer,
    RuleTrace,
    clean,
)
from normalizer.errors import DialplanInputError
from normalizer.models import DialPlan, EffectiveDialPlan, NormalizationRule, Scope
from tests.strategies import dial_strings, regions, rule_lists

MARCEL = "marcel.beauchamp@contoso.com"
EMILY = "emily.braun@contoso.com"


@pytest.mark.parametrize(
    ("user", "dialed", "translated", "rule", "scope"),
    [
        (MARCEL, "7123", "+33199997123", "FR-39qdPR-Internal", Scope.TENANT_USER),
        (MARCEL, "0800123456", "+33800123456", "FR-TollFree", Scope.TENANT_USER),
        (MARCEL, "3949", "3949", "FR-Service", Scope.TENANT_USER),
        (EMILY, "0123456789", "+44123456789", "GB Long Distance", Scope.SERVICE),
        (EMILY, "0033 1 45 67 89 00", "+33145678900", "GB Intl Dialing", Scope.SERVICE),
        (MARCEL, "01.45.67.89.00", "+33145678900", "FR Long Distance", Scope.SERVICE),
    ],
)
def test_contoso(simulator: Simulator, user: str, dialed: str, translated: str, rule: str, scope: Scope) -> None:
    result = simulator.normalize(dialed, user=user)
    assert result.translated_number == translated
    assert result.matching_rule is not None
    assert result.matching_rule.rule.name == rule
    assert result.matching_rule.scope is scope


def test_no_rule_matches_gives_null_translation_and_service_prepends_calling_code(simulator: Simulator) -> None:
    result = simulator.normalize("2079460034", user=EMILY)
    assert result.translated_number is None
    assert result.matching_rule is None
    assert result.final_number == "+442079460034"
    assert str(result.call_type) == "domestic"


def test_separators_are_removed_before_rules(simulator: Simulator) -> None:
    result = simulator.normalize("(0) 800-123.456", user=MARCEL)
    assert result.cleaned_number == "0800123456"
    assert result.translated_number == "+33800123456"


@pytest.mark.parametrize("dialed", ["", "   ", "(-.)"], ids=["empty", "spaces", "separators"])
def test_a_dial_string_of_only_separators_is_an_input_error(simulator: Simulator, dialed: str) -> None:
    with pytest.raises(DialplanInputError, match="nothing to dial") as caught:
        simulator.normalize(dialed, user=MARCEL)
    assert caught.value.field == "dialed_number"


TENANT = """
[tenant]
name = "T"

[[dial_plans]]
identity = "Global"
[[dial_plans.rules]]
name = "G-4digit"
pattern = '^(\\d{4})$'
translation = '+1425555$1'

[[dial_plans]]
identity = "Seattle"
[[dial_plans.rules]]
name = "S-5digit"
pattern = '^(\\d{5})$'
translation = '+1206555$1'
[[dial_plans.rules]]
name = "S-national"
pattern = '^0(\\d+)$'
translation = '0$1'

[[users]]
upn = "global@t.com"
usage_location = "US"

[[users]]
upn = "seattle@t.com"
usage_location = "US"
dial_plan = "Seattle"
"""


@pytest.fixture()
def tenant_simulator(write_tenant) -> Simulator:  # type: ignore[no-untyped-def]
    return Simulator(load_tenant(write_tenant(TENANT)))


def test_tenant_user_plan_replaces_global(tenant_simulator: Simulator) -> None:
    plan = tenant_simulator.effective(user="seattle@t.com")
    names = [rule.rule.name for rule in plan.rules]
    assert "G-4digit" not in names
    assert names[:2] == ["S-5digit", "S-national"]
    assert tenant_simulator.normalize("5555", user="seattle@t.com").translated_number is None


def test_user_without_plan_gets_global(tenant_simulator: Simulator) -> None:
    result = tenant_simulator.normalize("1234", user="global@t.com")
    assert result.translated_number == "+14255551234"
    assert result.matching_rule is not None and result.matching_rule.scope is Scope.TENANT_GLOBAL


def test_tenant_rules_win_over_service_rules(tenant_simulator: Simulator) -> None:
    result = tenant_simulator.normalize("14255550100", usage_location="US", dial_plan="Seattle")
    assert result.matching_rule is not None and result.matching_rule.rule.name == "US Long Distance"
    result = tenant_simulator.normalize("12345", usage_location="US", dial_plan="Seattle")
    assert result.matching_rule is not None and result.matching_rule.rule.name == "S-5digit"


def test_double_normalization_runs_a_second_pass(tenant_simulator: Simulator) -> None:
    result = tenant_simulator.normalize("0123", user="seattle@t.com", trace=True)
    assert result.translated_number == "0123"
    # "0123" starts no + : the service normalizes it again; the tenant rule
    # matches again and its output still lacks +, so that is what is dialled.
    assert result.final_number == "0123"
    assert result.trace is not None and len(result.trace) == 2


def test_tenant_scope_only_ignores_service_rules(tenant_simulator: Simulator) -> None:
    result = tenant_simulator.normalize("14255550100", user="seattle@t.com", tenant_scope_only=True)
    assert result.translated_number is None
    assert result.final_number == "+14255550100"


def test_trace_lists_every_rule_tried_and_every_rule_that_would_match(simulator: Simulator) -> None:
    result = simulator.normalize("0800123456", user=MARCEL, trace=True)
    assert result.trace is not None
    first = result.trace[0]
    assert [entry.rule.rule.name for entry in first.tried] == ["FR-39qdPR-Internal", "FR-TollFree"]
    assert [entry.matched for entry in first.tried] == [False, True]
    assert first.tried[1].groups == {"1": "800123456"}
    assert [entry.rule.rule.name for entry in first.would_match] == ["FR-TollFree", "FR Long Distance"]

    assert first.to_dict()["would_match"][1]["priority"] == 2


def test_trace_runs_within_the_work_budget_too() -> None:
    from normalizer import RegexTimeoutError, tenant_from_document

    rules = [
        {"name": "Fast", "pattern": "^1", "translation": "+1"},
        {"name": "Slow", "pattern": r"^(\d|\d)+\1$", "translation": "+$1"},
    ]
    simulator = Simulator(tenant_from_document({"dial_plans": [{"identity": "Global", "rules": rules}]}))
    dialed = "1" * 20 + "x"  # `Slow` has no proven bound: refused before it runs
    # The first match wins without trying `Slow`; the trace tries every rule.
    assert simulator.normalize(dialed, usage_location="FR", timeout=0.01).final_number.startswith("+1")
    with pytest.raises(RegexTimeoutError):
        simulator.normalize(dialed, usage_location="FR", trace=True, timeout=0.01)


def test_result_json_shape(simulator: Simulator) -> None:
    data = simulator.normalize("7123", user=MARCEL).to_dict()
    assert data["dialed_number"] == "7123"
    assert data["translated_number"] == "+33199997123"
    assert data["effective_dial_plan"] == "FR-Paris-Issy-39qdPR"
    assert set(data["matching_rule"]) >= {
        "name", "description", "pattern", "translation", "is_internal_extension", "dial_plan", "scope",
    }
    assert data["matching_rule"]["scope"] == "tenant-user"
    assert simulator.normalize("99999", user=EMILY).to_dict()["translated_number"] is None


def test_example_tenant_file_is_shipped() -> None:
    assert Path(load_tenant().source or "").name == "contoso.toml"


def _reference_pass(
    plan: EffectiveDialPlan, text: str, limit: int
) -> tuple[int | None, str | None, PassTrace]:
    """One pass of the plain first-match loop over the first `limit` rules, and its trace."""
    compiled = [compile_rule(rule.rule) for rule in plan.rules[:limit]]
    entries: list[RuleTrace] = []
    winner: int | None = None
    output: str | None = None
    for index, rule in enumerate(compiled):
        found = rule.search(text)
        entries.append(
            RuleTrace(
                rule=plan.rules[index],
                matched=found is not None,
                groups=rule.groups(found) if found is not None else {},
                output=rule.translate(text, first=found) if found is not None else None,
            )
        )
        if found is not None and winner is None:
            winner, output = index, entries[-1].output
    tried = entries if winner is None else entries[: winner + 1]
    trace = PassTrace(
        input=text,
        tried=tuple(tried),
        would_match=tuple(entry for entry in entries if entry.matched),
        winner=plan.rules[winner] if winner is not None else None,
        output=output,
    )
    return winner, output, trace


def _reference(plan: EffectiveDialPlan, dialed: str, *, tenant_scope_only: bool) -> dict[str, Any]:
    """`normalize(..., trace=True)` as the documented semantics say, by the plain loop."""
    cleaned = clean(dialed)
    tenant_rules = sum(1 for rule in plan.rules if rule.scope is not Scope.SERVICE)
    limit = tenant_rules if tenant_scope_only else len(plan.rules)
    winner, translated, first_trace = _reference_pass(plan, cleaned, limit)
    full, full_output, _ = _reference_pass(plan, cleaned, len(plan.rules))
    is_emergency = default_emergency_numbers().is_emergency(cleaned, plan.region)
    code = calling_code(plan.region)
    passes = [first_trace]
    final_rule: int | None = None
    if is_emergency:
        final = cleaned
    elif full is None or full_output is None:
        final = cleaned if cleaned.startswith("+") else f"+{code}{cleaned}"
    elif full_output.startswith("+"):
        final = full_output
    else:
        final_rule, second_output, second_trace = _reference_pass(plan, full_output, len(plan.rules))
        passes.append(second_trace)
        if final_rule is None or second_output is None:
            final = full_output if full_output.startswith("+") else f"+{code}{full_output}"
        else:
            final = second_output
    classification = classify(
        final,
        plan.region,
        is_emergency=is_emergency,
        is_extension=full is not None and plan.rules[full].rule.is_internal_extension,
    )
    return NormalizationResult(
        dialed_number=dialed,
        cleaned_number=cleaned,
        translated_number=translated,
        matching_rule=plan.rules[winner] if winner is not None else None,
        effective_dial_plan=plan,
        final_number=final,
        final_rule=plan.rules[final_rule] if final_rule is not None else None,
        classification=classification,
        is_emergency=is_emergency,
        trace=tuple(passes),
    ).to_dict()


def _texts(value: object) -> list[str]:
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    return []


_EMERGENCY_LIKE = st.sampled_from(["112", "911", "999", "000", "15", "17", "110", "1120", "+112"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=rule_lists(),
    extensions=st.lists(st.booleans(), max_size=12),
    region=regions,
    dialed=dial_strings.filter(lambda text: clean(text) != "") | _EMERGENCY_LIKE,
    tenant_scope_only=st.booleans(),
)
def test_normalize_and_its_trace_follow_the_plain_loop(
    rules: tuple[NormalizationRule, ...],
    extensions: list[bool],
    region: str,
    dialed: str,
    tenant_scope_only: bool,
) -> None:
    rules = tuple(
        replace(rule, is_internal_extension=extension) for rule, extension in zip(rules, [*extensions, *[False] * 12])
    )
    tenant_plan = DialPlan(identity="Global", scope=Scope.TENANT_GLOBAL, rules=rules)
    plan = merge(region, default_catalog().service_plan(region), tenant_plan)
    normalizer = PlanNormalizer(plan)
    expected = _reference(plan, dialed, tenant_scope_only=tenant_scope_only)
    try:
        traced = normalizer.normalize(dialed, trace=True, tenant_scope_only=tenant_scope_only)
    except TranslationError:
        # Refused only where the plain loop gives an output past the limit (`$'` on many matches).
        assert max(map(len, _texts(expected))) > MAX_TRANSLATED_LENGTH
        event("output past the translated-length limit")
        return
    assert traced.to_dict() == expected
    event(f"emergency={expected['is_emergency']} passes={len(expected['trace'])}")
    plain = normalizer.normalize(dialed, tenant_scope_only=tenant_scope_only).to_dict()
    assert plain == {key: value for key, value in expected.items() if key != "trace"}
    outcome = normalizer.outcome(clean(dialed))
    assert (outcome.final, outcome.is_emergency) == (expected["final_number"], expected["is_emergency"])


def test_every_pass_checks_the_deadline(simulator: Simulator) -> None:
    import time

    from normalizer import TimeLimitError

    with pytest.raises(TimeLimitError, match="ran past its time limit"):
        simulator.normalize("7123", user="marcel.beauchamp@contoso.com", deadline=time.monotonic() - 1)
    assert simulator.normalize("7123", user="marcel.beauchamp@contoso.com", deadline=time.monotonic() + 60).final_number


def test_a_translation_longer_than_the_limit_names_plan_rule_and_field() -> None:
    from normalizer import TranslationError, tenant_from_document

    rule = {"name": "Twice", "pattern": r"\d", "translation": "$0$0"}
    tenant = tenant_from_document({"dial_plans": [{"identity": "Global", "rules": [rule]}]})
    # 400 digits give 800 in the first pass and 1,600 in the second, which applies the rule again.
    with pytest.raises(TranslationError) as caught:
        Simulator(tenant).normalize("1" * 400, usage_location="FR")
    assert (caught.value.plan, caught.value.rule, caught.value.field) == ("Global", "Twice", "translation")
    assert Simulator(tenant, max_translated_length=2000).normalize("1" * 400, usage_location="FR").final_number == "1" * 1600


@given(
    text=st.text(st.sampled_from(SEPARATORS + "0123456789+*#;=xX\n\t\u00a0\u2010\uff08"), max_size=30)
    | st.text(max_size=30)
)
def test_clean_removes_exactly_the_separators(text: str) -> None:
    assert clean(text) == "".join(char for char in text if char not in SEPARATORS)
    assert type(clean(text)) is str
