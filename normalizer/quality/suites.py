"""Regression test suites for rule sets: cases with expected results, run, covered and recorded.

A suite file (TOML) names a tenant and lists cases; each case is a dial string,
who dials it (a user, or a usage location and optional tenant dial plan) and
what must come of it: any subset of `translated_number`, `final_number`,
`matching_rule` and `call_type`. `translated_number = ""` and
`matching_rule = ""` mean "no rule matches". This brings back what Skype for
Business Server's voice test cases did ("Run all"), which Teams dropped.

```toml
[suite]
name = "Contoso Paris"
tenant = "contoso.toml"                # optional, relative to the suite file

[[cases]]
dialed_number = "7123"
user = "marcel.beauchamp@contoso.com"  # or usage_location = "FR" (+ dial_plan = "...")
expect.translated_number = "+33199997123"
expect.matching_rule = "FR-39qdPR-Internal"
expect.call_type = "extension"
```

Keys beyond the contract: `[suite] description`; per case `name`,
`description` and `tenant_scope_only` (test the tenant rules alone, as
`Test-CsEffectiveTenantDialPlan -TenantScopeOnly`; it changes only
`translated_number` and `matching_rule`).

>>> suite = suite_from_document({"cases": [{"dialed_number": "7123",
...     "user": "marcel.beauchamp@contoso.com", "expect": {"call_type": "extension"}}]}, "s.toml")
>>> run_suite(suite).passed
1
>>> suite_from_document({"cases": [{"dialed_number": 7123, "user": "x", "expect": {}}]}, "s.toml")
Traceback (most recent call last):
...
normalizer.errors.SuiteError: s.toml: cases[0]: field 'dialed_number': must be a string, not int (quote it: "7123")
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import tomli

from normalizer.catalog import read_toml
from normalizer.classify import CallType
from normalizer.engine import NormalizationResult
from normalizer.errors import (
    DialplanError,
    SuiteError,
    UnknownPlanError,
    UnknownRegionError,
    UnknownUserError,
)
from normalizer.formats import load_tenant
from normalizer.models import DialPlan, Scope, Tenant
from normalizer.nesting import check_text
from normalizer.simulation import Simulator


class ExpectKey(StrEnum):
    """What a case may expect of a result."""

    TRANSLATED_NUMBER = "translated_number"
    FINAL_NUMBER = "final_number"
    MATCHING_RULE = "matching_rule"
    CALL_TYPE = "call_type"


_SUITE_KEYS = {"name", "tenant", "description"}
_CASE_KEYS = {
    "dialed_number",
    "user",
    "usage_location",
    "dial_plan",
    "expect",
    "name",
    "description",
    "tenant_scope_only",
}


@dataclass(frozen=True, slots=True)
class Case:
    """One dial string, who dials it, and what must come of it."""

    index: int
    dialed_number: str
    expect: tuple[tuple[ExpectKey, str], ...]
    """Expected values in file order; "" means None for the number and rule."""
    user: str | None = None
    usage_location: str | None = None
    dial_plan: str | None = None
    name: str | None = None
    description: str = ""
    tenant_scope_only: bool = False

    @property
    def who(self) -> str:
        """The user, or the usage location and plan, as one phrase."""
        if self.user:
            return self.user
        where = f"usage location {self.usage_location}"
        return f"{where}, plan {self.dial_plan}" if self.dial_plan else where

    @property
    def label(self) -> str:
        """The case's name, or `DIALED for WHO`."""
        return self.name or f"{self.dialed_number} for {self.who}"


