"""Every error path of the service: the one body shape, the error table, limits, junk input."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.errors import ERRORS, answer_for
from normalizer import DialplanError, DialplanInputError, DialplanLookupError, UnknownPlanError

MARCEL = "marcel.beauchamp@contoso.com"
KEYS = {"error", "detail", "plan", "rule", "field"}


def tenant(pattern: str, translation: str = "+$1", name: str = "Evil") -> dict[str, Any]:
    return {"dial_plans": [{"identity": "Global", "rules": [{"name": name, "pattern": pattern, "translation": translation}]}]}


def simulate(dialed: str, document: dict[str, Any], **case: Any) -> dict[str, Any]:
    return {"tenant": document, "cases": [{"dialed_number": dialed, "usage_location": "FR", **case}]}


def check(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == KEYS
    assert body["error"] == error, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in body["detail"]
    return body


@pytest.mark.parametrize(
    ("method", "path", "payload", "status", "error", "field"),
    [
        pytest.param("post", "/v1/normalize", {"dialed_number": "1", "user": "nobody@contoso.com"}, 404, "unknown_user", None, id="unknown-user"),
        pytest.param("post", "/v1/normalize", {"dialed_number": "1", "usage_location": "XX"}, 404, "unknown_region", "usage_location", id="unknown-region"),
        pytest.param("post", "/v1/normalize", {"dialed_number": "1", "usage_location": "FR", "dial_plan": "Nope"}, 404, "unknown_dial_plan", None, id="unknown-plan"),
        pytest.param("post", "/v1/normalize", {"dialed_number": "1", "user": MARCEL, "usage_location": "FR"}, 422, "invalid_input", None, id="user-and-location"),
        pytest.param("post", "/v1/normalize", {"dialed_number": "1"}, 422, "invalid_input", None, id="no-target"),
        pytest.param("post", "/v1/normalize", {"dialed_number": "1", "dial_plan": "FR-Paris-Issy-39qdPR"}, 422, "invalid_input", None, id="plan-without-location"),
        pytest.param("post", "/v1/normalize", {"dialed_number": 7123, "user": MARCEL}, 422, "invalid_request", "dialed_number", id="number-not-text"),
        pytest.param("post", "/v1/normalize", {"user": MARCEL}, 422, "invalid_request", "dialed_number", id="missing-number"),
        pytest.param("post", "/v1/normalize", {"dialed_number": "", "user": MARCEL}, 422, "invalid_request", "dialed_number", id="empty-number"),
        pytest.param("post", "/v1/normalize", {"dialed_number": " - ", "user": MARCEL}, 422, "invalid_input", "dialed_number", id="only-separators"),
        pytest.param("post", "/v1/normalize", {"dialed_number": "1", "user": MARCEL, "trace": "yes"}, 422, "invalid_request", "trace", id="trace-not-bool"),
        pytest.param("post", "/v1/normalize", {"dialed_number": "1", "user": ["a"]}, 422, "invalid_request", "user", id="user-not-text"),
        pytest.param("post", "/v1/normalize", {"dialled_number": "1", "user": MARCEL}, 422, "invalid_request", "dialed_number", id="misspelt-key"),
        pytest.param("post", "/v1/normalize", [], 422, "invalid_request", None, id="array-body"),
        pytest.param("post", "/v1/normalize", "7123", 422, "invalid_request", None, id="string-body"),
        pytest.param("post", "/v1/normalize", None, 422, "invalid_request", None, id="null-body"),
        pytest.param("post", "/v1/normalize/batch", {"items": {"dialed_number": "1"}}, 422, "invalid_request", "items", id="items-not-a-list"),
        pytest.param("post", "/v1/normalize/batch", {"items": [{"dialed_number": "1", "user": MARCEL}, {"dialed_number": 2}]}, 422, "invalid_request", "items[1].dialed_number", id="bad-item"),
        pytest.param("post", "/v1/simulate", {"tenant": [], "cases": []}, 422, "invalid_request", "tenant", id="tenant-not-an-object"),
        pytest.param("post", "/v1/simulate", {"cases": []}, 422, "invalid_request", "tenant", id="no-tenant"),
        pytest.param("post", "/v1/lint", [], 422, "invalid_request", None, id="lint-array"),
        pytest.param("post", "/v1/lint", {"dial_plans": [{"identity": "P", "rules": [{"name": "R"}]}]}, 422, "invalid_tenant_document", "pattern", id="lint-rule-without-pattern"),
        pytest.param("post", "/v1/lint", {"plans": []}, 422, "invalid_tenant_document", "plans", id="lint-unknown-key"),
        pytest.param("get", "/v1/users/nobody@contoso.com/effective-dial-plan", None, 404, "unknown_user", None, id="get-unknown-user"),
        pytest.param("get", "/v1/dial-plans/Nope", None, 404, "unknown_dial_plan", None, id="get-unknown-plan"),
        pytest.param("get", "/v1/service-dial-plans/XX", None, 404, "unknown_region", "usage_location", id="get-unknown-service-plan"),
        pytest.param("get", "/v1/regions/XX/effective-dial-plan", None, 404, "unknown_region", "usage_location", id="get-unknown-region"),
        pytest.param("get", "/v1/regions/FR/effective-dial-plan?dial_plan=Nope", None, 404, "unknown_dial_plan", None, id="get-region-unknown-plan"),
        pytest.param("get", "/v1/nothing-here", None, 404, "not_found", None, id="unknown-route"),
        pytest.param("get", "/v1/normalize", None, 405, "method_not_allowed", None, id="wrong-method"),
    ],
)
def test_error_paths(api_client, method: str, path: str, payload: Any, status: int, error: str, field: str | None) -> None:  # type: ignore[no-untyped-def]
    if method == "post":
        response = api_client.post(path, content=json.dumps(payload), headers={"content-type": "application/json"})
    else:
        response = api_client.get(path)
    body = check(response, status, error)
    assert body["field"] == field


def test_unknown_user_detail_names_no_server_path(api_client) -> None:  # type: ignore[no-untyped-def]
    body = api_client.post("/v1/normalize", json={"dialed_number": "1", "user": "x@contoso.com"}).json()
    assert body["detail"] == "user 'x@contoso.com' does not exist in tenant 'Contoso'"
    assert "contoso.toml" not in json.dumps(body)


@pytest.mark.parametrize(
    ("content", "content_type", "error"),
    [
        pytest.param(b'{"dialed_number": "7123",', "application/json", "malformed_json", id="truncated"),
        pytest.param(b"{'dialed_number': '7123'}", "application/json", "malformed_json", id="single-quotes"),
        pytest.param(b'{"dialed_number": NaN}', "application/json", "invalid_request", id="nan"),
        pytest.param(b"\xff\xfe\x00junk", "application/json", "malformed_json", id="not-utf8"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "application/json", "malformed_json", id="deeply-nested"),
        pytest.param(b"dialed_number=7123", "application/x-www-form-urlencoded", "invalid_request", id="form-body"),
        pytest.param(b'{"dialed_number": "7123", "user": "marcel.beauchamp@contoso.com"}', "text/plain", "invalid_request", id="not-json-type"),
        pytest.param(b"", "application/json", "invalid_request", id="empty-body"),
    ],
)
def test_malformed_bodies_are_422(api_client, content: bytes, content_type: str, error: str) -> None:  # type: ignore[no-untyped-def]
    response = api_client.post("/v1/normalize", content=content, headers={"content-type": content_type})
    check(response, 422, error)


@pytest.mark.parametrize(
    ("document", "error", "plan", "rule", "field"),
    [
        pytest.param(tenant("^(\\d+$"), "invalid_pattern", "Global", "Evil", "pattern", id="pattern-does-not-compile"),
        pytest.param(tenant("[a-z-[aeiou]]"), "invalid_pattern", "Global", "Evil", "pattern", id="class-subtraction"),
        pytest.param(tenant("(1)", "$99999999999"), "invalid_translation", "Global", "Evil", "translation", id="translation-group-overflow"),
        pytest.param({"dial_plans": [{"identity": "P", "rules": [{"name": "R", "pattern": 5, "translation": "+1"}]}]}, "invalid_tenant_document", "P", "R", "pattern", id="pattern-not-text"),
        pytest.param({"dial_plans": [{"identity": "P", "rules": [{"name": "R", "pattern": "1", "translation": "+1", "colour": "red"}]}]}, "invalid_tenant_document", "P", "R", "colour", id="unknown-rule-key"),
        pytest.param({"dial_plans": "P"}, "invalid_tenant_document", None, None, "dial_plans", id="plans-not-a-list"),
        pytest.param({"users": [{"usage_location": "FR"}]}, "invalid_tenant_document", None, None, "upn", id="user-without-upn"),
        pytest.param({"tenant": "x"}, "invalid_tenant_document", None, None, None, id="header-not-a-table"),
        pytest.param({"tenant": {"max_rules": 0}}, "invalid_tenant_document", None, None, "max_rules", id="max-rules-zero"),
        pytest.param({"dial_plans": [{"identity": "P", "rules": [{"name": f"R{i}", "pattern": "1", "translation": "+1"} for i in range(26)]}]}, "invalid_tenant", "P", None, "rules", id="too-many-rules"),
    ],
)
def test_simulate_names_the_plan_rule_and_field_of_a_broken_tenant(
    api_client, document: dict[str, Any], error: str, plan: str | None, rule: str | None, field: str | None
) -> None:  # type: ignore[no-untyped-def]
    body = check(api_client.post("/v1/simulate", json=simulate("1", document)), 422, error)
    assert (body["plan"], body["rule"], body["field"]) == (plan, rule, field)


def test_simulate_case_errors_name_the_case(api_client) -> None:  # type: ignore[no-untyped-def]
    payload = {
        "tenant": tenant("^1$"),
        "cases": [{"dialed_number": "1", "usage_location": "FR"}, {"dialed_number": "1", "user": "ghost@example.com"}],
    }
    body = check(api_client.post("/v1/simulate", json=payload), 404, "unknown_user")
    assert body["detail"].startswith("cases[1]: user 'ghost@example.com' does not exist")


def test_batch_item_errors_name_the_item(api_client) -> None:  # type: ignore[no-untyped-def]
    items = [{"dialed_number": "1", "user": MARCEL}, {"dialed_number": "1", "usage_location": "XX"}]
    body = check(api_client.post("/v1/normalize/batch", json={"items": items}), 404, "unknown_region")
    assert body["detail"].startswith("items[1]: field 'usage_location': unknown region 'XX'")


# Catastrophic patterns for a backtracking engine. The `regex` module takes
# `^(\d+)+$` in quadratic time and `^(\d|\d)+$` in exponential time; being
# regular, they run in RE2 (`normalizer.dotnet.linear`), in linear time, and
# get their right answer.
REGULAR = [
    pytest.param(r"^(\d+)+$", "1" * 8000 + "x", id="nested-plus-long-string"),
    pytest.param(r"^(\d|\d)+$", "1" * 40 + "x", id="alternation-short-string"),
    pytest.param(r"(\d+)+$", "1" * 8000 + "x", id="unanchored"),
]
# With a backreference a pattern is not regular; without a proven bound on its
# work it is refused before it runs, whatever the length and the load.
NOT_REGULAR = [
    pytest.param(r"^(\d+)+\1$", "1" * 8000 + "x", id="nested-plus-long-string"),
    pytest.param(r"^(\d|\d)+\1$", "1" * 40 + "x", id="alternation-short-string"),
    pytest.param(r"(\d+)+\1$", "1" * 8000 + "x", id="unanchored"),
]


@pytest.mark.parametrize(("pattern", "dialed"), REGULAR)
@pytest.mark.parametrize("trace", [False, True], ids=["plain", "trace"])
def test_catastrophic_regular_pattern_gets_its_answer_within_a_second(api_client, pattern: str, dialed: str, trace: bool) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    response = api_client.post("/v1/simulate", json=simulate(dialed, tenant(pattern), trace=trace))
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    result = response.json()["results"][0]
    assert (result["matching_rule"], result["final_number"]) == (None, "+33" + dialed)
    assert elapsed < 1.0


@pytest.mark.parametrize(("pattern", "dialed"), NOT_REGULAR)
@pytest.mark.parametrize("trace", [False, True], ids=["plain", "trace"])
def test_catastrophic_pattern_that_is_not_regular_is_refused_the_same_way_every_time(api_client, pattern: str, dialed: str, trace: bool) -> None:  # type: ignore[no-untyped-def]
    answers = []
    for _ in range(3):
        started = time.monotonic()
        response = api_client.post("/v1/simulate", json=simulate(dialed, tenant(pattern), trace=trace))
        assert time.monotonic() - started < 1.0
        answers.append(check(response, 422, "regex_timeout"))
    assert answers[0] == answers[1] == answers[2]
    assert (answers[0]["plan"], answers[0]["rule"], answers[0]["field"]) == ("Global", "Evil", "pattern")
    assert answers[0]["detail"].startswith("cases[0]: ")
    assert f"cannot be proven to finish within the work budget (1,000,000 steps, from a regex timeout of 0.1 s) on a dial string of {len(dialed):,} characters" in answers[0]["detail"]


def test_the_served_tenant_still_answers_after_a_catastrophic_simulation(api_client) -> None:  # type: ignore[no-untyped-def]
    api_client.post("/v1/simulate", json=simulate("1" * 40 + "x", tenant(r"^(\d|\d)+\1$")))
    assert api_client.post("/v1/normalize", json={"dialed_number": "7123", "user": MARCEL}).status_code == 200


def test_a_batch_stops_at_the_request_time_limit(client_with) -> None:  # type: ignore[no-untyped-def]
    """The request's time limit is checked between items (and passes); it never
    shortens a pattern's budget, which is work."""
    client = client_with(max_request_seconds=0.02)
    items = [{"dialed_number": "1" * 8001, "user": MARCEL}] * 480
    started = time.monotonic()
    response = client.post("/v1/normalize/batch", json={"items": items})
    assert time.monotonic() - started < 3.0
    body = check(response, 422, "time_limit_exceeded")
    assert body["detail"].startswith("items[")


