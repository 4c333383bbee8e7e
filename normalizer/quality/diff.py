"""Behavioural diffs between two versions of a tenant: which dial strings change, and why.

Both versions run the same dial strings (a corpus, the suites' dial strings and
witness strings of every rule of both versions, see `normalizer.dotnet.witness`) for
every user and for every tenant plan in its own country (`plan_regions`). Every string whose
translated number, final number, matching rule or call type changes is
reported under the rule change that causes it:

- `removed`, `added`, `edited` (pattern, translation, internal-extension flag or
  description) and `reordered` (moved relative to the rules both versions
  share) rules of each tenant plan, found by rule name;
- `reassigned`: a user whose usage location or dial plan changed.

Which change caused a string's change follows first-match semantics. When the
winning rule is the same rule, it was edited (or the service's second pass
changed, judged the same way). When the old winner lost, either it was removed
or edited so that it no longer matches; otherwise it still matches, so the new
winner now comes before it: added, edited to match, or reordered above it.

>>> from normalizer import load_tenant, tenant_from_document, tenant_to_document
>>> old = load_tenant()
>>> document = tenant_to_document(old)
>>> del document["dial_plans"][0]["rules"][2]
>>> report = diff_tenants(old, tenant_from_document(document, "new.toml"), ["3949"], witnesses=False)
>>> for change in report.changes:
...     print(change.cause.kind, change.cause.rule, change.target.label, change.new.final_number)
removed FR-Service marcel.beauchamp@contoso.com (+2 more) +333949
>>> diff_tenants(old, old, ["7123"], locations=["XX"])
Traceback (most recent call last):
...
normalizer.errors.UnknownRegionError: field 'usage_location': unknown region 'XX': not an ISO 3166 region that phonenumbers knows
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from normalizer.catalog import ServiceCatalog
from normalizer.countries import is_region, region_of_calling_code
from normalizer.dotnet.matcher import compile_rules
from normalizer.dotnet.witness import witnesses as pattern_witnesses
from normalizer.effective import tenant_plan_for
from normalizer.engine import NormalizationResult, clean
from normalizer.errors import DialplanError
from normalizer.models import (
    GLOBAL_IDENTITY,
    DialPlan,
    EffectiveDialPlan,
    EffectiveRule,
    NormalizationRule,
    Tenant,
)
from normalizer.simulation import Simulator


class ChangeKind(StrEnum):
    """What changed between two versions of a tenant."""

    ADDED = "added"
    REMOVED = "removed"
    REORDERED = "reordered"
    EDITED = "edited"
    REASSIGNED = "reassigned"
    UNEXPLAINED = "unexplained"


_EDITABLE = ("pattern", "translation", "is_internal_extension", "description")
_COMPARED = ("translated_number", "final_number", "matching_rule", "call_type")


@dataclass(frozen=True, slots=True)
class RuleChange:
    """One change of one rule of one tenant plan (or one reassignment of users)."""

    kind: ChangeKind
    dial_plan: str | None
    rule: str | None = None
    old_priority: int | None = None
    new_priority: int | None = None
    old: NormalizationRule | None = None
    new: NormalizationRule | None = None
    fields: tuple[str, ...] = ()
    """For `edited`: the fields that differ."""
    detail: str = ""

    def describe(self) -> str:
        """One line: the kind, plan, rule and what changed."""
        if self.kind in (ChangeKind.REASSIGNED, ChangeKind.UNEXPLAINED):
            return f"{self.kind}: {self.detail}"
        where = f"{self.kind} rule {self.rule!r} of plan {self.dial_plan}"
        if self.kind is ChangeKind.ADDED:
            return f"{where} (rules[{self.new_priority}])"
        if self.kind is ChangeKind.REMOVED:
            return f"{where} (was rules[{self.old_priority}])"
        if self.kind is ChangeKind.REORDERED:
            return f"{where}: rules[{self.old_priority}] -> rules[{self.new_priority}]"
        if self.old is None or self.new is None:
            return where
        edits = ", ".join(
            f"{name} {getattr(self.old, name)!r} -> {getattr(self.new, name)!r}" for name in self.fields
        )
        return f"{where} (rules[{self.new_priority}]): {edits}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "dial_plan": self.dial_plan,
            "rule": self.rule,
            "old_priority": self.old_priority,
            "new_priority": self.new_priority,
            "fields": list(self.fields),
            "old": _rule_dict(self.old),
            "new": _rule_dict(self.new),
            "detail": self.detail,
            "description": self.describe(),
        }


def _rule_dict(rule: NormalizationRule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {name: getattr(rule, name) for name in ("name", *_EDITABLE)}


@dataclass(frozen=True, slots=True)
class Target:
    """Who dials: users sharing one effective plan in each version, or a region and a plan."""

    old_region: str
    old_plan: str | None
    new_region: str
    new_plan: str | None
    users: tuple[str, ...] = ()

    @property
    def reassigned(self) -> bool:
        return (self.old_region, _plan_key(self.old_plan)) != (self.new_region, _plan_key(self.new_plan))

    @property
    def label(self) -> str:
        if self.users:
            more = f" (+{len(self.users) - 1} more)" if len(self.users) > 1 else ""
            return self.users[0] + more
        plan = f"plan {self.new_plan}" if self.new_plan else "no assigned plan"
        return f"usage location {self.new_region}, {plan}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "users": list(self.users),
            "old": {"usage_location": self.old_region, "dial_plan": self.old_plan},
            "new": {"usage_location": self.new_region, "dial_plan": self.new_plan},
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """The four compared parts of one result."""

    translated_number: str | None
    final_number: str
    matching_rule: str | None
    matching_plan: str | None
    call_type: str

    @classmethod
    def of(cls, result: NormalizationResult) -> Outcome:
        winner = result.matching_rule
        return cls(
            translated_number=result.translated_number,
            final_number=result.final_number,
            matching_rule=winner.rule.name if winner else None,
            matching_plan=winner.dial_plan if winner else None,
            call_type=str(result.call_type),
        )

    def value(self, name: str) -> Any:
        if name == "matching_rule":
            return (self.matching_plan, self.matching_rule)
        return getattr(self, name)

    def shown(self, name: str) -> str:
        if name == "matching_rule":
            return self.matching_rule or "no rule"
        value = getattr(self, name)
        return "none" if value is None else str(value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "translated_number": self.translated_number,
            "final_number": self.final_number,
            "matching_rule": self.matching_rule,
            "matching_plan": self.matching_plan,
            "call_type": self.call_type,
        }


@dataclass(frozen=True, slots=True)
class StringChange:
    """One dial string, for one target, whose result changed; and its cause."""

    dialed_number: str
    target: Target
    old: Outcome
    new: Outcome
    fields: tuple[str, ...]
    cause: RuleChange

    def describe(self) -> str:
        parts = [f"{name} {self.old.shown(name)} -> {self.new.shown(name)}" for name in self.fields]
        return f"{self.dialed_number} for {self.target.label}: {'; '.join(parts)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "dialed_number": self.dialed_number,
            "target": self.target.to_dict(),
            "changed": list(self.fields),
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class TenantDiff:
    """Every rule change between two tenant versions, and every result it changed."""

    old_source: str | None
    new_source: str | None
    rule_changes: tuple[RuleChange, ...]
    changes: tuple[StringChange, ...]
    dial_strings: tuple[str, ...]
    targets: tuple[Target, ...]
    notes: tuple[str, ...] = ()

    def grouped(self) -> list[tuple[RuleChange, list[StringChange]]]:
        """Each cause with the results it changed; every rule change, even one that changed none."""
        groups: dict[RuleChange, list[StringChange]] = {change: [] for change in self.rule_changes}
        for change in self.changes:
            groups.setdefault(change.cause, []).append(change)
        return list(groups.items())

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old_source,
            "new": self.new_source,
            "dial_strings": len(self.dial_strings),
            "targets": [target.to_dict() for target in self.targets],
            "changed_results": len(self.changes),
            "changes": [
                {**cause.to_dict(), "strings": [change.to_dict() for change in strings]}
                for cause, strings in self.grouped()
            ],
            "notes": list(self.notes),
        }


def _keyed(rules: Sequence[NormalizationRule]) -> dict[str, tuple[int, NormalizationRule]]:
    """Rules by name with their priority (the first of a repeated name)."""
    keyed: dict[str, tuple[int, NormalizationRule]] = {}
    for priority, rule in enumerate(rules):
        keyed.setdefault(rule.name, (priority, rule))
    return keyed


def _longest_common_order(old: list[str], new: list[str]) -> set[str]:
    """The names of a longest subsequence common to both orders (kept in place).

    Of two rules that swapped places, the one that moved up is the one reported.
    """
    lengths = [[0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for i in range(len(old) - 1, -1, -1):
        for j in range(len(new) - 1, -1, -1):
            if old[i] == new[j]:
                lengths[i][j] = lengths[i + 1][j + 1] + 1
            else:
                lengths[i][j] = max(lengths[i + 1][j], lengths[i][j + 1])
    kept: set[str] = set()
    i = j = 0
    while i < len(old) and j < len(new):
        if old[i] == new[j]:
            kept.add(old[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] > lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept


def rule_changes(old: Tenant, new: Tenant) -> tuple[RuleChange, ...]:
    """Every added, removed, edited and reordered rule of every tenant plan, plan by plan."""
    identities: dict[str, str] = {}
    for plan in (*old.dial_plans, *new.dial_plans):
        identities.setdefault(plan.identity.lower(), plan.identity)
    changes: list[RuleChange] = []
    for identity in identities.values():
        old_plan = tenant_plan_for(old, identity) if _has_plan(old, identity) else None
        new_plan = tenant_plan_for(new, identity) if _has_plan(new, identity) else None
        old_rules = _keyed(old_plan.rules if old_plan else ())
        new_rules = _keyed(new_plan.rules if new_plan else ())
        common_old = [name for name in old_rules if name in new_rules]
        common_new = [name for name in new_rules if name in old_rules]
        kept = _longest_common_order(common_old, common_new)
        found: list[RuleChange] = []
        for name, (priority, rule) in old_rules.items():
            if name not in new_rules:
                found.append(RuleChange(ChangeKind.REMOVED, identity, name, priority, None, rule))
        for name, (priority, rule) in new_rules.items():
            if name not in old_rules:
                found.append(RuleChange(ChangeKind.ADDED, identity, name, None, priority, None, rule))
                continue
            old_priority, old_rule = old_rules[name]
            fields = tuple(f for f in _EDITABLE if getattr(old_rule, f) != getattr(rule, f))
            if fields:
                found.append(
                    RuleChange(ChangeKind.EDITED, identity, name, old_priority, priority, old_rule, rule, fields)
                )
            if name not in kept:
                found.append(
                    RuleChange(ChangeKind.REORDERED, identity, name, old_priority, priority, old_rule, rule)
                )
        found.sort(key=lambda c: (c.new_priority if c.new_priority is not None else c.old_priority or 0))
        changes += found
    return tuple(changes)


def _has_plan(tenant: Tenant, identity: str) -> bool:
    return any(plan.identity.lower() == identity.lower() for plan in tenant.dial_plans)


def _matches(rule: NormalizationRule, text: str) -> bool:
    return compile_rules((rule,)).rules[0].search(text) is not None


class _Causes:
    """Finds the rule change behind one changed result of one target."""

    def __init__(self, changes: Sequence[RuleChange], old: EffectiveDialPlan, new: EffectiveDialPlan) -> None:
        self.by_rule: dict[tuple[str, str, ChangeKind], RuleChange] = {}
        for change in changes:
            if change.dial_plan is not None and change.rule is not None:
                self.by_rule[(change.dial_plan.lower(), change.rule, change.kind)] = change
        self.old = {_key(rule): rule.rule for rule in reversed(old.rules)}
        self.new = {_key(rule): rule.rule for rule in reversed(new.rules)}

    def get(self, rule: EffectiveRule, kind: ChangeKind) -> RuleChange | None:
        return self.by_rule.get((*_key(rule), kind))

    def of_pass(
        self, old: EffectiveRule | None, new: EffectiveRule | None, text: str
    ) -> RuleChange | None:
        """The change that made this pass's winner go from `old` to `new` (None: no change)."""
        if old is not None and new is not None and _key(old) == _key(new):
            return self.get(old, ChangeKind.EDITED)
        if old is None and new is None:
            return None
        if old is not None:
            removed = self.get(old, ChangeKind.REMOVED)
            now = self.new.get(_key(old))
            if removed is not None or now is None:
                return removed
            if not _matches(now, text):
                return self.get(old, ChangeKind.EDITED)
        # The old winner (if any) still matches: the new winner now comes first.
        if new is None:
            return None
        added = self.get(new, ChangeKind.ADDED)
        before = self.old.get(_key(new))
        if added is not None or before is None:
            return added
        if not _matches(before, text):
            return self.get(new, ChangeKind.EDITED)
        moved = self.get(new, ChangeKind.REORDERED)
        if moved is None and old is not None:
            moved = self.get(old, ChangeKind.REORDERED)
        return moved

    def of(self, old: NormalizationResult, new: NormalizationResult) -> RuleChange | None:
        cause = self.of_pass(old.matching_rule, new.matching_rule, old.cleaned_number)
        translated = old.translated_number
        if cause is None and translated is not None and translated == new.translated_number:
            cause = self.of_pass(old.final_rule, new.final_rule, translated)
        return cause


