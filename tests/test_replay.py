"""Replaying calls against pools and credits: the pool "done when" case, credits, chunking."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.billing.ledger import CallLedger, outcome_columns
from normalizer.billing.rates import rate_card_from_text
from normalizer.formats.toml import tenant_from_toml
from normalizer.simulation import Simulator

PARIS = """
[tenant]
name = "Paris"
[[users]]
upn = "a@p.fr"
usage_location = "FR"
calling_plan = "domestic-120"
[[users]]
upn = "b@p.fr"
usage_location = "FR"
calling_plan = "domestic-120"
[[users]]
upn = "c@p.fr"
usage_location = "FR"
calling_plan = "domestic-240"
[[users]]
upn = "d@p.fr"
usage_location = "FR"
calling_plan = "international"
communications_credits = true
[[users]]
upn = "e@p.fr"
usage_location = "FR"
calling_plan = "payg"
communications_credits = true
[communications_credits]
balance = 10
currency = "EUR"
"""

RATES = "prefix,rate,currency\n+33,0.10,EUR\n+44,0.50,EUR\n"


def at(text: str) -> int:
    return int(np.datetime64(text, "s").astype(np.int64))


@pytest.fixture(scope="module")
def paris() -> Simulator:
    return Simulator(tenant_from_toml(PARIS, "paris.toml"))


def replay(simulator: Simulator, calls: list[tuple[str, str, str, float]], **options: Any) -> tuple[CallLedger, dict[str, list[Any]]]:
    ledger = CallLedger(simulator, **options)
    out = ledger.feed_dialed(
        [c[0] for c in calls],
        [c[1] for c in calls],
        np.array([at(c[2]) for c in calls]),
        np.array([c[3] for c in calls]),
    )
    return ledger, {name: column.to_pylist() for name, column in outcome_columns(out).items()}


def test_two_users_share_240_minutes_until_the_first_of_next_month(paris: Simulator) -> None:
    ledger, out = replay(
        paris,
        [
            ("a@p.fr", "0145678900", "2024-03-04T09:00:00", 100 * 60),
            ("b@p.fr", "0145678900", "2024-03-05T09:00:00", 140 * 60),  # 240 used: the pool is empty
            ("a@p.fr", "0145678900", "2024-03-06T09:00:00", 60),  # pool-exhausted (no credits)
            ("c@p.fr", "0145678900", "2024-03-06T10:00:00", 60),  # domestic-240: another pool
            ("b@p.fr", "112", "2024-03-06T11:00:00", 600),  # emergency: always
            ("a@p.fr", "0145678900", "2024-04-01T00:00:05", 60),  # a new month: allowed again
        ],
    )
    assert out["allowed"] == [True, True, False, True, True, True]
    assert out["block_reason"] == [None, None, "pool-exhausted", None, None, None]
    assert out["charged_to"] == ["FR/domestic-120", "FR/domestic-120", None, "FR/domestic-240", None, "FR/domestic-120"]
    assert out["billing_category"][4] == "emergency" and out["billed_minutes"][4] == 0
    march = ledger.summary()["months"]["2024-03"]
    pool = next(p for p in march["pools"] if p["pool"] == "FR/domestic-120")
    assert (pool["licences"], pool["total_minutes"], pool["minutes_used"], pool["minutes_available"]) == (2, 240, 240, 0)
    assert (pool["used"], pool["minutes_remaining"]) == (240, 0)  # the older keys, same meaning
    # The PSTN minute pools report: "Minutes available is the number of minutes remaining for the month".
    april = next(p for p in ledger.summary()["months"]["2024-04"]["pools"] if p["pool"] == "FR/domestic-120")
    assert (april["total_minutes"], april["minutes_used"], april["minutes_available"]) == (240, 1, 239)
    assert (april["international_total_minutes"], april["international_minutes_available"]) == (0, 0)
    assert pool["capability"] == "MCOPSTN5"  # as the PSTN minute pools report names the 120-minute plan
    assert pool["ran_out_at"] == "2024-03-05T11:19:00Z"  # the pool's 240th minute began then (b's 140th)
    assert march["blocked"] == {"a@p.fr": {"pool-exhausted": {"calls": 1, "minutes": 1}}}
    options = next(r for r in march["recommendations"] if r.get("pool") == "FR/domestic-120")["options"]
    assert {"plan": "domestic-240", "licences": 2, "extra_licences": 0, "minutes": 480} in options


def test_toll_free_stops_with_the_pool_but_uses_none_of_it(paris: Simulator) -> None:
    ledger, out = replay(
        paris,
        [
            ("a@p.fr", "0800123456", "2024-03-01T08:00:00", 3600),  # toll-free: no minutes
            ("a@p.fr", "0145678900", "2024-03-02T08:00:00", 240 * 60),  # uses the whole pool
            ("b@p.fr", "0800123456", "2024-03-03T08:00:00", 60),  # after the cap: suspended (seed 000)
            ("b@p.fr", "112", "2024-03-03T09:00:00", 60),  # emergency: always
            ("b@p.fr", "00448001234567", "2024-03-01T09:00:00", 60),  # abroad: international, no credits
        ],
    )
    assert out["billing_category"] == ["toll_free", "domestic", "toll_free", "emergency", "international"]
    assert out["block_reason"] == [None, None, "pool-exhausted", None, "no-international-entitlement"]
    assert out["billed_minutes"][0] == 0 and out["charged_to"][0] is None
    assert ledger.summary()["months"]["2024-03"]["pools"][0]["used"] == 240


def test_minutes_are_used_as_they_are_spoken_not_reserved_at_the_start(paris: Simulator) -> None:
    # The reviewer's case: a 6 h call and, half an hour in, a 1 min call, on a 240 min pool
    # (two domestic-120 licences). At 08:30 only 30 minutes are used: b's call is carried.
    ledger, out = replay(
        paris,
        [
            ("a@p.fr", "0145678900", "2024-03-01T08:00:00", 6 * 3600),
            ("b@p.fr", "0145678900", "2024-03-01T08:30:00", 60),
            ("b@p.fr", "0145678900", "2024-03-01T11:58:00", 60),  # 238 + 1 begun before it: minutes left
            ("b@p.fr", "0145678900", "2024-03-01T11:59:30", 60),  # the 240th began at 11:58: used up
        ],
    )
    assert out["allowed"] == [True, True, True, False]
    pool = ledger.summary()["months"]["2024-03"]["pools"][0]
    assert pool["ran_out_at"] == "2024-03-01T11:58:00Z"  # consistent: only the call after it is blocked
    assert (pool["used"], pool["unmet_minutes"]) == (362, 1)  # a call that starts with minutes left is carried whole


def test_a_chunk_out_of_time_order_is_refused(paris: Simulator) -> None:
    from normalizer.billing.replay import OutOfOrderError

    ledger = CallLedger(paris)
    ledger.feed_dialed(["a@p.fr"], ["0145678900"], np.array([at("2024-03-02T09:00:00")]), np.array([60.0]))
    with pytest.raises(OutOfOrderError, match="out of time order"):
        ledger.feed_dialed(["a@p.fr"], ["0145678900"], np.array([at("2024-03-01T09:00:00")]), np.array([60.0]))


def test_international_plan_caps_each_kind_and_overflows_to_credits(paris: Simulator) -> None:
    rates = rate_card_from_text(RATES)
    ledger, out = replay(
        paris,
        [
            ("d@p.fr", "00442079460000", "2024-03-01T09:00:00", 600 * 60),  # 600 international: cap
            ("d@p.fr", "00442079460000", "2024-03-02T09:00:00", 10 * 60),  # over: on credits, 10 x 0.50
            ("e@p.fr", "0145678900", "2024-03-02T10:00:00", 30 * 60),  # payg: 30 x 0.10 = 3
            ("e@p.fr", "0145678900", "2024-03-02T11:00:00", 60),  # balance 10 - 5 - 3 = 2 > 0: goes
            ("e@p.fr", "0145678900", "2024-03-02T12:00:00", 60),  # 2 - 0.1 = 1.9 > 0: goes
        ],
        rates=rates,
    )
    assert out["charged_to"] == ["FR/international", "communications-credits", "communications-credits", "communications-credits", "communications-credits"]
    assert out["charge"] == [None, 5.0, 3.0, 0.1, 0.1]
    summary = ledger.summary()
    credits = summary["months"]["2024-03"]["credits"]
    assert credits["spent"] == pytest.approx(8.2) and credits["balance"] == pytest.approx(1.8)
    assert summary["credits_currency"] == "EUR" and summary["credits_note"] is None


def ledger_balance(simulator: Simulator, calls: list[tuple[str, str, str, float]]) -> float:
    ledger, _ = replay(simulator, calls, rates=rate_card_from_text(RATES))
    return float(ledger.summary()["months"]["2024-03"]["credits"]["balance"])


def test_an_international_pool_short_of_international_minutes_is_advised_enough_licences(paris: Simulator) -> None:
    ledger, _ = replay(
        paris,
        [
            ("d@p.fr", "00442079460000", "2024-03-01T09:00:00", 600 * 60),  # the 600 international minutes
            ("d@p.fr", "00442079460000", "2024-03-02T09:00:00", 100 * 60),  # 100 more: unmet
        ],
    )
    advice = next(r for r in ledger.summary()["months"]["2024-03"]["recommendations"] if r.get("pool") == "FR/international")
    assert (advice["needed_minutes"], advice["needed_international_minutes"]) == (0, 700)
    assert advice["options"][0]["licences"] == 2  # 700 international minutes need two licences of 600


def test_an_exhausted_balance_blocks_and_a_recharge_does_not(paris: Simulator) -> None:
    rates = rate_card_from_text(RATES)
    calls = [("e@p.fr", "0145678900", f"2024-03-02T1{i}:00:00", 60 * 60) for i in range(3)]  # 6 each
    _, out = replay(paris, calls, rates=rates)
    assert out["block_reason"] == [None, None, "credits-exhausted"]  # 10 -> 4 -> -2: the third is refused
    # Documented: a call that starts with money left goes out whole, so the balance may end below
    # zero by at most that one call's charge; nothing starts after that.
    assert ledger_balance(paris, calls) == pytest.approx(-2.0)
    recharging = Simulator(tenant_from_toml(PARIS.replace('currency = "EUR"', 'currency = "EUR"\nrecharge_below = 5\nrecharge_amount = 20'), "p.toml"))
    ledger, out = replay(recharging, calls, rates=rates)
    assert out["allowed"] == [True, True, True]
    credits = ledger.summary()["months"]["2024-03"]["credits"]
    assert credits["recharges"] == 1 and credits["balance"] == pytest.approx(10 - 18 + 20)


def test_a_destination_missing_from_the_rate_card_is_flagged_not_free(paris: Simulator) -> None:
    # The reviewer's case: a Pay-As-You-Go user with credits calls Germany; the card knows +33 and +44 only.
    ledger, out = replay(
        paris,
        [
            ("e@p.fr", "0145678900", "2024-03-01T10:06:00", 10 * 60),  # 10 x 0.10 = 1
            ("e@p.fr", "004930123456", "2024-03-01T10:07:00", 100 * 60),
            ("e@p.fr", "004930123456", "2024-03-01T10:08:00", 100 * 60),
        ],
        rates=rate_card_from_text(RATES),
    )
    assert out["charged_to"] == ["communications-credits"] * 3
    assert out["charge"] == [1.0, None, None]  # no charge given, not a charge of 0
    summary = ledger.summary()
    credits = summary["months"]["2024-03"]["credits"]
    assert credits["unrated"] == {"calls": 2, "minutes": 200}
    assert (credits["spent"], credits["balance"]) == (1.0, 9.0)
    assert summary["credits_note"].startswith("2 calls (200 min) on credits to destinations missing from the rate card")


def test_auto_recharge_counts_the_recharges_needed_at_the_start(paris: Simulator) -> None:
    # The reviewer's case: a balance of 1 under a trigger of 400, recharged by 10, then 3 x 100 min at 0.10.
    tenant = PARIS.replace("balance = 10", "balance = 1\nrecharge_below = 400\nrecharge_amount = 10")
    calls = [("e@p.fr", "0145678900", f"2024-03-02T1{i}:00:00", 100 * 60) for i in range(3)]
    ledger, out = replay(Simulator(tenant_from_toml(tenant, "p.toml")), calls, rates=rate_card_from_text(RATES))
    assert out["allowed"] == [True, True, True]
    credits = ledger.summary()["months"]["2024-03"]["credits"]
    # 40 recharges bring 1 to 401 before the first call; 30 spent needs 3 more: 1 + 430 - 30.
    assert (credits["spent"], credits["recharges"], credits["balance"]) == (30.0, 43, 401.0)
    assert credits["balance"] >= 400


@pytest.mark.parametrize(("key", "value"), [("recharge_amount", "1e-300"), ("recharge_amount", "nan"), ("balance", "inf"), ("recharge_below", "1e300")])
def test_credit_amounts_that_cannot_be_counted_are_refused(key: str, value: str) -> None:
    from normalizer.errors import TenantFileError

    tenant = PARIS.replace("balance = 10", "balance = 10\nrecharge_below = 5\nrecharge_amount = 20").replace(f"{key} = ", f"{key} = {value} #")
    with pytest.raises(TenantFileError, match=f"field '{key}'"):
        tenant_from_toml(tenant, "p.toml")


def test_without_a_rate_card_credits_are_minutes(paris: Simulator) -> None:
    ledger, out = replay(paris, [("e@p.fr", "0145678900", "2024-03-02T10:00:00", 61)])
    assert out["charged_to"] == ["communications-credits"] and out["charge"] == [None] and out["billed_minutes"] == [2]
    summary = ledger.summary()
    assert summary["credits_note"] == "no rate card (--rates): credits counted in minutes only"
    assert summary["months"]["2024-03"]["credits"] == {"minutes": 2, "spent": None, "recharges": 0, "balance": None, "unrated": {"calls": 0, "minutes": 0}}


def test_a_rate_card_in_another_currency_is_refused(paris: Simulator) -> None:
    with pytest.raises(ValueError, match="the rate card is in USD, the tenant's Communications Credits in EUR"):
        CallLedger(paris, rates=rate_card_from_text("+33,0.1,USD"))


USERS = ["a@p.fr", "b@p.fr", "c@p.fr", "d@p.fr", "e@p.fr"]
NUMBERS = ["0145678900", "00442079460000", "112", "0899123456", "0800123456"]


@settings(max_examples=25, deadline=None)
@given(
    calls=st.lists(
        st.tuples(st.sampled_from(USERS), st.sampled_from(NUMBERS), st.integers(0, 60 * 86400), st.integers(0, 4 * 3600)),
        min_size=1,
        max_size=40,
    ),
    cuts=st.lists(st.integers(0, 40), max_size=5),
    priced=st.booleans(),
)
def test_any_chunking_replays_as_one_pass(paris: Simulator, calls: list[tuple[str, str, int, int]], cuts: list[int], priced: bool) -> None:
    from normalizer.billing.replay import OutOfOrderError

    base = at("2024-02-20T00:00:00")
    rates = rate_card_from_text(RATES) if priced else None

    def run(rows: list[tuple[str, str, int, int]], bounds: list[int]) -> tuple[dict[str, list[Any]], dict[str, Any]]:
        ledger = CallLedger(paris, rates=rates)
        columns: dict[str, list[Any]] = {}
        edges = [0, *sorted({min(b, len(rows)) for b in bounds}), len(rows)]
        for lo, hi in pairwise(edges):
            part = rows[lo:hi]
            if not part:
                continue
            out = ledger.feed_dialed(
                [c[0] for c in part], [c[1] for c in part], np.array([base + c[2] for c in part]), np.array([float(c[3]) for c in part])
            )
            for name, column in outcome_columns(out).items():
                columns.setdefault(name, []).extend(column.to_pylist())
            ledger.summary()  # asked between chunks (as `cdr` asks while writing): later calls still count
        return columns, ledger.summary()

    # The input as given (any order) in one pass, against the same calls in time order, in chunks.
    whole, whole_summary = run(calls, [])
    order = sorted(range(len(calls)), key=lambda index: calls[index][2])
    chunked, chunked_summary = run([calls[index] for index in order], cuts)
    assert {name: [values[order.index(i)] for i in range(len(calls))] for name, values in chunked.items()} == whole
    assert chunked_summary == whole_summary
    # The input as given, cut anywhere: the same answer, or refused when a chunk goes back in time.
    try:
        unsorted, unsorted_summary = run(calls, cuts)
    except OutOfOrderError:
        edges = [0, *sorted({min(b, len(calls)) for b in cuts}), len(calls)]
        parts = [calls[lo:hi] for lo, hi in pairwise(edges) if hi > lo]
        assert any(min(c[2] for c in later) < max(c[2] for c in part) for i, part in enumerate(parts) for later in parts[i + 1:])
    else:
        assert (unsorted, unsorted_summary) == (whole, whole_summary)
    # The summary's minutes add up to the calls'.
    months = whole_summary["months"].values()
    in_pools = sum(p["used"] + p["international_used"] for m in months for p in m["pools"])
    on_credits = sum(m["credits"]["minutes"] for m in months)
    assert in_pools + on_credits == sum(whole["billed_minutes"]) == whole_summary["billed_minutes"]
    # Nobody is blocked by a pool before it ran out, and nobody carried by it after.
    for month in whole_summary["months"].values():
        for pool in month["pools"]:
            if pool["unmet_minutes"]:
                assert pool["ran_out_at"] is not None


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-(10**9), 4 * 10**9), min_size=1, max_size=50))
def test_months_by_boundaries_are_calendar_months(starts: list[int]) -> None:
    from normalizer.billing.replay import months_of

    values = np.array(starts, np.int64)
    assert months_of(values).tolist() == values.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64).tolist()


CONTOSO_USERS = [
    "emily.braun@contoso.com", "lidia.holloway@contoso.com", "pradeep.gupta@contoso.com",
    "marcel.beauchamp@contoso.com", "rachelle.cormier@contoso.com", "isabell.potvin@contoso.com",
]
DIALED = [
    "0033123456789", "02079460065", "02079460000", "112", "999", "7123", "0800123456", "08001234567",
    "0899123456", "08431234567", "09012345678", "+14165550100", "3949", "118218", "0612345678", "00442079460034",
    "00881612345678", "0080012345678", "009991234567", "0044207946000", "0800ABC",
]


@pytest.mark.parametrize("inbound", [False, True], ids=["outbound", "inbound"])
def test_the_array_path_agrees_with_one_call_at_a_time(inbound: bool) -> None:
    from normalizer.formats import load_tenant

    simulator = Simulator(load_tenant())
    users = [user for user in CONTOSO_USERS for _ in DIALED]
    dialed = DIALED * len(CONTOSO_USERS)
    ledger = CallLedger(simulator)
    out = ledger.feed_dialed(users, dialed, np.full(len(users), at("2024-03-01T09:00:00")), np.full(len(users), 1.0),
                             np.full(len(users), inbound))
    columns = {name: column.to_pylist() for name, column in outcome_columns(out).items()}
    for row, (user, number) in enumerate(zip(users, dialed, strict=True)):
        one = simulator.billing.resolve(
            simulator.billing.intent(simulator.normalize(number, user=user), user, inbound=inbound), minutes=1
        )
        assert (columns["billing_category"][row], columns["allowed"][row], columns["block_reason"][row], columns["charged_to"][row]) == (
            str(one.billing_category), one.allowed, str(one.block_reason) if one.block_reason else None, one.charged_to
        ), (user, number)


def test_a_price_list_costs_the_plan_mixes(paris: Simulator) -> None:
    from normalizer.billing.rates import price_list_from_text

    prices = price_list_from_text("region,plan,price,currency\nFR,domestic-120,8,EUR\nFR,domestic-240,12,EUR\n")
    ledger = CallLedger(paris, prices=prices)
    ledger.feed_dialed(
        ["a@p.fr", "b@p.fr", "a@p.fr"], ["0145678900"] * 3,
        np.array([at("2024-03-01T09:00:00"), at("2024-03-02T09:00:00"), at("2024-03-03T09:00:00")]),
        np.array([120 * 60.0, 120 * 60.0, 600.0]),
    )
    advice = next(r for r in ledger.summary()["months"]["2024-03"]["recommendations"] if r.get("pool"))
    assert advice["options"] == [
        {"plan": "domestic-120", "licences": 3, "extra_licences": 1, "minutes": 360, "monthly_cost": 24.0, "extra_cost": 8.0, "currency": "EUR"},
        {"plan": "domestic-240", "licences": 2, "extra_licences": 0, "minutes": 480, "monthly_cost": 24.0, "extra_cost": 8.0, "currency": "EUR"},
    ]


@pytest.mark.parametrize(
    ("cell", "message"),
    [("inf", "'inf' is not a finite number"), ("nan", "'nan' is not a finite number"),
     ("-1", "'-1' is negative"), ("1e300", "more than the limit")],
)
def test_a_rate_card_rate_is_finite_and_bounded(cell: str, message: str) -> None:
    from normalizer.billing.rates import rate_card_from_text
    from normalizer.errors import TenantFileError

    with pytest.raises(TenantFileError, match=message) as caught:
        rate_card_from_text(f"+33,{cell},USD\n", "rates.csv")
    assert str(caught.value).startswith("rates.csv: field 'rate': line 1: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("+33,0.10,USD\n+44,0.5,USD\n+33,5.00,USD\n", "line 3: '+33' repeats the prefix of line 1"),
        ("+\u0663\u0663,1,USD\n", "line 1: '+\u0663\u0663' is not an E.164 prefix (+ and digits 0-9)"),
    ],
    ids=["repeated", "arabic-indic-digits"],
)
def test_a_rate_card_prefix_is_ascii_and_given_once(text: str, message: str) -> None:
    from normalizer.errors import TenantFileError

    with pytest.raises(TenantFileError) as caught:
        rate_card_from_text(text, "rates.csv")
    assert str(caught.value) == f"rates.csv: field 'prefix': {message}"


def test_a_big_rate_card_is_searched_not_scanned_per_number() -> None:
    import time

    from normalizer.billing.rates import RateCard

    card = RateCard({f"+{100000 + i}": 0.01 for i in range(50_000)} | {"+33": 0.05}, "USD")
    numbers = [f"+33{100000000 + i}" for i in range(10_000)]
    started = time.perf_counter()
    found = [card.rate(number) for number in numbers]
    assert time.perf_counter() - started < 2.0  # a max over 50,000 prefixes per number took about 20 s
    assert found == [0.05] * 10_000 and card.longest == 7
    assert card.rates_of_array(pa.array(numbers[:3] + ["+1000001234"])).tolist() == [0.05, 0.05, 0.05, 0.01]


def test_a_day_month_date_is_refused_not_read_as_month_day() -> None:
    from normalizer.billing.columns import parse_starts
    from normalizer.errors import DialplanInputError

    assert parse_starts(["3/4/2024 9:20:00 AM"], "start").tolist() == [at("2024-03-04T09:20:00")]  # the report's form
    with pytest.raises(DialplanInputError, match=r"row 1: '04/03/2024 09:20:00' is ambiguous \(day/month or month/day\?\)"):
        parse_starts(["04/03/2024 09:20:00"], "start")


@pytest.mark.parametrize(
    ("text", "field", "detail"),
    [
        ("FR,domestic-120,inf,EUR", "price", "'inf' is not a finite number"),
        ("FR,domestic-120,-8,EUR", "price", "'-8' is negative"),
        ("FR,domestic-120,1e308,EUR", "price", "'1e308' is more than the limit of 1,000,000 a licence a month"),
        ("FR,domestic-120,8,EUR\nFR,domestic-240,12,GBP", "currency", "line 2: currency 'GBP'"),
        ("FR,domestic-120,8,EUR\nfr,domestic-120,9,EUR", "plan", "line 2: fr domestic-120 repeats line 1"),
    ],
    ids=["infinite", "negative", "huge", "two-currencies", "repeated"],
)
def test_a_price_file_refuses_what_cannot_be_money(text: str, field: str, detail: str) -> None:
    from normalizer.billing.rates import price_list_from_text
    from normalizer.errors import TenantFileError

    with pytest.raises(TenantFileError) as raised:
        price_list_from_text(text, "prices.csv")
    assert (raised.value.file, raised.value.field) == ("prices.csv", field)
    assert detail in str(raised.value)


def test_a_report_asked_between_chunks_counts_every_blocked_call_once(paris: Simulator) -> None:
    """The report may be asked early (the service's page, a progress line): asked again after more
    calls, it counts the blocked calls of every chunk, users and reasons in name order."""
    chunks = [
        [("a@p.fr", "0145678900", "2024-03-04T09:00:00", 239 * 60), ("b@p.fr", "0145678900", "2024-03-05T09:00:00", 60)],
        [("b@p.fr", "0145678900", "2024-03-06T09:00:00", 120), ("a@p.fr", "0145678900", "2024-03-07T09:00:00", 60)],
        [("a@p.fr", "0145678900", "2024-04-01T09:00:00", 300 * 60), ("b@p.fr", "0145678900", "2024-04-02T09:00:00", 60)],
    ]
    early = CallLedger(paris)
    for chunk in chunks:
        early.feed_dialed(
            [c[0] for c in chunk], [c[1] for c in chunk], np.array([at(c[2]) for c in chunk]), np.array([c[3] for c in chunk])
        )
        early.summary()
    every = [call for chunk in chunks for call in chunk]
    once, _ = replay(paris, every)
    report = early.summary()
    assert report == once.summary()
    march = report["months"]["2024-03"]["blocked"]
    assert list(march) == ["a@p.fr", "b@p.fr"]  # the pool ran out on the 5th: both blocked after
    assert march["b@p.fr"] == {"pool-exhausted": {"calls": 1, "minutes": 2}}
    assert list(report["months"]["2024-04"]["blocked"]) == ["b@p.fr"]