def test_lint_of_an_exploding_automaton_is_stopped_at_the_time_limit(client_with) -> None:  # type: ignore[no-untyped-def]
    client = client_with(max_request_seconds=1.0)
    # Start the child processes' server first: it takes a second of its own.
    assert client.post("/v1/lint", json=tenant(r"^(\d{3})$")).status_code == 200
    # Lint builds this pattern's automaton: exponential in the repeat count.
    started = time.monotonic()
    response = client.post("/v1/lint", json=tenant(r"^\d*1\d{16}$"))
    assert time.monotonic() - started < 3.0
    assert response.status_code == 200  # the lint ran: the limit is the server's, not the client's mistake
    (stopped,) = [f for f in response.json()["findings"] if f["code"] == "analysis-time-limit"]
    assert "building the automaton of its pattern" in stopped["message"]
    assert client.post("/v1/lint", json=tenant(r"^(\d{3})$")).status_code == 200


def test_lint_when_every_worker_is_busy_is_503(client_with) -> None:  # type: ignore[no-untyped-def]
    from api import isolation

    client = client_with(max_request_seconds=0.2)
    taken = [isolation._slots.acquire(blocking=False) for _ in range(isolation.SLOTS)]
    try:
        assert all(taken)
        check(client.post("/v1/lint", json=tenant(r"^(\d{3})$")), 503, "busy")
    finally:
        for _ in taken:
            isolation._slots.release()


