"""Writing a tenant as a PowerShell script that recreates its dial plans and assignments.

The script is safe to run twice: each plan is updated with
`Set-CsTenantDialPlan` when it exists and created with `New-CsTenantDialPlan`
otherwise; every value is single-quoted, so patterns reach Teams unchanged.
`normalizer.formats.powershell` reads such scripts back.

>>> quote("it's")
"'it''s'"
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from normalizer.models import GLOBAL_IDENTITY, Tenant

# PowerShell ends a single-quoted string at any of these (pasted typographic quotes too).
SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


def quote(value: str) -> str:
    """A single-quoted PowerShell string: nothing inside is expanded.

    PowerShell ends a single-quoted string at any of its four single quote
    characters, so each is doubled, not only `'`.
    """
    return "'" + "".join(char * 2 if char in SINGLE_QUOTES else char for char in value) + "'"


def _comment(text: str) -> str:
    return " ".join(text.split())


def _plan_lines(identity: str, rules_variable: str, plan: Any) -> Iterator[str]:
    yield f"{rules_variable} = @()"
    parent = quote(identity)
    for rule in plan.rules:
        parts = [
            f"{rules_variable} += New-CsVoiceNormalizationRule -Parent {parent} -Name {quote(rule.name)}"
        ]
        if rule.description:
            parts.append(f"-Description {quote(rule.description)}")
        parts.append(f"-Pattern {quote(rule.pattern)} -Translation {quote(rule.translation)}")
        if rule.is_internal_extension:
            parts.append("-IsInternalExtension $true")
        parts.append("-InMemory")
        yield " ".join(parts)


def _plan_settings(identity: str, rules_variable: str, plan: Any) -> str:
    parts = [f"-Identity {quote(identity)} -Description {quote(plan.description)}"]
    if plan.simple_name:
        parts.append(f"-SimpleName {quote(plan.simple_name)}")
    if plan.external_access_prefix is not None:
        parts.append(f"-ExternalAccessPrefix {quote(plan.external_access_prefix)}")
    if plan.optimize_device_dialing:
        parts.append("-OptimizeDeviceDialing $true")
    parts.append(f"-NormalizationRules {rules_variable}")
    return " ".join(parts)


def tenant_to_powershell(tenant: Tenant) -> str:
    """A script that recreates the tenant's dial plans and user assignments; safe to run twice."""
    lines = [
        f"# Dial plans and dial plan assignments of tenant {_comment(tenant.name) or '(unnamed)'},",
        "# written by `dialplan export --format powershell`. Safe to run twice: a plan",
        "# that exists is updated with Set-CsTenantDialPlan, one that does not is created",
        "# with New-CsTenantDialPlan. Run it after Connect-MicrosoftTeams, and after",
        "# Connect-MgGraph -Scopes User.ReadWrite.All (usage locations are user properties).",
    ]
    for plan in tenant.dial_plans:
        identity = plan.identity
        lines += ["", f"# Dial plan {_comment(identity)}"]
        lines += _plan_lines(identity, "$NR", plan)
        settings = _plan_settings(identity, "$NR", plan)
        if identity == GLOBAL_IDENTITY:
            # The Global plan always exists in Teams: it is only ever updated.
            lines.append(f"Set-CsTenantDialPlan {settings}")
        else:
            lines += [
                f"if (Get-CsTenantDialPlan -Identity {quote(identity)} -ErrorAction SilentlyContinue) {{",
                f"    Set-CsTenantDialPlan {settings}",
                "} else {",
                f"    New-CsTenantDialPlan {settings}",
                "}",
            ]
    if tenant.users:
        lines += [
            "",
            "# Users: usage location, then tenant dial plan ($null: the Global plan applies)",
        ]
    for user in tenant.users:
        policy = quote(user.dial_plan) if user.dial_plan else "$null"
        lines.append(
            f"Update-MgUser -UserId {quote(user.upn)} -UsageLocation {quote(user.usage_location)}"
        )
        lines.append(f"Grant-CsTenantDialPlan -Identity {quote(user.upn)} -PolicyName {policy}")
        if user.phone_number:
            # Only Direct Routing numbers carry an extension (set-csphonenumberassignment).
            kind = "DirectRouting" if ";ext=" in user.phone_number else "CallingPlan"
            lines.append(
                f"Set-CsPhoneNumberAssignment -Identity {quote(user.upn)} "
                f"-PhoneNumber {quote(user.phone_number)} -PhoneNumberType {kind}"
            )
    licensed = [user for user in tenant.users if user.calling_plan or user.communications_credits]
    if licensed or tenant.communications_credits is not None:
        # Licences are assigned in the Microsoft 365 admin center: no cmdlet here carries them.
        lines += ["", "# Calling Plan licences and Communications Credits (assign in the Microsoft 365 admin center):"]
        for user in licensed:
            credits = "on" if user.communications_credits else "off"
            lines.append(f"#   {user.upn}: {user.calling_plan or 'no Calling Plan'}, Communications Credits {credits}")
        funds = tenant.communications_credits
        if funds is not None:
            lines.append(
                f"#   Communications Credits: balance {funds.balance:g} {funds.currency}"
                + (f", recharge below {funds.recharge_below:g}" if funds.recharge_below is not None else "")
                + (f" by {funds.recharge_amount:g}" if funds.recharge_amount is not None else "")
            )
    return "\n".join(lines) + "\n"
