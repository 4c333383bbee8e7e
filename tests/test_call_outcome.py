"""One call's Calling Plan outcome: the Contoso "done when" cases and the rules behind them."""

from __future__ import annotations

from typing import Any

import pytest

from normalizer.billing.outcome import CREDITS, BillingCategory, BlockReason, CallBilling, Route
from normalizer.cli import main
from normalizer.formats.toml import tenant_from_toml
from normalizer.models import Tenant
from normalizer.simulation import Simulator

LIDIA = "lidia.holloway@contoso.com"
PRADEEP = "pradeep.gupta@contoso.com"
EMILY = "emily.braun@contoso.com"
MARCEL = "marcel.beauchamp@contoso.com"
RACHELLE = "rachelle.cormier@contoso.com"


def outcome(simulator: Simulator, dialed: str, upn: str, **state: Any) -> Any:
    result = simulator.normalize(dialed, user=upn)
    return simulator.billing.resolve(simulator.billing.intent(result, upn), **state)


def test_lidia_abroad_is_blocked(simulator: Simulator) -> None:
    found = outcome(simulator, "0033123456789", LIDIA)
    assert (found.billing_category, found.allowed, found.block_reason, found.charged_to) == (
        BillingCategory.INTERNATIONAL,
        False,
        BlockReason.NO_INTERNATIONAL_ENTITLEMENT,
        None,
    )


def test_pradeep_abroad_pays_with_credits(simulator: Simulator) -> None:
    found = outcome(simulator, "0033123456789", PRADEEP)
    assert found.allowed and found.charged_to == CREDITS and found.block_reason is None


def test_emily_abroad_uses_her_pool(simulator: Simulator) -> None:
    found = outcome(simulator, "0033123456789", EMILY)
    assert found.allowed and found.charged_to == "GB/international"
    assert simulator.billing.pools["GB/international"] == (1, 1200, 600)


@pytest.mark.parametrize(
    "state",
    [{}, {"pool_has_minutes": False}, {"pool_has_minutes": False, "credits_funded": False}],
    ids=["start-of-month", "pool-used-up", "pool-and-credits-used-up"],
)
def test_marcel_reaches_112_at_any_time(simulator: Simulator, state: dict[str, bool]) -> None:
    found = outcome(simulator, "112", MARCEL, **state)
    assert (found.billing_category, found.allowed, found.charged_to) == (BillingCategory.EMERGENCY, True, None)


def test_a_colleague_s_number_is_internal(simulator: Simulator) -> None:
    found = outcome(simulator, "02079460065", EMILY)  # Lidia's number
    assert found.billing_category is BillingCategory.INTERNAL and found.allowed and found.charged_to is None


def test_domestic_call_uses_the_pool_shared_by_the_plan(simulator: Simulator) -> None:
    found = outcome(simulator, "0145678900", MARCEL)
    assert found.charged_to == "FR/domestic-1200"
    assert simulator.billing.pools["FR/domestic-1200"] == (2, 2400, 0)  # Marcel and Isabell
    exhausted = outcome(simulator, "0145678900", MARCEL, pool_has_minutes=False)
    assert exhausted.block_reason is BlockReason.POOL_EXHAUSTED
    rachelle = outcome(simulator, "0145678900", RACHELLE, pool_has_minutes=False)
    assert rachelle.allowed and rachelle.charged_to == CREDITS  # credits on: carried on


def test_premium_numbers_follow_the_country_page(simulator: Simulator) -> None:
    # France: premium numbers on credits only (Rachelle has them, Marcel not).
    assert outcome(simulator, "0899123456", RACHELLE).charged_to == CREDITS
    assert outcome(simulator, "0899123456", MARCEL).block_reason is BlockReason.PREMIUM_NOT_SUPPORTED
    # United Kingdom: shared-cost 0843 on credits, 09 never.
    assert outcome(simulator, "08431234567", PRADEEP).charged_to == CREDITS
    assert outcome(simulator, "09012345678", PRADEEP).block_reason is BlockReason.PREMIUM_NOT_SUPPORTED


def test_toll_free_uses_no_minutes(simulator: Simulator) -> None:
    found = outcome(simulator, "0800123456", MARCEL)
    assert found.billing_category is BillingCategory.TOLL_FREE and found.allowed and found.charged_to is None


