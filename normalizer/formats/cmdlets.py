"""What a dial plan script does: `script` nodes run against an empty tenant.

A script is read as if run once, top to bottom, on a tenant whose only dial
plan is the empty `Global` one that Teams always has; so an
`if (Get-CsTenantDialPlan -Identity X ...)` is decided by what the script
itself created before. Sources: learn.microsoft.com powershell/module/
microsoftteams (new-csvoicenormalizationrule, new-/set-/get-/remove-/grant-
cstenantdialplan) and Microsoft Graph's update-mguser.

What each statement does (our reading where the documentation is silent is
marked so):
- `New-CsVoiceNormalizationRule ... -InMemory` returns a rule (Teams creates
  rules only in memory); `-Identity 'Scope/Name'` or `-Parent` and `-Name`.
- `New-`/`Set-CsTenantDialPlan -NormalizationRules` takes a list (the plan's
  rules, in list order) or `@{Replace=...; Remove=...; Add=...}`, applied in
  that order (our reading); an added rule with `-Priority` is inserted at that
  position, others are appended. A priority the plan has no place for (below
  0, or above the number of rules it has then) is an error, since Teams
  documents no meaning for it (our reading: it neither appends nor clamps
  silently). `-ExternalAccessPrefix` and
  `-OptimizeDeviceDialing` of older scripts are read and kept.
- `Grant-CsTenantDialPlan -Identity U -PolicyName P` (or `$null`) assigns a
  user's plan; `-Global -PolicyName P` makes P the plan of every user without
  their own assignment when the script ends; `-Group` is refused, since the
  script does not say who is in the group.
- `Set-MsolUser`, `Update-MgUser`, `Set-AzureADUser` with `-UsageLocation`
  set a user's usage location. Every user the script names needs one.
- `Set-CsPhoneNumberAssignment -Identity U -PhoneNumber N -PhoneNumberType T`
  sets the user's own number (calls to it are internal for Calling Plans).
  Calling Plan licences and Communications Credits are assigned in the
  Microsoft 365 admin center, not by these cmdlets: a script carries none.
- An error Teams would report (creating a plan that exists, changing one that
  does not) stops the import, unless the statement says
  `-ErrorAction SilentlyContinue` or `Ignore` (or `$ErrorActionPreference`
  does): then, as in PowerShell, the statement changes nothing. `-WhatIf`
  statements change nothing.
- Any other cmdlet is ignored and listed, except one about dial plans or
  normalization rules that is not above: that is an error, never skipped.

>>> from normalizer.formats.powershell import parse_script
>>> script = parse_script("Connect-MicrosoftTeams\\nNew-CsTenantDialPlan -Identity P")
>>> tenant, ignored = run_script(script, validate=False)  # a plan without rules
>>> tenant.dial_plans[0].identity, ignored[0].command
('P', 'Connect-MicrosoftTeams')
>>> run_script(parse_script("Set-CsTenantDialPlan -Identity P -Description x"), source="t.ps1")
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: t.ps1: line 1, column 1: dial plan 'P' does not exist (create it with New-CsTenantDialPlan first)
    Set-CsTenantDialPlan -Identity P -Description x
    ^
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from normalizer.dotnet import dialect, substitution
from normalizer.errors import DialplanError
from normalizer.formats.document import tenant_from_document
from normalizer.formats.script import Command, Position, Script
from normalizer.formats.user_cmdlets import UserCmdlets, UserState
from normalizer.formats.values import (
    ANY,
    BOOL,
    INT,
    SWITCH,
    TEXT,
    Bound,
    IgnoredStatement,
    PlanObject,
    RuleObject,
    Spec,
    Table,
    Undecidable,
    Unknown,
    Value,
    kind_of,
)
from normalizer.models import GLOBAL_IDENTITY, NormalizationRule, Tenant
from normalizer.validation import is_valid_identity

_DEFAULT_RULE = NormalizationRule(name="")
# Skype for Business Server's New-CsDialPlan creates this rule in every new plan
# (learn.microsoft.com powershell/module/skype/new-csdialplan, -NormalizationRules).
_PREFIX_ALL = NormalizationRule(name="Prefix All", pattern=r"^(\d{11})$", translation="+$1")
_SERVER_SCOPES = ("site:", "service:")
_READ_ONLY_VERBS = {
    "get",
    "test",
    "write",
    "show",
    "find",
    "measure",
    "select",
    "export",
    "format",
    "out",
    "compare",
}


_RULE_SPEC = Spec(
    {
        "Identity": TEXT,
        "Parent": TEXT,
        "Name": TEXT,
        "Description": TEXT,
        "Pattern": TEXT,
        "Translation": TEXT,
        "IsInternalExtension": BOOL,
        "Priority": INT,
        "InMemory": SWITCH,
    },
    positional=("Identity",),
)
_PLAN_SPEC = Spec(
    {
        "Identity": TEXT,
        "Description": TEXT,
        "SimpleName": TEXT,
        "NormalizationRules": ANY,
        "ExternalAccessPrefix": TEXT,
        "OptimizeDeviceDialing": BOOL,
    },
    positional=("Identity",),
)
_SERVER_PLAN_SPEC = Spec(
    {
        **_PLAN_SPEC.parameters,
        "DialinConferencingRegion": ANY,
        "State": ANY,
        "City": ANY,
        "CountryCode": ANY,
        "InMemory": SWITCH,
    },
    positional=("Identity",),
)
_RULE_IDENTITY_SPEC = Spec(
    {
        "Identity": TEXT,
        "Description": TEXT,
        "Pattern": TEXT,
        "Translation": TEXT,
        "IsInternalExtension": BOOL,
        "Priority": INT,
        "Name": TEXT,
    },
    positional=("Identity",),
)
_IDENTITY_SPEC = Spec({"Identity": TEXT, "Filter": TEXT}, positional=("Identity",))
_GRANT_SPEC = Spec(
    {"Identity": TEXT, "PolicyName": TEXT, "Global": SWITCH, "Group": TEXT, "Rank": INT},
    positional=("Identity", "PolicyName"),
)


@dataclass(slots=True)
class _PlanState:
    identity: str
    description: str = ""
    simple_name: str = ""
    rules: list[RuleObject] = field(default_factory=list)
    external_access_prefix: str | None = None
    optimize_device_dialing: bool = False

    def snapshot(self) -> PlanObject:
        return PlanObject(
            self.identity,
            self.description,
            self.simple_name,
            tuple(self.rules),
            self.external_access_prefix,
            self.optimize_device_dialing,
        )


def _plan_key(identity: str) -> str:
    return identity.removeprefix("Tag:").removeprefix("tag:").lower()


class _Run(UserCmdlets):
    """One run of one script, with the dial plan cmdlets."""

    def __init__(
        self,
        script: Script,
        source: str,
        *,
        answers: dict[str, str] | None = None,
        parse: Callable[[str], Script] | None = None,
    ) -> None:
        super().__init__(script, source, answers=answers, parse=parse)
        self.plans: dict[str, _PlanState] = {}
        self.users: dict[str, UserState] = {}
        self.global_grant: str | None = None
        self.mapped: set[str] = set()  # server scopes already noted
        self.handlers = {
            "new-csvoicenormalizationrule": self.new_rule,
            "set-csvoicenormalizationrule": self.set_rule,
            "remove-csvoicenormalizationrule": self.remove_rule,
            "new-cstenantdialplan": self.new_plan,
            "set-cstenantdialplan": self.set_plan,
            "remove-cstenantdialplan": self.remove_plan,
            "get-cstenantdialplan": self.get_plan,
            "grant-cstenantdialplan": self.grant,
            "new-csdialplan": self.new_server_plan,
            "set-csdialplan": self.set_server_plan,
            "remove-csdialplan": self.remove_plan,
            "get-csdialplan": self.get_plan,
            "grant-csdialplan": self.grant,
            "set-msoluser": lambda command: self.set_location(
                command, "UserPrincipalName", "ObjectId"
            ),
            "update-mguser": lambda command: self.set_location(command, "UserId"),
            "set-azureaduser": lambda command: self.set_location(command, "ObjectId"),
            "set-csphonenumberassignment": self.assign_number,
        }

    def touches_dial_plans(self, name: str) -> bool:
        """The cmdlets above, and any other that changes dial plans or normalization rules."""
        lowered = name.lower()
        if lowered in self.handlers:
            return True
        verb, _, noun = lowered.partition("-")
        return verb not in _READ_ONLY_VERBS and ("dialplan" in noun or "normalizationrule" in noun)

    # Cmdlets ------------------------------------------------------------------

    def new_rule(self, command: Command) -> Value:
        bound = self.bind(command, _RULE_SPEC)
        if self.is_what_if(bound):
            return None
        identity = self.text_of(bound, "Identity")
        if identity is not None:
            if bound.has("Parent") or bound.has("Name"):
                self.fail(
                    "give -Identity 'Scope/Name', or -Parent and -Name, not both", command.position
                )
            parent, slash, name = identity.partition("/")
            if not slash or not name:
                self.fail(
                    f"-Identity must be 'Scope/Name', not {identity!r}", bound.position("Identity")
                )
        else:
            parent = self.required_text(bound, "Parent")
            name = self.required_text(bound, "Name")
        rule = NormalizationRule(
            name=name,
            description=self.text_of(bound, "Description") or "",
            pattern=self.text_of(bound, "Pattern", _DEFAULT_RULE.pattern) or "",
            translation=self.text_of(bound, "Translation", _DEFAULT_RULE.translation) or "",
            is_internal_extension=self.bool_of(bound, "IsInternalExtension"),
        )
        parent = self.teams_identity(parent, command)
        self.check(rule, parent, bound)
        priority = self.int_of(bound, "Priority")
        where = bound.position("Priority") if priority is not None else None
        created = RuleObject(rule, parent, priority, command.position, where)
        if self.bool_of(bound, "InMemory"):
            return created
        # Skype for Business Server: without -InMemory the rule is created in its plan at once.
        plan = self.existing(parent, bound)
        if plan is None:
            return None
        self.note(
            command,
            f"Skype for Business Server semantics: without -InMemory the rule is added to dial plan "
            f"{plan.identity!r} at once (in Teams, create it with -InMemory and add it with "
            "Set-CsTenantDialPlan -NormalizationRules @{Add=...})",
        )
        self.insert(plan, created, bound)
        return created

    def existing(self, identity: str, bound: Bound) -> _PlanState | None:
        """The plan a statement names (Global always exists), or a refusal."""
        key = _plan_key(identity)
        plan = self.plans.get(key)
        if plan is None and key == GLOBAL_IDENTITY.lower():
            plan = self.plans[key] = _PlanState(GLOBAL_IDENTITY)
        if plan is None:
            self.refuse(bound, f"dial plan {identity!r} does not exist (create it first)")
        return plan

    def insert(self, plan: _PlanState, rule: RuleObject, bound: Bound) -> None:
        if any(entry.rule.name.lower() == rule.rule.name.lower() for entry in plan.rules):
            self.refuse(bound, f"dial plan {plan.identity!r} already has a rule {rule.rule.name!r}")
            return
        if rule.priority is None:
            plan.rules.append(rule)
        elif 0 <= rule.priority <= len(plan.rules):
            plan.rules.insert(rule.priority, rule)
        else:
            self.refuse_priority(bound, plan, rule, len(plan.rules))

    def rule_identity(self, bound: Bound) -> tuple[_PlanState | None, str]:
        identity = self.required_text(bound, "Identity")
        parent, slash, name = identity.partition("/")
        if not slash or not name:
            self.fail(f"-Identity must be 'Scope/Name', not {identity!r}", bound.position("Identity"))
        return self.existing(self.teams_identity(parent, bound.command), bound), name

    def set_rule(self, command: Command) -> Value:
        """Set-CsVoiceNormalizationRule -Identity 'Plan/Name' (Skype for Business Server)."""
        bound = self.bind(command, _RULE_IDENTITY_SPEC)
        if self.is_what_if(bound):
            return None
        plan, name = self.rule_identity(bound)
        if plan is None:
            return None
        found = next((i for i, e in enumerate(plan.rules) if e.rule.name.lower() == name.lower()), None)
        if found is None:
            self.refuse(bound, f"dial plan {plan.identity!r} has no rule {name!r}")
            return None
        entry = plan.rules[found]
        rule = NormalizationRule(
            name=self.text_of(bound, "Name") or entry.rule.name,
            description=self.text_of(bound, "Description", entry.rule.description) or "",
            pattern=self.text_of(bound, "Pattern", entry.rule.pattern) or "",
            translation=self.text_of(bound, "Translation", entry.rule.translation) or "",
            is_internal_extension=self.bool_of(bound, "IsInternalExtension", entry.rule.is_internal_extension),
        )
        self.check(rule, plan.identity, bound)
        del plan.rules[found]
        priority = self.int_of(bound, "Priority")
        at = found if priority is None else min(max(priority, 0), len(plan.rules))
        plan.rules.insert(at, RuleObject(rule, plan.identity, None, command.position))
        return None

    def remove_rule(self, command: Command) -> Value:
        """Remove-CsVoiceNormalizationRule -Identity 'Plan/Name' (Skype for Business Server)."""
        bound = self.bind(command, _IDENTITY_SPEC)
        if self.is_what_if(bound):
            return None
        plan, name = self.rule_identity(bound)
        if plan is None:
            return None
        kept = [e for e in plan.rules if e.rule.name.lower() != name.lower()]
        if len(kept) == len(plan.rules):
            self.refuse(bound, f"dial plan {plan.identity!r} has no rule {name!r} to remove")
            return None
        plan.rules = kept
        return None

    def teams_identity(self, identity: str, command: Command) -> str:
        """A plan identity as Teams names it: `Tag:` dropped; a server `site:`/`service:` scope read as a tenant plan."""
        plain = identity.removeprefix("Tag:").removeprefix("tag:").removeprefix("TAG:")
        lowered = plain.lower()
        for scope in _SERVER_SCOPES:
            if lowered.startswith(scope):
                name = plain.rsplit(":", 1)[-1]
                if identity.lower() in self.mapped:
                    return name
                self.mapped.add(identity.lower())
                self.note(
                    command,
                    f"Skype for Business Server scope {identity!r} read as tenant dial plan {name!r} "
                    "(Teams has no site or service scope: grant the plan to those users)",
                )
                return name
        return plain

    def check(self, rule: NormalizationRule, parent: str, bound: Bound) -> None:
        """Compile the rule's pattern and translation now, pointing at the bad one."""
        where: dict[str, Any] = {"plan": parent, "rule": rule.name}
        try:
            compiled = dialect.compile_pattern(rule.pattern)
        except DialplanError as exc:
            self.fail(exc.detail, bound.position("Pattern"), type(exc), field="pattern", **where)
        try:
            substitution.parse_translation(rule.translation, compiled)
        except DialplanError as exc:
            self.fail(
                exc.detail, bound.position("Translation"), type(exc), field="translation", **where
            )

    def new_plan(self, command: Command, bound: Bound | None = None) -> Value:
        bound = bound or self.bind(command, _PLAN_SPEC)
        if self.is_what_if(bound):
            return None
        identity = self.teams_identity(self.required_text(bound, "Identity"), command)
        key = _plan_key(identity)
        if key != GLOBAL_IDENTITY.lower() and not is_valid_identity(identity):
            self.fail(
                f"dial plan identity {identity!r} is not one Teams takes: the New-CsTenantDialPlan "
                "reference allows 1 to 49 letters, digits, '-' and '.', not starting with '.' "
                "(no spaces)",
                bound.position("Identity"),
            )
        if key == GLOBAL_IDENTITY.lower():
            self.refuse(
                bound, "the Global dial plan always exists: change it with Set-CsTenantDialPlan"
            )
            return None
        if key in self.plans:
            self.refuse(bound, f"dial plan {identity!r} already exists")
            return None
        plan = _PlanState(identity)
        self.configure(plan, bound)
        self.plans[key] = plan
        return plan.snapshot()

    def new_server_plan(self, command: Command) -> Value:
        """Skype for Business Server's New-CsDialPlan: a tenant plan, with its "Prefix All" rule."""
        bound = self.bind(command, _SERVER_PLAN_SPEC)
        if self.bool_of(bound, "InMemory"):
            self.fail("New-CsDialPlan -InMemory is not supported by the reader", command.position)
        created = self.new_plan(command, bound)
        if isinstance(created, PlanObject):
            plan = self.plans[_plan_key(created.identity)]
            added = ""
            if not bound.has("NormalizationRules"):
                plan.rules.append(RuleObject(_PREFIX_ALL, plan.identity, None, command.position))
                added = ", with the rule 'Prefix All' (^(\\d{11})$ -> +$1) that the server cmdlet creates"
            self.note(
                command,
                f"Skype for Business Server cmdlet: read as New-CsTenantDialPlan {plan.identity!r}{added}",
            )
            return plan.snapshot()
        return created

    def set_server_plan(self, command: Command) -> Value:
        """Skype for Business Server's Set-CsDialPlan, read as Set-CsTenantDialPlan."""
        bound = self.bind(command, _SERVER_PLAN_SPEC)
        self.note(command, "Skype for Business Server cmdlet: read as Set-CsTenantDialPlan")
        return self.set_plan(command, bound)

    def set_plan(self, command: Command, bound: Bound | None = None) -> Value:
        bound = bound or self.bind(command, _PLAN_SPEC)
        if self.is_what_if(bound):
            return None
        identity = self.teams_identity(self.text_of(bound, "Identity") or GLOBAL_IDENTITY, command)
        key = _plan_key(identity)
        plan = self.plans.get(key)
        if plan is None and key == GLOBAL_IDENTITY.lower():
            plan = self.plans[key] = _PlanState(GLOBAL_IDENTITY)
        if plan is None:
            self.refuse(
                bound,
                f"dial plan {identity!r} does not exist (create it with New-CsTenantDialPlan first)",
            )
            return None
        self.configure(plan, bound)
        return None

    def remove_plan(self, command: Command) -> Value:
        bound = self.bind(command, _IDENTITY_SPEC)
        if self.is_what_if(bound):
            return None
        identity = self.teams_identity(self.required_text(bound, "Identity"), command)
        if (
            self.plans.pop(_plan_key(identity), None) is None
            and _plan_key(identity) != GLOBAL_IDENTITY.lower()
        ):
            self.refuse(bound, f"dial plan {identity!r} does not exist")
        return None

    def get_plan(self, command: Command) -> Value:
        bound = self.bind(command, _IDENTITY_SPEC)
        self.consulted_tenant = True
        identity = self.text_of(bound, "Identity") or self.text_of(bound, "Filter")
        plans = dict(self.plans)
        plans.setdefault(GLOBAL_IDENTITY.lower(), _PlanState(GLOBAL_IDENTITY))
        if identity is None:
            return tuple(plan.snapshot() for plan in plans.values())
        wanted = _plan_key(identity)
        if "*" in wanted or "?" in wanted:
            return tuple(plan.snapshot() for key, plan in plans.items() if fnmatchcase(key, wanted))
        found = plans.get(wanted)
        return found.snapshot() if found else None

    def configure(self, plan: _PlanState, bound: Bound) -> None:
        """Apply New-/Set-CsTenantDialPlan's settings to a plan."""
        if bound.has("Description"):
            plan.description = self.text_of(bound, "Description") or ""
        if bound.has("SimpleName"):
            plan.simple_name = self.text_of(bound, "SimpleName") or ""
        if bound.has("ExternalAccessPrefix"):
            plan.external_access_prefix = self.text_of(bound, "ExternalAccessPrefix")
        if bound.has("OptimizeDeviceDialing"):
            plan.optimize_device_dialing = self.bool_of(bound, "OptimizeDeviceDialing")
        if bound.has("NormalizationRules"):
            value, position = bound.values["NormalizationRules"]
            if isinstance(value, Table):
                self.modify(plan, value, position, bound)
            else:
                plan.rules = self.rules_of(value, position)

    def rules_of(self, value: Value, position: Position) -> list[RuleObject]:
        if value is None:
            return []
        if isinstance(value, RuleObject):
            return [value]
        if isinstance(value, tuple):
            return [rule for item in value for rule in self.rules_of(item, position)]
        if isinstance(value, Unknown):
            raise Undecidable(f"the rules come from {value.origin}, which the reader cannot know", position)
        self.fail(
            f"expects normalization rules (from New-CsVoiceNormalizationRule -InMemory), not {kind_of(value)}",
            position,
        )

    def modify(self, plan: _PlanState, table: Table, position: Position, bound: Bound) -> None:
        """`@{Replace=...; Remove=...; Add=...}`, applied in that order.

        An error Teams would report leaves the plan's rules as they were (when
        errors are silenced; otherwise it stops the import).
        """
        for key, _, at in table.entries:
            if key.lower() not in {"add", "remove", "replace"}:
                self.fail(
                    f"-NormalizationRules takes @{{Add=...}}, @{{Remove=...}} or @{{Replace=...}}, not {key!r}",
                    at,
                )
        rules = list(plan.rules)
        replace = table.get("Replace")
        if replace is not None:
            rules = self.rules_of(*replace)
        remove = table.get("Remove")
        if remove is not None:
            value, at = remove
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                name = item.rule.name if isinstance(item, RuleObject) else self.as_text(item, at)
                kept = [rule for rule in rules if rule.rule.name.lower() != name.lower()]
                if len(kept) == len(rules):
                    self.refuse(
                        bound, f"dial plan {plan.identity!r} has no rule {name!r} to remove"
                    )
                    return
                rules = kept
        add = table.get("Add")
        if add is not None:
            for rule in self.rules_of(*add):
                if rule.priority is None:
                    rules.append(rule)
                elif 0 <= rule.priority <= len(rules):
                    rules.insert(rule.priority, rule)
                else:
                    self.refuse_priority(bound, plan, rule, len(rules))
                    return
        plan.rules = rules

    def refuse_priority(
        self, bound: Bound, plan: _PlanState, rule: RuleObject, count: int
    ) -> None:
        """A rule added at a priority the plan has no place for (pointing at `-Priority`)."""
        places = "0" if count == 0 else f"0 to {count}"
        detail = (
            f"rule {rule.rule.name!r} has -Priority {rule.priority}, but dial plan "
            f"{plan.identity!r} has {count} rule{'' if count == 1 else 's'} when "
            f"{bound.command.name} at line {bound.command.position.line} adds it: "
            f"the priority must be {places} (the rule's 0-based place in the plan)"
        )
        if self.is_silent(bound):
            self.ignore(bound.command, f"{detail} (errors silenced)")
            return
        self.fail(
            detail,
            rule.priority_position or rule.position,
            plan=plan.identity,
            rule=rule.rule.name,
            field="priority",
        )

    def grant(self, command: Command) -> Value:
        bound = self.bind(command, _GRANT_SPEC)
        if self.is_what_if(bound):
            return None
        if bound.has("Group"):
            self.fail(
                "-Group assignments are not supported: the script does not say who is in the group",
                command.position,
            )
        policy = self.text_of(bound, "PolicyName") or None
        if policy is not None:
            policy = self.teams_identity(policy, command)
            if policy.lower() == GLOBAL_IDENTITY.lower():
                policy = None
        if self.bool_of(bound, "Global"):
            self.global_grant = policy
            return None
        user = self.user(self.required_text(bound, "Identity"), command.position)
        user.dial_plan = policy
        return None

    # The tenant ---------------------------------------------------------------

    def tenant(
        self,
        name: str,
        *,
        max_rules: int | None,
        validate: bool,
        usage_location: str | None = None,
    ) -> Tenant:
        plans = [
            {
                "identity": plan.identity,
                "description": plan.description,
                "simple_name": plan.simple_name,
                "external_access_prefix": plan.external_access_prefix,
                "optimize_device_dialing": plan.optimize_device_dialing,
                "rules": [
                    {
                        "name": entry.rule.name,
                        "description": entry.rule.description,
                        "pattern": entry.rule.pattern,
                        "translation": entry.rule.translation,
                        "is_internal_extension": entry.rule.is_internal_extension,
                    }
                    for entry in plan.rules
                ],
            }
            for plan in self.plans.values()
        ]
        users = []
        for user in self.users.values():
            location = user.usage_location
            if location is None and usage_location is not None:
                location = usage_location.strip().upper()
                self.note(
                    user,
                    f"user {user.upn!r}: usage location {location} from --usage-location "
                    "(the script sets none)",
                    what="Grant-CsTenantDialPlan",
                )
            elif location is None:
                self.note(
                    user,
                    f"user {user.upn!r} has no usage location: the script sets none; "
                    "give --usage-location XX, or set usage_location in the tenant file",
                    what="Grant-CsTenantDialPlan",
                )
            users.append(
                {
                    "upn": user.upn,
                    "usage_location": location or "",
                    "dial_plan": user.dial_plan or self.global_grant,
                    "phone_number": user.phone_number,
                }
            )
        document = {"tenant": {"name": name}, "dial_plans": plans, "users": users}
        return tenant_from_document(document, self.source, max_rules=max_rules, validate=validate)


def run_script(
    script: Script,
    source: str = "<script>",
    name: str = "",
    *,
    max_rules: int | None = None,
    validate: bool = True,
    answers: dict[str, str] | None = None,
    usage_location: str | None = None,
    parse: Callable[[str], Script] | None = None,
) -> tuple[Tenant, tuple[IgnoredStatement, ...]]:
    """Run a parsed script against an empty tenant: the tenant it builds, and what it passed over.

    `max_rules` and `validate` are passed to `tenant_from_document`; `answers`
    answer prompts and script parameters (`--choice NAME=VALUE`, NAME lower-cased);
    `usage_location` is given to users the script sets none for.
    """
    run = _Run(script, source, answers=answers, parse=parse)
    run.run_script()
    tenant = run.tenant(name, max_rules=max_rules, validate=validate, usage_location=usage_location)
    return tenant, tuple(run.ignored)
