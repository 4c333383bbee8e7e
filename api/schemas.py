"""The JSON the service takes and gives, as pydantic models: the OpenAPI document.

Requests are validated strictly (no coercion of `7123` to `"7123"`, no unknown
keys). Answers are the core's own `to_dict()` shapes, described here; a test
validates real answers against these models so the document cannot drift.
A tenant document stays plain JSON here: the core reads it
(`tenant_from_document`) and names the plan, rule and field of any mistake.

>>> NormalizeRequest.model_validate({"dialed_number": "7123", "user": "marcel.beauchamp@contoso.com"}).trace
False
>>> NormalizeRequest.model_validate({"dialed_number": 7123})
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for NormalizeRequest
dialed_number
  Input should be a valid string...
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from normalizer import BillingCategory, BlockReason, CallType, Scope

MARCEL = "marcel.beauchamp@contoso.com"

TENANT_DOCUMENT_EXAMPLE: dict[str, Any] = {
    "tenant": {"name": "What-if"},
    "dial_plans": [
        {
            "identity": "FR-Paris",
            "rules": [
                {
                    "name": "FR-Internal",
                    "pattern": r"^(7\d{3})$",
                    "translation": "+3319999$1",
                    "is_internal_extension": True,
                }
            ],
        }
    ],
    "users": [{"upn": "ana@example.com", "usage_location": "FR", "dial_plan": "FR-Paris"}],
}

TENANT_DOCUMENT = (
    "A tenant document: the TOML tenant file's structure as JSON, "
    '`{"tenant": {"name", "max_rules"}, "dial_plans": [{"identity", "description", '
    '"rules": [{"name", "description", "pattern", "translation", "is_internal_extension"}]}], '
    '"users": [{"upn", "usage_location", "dial_plan"}]}`.'
)


def _optional(kind: str | dict[str, Any]) -> dict[str, Any]:
    """A value of `kind`, or null (the reader takes null as left out)."""
    schema = {"type": kind} if isinstance(kind, str) else kind
    return {"anyOf": [schema, {"type": "null"}]}


def _table(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


_TEXT = {"type": "string"}
TENANT_DOCUMENT_SCHEMA: dict[str, Any] = _table(
    [],
    tenant=_optional(
        _table([], name=_optional("string"), max_rules=_optional({"type": "integer", "minimum": 1}))
    ),
    dial_plans=_optional(
        {
            "type": "array",
            "items": _table(
                ["identity"],
                identity=_TEXT,
                description=_optional("string"),
                simple_name=_optional("string"),
                external_access_prefix=_optional("string"),
                optimize_device_dialing=_optional("boolean"),
                rules=_optional(
                    {
                        "type": "array",
                        "items": _table(
                            ["name", "pattern", "translation"],
                            name=_TEXT,
                            description=_optional("string"),
                            pattern=_TEXT,
                            translation=_TEXT,
                            is_internal_extension=_optional("boolean"),
                        ),
                    }
                ),
            ),
        }
    ),
    users=_optional(
        {
            "type": "array",
            "items": _table(
                ["upn", "usage_location"],
                upn=_TEXT,
                usage_location=_TEXT,
                dial_plan=_optional("string"),
                calling_plan=_optional("string"),
                communications_credits=_optional("boolean"),
                phone_number=_optional("string"),
            ),
        }
    ),
    communications_credits=_optional(
        _table(
            [],
            balance=_optional({"type": "number", "minimum": 0}),
            currency=_optional("string"),
            recharge_below=_optional({"type": "number", "minimum": 0}),
            recharge_amount=_optional({"type": "number", "exclusiveMinimum": 0}),
        )
    ),
)
"""The tenant document's structure as JSON Schema: what `tenant_from_document` reads.