def test_time_limit_exceeded(client_with) -> None:  # type: ignore[no-untyped-def]
    client = client_with(max_request_seconds=1e-9)
    body = check(
        client.post("/v1/normalize/batch", json={"items": [{"dialed_number": "1", "user": MARCEL}]}),
        422,
        "time_limit_exceeded",
    )
    assert body["detail"].startswith("items[0]: the request ran past its limit")


def test_dial_string_longer_than_the_limit(client_with) -> None:  # type: ignore[no-untyped-def]
    client = client_with(max_dialed_length=10)
    assert client.post("/v1/normalize", json={"dialed_number": "1" * 10, "user": MARCEL}).status_code == 200
    body = check(client.post("/v1/normalize", json={"dialed_number": "1" * 11, "user": MARCEL}), 422, "invalid_input")
    assert body["field"] == "dialed_number"
    assert "limit of 10" in body["detail"]


@pytest.mark.parametrize(
    ("path", "key"),
    [("/v1/normalize/batch", "items"), ("/v1/simulate", "cases")],
)
def test_oversized_batches_are_refused(client_with, path: str, key: str) -> None:  # type: ignore[no-untyped-def]
    client = client_with(max_batch_items=3)
    items = [{"dialed_number": "1", "usage_location": "FR"}] * 4
    payload: dict[str, Any] = {key: items}
    if key == "cases":
        payload["tenant"] = {}
    body = check(client.post(path, json=payload), 422, "too_many_items")
    assert body["field"] == key
    assert client.post(path, json={**payload, key: items[:3]}).status_code == 200


