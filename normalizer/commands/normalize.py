"""`dialplan normalize`: what one dial string becomes for one user."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from normalizer.commands.common import (
    REGEX_TIMEOUT,
    add_target_options,
    add_tenant_option,
    check_target,
    print_json,
    scope_label,
    simulator_for,
    target_of,
)

if TYPE_CHECKING:
    from normalizer.engine import NormalizationResult


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "normalize", help="normalize a dial string for a user, as Teams would"
    )
    parser.add_argument("dialed_number", metavar="DIALED", help="the dial string, e.g. 7123")
    add_target_options(parser)
    add_tenant_option(parser)
    parser.add_argument(
        "--tenant-scope-only", action="store_true", help="test the tenant rules only (first pass)"
    )
    parser.add_argument("--trace", action="store_true", help="show every rule tried")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=lambda args: run(parser, args))


def describe(result: NormalizationResult) -> str:
    """One readable line: the translation, the rule, the call type, the final number."""
    if result.matching_rule is not None:
        origin = result.matching_rule
        line = (
            f"{result.dialed_number} -> {result.translated_number}  "
            f"({origin.rule.name}, {scope_label(origin.scope)} {origin.dial_plan})"
        )
    else:
        line = f"{result.dialed_number} -> no rule matched  (effective plan {result.effective_dial_plan.name})"
    if result.final_number != result.translated_number:
        line += f"; service dials {result.final_number}"
    return f"{line}  [{result.call_type}]"


def describe_trace(result: NormalizationResult) -> list[str]:
    lines: list[str] = []
    for number, step in enumerate(result.trace or (), start=1):
        lines.append(f"pass {number}: {step.input}")
        for entry in step.tried:
            mark = "MATCH" if entry.matched else "  -  "
            detail = f" groups={entry.groups} -> {entry.output}" if entry.matched else ""
            lines.append(f"  {mark} {entry.rule.rule.name} ({entry.rule.dial_plan}) {entry.rule.rule.pattern}{detail}")
        others = [e.rule.rule.name for e in step.would_match if e.rule != step.winner]
        if others:
            lines.append(f"  also matching: {', '.join(others)}")
    return lines


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    check_target(parser, args)
    simulator = simulator_for(args)
    result = simulator.normalize(
        args.dialed_number,
        trace=args.trace,
        tenant_scope_only=args.tenant_scope_only,
        timeout=REGEX_TIMEOUT,
        **target_of(args),
    )
    answer = None
    if args.user:
        from normalizer.billing.explain import calling_plan_answer

        answer = calling_plan_answer(simulator.billing, result, args.user)
    if args.json:
        print_json({**result.to_dict(), "calling_plan": answer})
        return 0
    print(describe(result))
    if answer is not None:
        print(f"calling plan: {answer['sentence']}")
    if args.trace:
        print("\n".join(describe_trace(result)))
    return 0
