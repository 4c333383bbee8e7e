"""Calling Plan fields of tenant files: users' licences and the Communications Credits table."""

from __future__ import annotations

import pytest

from normalizer.errors import TenantFileError, TenantValidationError
from normalizer.formats.teams_json import tenant_from_teams_json, tenant_to_teams_json
from normalizer.formats.toml import tenant_from_toml, tenant_to_toml
from normalizer.models import CreditsSettings, Tenant

TENANT = """
[tenant]
name = "T"

[[users]]
upn = "a@t.com"
usage_location = "FR"
calling_plan = "domestic-120"
communications_credits = true
phone_number = "+33199997000"

[[users]]
upn = "b@t.com"
usage_location = "US"

[communications_credits]
balance = 250
currency = "EUR"
recharge_below = 50
recharge_amount = 100.5
"""


def test_licences_and_credits_are_read() -> None:
    tenant = tenant_from_toml(TENANT, "t.toml")
    a, b = tenant.users
    assert (a.calling_plan, a.communications_credits, a.phone_number) == ("domestic-120", True, "+33199997000")
    assert (b.calling_plan, b.communications_credits, b.phone_number) == (None, False, None)
    assert tenant.communications_credits == CreditsSettings(250.0, "EUR", 50.0, 100.5)


def test_toml_and_json_carry_them_both_ways() -> None:
    tenant = tenant_from_toml(TENANT, "t.toml")
    assert tenant_from_toml(tenant_to_toml(tenant)) == tenant
    assert tenant_from_teams_json(tenant_to_teams_json(tenant), name="T") == tenant


def test_contoso_carries_the_seed_licence_table(contoso: Tenant) -> None:
    licences = {user.upn.split("@")[0]: (user.calling_plan, user.communications_credits) for user in contoso.users}
    assert licences == {
        "emily.braun": ("international", True),
        "lidia.holloway": ("domestic-1200", False),
        "pradeep.gupta": ("domestic-1200", True),
        "marcel.beauchamp": ("domestic-1200", False),
        "rachelle.cormier": ("international", True),
        "isabell.potvin": ("domestic-1200", False),
    }
    assert contoso.communications_credits == CreditsSettings(1000.0, "USD", 400.0, None)


def test_a_plan_not_sold_in_the_usage_location_is_a_located_error() -> None:
    text = TENANT.replace('calling_plan = "domestic-120"', 'calling_plan = "domestic-3000"')
    with pytest.raises(TenantValidationError) as caught:
        tenant_from_toml(text, "t.toml")
    assert str(caught.value) == (
        "t.toml: field 'calling_plan': user 'a@t.com': calling plan 'domestic-3000' is not sold in FR "
        "(sold: domestic-120, domestic-240, domestic-1200, international, payg)"
    )


def test_a_plan_in_a_country_without_calling_plans_is_a_located_error() -> None:
    text = TENANT.replace('usage_location = "FR"', 'usage_location = "IT"')
    with pytest.raises(TenantValidationError, match=r"field 'calling_plan': user 'a@t.com': Calling Plans are not sold in IT"):
        tenant_from_toml(text, "t.toml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param("communications_credits = true", 'communications_credits = "yes"',
                     "t.toml: field 'communications_credits': users[0] 'a@t.com': must be true or false, not str", id="flag"),
        pytest.param("balance = 250", "balance = -1", "t.toml: field 'balance': must not be negative, not -1.0", id="negative"),
        pytest.param("recharge_amount = 100.5", "recharge_amount = 0", "t.toml: field 'recharge_amount': must be more than 0", id="zero-recharge"),
        pytest.param('currency = "EUR"', "currency = 1", "t.toml: field 'currency': must be a string, not int", id="currency"),
        pytest.param("balance = 250", "balances = 250", "t.toml: field 'balances': unknown key 'balances'", id="unknown"),
        pytest.param('phone_number = "+33199997000"', 'phone_number = "7000"',
                     "t.toml: field 'phone_number': user 'a@t.com': phone number '7000' is not an E.164 number", id="number"),
    ],
)
def test_bad_values_name_file_and_field(old: str, new: str, message: str) -> None:
    with pytest.raises((TenantFileError, TenantValidationError)) as caught:
        tenant_from_toml(TENANT.replace(old, new), "t.toml")
    assert str(caught.value).startswith(message)


AMOUNT_ONLY = "needs recharge_below: without a trigger there is no auto-recharge (set both, or leave recharge_amount out)"


@pytest.mark.parametrize("kind", ["toml", "json"])
def test_a_recharge_amount_without_a_trigger_is_an_error_on_load(
    kind: str, tmp_path, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    from normalizer.cli import main

    # The same tenant in both formats, then its trigger taken out.
    text = tenant_to_toml(tenant_from_toml(TENANT, "t.toml"))
    if kind == "json":
        text = tenant_to_teams_json(tenant_from_toml(TENANT, "t.toml"))
    path = tmp_path / f"t.{kind}"
    path.write_text(text.replace("recharge_below = 50.0\n", "").replace('"recharge_below": 50.0,', ""), encoding="utf-8")
    assert "recharge_below" not in path.read_text(encoding="utf-8")
    assert "recharge_amount" in path.read_text(encoding="utf-8")
    assert main(["lint", "--tenant", str(path)]) == 2
    assert capsys.readouterr().err.strip() == f"dialplan: error: {path}: field 'recharge_amount': {AMOUNT_ONLY}"


def test_a_posted_recharge_amount_without_a_trigger_is_refused(api_client) -> None:  # type: ignore[no-untyped-def]
    tenant = {
        "tenant": {"name": "What-if"},
        "users": [{"upn": "a@w.fr", "usage_location": "FR", "calling_plan": "payg", "communications_credits": True}],
        "communications_credits": {"balance": 1, "currency": "EUR", "recharge_amount": 5},
    }
    calls = [{"user": "a@w.fr", "dialed_number": "0145678900", "start": "2024-03-01T09:00:00Z", "duration": 60}]
    answer = api_client.post("/v1/calls/replay", json={"tenant": tenant, "calls": calls})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "recharge_amount" and AMOUNT_ONLY in answer.json()["detail"]


def test_a_trigger_without_an_amount_is_the_seed_s_plan_with_the_amount_to_be_decided(contoso: Tenant) -> None:
    # Seed 000's credits plan: initial $1,000, trigger $400, auto-recharge amount "TBA": loaded, no recharge.
    assert contoso.communications_credits == CreditsSettings(1000.0, "USD", 400.0, None)
