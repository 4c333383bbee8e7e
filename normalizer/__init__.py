"""dialplan's core: Teams dial plan normalization, effective plans and classification.

>>> from normalizer import Simulator, load_tenant
>>> Simulator(load_tenant()).normalize("7123", user="marcel.beauchamp@contoso.com").translated_number
'+33199997123'
"""

from normalizer.catalog import ServiceCatalog, default_catalog
from normalizer.classify import CallType, Classification, classify
from normalizer.effective import effective_dial_plan
from normalizer.emergency import EmergencyNumbers, default_emergency_numbers
from normalizer.engine import (
    NormalizationResult,
    PassTrace,
    PlanNormalizer,
    RuleTrace,
    clean,
    normalize,
)
from normalizer.errors import (
    DialplanError,
    DialplanInputError,
    DialplanLookupError,
    PatternError,
    RegexTimeoutError,
    TenantFileError,
    TenantValidationError,
    TranslationError,
    UnknownPlanError,
    UnknownRegionError,
    UnknownUserError,
)
from normalizer.formats import load_tenant
from normalizer.formats.document import tenant_from_document, tenant_to_document
from normalizer.lint import Finding, FindingCode, Severity, lint
from normalizer.matcher import RuleMatcher, compile_rules
from normalizer.models import (
    DialPlan,
    EffectiveDialPlan,
    EffectiveRule,
    NormalizationRule,
    Scope,
    Tenant,
    User,
)
from normalizer.simulation import Simulator
from normalizer.validation import Violation, validate

__all__ = [
    "CallType",
    "Classification",
    "DialPlan",
    "DialplanError",
    "DialplanInputError",
    "DialplanLookupError",
    "EffectiveDialPlan",
    "EffectiveRule",
    "EmergencyNumbers",
    "Finding",
    "FindingCode",
    "NormalizationResult",
    "NormalizationRule",
    "PassTrace",
    "PatternError",
    "PlanNormalizer",
    "RegexTimeoutError",
    "RuleMatcher",
    "RuleTrace",
    "Scope",
    "ServiceCatalog",
    "Severity",
    "Simulator",
    "Tenant",
    "TenantFileError",
    "TenantValidationError",
    "TranslationError",
    "UnknownPlanError",
    "UnknownRegionError",
    "UnknownUserError",
    "User",
    "Violation",
    "classify",
    "clean",
    "compile_rules",
    "default_catalog",
    "default_emergency_numbers",
    "effective_dial_plan",
    "lint",
    "load_tenant",
    "normalize",
    "tenant_from_document",
    "tenant_to_document",
    "validate",
]
