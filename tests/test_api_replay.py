"""`POST /v1/calls/replay`: calls replayed against Calling Plans over HTTP, bounded like /v1/simulate."""

from __future__ import annotations

from typing import Any

import pytest

from api import schemas

LIDIA = "lidia.holloway@contoso.com"
PRADEEP = "pradeep.gupta@contoso.com"
OK = '{"user": "lidia.holloway@contoso.com", "dialed_number": "02079460000", "start": "2024-03-01T09:00:00Z", "duration": 60}'


def call(user: str, dialed: str, start: str, duration: float, **extra: Any) -> dict[str, Any]:
    return {"user": user, "dialed_number": dialed, "start": start, "duration": duration, **extra}


def test_replay_answers_each_call_and_the_month(api_client) -> None:  # type: ignore[no-untyped-def]
    body = {
        "calls": [
            call(LIDIA, "0033123456789", "2024-03-04T09:00:00Z", 120),
            call(PRADEEP, "0033123456789", "2024-03-04T09:05:00Z", 125),
            call("marcel.beauchamp@contoso.com", "112", "2024-03-04T09:10:00Z", 60),
            call(LIDIA, "0033123456789", "2024-03-04T09:20:00Z", 60, direction="inbound"),
        ],
        "rates": [{"prefix": "+33", "rate": 0.05, "currency": "USD"}],
    }
    response = api_client.post("/v1/calls/replay", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    schemas.ReplayResponse.model_validate(answer)
    assert [(r["allowed"], r["block_reason"], r["charged_to"], r["charge"]) for r in answer["results"]] == [
        (False, "no-international-entitlement", None, None),
        (True, None, "communications-credits", 0.15),
        (True, None, None, None),
        (True, None, None, None),
    ]
    assert answer["results"][3]["billing_category"] == "inbound"
    march = answer["calling_plans"]["months"]["2024-03"]
    assert march["credits"]["balance"] == 999.85


def test_a_posted_tenant_is_replayed_not_the_served_one(api_client) -> None:  # type: ignore[no-untyped-def]
    tenant = {
        "tenant": {"name": "What-if"},
        "users": [{"upn": "a@w.fr", "usage_location": "FR", "calling_plan": "domestic-120"}],
    }
    calls = [call("a@w.fr", "0145678900", f"2024-03-0{day}T09:00:00Z", 100 * 60) for day in (1, 2, 3)]
    answer = api_client.post("/v1/calls/replay", json={"tenant": tenant, "calls": calls}).json()
    assert answer["tenant"] == "What-if"
    assert [r["block_reason"] for r in answer["results"]] == [None, None, "pool-exhausted"]  # the second starts with 20 minutes left


def test_errors_name_the_call(api_client) -> None:  # type: ignore[no-untyped-def]
    unknown = api_client.post("/v1/calls/replay", json={"calls": [call("x@contoso.com", "1", "2024-03-01", 1)]})
    assert unknown.status_code == 404 and unknown.json()["detail"].startswith("calls[0]: ")
    bad_start = api_client.post("/v1/calls/replay", json={"calls": [call(LIDIA, "1", "soon", 1)]})
    assert bad_start.status_code == 422 and bad_start.json()["detail"].startswith("calls[0]: field 'start': 'soon' is not")
    late = [call(LIDIA, "02079460000", "2024-03-01T09:00:00Z", 60), call(LIDIA, "02079460000", "2024-03-01 25:00", 60)]
    assert api_client.post("/v1/calls/replay", json={"calls": late}).json()["detail"].startswith("calls[1]: field 'start'")


@pytest.mark.parametrize("start", ["2023-02-29T10:00:00Z", "2024-04-31T10:00:00Z", "2024-03-01T10:00:00+25:00"])
def test_an_impossible_start_names_the_call(api_client, start: str) -> None:  # type: ignore[no-untyped-def]
    calls = [call(LIDIA, "02079460000", "2024-03-01T09:00:00Z", 60), call(LIDIA, "02079460000", start, 60)]
    answer = api_client.post("/v1/calls/replay", json={"calls": calls})
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith(f"calls[1]: field 'start': {start!r} is not a date and time")


@pytest.mark.parametrize(
    ("start", "why"),
    [
        pytest.param("3/4/24 9:20:00 AM", "has a year of fewer than four digits", id="excel-short-date"),
        pytest.param("24-03-04 09:00:00", "has a year of fewer than four digits", id="two-digit-iso"),
        pytest.param("0000-03-04T09:00:00Z", "is outside the years 1 to 9999", id="year-0"),
    ],
)
def test_a_start_without_a_full_year_names_the_call(api_client, start: str, why: str) -> None:  # type: ignore[no-untyped-def]
    calls = [call(LIDIA, "02079460000", "2024-03-01T09:00:00Z", 60), call(LIDIA, "02079460000", start, 60)]
    answer = api_client.post("/v1/calls/replay", json={"calls": calls})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"].startswith(f"calls[1]: field 'start': {start!r} {why}")


def _body(calls: list[str], rates: str = "") -> str:
    """A request as JSON text: Python's JSON reader takes `Infinity` and `NaN`, so a client may send them."""
    return '{"calls": [' + ", ".join(calls) + "]" + (', "rates": [' + rates + "]" if rates else "") + "}"


@pytest.mark.parametrize(
    ("body", "field", "where"),
    [
        pytest.param(_body([OK, OK.replace("60", "1e300")]), "duration", "calls[1]", id="huge-duration"),
        pytest.param(_body([OK.replace("60", "Infinity")]), "duration", "calls", id="infinite-duration"),
        pytest.param(_body([OK.replace("60", "NaN")]), "duration", "calls", id="nan-duration"),
        pytest.param(_body([OK], '{"prefix": "+44", "rate": Infinity, "currency": "USD"}'), "rate", "rates", id="infinite-rate"),
        pytest.param(_body([OK], '{"prefix": "+44", "rate": 1e300, "currency": "USD"}'), "rate", "rates", id="huge-rate"),
    ],
)
def test_durations_and_rates_are_finite_and_bounded(api_client, body: str, field: str, where: str) -> None:  # type: ignore[no-untyped-def]
    response = api_client.post("/v1/calls/replay", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert field in response.text and where in response.text


def test_a_rate_prefix_is_ascii_digits_and_given_once(api_client) -> None:  # type: ignore[no-untyped-def]
    arabic = {"calls": [call(PRADEEP, "0033123456789", "2024-03-01T09:00:00Z", 60)],
              "rates": [{"prefix": "+\u0663\u0663", "rate": 1, "currency": "USD"}]}
    refused = api_client.post("/v1/calls/replay", json=arabic)
    assert refused.status_code == 422 and "prefix" in refused.text and "rates" in refused.text
    twice = {"calls": arabic["calls"], "rates": [{"prefix": "+33", "rate": 0.1, "currency": "USD"},
                                                 {"prefix": "+33", "rate": 5, "currency": "USD"}]}
    repeated = api_client.post("/v1/calls/replay", json=twice)
    assert repeated.status_code == 422
    assert repeated.json()["detail"] == "rates[1]: field 'prefix': '+33' repeats the prefix of rates[0]"


def test_a_call_posted_cannot_create_money(api_client) -> None:  # type: ignore[no-untyped-def]
    body = {"calls": [call(PRADEEP, "0033123456789", "2024-03-01T09:00:00Z", 31 * 86400)],
            "rates": [{"prefix": "+33", "rate": 1, "currency": "USD"}]}
    answer = api_client.post("/v1/calls/replay", json=body).json()
    assert answer["results"][0]["billed_minutes"] == 31 * 1440
    assert answer["calling_plans"]["months"]["2024-03"]["credits"]["spent"] == 31 * 1440  # money spent, not made


def test_bounded_like_simulate(client_with) -> None:  # type: ignore[no-untyped-def]
    client = client_with(max_batch_items=2, max_dialed_length=5)
    many = [call(LIDIA, "1", "2024-03-01", 1)] * 3
    too_many = client.post("/v1/calls/replay", json={"calls": many})
    assert too_many.status_code == 422 and too_many.json()["error"] == "too_many_items"
    rates = [{"prefix": f"+{33 + i}", "rate": 0.1, "currency": "USD"} for i in range(3)]
    card = client.post("/v1/calls/replay", json={"calls": many[:1], "rates": rates})
    assert card.status_code == 422 and card.json()["field"] == "rates" and card.json()["error"] == "too_many_items"
    long = client.post("/v1/calls/replay", json={"calls": [call(LIDIA, "0033123456789", "2024-03-01", 1)]})
    assert long.status_code == 422 and long.json()["detail"].startswith("calls[0]: ")


def test_licence_prices_cost_the_recommended_plan_mixes(api_client) -> None:  # type: ignore[no-untyped-def]
    tenant = {
        "tenant": {"name": "What-if"},
        "users": [{"upn": "a@w.fr", "usage_location": "FR", "calling_plan": "domestic-120"}],
    }
    calls = [call("a@w.fr", "0145678900", f"2024-03-0{day}T09:00:00Z", 100 * 60) for day in (1, 2, 3)]
    prices = [
        {"region": "FR", "plan": "domestic-120", "price": 8, "currency": "EUR"},
        {"region": "fr", "plan": "domestic-240", "price": 12, "currency": "EUR"},
    ]
    answer = api_client.post("/v1/calls/replay", json={"tenant": tenant, "calls": calls, "prices": prices}).json()
    (pool,) = [item for item in answer["calling_plans"]["months"]["2024-03"]["recommendations"] if "pool" in item]
    costs = {option["plan"]: (option["licences"], option["monthly_cost"], option["extra_cost"], option["currency"])
             for option in pool["options"]}
    # 300 minutes needed: three domestic-120 licences (24 EUR, 16 more than the one), or one
    # domestic-1200 (one domestic-240 is short), whose price is not given.
    assert costs == {"domestic-120": (3, 24.0, 16.0, "EUR"), "domestic-1200": (1, None, None, "EUR")}
    without = api_client.post("/v1/calls/replay", json={"tenant": tenant, "calls": calls}).json()
    (plain,) = [item for item in without["calling_plans"]["months"]["2024-03"]["recommendations"] if "pool" in item]
    assert all("monthly_cost" not in option for option in plain["options"])


@pytest.mark.parametrize(
    ("prices", "where"),
    [
        ([{"region": "FR", "plan": "payg", "price": 1, "currency": "EUR"}] * 2, "prices[1]: "),
        ([{"region": "FR", "plan": "payg", "price": 1, "currency": "EUR"},
          {"region": "GB", "plan": "payg", "price": 1, "currency": "GBP"}], "field 'prices': prices in more than one"),
        ([{"region": "FR", "plan": "payg", "price": 2e6, "currency": "EUR"}], "prices[0]: field 'price': 2000000.0 is more than"),
        ([{"region": "FR", "plan": "payg", "price": 1, "currency": "EUR"},
          {"region": "FR", "plan": "domestic-12O", "price": 8, "currency": "EUR"}],
         "prices[1]: field 'plan': calling plan 'domestic-12O' is not sold in FR (sold: domestic-120, "),
        ([{"region": "XX", "plan": "payg", "price": 1, "currency": "EUR"}],
         "prices[0]: field 'region': Calling Plans are not sold in XX (sold in: "),
    ],
    ids=["repeated", "two-currencies", "too-dear", "plan-not-sold", "region-not-sold"],
)
def test_prices_are_checked_as_a_price_file_is(api_client, prices: list[dict[str, Any]], where: str) -> None:  # type: ignore[no-untyped-def]
    answer = api_client.post("/v1/calls/replay", json={"calls": [call(LIDIA, "1", "2024-03-01", 1)], "prices": prices})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"].startswith(where), answer.json()["detail"]


def test_minute_rounding_is_a_setting_of_the_request(api_client) -> None:  # type: ignore[no-untyped-def]
    calls = [call(LIDIA, "02079460000", "2024-03-01T09:00:00Z", 61), call(LIDIA, "02079460000", "2024-03-01T10:00:00Z", 1)]
    default = api_client.post("/v1/calls/replay", json={"calls": calls}).json()
    assert [r["billed_minutes"] for r in default["results"]] == [2, 1]
    hourly = api_client.post("/v1/calls/replay", json={"calls": calls, "minute_rounding": 3600}).json()
    assert [r["billed_minutes"] for r in hourly["results"]] == [60, 60]
    assert hourly["calling_plans"]["minute_rounding"] == "per started 3600 s"
    assert api_client.post("/v1/calls/replay", json={"calls": calls, "minute_rounding": 0}).status_code == 422


def test_callers_are_found_by_name_not_by_a_scan_of_the_users(client_with, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from normalizer.models import User

    users = 2_000
    (tmp_path / "big.toml").write_text(
        '[tenant]\nname = "Big"\n'
        + "".join(f'[[users]]\nupn = "User{i}@big.com"\nusage_location = "GB"\ncalling_plan = "domestic-120"\n'
                  for i in range(users)),
        encoding="utf-8",
    )
    client = client_with(tenant=tmp_path / "big.toml", max_batch_items=users)
    # Work, not time: how often a user's principal name is read while the request is answered.
    slot = User.__dict__["upn"]
    reads = 0

    def read(self: User) -> str:
        nonlocal reads
        reads += 1
        return slot.__get__(self, User)  # type: ignore[no-any-return]

    calls = [call(f"user{(i * 7919) % users}@BIG.com", "02079460000", "2024-03-04T09:00:00Z", 60) for i in range(users)]
    monkeypatch.setattr(User, "upn", property(read, slot.__set__))
    answer = client.post("/v1/calls/replay", json={"calls": calls})
    monkeypatch.undo()
    assert answer.status_code == 200, answer.text
    assert {r["charged_to"] for r in answer.json()["results"]} == {"GB/domestic-120"}
    # A scan per call reads about users x calls / 2 names (2,000,000 here); found by name, a few per user and call.
    assert reads < 10 * users, reads


def test_a_priced_month_without_credit_calls_spent_nothing_rather_than_null(api_client) -> None:  # type: ignore[no-untyped-def]
    body = {
        "calls": [call(PRADEEP, "0033123456789", "2024-03-04T09:05:00Z", 180),
                  call(LIDIA, "02079460000", "2024-04-04T09:00:00Z", 60)],
        "rates": [{"prefix": "+33", "rate": 0.05, "currency": "USD"}],
    }
    months = api_client.post("/v1/calls/replay", json=body).json()["calling_plans"]["months"]
    assert months["2024-03"]["credits"]["spent"] == 0.15
    # April: priced, nothing on credits. Spent 0 (a number, as the balance is), not "not priced".
    assert (months["2024-04"]["credits"]["spent"], months["2024-04"]["credits"]["balance"]) == (0.0, 999.85)
    unpriced = api_client.post("/v1/calls/replay", json={"calls": body["calls"]}).json()["calling_plans"]["months"]
    assert {month: entry["credits"]["spent"] for month, entry in unpriced.items()} == {"2024-03": None, "2024-04": None}
