"""The dial plan domain: rules, plans, users, tenants and effective plans.

Frozen value objects only; loading, compiling and matching live elsewhere.
Source: learn.microsoft.com microsoftteams/what-are-dial-plans and
powershell/module/microsoftteams/new-csvoicenormalizationrule.

>>> rule = NormalizationRule(name="FR-Internal", pattern=r"^(7\\d{3})$", translation="+3319999$1")
>>> DialPlan(identity="FR-Paris", scope=Scope.TENANT_USER, rules=(rule,)).rules[0].name
'FR-Internal'
>>> Tenant(name="T").plan("missing")
Traceback (most recent call last):
...
normalizer.errors.UnknownPlanError: tenant dial plan 'missing' does not exist in tenant 'T'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from normalizer.errors import UnknownPlanError, UnknownUserError

GLOBAL_IDENTITY = "Global"
DEFAULT_MAX_RULES = 25


class Scope(StrEnum):
    """Where a dial plan applies."""

    SERVICE = "service"
    TENANT_GLOBAL = "tenant-global"
    TENANT_USER = "tenant-user"


@dataclass(frozen=True, slots=True)
class NormalizationRule:
    """One normalization rule; its priority is its position in its plan."""

    name: str
    pattern: str = r"^(\d{11})$"
    translation: str = "+$1"
    description: str = ""
    is_internal_extension: bool = False


@dataclass(frozen=True, slots=True)
class DialPlan:
    """An ordered list of normalization rules with an identity and a scope."""

    identity: str
    scope: Scope
    rules: tuple[NormalizationRule, ...] = ()
    description: str = ""
    simple_name: str = ""
    external_access_prefix: str | None = None
    optimize_device_dialing: bool = False


@dataclass(frozen=True, slots=True)
class User:
    """A user: principal name, usage location (a region), assigned tenant plan and licence.

    `calling_plan` is a Calling Plan id of the usage location (`domestic-120`,
    `international`, `payg`; None: no Calling Plan), `communications_credits`
    whether the user may spend Communications Credits, `phone_number` the
    user's own E.164 number (calls to it are internal).
    """

    upn: str
    usage_location: str
    dial_plan: str | None = None
    calling_plan: str | None = None
    communications_credits: bool = False
    phone_number: str | None = None


@dataclass(frozen=True, slots=True)
class CreditsSettings:
    """The tenant's Communications Credits: starting balance and auto-recharge."""

    balance: float = 0.0
    currency: str = "USD"
    recharge_below: float | None = None
    recharge_amount: float | None = None


@dataclass(frozen=True, slots=True)
class Tenant:
    """A tenant's dial plans and users, as read from one file."""

    name: str
    dial_plans: tuple[DialPlan, ...] = ()
    users: tuple[User, ...] = ()
    max_rules: int = DEFAULT_MAX_RULES
    source: str | None = field(default=None, compare=False)
    communications_credits: CreditsSettings | None = None
    _users_by_upn: dict[str, User] | None = field(default=None, init=False, repr=False, compare=False)
    """`users` by lower-case principal name (the first of each), built at the first `user` call."""

    @property
    def global_plan(self) -> DialPlan | None:
        """The tenant-global plan, if the tenant has one."""
        for plan in self.dial_plans:
            if plan.identity.lower() == GLOBAL_IDENTITY.lower():
                return plan
        return None

    def plan(self, identity: str) -> DialPlan:
        """The tenant dial plan with this identity (case-insensitive, `Tag:` allowed)."""
        wanted = identity.removeprefix("Tag:").lower()
        for plan in self.dial_plans:
            if plan.identity.lower() == wanted:
                return plan
        raise UnknownPlanError(
            f"tenant dial plan {identity!r} does not exist in tenant {self.name!r}",
            file=self.source,
            plan=None,
        )

    def user(self, upn: str) -> User:
        """The user with this principal name (case-insensitive), found by a dict: a replay
        looks up every caller, and a tenant may have thousands of users."""
        index = self._users_by_upn
        if index is None:
            index = {}
            for person in self.users:
                index.setdefault(person.upn.lower(), person)
            object.__setattr__(self, "_users_by_upn", index)  # a cache of the frozen `users`
        found = index.get(upn.lower())
        if found is not None:
            return found
        raise UnknownUserError(
            f"user {upn!r} does not exist in tenant {self.name!r}", file=self.source
        )


@dataclass(frozen=True, slots=True)
class EffectiveRule:
    """A rule of an effective plan, knowing the plan and scope it came from."""

    rule: NormalizationRule
    dial_plan: str
    scope: Scope
    priority: int

    def to_dict(self) -> dict[str, object]:
        """The JSON shape shared by the CLI and the API."""
        return {
            "name": self.rule.name,
            "description": self.rule.description,
            "pattern": self.rule.pattern,
            "translation": self.rule.translation,
            "is_internal_extension": self.rule.is_internal_extension,
            "dial_plan": self.dial_plan,
            "scope": str(self.scope),
            "priority": self.priority,
        }


@dataclass(frozen=True, slots=True)
class EffectiveDialPlan:
    """A user's effective plan: tenant rules first, then the service plan's."""

    region: str
    service_plan: DialPlan
    tenant_plan: DialPlan | None
    rules: tuple[EffectiveRule, ...]

    @property
    def name(self) -> str:
        """The tenant plan's identity, or the service plan's when there is none."""
        return self.tenant_plan.identity if self.tenant_plan else self.service_plan.identity

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of `dialplan effective --json`."""
        return {
            "name": self.name,
            "region": self.region,
            "service_dial_plan": self.service_plan.identity,
            "tenant_dial_plan": self.tenant_plan.identity if self.tenant_plan else None,
            "tenant_scope": str(self.tenant_plan.scope) if self.tenant_plan else None,
            "rules": [rule.to_dict() for rule in self.rules],
        }
