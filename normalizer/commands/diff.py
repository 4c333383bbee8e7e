"""`dialplan diff`: what a rule change would change, dial string by dial string.

The diff engine (and the automata library its witnesses use) is imported when
the command runs, so other commands start without it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from normalizer.commands.common import DIAL_STRINGS_FILE, print_json, read_dial_strings, rule_limit
from normalizer.errors import SuiteError
from normalizer.formats import load_tenant

if TYPE_CHECKING:
    from normalizer.quality.diff import TenantDiff
    from normalizer.quality.suites import Suite

SUITE_GLOBS = ("*-tests.toml", "test_*.toml")
"""Suite file names, as the pytest plugin collects them."""


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "diff",
        help="compare two tenant files: every dial string whose result changes, and why",
        description=(
            "Run the same dial strings on OLD and NEW for every user and every tenant plan in "
            "its own country (--all-targets: in every region in use): the --corpus file, the dial strings of the suites (--suite, and the "
            "suites next to OLD and NEW that name either file), and witness strings generated "
            "for every rule of both versions. Report every string whose translated number, final "
            "number, matching rule or call type changes, under the rule change that causes it."
        ),
    )
    parser.add_argument("old", metavar="OLD", help="the tenant file as it is (.toml)")
    parser.add_argument("new", metavar="NEW", help="the tenant file as it would be (.toml)")
    parser.add_argument(
        "--corpus", metavar="FILE", help=f"dial strings to run, {DIAL_STRINGS_FILE}"
    )
    parser.add_argument(
        "--suite",
        metavar="FILE",
        action="append",
        default=[],
        help="also run this suite's dial strings (repeatable)",
    )
    parser.add_argument(
        "--location",
        metavar="REGION",
        action="append",
        default=[],
        help="also run every tenant plan for this usage location (repeatable)",
    )
    parser.add_argument(
        "--all-targets",
        action="store_true",
        help="run every tenant plan in every usage location in use, not only the users' "
        "(location, plan) pairs and each plan in its own country",
    )
    parser.add_argument(
        "--max-rules",
        metavar="N",
        type=rule_limit,
        help="rules allowed per tenant dial plan in both files (default: each file's [tenant] max_rules, or 25)",
    )
    parser.add_argument(
        "--no-witnesses", action="store_true", help="do not generate witness strings for the rules"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--fail-on-change",
        action="store_true",
        help="exit 1 when any dial string's result changes",
    )
    parser.set_defaults(run=run)


def discover_suites(*tenant_files: Path) -> list[Path]:
    """Suite files next to the tenant files whose `[suite] tenant` names one of them."""
    from normalizer.quality.suites import load_suite

    wanted = {file.resolve() for file in tenant_files}
    found: list[Path] = []
    for folder in dict.fromkeys(file.resolve().parent for file in tenant_files):
        for pattern in SUITE_GLOBS:
            for path in sorted(folder.glob(pattern)):
                try:
                    suite = load_suite(path)
                except SuiteError:
                    continue
                if suite.tenant is not None and suite.tenant.resolve() in wanted and path not in found:
                    found.append(path)
    return found


def describe(report: TenantDiff) -> list[str]:
    """The report as text: a summary, then each cause with the results it changed."""
    lines = [
        f"dialplan diff {report.old_source} -> {report.new_source}",
        (
            f"{len(report.rule_changes)} changes; {len(report.dial_strings)} dial strings "
            f"for {len(report.targets)} targets; {len(report.changes)} changed results"
        ),
    ]
    for cause, strings in report.grouped():
        lines += ["", cause.describe()]
        if not strings:
            lines.append("    no dial string's result changed")
        lines += [f"    {change.describe()}" for change in strings]
    lines += [f"note: {note}" for note in report.notes]
    return lines


def run(args: argparse.Namespace) -> int:
    from normalizer.quality.diff import diff_tenants
    from normalizer.quality.suites import load_suite

    old_path, new_path = Path(args.old), Path(args.new)
    old = load_tenant(old_path, max_rules=args.max_rules)
    new = load_tenant(new_path, max_rules=args.max_rules)
    strings: list[str] = read_dial_strings(args.corpus) if args.corpus else []
    suite_files = [Path(path) for path in args.suite]
    suite_files += [p for p in discover_suites(old_path, new_path) if p not in suite_files]
    suites: list[Suite] = [load_suite(path) for path in suite_files]
    strings += [case.dialed_number for suite in suites for case in suite.cases]
    report = diff_tenants(
        old,
        new,
        strings,
        witnesses=not args.no_witnesses,
        locations=args.location,
        all_targets=args.all_targets,
    )
    if args.json:
        data = report.to_dict()
        data["suites"] = [suite.file for suite in suites]
        print_json(data)
    else:
        if suites:
            print("suites: " + ", ".join(str(suite.file) for suite in suites))
        print("\n".join(describe(report)))
    return 1 if args.fail_on_change and report.changes else 0
