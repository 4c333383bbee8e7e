"""Effective dial plans: a user's tenant plan merged with their region's service plan.

The tenant-user plan assigned to a user replaces the tenant-global plan; the
tenant plan's rules come first, then the service country plan's, each in its
own order. Source: learn.microsoft.com microsoftteams/what-are-dial-plans.

>>> from normalizer.formats import load_tenant
>>> plan = effective_dial_plan(load_tenant(), user="marcel.beauchamp@contoso.com")
>>> [rule.rule.name for rule in plan.rules][:2]
['FR-39qdPR-Internal', 'FR-TollFree']
>>> effective_dial_plan(load_tenant(), user="nobody@contoso.com")
Traceback (most recent call last):
...
normalizer.errors.UnknownUserError: ...contoso.toml: user 'nobody@contoso.com' does not exist in tenant 'Contoso'
"""

from __future__ import annotations

from normalizer.catalog import ServiceCatalog, default_catalog
from normalizer.errors import DialplanInputError, UnknownPlanError
from normalizer.models import DialPlan, EffectiveDialPlan, EffectiveRule, Tenant


def tenant_plan_for(tenant: Tenant, dial_plan: str | None) -> DialPlan | None:
    """The named tenant plan, or the tenant-global plan when none is named."""
    if dial_plan:
        return tenant.plan(dial_plan)
    return tenant.global_plan


def merge(region: str, service_plan: DialPlan, tenant_plan: DialPlan | None) -> EffectiveDialPlan:
    """Tenant rules first, then the service plan's rules."""
    rules: list[EffectiveRule] = []
    if tenant_plan is not None:
        rules.extend(
            EffectiveRule(rule, tenant_plan.identity, tenant_plan.scope, priority)
            for priority, rule in enumerate(tenant_plan.rules)
        )
    rules.extend(
        EffectiveRule(rule, service_plan.identity, service_plan.scope, priority)
        for priority, rule in enumerate(service_plan.rules)
    )
    return EffectiveDialPlan(
        region=region, service_plan=service_plan, tenant_plan=tenant_plan, rules=tuple(rules)
    )


def effective_dial_plan(
    tenant: Tenant,
    *,
    user: str | None = None,
    usage_location: str | None = None,
    dial_plan: str | None = None,
    catalog: ServiceCatalog | None = None,
) -> EffectiveDialPlan:
    """The effective plan of a user, or of a usage location and optional tenant plan."""
    catalog = catalog or default_catalog()
    if user is not None:
        if usage_location is not None or dial_plan is not None:
            raise DialplanInputError("give either a user or a usage location (and plan), not both")
        found = tenant.user(user)
        region = found.usage_location
        if not region:
            raise DialplanInputError(
                f"user {found.upn!r} has no usage location: set usage_location in the tenant file "
                "(or import the script again with --usage-location XX)",
                file=tenant.source,
                field="usage_location",
            )
        try:
            tenant_plan = tenant_plan_for(tenant, found.dial_plan)
        except UnknownPlanError as exc:
            raise UnknownPlanError(
                f"user {found.upn!r} is assigned dial plan {found.dial_plan!r}, "
                f"which does not exist in tenant {tenant.name!r}",
                file=tenant.source,
                plan=found.dial_plan,
                field="dial_plan",
            ) from exc
    elif usage_location is not None:
        region = usage_location
        tenant_plan = tenant_plan_for(tenant, dial_plan)
    else:
        raise DialplanInputError("give a user, or a usage location")
    service_plan = catalog.service_plan(region)
    return merge(region.upper(), service_plan, tenant_plan)