Requests keep it plain JSON (the core names the plan, rule and field of a
mistake); the OpenAPI document shows this schema, so clients and generated
tests know the keys, their types and which are required.
"""


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


_WHOSE_PLAN: list[Any] = [
    {
        "required": ["user"],
        "properties": {"user": {"type": "string"}, "usage_location": {"type": "null"}, "dial_plan": {"type": "null"}},
    },
    {"required": ["usage_location"], "properties": {"usage_location": {"type": "string"}, "user": {"type": "null"}}},
]
"""A user, or a usage location (and optional plan), never both: null counts as left out."""


class NormalizeRequest(Request):
    """One dial string for a user, or for a usage location and optional tenant plan."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"dialed_number": "7123", "user": MARCEL},
                {"dialed_number": "3949", "usage_location": "FR", "dial_plan": "FR-Paris-Issy-39qdPR", "trace": True},
            ],
            "oneOf": _WHOSE_PLAN,
        }
    )

    dialed_number: str = Field(
        min_length=1,
        description="The dial string, as typed: digits, + * #, ASCII letters (vanity numbers, "
        "an extension's x/ext), ; and = of ;ext=, and the separators ' -.()' (removed), with "
        "something left once they are removed. Anything else is refused (422) naming the "
        "character and its position.",
        # Documented here, enforced by the core with its own message (`check_dialable`).
        json_schema_extra={"pattern": r"^[ \-.()]*[0-9A-Za-z+*#;=][0-9A-Za-z+*#;= \-.()]*$"},
    )
    user: str | None = Field(None, description="A user principal name of the served tenant.")
    usage_location: str | None = Field(
        None, description="Instead of a user: a region (ISO 3166 alpha-2)."
    )
    dial_plan: str | None = Field(
        None, description="With usage_location: a tenant dial plan (default: Global, if any)."
    )
    tenant_scope_only: bool = Field(
        False, description="Test the tenant rules alone, like -TenantScopeOnly."
    )
    trace: bool = Field(False, description="Include every rule tried, pass by pass.")


class BatchRequest(Request):
    items: list[NormalizeRequest] = Field(description="Up to the batch limit (10,000 by default).")


class SimulateRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tenant": TENANT_DOCUMENT_EXAMPLE,
                    "cases": [
                        {"dialed_number": "7001", "user": "ana@example.com"},
                        {"dialed_number": "0145678900", "usage_location": "FR"},
                    ],
                }
            ]
        }
    )

    tenant: dict[str, Any] = Field(description=TENANT_DOCUMENT, json_schema_extra=TENANT_DOCUMENT_SCHEMA)
    cases: list[NormalizeRequest] = Field(
        description="Dial strings for users of that tenant, or for usage locations and plans."
    )


class Answer(BaseModel):
    """An answer model: documents the JSON, lets extra keys through."""

    model_config = ConfigDict(extra="allow")


class ErrorBody(Answer):
    """Every error: a stable code, one readable line, and where it is."""

    error: str = Field(description="A stable code: unknown_user, invalid_pattern, regex_timeout ...")
    detail: str
    plan: str | None
    rule: str | None
    field: str | None


class EffectiveRuleOut(Answer):
    name: str
    description: str
    pattern: str
    translation: str
    is_internal_extension: bool
    dial_plan: str
    scope: Scope
    priority: int = Field(description="Position in its own dial plan (0 first).")


class RuleTraceOut(Answer):
    rule: str
    dial_plan: str
    scope: Scope
    priority: int
    matched: bool
    groups: dict[str, str | None]
    output: str | None


class PassTraceOut(Answer):
    input: str
    tried: list[RuleTraceOut] = Field(description="Every rule tried, in order, up to the winner.")
    would_match: list[RuleTraceOut] = Field(description="Every rule whose pattern matches.")
    matching_rule: str | None
    output: str | None


class CallingPlanOut(Answer):
    """A user's Calling Plan and what it does to the call, as at the start of a month (pools full)."""

    calling_plan: str | None = Field(description="The user's plan id (domestic-<minutes>, international, payg).")
    communications_credits: bool
    billing_category: BillingCategory = Field(
        description="The billing view: US, Canada and Puerto Rico are domestic for each other's users."
    )
    allowed: bool
    block_reason: BlockReason | None
    charged_to: str | None = Field(description="The pool (e.g. FR/domestic-120) or communications-credits.")
    sentence: str = Field(description="The answer in one plain sentence.")


class NormalizeResult(Answer):
    """The fields of `dialplan normalize --json`."""

    dialed_number: str
    cleaned_number: str = Field(description="Without visual separators.")
    translated_number: str | None = Field(
        description="What Test-CsEffectiveTenantDialPlan shows; null when no rule matches."
    )
    matching_rule: EffectiveRuleOut | None
    effective_dial_plan: str
    usage_location: str
    final_number: str = Field(description="What the service dials.")
    final_rule: EffectiveRuleOut | None = Field(
        description="The rule of the service's second pass, if there was one and it matched."
    )
    call_type: CallType
    destination_region: str | None
    number_type: str | None
    is_valid_number: bool
    has_vanity_letters: bool = Field(
        description="The dial string holds letters that stand for digits (1-800-FLOWERS): "
        "a number that keeps them is never valid, domestic nor international."
    )
    is_emergency: bool
    trace: list[PassTraceOut] | None = Field(None, description="With trace: one entry per pass.")
    calling_plan: CallingPlanOut | None = Field(
        None, description="For a user: the Calling Plan answer; null for a usage location."
    )


