"""`dialplan effective`: a user's effective rules, in evaluation order."""

from __future__ import annotations

import argparse

from normalizer.commands.common import (
    add_target_options,
    add_tenant_option,
    check_target,
    print_json,
    simulator_for,
    target_of,
)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("effective", help="list a user's effective dial plan rules")
    add_target_options(parser)
    add_tenant_option(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=lambda args: run(parser, args))


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    check_target(parser, args)
    plan = simulator_for(args).effective(**target_of(args))
    if args.json:
        print_json(plan.to_dict())
        return 0
    tenant = plan.tenant_plan.identity if plan.tenant_plan else "none"
    print(f"Effective dial plan {plan.name} (usage location {plan.region}, tenant plan {tenant})")
    for position, entry in enumerate(plan.rules):
        flag = "  [internal extension]" if entry.rule.is_internal_extension else ""
        print(
            f"{position:>3}  {entry.rule.name:<28} {entry.rule.pattern}  ->  {entry.rule.translation}"
            f"   ({entry.scope} {entry.dial_plan}){flag}"
        )
    return 0
