"""Lint: what is wrong or risky in a tenant's dial plans, as findings with stable codes.

Errors are the violations that make loading reject a tenant (`normalizer.validation`,
same messages). Warnings look at each tenant plan in its effective order
(tenant rules first, then the service plan of each region where a user of the
plan is, learn.microsoft.com microsoftteams/what-are-dial-plans):

- `duplicate`: a rule with the same pattern as an earlier one (it never fires);
- `shadowed`: a rule that never fires because earlier rules, together, match
  every dial string it matches; also a service rule that the tenant rules leave
  nothing to; `never-matches`: a pattern no dial string can match;
- `partial-overlap`: an earlier rule takes some of a rule's dial strings; and a
  tenant rule that takes some dial strings of a later service rule and gives
  them another output (the witness shows both outputs);
- `redundant`: a tenant rule proven to do what the next service rule would do
  for every dial string it takes (both keep the same span of the dial string
  between the same fixed prefix and suffix, and add the same text);
- `no-difference-found`: the weaker claim, when that proof does not apply: the
  next service rule gave the same output for every dial string checked (one
  per length up to 24 characters, and the shortest of each automaton state
  where the rule is first to match), which the finding counts;
- `missing-usage-location`: a user without a usage location (a script that
  never set one), whose effective plan cannot be worked out;
- `emergency-capture`: a tenant rule that rewrites an emergency number of a
  user's region;
- `unanchored`, `optional-first-token` (`^0?`: not supported on some desk
  phones), `no-plus` (an output the service normalizes again),
  `invalid-e164`, `missing-group` (.NET keeps `$n` literal);
- `not-analysable`: a pattern outside regular languages (backreferences,
  lookarounds): the checks above that need its language are skipped, not guessed;
- `analysis-time-limit`, `analysis-memory-limit`: with `time_limit`, each
  plan's warnings are worked out in a child process (`normalizer.quality.isolation`)
  stopped when the run reaches the limit, which bounds the whole analysis (or
  when the plan takes too much memory). The finding names the plan and what
  ran too long: the automaton of a rule's pattern (the plan is then checked
  again without that rule's automaton, so only that rule goes unchecked) or
  the walk with a service plan; or it says that the plan's turn never came.
  The other plans are checked as usual.

Shadowing and overlaps are decided on the patterns' regular languages (finite
automata, `normalizer.dotnet.language`), never by sampling; every witness is checked
against the real matcher. The dial strings considered are those phones and the
Teams dial pad send: ASCII text without the visual separators (our choice: the
engine takes any text, and `\\d` also matches non-ASCII digits, so `^[0-4]\\d{3}$`
and `^[5-9]\\d{3}$` shadow `^\\d{4}$` for every dial string a user can send). Output checks (`no-plus`, `invalid-e164`, `redundant`)
apply the real translation to sample strings of the rule, one per length.

>>> from normalizer.formats import load_tenant
>>> [finding.code for finding in lint(load_tenant()) if finding.severity == "error"]
[]
>>> from normalizer.models import DialPlan, NormalizationRule, Scope, Tenant, User
>>> plan = DialPlan("US-Desk", Scope.TENANT_USER, (NormalizationRule("Ext", r"^(\\d{3})$", "+1425555$1"),))
>>> tenant = Tenant("T", (plan,), (User("a@t.com", "US", "US-Desk"),))
>>> [f.witness for f in lint(tenant) if f.code == "emergency-capture"]
['112', '911', '933']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from normalizer import countries
from normalizer.catalog import ServiceCatalog, default_catalog
from normalizer.classify import e164_part
from normalizer.dotnet import language
from normalizer.dotnet.shape import pattern_shape
from normalizer.emergency import EmergencyNumbers, default_emergency_numbers
from normalizer.engine import SEPARATORS
from normalizer.models import GLOBAL_IDENTITY, DialPlan, Tenant
from normalizer.quality import isolation
from normalizer.quality.budget import isolated_warnings
from normalizer.quality.findings import Finding, FindingCode, Severity
from normalizer.quality.outputs import Member as _Member
from normalizer.quality.outputs import first_match as _first_match
from normalizer.quality.outputs import long_samples, same_output, sample_strings
from normalizer.quality.outputs import member_of as _member
from normalizer.validation import Violation, problems


@dataclass(slots=True)
class _Walk:
    """What one product walk found, by position in the effective plan."""

    # (rule, first matching rule) -> shortest witness: the first rule takes a string of the rule.
    taken_by: dict[tuple[int, int], str] = field(default_factory=dict)
    # (rule, next matching rule or None) -> witness, over strings the rule is first to match.
    next_after: dict[tuple[int, int | None], str] = field(default_factory=dict)
    # (service rule, first rule) -> witness, over strings the service rule wins among service rules.
    service_taken_by: dict[tuple[int, int], str] = field(default_factory=dict)
    # Every reached product state: the matching rules (positions, in order) and its shortest witness.
    states: list[tuple[list[int], str]] = field(default_factory=list)


class _PlanLint:
    """The warnings of one tenant plan."""

    def __init__(
        self,
        tenant: Tenant,
        plan: DialPlan,
        regions: Sequence[str],
        shared: _Shared,
        skipped: frozenset[int] = frozenset(),
    ) -> None:
        self.tenant = tenant
        self.plan = plan
        self.regions = regions
        self.shared = shared
        # Rules whose automaton is not built: building it ran past the time limit before.
        self.skipped = skipped
        self.findings: list[Finding] = []
        self.tenant_members = []
        for index, rule in enumerate(plan.rules):
            isolation.note(
                "building the automaton of its pattern", rule=rule.name, rule_index=index
            )
            self.tenant_members.append(_member(rule, False, index, index not in skipped))
        self.duplicates: set[int] = set()
        self.samples: dict[int, list[str]] = {}

    def add(self, code: FindingCode, member: _Member | None, message: str, **extra: Any) -> None:
        extra.setdefault("rule", member.rule.name if member is not None else None)
        if member is not None and not member.is_service:
            extra.setdefault("rule_index", member.index)
        self.findings.append(
            Finding(
                Severity.WARNING,
                code,
                self.plan.identity,
                message=message,
                file=self.tenant.source,
                **extra,
            )
        )

    def run(self) -> list[Finding]:
        for member in self.tenant_members:
            self.check_rule(member)
        contexts: Sequence[str | None] = self.regions or [None]
        for position, region in enumerate(contexts):
            self.check_effective(region, tenant_facts=position == 0)
            if region is not None:
                isolation.note(f"checking the emergency numbers of {region}")
                self.check_emergency(region)
        return self.findings

    # -- one rule on its own -------------------------------------------------

    def check_rule(self, member: _Member) -> None:
        rule = member.rule
        isolation.note(
            "checking its outputs and anchors", rule=rule.name, rule_index=member.index
        )
        for earlier in self.tenant_members[: member.index]:
            if earlier.rule.pattern == rule.pattern:
                self.duplicates.add(member.index)
                self.add(
                    FindingCode.DUPLICATE,
                    member,
                    f"has the same pattern as rule {earlier.rule.name!r} (rules[{earlier.index}]), "
                    "so it never fires",
                    field="pattern",
                )
                break
        shape = pattern_shape(rule.pattern)
        if not member.language.is_analysable and member.index not in self.skipped:
            self.add(
                FindingCode.NOT_ANALYSABLE,
                member,
                f"pattern uses {member.language.reason}, outside what the analyser decides: "
                "shadowing, overlaps and redundancy are not checked for it",
                field="pattern",
            )
        samples = [
            text
            for text in (sample_strings(rule.pattern) if member.language.is_analysable else ())
            if member.compiled.search(text) is not None
        ]
        self.samples[member.index] = samples
        outputs = [(text, member.compiled.translate(text)) for text in samples]
        missing_anchor = [
            name
            for name, present in (("^", shape.is_start_anchored), ("$", shape.is_end_anchored))
            if not present
        ]
        if missing_anchor:
            witness = next(
                (
                    longer
                    for text in samples
                    for longer in (text + "9", "9" + text)
                    if member.compiled.search(longer) is not None
                ),
                None,
            )
            shown = f": {witness!r} becomes {member.compiled.translate(witness)!r}" if witness else ""
            self.add(
                FindingCode.UNANCHORED,
                member,
                f"pattern has no {' or '.join(missing_anchor)} anchor, so it also matches inside "
                f"longer dial strings and the rest of the string is kept{shown}",
                field="pattern",
                witness=witness,
            )
        if shape.has_optional_first_token:
            self.add(
                FindingCode.OPTIONAL_FIRST_TOKEN,
                member,
                "the first token after ^ is optional (like ^0?): some desk phones do not support "
                "it; write one rule with the token and one without",
                field="pattern",
            )
        if member.compiled.substitution.literal_group_references:
            references = ", ".join(member.compiled.substitution.literal_group_references)
            witness = samples[0] if samples else None
            shown = f": {witness!r} becomes {member.compiled.translate(witness)!r}" if witness else ""
            self.add(
                FindingCode.MISSING_GROUP,
                member,
                f"translation refers to {references}, which the pattern does not have; "
                f".NET keeps it as literal text{shown}",
                field="translation",
                witness=witness,
            )
        without_plus = next(((t, o) for t, o in outputs if not o.startswith("+")), None)
        if without_plus is None and not outputs and not rule.translation.startswith("+"):
            self.add(
                FindingCode.NO_PLUS,
                member,
                "translation does not start with '+': the service normalizes its output again "
                "(double normalization)",
                field="translation",
            )
        elif without_plus is not None:
            text, output = without_plus
            self.add(
                FindingCode.NO_PLUS,
                member,
                f"output does not start with '+' ({text!r} becomes {output!r}): the service "
                "normalizes it again (double normalization)",
                field="translation",
                witness=text,
            )
        e164 = [(t, o) for t, o in outputs if o.startswith("+")]
        if e164 and not any(countries.is_possible_e164(e164_part(o)) for _, o in e164):
            text, output = e164[0]
            self.add(
                FindingCode.INVALID_E164,
                member,
                f"no output is a valid E.164 number ({text!r} becomes {output!r}: not a calling "
                "code in use followed by a national number of a possible length)",
                field="translation",
                witness=text,
            )

    # -- the effective order -------------------------------------------------

    def _walk(self, members: Sequence[_Member]) -> _Walk:
        analysable = [position for position, m in enumerate(members) if m.language.is_analysable]
        reached = language.explore(
            [members[p].language for p in analysable], excluded=SEPARATORS, ascii_only=True
        )
        walk = _Walk()
        for state in reached:
            bits = [analysable[bit] for bit in range(len(analysable)) if state.matching >> bit & 1]
            walk.states.append((bits, state.witness))
            first = bits[0]
            for position in bits:
                walk.taken_by.setdefault((position, first), state.witness)
            following = bits[1] if len(bits) > 1 else None
            walk.next_after.setdefault((first, following), state.witness)
            service = [position for position in bits if members[position].is_service]
            if service:
                walk.service_taken_by.setdefault((service[0], first), state.witness)
        return walk

    def check_effective(self, region: str | None, *, tenant_facts: bool) -> None:
        members = list(self.tenant_members)
        if region is not None:
            isolation.note(f"building the automata of the {region} service plan")
            members += self.shared.service_members(region)
        try:
            with_service = f" with the {region} service plan" if region else ""
            isolation.note(f"walking the automata of the plan's rules{with_service}")
            walk = self._walk(members)
        except language.ExplorationTooLarge as exc:
            where = f" with the {region} service plan" if region else ""
            self.add(
                FindingCode.NOT_ANALYSABLE,
                None,
                f"the plan{where} is too large to analyse ({exc}): shadowing and overlaps not checked",
                region=region,
            )
            return
        differs = self.check_service_overlap(members, walk, region) if region else {}
        redundant = self.check_redundant(members, walk, region, differs)
        if tenant_facts:
            self.check_shadowing(members, walk)
        if region is not None:
            self.check_service_shadowing(members, walk, region, redundant)

    def _winner(self, members: Sequence[_Member], text: str) -> str:
        found = _first_match(members, text)
        if found is None:
            return f"{text!r} matches no rule"
        member = members[found[0]]
        return f"{text!r} goes to {_describe(member)} and becomes {found[1]!r}"

    def check_shadowing(self, members: Sequence[_Member], walk: _Walk) -> None:
        for member in self.tenant_members:
            position = member.index
            if not member.language.is_analysable or position in self.duplicates:
                continue
            takers = sorted(first for (rule, first) in walk.taken_by if rule == position)
            if position in takers:
                for first in takers:
                    if first >= position:
                        continue
                    witness = walk.taken_by[(position, first)]
                    found = _first_match(members, witness)
                    if found is None or found[0] >= position:
                        continue  # the analysis and the matcher disagree: claim nothing
                    self.add(
                        FindingCode.PARTIAL_OVERLAP,
                        member,
                        f"earlier rule {members[found[0]].rule.name!r} (rules[{found[0]}]) takes "
                        f"some of its dial strings: {self._winner(members, witness)}",
                        witness=witness,
                    )
                continue
            if not takers:
                self.add(
                    FindingCode.NEVER_MATCHES,
                    member,
                    "no dial string can match the pattern (visual separators "
                    f"{SEPARATORS.strip()!r} and spaces are removed before rules run)",
                    field="pattern",
                )
                continue
            names = [f"{members[first].rule.name!r} (rules[{first}])" for first in takers]
            witness = min((walk.taken_by[(position, first)] for first in takers), key=len)
            together = "together match" if len(names) > 1 else "matches"
            rules = "rules " + ", ".join(names) if len(names) > 1 else "rule " + names[0]
            self.add(
                FindingCode.SHADOWED,
                member,
                f"never fires: earlier {rules} {together} every dial string it matches; "
                f"e.g. {self._winner(members, witness)}",
                witness=witness,
            )

    def check_service_overlap(
        self, members: Sequence[_Member], walk: _Walk, region: str
    ) -> dict[tuple[int, int], str]:
        """Tenant rules that take dial strings of a later service rule and give another output.

        Returns (tenant rule, service rule) -> the shortest such dial string.
        """
        differs: dict[tuple[int, int], str] = {}
        candidates = [
            (first, witness)
            for bits, witness in walk.states
            if not members[(first := bits[0])].is_service
            and any(members[p].is_service for p in bits[1:])
        ]
        # Capture groups can differ where the languages do not (a loop the automaton
        # leaves in one state): longer samples of each rule are compared too.
        candidates += [
            (member.index, text)
            for member in self.tenant_members
            if member.language.is_analysable
            for text in long_samples(member.rule.pattern)
        ]
        candidates.sort(key=lambda candidate: len(candidate[1]))
        for first, witness in candidates:
            if first in self.duplicates:
                continue
            ours = _first_match(members, witness)
            theirs = _first_match(members, witness, skip=first)
            if ours is None or theirs is None or ours[0] != first:
                continue  # the analysis and the matcher disagree: claim nothing
            if not members[theirs[0]].is_service or ours[1] == theirs[1]:
                continue
            differs.setdefault((first, theirs[0]), witness)
        for (first, service), witness in differs.items():
            member, other = members[first], members[service]
            self.add(
                FindingCode.PARTIAL_OVERLAP,
                member,
                f"takes some dial strings of service rule {other.rule.name!r} of the {region} "
                f"service plan and gives another output: {witness!r} becomes "
                f"{member.compiled.translate(witness)!r} with this rule; service rule "
                f"{other.rule.name!r} would have given {other.compiled.translate(witness)!r}",
                witness=witness,
                region=region,
            )
        return differs

    def check_redundant(
        self,
        members: Sequence[_Member],
        walk: _Walk,
        region: str | None,
        differs: dict[tuple[int, int], str],
    ) -> set[int]:
        found: set[int] = set()
        if region is None:
            return found
        for member in self.tenant_members:
            position = member.index
            nexts = {following for (first, following) in walk.next_after if first == position}
            if len(nexts) != 1:
                continue
            (following,) = nexts
            if following is None or not members[following].is_service:
                continue
            if (position, following) in differs:
                continue  # a dial string with another output: reported as a partial overlap
            service = members[following]
            samples = [
                text
                for text in self.samples.get(position, [])
                if (winner := _first_match(members, text)) is not None and winner[0] == position
            ]
            samples += [
                text
                for text in long_samples(member.rule.pattern)
                if (winner := _first_match(members, text)) is not None and winner[0] == position
            ]
            states = [witness for bits, witness in walk.states if bits[0] == position]
            checked = list(dict.fromkeys([*samples, *states]))
            if not checked or any(
                _first_match(members, text, skip=position)
                != (following, member.compiled.translate(text))
                for text in checked
            ):
                continue
            found.add(position)
            text = min(checked, key=len)
            output = member.compiled.translate(text)
            same = same_output(member.rule, service.rule)
            if same is not None:
                self.add(
                    FindingCode.REDUNDANT,
                    member,
                    f"does what service rule {service.rule.name!r} of the {region} service plan "
                    f"already does for every dial string it takes: {same} (e.g. {text!r} "
                    f"becomes {output!r} either way)",
                    witness=text,
                    region=region,
                )
                continue
            lengths = sorted({len(sample) for sample in samples})
            per_length = (
                f"one per length from {lengths[0]} to {lengths[-1]} characters"
                if lengths
                else "none of fixed length"
            )
            self.add(
                FindingCode.NO_DIFFERENCE_FOUND,
                member,
                f"service rule {service.rule.name!r} of the {region} service plan, next in "
                f"line, gave the same output for each of the {len(checked)} dial strings "
                f"checked that this rule takes ({per_length}, and the shortest of each of "
                f"the {len(states)} automaton states where the rule is first to match); not "
                f"proven for other dial strings (e.g. {text!r} becomes {output!r} either way)",
                witness=text,
                region=region,
            )
        return found

    def check_service_shadowing(
        self,
        members: Sequence[_Member],
        walk: _Walk,
        region: str,
        redundant: set[int],
    ) -> None:
        for position, member in enumerate(members):
            if not member.is_service:
                continue
            takers = {first for (rule, first) in walk.service_taken_by if rule == position}
            if not takers or position in takers or takers & redundant:
                continue
            names = ", ".join(f"{members[first].rule.name!r}" for first in sorted(takers))
            who = f"tenant rules {names} take" if len(takers) > 1 else f"tenant rule {names} takes"
            witness = min((walk.service_taken_by[(position, first)] for first in takers), key=len)
            self.add(
                FindingCode.SHADOWED,
                member,
                f"service rule of the {region} service plan never fires for users of this plan: "
                f"{who} every dial string it would take; e.g. "
                f"{self._winner(members, witness)}",
                witness=witness,
                region=region,
            )

    # -- emergency numbers ---------------------------------------------------

    def check_emergency(self, region: str) -> None:
        for number in self.shared.emergency_numbers.all_numbers(region):
            found = _first_match(self.tenant_members, number)
            if found is None or found[1] == number:
                continue
            member = self.tenant_members[found[0]]
            self.add(
                FindingCode.EMERGENCY_CAPTURE,
                member,
                f"turns emergency number {number} of {region} into {found[1]!r}: tenant rules "
                "must leave emergency numbers as they are",
                witness=number,
                region=region,
            )


class _Shared:
    """What every plan's lint shares: the service plans and emergency numbers, compiled once."""

    def __init__(self, catalog: ServiceCatalog, emergency_numbers: EmergencyNumbers) -> None:
        self.catalog = catalog
        self.emergency_numbers = emergency_numbers
        self._services: dict[str, list[_Member]] = {}

    def service_members(self, region: str) -> list[_Member]:
        found = self._services.get(region)
        if found is None:
            rules = self.catalog.service_plan(region).rules
            found = [_member(rule, True, index) for index, rule in enumerate(rules)]
            self._services[region] = found
        return found


