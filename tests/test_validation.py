"""Tenant validation: every rejecting check, on load and as lint errors, with one message each."""

from __future__ import annotations

from dataclasses import replace

import pytest

from normalizer import (
    DialPlan,
    NormalizationRule,
    PatternError,
    Scope,
    Tenant,
    TenantValidationError,
    TranslationError,
    User,
    Violation,
    lint,
    load_tenant,
    tenant_from_document,
    validate,
)
from normalizer.validation import problems

RULE = NormalizationRule("R", r"^(7\d{3})$", "+33199997$1")


def plan(identity: str = "P", rules: tuple[NormalizationRule, ...] = (RULE,), **fields: str) -> DialPlan:
    return DialPlan(identity, Scope.TENANT_USER, rules, **fields)  # type: ignore[arg-type]


def numbered(count: int) -> tuple[NormalizationRule, ...]:
    return tuple(NormalizationRule(f"R{i}", rf"^(7{i:02d}\d)$", "+3319999$1") for i in range(count))


CASES = [
    pytest.param(Tenant("T", (plan(rules=numbered(26)),)), Violation.TOO_MANY_RULES, "has 26 rules, more than the limit of 25", id="rule-limit"),
    pytest.param(Tenant("T", tuple(plan(f"P{i}") for i in range(1001))), Violation.TOO_MANY_PLANS, "1001 tenant dial plans", id="plan-limit"),
    pytest.param(Tenant("T", (plan(), plan("p"))), Violation.DUPLICATE_PLAN, "identity 'p' is already used by dial_plans[0]", id="duplicate-plan-case-insensitive"),
    pytest.param(Tenant("T", (plan(".hidden"),)), Violation.INVALID_IDENTITY, "not starting with '.'", id="identity-dot"),
    pytest.param(Tenant("T", (plan("x" * 50),)), Violation.INVALID_IDENTITY, "1 to 49", id="identity-50-chars"),
    pytest.param(Tenant("T", (plan("Paris Issy"),)), Violation.INVALID_IDENTITY, "letters, digits", id="identity-space"),
    pytest.param(Tenant("T", (plan(description="d" * 1041),)), Violation.DESCRIPTION_TOO_LONG, "1041 characters, more than 1040", id="plan-description"),
    pytest.param(Tenant("T", (plan(rules=(replace(RULE, description="d" * 513),)),)), Violation.DESCRIPTION_TOO_LONG, "513 characters, more than 512", id="rule-description"),
    pytest.param(Tenant("T", (plan(rules=()),)), Violation.EMPTY_PLAN, "has no rules", id="empty-plan"),
    pytest.param(Tenant("T", (plan(rules=(RULE, replace(RULE, name="r", pattern="^8$"))),)), Violation.DUPLICATE_RULE_NAME, "rule name 'r' is already used by rules[0]", id="duplicate-rule-name"),
    pytest.param(Tenant("T", (plan(rules=(replace(RULE, pattern="^(7"),)),)), Violation.INVALID_PATTERN, "not enough )'s", id="pattern"),
    pytest.param(Tenant("T", (plan(rules=(replace(RULE, translation="$99999999999"),)),)), Violation.INVALID_TRANSLATION, "out of range", id="translation"),
    pytest.param(Tenant("T", (plan(),), (User("a@t", "FR", "Nope"),)), Violation.UNKNOWN_PLAN, "assigned dial plan 'Nope', which does not exist", id="unknown-plan"),
    pytest.param(Tenant("T", (plan(),), (User("a@t", "XX"),)), Violation.UNKNOWN_REGION, "usage location 'XX' is not an ISO 3166 region", id="unknown-region"),
    pytest.param(Tenant("T", (plan(),), (User("a@t", "FR"), User("A@T", "GB"))), Violation.DUPLICATE_USER, "users[1]: user 'A@T' is already listed as users[0]", id="duplicate-user-other-case"),
    pytest.param(Tenant("T", (plan(),), (User("a@t", "FR"), User("", "FR"))), Violation.INVALID_UPN, "users[1]: user principal name '' is blank", id="empty-upn"),
    pytest.param(Tenant("T", (plan(),), (User(" \t", "FR"),)), Violation.INVALID_UPN, "users[0]: user principal name ' \\t' is blank", id="whitespace-upn"),
]