def test_toll_free_follows_the_seed_abroad_and_after_the_cap(simulator: Simulator) -> None:
    # Seed 000: at the cap "Calling Plans service (except for emergency calling) will be suspended".
    after_cap = outcome(simulator, "0800123456", MARCEL, pool_has_minutes=False)
    assert (after_cap.allowed, after_cap.block_reason) == (False, BlockReason.POOL_EXHAUSTED)
    assert outcome(simulator, "112", MARCEL, pool_has_minutes=False).allowed
    with_credits = outcome(simulator, "08001234567", PRADEEP, pool_has_minutes=False)
    assert with_credits.allowed and with_credits.charged_to is None
    # A foreign toll-free number is an international call: Marcel (FR, Domestic, credits off) is blocked.
    abroad = outcome(simulator, "00448001234567", MARCEL)
    assert (abroad.billing_category, abroad.block_reason) == (BillingCategory.INTERNATIONAL, BlockReason.NO_INTERNATIONAL_ENTITLEMENT)


@pytest.mark.parametrize(
    "dialed",
    ["00881612345678", "0088216012345", "0087077312345", "009991234567", "0080012345678", "0044207946000"],
    ids=["iridium-881", "network-882", "inmarsat-870", "spare-999", "uifn-800", "invalid-gb"],
)
def test_numbers_of_no_region_or_not_valid_are_international_not_domestic(simulator: Simulator, dialed: str) -> None:
    # Valid +800/+870/+881/+882 numbers have phonenumbers' region 001; the others are no valid number.
    lidia = outcome(simulator, dialed, LIDIA)
    assert (lidia.billing_category, lidia.allowed, lidia.block_reason) == (
        BillingCategory.INTERNATIONAL, False, BlockReason.NO_INTERNATIONAL_ENTITLEMENT
    )
    assert outcome(simulator, dialed, PRADEEP).charged_to == CREDITS
    emily = outcome(simulator, dialed, EMILY)
    assert emily.charged_to == "GB/international"
    assert simulator.billing.intent(simulator.normalize(dialed, user=EMILY), EMILY).international


def test_a_valid_number_of_no_region_is_an_international_call_type(simulator: Simulator) -> None:
    result = simulator.normalize("00881612345678", user=LIDIA)
    classification = result.classification
    assert (str(result.call_type), classification.destination_region, classification.is_valid_number) == (
        "international", None, True
    )


def test_the_sentence_says_why_a_number_of_no_country_is_international(simulator: Simulator) -> None:
    from normalizer.billing.explain import calling_plan_answer

    satellite = calling_plan_answer(simulator.billing, simulator.normalize("00881612345678", user=LIDIA), LIDIA)
    assert satellite["sentence"].endswith("(a number of no country, such as +800 or a satellite number, is billed as international)")
    invalid = calling_plan_answer(simulator.billing, simulator.normalize("0044207946000", user=LIDIA), LIDIA)
    assert invalid["sentence"].endswith("(a number that is not valid anywhere is billed as international)")


NORTH_AMERICA = """
[tenant]
name = "NA"
[[users]]
upn = "us@na.com"
usage_location = "US"
calling_plan = "domestic-3000"
[[users]]
upn = "pr@na.com"
usage_location = "PR"
calling_plan = "domestic-3000"
[[users]]
upn = "payg@na.com"
usage_location = "CA"
calling_plan = "payg"
[[users]]
upn = "nobody@na.com"
usage_location = "CA"
"""


@pytest.fixture(scope="module")
def north_america() -> Simulator:
    return Simulator(tenant_from_toml(NORTH_AMERICA, "na.toml"))


def test_us_to_canada_is_domestic_for_billing_but_international_call_type(north_america: Simulator) -> None:
    result = north_america.normalize("+14165550100", user="us@na.com")
    assert str(result.call_type) == "international"
    found = north_america.billing.resolve(north_america.billing.intent(result, "us@na.com"))
    assert found.billing_category is BillingCategory.DOMESTIC and found.charged_to == "US/domestic-3000"


def test_a_us_user_dialling_0044_is_not_billed_domestic(north_america: Simulator) -> None:
    # No US rule reads 00 as an international prefix: the service dials +10044..., no valid number.
    result = north_america.normalize("0044207946000", user="us@na.com")
    assert result.final_number == "+10044207946000"
    found = north_america.billing.resolve(north_america.billing.intent(result, "us@na.com"))
    assert (found.billing_category, found.block_reason) == (BillingCategory.INTERNATIONAL, BlockReason.NO_INTERNATIONAL_ENTITLEMENT)


