"""Teams JSON: the shapes ConvertTo-Json prints, errors, the round trip, a real-world dump."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from normalizer import (
    DialplanInputError,
    Simulator,
    TenantFileError,
    load_tenant,
    tenant_from_teams_json,
    tenant_to_teams_json,
)
from normalizer.formats.teams_json import parse_rule_string, tenant_from_teams_data
from normalizer.models import Tenant
from tests.strategies import tenants

FIXTURES = Path(__file__).parent / "fixtures"
RULE = {
    "Description": "d",
    "Pattern": "^(\\d{4})$",
    "Translation": "+1425555$1",
    "Name": "Ext",
    "IsInternalExtension": True,
}


@settings(deadline=None)
@given(tenants(licences=True))
def test_tenant_to_json_and_back_is_the_same_tenant(tenant: Tenant) -> None:
    assert tenant_from_teams_json(tenant_to_teams_json(tenant), name=tenant.name) == tenant


def test_written_json_is_shaped_as_teams_prints_it(contoso: Tenant) -> None:
    data = json.loads(tenant_to_teams_json(contoso))
    plan = data[0]
    assert list(plan) == [
        "Identity",
        "Description",
        "NormalizationRules",
        "ExternalAccessPrefix",
        "SimpleName",
        "OptimizeDeviceDialing",
    ]
    assert plan["Identity"] == "Tag:FR-Paris-Issy-39qdPR"
    assert list(plan["NormalizationRules"][0]) == [
        "Description",
        "Pattern",
        "Translation",
        "Name",
        "IsInternalExtension",
    ]
    assert data[-2] == {
        "UserPrincipalName": "isabell.potvin@contoso.com",
        "UsageLocation": "FR",
        "TenantDialPlan": "FR-Paris-Issy-39qdPR",
        "CallingPlan": "domestic-1200",
    }
    assert data[1]["LineUri"] == "tel:+442079460034" and data[1]["CommunicationsCredits"] is True
    assert data[-1] == {
        "CommunicationsCreditsSettings": {"balance": 1000.0, "currency": "USD", "recharge_below": 400.0}
    }


@pytest.mark.parametrize(
    ("data", "identity", "rule"),
    [
        pytest.param(
            {"Identity": "Global", "NormalizationRules": [RULE]}, "Global", RULE, id="one-object"
        ),
        pytest.param(
            [{"Identity": "Tag:P", "NormalizationRules": [RULE]}], "P", RULE, id="array-and-tag"
        ),
        pytest.param(
            {"Identity": "P", "NormalizationRules": RULE}, "P", RULE, id="single-rule-unwrapped"
        ),
        pytest.param(
            {"identity": "P", "normalizationrules": [{k.lower(): v for k, v in RULE.items()}]},
            "P",
            RULE,
            id="any-case",
        ),
        pytest.param(
            {
                "Identity": "P",
                "NormalizationRules": [
                    "Description=d;Pattern=^(\\d{4})$;Translation=+1425555$1;Name=Ext;IsInternalExtension=True"
                ],
            },
            "P",
            RULE,
            id="printed-rule-string",
        ),
        pytest.param(
            {
                "Identity": "P",
                "NormalizationRules": [{**RULE, "IsInternalExtension": "True", "Priority": 0}],
                "Key": "[...]",
                "XsAnyElements": None,
                "Element": "<x/>",
            },
            "P",
            RULE,
            id="extra-properties-ignored",
        ),
        pytest.param(
            {"SimpleName": "Effective", "NormalizationRules": [RULE]},
            "Effective",
            RULE,
            id="effective-plan-without-identity",
        ),
    ],
)
def test_shapes(data: Any, identity: str, rule: dict[str, Any]) -> None:
    plan = tenant_from_teams_data(data).plan(identity)
    found = plan.rules[0]
    assert (
        found.name,
        found.description,
        found.pattern,
        found.translation,
        found.is_internal_extension,
    ) == (
        rule["Name"],
        rule["Description"],
        rule["Pattern"],
        rule["Translation"],
        rule["IsInternalExtension"],
    )


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        (
            "Description=;Pattern=^(\\d{4})$;Translation=+1$1;Name=N;IsInternalExtension=False",
            {
                "Description": "",
                "Pattern": "^(\\d{4})$",
                "Translation": "+1$1",
                "Name": "N",
                "IsInternalExtension": "False",
            },
        ),
        pytest.param(
            "Description=;Pattern=^((\\+)?(\\d+))(;)?(ext)(=)?(\\d+)$;Translation=$1;ext=$7;Name=GB Extension Rule;IsInternalExtension=False",
            {
                "Pattern": "^((\\+)?(\\d+))(;)?(ext)(=)?(\\d+)$",
                "Translation": "$1;ext=$7",
                "Name": "GB Extension Rule",
            },
            id="semicolons-and-equals-inside",
        ),
        pytest.param(
            "Description=see ;Name=x below;Pattern=^1$;Translation=1;Name=Real;IsInternalExtension=True",
            {"Description": "see ;Name=x below", "Name": "Real"},
            id="key-out-of-order-is-text",
        ),
    ],
)
def test_parse_rule_string(text: str, fields: dict[str, str]) -> None:
    parsed = parse_rule_string(text)
    assert {key: parsed[key] for key in fields} == fields


def test_users_are_read_with_or_without_a_plan() -> None:
    tenant = tenant_from_teams_data(
        [
            {"Identity": "Tag:P", "NormalizationRules": [RULE]},
            {"UserPrincipalName": "a@x.com", "UsageLocation": "fr", "TenantDialPlan": "Tag:P"},
            {
                "UserPrincipalName": "b@x.com",
                "UsageLocation": "GB",
                "TenantDialPlan": None,
                "DisplayName": "B",
            },
        ]
    )
    assert [(u.upn, u.usage_location, u.dial_plan) for u in tenant.users] == [
        ("a@x.com", "FR", "P"),
        ("b@x.com", "GB", None),
    ]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        pytest.param([1], "[0] must be an object, not int", id="not-an-object"),
        pytest.param([{"Description": "x"}], "the object at [0] has no Identity", id="no-identity"),
        pytest.param(
            [{"Identity": "P"}, {"Identity": "Tag:p"}],
            "plan 'p': dial plan appears twice",
            id="twice",
        ),
        pytest.param(
            {"Identity": "P", "NormalizationRules": [{**RULE, "IsInternalExtension": "yes"}]},
            "plan 'P' rule 'Ext' (rules[0]): field 'IsInternalExtension': must be true or false",
            id="bad-flag",
        ),
        pytest.param(
            {"Identity": "P", "NormalizationRules": ["Rule=^1$"]},
            "a rule string does not start with",
            id="bad-string",
        ),
        pytest.param(
            {"Identity": "P", "NormalizationRules": [{"Pattern": "^1$"}]},
            "missing required key 'Name'",
            id="no-name",
        ),
        pytest.param(
            {"Identity": "P", "NormalizationRules": [{**RULE, "Pattern": "^(1$"}]},
            "plan 'P' rule 'Ext' (rules[0]): field 'pattern'",
            id="bad-pattern",
        ),
        pytest.param(
            {"UserPrincipalName": "a@x.com"},
            "user 'a@x.com' has no UsageLocation",
            id="user-without-location",
        ),
        pytest.param(
            {"Identity": "P", "NormalizationRules": [{"Name": "R", "Translation": "+1"}]},
            "plan 'P' rule 'R' (rules[0]): field 'Pattern': missing required key 'Pattern'",
            id="no-pattern",
        ),
        pytest.param(
            {"Identity": "P", "NormalizationRules": [{"Name": "R", "Pattern": "^1$"}]},
            "plan 'P' rule 'R' (rules[0]): field 'Translation': missing required key 'Translation'",
            id="no-translation",
        ),
        pytest.param(
            {"Identity": "P", "NormalizationRules": ["Pattern=^1$;Description=d;Translation=+1;Name=R"]},
            "plan 'P' (rules[0]): a rule string has 'Pattern=' out of the order Teams prints",
            id="string-pattern-first",
        ),
        pytest.param(
            {
                "Identity": "P",
                "NormalizationRules": [
                    "IsInternalExtension=True;Description=d;Pattern=^1$;Translation=+1;Name=R"
                ],
            },
            "a rule string has 'IsInternalExtension=' out of the order Teams prints",
            id="string-flag-first",
        ),
    ],
)
def test_errors_are_located(data: Any, fragment: str) -> None:
    with pytest.raises(DialplanInputError) as caught:
        tenant_from_teams_data(data, source="d.json")
    assert str(caught.value).startswith("d.json: ") and fragment in str(caught.value)


def test_invalid_json_gives_line_column_and_caret() -> None:
    text = '[\n  {"Identity": "P"\n  "Description": "x"}\n]'
    with pytest.raises(TenantFileError) as caught:
        tenant_from_teams_json(text, source="d.json")
    assert str(caught.value).split("\n") == [
        "d.json: line 3, column 3: not valid JSON: Expecting ',' delimiter",
        '      "Description": "x"}',
        "      ^",
    ]
    assert (caught.value.line, caught.value.column) == (3, 3)


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16"], ids=["utf-8", "utf-8-bom", "utf-16-out-file"]
)
def test_files_as_windows_powershell_writes_them(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "plans.json"
    plan = {"Identity": "Tag:Zurich", "Description": "Zürich", "NormalizationRules": [RULE]}
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding=encoding)
    tenant = load_tenant(path)
    assert tenant.name == "plans" and tenant.dial_plans[0].description == "Zürich"


def test_dump_with_a_global_and_a_tag_plan_imports_and_normalizes() -> None:
    tenant = load_tenant(FIXTURES / "teams_dump.json")
    assert [(plan.identity, str(plan.scope)) for plan in tenant.dial_plans] == [
        ("Global", "tenant-global"),
        ("US-Seattle", "tenant-user"),
    ]
    assert tenant.plan("US-Seattle").rules[2].translation == "$1;ext=$7"
    simulator = Simulator(tenant)
    cases = [
        ("5123", None, "+14255555123", "US-HQ-Internal", "extension"),
        ("555-0100", None, "+14255550100", "US-425-Local", "domestic"),
        ("555-0100", "US-Seattle", "+12065550100", "US-206-Local", "domestic"),
        ("6001", "US-Seattle", "+12065556001", "US-Seattle-Internal", "extension"),
        ("+14255550100;ext=12", "US-Seattle", "+14255550100;ext=12", "US-Extension", "domestic"),
        # Seattle's plan replaces Global: 5123 is no headquarters extension there.
        ("5123", "US-Seattle", None, None, None),
    ]
    for dialed, plan, number, rule, call_type in cases:
        result = simulator.normalize(dialed, usage_location="US", dial_plan=plan)
        name = result.matching_rule.rule.name if result.matching_rule else None
        tenant_rule = result.matching_rule is None or result.matching_rule.dial_plan != "US"
        assert (
            result.translated_number if tenant_rule else None,
            name if tenant_rule else None,
        ) == (number, rule), dialed
        if call_type:
            assert str(result.call_type) == call_type, dialed