@dataclass(frozen=True, slots=True)
class Suite:
    """A named list of cases for one tenant."""

    name: str
    cases: tuple[Case, ...]
    file: str | None = None
    tenant: Path | None = None
    """The tenant file, resolved against the suite's folder; None = built-in Contoso."""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One expectation a result did not meet."""

    key: ExpectKey
    expected: str
    actual: str

    def describe(self) -> str:
        return f"{self.key}: expected {_shown(self.expected)}, got {_shown(self.actual)}"


@dataclass(frozen=True, slots=True)
class CaseResult:
    """A case, what the simulator made of it, and the expectations it missed."""

    case: Case
    result: NormalizationResult
    mismatches: tuple[Mismatch, ...]
    seconds: float = field(default=0.0, compare=False)

    @property
    def passed(self) -> bool:
        return not self.mismatches

    def actual(self) -> dict[str, str]:
        """The result's value of every expectation key ("" for None)."""
        return {str(key): actual_value(key, self.result) for key in ExpectKey}

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.case.index,
            "name": self.case.label,
            "dialed_number": self.case.dialed_number,
            "user": self.case.user,
            "usage_location": self.case.usage_location,
            "dial_plan": self.case.dial_plan,
            "passed": self.passed,
            "expected": {str(key): value for key, value in self.case.expect},
            "actual": self.actual(),
            "mismatches": [
                {"key": str(m.key), "expected": m.expected, "actual": m.actual}
                for m in self.mismatches
            ],
        }


@dataclass(frozen=True, slots=True)
class SuiteResult:
    """Every case of one suite, run against one tenant."""

    suite: Suite
    tenant: Tenant
    cases: tuple[CaseResult, ...]

    @property
    def passed(self) -> int:
        return sum(1 for case in self.cases if case.passed)

    @property
    def failed(self) -> int:
        return len(self.cases) - self.passed

    @property
    def seconds(self) -> float:
        return sum(case.seconds for case in self.cases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.suite.file,
            "name": self.suite.name,
            "tenant": self.tenant.source,
            "passed": self.passed,
            "failed": self.failed,
            "cases": [case.to_dict() for case in self.cases],
        }


def _shown(value: str) -> str:
    return repr(value) if value else "no rule matches"


def _case_error(detail: str, source: str, index: int, key: str | None = None) -> SuiteError:
    return SuiteError(detail, file=source, case_index=index, field=key)


def _string(table: dict[str, Any], key: str, source: str, index: int, where: str = "") -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        hint = f' (quote it: "{value}")' if isinstance(value, int) and not isinstance(value, bool) else ""
        raise _case_error(
            f"must be a string, not {type(value).__name__}{hint}", source, index, where + key
        )
    return value


def _expectations(value: Any, source: str, index: int) -> tuple[tuple[ExpectKey, str], ...]:
    if value is None:
        raise _case_error(
            "missing required key 'expect' (give any of: " + ", ".join(ExpectKey) + ")",
            source,
            index,
            "expect",
        )
    if not isinstance(value, dict):
        raise _case_error(f"must be a table, not {type(value).__name__}", source, index, "expect")
    if not value:
        raise _case_error(
            "expects nothing (give any of: " + ", ".join(ExpectKey) + ")", source, index, "expect"
        )
    found: list[tuple[ExpectKey, str]] = []
    for key in value:
        if key not in ExpectKey.__members__.values():
            raise _case_error(
                f"unknown key (known: {', '.join(ExpectKey)})", source, index, f"expect.{key}"
            )
        text = _string(value, key, source, index, "expect.")
        if text is None:
            raise _case_error("must be a string", source, index, f"expect.{key}")
        if key == ExpectKey.CALL_TYPE and text not in CallType.__members__.values():
            raise _case_error(
                f"unknown call type {text!r} (known: {', '.join(CallType)})",
                source,
                index,
                "expect.call_type",
            )
        found.append((ExpectKey(key), text))
    return tuple(found)


