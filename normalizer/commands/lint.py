"""`dialplan lint`: errors and warnings of a tenant's dial plans.

Exit 1 when there are errors (or warnings, with `--strict`), 0 otherwise.
The linter (and its automata library) is imported when the command runs, so
other commands start without it.
"""

from __future__ import annotations

import argparse

from normalizer.commands.common import add_tenant_option, print_json
from normalizer.formats import load_tenant


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "lint", help="check a tenant's dial plans: limits, shadowed rules, emergency numbers"
    )
    add_tenant_option(parser)
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    parser.add_argument("--json", action="store_true", help="print a JSON list of findings")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from normalizer.lint import Severity, lint

    tenant = load_tenant(args.tenant, max_rules=args.max_rules, validate=False)
    findings = lint(tenant)
    errors = sum(1 for finding in findings if finding.severity is Severity.ERROR)
    warnings = len(findings) - errors
    if args.json:
        print_json([finding.to_dict() for finding in findings])
    else:
        for finding in findings:
            witness = f"  (witness {finding.witness!r})" if finding.witness is not None else ""
            print(f"{finding}{witness}")
        print(f"{tenant.source or 'tenant'}: {errors} error(s), {warnings} warning(s)")
    return 1 if errors or (args.strict and warnings) else 0