@pytest.mark.parametrize(("tenant", "code", "fragment"), CASES)
def test_each_violation_rejects_on_load_and_is_a_lint_error(tenant: Tenant, code: Violation, fragment: str) -> None:
    found = problems(tenant)
    assert [problem.code for problem in found] == [code]
    with pytest.raises((TenantValidationError, PatternError, TranslationError)) as raised:
        validate(tenant)
    assert fragment in str(raised.value)
    errors = [finding for finding in lint(tenant) if finding.severity == "error"]
    assert [finding.code for finding in errors] == [code]
    # One message: the lint finding prints exactly what loading raises.
    assert errors[0].text == str(raised.value)


def test_rule_limit_message_names_plan_count_and_limit() -> None:
    with pytest.raises(TenantValidationError) as raised:
        validate(Tenant("T", (plan("FR-Paris", numbered(26)),), source="t.toml"))
    error = raised.value
    assert (error.file, error.plan, error.field) == ("t.toml", "FR-Paris", "rules")
    assert str(error).startswith("t.toml: plan 'FR-Paris': field 'rules': has 26 rules, more than the limit of 25 rules")


def test_max_rules_setting_and_override() -> None:
    tenant = Tenant("T", (plan(rules=numbered(30)),), max_rules=50)
    assert validate(tenant) is tenant
    with pytest.raises(TenantValidationError, match="limit of 29"):
        validate(tenant, max_rules=29)
    assert validate(Tenant("T", (plan(rules=numbered(30)),)), max_rules=30).max_rules == 30


def document(rule_count: int, header: dict[str, object] | None = None) -> dict[str, object]:
    rules = [{"name": r.name, "pattern": r.pattern, "translation": r.translation} for r in numbered(rule_count)]
    return {"tenant": header or {}, "dial_plans": [{"identity": "P", "rules": rules}]}


def test_loading_uses_the_file_limit_and_the_override() -> None:
    with pytest.raises(TenantValidationError, match="has 26 rules"):
        tenant_from_document(document(26))
    assert tenant_from_document(document(26, {"max_rules": 50})).max_rules == 50
    assert tenant_from_document(document(26), max_rules=26).max_rules == 26
    with pytest.raises(TenantValidationError, match="limit of 30"):
        tenant_from_document(document(31, {"max_rules": 50}), max_rules=30)
    unchecked = tenant_from_document(document(26), validate=False)
    assert [finding.code for finding in lint(unchecked)][:1] == [Violation.TOO_MANY_RULES]


def test_load_tenant_reports_every_violation_only_to_lint(write_tenant) -> None:  # type: ignore[no-untyped-def]
    path = write_tenant(
        """
[[dial_plans]]
identity = "P"
[[dial_plans.rules]]
name = "A"
pattern = '^(7'
translation = '+$1'
[[dial_plans.rules]]
name = "a"
pattern = '^8$'
translation = '+1'

[[users]]
upn = "u@t"
usage_location = "ZZ"
"""
    )
    with pytest.raises(PatternError):
        load_tenant(path)
    codes = [finding.code for finding in lint(load_tenant(path, validate=False))]
    assert codes == [Violation.INVALID_PATTERN, Violation.DUPLICATE_RULE_NAME, Violation.UNKNOWN_REGION]


@pytest.mark.parametrize(
    ("upn", "index"),
    [pytest.param('""', 1, id="empty"), pytest.param('"   "', 1, id="spaces"), pytest.param("'\t'", 1, id="tab")],
)
def test_a_blank_upn_names_the_file_the_user_and_the_field(write_tenant, upn: str, index: int) -> None:  # type: ignore[no-untyped-def]
    path = write_tenant(
        f"""
[[users]]
upn = "emily@contoso.com"
usage_location = "GB"

[[users]]
upn = {upn}
usage_location = "GB"
"""
    )
    with pytest.raises(TenantValidationError) as raised:
        load_tenant(path)
    error = raised.value
    assert (error.file, error.field) == (str(path), "upn")
    assert str(error).startswith(f"{path}: field 'upn': users[{index}]: user principal name ")
    assert "is blank" in str(error)


def test_each_blank_upn_is_reported_not_as_a_duplicate() -> None:
    tenant = Tenant("T", (plan(),), (User("", "FR"), User(" ", "GB")))
    found = problems(tenant)
    assert [problem.code for problem in found] == [Violation.INVALID_UPN] * 2
    assert [str(problem.error).split(":")[1] for problem in found] == [" users[0]", " users[1]"]


def test_contoso_is_valid(contoso: Tenant) -> None:
    assert problems(contoso) == []
