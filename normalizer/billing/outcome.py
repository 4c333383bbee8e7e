"""One call's fate under its caller's Calling Plan: allowed or not, and who pays.

The call is first put in a billing category from its normalization result (the
classifier's answer is reused, never recomputed): `emergency`, `internal` (the
final number is a tenant user's own `phone_number`, whatever rule made it), `domestic` / `international` in the *billing* view (the
caller's country's domestic regions: US, Canada and Puerto Rico are domestic
for each other's users, unlike `call_type`'s geographic view), `premium`
(premium-rate and shared-cost numbers), `toll_free`, and `inbound`.

Then the licence decides, as an `Intent` that needs no state (seed 004, seed
000 "Licensing for Calling Plans", the per-country pages):
emergency calls always go through, free, even after the cap; inbound calls are
unlimited; internal calls use no minutes; toll-free calls at home use none
(our reading) but, like any call but emergency ones, stop with the pool once it
is used up (seed 000), and a toll-free number abroad is an international call;
a Domestic plan carries domestic calls in its pool and international
ones only on Communications Credits; an International plan carries both in
its pool; a Pay-As-You-Go plan pays every outbound minute from credits, and
without them cannot call out; premium numbers are reached only where the
country allows them, on credits. Whether a pool still has minutes or the
credits still have money is the replay's state (`normalizer.billing.replay`);
`resolve` answers for a given state (pools full, credits funded by default).

>>> from normalizer.formats import load_tenant
>>> from normalizer.simulation import Simulator
>>> simulator = Simulator(load_tenant())
>>> lidia = "lidia.holloway@contoso.com"
>>> result = simulator.normalize("0033123456789", user=lidia)
>>> outcome = simulator.billing.resolve(simulator.billing.intent(result, lidia))
>>> str(outcome.billing_category), outcome.allowed, str(outcome.block_reason)
('international', False, 'no-international-entitlement')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from normalizer.billing.catalog import CountryPlans, PlanCatalog, PlanKind, default_plan_catalog
from normalizer.classify import CallType, e164_part
from normalizer.errors import UnknownCallingPlanError

if TYPE_CHECKING:
    from normalizer.engine import NormalizationResult
    from normalizer.models import Tenant, User

CREDITS = "communications-credits"
"""`charged_to` of a call paid from Communications Credits."""


class BillingCategory(StrEnum):
    """What a call is for billing (not `call_type`'s geographic view)."""

    EMERGENCY = "emergency"
    INTERNAL = "internal"
    DOMESTIC = "domestic"
    INTERNATIONAL = "international"
    PREMIUM = "premium"
    TOLL_FREE = "toll_free"
    INBOUND = "inbound"


class BlockReason(StrEnum):
    """Why a call would not go out."""

    NO_CALLING_PLAN = "no-calling-plan"
    NO_INTERNATIONAL_ENTITLEMENT = "no-international-entitlement"
    POOL_EXHAUSTED = "pool-exhausted"
    PREMIUM_NOT_SUPPORTED = "premium-not-supported"
    CREDITS_EXHAUSTED = "credits-exhausted"
    PAYG_UNFUNDED = "payg-unfunded"


class Route(StrEnum):
    """Where a call's minutes go before any state is known."""

    FREE = "free"
    """Allowed, using no minutes (emergency, internal, inbound; toll-free on Pay-As-You-Go with credits)."""
    POOL = "pool"
    """The caller's pool; on credits (if enabled) or blocked once the pool is used up."""
    CREDITS = "credits"
    """Communications Credits only."""
    BLOCKED = "blocked"


_PREMIUM_TYPES = frozenset({"premium_rate", "shared_cost"})


@dataclass(frozen=True, slots=True)
class Intent:
    """A call's route under its caller's licence, before pools and credits are known."""

    category: BillingCategory
    route: Route
    pool: str | None = None
    """`<region>/<plan id>` for `Route.POOL`."""
    international: bool = False
    """Counted against the pool's international minutes (International plans)."""
    overflow_to_credits: bool = False
    """When the pool is used up, pay from credits (the user has them enabled)."""
    block_reason: BlockReason | None = None
    uses_minutes: bool = True
    """False for toll-free calls: they need the pool's service but use none of its minutes."""


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """A call's fate: the fields `cdr` appends and `normalize` shows."""

    billing_category: BillingCategory
    allowed: bool
    block_reason: BlockReason | None
    charged_to: str | None
    billed_minutes: int | None = None
    charge: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "billing_category": str(self.billing_category),
            "allowed": self.allowed,
            "block_reason": str(self.block_reason) if self.block_reason else None,
            "charged_to": self.charged_to,
            "billed_minutes": self.billed_minutes,
            "charge": self.charge,
        }


