"""Lint warnings: one test per finding code, witnesses checked against the engine."""

from __future__ import annotations

import sys
import time
from operator import attrgetter
from pathlib import Path

import pytest

from normalizer import (
    DialPlan,
    Finding,
    FindingCode,
    NormalizationRule,
    Scope,
    Severity,
    Simulator,
    Tenant,
    User,
    lint,
)

Rules = list[tuple[str, str, str]]


def tenant_of(rules: Rules, region: str | None = "US", identity: str = "Site") -> Tenant:
    plan = DialPlan(identity, Scope.TENANT_USER, tuple(NormalizationRule(*rule) for rule in rules))
    users = (User("user@contoso.com", region, identity),) if region else ()
    return Tenant("T", (plan,), users)


def findings(rules: Rules, code: FindingCode, region: str | None = "US") -> list[Finding]:
    return [finding for finding in lint(tenant_of(rules, region)) if finding.code == code]


def winner(tenant: Tenant, dialed: str, region: str = "US") -> str | None:
    """The rule the engine itself picks for a dial string."""
    result = Simulator(tenant).normalize(dialed, usage_location=region, dial_plan=tenant.dial_plans[0].identity)
    return result.matching_rule.rule.name if result.matching_rule else None


EXT = ("Ext", r"^(7\d{3})$", "+1425555$1")


def test_duplicate_pattern() -> None:
    found = findings([EXT, ("Ext-again", r"^(7\d{3})$", "+14255558$1")], FindingCode.DUPLICATE)
    assert [(f.rule, f.rule_index, f.severity) for f in found] == [("Ext-again", 1, Severity.WARNING)]
    assert "same pattern as rule 'Ext' (rules[0])" in found[0].message


def test_tenant_rule_shadowed_by_another_tenant_rule() -> None:
    rules = [("Any4", r"^(\d{4})$", "+1425555$1"), EXT]
    found = findings(rules, FindingCode.SHADOWED)
    assert [(f.rule, f.plan) for f in found] == [("Ext", "Site")]
    assert "earlier rule 'Any4' (rules[0]) matches every dial string" in found[0].message
    assert winner(tenant_of(rules), found[0].witness or "") == "Any4"


def test_rule_shadowed_only_by_the_union_of_two_earlier_rules() -> None:
    rules = [
        ("Low", r"^([0-4]\d{3})$", "+1425555$1"),
        ("High", r"^([5-9]\d{3})$", "+1425556$1"),
        ("Any4", r"^(\d{4})$", "+1425557$1"),
    ]
    found = findings(rules, FindingCode.SHADOWED)
    assert [f.rule for f in found] == ["Any4"]
    assert "rules 'Low' (rules[0]), 'High' (rules[1]) together match" in found[0].message
    # Neither earlier rule alone covers it: each only overlaps.
    assert findings(rules[::2], FindingCode.SHADOWED) == []
    assert findings(rules[1:], FindingCode.SHADOWED) == []


def test_shadowing_is_decided_on_languages_not_samples() -> None:
    # Only the single string 99999 escapes the earlier rule: sampling would miss it.
    rules = [("Most", r"^([0-8]\d{4}|9[0-8]\d{3}|99[0-8]\d{2}|999[0-8]\d)$", "+1425555$1"), ("All5", r"^(\d{5})$", "+1425556$1")]
    assert findings(rules, FindingCode.SHADOWED) == []
    overlap = findings(rules, FindingCode.PARTIAL_OVERLAP)
    assert [f.rule for f in overlap] == ["All5"]


def test_partial_overlap_gives_a_witness_the_engine_agrees_with() -> None:
    rules = [EXT, ("Any4", r"^(\d{4})$", "+1425555$1")]
    found = [f for f in findings(rules, FindingCode.PARTIAL_OVERLAP) if f.region is None]
    assert [(f.rule, f.witness) for f in found] == [("Any4", "7000")]
    assert winner(tenant_of(rules), "7000") == "Ext"
    assert findings(rules, FindingCode.SHADOWED) == []


def test_service_rule_shadowed_by_tenant_rules() -> None:
    found = findings([("Trunk", r"^0(\d+)$", "+44$1")], FindingCode.SHADOWED, region="GB")
    assert {(f.rule, f.region) for f in found} == {("GB Intl Dialing", "GB"), ("GB Long Distance", "GB")}
    assert all("tenant rule 'Trunk' takes every dial string" in f.message for f in found)


def test_never_matches() -> None:
    # Separators are removed before rules run, so a pattern needing one never matches.
    found = findings([("Dashed", r"^(\d{3}-\d{4})$", "+1425$1")], FindingCode.NEVER_MATCHES)
    assert [f.rule for f in found] == ["Dashed"]


