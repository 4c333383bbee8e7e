"""The simulator: a tenant, its users and plans, answering "what does N become".

>>> from normalizer.formats import load_tenant
>>> simulator = Simulator(load_tenant())
>>> simulator.normalize("0800123456", user="marcel.beauchamp@contoso.com").translated_number
'+33800123456'
>>> simulator.normalize("7123", usage_location="FR", dial_plan="Nope")
Traceback (most recent call last):
...
normalizer.errors.UnknownPlanError: ...: tenant dial plan 'Nope' does not exist in tenant 'Contoso'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from normalizer.catalog import ServiceCatalog, default_catalog
from normalizer.effective import effective_dial_plan
from normalizer.emergency import EmergencyNumbers, default_emergency_numbers
from normalizer.engine import (
    MAX_TRANSLATED_LENGTH,
    NormalizationResult,
    PlanNormalizer,
    check_dialable,
    clean,
)
from normalizer.errors import DialplanInputError, RegexTimeoutError
from normalizer.models import EffectiveDialPlan, Tenant

if TYPE_CHECKING:
    from normalizer.billing.outcome import CallBilling

_Key = tuple[str | None, str | None, str | None]


class Simulator:
    """Normalizes dial strings for a tenant's users, compiling each effective plan once."""

    def __init__(
        self,
        tenant: Tenant,
        *,
        catalog: ServiceCatalog | None = None,
        emergency_numbers: EmergencyNumbers | None = None,
        max_translated_length: int = MAX_TRANSLATED_LENGTH,
        shared_cache: bool = True,
    ) -> None:
        """`shared_cache=False`: compiled plans live and die with this simulator, never in
        the module's cache of compiled rule lists (the service's posted tenants)."""
        self.tenant = tenant
        self.max_translated_length = max_translated_length
        self.shared_cache = shared_cache
        self.catalog = catalog or default_catalog()
        self.emergency_numbers = emergency_numbers or default_emergency_numbers()
        self._plans: dict[_Key, EffectiveDialPlan] = {}
        self._normalizers: dict[EffectiveDialPlan, PlanNormalizer] = {}
        # By the same key as `_plans`: hashing an effective plan hashes every rule.
        self._compiled: dict[_Key, PlanNormalizer] = {}
        self._billing: CallBilling | None = None

    @property
    def billing(self) -> CallBilling:
        """The tenant's Calling Plan licences against the plan catalog (built when first asked)."""
        if self._billing is None:
            from normalizer.billing.outcome import CallBilling

            self._billing = CallBilling(self.tenant)
        return self._billing

    def effective(
        self,
        *,
        user: str | None = None,
        usage_location: str | None = None,
        dial_plan: str | None = None,
    ) -> EffectiveDialPlan:
        """The effective plan of a user, or of a usage location and optional tenant plan."""
        key = (user.lower() if user else None, usage_location, dial_plan)
        plan = self._plans.get(key)
        if plan is None:
            plan = effective_dial_plan(
                self.tenant,
                user=user,
                usage_location=usage_location,
                dial_plan=dial_plan,
                catalog=self.catalog,
            )
            self._plans[key] = plan
        return plan

    def normalizer(self, plan: EffectiveDialPlan) -> PlanNormalizer:
        """The compiled normalizer of an effective plan."""
        compiled = self._normalizers.get(plan)
        if compiled is None:
            compiled = PlanNormalizer(
                plan,
                self.emergency_numbers,
                max_translated_length=self.max_translated_length,
                shared=self.shared_cache,
            )
            self._normalizers[plan] = compiled
        return compiled

    def normalize(
        self,
        dialed_number: str,
        *,
        user: str | None = None,
        usage_location: str | None = None,
        dial_plan: str | None = None,
        trace: bool = False,
        tenant_scope_only: bool = False,
        timeout: float | None = None,
        deadline: float | None = None,
    ) -> NormalizationResult:
        """Normalize one dial string for a user (or a usage location and plan).

        `timeout` and `deadline` as in `PlanNormalizer.normalize`.

        A dial string with nothing left once visual separators are removed is
        an input error (the service would dial only `+CC`).
        """
        if isinstance(dialed_number, str):
            check_dialable(dialed_number)
        if isinstance(dialed_number, str) and not clean(dialed_number):
            raise DialplanInputError(
                f"nothing to dial: {dialed_number!r} is empty once visual separators are removed",
                field="dialed_number",
            )
        key = (user.lower() if user else None, usage_location, dial_plan)
        compiled = self._compiled.get(key)
        if compiled is None:
            plan = self.effective(user=user, usage_location=usage_location, dial_plan=dial_plan)
            compiled = self._compiled[key] = self.normalizer(plan)
        try:
            return compiled.normalize(
                dialed_number,
                trace=trace,
                tenant_scope_only=tenant_scope_only,
                timeout=timeout,
                deadline=deadline,
            )
        except RegexTimeoutError as exc:
            plan_of = {rule.rule.name: rule.dial_plan for rule in reversed(compiled.plan.rules)}
            raise exc.located(plan=plan_of.get(exc.rule or "")) from None
