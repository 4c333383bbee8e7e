"""Normalization with the built-in Contoso tenant and small tenants of our own."""

from __future__ import annotations

from pathlib import Path

import pytest

from normalizer import Simulator, load_tenant
from normalizer.errors import DialplanInputError
from normalizer.models import Scope

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


def test_trace_runs_under_the_timeout_too() -> None:
    from normalizer import RegexTimeoutError, tenant_from_document

    rules = [
        {"name": "Fast", "pattern": "^1", "translation": "+1"},
        {"name": "Slow", "pattern": r"^(\d|\d)+$", "translation": "+$1"},
    ]
    simulator = Simulator(tenant_from_document({"dial_plans": [{"identity": "Global", "rules": rules}]}))
    dialed = "1" * 20 + "x"  # `Slow` takes about a quarter of a second on this
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