@pytest.mark.parametrize(
    ("rule", "region", "service_rule"),
    [
        (("LD", r"^1(\d{10})$", "+1$1"), "US", "US Long Distance"),
        (("Intl", r"^00(\d+)$", "+$1"), "GB", "GB Intl Dialing"),
    ],
)
def test_redundant_with_the_service_plan(rule: tuple[str, str, str], region: str, service_rule: str) -> None:
    found = findings([rule], FindingCode.REDUNDANT, region=region)
    assert [(f.rule, f.region) for f in found] == [(rule[0], region)]
    assert f"service rule {service_rule!r}" in found[0].message


def test_redundant_is_proven_and_says_how() -> None:
    (found,) = findings([("Intl", r"^00(\d+)$", "+$1")], FindingCode.REDUNDANT, region="DE")
    assert "both drop the first 2 characters of the dial string and write '+' before the rest" in found.message


def without(rules: Rules, dialed: str, region: str) -> str:
    """What the effective plan gives for a dial string when the tenant rules are left out."""
    return Simulator(Tenant("T")).normalize(dialed, usage_location=region).translated_number or ""


def output(rules: Rules, dialed: str, region: str) -> str:
    tenant = tenant_of(rules, region)
    result = Simulator(tenant).normalize(dialed, usage_location=region, dial_plan="Site")
    return result.translated_number or ""


def test_sampled_agreement_that_breaks_at_17_characters_is_a_partial_overlap_not_redundant() -> None:
    # Up to 16 characters this rule gives what DE Long Distance gives; at 17 it drops a digit.
    rules = [("DE-Free", r"^0(800\d{7,12})\d*$", "+49$1")]
    assert findings(rules, FindingCode.REDUNDANT, region="DE") == []
    assert findings(rules, FindingCode.NO_DIFFERENCE_FOUND, region="DE") == []
    (found,) = findings(rules, FindingCode.PARTIAL_OVERLAP, region="DE")
    witness = found.witness or ""
    assert len(witness) == 17 and "service rule 'DE Long Distance'" in found.message
    assert output(rules, witness, "DE") != without(rules, witness, "DE")
    assert f"becomes {output(rules, witness, 'DE')!r} with this rule" in found.message
    assert f"would have given {without(rules, witness, 'DE')!r}" in found.message
    assert (output(rules, "08001234567890123", "DE"), without(rules, "08001234567890123", "DE")) == (
        "+49800123456789012",
        "+498001234567890123",
    )


def test_a_tenant_rule_taking_part_of_a_service_rule_is_reported_with_both_outputs() -> None:
    rules = [("GermanyDP", r"^0(\d{6}\d+)$", "+49$1")]
    assert (output(rules, "00441234567890", "DE"), without(rules, "00441234567890", "DE")) == (
        "+490441234567890",
        "+441234567890",
    )
    found = [
        f
        for f in findings(rules, FindingCode.PARTIAL_OVERLAP, region="DE")
        if "'DE Intl Dialing'" in f.message
    ]
    assert [(f.rule, f.region) for f in found] == [("GermanyDP", "DE")]
    witness = found[0].witness or ""
    assert witness.startswith("00")
    assert (
        f"{witness!r} becomes {output(rules, witness, 'DE')!r} with this rule; service rule "
        f"'DE Intl Dialing' would have given {without(rules, witness, 'DE')!r}"
    ) in found[0].message
    # With DE Long Distance the outputs agree (both drop the 0 and write +49): not an overlap.
    assert all("'DE Long Distance'" not in f.message for f in findings(rules, FindingCode.PARTIAL_OVERLAP, region="DE"))


def test_no_difference_found_says_what_was_checked() -> None:
    # Same output as DE Long Distance everywhere, but not in the shape the proof covers.
    rules = [("Split", r"^00(\d+)(\d)$", "+$1$2")]
    assert findings(rules, FindingCode.REDUNDANT, region="DE") == []
    (found,) = findings(rules, FindingCode.NO_DIFFERENCE_FOUND, region="DE")
    assert "gave the same output for each of the" in found.message
    assert "one per length from 4 to 24 characters" in found.message
    assert "not proven for other dial strings" in found.message


def test_not_redundant_when_the_output_differs_or_another_service_rule_would_win() -> None:
    assert findings([("LD", r"^1(\d{10})$", "+1$1"), EXT], FindingCode.REDUNDANT, region="GB") == []
    assert findings([("Trunk", r"^0(\d+)$", "+44$1")], FindingCode.REDUNDANT, region="GB") == []


