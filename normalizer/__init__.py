"""dialplan's core: Teams dial plan normalization, effective plans and classification.

>>> from normalizer import Simulator, load_tenant
>>> Simulator(load_tenant()).normalize("7123", user="marcel.beauchamp@contoso.com").translated_number
'+33199997123'
"""

import importlib as _importlib
import sys as _sys
import types as _types
import typing as _typing

from normalizer.errors import (
    DialplanError,
    DialplanInputError,
    DialplanLookupError,
    MemoryLimitError,
    PatternError,
    RegexTimeoutError,
    SuiteError,
    TenantFileError,
    TenantValidationError,
    TimeLimitError,
    TranslationError,
    UnknownCallingPlanError,
    UnknownPlanError,
    UnknownRegionError,
    UnknownUserError,
)

if _typing.TYPE_CHECKING:
    from normalizer.billing.catalog import PlanCatalog, default_plan_catalog
    from normalizer.billing.columns import parse_starts, read_durations, read_starts
    from normalizer.billing.explain import calling_plan_answer
    from normalizer.billing.ledger import CallLedger, outcome_columns
    from normalizer.billing.outcome import BillingCategory, BlockReason, CallBilling, CallOutcome
    from normalizer.billing.rates import (
        PriceList,
        RateCard,
        plan_problem,
        price_problem,
        rate_problem,
        read_rate_card,
    )
    from normalizer.bulk.batch import CdrColumns, CdrNormalizer, normalize_batch
    from normalizer.bulk.cdr_io import CdrFormat
    from normalizer.bulk.job import normalize_file
    from normalizer.bulk.summary import CdrSummary
    from normalizer.catalog import ServiceCatalog, default_catalog
    from normalizer.classify import CallType, Classification, classify
    from normalizer.dotnet.matcher import RuleMatcher, compile_rules
    from normalizer.dotnet.witness import witnesses
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
    from normalizer.formats import (
        TenantFormat,
        TenantImport,
        dump_tenant,
        import_tenant,
        load_tenant,
    )
    from normalizer.formats.document import tenant_from_document, tenant_to_document
    from normalizer.formats.powershell import tenant_from_powershell
    from normalizer.formats.powershell_writer import tenant_to_powershell
    from normalizer.formats.teams_json import tenant_from_teams_json, tenant_to_teams_json
    from normalizer.formats.toml import tenant_from_toml, tenant_to_toml
    from normalizer.formats.values import IgnoredStatement
    from normalizer.models import (
        CreditsSettings,
        DialPlan,
        EffectiveDialPlan,
        EffectiveRule,
        NormalizationRule,
        Scope,
        Tenant,
        User,
    )
    from normalizer.nesting import check_data
    from normalizer.quality.diff import (
        ChangeKind,
        RuleChange,
        StringChange,
        TenantDiff,
        diff_tenants,
    )
    from normalizer.quality.findings import Finding, FindingCode, Severity
    from normalizer.quality.isolation import run_isolated
    from normalizer.quality.junit import junit_xml
    from normalizer.quality.lint import lint
    from normalizer.quality.suites import (
        Case,
        CaseResult,
        Coverage,
        ExpectKey,
        Mismatch,
        RuleUse,
        Suite,
        SuiteResult,
        load_suite,
        record_suite,
        rule_coverage,
        run_suite,
        suite_from_toml,
        suite_to_toml,
    )
    from normalizer.simulation import Simulator
    from normalizer.validation import Violation, validate

