"""The tenant document: the native TOML schema's structure, as plain data.

Shared by the TOML reader and writer and by the API, which takes the same
structure as JSON: `{"tenant": {...}, "dial_plans": [...], "users": [...]}`.
This module checks the structure (keys and types); the tenant it builds is
then checked by `normalizer.validation` (limits, names, patterns and
translations compiled, users' plans and regions), so a broken rule is reported
with the file, plan, rule and field on load, never later.

>>> doc = {"dial_plans": [{"identity": "P", "rules": [{"name": "R", "pattern": "^(7\\\\d{3})$", "translation": "+1$1"}]}]}
>>> tenant_from_document(doc).dial_plans[0].rules[0].translation
'+1$1'
>>> tenant_from_document({"dial_plans": [{"identity": "P", "rules": [{"name": "R", "pattern": "(", "translation": "$1"}]}]})
Traceback (most recent call last):
...
normalizer.errors.PatternError: <tenant>: plan 'P' rule 'R' (rules[0]): field 'pattern': not enough )'s (at position 1)
"""

from __future__ import annotations

import math
from typing import Any

from normalizer import validation
from normalizer.errors import TenantFileError
from normalizer.models import (
    DEFAULT_MAX_RULES,
    GLOBAL_IDENTITY,
    CreditsSettings,
    DialPlan,
    NormalizationRule,
    Scope,
    Tenant,
    User,
)
from normalizer.nesting import check_data

_RULE_KEYS = {"name", "description", "pattern", "translation", "is_internal_extension"}
# A rule's priority is its position in its plan's list: a `priority` key would be
# a second, contradicting order, so it is an unknown key like any other.
_HINTS = {"priority": "a rule's priority is its position in its plan's list of rules"}
_PLAN_KEYS = {
    "identity",
    "description",
    "simple_name",
    "rules",
    "external_access_prefix",
    "optimize_device_dialing",
}
_USER_KEYS = {
    "upn",
    "usage_location",
    "dial_plan",
    "calling_plan",
    "communications_credits",
    "phone_number",
}
MAX_CREDITS = 1e12
"""The largest balance, trigger or recharge amount a tenant may give."""
MIN_RECHARGE = 0.01
"""The smallest auto-recharge amount (a cent): fewer recharges than a float counts exactly."""
_CREDITS_KEYS = {"balance", "currency", "recharge_below", "recharge_amount"}
_TENANT_KEYS = {"name", "max_rules"}


def _require(
    table: Any, key: str, kind: type | tuple[type, ...], *, source: str, **where: Any
) -> Any:
    value = table.get(key)
    if value is None:
        raise TenantFileError(f"missing required key {key!r}", file=source, field=key, **where)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise TenantFileError(
            f"must be {_kind_name(kind)}, not {type(value).__name__}",
            file=source,
            field=key,
            **where,
        )
    return value


def _optional(
    table: Any, key: str, kind: type | tuple[type, ...], default: Any, *, source: str, **where: Any
) -> Any:
    if key not in table or table[key] is None:
        return default
    return _require(table, key, kind, source=source, **where)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", bool: "true or false", int: "an integer", list: "a list"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _table(value: Any, what: str, *, source: str, **where: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TenantFileError(f"{what} must be a table, not {type(value).__name__}", file=source, **where)
    return value


def _unknown_keys(table: dict[str, Any], allowed: set[str], *, source: str, **where: Any) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        hint = f"{_HINTS[unknown[0]]}; " if unknown[0] in _HINTS and "name" in allowed else ""
        raise TenantFileError(
            f"unknown key {unknown[0]!r} ({hint}known: {', '.join(sorted(allowed))})",
            file=source,
            field=unknown[0],
            **where,
        )


def rule_from_table(
    table: Any, *, source: str, plan: str, index: int
) -> NormalizationRule:
    """Read and compile one rule; errors name the file, plan, rule and field."""
    entry = _table(table, "a rule", source=source, plan=plan, rule_index=index)
    name = _require(entry, "name", str, source=source, plan=plan, rule_index=index)
    where: dict[str, Any] = {"plan": plan, "rule": name, "rule_index": index}
    _unknown_keys(entry, _RULE_KEYS, source=source, **where)
    return NormalizationRule(
        name=name,
        description=_optional(entry, "description", str, "", source=source, **where),
        pattern=_require(entry, "pattern", str, source=source, **where),
        translation=_require(entry, "translation", str, source=source, **where),
        is_internal_extension=_optional(
            entry, "is_internal_extension", bool, False, source=source, **where
        ),
    )