class BatchResponse(Answer):
    results: list[NormalizeResult]


class SimulateResponse(Answer):
    tenant: str
    results: list[NormalizeResult]


class UserOut(Answer):
    upn: str
    usage_location: str
    dial_plan: str | None


class DialPlanSummary(Answer):
    identity: str
    scope: Scope
    description: str
    rule_count: int


class TenantRuleOut(Answer):
    name: str
    description: str
    pattern: str
    translation: str
    is_internal_extension: bool
    priority: int


class DialPlanOut(Answer):
    identity: str
    scope: Scope
    description: str
    simple_name: str
    external_access_prefix: str | None
    optimize_device_dialing: bool
    rules: list[TenantRuleOut]


class EffectiveDialPlanOut(Answer):
    name: str
    region: str
    service_dial_plan: str
    tenant_dial_plan: str | None
    tenant_scope: Scope | None
    rules: list[EffectiveRuleOut]


class ServiceDialPlanOut(Answer):
    identity: str
    region: str
    description: str
    rules: list[EffectiveRuleOut]


class RegionOut(Answer):
    region: str
    name: str | None = Field(description="The English territory name (Unicode CLDR, through babel).")
    calling_code: int
    international_prefix: str = Field(description="A regular expression of the IDD prefixes.")
    national_prefix: str | None = Field(description="The trunk prefix, if the region has one.")


class FindingOut(Answer):
    severity: str = Field(description="error (loading would reject the tenant) or warning.")
    code: str = Field(description="A stable code: shadowed, emergency-capture, too-many-rules ...")
    plan: str | None
    rule: str | None
    message: str
    witness: str | None = Field(description="A dial string that shows the problem, when there is one.")
    rule_index: int | None
    region: str | None
    field: str | None
    file: str | None


class LintResponse(Answer):
    tenant: str
    errors: int
    warnings: int
    findings: list[FindingOut]


class Health(Answer):
    status: str
    tenant: str
    users: int
    dial_plans: int


class CallIn(Request):
    """One call to replay."""

    user: str = Field(description="The caller's user principal name.")
    dialed_number: str
    start: str = Field(description="ISO 8601 (no offset: UTC), or M/D/YYYY h:mm:ss AM.")
    duration: float = Field(
        ge=0, allow_inf_nan=False, description="Seconds, finite; at most the catalog's `max_call_seconds` (31 days)."
    )
    direction: Literal["outbound", "inbound"] = "outbound"


class RateIn(Request):
    """One line of a rate card: the longest prefix wins."""

    prefix: str = Field(pattern=r"^\+[0-9]+$", description="+ and ASCII digits; each prefix once.")
    rate: float = Field(ge=0, allow_inf_nan=False, description="Per minute, finite, at most 1,000,000.")
    currency: str


class PriceIn(Request):
    """One licence's monthly price: the recommendations then give each plan mix's cost."""

    region: str = Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2, e.g. FR.")
    plan: str = Field(description="A plan id: domestic-<minutes>, international or payg.")
    price: float = Field(ge=0, allow_inf_nan=False, description="A licence a month, finite, at most 1,000,000.")
    currency: str


class ReplayRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "calls": [
                        {
                            "user": "lidia.holloway@contoso.com",
                            "dialed_number": "0033123456789",
                            "start": "2024-03-04T09:00:00Z",
                            "duration": 120,
                        }
                    ]
                }
            ]
        }
    )

    tenant: dict[str, Any] | None = Field(
        None,
        description=TENANT_DOCUMENT + " Default: the served tenant.",
        json_schema_extra={"anyOf": [TENANT_DOCUMENT_SCHEMA, {"type": "null"}]},
    )
    calls: list[CallIn]
    rates: list[RateIn] | None = Field(None, description="A rate card: credits in money (default: minutes).")
    prices: list[PriceIn] | None = Field(
        None, description="Monthly licence prices, one currency: the recommendations' plan mixes get their cost."
    )
    minute_rounding: int | None = Field(
        None, ge=1, le=3600, description="Bill per started this many seconds (default: the catalog's, 60)."
    )


class CallOutcomeOut(Answer):
    user: str
    dialed_number: str
    final_number: str
    call_type: CallType
    billing_category: BillingCategory
    allowed: bool
    block_reason: BlockReason | None
    charged_to: str | None
    billed_minutes: int
    charge: float | None


class ReplayResponse(Answer):
    tenant: str
    results: list[CallOutcomeOut]
    calling_plans: dict[str, Any] = Field(
        description="Per month: pools, credits, blocked calls per user and reason, recommendations."
    )