NOT_A_NUMBER_TYPES = ("", "unknown")
"""`number_type` of an E.164 number that is no valid number of any region (none: letters left in it)."""


def is_billed_abroad(final_number: str, destination_region: str | None, number_type: str | None) -> bool:
    """True for an E.164 number that no region of the caller's can claim: billed `international`.

    A valid number always has a type; phonenumbers gives none (`unknown`) to a
    number it does not know as valid (a typo, too short, `+1 0044...`), and a
    valid non-geographic one (+800, +870, +881, +882: region `001`) has no
    region. Nothing shows such a call stays in the country, so it is not
    domestic (our reading; README, "Would this call be allowed").

    >>> is_billed_abroad("+881612345678", None, "mobile"), is_billed_abroad("+3312", "FR", "unknown")
    (True, True)
    >>> is_billed_abroad("+33123456789", "FR", "fixed_line"), is_billed_abroad("3949", None, None)
    (False, False)
    """
    return final_number[:1] == "+" and (destination_region is None or (number_type or "") in NOT_A_NUMBER_TYPES)


def billed_minutes(seconds: float, increment_seconds: int) -> int:
    """Billed minutes of a call: per started increment (`rules/calling_plans/zones.toml`)."""
    if seconds <= 0:
        return 0
    increments = math.ceil(seconds / increment_seconds)
    return math.ceil(increments * increment_seconds / 60)


def pool_key(country: CountryPlans, plan_id: str) -> str:
    """The pool of a country's plan: US and Puerto Rico users share the US pools."""
    return f"{country.pool_region}/{plan_id}"