def _naming(error: TenantFileError, who: str) -> TenantFileError:
    """The error with `who` (`users[3] 'a@x.com'`) before its detail: the location has no user part."""
    return TenantFileError(
        f"{who}: {error.detail}",
        file=error.file,
        plan=error.plan,
        rule=error.rule,
        rule_index=error.rule_index,
        field=error.field,
    )


def plan_from_table(table: Any, *, source: str, index: int) -> DialPlan:
    """Read one tenant dial plan."""
    entry = _table(table, f"dial_plans[{index}]", source=source)
    try:
        identity = _require(entry, "identity", str, source=source)
    except TenantFileError as exc:
        raise _naming(exc, f"dial_plans[{index}]") from None
    identity = identity.removeprefix("Tag:")
    _unknown_keys(entry, _PLAN_KEYS, source=source, plan=identity)
    rules_table = _optional(entry, "rules", list, [], source=source, plan=identity)
    rules = tuple(
        rule_from_table(rule, source=source, plan=identity, index=i)
        for i, rule in enumerate(rules_table)
    )
    is_global = identity.lower() == GLOBAL_IDENTITY.lower()
    return DialPlan(
        identity=GLOBAL_IDENTITY if is_global else identity,
        scope=Scope.TENANT_GLOBAL if is_global else Scope.TENANT_USER,
        rules=rules,
        description=_optional(entry, "description", str, "", source=source, plan=identity),
        simple_name=_optional(entry, "simple_name", str, "", source=source, plan=identity),
        external_access_prefix=_optional(
            entry, "external_access_prefix", str, None, source=source, plan=identity
        ),
        optimize_device_dialing=_optional(
            entry, "optimize_device_dialing", bool, False, source=source, plan=identity
        ),
    )


def user_from_table(table: Any, *, source: str, index: int) -> User:
    """Read one user."""
    entry = _table(table, f"users[{index}]", source=source)
    try:
        upn = _require(entry, "upn", str, source=source)
    except TenantFileError as exc:
        raise _naming(exc, f"users[{index}]") from None
    try:
        _unknown_keys(entry, _USER_KEYS, source=source)
        location = _require(entry, "usage_location", str, source=source)
        plan = _optional(entry, "dial_plan", str, None, source=source)
        calling_plan = _optional(entry, "calling_plan", str, None, source=source)
        credits = _optional(entry, "communications_credits", bool, False, source=source)
        phone_number = _optional(entry, "phone_number", str, None, source=source)
    except TenantFileError as exc:
        raise _naming(exc, f"users[{index}] {upn!r}") from None
    return User(
        upn=upn,
        usage_location=location.upper(),
        dial_plan=plan.removeprefix("Tag:") if plan else None,
        calling_plan=calling_plan,
        communications_credits=credits,
        phone_number=phone_number,
    )


