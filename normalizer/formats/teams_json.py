"""Teams JSON: dial plans as `Get-CsTenantDialPlan | ConvertTo-Json -Depth 5` prints them.

Read: one object or an array of them. A dial plan object has `Identity`
(`Global` or `Tag:Name`), `Description`, `SimpleName`, `NormalizationRules`,
and, from older modules, `ExternalAccessPrefix` and `OptimizeDeviceDialing`;
`Get-CsEffectiveTenantDialPlan | ConvertTo-Json` has the same shape. Rules are
objects, or the strings `ConvertTo-Json` prints when `-Depth` is too small:
`Description=...;Pattern=...;Translation=...;Name=...;IsInternalExtension=False`.
An object with `UserPrincipalName` is a user, shaped as `Get-CsOnlineUser |
Select-Object UserPrincipalName, UsageLocation, TenantDialPlan` prints it.
A user may also carry `LineUri` (`tel:+E164`, as Get-CsOnlineUser prints the
user's number; a Direct Routing number's extension, `tel:+14255551234;ext=1001`,
is kept, as `validation.read_phone_number` reads it) and dialplan's own `CallingPlan` and `CommunicationsCredits`
(the tenant file's `calling_plan` and `communications_credits`); one object
with `CommunicationsCreditsSettings` holds the `[communications_credits]`
table. Other properties (Teams prints many) are ignored; keys are case-insensitive.

Written: an array of those plan objects, then the user objects, then the credits object.

>>> tenant = tenant_from_teams_json(r'''{"Identity": "Tag:FR-Paris", "NormalizationRules": [
...   "Description=;Pattern=^(7\\\\d{3})$;Translation=+3319999$1;Name=FR-Ext;IsInternalExtension=True"]}''')
>>> tenant.dial_plans[0].identity, tenant.dial_plans[0].rules[0].is_internal_extension
('FR-Paris', True)
>>> tenant_from_teams_json('{"Identity": "P",}', source="plans.json")
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: plans.json: line 1, column 18: not valid JSON: Expecting property name enclosed in double quotes
    {"Identity": "P",}
                     ^
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from normalizer.errors import TenantFileError
from normalizer.formats.document import credits_to_table, tenant_from_document
from normalizer.formats.text import located, read_text
from normalizer.models import GLOBAL_IDENTITY, Tenant
from normalizer.nesting import check_text
from normalizer.validation import read_phone_number

_RULE_KEYS = ("Description", "Pattern", "Translation", "Name", "IsInternalExtension", "Priority")
_RULE_FIELD = re.compile("(?:^|;)(" + "|".join(_RULE_KEYS) + ")=", re.IGNORECASE)


def _lower_keys(entry: dict[str, Any]) -> dict[str, Any]:
    return {str(key).lower(): value for key, value in entry.items()}


def _text(value: Any, *, source: str, field: str, **where: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise TenantFileError(
        f"must be a string, not {type(value).__name__}", file=source, field=field, **where
    )


def _flag(value: Any, *, source: str, field: str, **where: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise TenantFileError(
        f"must be true or false, not {value!r}", file=source, field=field, **where
    )


def parse_rule_string(text: str) -> dict[str, str]:
    """`Description=...;Pattern=...;...` as its fields (a pattern may hold `;` and `=`).

    >>> parse_rule_string("Description=;Pattern=^(\\\\d+)(;)?(ext)(=)?(\\\\d+)$;Translation=$1;Name=X;IsInternalExtension=False")["Pattern"]
    '^(\\\\d+)(;)?(ext)(=)?(\\\\d+)$'
    """
    marks = list(_RULE_FIELD.finditer(text))
    if not marks or marks[0].start() != 0:
        raise ValueError("does not start with one of " + ", ".join(f"{key}=" for key in _RULE_KEYS))
    # Teams prints the keys in one order: take each key's first mark after the
    # previous key's, so a pattern such as `(;)?(ext)(=)?` or a description
    # holding `;Name=` stays whole.
    fields: dict[str, str] = {}
    kept: list[tuple[str, re.Match[str]]] = []
    start = 0
    for key in _RULE_KEYS:
        mark = next(
            (m for m in marks if m.group(1).lower() == key.lower() and m.start() >= start), None
        )
        if mark is not None:
            kept.append((key, mark))
            start = mark.end()
    if kept[0][1].start() != 0:
        # The text before the first key taken would be lost without a word.
        order = ", ".join(f"{key}=" for key in _RULE_KEYS)
        raise ValueError(f"has {marks[0].group(0)!r} out of the order Teams prints ({order})")
    for (key, mark), following in zip(kept, [*kept[1:], None]):
        end = following[1].start() if following else len(text)
        fields[key] = text[mark.end() : end]
    return fields


def _rule(entry: Any, *, source: str, plan: str, index: int) -> dict[str, Any]:
    where: dict[str, Any] = {"plan": plan, "rule_index": index}
    if isinstance(entry, str):
        try:
            entry = parse_rule_string(entry)
        except ValueError as exc:
            raise TenantFileError(f"a rule string {exc}", file=source, **where) from None
    if not isinstance(entry, dict):
        raise TenantFileError(
            f"a rule must be an object or a string, not {type(entry).__name__}",
            file=source,
            **where,
        )
    fields = _lower_keys(entry)
    name = _text(fields.get("name"), source=source, field="Name", **where)
    if not name:
        raise TenantFileError("missing required key 'Name'", file=source, field="Name", **where)
    where["rule"] = name
    # Teams always prints both: a missing one is a damaged dump, not an empty
    # pattern (which would match every dial string).
    required = {}
    for key in ("Pattern", "Translation"):
        required[key] = _text(fields.get(key.lower()), source=source, field=key, **where)
        if required[key] is None:
            raise TenantFileError(f"missing required key {key!r}", file=source, field=key, **where)
    return {
        "name": name,
        "description": _text(fields.get("description"), source=source, field="Description", **where)
        or "",
        "pattern": required["Pattern"],
        "translation": required["Translation"],
        "is_internal_extension": _flag(
            fields.get("isinternalextension"), source=source, field="IsInternalExtension", **where
        ),
    }


def _plan(entry: dict[str, Any], *, source: str, index: int) -> dict[str, Any]:
    fields = _lower_keys(entry)
    identity = _text(fields.get("identity"), source=source, field="Identity") or _text(
        fields.get("simplename"), source=source, field="SimpleName"
    )
    if not identity:
        raise TenantFileError(
            f"the object at [{index}] has no Identity", file=source, field="Identity"
        )
    identity = identity.removeprefix("Tag:").removeprefix("tag:")
    rules = fields.get("normalizationrules")
    if rules is None:
        rules = []
    elif not isinstance(rules, list):
        rules = [rules]  # ConvertTo-Json prints a list of one as the item itself
    where: dict[str, Any] = {"source": source}
    return {
        "identity": identity,
        "description": _text(fields.get("description"), field="Description", plan=identity, **where)
        or "",
        "simple_name": _text(fields.get("simplename"), field="SimpleName", plan=identity, **where)
        or "",
        "external_access_prefix": _text(
            fields.get("externalaccessprefix"), field="ExternalAccessPrefix", plan=identity, **where
        ),
        "optimize_device_dialing": _flag(
            fields.get("optimizedevicedialing"),
            field="OptimizeDeviceDialing",
            plan=identity,
            **where,
        ),
        "rules": [
            _rule(rule, source=source, plan=identity, index=i) for i, rule in enumerate(rules)
        ],
    }


def _user(entry: dict[str, Any], *, source: str) -> dict[str, Any]:
    fields = _lower_keys(entry)
    upn = _text(fields.get("userprincipalname"), source=source, field="UserPrincipalName")
    location = _text(fields.get("usagelocation"), source=source, field="UsageLocation")
    if not location:
        raise TenantFileError(
            f"user {upn!r} has no UsageLocation", file=source, field="UsageLocation"
        )
    plan = _text(fields.get("tenantdialplan"), source=source, field="TenantDialPlan")
    plan = plan.removeprefix("Tag:").removeprefix("tag:") if plan else None
    line_uri = _text(fields.get("lineuri"), source=source, field="LineUri")
    number = None
    if line_uri and line_uri.strip():
        try:
            number, _ = read_phone_number(re.sub(r"^\s*tel:", "", line_uri, flags=re.IGNORECASE))
        except ValueError as exc:
            raise TenantFileError(f"user {upn!r}: LineUri {exc}", file=source, field="LineUri") from None
    return {
        "upn": upn,
        "usage_location": location.upper(),
        "dial_plan": plan,
        "calling_plan": _text(fields.get("callingplan"), source=source, field="CallingPlan"),
        "communications_credits": fields.get("communicationscredits") or False,
        "phone_number": number or None,
    }


def tenant_from_teams_data(
    data: Any,
    source: str = "<json>",
    name: str = "",
    *,
    max_rules: int | None = None,
    validate: bool = True,
) -> Tenant:
    """A tenant from decoded Teams JSON (one object or an array of them).

    `max_rules` and `validate` are passed to `tenant_from_document`.
    """
    items = data if isinstance(data, list) else [data]
    plans: list[dict[str, Any]] = []
    users: list[dict[str, Any]] = []
    seen: set[str] = set()
    document_credits: Any = None
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise TenantFileError(
                f"[{index}] must be an object, not {type(item).__name__}", file=source
            )
        if any(str(key).lower() == "userprincipalname" for key in item):
            users.append(_user(item, source=source))
            continue
        credits = _lower_keys(item).get("communicationscreditssettings")
        if credits is not None:
            document_credits = credits
            continue
        plan = _plan(item, source=source, index=index)
        if plan["identity"].lower() in seen:
            raise TenantFileError("dial plan appears twice", file=source, plan=plan["identity"])
        seen.add(plan["identity"].lower())
        plans.append(plan)
    document: dict[str, Any] = {"tenant": {"name": name}, "dial_plans": plans, "users": users}
    if document_credits is not None:
        document["communications_credits"] = document_credits
    return tenant_from_document(document, source, max_rules=max_rules, validate=validate)


def tenant_from_teams_json(
    text: str,
    source: str = "<json>",
    name: str = "",
    *,
    max_rules: int | None = None,
    validate: bool = True,
) -> Tenant:
    """A tenant from Teams JSON text; a syntax error points at its line and column."""
    check_text(text, source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TenantFileError(
            located(f"not valid JSON: {exc.msg}", text, exc.lineno, exc.colno),
            file=source,
            line=exc.lineno,
            column=exc.colno,
        ) from None
    return tenant_from_teams_data(data, source, name, max_rules=max_rules, validate=validate)


def read_tenant_teams_json(
    path: Path, *, max_rules: int | None = None, validate: bool = True
) -> Tenant:
    """Read a `.json` file of Teams dial plans (the tenant is named after the file)."""
    text = read_text(path)
    return tenant_from_teams_json(
        text, str(path), path.stem, max_rules=max_rules, validate=validate
    )


def tenant_to_teams_data(tenant: Tenant) -> list[dict[str, Any]]:
    """The tenant as Teams prints it: dial plan objects, then user objects."""
    items: list[dict[str, Any]] = []
    for plan in tenant.dial_plans:
        identity = plan.identity if plan.identity == GLOBAL_IDENTITY else f"Tag:{plan.identity}"
        items.append(
            {
                "Identity": identity,
                "Description": plan.description,
                "NormalizationRules": [
                    {
                        "Description": rule.description,
                        "Pattern": rule.pattern,
                        "Translation": rule.translation,
                        "Name": rule.name,
                        "IsInternalExtension": rule.is_internal_extension,
                    }
                    for rule in plan.rules
                ],
                "ExternalAccessPrefix": plan.external_access_prefix,
                "SimpleName": plan.simple_name,
                "OptimizeDeviceDialing": plan.optimize_device_dialing,
            }
        )
    for user in tenant.users:
        entry: dict[str, Any] = {
            "UserPrincipalName": user.upn,
            "UsageLocation": user.usage_location,
            "TenantDialPlan": user.dial_plan,
        }
        if user.phone_number:
            entry["LineUri"] = f"tel:{user.phone_number}"
        if user.calling_plan:
            entry["CallingPlan"] = user.calling_plan
        if user.communications_credits:
            entry["CommunicationsCredits"] = True
        items.append(entry)
    if tenant.communications_credits is not None:
        items.append({"CommunicationsCreditsSettings": credits_to_table(tenant.communications_credits)})
    return items


def tenant_to_teams_json(tenant: Tenant) -> str:
    """The tenant as Teams-shaped JSON text."""
    return json.dumps(tenant_to_teams_data(tenant), indent=4, ensure_ascii=False) + "\n"
