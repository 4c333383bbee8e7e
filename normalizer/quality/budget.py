"""Lint under a time limit: each plan's analysis in a child process, all within one budget.

`isolated_warnings` hands each plan to `normalizer.quality.isolation` with
an equal share of what is left of the run's time limit, so the limit bounds
the whole run however many plans there are, and one pathological rule (a
careless admin's, or one posted to `/v1/lint`) cannot spend the time of every
other plan: a plan's first attempt gets half its share, and a plan stopped
while building one rule's automaton runs again without that rule, so its
cheap, safety-critical checks (emergency capture) are still made. A plan stopped at the limit (or past its
memory cap) gets an `analysis-time-limit` (`analysis-memory-limit`) finding
saying while doing what; a plan whose turn never came gets one saying so.

>>> from normalizer.models import DialPlan, NormalizationRule, Scope, Tenant
>>> plan = DialPlan("P", Scope.TENANT_USER, (NormalizationRule("R", "^1$", "+1"),))
>>> not_analysed(Tenant("T", (plan,), ()), plan, 2.0).message[:27]
'this plan was not analysed:'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from normalizer.errors import DialplanError, MemoryLimitError, TimeLimitError
from normalizer.models import DialPlan, Tenant
from normalizer.quality import isolation
from normalizer.quality.findings import Finding, FindingCode, Severity


def stopped(tenant: Tenant, plan: DialPlan, error: DialplanError, *, others_checked: bool = True) -> Finding:
    """The finding of a plan whose analysis was stopped at its time or memory limit.

    `others_checked`: whether the plan is checked again without the rule that was stopped.
    """
    memory = isinstance(error, MemoryLimitError)
    code = FindingCode.ANALYSIS_MEMORY_LIMIT if memory else FindingCode.ANALYSIS_TIME_LIMIT
    what = error.detail.removeprefix("the work ")
    if error.rule_index is not None and others_checked:
        message = (
            f"the analysis of this rule {what}: shadowing, overlaps and redundancy are not "
            "checked for it (the plan's other rules are); simplify the pattern or raise the limit"
        )
    elif error.rule_index is not None:
        message = (
            f"the analysis of this rule {what}, which left no time for the rest of the run: "
            "none of the plan's warnings is checked; simplify the pattern or raise the limit"
        )
    else:
        message = (
            f"the analysis of this plan {what}: none of its other warnings is checked; "
            "simplify its patterns or raise the limit"
        )
    return Finding(
        Severity.WARNING,
        code,
        plan.identity,
        error.rule,
        message,
        rule_index=error.rule_index,
        field="pattern" if error.rule_index is not None else None,
        file=tenant.source,
    )


def not_analysed(tenant: Tenant, plan: DialPlan, time_limit: float) -> Finding:
    """The finding of a plan whose analysis never started: the run's time limit was spent."""
    return Finding(
        Severity.WARNING,
        FindingCode.ANALYSIS_TIME_LIMIT,
        plan.identity,
        None,
        f"this plan was not analysed: the time limit of {time_limit:g} s for the whole run was "
        "spent before its turn, so none of its warnings is checked; raise the limit or lint "
        "fewer plans at a time",
        file=tenant.source,
    )


def isolated_warnings(
    plan_findings: Callable[..., list[Finding]], work: Sequence[tuple[Any, ...]], time_limit: float
) -> list[Finding]:
    """The warnings of each plan, worked out in child processes within `time_limit` in all.

    Each plan gets an equal share of what is left of the limit (half of it on
    its first attempt); plans never started are named by an
    `analysis-time-limit` finding each. A plan stopped while building one
    rule's automaton runs again without it (in a new round, if time is left),
    so only that rule goes unchecked.
    """
    first_round = True
    until = time.monotonic() + time_limit
    found: list[list[Finding]] = [[] for _ in work]
    skipped: list[frozenset[int]] = [frozenset() for _ in work]
    pending = list(range(len(work)))
    while pending:
        calls = [(*work[index], skipped[index]) for index in pending]
        outcomes = isolation.run_each(
            plan_findings,
            calls,
            seconds=time_limit,
            until=until,
            preload=("normalizer.quality.lint",),
            # Half a share on the first attempt keeps time for a rerun without a stopped rule.
            shares_per_call=2.0 if first_round else 1.0,
        )
        first_round = False
        retry: list[int] = []
        for index, outcome in zip(pending, outcomes, strict=True):
            tenant, plan = work[index][0], work[index][1]
            if isinstance(outcome, isolation.NotStarted):
                found[index].append(not_analysed(tenant, plan, time_limit))
            elif isinstance(outcome, (TimeLimitError, MemoryLimitError)):
                rule = outcome.rule_index
                # Checked again without that rule, if time is left: only that rule goes unchecked.
                again = rule is not None and rule not in skipped[index] and time.monotonic() < until
                found[index].append(stopped(tenant, plan, outcome, others_checked=again))
                if again and rule is not None:
                    skipped[index] |= {rule}
                    retry.append(index)
            elif isinstance(outcome, DialplanError):
                raise outcome
            else:
                found[index].extend(outcome)
        pending = retry
    return [finding for findings in found for finding in findings]
