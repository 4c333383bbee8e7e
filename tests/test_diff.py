"""Behavioural diffs: exactly the changed results, each under the rule change that causes it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer import (
    ChangeKind,
    DialPlan,
    NormalizationRule,
    Scope,
    Tenant,
    User,
    clean,
    load_tenant,
)
from normalizer.cli import main
from normalizer.data import rules_dir
from normalizer.quality.diff import diff_tenants, rule_changes
from tests.strategies import dial_strings, rule_lists

CONTOSO = rules_dir() / "examples" / "contoso.toml"
PARIS = "FR-Paris-Issy-39qdPR"
CORPUS = ["7123", "7600", "3949", "112", "0800123456", "08001234567", "0123456789", "+33145678900"]


def contoso_variant() -> str:
    """Contoso with FR-TollFree moved to the top, FR-39qdPR-Internal narrowed, FR-Service removed."""
    head, *rules = CONTOSO.read_text(encoding="utf-8").split("[[dial_plans.rules]]\n")
    rules[-1], users = rules[-1].split("[[users]]\n", 1)
    internal, tollfree, service = rules
    assert "FR-Service" in service and "FR-TollFree" in tollfree
    edited = internal.replace(r"'^(7\d{3})$'", r"'^(7[0-4]\d{2})$'")
    assert edited != internal
    body = "".join("[[dial_plans.rules]]\n" + block for block in (tollfree, edited))
    return head + body + "[[users]]\n" + users


@pytest.fixture()
def variant(tmp_path: Path) -> Path:
    path = tmp_path / "contoso-next.toml"
    path.write_text(contoso_variant(), encoding="utf-8")
    return path


def test_rule_changes_of_the_contoso_variant(variant: Path) -> None:
    changes = rule_changes(load_tenant(CONTOSO), load_tenant(variant))
    assert [(str(c.kind), c.dial_plan, c.rule, c.old_priority, c.new_priority) for c in changes] == [
        ("reordered", PARIS, "FR-TollFree", 1, 0),
        ("edited", PARIS, "FR-39qdPR-Internal", 0, 1),
        ("removed", PARIS, "FR-Service", 2, None),
    ]
    assert changes[1].fields == ("pattern",)


def test_contoso_diff_reports_exactly_the_affected_strings_under_their_causes(variant: Path) -> None:
    report = diff_tenants(load_tenant(CONTOSO), load_tenant(variant), CORPUS)
    assert set(CORPUS) <= set(report.dial_strings)

    def expected_cause(dialed: str) -> str | None:
        # Written from the rules alone: FR-Service's strings lost their rule,
        # x7500-x7999 left the internal range; toll-free and internal numbers
        # never overlap, so moving FR-TollFree up changes nothing.
        text = clean(dialed)
        if re.fullmatch(r"(1\d{1,2}|11[68]\d{3}|10\d{2}|3\d{3})", text):
            return "removed FR-Service"
        if re.fullmatch(r"7\d{3}", text) and not re.fullmatch(r"7[0-4]\d{2}", text):
            return "edited FR-39qdPR-Internal"
        return None

    expected = {
        (target, dialed, cause)
        for target in report.targets
        if target.new_plan == PARIS
        for dialed in report.dial_strings
        if (cause := expected_cause(dialed)) is not None
    }
    reported = {
        (change.target, change.dialed_number, f"{change.cause.kind} {change.cause.rule}")
        for change in report.changes
    }
    assert reported == expected
    assert {"3949", "112", "7600"} <= {dialed for _, dialed, _ in reported}
    assert {"7123", "0800123456", "08001234567", "0123456789"}.isdisjoint(d for _, d, _ in reported)

    groups = {f"{cause.kind} {cause.rule}": strings for cause, strings in report.grouped()}
    assert groups["reordered FR-TollFree"] == []
    paris_users = next(t for t in report.targets if "marcel.beauchamp@contoso.com" in t.users)
    (change,) = [c for c in groups["edited FR-39qdPR-Internal"] if c.dialed_number == "7600" and c.target == paris_users]
    assert change.fields == ("translated_number", "final_number", "matching_rule", "call_type")
    assert (change.old.translated_number, change.new.translated_number) == ("+33199997600", None)
    assert (change.old.call_type, change.new.final_number) == ("extension", "+337600")
    (emergency,) = [c for c in groups["removed FR-Service"] if c.dialed_number == "112" and c.target == paris_users]
    assert emergency.fields == ("translated_number", "matching_rule")
    assert emergency.new.final_number == "112" and emergency.new.call_type == "emergency"


def test_diff_cli_groups_by_cause_and_finds_the_example_suite(
    variant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("# Paris\n7600\n0800 123 456\n", encoding="utf-8")
    assert main(["diff", str(CONTOSO), str(variant), "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"suites: {rules_dir() / 'examples' / 'contoso-tests.toml'}\n")
    headings = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert f"reordered rule 'FR-TollFree' of plan {PARIS}: rules[1] -> rules[0]" in headings
    assert (
        f"edited rule 'FR-39qdPR-Internal' of plan {PARIS} (rules[1]): "
        r"pattern '^(7\\d{3})$' -> '^(7[0-4]\\d{2})$'"
    ) in headings
    assert f"removed rule 'FR-Service' of plan {PARIS} (was rules[2])" in headings
    section = out.split("removed rule 'FR-Service'")[1]
    # 118218 comes from the example suite's cases.
    assert "    118218 for marcel.beauchamp@contoso.com (+2 more): translated_number 118218 -> none" in section
    assert "0800 123 456 for" not in out

    assert main(["diff", str(CONTOSO), str(variant), "--fail-on-change"]) == 1
    capsys.readouterr()
    assert main(["diff", str(CONTOSO), str(CONTOSO), "--fail-on-change"]) == 0
    assert "0 changes;" in capsys.readouterr().out


def test_diff_json(variant: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(CONTOSO), str(variant), "--json", "--no-witnesses"]) == 0
    data = json.loads(capsys.readouterr().out)
    kinds = [(group["kind"], group["rule"]) for group in data["changes"]]
    assert kinds == [("reordered", "FR-TollFree"), ("edited", "FR-39qdPR-Internal"), ("removed", "FR-Service")]
    removed = data["changes"][2]["strings"]
    assert {entry["dialed_number"] for entry in removed} >= {"3949", "118218", "112"}
    assert removed[0]["old"]["matching_rule"] == "FR-Service"
    assert data["changed_results"] == sum(len(group["strings"]) for group in data["changes"])


SMALL = """
[tenant]
name = "T"