class CallBilling:
    """A tenant's licences against the plan catalog: intents, outcomes, pool sizes."""

    def __init__(self, tenant: Tenant, catalog: PlanCatalog | None = None) -> None:
        self.tenant = tenant
        self.catalog = catalog or default_plan_catalog()
        self.users = {user.upn.lower(): user for user in tenant.users}
        self.internal_numbers = frozenset(
            user.phone_number for user in tenant.users if user.phone_number
        )
        self.pools: dict[str, tuple[int, int, int]] = {}
        """Pool key -> (licences, domestic minutes, international minutes) a month."""
        for user in tenant.users:
            country = self.country_of(user)
            if country is None or not user.calling_plan or user.calling_plan == "payg":
                continue
            plan = country.plan(user.calling_plan)
            key = pool_key(country, plan.id)
            users, domestic, international = self.pools.get(key, (0, 0, 0))
            self.pools[key] = (
                users + 1,
                domestic + plan.domestic_minutes,
                international + plan.international_minutes,
            )

    def country_of(self, user: User) -> CountryPlans | None:
        try:
            return self.catalog.country(user.usage_location) if user.usage_location else None
        except UnknownCallingPlanError:
            return None

    def profile(self, user: User) -> tuple[str, str | None, bool]:
        """What a user's intents depend on: usage location, plan, credits."""
        return (user.usage_location, user.calling_plan, user.communications_credits)

    def user(self, upn: str) -> User:
        found = self.users.get(upn.lower())
        if found is None:
            return self.tenant.user(upn)  # raises the located error
        return found

    def category(
        self,
        user: User,
        final_number: str,
        call_type: CallType,
        destination_region: str | None,
        number_type: str | None,
        *,
        is_emergency: bool = False,
        inbound: bool = False,
    ) -> BillingCategory:
        """The billing category of a classified call."""
        if inbound:
            return BillingCategory.INBOUND
        if is_emergency or call_type is CallType.EMERGENCY:
            return BillingCategory.EMERGENCY
        # Internal only when the final number is a tenant user's: an extension rule may well
        # rewrite to a number that no user holds, and that call goes to the PSTN. A Direct
        # Routing user's number keeps its extension (`+14255551234;ext=1001`).
        if final_number in self.internal_numbers or e164_part(final_number) in self.internal_numbers:
            return BillingCategory.INTERNAL
        if number_type in _PREMIUM_TYPES:
            return BillingCategory.PREMIUM
        country = self.country_of(user)
        domestic = country.domestic_regions if country else frozenset({user.usage_location})
        if is_billed_abroad(final_number, destination_region, number_type):
            return BillingCategory.INTERNATIONAL
        # A short code (or an extension's digits left without +) is dialled in the caller's country.
        if destination_region is None or call_type is CallType.SERVICE or destination_region in domestic:
            # A toll-free number abroad is an international call (billing view); at home it is toll_free.
            return BillingCategory.TOLL_FREE if number_type == "toll_free" else BillingCategory.DOMESTIC
        return BillingCategory.INTERNATIONAL

    def intent_for(
        self, user: User, category: BillingCategory, final_number: str, *, premium_ok: bool | None = None
    ) -> Intent:
        """The route of a call of `category` under the user's licence.

        `premium_ok`: whether the user's country lets this premium number be called
        (default: asked of the country with `final_number`).
        """
        if category in (BillingCategory.EMERGENCY, BillingCategory.INBOUND, BillingCategory.INTERNAL):
            return Intent(category, Route.FREE)
        country = self.country_of(user)
        if not user.calling_plan or country is None:
            return Intent(category, Route.BLOCKED, block_reason=BlockReason.NO_CALLING_PLAN)
        credits = user.communications_credits
        plan = country.plan(user.calling_plan)
        if category is BillingCategory.TOLL_FREE:
            # Uses no minutes (our reading), but only while the service runs: once the pool is
            # used up "Calling Plans service (except for emergency calling) will be suspended"
            # (seed 000, "Licensing for Calling Plans"), so it follows the pool like any call.
            if plan.kind is PlanKind.PAYG:
                if credits:
                    return Intent(category, Route.FREE)
                return Intent(category, Route.BLOCKED, block_reason=BlockReason.PAYG_UNFUNDED)
            return Intent(
                category, Route.POOL, pool=pool_key(country, plan.id), overflow_to_credits=credits, uses_minutes=False
            )
        if category is BillingCategory.PREMIUM:
            if premium_ok is None:
                premium_ok = country.allows_premium(e164_part(final_number))
            if credits and premium_ok:
                return Intent(category, Route.CREDITS)
            return Intent(category, Route.BLOCKED, block_reason=BlockReason.PREMIUM_NOT_SUPPORTED)
        if plan.kind is PlanKind.PAYG:
            if credits:
                return Intent(category, Route.CREDITS)
            return Intent(category, Route.BLOCKED, block_reason=BlockReason.PAYG_UNFUNDED)
        international = category is BillingCategory.INTERNATIONAL
        if international and plan.kind is PlanKind.DOMESTIC:
            if credits:
                return Intent(category, Route.CREDITS)
            return Intent(
                category, Route.BLOCKED, block_reason=BlockReason.NO_INTERNATIONAL_ENTITLEMENT
            )
        return Intent(
            category,
            Route.POOL,
            pool=pool_key(country, plan.id),
            international=international,
            overflow_to_credits=credits,
        )

    def intent(self, result: NormalizationResult, upn: str, *, inbound: bool = False) -> Intent:
        """The route of a normalized call of a user (its classification reused)."""
        user = self.user(upn)
        classification = result.classification
        category = self.category(
            user,
            result.final_number,
            classification.call_type,
            classification.destination_region,
            classification.number_type,
            is_emergency=result.is_emergency,
            inbound=inbound,
        )
        return self.intent_for(user, category, result.final_number)

    def resolve(
        self,
        intent: Intent,
        *,
        pool_has_minutes: bool = True,
        credits_funded: bool = True,
        minutes: int | None = None,
        charge: float | None = None,
    ) -> CallOutcome:
        """The outcome of an intent for a state of its pool and of the credits."""
        category = intent.category
        if intent.route is Route.FREE:
            return CallOutcome(category, True, None, None, 0 if minutes is not None else None)
        if intent.route is Route.BLOCKED:
            return CallOutcome(category, False, intent.block_reason, None, 0 if minutes is not None else None)
        if intent.route is Route.POOL and not intent.uses_minutes:
            if pool_has_minutes or intent.overflow_to_credits:
                return CallOutcome(category, True, None, None, 0 if minutes is not None else None)
            return CallOutcome(category, False, BlockReason.POOL_EXHAUSTED, None, 0 if minutes is not None else None)
        if intent.route is Route.POOL and pool_has_minutes:
            return CallOutcome(category, True, None, intent.pool, minutes)
        if intent.route is Route.POOL and not intent.overflow_to_credits:
            return CallOutcome(category, False, BlockReason.POOL_EXHAUSTED, None, 0 if minutes is not None else None)
        if not credits_funded:
            return CallOutcome(category, False, BlockReason.CREDITS_EXHAUSTED, None, 0 if minutes is not None else None)
        return CallOutcome(category, True, None, CREDITS, minutes, charge)
