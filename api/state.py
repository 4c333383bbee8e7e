"""What one running service holds: its settings, the served tenant and its simulator.

Built once by `create_app` (so a broken tenant file stops the start, naming the
file, plan, rule and field) and reached by the routers through `state_of`.
`normalize_case` is the one way a request's case is normalized, for the
served tenant and for a posted what-if tenant alike.

>>> state = AppState(Settings())
>>> state.tenant.name
'Contoso'
>>> from pathlib import Path
>>> AppState(Settings(tenant=Path("missing.toml")))
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: missing.toml: no such file
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from fastapi import Request

from api.errors import ItemError
from api.limits import Deadline, check_count, check_tenant_size, rules_ceiling
from api.schemas import NormalizeRequest
from api.settings import Settings
from api.territories import territory_name
from normalizer import (
    DialplanError,
    DialplanInputError,
    EffectiveDialPlan,
    ServiceCatalog,
    Simulator,
    Tenant,
    calling_plan_answer,
    default_catalog,
    load_tenant,
    tenant_from_document,
)
from normalizer import validate as validate_tenant


class AppState:
    """The served tenant, its simulator and the settings, loaded once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tenant: Tenant = load_tenant(settings.tenant, max_rules=settings.max_rules)
        self.catalog: ServiceCatalog = default_catalog()
        self.simulator = Simulator(
            self.tenant, catalog=self.catalog, max_translated_length=settings.max_translated_length
        )

    @cached_property
    def regions(self) -> list[dict[str, Any]]:
        """Every region with its CLDR name, calling code and prefixes (as `dialplan regions --json`)."""
        rows: list[dict[str, Any]] = []
        for region in self.catalog.regions():
            facts = self.catalog.facts(region)
            rows.append(
                {
                    "region": region,
                    "name": territory_name(region),
                    "calling_code": facts.calling_code,
                    "international_prefix": facts.international_prefix,
                    "national_prefix": facts.national_prefix,
                }
            )
        return rows

    def posted_tenant(
        self, document: dict[str, Any], deadline: Deadline, *, validate: bool = True
    ) -> Tenant:
        """A posted tenant document, read within the server's ceilings (`read_posted_tenant`)."""
        return read_posted_tenant(document, self.settings, deadline, validate=validate)

    def effective(
        self,
        *,
        user: str | None = None,
        usage_location: str | None = None,
        dial_plan: str | None = None,
    ) -> EffectiveDialPlan:
        """An effective plan of the served tenant."""
        target = Target.of(self.tenant, user, usage_location, dial_plan)
        return self.simulator.effective(
            user=target.user, usage_location=target.usage_location, dial_plan=target.dial_plan
        )


def read_posted_tenant(
    document: dict[str, Any], settings: Settings, deadline: Deadline, *, validate: bool = True
) -> Tenant:
    """A posted tenant document, read within the server's ceilings and the request's time.

    The server's settings are ceilings the document can lower, never raise:
    rules per plan (its own `max_rules` counts only below the ceiling), plans
    and users. Reading and validating it (compiling every pattern) count
    against the request's time limit.
    """
    ceiling = rules_ceiling(settings.max_rules)
    check_tenant_size(
        document, max_plans=settings.max_plans, max_users=settings.max_users, max_rules=ceiling
    )
    tenant = tenant_from_document(document, validate=False)
    limit = min(tenant.max_rules, ceiling)
    if not validate:
        return replace(tenant, max_rules=limit)
    return validate_tenant(tenant, max_rules=limit, deadline=deadline.end)


def posted_simulator(tenant: Tenant, settings: Settings, catalog: ServiceCatalog) -> Simulator:
    """A simulator of a posted tenant: its compiled plans go when the request does."""
    return Simulator(
        tenant,
        catalog=catalog,
        max_translated_length=settings.max_translated_length,
        shared_cache=False,
    )


@dataclass(frozen=True, slots=True)
class Target:
    """Whose effective plan: a user, or a usage location and optional tenant plan."""

    user: str | None
    usage_location: str | None
    dial_plan: str | None

    @classmethod
    def of(
        cls, tenant: Tenant, user: str | None, usage_location: str | None, dial_plan: str | None
    ) -> Target:
        """The target with the region upper-cased and the plan named by its identity.

        The simulator caches effective plans by how they were asked for; spelling
        each the one way keeps that cache as small as the tenant, whatever
        clients send.
        """
        if user is None and usage_location is not None:
            usage_location = usage_location.upper()
            if dial_plan:
                dial_plan = tenant.plan(dial_plan).identity
        return cls(user, usage_location, dial_plan)


def normalize_case(
    simulator: Simulator,
    case: NormalizeRequest,
    *,
    timeout: float,
    max_dialed_length: int,
    deadline: float | None = None,
) -> dict[str, Any]:
    """Normalize one case; the answer is `NormalizationResult.to_dict()` and, for a
    user, the `calling_plan` answer (as at the start of a month, pools full)."""
    if len(case.dialed_number) > max_dialed_length:
        raise DialplanInputError(
            f"the dial string has {len(case.dialed_number)} characters, "
            f"more than the limit of {max_dialed_length}",
            field="dialed_number",
        )
    target = Target.of(simulator.tenant, case.user, case.usage_location, case.dial_plan)
    result = simulator.normalize(
        case.dialed_number,
        user=target.user,
        usage_location=target.usage_location,
        dial_plan=target.dial_plan,
        trace=case.trace,
        tenant_scope_only=case.tenant_scope_only,
        timeout=timeout,
        deadline=deadline,
    )
    answer = None
    if target.user is not None:
        answer = calling_plan_answer(simulator.billing, result, target.user)
    return {**result.to_dict(), "calling_plan": answer}


def run_cases(
    simulator: Simulator,
    cases: list[NormalizeRequest],
    field: str,
    settings: Settings,
    deadline: Deadline | None = None,
) -> list[dict[str, Any]]:
    """Normalize every case in order, within the request's limits; an error names its case.

    `deadline`: the request's, when work before the cases (a posted tenant) counted against it.
    """
    check_count(len(cases), settings.max_batch_items, field)
    if deadline is None:
        deadline = Deadline(seconds=settings.max_request_seconds, regex_timeout=settings.regex_timeout)
    results: list[dict[str, Any]] = []
    for index, case in enumerate(cases):
        where = f"{field}[{index}]"
        try:
            results.append(
                normalize_case(
                    simulator,
                    case,
                    timeout=deadline.timeout(where),
                    max_dialed_length=settings.max_dialed_length,
                    deadline=deadline.end,
                )
            )
        except DialplanError as exc:
            raise ItemError(where, exc) from None
    return results


async def state_of(request: Request) -> AppState:
    """The running service's state (a FastAPI dependency)."""
    state = request.app.state.dialplan
    assert isinstance(state, AppState)
    return state