def case_from_table(table: Any, *, source: str, index: int) -> Case:
    """Read one case; errors name the file, case index and key."""
    if not isinstance(table, dict):
        raise _case_error(f"a case must be a table, not {type(table).__name__}", source, index)
    unknown = sorted(set(table) - _CASE_KEYS)
    if unknown:
        raise _case_error(
            f"unknown key (known: {', '.join(sorted(_CASE_KEYS))})", source, index, unknown[0]
        )
    dialed = _string(table, "dialed_number", source, index)
    if dialed is None:
        raise _case_error("missing required key", source, index, "dialed_number")
    user = _string(table, "user", source, index)
    location = _string(table, "usage_location", source, index)
    plan = _string(table, "dial_plan", source, index)
    if user and (location or plan):
        key = "usage_location" if location else "dial_plan"
        raise _case_error("give either 'user' or 'usage_location' (and 'dial_plan'), not both", source, index, key)
    if not user and not location:
        raise _case_error("missing who dials: give 'user' or 'usage_location'", source, index, "user")
    scope_only = table.get("tenant_scope_only", False)
    if not isinstance(scope_only, bool):
        raise _case_error(
            f"must be true or false, not {type(scope_only).__name__}", source, index, "tenant_scope_only"
        )
    return Case(
        index=index,
        dialed_number=dialed,
        expect=_expectations(table.get("expect"), source, index),
        user=user,
        usage_location=location.upper() if location else None,
        dial_plan=plan,
        name=_string(table, "name", source, index),
        description=_string(table, "description", source, index) or "",
        tenant_scope_only=scope_only,
    )


def suite_from_document(document: Any, source: str, base: Path | None = None) -> Suite:
    """Build a suite from the TOML schema's structure; `base` resolves `tenant`."""
    if not isinstance(document, dict):
        raise SuiteError("a suite must be a table", file=source)
    unknown = sorted(set(document) - {"suite", "cases"})
    if unknown:
        raise SuiteError("unknown key (known: cases, suite)", file=source, field=unknown[0])
    header = document.get("suite", {})
    if not isinstance(header, dict):
        raise SuiteError(f"must be a table, not {type(header).__name__}", file=source, field="suite")
    unknown = sorted(set(header) - _SUITE_KEYS)
    if unknown:
        raise SuiteError(
            f"unknown key (known: {', '.join(sorted(_SUITE_KEYS))})",
            file=source,
            field=f"suite.{unknown[0]}",
        )
    for key in _SUITE_KEYS:
        if key in header and not isinstance(header[key], str):
            raise SuiteError(
                f"must be a string, not {type(header[key]).__name__}", file=source, field=f"suite.{key}"
            )
    cases_table = document.get("cases")
    if not isinstance(cases_table, list) or not cases_table:
        raise SuiteError("a suite needs at least one [[cases]] entry", file=source, field="cases")
    cases = tuple(case_from_table(entry, source=source, index=i) for i, entry in enumerate(cases_table))
    tenant: Path | None = None
    if header.get("tenant"):
        tenant = Path(header["tenant"])
        if base is not None and not tenant.is_absolute():
            tenant = base / tenant
    return Suite(
        name=header.get("name") or Path(source).stem,
        cases=cases,
        file=source,
        tenant=tenant,
        description=header.get("description", ""),
    )


def suite_from_toml(text: str, source: str = "<suite>") -> Suite:
    """A suite from TOML text (its `tenant` key is kept but not resolved against a folder)."""
    check_text(text, source)
    try:
        document = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise SuiteError(f"not valid TOML: {exc}", file=source) from None
    return suite_from_document(document, source)


def load_suite(path: str | Path) -> Suite:
    """Read a suite file; errors name the file, case index and key."""
    file = Path(path)
    if not file.is_file():
        raise SuiteError("no such file", file=str(file))
    try:
        document = read_toml(file)
    except DialplanError as exc:
        raise SuiteError(exc.detail, file=str(file)) from None
    return suite_from_document(document, str(file), file.parent)


def suite_tenant(
    suite: Suite, override: str | Path | None = None, *, max_rules: int | None = None
) -> Tenant:
    """The tenant a suite runs against: `override`, else the suite's, else built-in Contoso.

    `max_rules` overrides the tenant file's rule limit (`--max-rules`).
    """
    path = override if override is not None else suite.tenant
    try:
        return load_tenant(path, max_rules=max_rules)
    except DialplanError as exc:
        if override is None and suite.tenant is not None and exc.detail == "no such file":
            raise SuiteError(
                f"tenant file {str(suite.tenant)!r} does not exist", file=suite.file, field="suite.tenant"
            ) from None
        raise