@pytest.mark.parametrize(
    ("region", "rule", "number", "output"),
    [
        pytest.param("US", ("Desk", r"^(\d{3})$", "+14255550$1"), "911", "+14255550911", id="911-US"),
        pytest.param("US", ("Desk", r"^(\d{3})$", "+14255550$1"), "933", "+14255550933", id="933-US-override"),
        pytest.param("FR", ("Court", r"^(1\d{2})$", "+3319999$1"), "112", "+3319999112", id="112-FR"),
        pytest.param("GB", ("Short", r"^(\d{3})$", "+44207946$1"), "999", "+44207946999", id="999-GB"),
    ],
)
def test_emergency_capture(region: str, rule: tuple[str, str, str], number: str, output: str) -> None:
    found = findings([rule], FindingCode.EMERGENCY_CAPTURE, region=region)
    captured = {f.witness: f for f in found}
    assert number in captured
    assert captured[number].region == region
    assert f"turns emergency number {number} of {region} into {output!r}" in captured[number].message


def test_emergency_number_left_as_is_or_in_another_region_is_no_capture() -> None:
    assert findings([("Service", r"^(1\d{1,2})$", "$1")], FindingCode.EMERGENCY_CAPTURE, region="FR") == []
    assert findings([("Desk", r"^(9\d{2})$", "+14255550$1")], FindingCode.EMERGENCY_CAPTURE, region="FR") == []
    assert findings([("Desk", r"^(\d{3})$", "+14255550$1")], FindingCode.EMERGENCY_CAPTURE, region=None) == []


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        pytest.param(r"(\d{4})", True, id="no-anchors"),
        pytest.param(r"^(\d{4})", True, id="no-end"),
        pytest.param(r"^1|^2$", True, id="one-branch-unanchored"),
        pytest.param(r"^(\d{4})$", False, id="anchored"),
        pytest.param(r"\A(\d{4})\z", False, id="A-z"),
    ],
)
def test_unanchored(pattern: str, expected: bool) -> None:
    found = findings([("R", pattern, "+1425555$1")], FindingCode.UNANCHORED)
    assert bool(found) is expected


def test_unanchored_witness_shows_the_longer_string() -> None:
    (found,) = findings([("R", r"(\d{4})", "+1425555$1")], FindingCode.UNANCHORED)
    assert found.witness is not None and len(found.witness) == 5
    assert "becomes '+1425555" in found.message


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        pytest.param(r"^0?(80\d{7})$", True, id="0?"),
        pytest.param(r"^(\+)?(\d{11})$", True, id="group?"),
        pytest.param(r"^(?:00)*(\d+)$", True, id="star"),
        pytest.param(r"^\d{0,2}(\d+)$", True, id="zero-count"),
        pytest.param(r"^0(80\d{7})?$", False, id="later-optional"),
        pytest.param(r"^(80\d{7})$", False, id="plain"),
    ],
)
def test_optional_first_token(pattern: str, expected: bool) -> None:
    assert bool(findings([("R", pattern, "+33$1")], FindingCode.OPTIONAL_FIRST_TOKEN)) is expected


def test_no_plus_is_double_normalization() -> None:
    (found,) = findings([("Short", r"^(3\d{3})$", "$1")], FindingCode.NO_PLUS, region="FR")
    assert found.witness is not None and found.witness.startswith("3")
    assert "double normalization" in found.message
    assert findings([("Plus", r"^(\+\d{11})$", "$1")], FindingCode.NO_PLUS) == []


def test_invalid_e164() -> None:
    # One digit short: +1 425 555 plus three digits.
    (found,) = findings([("Short", r"^(7\d{2})$", "+1425555$1")], FindingCode.INVALID_E164)
    assert found.witness is not None and found.witness.startswith("7")
    assert findings([EXT], FindingCode.INVALID_E164) == []


def test_missing_group_is_a_warning_not_an_error() -> None:
    (found,) = findings([("R", r"^9(\d{4})$", "+1425555$2")], FindingCode.MISSING_GROUP)
    assert found.severity is Severity.WARNING and found.field == "translation"
    assert "$2" in found.message and "becomes '+1425555$2'" in found.message


def test_not_analysable_is_reported_not_guessed() -> None:
    rules = [("Pair", r"^(\d)\1(\d+)$", "+$2"), ("After", r"^(\d{4})$", "+1425555$1")]
    found = findings(rules, FindingCode.NOT_ANALYSABLE)
    assert [(f.rule, "backreference" in f.message) for f in found] == [("Pair", True)]
    assert findings(rules, FindingCode.SHADOWED) == []
    # Its emergency capture is still found: that check runs the real matcher.
    assert "112" in {f.witness for f in findings(rules, FindingCode.EMERGENCY_CAPTURE)}