def _key(rule: EffectiveRule) -> tuple[str, str]:
    return (rule.dial_plan.lower(), rule.rule.name)


def _plan_key(plan: str | None) -> str | None:
    """A requested plan as compared: case-insensitive, `Global` the same as none."""
    return plan.lower() if plan and plan.lower() != GLOBAL_IDENTITY.lower() else None


def plan_regions(plan: DialPlan) -> tuple[str, ...]:
    """The country a tenant plan is for: the region its identity starts with (`FR-Paris`),
    else the regions of the calling codes its translations produce (`+3319999$1`: FR)."""
    head = re.match(r"([A-Za-z]{2})(?:[-_. ]|$)", plan.identity)
    if head and is_region(head.group(1)):
        return (head.group(1).upper(),)
    found: list[str] = []
    for rule in plan.rules:
        digits = re.match(r"\+(\d+)", rule.translation)
        region = region_of_calling_code(digits.group(1)) if digits else None
        if region is not None and region not in found:
            found.append(region)
    return tuple(found)


def _targets(old: Tenant, new: Tenant, locations: Iterable[str], *, all_targets: bool) -> list[Target]:
    """Users grouped by their (region, plan) in each version; then each tenant plan in its own
    country (`plan_regions`) and every plan in each of `locations`; with `all_targets`, every
    plan in every region in use."""
    new_users = {user.upn.lower(): user for user in new.users}
    grouped: dict[tuple[str, str | None, str, str | None], Target] = {}
    for user in old.users:
        other = new_users.get(user.upn.lower())
        if other is None or not user.usage_location or not other.usage_location:
            continue  # a user without a usage location has no effective plan to compare
        key = (user.usage_location, _plan_key(user.dial_plan), other.usage_location, _plan_key(other.dial_plan))
        found = grouped.get(key)
        users = (*found.users, user.upn) if found else (user.upn,)
        grouped[key] = Target(user.usage_location, user.dial_plan, other.usage_location, other.dial_plan, users)
    targets = list(grouped.values())
    kept = [p for p in old.dial_plans if _has_plan(new, p.identity) and _plan_key(p.identity)]
    plans: list[str | None] = [None, *(p.identity for p in kept)]
    regions = [location.upper() for location in locations]
    if all_targets:
        regions = [u.usage_location.upper() for u in (*old.users, *new.users) if u.usage_location] + regions
    pairs = [(region, plan) for region in dict.fromkeys(regions) for plan in plans]
    for plan_model in kept:
        pairs += [(region, plan_model.identity) for region in plan_regions(plan_model)]
    covered = {(t.old_region.upper(), _plan_key(t.old_plan)) for t in targets if not t.reassigned}
    for region, plan in pairs:
        if (region, _plan_key(plan)) not in covered:
            covered.add((region, _plan_key(plan)))
            targets.append(Target(region, plan, region, plan))
    return targets