def test_puerto_rico_users_share_the_us_pool(north_america: Simulator) -> None:
    assert north_america.billing.pools["US/domestic-3000"] == (2, 6000, 0)
    result = north_america.normalize("+12125550100", user="pr@na.com")
    found = north_america.billing.resolve(north_america.billing.intent(result, "pr@na.com"))
    assert found.billing_category is BillingCategory.DOMESTIC and found.charged_to == "US/domestic-3000"


def test_payg_without_credits_and_no_plan_cannot_call_out(north_america: Simulator) -> None:
    for upn, reason in (("payg@na.com", BlockReason.PAYG_UNFUNDED), ("nobody@na.com", BlockReason.NO_CALLING_PLAN)):
        intent = north_america.billing.intent(north_america.normalize("+14165550100", user=upn), upn)
        assert intent.route is Route.BLOCKED and intent.block_reason is reason
    emergency = north_america.billing.intent(north_america.normalize("911", user="nobody@na.com"), "nobody@na.com")
    assert emergency.route is Route.FREE


def test_inbound_is_unlimited(contoso: Tenant) -> None:
    billing = CallBilling(contoso)
    intent = billing.intent(Simulator(contoso).normalize("0033123456789", user=LIDIA), LIDIA, inbound=True)
    assert intent.category is BillingCategory.INBOUND and intent.route is Route.FREE


def test_cli_shows_the_plan_and_a_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "0033123456789", "--user", LIDIA]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "calling plan: Lidia's Domestic plan does not cover international calls, and "
        "Communications Credits are off for Lidia: this call would be blocked"
    )


def test_api_answers_calling_plan_for_users_only(api_client) -> None:  # type: ignore[no-untyped-def]
    answer = api_client.post("/v1/normalize", json={"dialed_number": "0033123456789", "user": PRADEEP}).json()
    assert answer["calling_plan"] == {
        "calling_plan": "domestic-1200",
        "communications_credits": True,
        "billing_category": "international",
        "allowed": True,
        "block_reason": None,
        "charged_to": "communications-credits",
        "sentence": "Pradeep's Domestic plan does not cover international calls, but Communications "
        "Credits are on for Pradeep: this call would be paid from credits",
    }
    by_location = api_client.post("/v1/normalize", json={"dialed_number": "112", "usage_location": "FR"}).json()
    assert by_location["calling_plan"] is None


def test_an_extension_rule_to_a_number_no_user_holds_is_not_free(simulator: Simulator) -> None:
    # Marcel's 7123 becomes +33199997123 (the internal-extension rule), which no user of Contoso holds.
    found = outcome(simulator, "7123", MARCEL)
    assert (found.billing_category, found.charged_to) == (BillingCategory.DOMESTIC, "FR/domestic-1200")


def test_a_premium_block_says_when_credits_are_the_cause(simulator: Simulator) -> None:
    from normalizer.billing.explain import calling_plan_answer

    off = calling_plan_answer(simulator.billing, simulator.normalize("0899123456", user=MARCEL), MARCEL)
    assert off["sentence"] == (
        "Calling Plans in FR reach this premium number only on Communications Credits, "
        "and they are off for Marcel: this call would be blocked"
    )
    on = calling_plan_answer(simulator.billing, simulator.normalize("0899123456", user=RACHELLE), RACHELLE)
    assert on["sentence"].startswith("premium numbers are reached only on credits, and Communications Credits are on")


def test_blocked_calls_are_counted_per_user_whatever_the_case_of_the_upn(simulator: Simulator) -> None:
    import numpy as np

    from normalizer.billing.ledger import CallLedger

    ledger = CallLedger(simulator)
    upns = ["Lidia.Holloway@contoso.com", "lidia.holloway@contoso.com", "LIDIA.HOLLOWAY@CONTOSO.COM"]
    ledger.feed_dialed(upns, ["0033123456789"] * 3, np.array([1709283600, 1709283700, 1709283800]), np.array([60.0] * 3))
    blocked = ledger.summary()["months"]["2024-03"]["blocked"]
    assert blocked == {LIDIA: {"no-international-entitlement": {"calls": 3, "minutes": 3}}}
