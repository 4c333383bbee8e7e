"""Normalizing one dial string with an effective plan: both views of one call.

The test-cmdlet view (`Test-CsEffectiveTenantDialPlan`): visual separators are
removed, rules are tried in order, the first match wins, its translation is
applied once; `translated_number` is None when nothing matched.

The service view (`final_number`, documented on learn.microsoft.com
microsoftteams/what-are-dial-plans): an emergency number is dialled as it is;
when no rule matches the service prepends `+` and the usage location's calling
code; when the winning rule's output does not start with `+`, the service
normalizes that output once more (tenant rules, then service rules). A dial
string that already starts with `+` and matches no rule is dialled as it is
(our reading: it is already E.164).

>>> from normalizer.formats import load_tenant
>>> from normalizer.effective import effective_dial_plan
>>> plan = effective_dial_plan(load_tenant(), user="marcel.beauchamp@contoso.com")
>>> result = normalize("7123", plan)
>>> result.translated_number, result.matching_rule.rule.name, str(result.call_type)
('+33199997123', 'FR-39qdPR-Internal', 'extension')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from normalizer import countries
from normalizer.classify import CallType, Classification, Fields, classify, classify_fields
from normalizer.dotnet.matcher import RuleMatcher, check_deadline, compile_rules
from normalizer.emergency import EmergencyNumbers, default_emergency_numbers
from normalizer.errors import DialplanError, DialplanInputError
from normalizer.models import EffectiveDialPlan, EffectiveRule, Scope

MAX_TRANSLATED_LENGTH = 1024
"""The longest translated number a rule may give (a setting of the simulator and the service).

A number is short; a translation such as `$0` repeated 2,000 times multiplies its
input, and the service's second pass applies it again to its own output (32 GB
from an 8,192-digit dial string). A longer output is an error naming the plan,
rule and field, raised before the text is built.
"""

SEPARATORS = " -.()"
"""Visual separators people type or paste: removed before any rule runs."""


DIALABLE = "0-9 A-Z a-z + * # ; = and the separators"
"""What a dial string may hold: digits, `+`, `*`, `#`; ASCII letters (vanity numbers such
as 1-800-FLOWERS, the `x`/`ext` of an extension); `;` and `=` of `;ext=`; the separators."""
_NOT_DIALABLE = re.compile(r"[^0-9A-Za-z+*#;= \-.()]")


def check_dialable(dialed_number: str) -> None:
    """Refuse a dial string holding a character no phone sends (NUL, an emoji, a full-width digit).

    >>> check_dialable("+1 (425) 555-0100;ext=12")
    >>> check_dialable("7123\N{TELEPHONE RECEIVER}")
    Traceback (most recent call last):
    ...
    normalizer.errors.DialplanInputError: field 'dialed_number': character '\N{TELEPHONE RECEIVER}' (U+1F4DE) at position 4 cannot be dialled (a dial string holds 0-9 A-Z a-z + * # ; = and the separators ' -.()')
    """
    found = _NOT_DIALABLE.search(dialed_number)
    if found is not None:
        char = found.group()
        raise DialplanInputError(
            f"character {char!r} (U+{ord(char):04X}) at position {found.start()} cannot be dialled "
            f"(a dial string holds {DIALABLE} {SEPARATORS!r})",
            field="dialed_number",
        )


def has_vanity_letters(cleaned: str) -> bool:
    """True when letters stand for digits (1-800-FLOWERS), beyond an extension's `x`/`ext`.

    >>> has_vanity_letters("18003569377"), has_vanity_letters("1800FLOWERS"), has_vanity_letters("+14255550100;ext=12")
    (False, True, False)
    >>> has_vanity_letters("+19115550100;ext="), has_vanity_letters("1800EXT")
    (False, True)
    """
    if cleaned.isdigit() or not any(char.isalpha() for char in cleaned):
        return False
    return any(char.isalpha() for char in _EXTENSION.sub("", cleaned))


# The extension syntax's letters: with its digits, or after `;` without them (`;ext=`
# typed, the number to come); a bare `EXT` at the end may be a vanity word.
_EXTENSION = re.compile(r"(;?(ext|extn|x)=?\d+|;(ext|extn|x)=?)$", re.IGNORECASE)


def clean(dialed_number: str) -> str:
    """The dial string without visual separators (spaces, `-`, `.`, `(`, `)`).

    >>> clean("+33 (0)1 45.67-89-00")
    '+330145678900'
    """
    # One `replace` per separator (each of SEPARATORS): several times faster than
    # `str.translate` with a deletion table, which bulk jobs paid once per distinct pair.
    return (
        dialed_number.replace(" ", "")
        .replace("-", "")
        .replace(".", "")
        .replace("(", "")
        .replace(")", "")
    )


class Outcome(NamedTuple):
    """A dial string's fate under one plan, without the record `normalize` builds."""

    full: tuple[int, str] | None
    """The first matching rule over the whole plan (its index) and its translation."""
    final: str
    """The number the service dials."""
    final_rule: int | None
    """The rule of the second pass, when the translation lacked `+` and one matched."""
    second_pass: bool
    """True when the translation lacked `+` and the plan ran again on it."""
    is_emergency: bool
    classification: Classification


@dataclass(frozen=True, slots=True)
class RuleTrace:
    """One rule tried on one string: matched or not, groups, output."""

    rule: EffectiveRule
    matched: bool
    groups: dict[str, str | None]
    output: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.rule.name,
            "dial_plan": self.rule.dial_plan,
            "scope": str(self.rule.scope),
            "priority": self.rule.priority,
            "matched": self.matched,
            "groups": self.groups,
            "output": self.output,
        }


