"""`dialplan import FILE -o tenant.toml`: a PowerShell script or Teams JSON as a tenant file."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from normalizer.commands.common import rule_limit, write_output
from normalizer.errors import DialplanInputError
from normalizer.formats import TenantFormat, dump_tenant, import_tenant


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "import", help="read a tenant from a .ps1 script or Teams .json and write it as TOML"
    )
    parser.add_argument(
        "file", metavar="FILE", help="a .ps1 dial plan script, a Teams .json dump or a .toml file"
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT", help="the tenant file to write (default: standard output)"
    )
    parser.add_argument(
        "--name", help="the tenant's name (default: the file's name, or its [tenant] name)"
    )
    parser.add_argument(
        "--max-rules",
        type=rule_limit,
        metavar="N",
        help="rules allowed per tenant dial plan, written to the tenant file (default 25; Teams allows 50)",
    )
    parser.add_argument(
        "--choice",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="answer the script's prompt, Read-Host or parameter that sets $NAME "
        "(a choice's number or label; repeatable; default: the prompt's default)",
    )
    parser.add_argument(
        "--usage-location",
        metavar="REGION",
        help="the usage location of users the script grants a plan but sets none for",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list the script statements passed over (line, what, why)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.output is not None:
        # The output is always TOML: never under another format's name, never over the input.
        if TenantFormat.of_path(args.output) is not TenantFormat.TOML:
            raise DialplanInputError(
                "import writes a TOML tenant file: name it .toml "
                "(dialplan export --format writes the other formats)",
                file=args.output,
            )
        if Path(args.output).resolve() == Path(args.file).resolve():
            raise DialplanInputError("the output would overwrite the input", file=args.output)
    choices: dict[str, str] = {}
    for given in args.choice:
        name, equals, value = given.partition("=")
        if not equals or not name.strip():
            raise DialplanInputError(f"--choice takes NAME=VALUE, not {given!r}")
        choices[name.strip()] = value
    location = args.usage_location
    if location is not None and not _is_region(location):
        raise DialplanInputError(f"--usage-location {location!r} is not an ISO 3166 region")
    imported = import_tenant(
        args.file, max_rules=args.max_rules, choices=choices, usage_location=location
    )
    tenant = imported.tenant
    if args.name is not None:
        tenant = replace(tenant, name=args.name)
    write_output(dump_tenant(tenant, TenantFormat.TOML), args.output)
    rules = sum(len(plan.rules) for plan in tenant.dial_plans)
    counts = [
        _count(len(tenant.dial_plans), "dial plan"),
        _count(rules, "rule"),
        _count(len(tenant.users), "user"),
    ]
    summary = f"{args.file}: {', '.join(counts)}" + (f" -> {args.output}" if args.output else "")
    passed = [statement for statement in imported.ignored if not statement.note]
    notes = [statement for statement in imported.ignored if statement.note]
    if passed:
        summary += f"; {_count(len(passed), 'statement')} passed over"
        summary += "" if args.verbose else " (--verbose lists them)"
    print(summary, file=sys.stderr)
    name = Path(args.file).name
    # Notes say what the reader decided (a prompt's answer, a branch taken): always shown.
    for statement in notes:
        print(f"  note: {name}:{statement.line}: {statement.command}: {statement.reason}", file=sys.stderr)
    if args.verbose:
        for statement in passed:
            print(
                f"  {name}:{statement.line}: {statement.command}: {statement.reason}",
                file=sys.stderr,
            )
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _is_region(location: str) -> bool:
    from normalizer.countries import is_region  # phonenumbers: loaded only when asked

    return is_region(location)