def test_default_batch_limit_is_ten_thousand(api_client) -> None:  # type: ignore[no-untyped-def]
    items = [{"dialed_number": "1", "usage_location": "FR"}] * 10_001
    check(api_client.post("/v1/normalize/batch", json={"items": items}), 422, "too_many_items")


def test_huge_body_with_a_length_is_413(client_with) -> None:  # type: ignore[no-untyped-def]
    client = client_with(max_body_bytes=1000)
    padding = "1" * 2000
    response = client.post("/v1/normalize", json={"dialed_number": padding, "user": MARCEL})
    check(response, 413, "request_too_large")
    assert client.post("/v1/normalize", json={"dialed_number": "7123", "user": MARCEL}).status_code == 200


def test_huge_streamed_body_is_413(client_with) -> None:  # type: ignore[no-untyped-def]
    client = client_with(max_body_bytes=1000)

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"dialed_number": "'
        for _ in range(100):
            yield b"1" * 100
        yield b'", "user": "marcel.beauchamp@contoso.com"}'

    response = client.post("/v1/normalize", content=chunks(), headers={"content-type": "application/json"})
    check(response, 413, "request_too_large")


def test_default_body_limit(api_client) -> None:  # type: ignore[no-untyped-def]
    content = b'{"dialed_number": "' + b"1" * (5 * 1024 * 1024) + b'"}'
    check(api_client.post("/v1/normalize", content=content, headers={"content-type": "application/json"}), 413, "request_too_large")


