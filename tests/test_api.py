"""The web service's endpoints, through FastAPI's TestClient, against the CLI's answers."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from pydantic import TypeAdapter

from api import schemas
from normalizer.cli import main

MARCEL = "marcel.beauchamp@contoso.com"
EMILY = "emily.braun@contoso.com"
PLAN = "FR-Paris-Issy-39qdPR"


def cli_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("body", "argv"),
    [
        pytest.param({"dialed_number": "7123", "user": MARCEL}, ["7123", "--user", MARCEL], id="extension"),
        pytest.param(
            {"dialed_number": "0800123456", "user": MARCEL.upper()},
            ["0800123456", "--user", MARCEL],
            id="upn-any-case",
        ),
        pytest.param(
            {"dialed_number": "3949", "usage_location": "FR", "dial_plan": PLAN, "trace": True},
            ["3949", "--location", "FR", "--dial-plan", PLAN, "--trace"],
            id="double-normalization-trace",
        ),
        pytest.param(
            {"dialed_number": "0145678900", "user": MARCEL, "tenant_scope_only": True},
            ["0145678900", "--user", MARCEL, "--tenant-scope-only"],
            id="tenant-scope-only",
        ),
        pytest.param(
            {"dialed_number": "2079460034", "user": EMILY}, ["2079460034", "--user", EMILY], id="no-match"
        ),
        pytest.param(
            {"dialed_number": "911", "usage_location": "us"}, ["911", "--location", "US"], id="emergency"
        ),
    ],
)
def test_normalize_answers_the_fields_of_the_cli_json(
    api_client, capsys: pytest.CaptureFixture[str], body: dict[str, Any], argv: list[str]
) -> None:  # type: ignore[no-untyped-def]
    response = api_client.post("/v1/normalize", json=body)
    assert response.status_code == 200
    answer = response.json()
    expected = cli_json(["normalize", *argv], capsys)
    # The CLI echoes the dial string as given; so does the API.
    assert answer == expected
    schemas.NormalizeResult.model_validate(answer)


def test_marcel_dials_7123(api_client) -> None:  # type: ignore[no-untyped-def]
    answer = api_client.post("/v1/normalize", json={"dialed_number": "7123", "user": MARCEL}).json()
    assert answer["translated_number"] == answer["final_number"] == "+33199997123"
    assert answer["matching_rule"]["name"] == "FR-39qdPR-Internal"
    assert answer["call_type"] == "extension"


def test_trace_marks_every_matching_rule_with_its_priority(api_client) -> None:  # type: ignore[no-untyped-def]
    answer = api_client.post(
        "/v1/normalize", json={"dialed_number": "0800123456", "user": MARCEL, "trace": True}
    ).json()
    first = answer["trace"][0]
    assert [(e["rule"], e["priority"]) for e in first["would_match"]] == [
        ("FR-TollFree", 1),
        ("FR Long Distance", 2),
    ]
    assert [e["rule"] for e in first["tried"]] == ["FR-39qdPR-Internal", "FR-TollFree"]


def test_batch_answers_in_order_as_single_requests_do(api_client) -> None:  # type: ignore[no-untyped-def]
    items = [
        {"dialed_number": "7123", "user": MARCEL},
        {"dialed_number": "0123456789", "user": EMILY},
        {"dialed_number": "3949", "usage_location": "FR", "dial_plan": PLAN.lower()},
        {"dialed_number": "7123", "user": MARCEL},
    ]
    response = api_client.post("/v1/normalize/batch", json={"items": items})
    assert response.status_code == 200
    results = response.json()["results"]
    singles = [api_client.post("/v1/normalize", json=item).json() for item in items]
    assert results == singles
    assert [r["final_number"] for r in results] == ["+33199997123", "+44123456789", "3949", "+33199997123"]
    schemas.BatchResponse.model_validate(response.json())


def test_batch_of_nothing(api_client) -> None:  # type: ignore[no-untyped-def]
    assert api_client.post("/v1/normalize/batch", json={"items": []}).json() == {"results": []}


def test_batch_takes_the_full_limit(api_client) -> None:  # type: ignore[no-untyped-def]
    items = [{"dialed_number": f"7{i % 1000:03d}", "user": MARCEL} for i in range(10_000)]
    response = api_client.post("/v1/normalize/batch", json={"items": items})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 10_000
    assert results[123]["final_number"] == "+33199997123"


def test_users(api_client, contoso) -> None:  # type: ignore[no-untyped-def]
    users = api_client.get("/v1/users").json()
    assert [u["upn"] for u in users] == [u.upn for u in contoso.users]
    assert {"upn": MARCEL, "usage_location": "FR", "dial_plan": PLAN} in users
    assert {"upn": EMILY, "usage_location": "GB", "dial_plan": None} in users


def test_user_effective_dial_plan_is_the_cli_one(api_client, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    answer = api_client.get(f"/v1/users/{MARCEL}/effective-dial-plan").json()
    assert answer == cli_json(["effective", "--user", MARCEL], capsys)
    assert answer["rules"][0]["name"] == "FR-39qdPR-Internal"
    assert answer["rules"][-1]["scope"] == "service"


def test_region_effective_dial_plan(api_client, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    answer = api_client.get("/v1/regions/fr/effective-dial-plan", params={"dial_plan": PLAN}).json()
    assert answer == cli_json(["effective", "--location", "FR", "--dial-plan", PLAN], capsys)
    without = api_client.get("/v1/regions/GB/effective-dial-plan").json()
    assert without["tenant_dial_plan"] is None
    assert [r["name"] for r in without["rules"]] == ["GB Intl Dialing", "GB Extension Rule", "GB Long Distance"]


def test_dial_plans(api_client) -> None:  # type: ignore[no-untyped-def]
    assert api_client.get("/v1/dial-plans").json() == [
        {
            "identity": PLAN,
            "scope": "tenant-user",
            "description": "39 quai du Président Roosevelt Issy-les-Moulineaux, France Dial Plan",
            "rule_count": 3,
        }
    ]
    plan = api_client.get(f"/v1/dial-plans/Tag:{PLAN.lower()}").json()
    assert plan["identity"] == PLAN
    assert [(r["name"], r["priority"]) for r in plan["rules"]] == [
        ("FR-39qdPR-Internal", 0),
        ("FR-TollFree", 1),
        ("FR-Service", 2),
    ]
    assert plan["rules"][0]["pattern"] == r"^(7\d{3})$"


def test_service_dial_plan_is_the_cli_one(api_client, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    answer = api_client.get("/v1/service-dial-plans/gb").json()
    expected = cli_json(["service-plan", "GB"], capsys)
    assert answer["identity"] == expected["identity"] == "GB"
    assert answer["region"] == "GB"
    assert answer["rules"] == expected["rules"]


def test_regions_are_the_cli_ones(api_client, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    regions = api_client.get("/v1/regions").json()
    # The service adds each region's CLDR territory name for the tester page.
    assert [{k: v for k, v in row.items() if k != "name"} for row in regions] == cli_json(["regions"], capsys)
    names = {row["region"]: row["name"] for row in regions}
    assert names["AC"] == "Ascension Island" and names["FR"] == "France"
    assert all(names.values())


def test_health(api_client) -> None:  # type: ignore[no-untyped-def]
    assert api_client.get("/health").json() == {"status": "ok", "tenant": "Contoso", "users": 6, "dial_plans": 1}


WHAT_IF = {
    "tenant": {"name": "What-if"},
    "dial_plans": [
        {
            "identity": "Global",
            "rules": [{"name": "G-Ext", "pattern": r"^(5\d{3})$", "translation": "+1425555$1", "is_internal_extension": True}],
        },
        {
            "identity": "Paris",
            "rules": [{"name": "P-Ext", "pattern": r"^(7\d{3})$", "translation": "+3314$1"}],
        },
    ],
    "users": [
        {"upn": "ana@example.com", "usage_location": "US"},
        {"upn": "marcel.beauchamp@contoso.com", "usage_location": "FR", "dial_plan": "Paris"},
    ],
}


def test_simulate_uses_the_posted_tenant_only(api_client) -> None:  # type: ignore[no-untyped-def]
    cases = [
        {"dialed_number": "5001", "user": "ana@example.com"},
        {"dialed_number": "7123", "user": MARCEL},
        {"dialed_number": "7123", "usage_location": "FR", "dial_plan": "paris", "trace": True},
        {"dialed_number": "5001", "usage_location": "US", "tenant_scope_only": True},
    ]
    response = api_client.post("/v1/simulate", json={"tenant": WHAT_IF, "cases": cases})
    assert response.status_code == 200
    answer = response.json()
    assert answer["tenant"] == "What-if"
    results = answer["results"]
    assert [r["final_number"] for r in results] == ["+14255555001", "+33147123", "+33147123", "+14255555001"]
    assert results[0]["matching_rule"]["scope"] == "tenant-global"
    assert results[2]["trace"][0]["matching_rule"] == "P-Ext"
    schemas.SimulateResponse.model_validate(answer)
    # The served tenant is untouched.
    served = api_client.post("/v1/normalize", json={"dialed_number": "7123", "user": MARCEL}).json()
    assert served["final_number"] == "+33199997123"
    assert "ana@example.com" not in [u["upn"] for u in api_client.get("/v1/users").json()]


def test_simulate_a_tenant_with_no_header_and_no_users(api_client) -> None:  # type: ignore[no-untyped-def]
    document = {"dial_plans": [{"identity": "P", "rules": [{"name": "R", "pattern": "^(1)$", "translation": "+441$1"}]}]}
    response = api_client.post(
        "/v1/simulate",
        json={"tenant": document, "cases": [{"dialed_number": "1", "usage_location": "GB", "dial_plan": "P"}]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["translated_number"] == "+4411"


def test_simulate_takes_the_documents_rule_limit_unless_the_settings_set_one(api_client, client_with) -> None:  # type: ignore[no-untyped-def]
    rules = [{"name": f"R{i}", "pattern": f"^{i}$", "translation": "+1"} for i in range(4)]
    case = [{"dialed_number": "1", "usage_location": "US", "dial_plan": "P"}]
    plans = [{"identity": "P", "rules": rules}]
    own_limit = {"tenant": {"max_rules": 3}, "dial_plans": plans}
    too_many = api_client.post("/v1/simulate", json={"tenant": own_limit, "cases": case})
    assert too_many.status_code == 422
    assert too_many.json()["error"] == "invalid_tenant"
    assert "limit of 3 rules" in too_many.json()["detail"]
    assert api_client.post("/v1/simulate", json={"tenant": {"dial_plans": plans}, "cases": case}).status_code == 200
    # A server started with a limit holds posted documents to it, whatever they say.
    strict = client_with(max_rules=3)  # the served Contoso plan has 3 rules
    roomy = {"tenant": {"max_rules": 50}, "dial_plans": plans}
    assert strict.post("/v1/simulate", json={"tenant": roomy, "cases": case}).status_code == 422


class _Labels(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("input", "select") and found.get("type") != "radio":
            self.fields.append(found.get("id") or "")
        if tag == "label" and found.get("for"):
            self.labelled.add(found["for"] or "")


def test_tester_page_is_plain_html_with_labelled_fields(api_client) -> None:  # type: ignore[no-untyped-def]
    page = api_client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    parser = _Labels()
    parser.feed(page.text)
    assert {"user", "region", "dial-plan", "dialed", "tenant-scope-only"} <= set(parser.fields)
    assert set(parser.fields) <= parser.labelled
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        response = api_client.get(asset)
        assert response.status_code == 200, asset
    assert api_client.get("/static/tester.js").headers["content-type"].startswith(("text/javascript", "application/javascript"))


def test_openapi_describes_every_endpoint(api_client) -> None:  # type: ignore[no-untyped-def]
    document = api_client.get("/openapi.json").json()
    paths = document["paths"]
    assert {
        "/v1/normalize",
        "/v1/normalize/batch",
        "/v1/simulate",
        "/v1/lint",
        "/v1/users",
        "/v1/users/{upn}/effective-dial-plan",
        "/v1/dial-plans",
        "/v1/dial-plans/{identity}",
        "/v1/service-dial-plans/{region}",
        "/v1/regions",
        "/v1/regions/{region}/effective-dial-plan",
        "/v1/tenant-files/read",
        "/v1/tenant-files/write",
        "/v1/tenant-files/served",
        "/v1/suites/parse",
        "/health",
    } <= set(paths)
    normalize = paths["/v1/normalize"]["post"]
    assert normalize["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/NormalizeResult")
    assert normalize["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert api_client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/v1/users", list[schemas.UserOut]),
        ("/v1/dial-plans", list[schemas.DialPlanSummary]),
        (f"/v1/dial-plans/{PLAN}", schemas.DialPlanOut),
        (f"/v1/users/{MARCEL}/effective-dial-plan", schemas.EffectiveDialPlanOut),
        ("/v1/service-dial-plans/AU", schemas.ServiceDialPlanOut),
        ("/v1/regions", list[schemas.RegionOut]),
        ("/health", schemas.Health),
    ],
)
def test_answers_match_their_documented_models(api_client, path: str, model: Any) -> None:  # type: ignore[no-untyped-def]
    answer = api_client.get(path).json()
    TypeAdapter(model).validate_python(answer)
    sample = answer[0] if isinstance(answer, list) else answer
    fields = (model.__args__[0] if isinstance(answer, list) else model).model_fields
    assert set(sample) == set(fields), "the model names every key the answer has"



def test_lint_answers_the_findings_of_the_cli(api_client, contoso, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    from normalizer import tenant_to_document

    response = api_client.post("/v1/lint", json=tenant_to_document(contoso))
    assert response.status_code == 200, response.text
    answer = response.json()
    schemas.LintResponse.model_validate(answer)
    main(["lint", "--json"])
    expected = json.loads(capsys.readouterr().out)
    # Witnesses drawn from an automaton may differ from one process to another
    # (string hashing); what is found, and where, may not.
    def where(finding: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(finding[key] for key in ("severity", "code", "plan", "rule", "rule_index", "field"))

    assert [where(finding) for finding in answer["findings"]] == [where(finding) for finding in expected]
    assert (answer["tenant"], answer["errors"], answer["warnings"]) == ("Contoso", 0, len(expected))


def test_lint_finds_a_shadowed_rule_with_a_witness(api_client) -> None:  # type: ignore[no-untyped-def]
    document = {
        "dial_plans": [
            {
                "identity": "P",
                "rules": [
                    {"name": "All", "pattern": r"^(\d+)$", "translation": "+$1"},
                    {"name": "Ext", "pattern": r"^(7\d{3})$", "translation": "+3314$1"},
                ],
            }
        ],
        "users": [{"upn": "a@example.com", "usage_location": "FR", "dial_plan": "P"}],
    }
    answer = api_client.post("/v1/lint", json=document).json()
    shadowed = [f for f in answer["findings"] if f["code"] == "shadowed" and f["rule"] == "Ext"]
    assert shadowed and shadowed[0]["severity"] == "warning"
    captures = [f["witness"] for f in answer["findings"] if f["code"] == "emergency-capture"]
    assert "112" in captures


def test_lint_reports_what_loading_would_reject_as_errors(api_client) -> None:  # type: ignore[no-untyped-def]
    rules = [{"name": f"R{i}", "pattern": f"^{i}(\\d+)$", "translation": "+$1"} for i in range(3)]
    document = {
        "tenant": {"max_rules": 2},
        "dial_plans": [{"identity": "P", "rules": [*rules, {"name": "Bad", "pattern": "(", "translation": "$1"}]}],
    }
    answer = api_client.post("/v1/lint", json=document).json()
    errors = {(f["code"], f["rule"], f["field"]) for f in answer["findings"] if f["severity"] == "error"}
    assert ("invalid-pattern", "Bad", "pattern") in errors
    assert any(code == "too-many-rules" for code, _, _ in errors), errors
    assert answer["errors"] == len(errors)