@dataclass(frozen=True, slots=True)
class PassTrace:
    """One normalization pass: its input, every rule tried, the winner."""

    input: str
    tried: tuple[RuleTrace, ...]
    """Every rule in order up to and including the winner."""
    would_match: tuple[RuleTrace, ...]
    """Every rule of the plan whose pattern matches the input."""
    winner: EffectiveRule | None
    output: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "tried": [entry.to_dict() for entry in self.tried],
            "would_match": [entry.to_dict() for entry in self.would_match],
            "matching_rule": self.winner.rule.name if self.winner else None,
            "output": self.output,
        }


@dataclass(frozen=True, slots=True)
class NormalizationResult:
    """What one dial string becomes for one effective plan, in both views."""

    dialed_number: str
    cleaned_number: str
    translated_number: str | None
    matching_rule: EffectiveRule | None
    effective_dial_plan: EffectiveDialPlan
    final_number: str
    final_rule: EffectiveRule | None
    """The rule of the service's second pass, when there was one and it matched."""
    classification: Classification
    is_emergency: bool
    trace: tuple[PassTrace, ...] | None = None

    @property
    def has_vanity_letters(self) -> bool:
        """True when the dial string holds letters that stand for digits (1-800-FLOWERS)."""
        return has_vanity_letters(self.cleaned_number)

    @property
    def call_type(self) -> CallType:
        return self.classification.call_type

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `dialplan normalize --json` and the API."""
        data: dict[str, Any] = {
            "dialed_number": self.dialed_number,
            "cleaned_number": self.cleaned_number,
            "translated_number": self.translated_number,
            "matching_rule": self.matching_rule.to_dict() if self.matching_rule else None,
            "effective_dial_plan": self.effective_dial_plan.name,
            "usage_location": self.effective_dial_plan.region,
            "final_number": self.final_number,
            "final_rule": self.final_rule.to_dict() if self.final_rule else None,
            "call_type": str(self.classification.call_type),
            "destination_region": self.classification.destination_region,
            "number_type": self.classification.number_type,
            "is_valid_number": self.classification.is_valid_number,
            "has_vanity_letters": self.has_vanity_letters,
            "is_emergency": self.is_emergency,
        }
        if self.trace is not None:
            data["trace"] = [entry.to_dict() for entry in self.trace]
        return data


class PlanNormalizer:
    """An effective plan compiled once, normalizing dial strings."""

    def __init__(
        self,
        plan: EffectiveDialPlan,
        emergency_numbers: EmergencyNumbers | None = None,
        *,
        max_translated_length: int = MAX_TRANSLATED_LENGTH,
        shared: bool = True,
    ) -> None:
        """`shared=False`: the compiled rules are this normalizer's own, never in the
        module's cache (a posted tenant's plan must not outlive its request)."""
        self.plan = plan
        self.max_translated_length = max_translated_length
        self.emergency_numbers = emergency_numbers or default_emergency_numbers()
        try:
            rules = tuple(rule.rule for rule in plan.rules)
            self.matcher: RuleMatcher = compile_rules(rules) if shared else RuleMatcher(rules)
        except DialplanError as exc:
            plan_of = {rule.rule.name: rule.dial_plan for rule in plan.rules}
            raise exc.located(plan=plan_of.get(exc.rule or "")) from None
        self.tenant_rule_count = sum(1 for rule in plan.rules if rule.scope is not Scope.SERVICE)
        self.calling_code = countries.calling_code(plan.region)
        # What the bulk path reads per dial string, looked up once per plan.
        self._region = plan.region.upper()
        self._plus_calling_code = f"+{self.calling_code}"
        self._is_emergency = self.emergency_numbers.checker(plan.region)
        self._is_extension = tuple(rule.rule.is_internal_extension for rule in plan.rules)
        self.rule_fields = tuple((rule.rule.name, rule.scope.value, rule.dial_plan) for rule in plan.rules)
        """Per rule, its name, scope and dial plan as plain text."""

    def _trace(
        self,
        text: str,
        winner: int | None,
        output: str | None,
        limit: int,
        timeout: float | None = None,
        deadline: float | None = None,
    ) -> PassTrace:
        tried: list[RuleTrace] = []
        matching: list[RuleTrace] = []
        for index, compiled in enumerate(self.matcher.rules[:limit]):
            if deadline is not None:
                check_deadline(deadline)
            found = compiled.search(text, timeout)
            entry = RuleTrace(
                rule=self.plan.rules[index],
                matched=found is not None,
                groups=compiled.groups(found) if found is not None else {},
                output=(
                    compiled.translate(text, first=found, timeout=timeout, limit=self.max_translated_length)
                    if found is not None
                    else None
                ),
            )
            if winner is None or index <= winner:
                tried.append(entry)
            if found is not None:
                matching.append(entry)
        return PassTrace(
            input=text,
            tried=tuple(tried),
            would_match=tuple(matching),
            winner=self.plan.rules[winner] if winner is not None else None,
            output=output,
        )

    def normalize(
        self,
        dialed_number: str,
        *,
        trace: bool = False,
        tenant_scope_only: bool = False,
        timeout: float | None = None,
        deadline: float | None = None,
    ) -> NormalizationResult:
        """Normalize one dial string: translated (test view) and final (service view).

        `timeout`: the work budget of each pattern on each string, in seconds of
        `budget.STEPS_PER_SECOND` steps (a pattern no engine is proven to run
        within it is a `RegexTimeoutError`); `deadline`: a `time.monotonic()`
        instant that every pass checks.
        """
        if not isinstance(dialed_number, str):
            raise DialplanInputError(
                f"dialed number must be text, not {type(dialed_number).__name__}",
                field="dialed_number",
            )
        cleaned = clean(dialed_number)
        limit = self.tenant_rule_count if tenant_scope_only else len(self.plan.rules)
        outcome = self.outcome(cleaned, timeout, deadline)
        full = outcome.full
        # Tenant rules come first, so the first tenant match is the full winner
        # when that winner is a tenant rule.
        first = full if full is None or full[0] < limit else None
        translated = first[1] if first else None
        winner = self.plan.rules[first[0]] if first else None
        passes = (
            [self._trace(cleaned, first[0] if first else None, translated, limit, timeout, deadline)]
            if trace
            else []
        )
        if trace and full is not None and outcome.second_pass:
            second = outcome.final_rule
            passes.append(
                self._trace(
                    full[1],
                    second,
                    outcome.final if second is not None else None,
                    len(self.plan.rules),
                    timeout,
                    deadline,
                )
            )
        return NormalizationResult(
            dialed_number=dialed_number,
            cleaned_number=cleaned,
            translated_number=translated,
            matching_rule=winner,
            effective_dial_plan=self.plan,
            final_number=outcome.final,
            final_rule=self.plan.rules[outcome.final_rule] if outcome.final_rule is not None else None,
            classification=outcome.classification,
            is_emergency=outcome.is_emergency,
            trace=tuple(passes) if trace else None,
        )

    def outcome(self, cleaned: str, timeout: float | None = None, deadline: float | None = None) -> Outcome:
        """What the service does with a cleaned dial string: `normalize` without its record."""
        full, final, final_rule, is_emergency = self._dial(cleaned, timeout, deadline)
        classification = classify(
            final,
            self.plan.region,
            is_emergency=is_emergency,
            is_extension=full is not None and self._is_extension[full[0]],
        )
        second_pass = not is_emergency and full is not None and not full[1].startswith("+")
        return Outcome(full, final, final_rule, second_pass, is_emergency, classification)

    def fields(self, cleaned: str, timeout: float | None = None) -> tuple[tuple[int, str] | None, str, Fields]:
        """`outcome` as plain values: the first match, the final number and its classification.

        The lean form bulk jobs call once per distinct dial string (no objects, no enums).
        """
        full, final, _, is_emergency = self._dial(cleaned, timeout)
        is_extension = full is not None and self._is_extension[full[0]]
        return full, final, classify_fields(final, self._region, is_emergency, is_extension)

    def _dial(
        self, cleaned: str, timeout: float | None, deadline: float | None = None
    ) -> tuple[tuple[int, str] | None, str, int | None, bool]:
        """The first match, the number the service dials, the second pass's rule, and whether it is an emergency."""
        # One body for both passes (no helper per pass: bulk jobs call this once per
        # distinct pair). The deadline is checked between passes and between the rules
        # of a pass; it never shortens the patterns' budget, which is work, so that the
        # answer does not depend on the load.
        match = self.matcher.match
        limit = self.max_translated_length
        try:
            if deadline is not None:
                check_deadline(deadline)
            full = match(cleaned, timeout, limit, deadline)
            if self._is_emergency(cleaned):
                return full, cleaned, None, True
            if full is None:
                # What the service dials when no rule matches: `+CC` prepended.
                unmatched = cleaned if cleaned[:1] == "+" else self._plus_calling_code + cleaned
                return full, unmatched, None, False
            translated = full[1]
            if translated[:1] == "+":
                return full, translated, None, False
            if deadline is not None:
                check_deadline(deadline)
            second = match(translated, timeout, limit, deadline)
        except DialplanError as exc:
            if exc.rule is None or exc.plan is not None:
                raise
            plan_of = {rule.rule.name: rule.dial_plan for rule in reversed(self.plan.rules)}
            raise exc.located(plan=plan_of.get(exc.rule)) from None
        if second is None:
            return full, self._plus_calling_code + translated, None, False
        return full, second[1], second[0], False


@lru_cache(maxsize=1024)
def plan_normalizer(plan: EffectiveDialPlan) -> PlanNormalizer:
    """The compiled normalizer of an effective plan, built once per plan."""
    return PlanNormalizer(plan)


def normalize(
    dialed_number: str,
    plan: EffectiveDialPlan,
    *,
    trace: bool = False,
    tenant_scope_only: bool = False,
    timeout: float | None = None,
) -> NormalizationResult:
    """Normalize one dial string with an effective plan (compiled and cached)."""
    return plan_normalizer(plan).normalize(
        dialed_number, trace=trace, tenant_scope_only=tenant_scope_only, timeout=timeout
    )