def test_bad_content_length_is_400(api_client) -> None:  # type: ignore[no-untyped-def]
    response = api_client.post("/v1/normalize", content=b"{}", headers={"content-type": "application/json", "content-length": "x"})
    check(response, 400, "bad_request")


def test_the_table_maps_every_core_error_to_404_or_422() -> None:
    import normalizer.errors as core

    classes = [
        value
        for value in vars(core).values()
        if isinstance(value, type) and issubclass(value, DialplanError)
    ]
    for cls in classes:
        status, body = answer_for(cls("x"))
        assert status == (404 if issubclass(cls, DialplanLookupError) else 422), cls
        assert body["error"] == next(ERRORS[c][1] for c in cls.__mro__ if c in ERRORS)
    status, body = answer_for(UnknownPlanError("gone", plan="P", rule="R", rule_index=2, field="dial_plan", file="/srv/t.toml"))
    assert status == 404
    assert body == {
        "error": "unknown_dial_plan",
        "detail": "plan 'P' rule 'R' (rules[2]): field 'dial_plan': gone",
        "plan": "P",
        "rule": "R",
        "field": "dial_plan",
    }


def test_a_new_core_error_subclass_inherits_its_parents_answer() -> None:
    class Odd(DialplanInputError):
        pass

    assert answer_for(Odd("x"))[0] == 422


def test_the_catch_all_answers_the_same_shape(client_with) -> None:  # type: ignore[no-untyped-def]
    client = client_with()

    @client.app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    body = check(client.get("/boom"), 500, "internal_error")
    assert "a bug" not in body["detail"]


# Junk never reaches the catch-all: any JSON at all, or any bytes, gets a 4xx.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
keys = st.sampled_from(["dialed_number", "user", "usage_location", "dial_plan", "trace", "tenant_scope_only"])
near_cases = st.dictionaries(keys, json_values | st.sampled_from(["7123", MARCEL, "FR", "FR-Paris-Issy-39qdPR", True]), max_size=6)
near_tenants = st.fixed_dictionaries(
    {},
    optional={
        "tenant": st.dictionaries(st.sampled_from(["name", "max_rules"]), json_values, max_size=2),
        "dial_plans": st.lists(
            st.dictionaries(
                st.sampled_from(["identity", "rules", "description"]),
                json_values
                | st.lists(
                    st.dictionaries(st.sampled_from(["name", "pattern", "translation", "is_internal_extension"]), json_values | st.sampled_from([r"^(\d+)$", "(", "$1", "+$2", "[", "\\"]), max_size=4),
                    max_size=3,
                ),
                max_size=3,
            ),
            max_size=2,
        ),
        "users": st.lists(st.dictionaries(st.sampled_from(["upn", "usage_location", "dial_plan"]), json_values, max_size=3), max_size=2),
    },
)
bodies = st.one_of(
    st.tuples(st.just("/v1/normalize"), near_cases | json_values),
    st.tuples(st.just("/v1/normalize/batch"), st.fixed_dictionaries({"items": st.lists(near_cases, max_size=3)}) | json_values),
    st.tuples(st.just("/v1/simulate"), st.fixed_dictionaries({"tenant": near_tenants, "cases": st.lists(near_cases, max_size=2)}) | json_values),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bodies)
def test_junk_json_never_gets_a_500(api_client, request_body: tuple[str, Any]) -> None:  # type: ignore[no-untyped-def]
    path, payload = request_body
    response = api_client.post(path, content=json.dumps(payload), headers={"content-type": "application/json"})
    assert response.status_code in {200, 404, 422}, (payload, response.text)
    if response.status_code != 200:
        assert set(response.json()) == KEYS


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["/v1/normalize", "/v1/normalize/batch", "/v1/simulate", "/v1/lint"]), st.binary(max_size=200))
def test_junk_bytes_never_get_a_500(api_client, path: str, content: bytes) -> None:  # type: ignore[no-untyped-def]
    response = api_client.post(path, content=content, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert set(response.json()) == KEYS


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(near_tenants | json_values)
def test_junk_tenants_never_get_a_500_from_lint(api_client, document: Any) -> None:  # type: ignore[no-untyped-def]
    response = api_client.post("/v1/lint", content=json.dumps(document), headers={"content-type": "application/json"})
    assert response.status_code in {200, 422}, (document, response.text)