def actual_value(key: ExpectKey, result: NormalizationResult) -> str:
    """What a result says for one expectation key ("" for no number or no rule)."""
    if key is ExpectKey.TRANSLATED_NUMBER:
        return result.translated_number or ""
    if key is ExpectKey.FINAL_NUMBER:
        return result.final_number
    if key is ExpectKey.MATCHING_RULE:
        return result.matching_rule.rule.name if result.matching_rule else ""
    return str(result.call_type)


def check_case(case: Case, result: NormalizationResult) -> tuple[Mismatch, ...]:
    """The expectations of a case that a result misses."""
    missed: list[Mismatch] = []
    for key, expected in case.expect:
        actual = actual_value(key, result)
        if actual != expected:
            missed.append(Mismatch(key, expected, actual))
    return tuple(missed)


def run_case(case: Case, simulator: Simulator, source: str | None = None) -> CaseResult:
    """Run one case; a case naming a user, region or plan that does not exist is a `SuiteError`."""
    started = time.perf_counter()
    try:
        result = simulator.normalize(
            case.dialed_number,
            user=case.user,
            usage_location=case.usage_location,
            dial_plan=case.dial_plan,
            tenant_scope_only=case.tenant_scope_only,
        )
    except DialplanError as exc:
        where = exc.field
        if isinstance(exc, UnknownUserError):
            where = "user"
        elif isinstance(exc, UnknownRegionError):
            where = "usage_location"
        elif isinstance(exc, UnknownPlanError):
            where = "user" if case.user else "dial_plan"
        raise SuiteError(exc.detail, file=source, case_index=case.index, field=where) from None
    return CaseResult(case, result, check_case(case, result), time.perf_counter() - started)


def run_suite(
    suite: Suite, tenant: Tenant | None = None, *, simulator: Simulator | None = None
) -> SuiteResult:
    """Run every case of a suite (against `tenant`, or the suite's own)."""
    if simulator is None:
        simulator = Simulator(tenant if tenant is not None else suite_tenant(suite))
    results = tuple(run_case(case, simulator, suite.file) for case in suite.cases)
    return SuiteResult(suite, simulator.tenant, results)


@dataclass(frozen=True, slots=True)
class RuleUse:
    """One rule of one plan, and how many case results it decided."""

    dial_plan: str
    scope: Scope
    priority: int
    rule: str
    uses: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "dial_plan": self.dial_plan,
            "scope": str(self.scope),
            "priority": self.priority,
            "rule": self.rule,
            "uses": self.uses,
        }


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which rules of a tenant's plans (and the service plans the cases used) cases exercised."""

    tenant: str
    source: str | None
    rules: tuple[RuleUse, ...]

    @property
    def unexercised(self) -> tuple[RuleUse, ...]:
        return tuple(use for use in self.rules if not use.uses)

    def describe(self) -> list[str]:
        """A summary line, then one line per plan with rules no case exercised."""
        tenant_rules = [use for use in self.rules if use.scope is not Scope.SERVICE]
        service_rules = [use for use in self.rules if use.scope is Scope.SERVICE]
        counts = [
            f"{sum(1 for u in tenant_rules if u.uses)} of {len(tenant_rules)} tenant rules",
            f"{sum(1 for u in service_rules if u.uses)} of {len(service_rules)} service rules",
        ]
        where = f" ({self.source})" if self.source else ""
        lines = [f"Rule coverage, tenant {self.tenant or '(unnamed)'}{where}: {', '.join(counts)} exercised"]
        by_plan: dict[tuple[str, Scope], list[RuleUse]] = {}
        for use in self.unexercised:
            by_plan.setdefault((use.dial_plan, use.scope), []).append(use)
        for (plan, scope), uses in by_plan.items():
            names = ", ".join(f"{use.rule} (rules[{use.priority}])" for use in uses)
            kind = "service plan" if scope is Scope.SERVICE else "tenant plan"
            lines.append(f"  not exercised in {kind} {plan}: {names}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "source": self.source,
            "rules": [use.to_dict() for use in self.rules],
            "unexercised": [use.to_dict() for use in self.unexercised],
        }


