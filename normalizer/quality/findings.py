"""What lint reports: findings with a severity, a stable code, a location and a witness.

>>> finding = Finding(Severity.WARNING, FindingCode.UNANCHORED, "Global", "Ext", "pattern is not anchored")
>>> str(finding)
"warning [unanchored] plan 'Global' rule 'Ext': pattern is not anchored"
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from normalizer.errors import DialplanError
from normalizer.validation import Violation


class Severity(StrEnum):
    """How bad a finding is: errors reject the tenant, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


class FindingCode(StrEnum):
    """Stable codes of the warnings (errors use `validation.Violation` codes)."""

    DUPLICATE = "duplicate"
    SHADOWED = "shadowed"
    NEVER_MATCHES = "never-matches"
    PARTIAL_OVERLAP = "partial-overlap"
    REDUNDANT = "redundant"
    NO_DIFFERENCE_FOUND = "no-difference-found"
    MISSING_USAGE_LOCATION = "missing-usage-location"
    EMERGENCY_CAPTURE = "emergency-capture"
    UNANCHORED = "unanchored"
    OPTIONAL_FIRST_TOKEN = "optional-first-token"
    NO_PLUS = "no-plus"
    INVALID_E164 = "invalid-e164"
    MISSING_GROUP = "missing-group"
    NOT_ANALYSABLE = "not-analysable"
    ANALYSIS_TIME_LIMIT = "analysis-time-limit"
    ANALYSIS_MEMORY_LIMIT = "analysis-memory-limit"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: severity, stable code, where (plan, rule), what, and a witness dial string."""

    severity: Severity
    code: FindingCode | Violation
    plan: str | None
    rule: str | None
    message: str
    witness: str | None = None
    rule_index: int | None = None
    region: str | None = None
    field: str | None = None
    file: str | None = None

    @property
    def text(self) -> str:
        """The message with its location, as the error of the same problem prints it."""
        return DialplanError(
            self.message,
            file=self.file,
            plan=self.plan,
            rule=self.rule,
            rule_index=self.rule_index,
            field=self.field,
        ).message

    def __str__(self) -> str:
        return f"{self.severity} [{self.code}] {self.text}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `dialplan lint --json`."""
        return {
            "severity": str(self.severity),
            "code": str(self.code),
            "plan": self.plan,
            "rule": self.rule,
            "message": self.message,
            "witness": self.witness,
            "rule_index": self.rule_index,
            "region": self.region,
            "field": self.field,
            "file": self.file,
        }