def witness_strings(*tenants: Tenant) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Witness strings of every rule of every tenant plan, and notes on rules without any."""
    found: list[str] = []
    notes: list[str] = []
    for tenant in tenants:
        for plan in tenant.dial_plans:
            for priority, rule in enumerate(plan.rules):
                try:
                    found += pattern_witnesses(rule.pattern)
                except DialplanError as exc:
                    note = f"no witnesses for rule {rule.name!r} (rules[{priority}]) of plan {plan.identity}: {exc.detail}"
                    if note not in notes:
                        notes.append(note)
    return tuple(dict.fromkeys(found)), tuple(notes)


def diff_tenants(
    old: Tenant,
    new: Tenant,
    dial_strings: Iterable[str] = (),
    *,
    witnesses: bool = True,
    locations: Iterable[str] = (),
    all_targets: bool = False,
    catalog: ServiceCatalog | None = None,
) -> TenantDiff:
    """Run the same dial strings on both versions; report changed results under their causes.

    They run for the (usage location, plan) pairs of the users and for each tenant
    plan in its own country; `locations` adds every plan in those usage locations,
    and `all_targets` every plan in every usage location in use.
    """
    strings = list(dict.fromkeys(dial_strings))
    notes: list[str] = []
    if witnesses:
        generated, witness_notes = witness_strings(old, new)
        strings = list(dict.fromkeys([*strings, *generated]))
        notes += witness_notes
    # Nothing is left to dial once separators are removed: not a call (normalize refuses it too).
    strings = [dialed for dialed in strings if clean(dialed)]
    changes = rule_changes(old, new)
    old_sim = Simulator(old, catalog=catalog)
    new_sim = Simulator(new, catalog=catalog)
    targets = _targets(old, new, locations, all_targets=all_targets)
    if not targets:
        notes.append("no users and no usage locations: nothing to run (give a usage location)")
    found: list[StringChange] = []
    reassignments: list[RuleChange] = []
    for target in targets:
        before = old_sim.effective(usage_location=target.old_region, dial_plan=target.old_plan)
        after = new_sim.effective(usage_location=target.new_region, dial_plan=target.new_plan)
        reassigned: RuleChange | None = None
        if target.reassigned:
            moves = []
            if target.old_region != target.new_region:
                moves.append(f"usage location {target.old_region} -> {target.new_region}")
            if before.name != after.name:
                moves.append(f"dial plan {before.name} -> {after.name}")
            reassigned = RuleChange(
                ChangeKind.REASSIGNED,
                after.tenant_plan.identity if after.tenant_plan else None,
                detail=f"{', '.join(target.users)}: {', '.join(moves)}",
            )
            reassignments.append(reassigned)
        causes = _Causes(changes, before, after)
        old_normalizer, new_normalizer = old_sim.normalizer(before), new_sim.normalizer(after)
        for dialed in strings:
            try:
                old_result = old_normalizer.normalize(dialed)
                new_result = new_normalizer.normalize(dialed)
            except DialplanError as exc:
                # An output past the translated-length limit: said, not compared.
                note = f"{dialed!r} not compared in {before.name}: {exc.message}"
                if note not in notes:
                    notes.append(note)
                continue
            old_outcome, new_outcome = Outcome.of(old_result), Outcome.of(new_result)
            fields = tuple(f for f in _COMPARED if old_outcome.value(f) != new_outcome.value(f))
            if not fields:
                continue
            cause = reassigned or causes.of(old_result, new_result)
            if cause is None:
                cause = RuleChange(
                    ChangeKind.UNEXPLAINED, None, detail="no single rule change explains these results"
                )
            found.append(StringChange(dialed, target, old_outcome, new_outcome, fields, cause))
    return TenantDiff(
        old_source=old.source,
        new_source=new.source,
        rule_changes=changes + tuple(reassignments),
        changes=tuple(found),
        dial_strings=tuple(strings),
        targets=tuple(targets),
        notes=tuple(notes),
    )