def credits_from_table(table: Any, *, source: str) -> CreditsSettings:
    """Read the `[communications_credits]` table."""
    entry = _table(table, "[communications_credits]", source=source)
    _unknown_keys(entry, _CREDITS_KEYS, source=source)
    number = (int, float)
    settings = CreditsSettings(
        balance=float(_optional(entry, "balance", number, 0.0, source=source)),
        currency=_optional(entry, "currency", str, "USD", source=source),
        recharge_below=_float_or_none(_optional(entry, "recharge_below", number, None, source=source)),
        recharge_amount=_float_or_none(_optional(entry, "recharge_amount", number, None, source=source)),
    )
    for key in ("balance", "recharge_below", "recharge_amount"):
        value = getattr(settings, key)
        if value is not None and not math.isfinite(value):
            raise TenantFileError(f"must be a finite number, not {value}", file=source, field=key)
        if value is not None and value < 0:
            raise TenantFileError(f"must not be negative, not {value}", file=source, field=key)
        if value is not None and value > MAX_CREDITS:
            raise TenantFileError(f"must be at most {MAX_CREDITS:,.0f}, not {value:g}", file=source, field=key)
    if settings.recharge_amount == 0:
        raise TenantFileError("must be more than 0 (leave it out: no auto-recharge)", file=source, field="recharge_amount")
    if settings.recharge_amount is not None and settings.recharge_below is None:
        # Auto-recharge is a trigger and an amount (seed 000's credits plan). A trigger alone is that
        # plan with the amount still "TBA" (Contoso's): no recharge yet. An amount alone fires never,
        # and the replay would then advise the auto-recharge the admin meant to set up.
        raise TenantFileError(
            "needs recharge_below: without a trigger there is no auto-recharge (set both, or leave recharge_amount out)",
            file=source,
            field="recharge_amount",
        )
    if settings.recharge_amount is not None and settings.recharge_amount < MIN_RECHARGE:
        raise TenantFileError(
            f"must be at least {MIN_RECHARGE} (a smaller amount means countless recharges), not {settings.recharge_amount:g}",
            file=source,
            field="recharge_amount",
        )
    return settings


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def tenant_from_document(
    document: Any,
    source: str = "<tenant>",
    *,
    max_rules: int | None = None,
    validate: bool = True,
    deadline: float | None = None,
) -> Tenant:
    """Build a tenant from the TOML schema's structure; raise located errors.

    `max_rules` overrides the document's `[tenant] max_rules`; `validate=False`
    skips `normalizer.validation` (lint does, to report every problem at once);
    `deadline` (a `time.monotonic()` instant) stops the validation there.
    """
    check_data(document, source)
    doc = _table(document, "the tenant document", source=source)
    _unknown_keys(doc, {"tenant", "dial_plans", "users", "communications_credits"}, source=source)
    header = _table(doc.get("tenant", {}), "[tenant]", source=source)
    _unknown_keys(header, _TENANT_KEYS, source=source)
    name = _optional(header, "name", str, "", source=source)
    limit = _optional(header, "max_rules", int, DEFAULT_MAX_RULES, source=source)
    if max_rules is not None:
        limit = max_rules
    if limit < 1:
        raise TenantFileError(f"must be at least 1, not {limit}", file=source, field="max_rules")
    plans_table = _optional(doc, "dial_plans", list, [], source=source)
    users_table = _optional(doc, "users", list, [], source=source)
    plans = tuple(
        plan_from_table(entry, source=source, index=i) for i, entry in enumerate(plans_table)
    )
    users = tuple(user_from_table(entry, source=source, index=i) for i, entry in enumerate(users_table))
    credits = (
        credits_from_table(doc["communications_credits"], source=source)
        if doc.get("communications_credits") is not None
        else None
    )
    tenant = Tenant(
        name=name,
        dial_plans=plans,
        users=users,
        max_rules=limit,
        source=source,
        communications_credits=credits,
    )
    return validation.validate(tenant, deadline=deadline) if validate else tenant


def tenant_to_document(tenant: Tenant) -> dict[str, Any]:
    """The tenant as the TOML schema's structure (defaults left out)."""
    header: dict[str, Any] = {"name": tenant.name}
    if tenant.max_rules != DEFAULT_MAX_RULES:
        header["max_rules"] = tenant.max_rules
    plans: list[dict[str, Any]] = []
    for plan in tenant.dial_plans:
        entry: dict[str, Any] = {"identity": plan.identity}
        if plan.description:
            entry["description"] = plan.description
        if plan.simple_name:
            entry["simple_name"] = plan.simple_name
        if plan.external_access_prefix is not None:
            entry["external_access_prefix"] = plan.external_access_prefix
        if plan.optimize_device_dialing:
            entry["optimize_device_dialing"] = True
        entry["rules"] = []
        for rule in plan.rules:
            rule_entry: dict[str, Any] = {"name": rule.name}
            if rule.description:
                rule_entry["description"] = rule.description
            rule_entry["pattern"] = rule.pattern
            rule_entry["translation"] = rule.translation
            if rule.is_internal_extension:
                rule_entry["is_internal_extension"] = True
            entry["rules"].append(rule_entry)
        plans.append(entry)
    users: list[dict[str, Any]] = []
    for user in tenant.users:
        user_entry: dict[str, Any] = {"upn": user.upn, "usage_location": user.usage_location}
        if user.dial_plan:
            user_entry["dial_plan"] = user.dial_plan
        if user.calling_plan:
            user_entry["calling_plan"] = user.calling_plan
        if user.communications_credits:
            user_entry["communications_credits"] = True
        if user.phone_number:
            user_entry["phone_number"] = user.phone_number
        users.append(user_entry)
    document: dict[str, Any] = {"tenant": header, "dial_plans": plans, "users": users}
    if tenant.communications_credits is not None:
        document["communications_credits"] = credits_to_table(tenant.communications_credits)
    return document


def credits_to_table(settings: CreditsSettings) -> dict[str, Any]:
    """The `[communications_credits]` table (unset values left out)."""
    table: dict[str, Any] = {"balance": settings.balance, "currency": settings.currency}
    if settings.recharge_below is not None:
        table["recharge_below"] = settings.recharge_below
    if settings.recharge_amount is not None:
        table["recharge_amount"] = settings.recharge_amount
    return table