def test_global_plan_is_checked_against_the_regions_of_users_without_a_plan() -> None:
    plan = DialPlan("Global", Scope.TENANT_GLOBAL, (NormalizationRule("Desk", r"^(\d{3})$", "+14255550$1"),))
    tenant = Tenant("T", (plan,), (User("a@t", "US"), User("b@t", "FR")))
    regions = {f.region for f in lint(tenant) if f.code == FindingCode.EMERGENCY_CAPTURE}
    assert regions == {"US", "FR"}


def test_contoso_lints_without_errors_and_with_the_expected_warnings(contoso: Tenant) -> None:
    found = lint(contoso)
    assert not [f for f in found if f.severity is Severity.ERROR]
    assert sorted((f.code, f.rule) for f in found) == [
        (FindingCode.NO_PLUS, "FR-Service"),
        (FindingCode.OPTIONAL_FIRST_TOKEN, "FR-TollFree"),
        # '^0?(80\d{7})\d*$' drops the digits after the ninth: FR Long Distance keeps them.
        (FindingCode.PARTIAL_OVERLAP, "FR-TollFree"),
    ]


def test_finding_json_shape() -> None:
    (found,) = findings([("R", r"^9(\d{4})$", "+1425555$2")], FindingCode.MISSING_GROUP)
    data = found.to_dict()
    assert {"severity", "code", "plan", "rule", "message", "witness"} <= set(data)
    assert (data["severity"], data["code"], data["plan"], data["rule"]) == ("warning", "missing-group", "Site", "R")


# A time limit per plan: a slow plan is a finding, the others are linted as usual.

EXPLODES = ("Explodes", r"^\d*1\d{16}$", "+$0")
"""A pattern whose automaton grows exponentially: building it runs for minutes."""
DESK = ("Desk", r"^(\d{3})$", "+14255550$1")


def two_plans(slow_rules: Rules) -> Tenant:
    fast = DialPlan("Fast", Scope.TENANT_USER, (NormalizationRule(*EXT),))
    slow = DialPlan("Slow", Scope.TENANT_USER, tuple(NormalizationRule(*rule) for rule in slow_rules))
    users = (User("a@contoso.com", "US", "Fast"), User("b@contoso.com", "US", "Slow"))
    return Tenant("T", (fast, slow), users, source="t.toml")