[[dial_plans]]
identity = "Global"
{global_rules}

[[dial_plans]]
identity = "Sales"
[[dial_plans.rules]]
name = "Sales-Ext"
pattern = '^(8\\d{{3}})$'
translation = '+1206555$1'

[[users]]
upn = "a@t.com"
usage_location = "US"

[[users]]
upn = "b@t.com"
usage_location = "US"
{b_plan}
"""
SHORT = "[[dial_plans.rules]]\nname = \"Short\"\npattern = '^(\\d{4})$'\ntranslation = '+1425555$1'\n"
EXT = "[[dial_plans.rules]]\nname = \"Ext\"\npattern = '^(7\\d{3})$'\ntranslation = '+1425556$1'\nis_internal_extension = true\n"
OPERATOR = "[[dial_plans.rules]]\nname = \"Operator\"\npattern = '^0$'\ntranslation = '+14255550100'\n"


def test_reorder_added_rule_and_reassigned_user(write_tenant) -> None:  # type: ignore[no-untyped-def]
    old = load_tenant(write_tenant(SMALL.format(global_rules=SHORT + EXT, b_plan='dial_plan = "Sales"'), "old.toml"))
    new = load_tenant(write_tenant(SMALL.format(global_rules=EXT + SHORT + OPERATOR, b_plan=""), "new.toml"))
    report = diff_tenants(old, new, ["7123", "0", "8123", "1234"])
    by_target: dict[tuple[str, ...], dict[str, str]] = {}
    for change in report.changes:
        by_target.setdefault(change.target.users, {})[change.dialed_number] = str(change.cause.kind)

    a = by_target[("a@t.com",)]
    assert a == {dialed: "reordered" for dialed in report.dial_strings if re.fullmatch(r"7\d{3}", dialed)} | {
        "0": "added"
    }
    assert set(by_target[("b@t.com",)].values()) == {"reassigned"}
    assert {"8123", "1234"} <= set(by_target[("b@t.com",)])
    reorder = next(c for c in report.changes if c.dialed_number == "7123" and c.target.users == ("a@t.com",))
    assert reorder.cause.rule == "Ext" and (reorder.old.matching_rule, reorder.new.matching_rule) == ("Short", "Ext")
    assert (reorder.old.call_type, reorder.new.call_type) == ("domestic", "extension")
    reassigned = next(c for c in report.rule_changes if c.kind is ChangeKind.REASSIGNED)
    assert reassigned.describe() == "reassigned: b@t.com: dial plan Sales -> Global"


def test_a_service_rule_shadowed_by_an_edit_counts_as_the_edit() -> None:
    plan = DialPlan("Global", Scope.TENANT_GLOBAL, (NormalizationRule("Ext", r"^(7\d{3})$", "+1425556$1"),))
    wider = DialPlan("Global", Scope.TENANT_GLOBAL, (NormalizationRule("Ext", r"^(\d{4,11})$", "+1425556$1"),))
    users = (User("a@t.com", "US"),)
    report = diff_tenants(Tenant("T", (plan,), users), Tenant("T", (wider,), users), ["14255550100"], witnesses=False)
    (change,) = report.changes
    assert (change.old.matching_rule, change.new.matching_rule) == ("US Long Distance", "Ext")
    assert (str(change.cause.kind), change.cause.rule) == ("edited", "Ext")


def mutate(rules: tuple[NormalizationRule, ...], draw: st.DrawFn) -> tuple[NormalizationRule, ...]:
    changed = list(rules)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["remove", "swap", "edit", "add"]))
        if action == "remove" and len(changed) > 1:
            del changed[draw(st.integers(0, len(changed) - 1))]
        elif action == "swap" and len(changed) > 1:
            i, j = draw(st.integers(0, len(changed) - 1)), draw(st.integers(0, len(changed) - 1))
            changed[i], changed[j] = changed[j], changed[i]
        elif action == "edit":
            i = draw(st.integers(0, len(changed) - 1))
            changed[i] = NormalizationRule(changed[i].name, changed[i].pattern, "+9" + changed[i].translation)
        else:
            changed.insert(draw(st.integers(0, len(changed))), NormalizationRule(f"New{len(changed)}", r"^(\d{3})$", "+1$1"))
    return tuple(changed)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), rules=rule_lists(), texts=st.lists(dial_strings, max_size=6))
def test_every_changed_result_has_a_rule_change_as_its_cause(
    data: st.DataObject, rules: tuple[NormalizationRule, ...], texts: list[str]
) -> None:
    users = (User("a@t.com", "GB"),)
    old = Tenant("T", (DialPlan("Global", Scope.TENANT_GLOBAL, rules),), users)
    new_rules = mutate(rules, data.draw)
    new = Tenant("T", (DialPlan("Global", Scope.TENANT_GLOBAL, new_rules),), users)
    report = diff_tenants(old, new, texts)
    for change in report.changes:
        assert change.cause in report.rule_changes
        assert change.cause.kind is not ChangeKind.UNEXPLAINED
    if new_rules == rules:
        assert not report.changes


def test_diff_cli_takes_max_rules_and_skips_a_stray_suite_that_is_not_utf_8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = "".join(
        f"[[dial_plans.rules]]\nname = \"R{i}\"\npattern = '^{i}(\\d+)$'\ntranslation = '+1$1'\n"
        for i in range(26)
    )
    old = tmp_path / "old.toml"
    old.write_text(f'[[dial_plans]]\nidentity = "P"\n{rules}', encoding="utf-8")
    new = tmp_path / "new.toml"
    new.write_text(old.read_text(encoding="utf-8").replace("'+1$1'", "'+2$1'", 1), encoding="utf-8")
    (tmp_path / "stray-tests.toml").write_bytes(b"\xff\xfe[[cases]]\n")
    assert main(["diff", str(old), str(new), "--location", "US"]) == 2
    assert "more than the limit of 25" in capsys.readouterr().err
    assert main(["diff", str(old), str(new), "--location", "US", "--max-rules", "26", "--fail-on-change"]) == 1
    assert "edited rule 'R0' of plan P" in capsys.readouterr().out


def test_dial_strings_with_nothing_to_dial_are_not_run() -> None:
    users = (User("a@t.com", "GB"),)
    old_rules = (NormalizationRule("E", "^0?$", "+441234567890"),)
    new_rules = (NormalizationRule("E", "^0?$", "+441234567891"),)
    old = Tenant("T", (DialPlan("Global", Scope.TENANT_GLOBAL, old_rules),), users)
    new = Tenant("T", (DialPlan("Global", Scope.TENANT_GLOBAL, new_rules),), users)
    report = diff_tenants(old, new, ["", " - ", "0"])
    assert all(clean(dialed) for dialed in report.dial_strings)
    assert {change.dialed_number for change in report.changes} == {"0"}


def test_default_targets_are_the_users_pairs_and_each_plan_in_its_own_country(variant: Path) -> None:
    old, new = load_tenant(CONTOSO), load_tenant(variant)
    report = diff_tenants(old, new, ["3949"], witnesses=False)
    assert {(t.new_region, t.new_plan) for t in report.targets} == {("GB", None), ("FR", PARIS)}
    everywhere = diff_tenants(old, new, ["3949"], witnesses=False, all_targets=True)
    pairs = {(t.new_region, t.new_plan) for t in everywhere.targets}
    assert pairs == {("GB", None), ("FR", PARIS), ("GB", PARIS), ("FR", None)}
    # Nobody in GB has the Paris plan: only --all-targets reports it.
    assert any(c.target.new_region == "GB" for c in everywhere.changes)
    assert not any(c.target.new_region == "GB" for c in report.changes)


def test_a_plan_without_users_runs_in_its_own_country() -> None:
    from normalizer.models import DialPlan, NormalizationRule, Scope
    from normalizer.quality.diff import plan_regions

    rule = NormalizationRule(name="R", pattern=r"^(\d{4})$", translation="+4930$1")
    assert plan_regions(DialPlan("Berlin-HQ", Scope.TENANT_USER, (rule,))) == ("DE",)
    assert plan_regions(DialPlan("NL-Amsterdam", Scope.TENANT_USER, (rule,))) == ("NL",)
    assert plan_regions(DialPlan("Global-ish", Scope.TENANT_USER, ())) == ()
