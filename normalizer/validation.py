"""Tenant validation: every check that rejects a tenant, in one place.

Loading a tenant runs these checks and raises the first violation; `lint`
reports them all. Limits follow learn.microsoft.com microsoftteams/
what-are-dial-plans and new-cstenantdialplan: rules per tenant dial plan (25
by default, a setting: `[tenant] max_rules` or `--max-rules`; Teams allows 50
today), at most 1,000 tenant dial plans, an identity of 1 to 49 letters,
digits, `-` and `.` not starting with `.`, descriptions of at most 512 (rule)
and 1,040 (plan) characters, at least one rule per plan; and what the engine
needs: patterns and translations that compile in the .NET dialect, users on
plans that exist and in regions that exist, each with a user principal name
that is not blank and not another user's in other letter case, and a phone
number, if any, that no other user holds (Teams refuses to assign a number
"already assigned to another user": learn.microsoft.com microsoftteams
set-csphonenumberassignment, example 7).

A phone number is kept as `+E164` or, for a Direct Routing number with an
extension, `+E164;ext=N` (`read_phone_number`).

>>> from normalizer.models import DialPlan, NormalizationRule, Scope, Tenant
>>> plan = DialPlan("P", Scope.TENANT_USER, (NormalizationRule("R", r"^(7\\d{3})$", "+1$1"),))
>>> validate(Tenant("T", dial_plans=(plan,))).name
'T'
>>> validate(Tenant("T", dial_plans=(plan,) * 2, source="t.toml"))
Traceback (most recent call last):
...
normalizer.errors.TenantValidationError: t.toml: plan 'P': field 'identity': dial plan identity 'P' is already used by dial_plans[0]
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from enum import StrEnum

from normalizer import countries
from normalizer.dotnet import dialect, substitution
from normalizer.errors import (
    DialplanError,
    TenantValidationError,
    TimeLimitError,
    UnknownCallingPlanError,
)
from normalizer.models import DialPlan, Tenant

MAX_TENANT_PLANS = 1000
MAX_RULE_DESCRIPTION = 512
MAX_PLAN_DESCRIPTION = 1040
_E164 = re.compile(r"\+[1-9]\d{7,14}(?:;ext=\d{1,15})?")
_PHONE_NUMBER = re.compile(r"(\+?)([1-9]\d{7,14})(?:;ext=(\d{1,15}))?", re.IGNORECASE)


def read_phone_number(text: str) -> tuple[str, bool]:
    """A user's number as Teams takes it, in the form kept; and whether its `+` was added.

    `Set-CsPhoneNumberAssignment -PhoneNumber` takes `+12065551234` and the
    non-E.164 `12065551234`, and Direct Routing numbers with an extension
    (`+1206555000;ext=1234`, `1206555000;ext=1234`): learn.microsoft.com
    microsoftteams set-csphonenumberassignment, -PhoneNumber. The extension is
    kept (`+14255551000;ext=100`), so two users of one Direct Routing number
    keep apart. ValueError says what is wrong.

    >>> read_phone_number("14255551000;EXT=100"), read_phone_number(" +33199990001 ")
    (('+14255551000;ext=100', True), ('+33199990001', False))
    >>> read_phone_number("+44 20 7946 0000")
    Traceback (most recent call last):
    ...
    ValueError: '+44 20 7946 0000' is not a phone number Teams assigns ('+' and 8 to 15 digits, or the digits alone, then ';ext=' and the extension if any)
    """
    found = _PHONE_NUMBER.fullmatch(text.strip())
    if found is None:
        raise ValueError(
            f"{text!r} is not a phone number Teams assigns ('+' and 8 to 15 digits, or the digits "
            "alone, then ';ext=' and the extension if any)"
        )
    plus, digits, extension = found.groups()
    return f"+{digits}" + (f";ext={extension}" if extension else ""), not plus
_IDENTITY = re.compile(r"[A-Za-z0-9\-][A-Za-z0-9.\-]{0,48}")


def is_valid_identity(identity: str) -> bool:
    """Whether Teams takes a dial plan identity (learn.microsoft.com new-cstenantdialplan, -Identity)."""
    return _IDENTITY.fullmatch(identity) is not None


class Violation(StrEnum):
    """Stable codes of the checks that reject a tenant."""

    TOO_MANY_RULES = "too-many-rules"
    TOO_MANY_PLANS = "too-many-plans"
    INVALID_IDENTITY = "invalid-identity"
    DUPLICATE_PLAN = "duplicate-plan"
    DESCRIPTION_TOO_LONG = "description-too-long"
    EMPTY_PLAN = "empty-plan"
    DUPLICATE_RULE_NAME = "duplicate-rule-name"
    INVALID_PATTERN = "invalid-pattern"
    INVALID_TRANSLATION = "invalid-translation"
    INVALID_UPN = "invalid-upn"
    DUPLICATE_USER = "duplicate-user"
    UNKNOWN_PLAN = "unknown-plan"
    UNKNOWN_REGION = "unknown-region"
    CALLING_PLAN_NOT_SOLD = "calling-plan-not-sold"
    INVALID_PHONE_NUMBER = "invalid-phone-number"
    DUPLICATE_PHONE_NUMBER = "duplicate-phone-number"


@dataclass(frozen=True, slots=True)
class Problem:
    """One violation: its code and the located error loading raises for it."""

    code: Violation
    error: DialplanError


def _check_deadline(deadline: float | None, plan: str, rule: str, rule_index: int) -> None:
    """Raise `TimeLimitError` once `deadline` (a `time.monotonic()` instant) has passed."""
    if deadline is not None and time.monotonic() > deadline:
        raise TimeLimitError(
            "the request ran past its time limit while the tenant was checked",
            plan=plan,
            rule=rule,
            rule_index=rule_index,
        )


def _plan_problems(
    tenant: Tenant, plan: DialPlan, max_rules: int, deadline: float | None = None
) -> list[Problem]:
    source = tenant.source
    found: list[Problem] = []

    def add(code: Violation, detail: str, **where: str | int | None) -> None:
        where.setdefault("plan", plan.identity)
        found.append(Problem(code, TenantValidationError(detail, file=source, **where)))  # type: ignore[arg-type]

    if not is_valid_identity(plan.identity):
        add(
            Violation.INVALID_IDENTITY,
            f"dial plan identity {plan.identity!r} must be 1 to 49 letters, digits, '-' or '.', "
            "not starting with '.'",
            field="identity",
        )
    if len(plan.description) > MAX_PLAN_DESCRIPTION:
        add(
            Violation.DESCRIPTION_TOO_LONG,
            f"description has {len(plan.description)} characters, more than {MAX_PLAN_DESCRIPTION}",
            field="description",
        )
    if not plan.rules:
        add(Violation.EMPTY_PLAN, "has no rules: a tenant dial plan needs at least one", field="rules")
    if len(plan.rules) > max_rules:
        add(
            Violation.TOO_MANY_RULES,
            f"has {len(plan.rules)} rules, more than the limit of {max_rules} rules per tenant "
            "dial plan (set [tenant] max_rules or --max-rules; Teams allows 50)",
            field="rules",
        )
    names: dict[str, int] = {}
    for index, rule in enumerate(plan.rules):
        where: dict[str, str | int | None] = {"rule": rule.name, "rule_index": index}
        _check_deadline(deadline, plan.identity, rule.name, index)
        if len(rule.description) > MAX_RULE_DESCRIPTION:
            add(
                Violation.DESCRIPTION_TOO_LONG,
                f"description has {len(rule.description)} characters, more than {MAX_RULE_DESCRIPTION}",
                field="description",
                **where,
            )
        earlier = names.setdefault(rule.name.casefold(), index)
        if earlier != index:
            add(
                Violation.DUPLICATE_RULE_NAME,
                f"rule name {rule.name!r} is already used by rules[{earlier}]",
                field="name",
                **where,
            )
        try:
            compiled = dialect.compile_pattern(rule.pattern)
        except DialplanError as exc:
            located = exc.located(file=source, plan=plan.identity, field="pattern", **where)
            found.append(Problem(Violation.INVALID_PATTERN, located))
            continue
        try:
            substitution.parse_translation(rule.translation, compiled)
        except DialplanError as exc:
            located = exc.located(file=source, plan=plan.identity, field="translation", **where)
            found.append(Problem(Violation.INVALID_TRANSLATION, located))
    return found


def problems(
    tenant: Tenant, *, max_rules: int | None = None, deadline: float | None = None
) -> list[Problem]:
    """Every violation of the tenant, in file order (`max_rules` overrides the tenant's).

    With `deadline` (a `time.monotonic()` instant), compiling the patterns stops
    there with a `TimeLimitError` (a posted tenant counts against its request's limit).
    """
    limit = tenant.max_rules if max_rules is None else max_rules
    source = tenant.source
    found: list[Problem] = []
    if len(tenant.dial_plans) > MAX_TENANT_PLANS:
        found.append(
            Problem(
                Violation.TOO_MANY_PLANS,
                TenantValidationError(
                    f"has {len(tenant.dial_plans)} tenant dial plans, more than the limit of "
                    f"{MAX_TENANT_PLANS}",
                    file=source,
                    field="dial_plans",
                ),
            )
        )
    identities: dict[str, int] = {}
    for index, plan in enumerate(tenant.dial_plans):
        earlier = identities.setdefault(plan.identity.casefold(), index)
        if earlier != index:
            found.append(
                Problem(
                    Violation.DUPLICATE_PLAN,
                    TenantValidationError(
                        f"dial plan identity {plan.identity!r} is already used by dial_plans[{earlier}]",
                        file=source,
                        plan=plan.identity,
                        field="identity",
                    ),
                )
            )
            continue
        found.extend(_plan_problems(tenant, plan, limit, deadline))
    upns: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for index, user in enumerate(tenant.users):
        if user.phone_number and (holder := numbers.setdefault(user.phone_number, index)) != index:
            found.append(
                Problem(
                    Violation.DUPLICATE_PHONE_NUMBER,
                    TenantValidationError(
                        f"users[{index}]: user {user.upn!r} has phone number {user.phone_number!r}, "
                        f"which users[{holder}] {tenant.users[holder].upn!r} holds already (Teams "
                        "assigns a number to one user; a Direct Routing number's users keep apart "
                        "by extension: ';ext=')",
                        file=source,
                        field="phone_number",
                    ),
                )
            )
        if not user.upn.strip():
            found.append(
                Problem(
                    Violation.INVALID_UPN,
                    TenantValidationError(
                        f"users[{index}]: user principal name {user.upn!r} is blank: every user "
                        "needs one (such as 'name@contoso.com')",
                        file=source,
                        field="upn",
                    ),
                )
            )
        elif (earlier := upns.setdefault(user.upn.casefold(), index)) != index:
            found.append(
                Problem(
                    Violation.DUPLICATE_USER,
                    TenantValidationError(
                        f"users[{index}]: user {user.upn!r} is already listed as users[{earlier}] "
                        "(user principal names are compared without case)",
                        file=source,
                        field="upn",
                    ),
                )
            )
        # An empty usage location is one a script never set: `lint` lists such users,
        # and simulating one of them is an error naming the user.
        if user.usage_location and not countries.is_region(user.usage_location):
            found.append(
                Problem(
                    Violation.UNKNOWN_REGION,
                    TenantValidationError(
                        f"user {user.upn!r}: usage location {user.usage_location!r} is not an "
                        "ISO 3166 region that phonenumbers knows",
                        file=source,
                        field="usage_location",
                    ),
                )
            )
        if user.calling_plan and user.usage_location:
            found.extend(_calling_plan_problems(source, user.upn, user.usage_location, user.calling_plan))
        if user.phone_number is not None and not _E164.fullmatch(user.phone_number):
            found.append(
                Problem(
                    Violation.INVALID_PHONE_NUMBER,
                    TenantValidationError(
                        f"user {user.upn!r}: phone number {user.phone_number!r} is not an E.164 "
                        "number ('+' and 8 to 15 digits, then ';ext=' and the extension if any)",
                        file=source,
                        field="phone_number",
                    ),
                )
            )
        if user.dial_plan and user.dial_plan.casefold() not in identities:
            found.append(
                Problem(
                    Violation.UNKNOWN_PLAN,
                    TenantValidationError(
                        f"user {user.upn!r} is assigned dial plan {user.dial_plan!r}, which does "
                        f"not exist in tenant {tenant.name!r}",
                        file=source,
                        plan=user.dial_plan,
                        field="dial_plan",
                    ),
                )
            )
    return found


def _calling_plan_problems(source: str | None, upn: str, region: str, plan_id: str) -> list[Problem]:
    """A user's Calling Plan must be one their usage location sells."""
    from normalizer.billing.catalog import default_plan_catalog

    try:
        default_plan_catalog().plan(region, plan_id)
    except UnknownCallingPlanError as exc:
        return [
            Problem(
                Violation.CALLING_PLAN_NOT_SOLD,
                TenantValidationError(f"user {upn!r}: {exc.detail}", file=source, field="calling_plan"),
            )
        ]
    return []


def validate(
    tenant: Tenant, *, max_rules: int | None = None, deadline: float | None = None
) -> Tenant:
    """The tenant (with `max_rules` in force recorded), or the first violation raised."""
    found = problems(tenant, max_rules=max_rules, deadline=deadline)
    if found:
        raise found[0].error
    if max_rules is not None and max_rules != tenant.max_rules:
        return replace(tenant, max_rules=max_rules)
    return tenant
