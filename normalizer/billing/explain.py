"""One call's Calling Plan answer as `normalize --json` and the API show it, with a plain sentence.

>>> from normalizer.formats import load_tenant
>>> from normalizer.simulation import Simulator
>>> simulator = Simulator(load_tenant())
>>> result = simulator.normalize("0033123456789", user="lidia.holloway@contoso.com")
>>> calling_plan_answer(simulator.billing, result, "lidia.holloway@contoso.com")["sentence"]
"Lidia's Domestic plan does not cover international calls, and Communications Credits are off for Lidia: this call would be blocked"
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from normalizer.billing.outcome import (
    CREDITS,
    BillingCategory,
    BlockReason,
    CallBilling,
    CallOutcome,
    is_billed_abroad,
)
from normalizer.classify import e164_part

if TYPE_CHECKING:
    from normalizer.engine import NormalizationResult
    from normalizer.models import User


def first_name(upn: str) -> str:
    """`lidia.holloway@contoso.com` -> `Lidia`: how a sentence names a user."""
    local = upn.split("@", 1)[0]
    return local.split(".", 1)[0].replace("_", " ").title() or upn


def plan_name(plan_id: str | None) -> str:
    """How a plan id reads: `domestic-120` -> `Domestic plan (120 minutes)`."""
    if not plan_id:
        return "no Calling Plan"
    if plan_id == "international":
        return "Domestic and International plan"
    if plan_id == "payg":
        return "Pay-As-You-Go plan"
    return f"Domestic plan ({plan_id.split('-', 1)[1]} minutes)"


def sentence(billing: CallBilling, user: User, outcome: CallOutcome, *, premium_ok: bool = False) -> str:
    """A plain sentence on a call's outcome, as at the start of a month (pools full).

    `premium_ok`: the user's country reaches this premium number (on credits).
    """
    name = first_name(user.upn)
    plan = user.calling_plan
    kind = "Domestic" if plan and plan.startswith("domestic") else plan_name(plan).removesuffix(" plan")
    credits = "on" if user.communications_credits else "off"
    category = outcome.billing_category
    if category is BillingCategory.EMERGENCY:
        return "Emergency calls always go through, free of charge, even once the month's minutes are used up"
    if category is BillingCategory.INBOUND:
        return f"Inbound calls are unlimited: this call uses none of {name}'s minutes"
    if category is BillingCategory.INTERNAL:
        return "This number is a user of the tenant's: the call is internal and uses no minutes"
    reason = outcome.block_reason
    if reason is BlockReason.NO_CALLING_PLAN:
        return f"{name} has no Calling Plan: this call would be blocked"
    if reason is BlockReason.NO_INTERNATIONAL_ENTITLEMENT:
        return (
            f"{name}'s {kind} plan does not cover international calls, and Communications Credits "
            f"are off for {name}: this call would be blocked"
        )
    if reason is BlockReason.PREMIUM_NOT_SUPPORTED and premium_ok and not user.communications_credits:
        return (
            f"Calling Plans in {user.usage_location} reach this premium number only on Communications "
            f"Credits, and they are off for {name}: this call would be blocked"
        )
    if reason is BlockReason.PREMIUM_NOT_SUPPORTED:
        return (
            f"Calling Plans in {user.usage_location} do not reach this premium number "
            f"(where they do, only on Communications Credits, {credits} for {name}): "
            "this call would be blocked"
        )
    if reason is BlockReason.PAYG_UNFUNDED:
        return (
            f"{name}'s Pay-As-You-Go plan includes no minutes, and Communications Credits are off "
            f"for {name}: this call would be blocked"
        )
    if category is BillingCategory.TOLL_FREE and plan == "payg":
        return f"Toll-free numbers cost {name}'s Pay-As-You-Go credits nothing: this call would go through"
    if category is BillingCategory.TOLL_FREE:
        after = (
            "Communications Credits carry it" if user.communications_credits else "it would be blocked like any call but an emergency one"
        )
        return (
            f"Toll-free numbers use none of {name}'s minutes: this call would go through "
            f"(once the month's pool is used up, {after})"
        )
    if outcome.charged_to == CREDITS:
        if plan == "payg":
            why = f"{name}'s Pay-As-You-Go plan includes no minutes"
        elif category is BillingCategory.PREMIUM:
            why = "premium numbers are reached only on credits"
        else:
            why = f"{name}'s {kind} plan does not cover {category} calls"
        joined = "and" if category is BillingCategory.PREMIUM else "but"
        return f"{why}, {joined} Communications Credits are on for {name}: this call would be paid from credits"
    users, domestic, international = billing.pools.get(outcome.charged_to or "", (0, 0, 0))
    minutes = international if category is BillingCategory.INTERNATIONAL else domestic
    return (
        f"{name}'s {kind} plan covers {category} calls: this call would use the "
        f"{outcome.charged_to} pool ({minutes:,} {category} minutes a month shared by {users} "
        f"user{'' if users == 1 else 's'})"
    )


def calling_plan_answer(billing: CallBilling, result: NormalizationResult, upn: str) -> dict[str, Any]:
    """The `calling_plan` object: the user's licence and the call's outcome (pools full)."""
    user = billing.user(upn)
    outcome = billing.resolve(billing.intent(result, upn))
    data: dict[str, Any] = {
        "calling_plan": user.calling_plan,
        "communications_credits": user.communications_credits,
    }
    data.update(outcome.to_dict())
    del data["billed_minutes"], data["charge"]
    country = billing.country_of(user)
    premium_ok = bool(
        outcome.billing_category is BillingCategory.PREMIUM
        and country is not None
        and country.allows_premium(e164_part(result.final_number))
    )
    data["sentence"] = sentence(billing, user, outcome, premium_ok=premium_ok)
    classification = result.classification
    if outcome.billing_category is BillingCategory.INTERNATIONAL and is_billed_abroad(
        result.final_number, classification.destination_region, classification.number_type
    ):
        data["sentence"] += (
            " (a number of no country, such as +800 or a satellite number, is billed as international)"
            if classification.is_valid_number
            else " (a number that is not valid anywhere is billed as international)"
        )
    return data