# Every public name but the errors is imported on first use, so `import normalizer`
# costs almost nothing and each command (`dialplan normalize` above all, which
# scripts call in loops) loads only the modules it uses.
_LAZY_MODULES = {
    "normalizer.billing.catalog": ("PlanCatalog", "default_plan_catalog"),
    "normalizer.billing.columns": ("parse_starts", "read_durations", "read_starts"),
    "normalizer.billing.ledger": ("CallLedger", "outcome_columns"),
    "normalizer.billing.rates": ("PriceList", "RateCard", "plan_problem", "price_problem", "rate_problem", "read_rate_card"),
    "normalizer.billing.explain": ("calling_plan_answer",),
    "normalizer.billing.outcome": ("BillingCategory", "BlockReason", "CallBilling", "CallOutcome"),
    "normalizer.bulk.batch": ("CdrColumns", "CdrNormalizer", "normalize_batch"),
    "normalizer.bulk.cdr_io": ("CdrFormat",),
    "normalizer.bulk.job": ("normalize_file",),
    "normalizer.bulk.summary": ("CdrSummary",),
    "normalizer.catalog": ("ServiceCatalog", "default_catalog"),
    "normalizer.classify": ("CallType", "Classification", "classify"),
    "normalizer.dotnet.matcher": ("RuleMatcher", "compile_rules"),
    "normalizer.dotnet.witness": ("witnesses",),
    "normalizer.effective": ("effective_dial_plan",),
    "normalizer.emergency": ("EmergencyNumbers", "default_emergency_numbers"),
    "normalizer.engine": (
        "NormalizationResult",
        "PassTrace",
        "PlanNormalizer",
        "RuleTrace",
        "clean",
        "normalize",
    ),
    "normalizer.formats": (
        "TenantFormat",
        "TenantImport",
        "dump_tenant",
        "import_tenant",
        "load_tenant",
    ),
    "normalizer.formats.document": ("tenant_from_document", "tenant_to_document"),
    "normalizer.formats.values": ("IgnoredStatement",),
    "normalizer.formats.powershell": ("tenant_from_powershell",),
    "normalizer.formats.powershell_writer": ("tenant_to_powershell",),
    "normalizer.formats.teams_json": ("tenant_from_teams_json", "tenant_to_teams_json"),
    "normalizer.formats.toml": ("tenant_from_toml", "tenant_to_toml"),
    "normalizer.models": (
        "CreditsSettings",
        "DialPlan",
        "EffectiveDialPlan",
        "EffectiveRule",
        "NormalizationRule",
        "Scope",
        "Tenant",
        "User",
    ),
    "normalizer.quality.diff": (
        "ChangeKind",
        "RuleChange",
        "StringChange",
        "TenantDiff",
        "diff_tenants",
    ),
    "normalizer.quality.findings": ("Finding", "FindingCode", "Severity"),
    "normalizer.quality.isolation": ("run_isolated",),
    "normalizer.quality.junit": ("junit_xml",),
    "normalizer.quality.lint": ("lint",),
    "normalizer.quality.suites": (
        "Case",
        "CaseResult",
        "Coverage",
        "ExpectKey",
        "Mismatch",
        "RuleUse",
        "Suite",
        "SuiteResult",
        "load_suite",
        "record_suite",
        "rule_coverage",
        "run_suite",
        "suite_from_toml",
        "suite_to_toml",
    ),
    "normalizer.nesting": ("check_data",),
    "normalizer.simulation": ("Simulator",),
    "normalizer.validation": ("Violation", "validate"),
}
_LAZY = {name: module for module, names in _LAZY_MODULES.items() for name in names}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'normalizer' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(_types.ModuleType):
    """The package, whose public names are never replaced by a submodule of the same name.

    Importing `normalizer.classify` sets the package's attribute `classify` to
    that module; the public name is the function `classify`, as `__all__` says.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, _types.ModuleType) and _LAZY.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


__all__ = [
    "BillingCategory",
    "BlockReason",
    "CallBilling",
    "CallLedger",
    "CallOutcome",
    "CallType",
    "Case",
    "CaseResult",
    "CdrColumns",
    "CdrFormat",
    "CdrNormalizer",
    "CdrSummary",
    "ChangeKind",
    "Classification",
    "Coverage",
    "CreditsSettings",
    "DialPlan",
    "DialplanError",
    "DialplanInputError",
    "DialplanLookupError",
    "EffectiveDialPlan",
    "EffectiveRule",
    "EmergencyNumbers",
    "ExpectKey",
    "Finding",
    "FindingCode",
    "IgnoredStatement",
    "MemoryLimitError",
    "Mismatch",
    "NormalizationResult",
    "NormalizationRule",
    "PassTrace",
    "PatternError",
    "PlanCatalog",
    "PlanNormalizer",
    "PriceList",
    "RateCard",
    "RegexTimeoutError",
    "RuleChange",
    "RuleMatcher",
    "RuleTrace",
    "RuleUse",
    "Scope",
    "ServiceCatalog",
    "Severity",
    "Simulator",
    "StringChange",
    "Suite",
    "SuiteError",
    "SuiteResult",
    "Tenant",
    "TenantDiff",
    "TenantFileError",
    "TenantFormat",
    "TenantImport",
    "TenantValidationError",
    "TimeLimitError",
    "TranslationError",
    "UnknownCallingPlanError",
    "UnknownPlanError",
    "UnknownRegionError",
    "UnknownUserError",
    "User",
    "Violation",
    "calling_plan_answer",
    "check_data",
    "classify",
    "clean",
    "compile_rules",
    "default_catalog",
    "default_emergency_numbers",
    "default_plan_catalog",
    "diff_tenants",
    "dump_tenant",
    "effective_dial_plan",
    "import_tenant",
    "junit_xml",
    "lint",
    "load_suite",
    "load_tenant",
    "normalize",
    "normalize_batch",
    "normalize_file",
    "outcome_columns",
    "parse_starts",
    "plan_problem",
    "price_problem",
    "rate_problem",
    "read_durations",
    "read_rate_card",
    "read_starts",
    "record_suite",
    "rule_coverage",
    "run_isolated",
    "run_suite",
    "suite_from_toml",
    "suite_to_toml",
    "tenant_from_document",
    "tenant_from_powershell",
    "tenant_from_teams_json",
    "tenant_from_toml",
    "tenant_to_document",
    "tenant_to_powershell",
    "tenant_to_teams_json",
    "tenant_to_toml",
    "validate",
    "witnesses",
]