def _describe(member: _Member) -> str:
    if member.is_service:
        return f"service rule {member.rule.name!r}"
    return f"rule {member.rule.name!r} (rules[{member.index}])"


def _regions_of(tenant: Tenant, plan: DialPlan) -> list[str]:
    """The regions of the users this plan applies to."""
    is_global = plan.identity.casefold() == GLOBAL_IDENTITY.casefold()
    wanted = plan.identity.casefold()
    found = {
        user.usage_location.upper()
        for user in tenant.users
        if countries.is_region(user.usage_location)
        and (
            (user.dial_plan or "").casefold() == wanted
            or (is_global and not user.dial_plan)
        )
    }
    return sorted(found)


def _plan_findings(
    tenant: Tenant,
    plan: DialPlan,
    regions: Sequence[str],
    shared: _Shared,
    skipped: frozenset[int] = frozenset(),
) -> list[Finding]:
    """The warnings of one plan (what a child process runs under a time limit)."""
    return _PlanLint(tenant, plan, regions, shared, skipped).run()


def lint(
    tenant: Tenant,
    *,
    max_rules: int | None = None,
    catalog: ServiceCatalog | None = None,
    emergency_numbers: EmergencyNumbers | None = None,
    time_limit: float | None = None,
) -> list[Finding]:
    """Every error and warning of a tenant, plan by plan in file order.

    `max_rules` overrides the tenant's rule limit (the `--max-rules` option).
    Plans with a pattern or translation that does not compile get their errors only.
    With `time_limit` (seconds, for the whole analysis), each plan's warnings
    are worked out in a child process that gets what is left of it: a plan that
    runs past it gets one `analysis-time-limit` warning instead
    (`analysis-memory-limit` past `isolation.MEMORY_BYTES`), and so does each
    plan whose turn never came; the others get their warnings as usual.
    """
    shared = _Shared(catalog or default_catalog(), emergency_numbers or default_emergency_numbers())
    findings: list[Finding] = []
    broken: set[str] = set()
    for problem in problems(tenant, max_rules=max_rules):
        error = problem.error
        findings.append(
            Finding(
                Severity.ERROR,
                problem.code,
                error.plan,
                error.rule,
                error.detail,
                rule_index=error.rule_index,
                field=error.field,
                file=error.file,
            )
        )
        if problem.code in (Violation.INVALID_PATTERN, Violation.INVALID_TRANSLATION):
            broken.add((error.plan or "").casefold())
    for index, user in enumerate(tenant.users):
        if not user.usage_location:
            findings.append(
                Finding(
                    Severity.WARNING,
                    FindingCode.MISSING_USAGE_LOCATION,
                    user.dial_plan,
                    None,
                    f"users[{index}]: user {user.upn!r} has no usage location, so no effective "
                    "dial plan: set usage_location (or import the script with --usage-location XX)",
                    field="usage_location",
                    file=tenant.source,
                )
            )
    seen: set[str] = set()
    work: list[tuple[Tenant, DialPlan, Sequence[str], _Shared]] = []
    for plan in tenant.dial_plans:
        key = plan.identity.casefold()
        if key in broken or key in seen:
            continue
        seen.add(key)
        work.append((tenant, plan, _regions_of(tenant, plan), shared))
    if time_limit is None:
        for call in work:
            findings.extend(_plan_findings(*call))
    else:
        findings.extend(isolated_warnings(_plan_findings, work, time_limit))
    unique: dict[tuple[Any, ...], Finding] = {}
    for finding in findings:
        unique.setdefault(
            (finding.code, finding.plan, finding.rule, finding.region, finding.witness, finding.message),
            finding,
        )
    return list(unique.values())