def rule_coverage(simulator: Simulator, results: Iterable[CaseResult]) -> Coverage:
    """Every rule of the tenant's plans and of the service plans the results used, with its uses.

    A rule is exercised when it is the winner of a result's first pass or of
    the service's second pass.
    """
    # A tenant plan may share its identity with a service plan ("FR"): the scope tells them apart.
    counts: dict[tuple[bool, str, int], int] = {}
    regions: list[str] = []
    for case in results:
        plan = case.result.effective_dial_plan
        if plan.region not in regions:
            regions.append(plan.region)
        for winner in (case.result.matching_rule, case.result.final_rule):
            if winner is not None:
                key = (winner.scope is Scope.SERVICE, winner.dial_plan, winner.priority)
                counts[key] = counts.get(key, 0) + 1
    plans: list[DialPlan] = list(simulator.tenant.dial_plans)
    plans += [simulator.catalog.service_plan(region) for region in regions]
    uses = tuple(
        RuleUse(
            plan.identity,
            plan.scope,
            priority,
            rule.name,
            counts.get((plan.scope is Scope.SERVICE, plan.identity, priority), 0),
        )
        for plan in plans
        for priority, rule in enumerate(plan.rules)
    )
    return Coverage(simulator.tenant.name, simulator.tenant.source, uses)


def record_suite(
    simulator: Simulator,
    dial_strings: Sequence[str],
    *,
    user: str | None = None,
    usage_location: str | None = None,
    dial_plan: str | None = None,
    name: str | None = None,
    tenant: Path | None = None,
) -> Suite:
    """A suite freezing today's behaviour: every expectation key of every dial string."""
    if not dial_strings:
        raise SuiteError("nothing to record: give at least one dial string", field="dialed_number")
    cases: list[Case] = []
    for index, dialed in enumerate(dial_strings):
        result = simulator.normalize(
            dialed, user=user, usage_location=usage_location, dial_plan=dial_plan
        )
        expect = tuple((key, actual_value(key, result)) for key in ExpectKey)
        cases.append(
            Case(
                index=index,
                dialed_number=dialed,
                expect=expect,
                user=user,
                usage_location=usage_location.upper() if usage_location else None,
                dial_plan=dial_plan,
            )
        )
    who = user or " ".join(part for part in (usage_location, dial_plan) if part)
    return Suite(
        name=name or f"Recorded behaviour of {simulator.tenant.name or 'tenant'} for {who}",
        cases=tuple(cases),
        tenant=tenant,
    )


def toml_string(text: str) -> str:
    """A TOML basic string (quotes, backslashes and control characters escaped)."""
    escaped: list[str] = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def suite_to_toml(suite: Suite, *, tenant: str | None = None, header: str = "") -> str:
    """The suite as a suite file; `tenant` is the path written to `[suite] tenant`."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if lines:
        lines.append("")
    lines += ["[suite]", f"name = {toml_string(suite.name)}"]
    if suite.description:
        lines.append(f"description = {toml_string(suite.description)}")
    if tenant is not None:
        lines.append(f"tenant = {toml_string(tenant)}")
    for case in suite.cases:
        lines += ["", "[[cases]]"]
        if case.name:
            lines.append(f"name = {toml_string(case.name)}")
        lines.append(f"dialed_number = {toml_string(case.dialed_number)}")
        for key in ("user", "usage_location", "dial_plan", "description"):
            value = getattr(case, key)
            if value:
                lines.append(f"{key} = {toml_string(value)}")
        if case.tenant_scope_only:
            lines.append("tenant_scope_only = true")
        for expect_key, expected in case.expect:
            lines.append(f"expect.{expect_key} = {toml_string(expected)}")
    return "\n".join(lines) + "\n"
