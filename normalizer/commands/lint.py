"""`dialplan lint`: errors and warnings of a tenant's dial plans.

Exit 1 when there are errors (or warnings, with `--strict`), 0 otherwise.
The analysis of each plan runs in a child process (an automaton can grow
exponentially with a short pattern such as `^\\d*1\\d{16}$`), and
`--time-limit` bounds the whole run: each plan gets what is left of it. A plan
stopped at the limit is reported with an `analysis-time-limit` warning naming
what ran too long, a plan whose turn never came with one saying so, and the
other plans as usual. The linter (and its automata library) is imported when the command
runs, so other commands start without it.
"""

from __future__ import annotations

import argparse

from normalizer.commands.common import add_tenant_option, print_json
from normalizer.formats import load_tenant

TIME_LIMIT = 30.0
"""Seconds the analysis of the whole tenant may run by default."""


def time_limit(text: str) -> float:
    """`--time-limit SECONDS`: a number of seconds above 0, or 0 for no limit."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more, not {text}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "lint", help="check a tenant's dial plans: limits, shadowed rules, emergency numbers"
    )
    add_tenant_option(parser)
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    parser.add_argument("--json", action="store_true", help="print a JSON list of findings")
    parser.add_argument(
        "--time-limit",
        metavar="SECONDS",
        type=time_limit,
        default=TIME_LIMIT,
        help="seconds the whole analysis may run, each plan getting what is left; a plan "
        "stopped at it, or never reached, is reported as analysis-time-limit "
        f"(default {TIME_LIMIT:g}; 0: no limit)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from normalizer.quality.findings import Severity
    from normalizer.quality.lint import lint

    tenant = load_tenant(args.tenant, max_rules=args.max_rules, validate=False)
    findings = lint(tenant, time_limit=args.time_limit or None)
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