def keys(found: list[Finding]) -> list[tuple[object, ...]]:
    return [(f.code, f.plan, f.rule, f.rule_index, f.region, f.witness, f.message) for f in found]


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Children forked from this process, so they see what a test patches here."""
    from normalizer.quality import isolation

    monkeypatch.setattr(isolation, "_start_method", lambda: "fork")


def slow_walk_of(identity: str):  # type: ignore[no-untyped-def]
    from normalizer.quality.lint import _PlanLint

    real = _PlanLint._walk

    def walk(self: _PlanLint, members: object) -> object:
        if self.plan.identity == identity:
            time.sleep(30)
        return real(self, members)  # type: ignore[arg-type]

    return walk


def out_of_memory_for(pattern: str):  # type: ignore[no-untyped-def]
    from normalizer.dotnet import language

    real = language.language

    def build(source: str, **options: bool) -> object:
        if source == pattern:
            raise MemoryError
        return real(source, **options)

    return build


@pytest.mark.parametrize(
    ("slow_rules", "patch", "code", "stopped", "doing", "still_found"),
    [
        pytest.param(
            [DESK, EXPLODES],
            None,
            FindingCode.ANALYSIS_TIME_LIMIT,
            ("Explodes", 1),
            "building the automaton of its pattern",
            [(FindingCode.EMERGENCY_CAPTURE, "Desk"), (FindingCode.OPTIONAL_FIRST_TOKEN, "Explodes")],
            id="one-rule-automaton-the-plan-is-checked-again-without-it",
        ),
        pytest.param(
            [DESK, ("Other", r"^(8\d{3})$", "+14255558$1")],
            ("_PlanLint._walk", slow_walk_of("Slow")),
            FindingCode.ANALYSIS_TIME_LIMIT,
            (None, None),
            "walking the automata of the plan's rules with the US service plan",
            [],
            id="the-walk-with-a-service-plan",
        ),
        pytest.param(
            [DESK, ("Huge", r"^(9\d{5})$", "+1425$1")],
            ("language.language", out_of_memory_for(r"^(9\d{5})$")),
            FindingCode.ANALYSIS_MEMORY_LIMIT,
            ("Huge", 1),
            "",
            [(FindingCode.EMERGENCY_CAPTURE, "Desk")],
            id="memory",
        ),
    ],
)
def test_a_plan_past_the_time_limit_is_a_finding_and_the_other_plans_are_linted(
    forked: None,
    monkeypatch: pytest.MonkeyPatch,
    slow_rules: Rules,
    patch: tuple[str, object] | None,
    code: FindingCode,
    stopped: tuple[str | None, int | None],
    doing: str,
    still_found: list[tuple[FindingCode, str]],
) -> None:
    tenant = two_plans(slow_rules)
    fast_only = Tenant("T", tenant.dial_plans[:1], tenant.users[:1], source="t.toml")
    expected_fast = keys(lint(fast_only))
    if patch is not None:
        target, replacement = patch
        owner, attribute = target.rsplit(".", 1)
        monkeypatch.setattr(attrgetter(owner)(sys.modules["normalizer.quality.lint"]), attribute, replacement)
    started = time.monotonic()
    found = lint(tenant, time_limit=1.0)
    assert time.monotonic() - started < 5.0
    assert keys([f for f in found if f.plan == "Fast"]) == expected_fast
    slow = [f for f in found if f.plan == "Slow"]
    (limit,) = [f for f in slow if f.code == code]
    assert (limit.severity, limit.file, (limit.rule, limit.rule_index)) == (Severity.WARNING, "t.toml", stopped)
    assert limit.field == ("pattern" if stopped[0] else None)
    assert doing in limit.message
    assert ("of the limit of 1 s" in limit.message) == (code is FindingCode.ANALYSIS_TIME_LIMIT)
    assert set(still_found) <= {(f.code, f.rule) for f in slow if f.code != code}
    if stopped[0] is None:
        assert slow == [limit]  # stopped between rules: nothing else of the plan is claimed
    assert str(limit).startswith(f"warning [{code}] t.toml: plan 'Slow'")


def test_the_time_limit_bounds_the_whole_run_and_no_plan_spends_the_others_time(
    tmp_path: Path,
) -> None:
    """Five plans whose automata explode, `--time-limit 3`: about 3 s in all, not 15 s or more,
    and each plan's cheap checks still made (a fair share each, a rerun without the stopped rule)."""
    import json
    import subprocess
    import sys

    plans = "".join(
        f'[[dial_plans]]\nidentity = "Slow{n}"\n[[dial_plans.rules]]\nname = "Desk"\n'
        f"pattern = '^(\\d{{3}})$'\ntranslation = '+14255550$1'\n"
        f'[[dial_plans.rules]]\nname = "Explodes"\npattern = \'{EXPLODES[1]}\'\ntranslation = \'+$0\'\n'
        for n in range(5)
    )
    users = "".join(
        f'[[users]]\nupn = "u{n}@contoso.com"\nusage_location = "US"\ndial_plan = "Slow{n}"\n'
        for n in range(5)
    )
    tenant = tmp_path / "slow.toml"
    tenant.write_text(f'[[dial_plans]]\nidentity = "Fast"\n[[dial_plans.rules]]\nname = "Ext"\n'
                      f"pattern = '^(7\\d{{3}})$'\ntranslation = '+1425555$1'\n{plans}{users}", encoding="utf-8")  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", "from normalizer.cli import entry_point; entry_point()",
         "lint", "--tenant", str(tenant), "--time-limit", "3", "--json"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert elapsed < 6.0
    found = json.loads(done.stdout)
    limits = [f for f in found if f["code"] == "analysis-time-limit"]
    assert [(f["plan"], f["rule"]) for f in limits] == [(f"Slow{n}", "Explodes") for n in range(5)]
    for finding in limits:
        assert "building the automaton of its pattern" in finding["message"]
        assert "of the limit of 3 s" in finding["message"]
    captured = {f["plan"] for f in found if f["code"] == "emergency-capture" and f["rule"] == "Desk"}
    assert captured == {f"Slow{n}" for n in range(5)}


def test_under_a_time_limit_lint_finds_what_it_finds_in_this_process(contoso: Tenant) -> None:
    def where(found: list[Finding]) -> list[tuple[object, ...]]:
        return [(f.code, f.plan, f.rule, f.rule_index, f.region, f.witness, f.message) for f in found]

    assert where(lint(contoso, time_limit=30)) == where(lint(contoso))


def test_witnesses_are_the_same_in_every_process() -> None:
    """Automaton states are numbered in string-hash order, which each process seeds anew."""
    import os
    import subprocess
    import sys

    outputs = {
        subprocess.run(
            [sys.executable, "-c", "from normalizer.cli import entry_point; entry_point()", "lint", "--time-limit", "0"],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1 and "witness" in outputs.pop()
