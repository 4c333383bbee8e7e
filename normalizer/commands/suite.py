"""`dialplan test`: run regression suites (exit 1 on a failing case), or record one."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from normalizer.commands.common import (
    DIAL_STRINGS_FILE,
    add_tenant_option,
    print_json,
    read_dial_strings,
)
from normalizer.errors import DialplanInputError

if TYPE_CHECKING:
    from normalizer.quality.suites import CaseResult, Coverage, SuiteResult
    from normalizer.simulation import Simulator


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "test",
        help="run test suites of dial strings and expected results, or record one",
        description=(
            "Run every case of each SUITE file: pass/fail with expected vs actual, rule "
            "coverage, and a total line; exit 1 when a case fails. With --record, write a "
            "suite freezing today's behaviour of the dial strings given."
        ),
    )
    parser.add_argument(
        "items",
        nargs="*",
        metavar="SUITE | DIALED",
        help="suite files (.toml); with --record, the dial strings to record",
    )
    add_tenant_option(parser)
    parser.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report to FILE")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    record = parser.add_argument_group("recording")
    record.add_argument("--record", metavar="OUT.toml", help="write a suite of today's behaviour")
    who = record.add_mutually_exclusive_group()
    who.add_argument("--user", metavar="UPN", help="with --record: the user who dials")
    who.add_argument(
        "--usage-location",
        "--location",
        dest="location",
        metavar="REGION",
        help="with --record: the usage location (ISO 3166 alpha-2) who dials",
    )
    record.add_argument(
        "--dial-plan", metavar="IDENTITY", help="with --usage-location: the tenant dial plan"
    )
    record.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help=f"with --record: read dial strings from FILE, {DIAL_STRINGS_FILE}",
    )
    record.add_argument("--name", metavar="NAME", help="with --record: the suite's name")
    parser.set_defaults(run=lambda args: run(parser, args))


_RECORD_ONLY = {
    "user": "--user",
    "location": "--usage-location",
    "dial_plan": "--dial-plan",
    "from_file": "--from",
    "name": "--name",
}


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.record:
        return run_record(parser, args)
    for option, flag in _RECORD_ONLY.items():
        if getattr(args, option):
            raise DialplanInputError(f"{flag} needs --record")
    if not args.items:
        raise DialplanInputError("give at least one SUITE file (or --record OUT.toml)")
    return run_suites(args)


def write_text(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DialplanInputError(f"cannot write: {exc.strerror}", file=path) from None


def run_record(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from normalizer.formats import load_tenant
    from normalizer.quality.suites import record_suite, suite_to_toml
    from normalizer.simulation import Simulator

    if not args.user and not args.location:
        raise DialplanInputError("--record needs --user or --usage-location")
    if args.dial_plan and not args.location:
        raise DialplanInputError("--dial-plan needs --usage-location")
    dial_strings = list(args.items)
    if args.from_file:
        dial_strings += read_dial_strings(args.from_file)
    tenant = load_tenant(args.tenant, max_rules=args.max_rules)
    out = Path(args.record)
    suite = record_suite(
        Simulator(tenant),
        dial_strings,
        user=args.user,
        usage_location=args.location,
        dial_plan=args.dial_plan,
        name=args.name,
    )
    reference = None
    if args.tenant:
        reference = Path(os.path.relpath(Path(args.tenant).resolve(), out.resolve().parent)).as_posix()
    header = (
        "Recorded by `dialplan test --record`: today's behaviour of these dial strings,\n"
        "frozen so a rule change that alters any of them fails `dialplan test`."
    )
    write_text(str(out), suite_to_toml(suite, tenant=reference, header=header))
    print(f"recorded {len(suite.cases)} cases to {out}")
    return 0


def describe_case(case: CaseResult) -> list[str]:
    """The PASS/FAIL line of a case, then one line per missed expectation."""
    result = case.result
    rule = result.matching_rule.rule.name if result.matching_rule else "no rule matched"
    translated = result.translated_number if result.translated_number is not None else "-"
    outcome = f"{translated} ({rule}) [{result.call_type}]"
    if result.final_number != result.translated_number:
        outcome += f", dials {result.final_number}"
    mark = "PASS" if case.passed else "FAIL"
    title = f"{case.case.name}: " if case.case.name else ""
    lines = [
        f"  {mark}  [{case.case.index}] {title}{case.case.dialed_number} for {case.case.who} -> {outcome}"
    ]
    lines += [f"          {mismatch.describe()}" for mismatch in case.mismatches]
    return lines


def run_suites(args: argparse.Namespace) -> int:
    from normalizer.quality.junit import junit_xml
    from normalizer.quality.suites import load_suite, rule_coverage, run_suite, suite_tenant
    from normalizer.simulation import Simulator

    suites = [load_suite(path) for path in args.items]
    simulators: dict[str, Simulator] = {}
    results: list[SuiteResult] = []
    cases_by_tenant: dict[str, list[CaseResult]] = {}
    for suite in suites:
        tenant_key = str(Path(args.tenant).resolve()) if args.tenant else str(suite.tenant or "")
        simulator = simulators.get(tenant_key)
        if simulator is None:
            simulator = Simulator(suite_tenant(suite, args.tenant, max_rules=args.max_rules))
            simulators[tenant_key] = simulator
        result = run_suite(suite, simulator=simulator)
        results.append(result)
        cases_by_tenant.setdefault(tenant_key, []).extend(result.cases)
    coverage: list[Coverage] = [
        rule_coverage(simulators[key], cases) for key, cases in cases_by_tenant.items()
    ]
    passed = sum(result.passed for result in results)
    failed = sum(result.failed for result in results)
    if args.junit:
        write_text(args.junit, junit_xml(results, coverage=coverage))
    if args.json:
        print_json(
            {
                "suites": [result.to_dict() for result in results],
                "coverage": [found.to_dict() for found in coverage],
                "passed": passed,
                "failed": failed,
            }
        )
    else:
        for result in results:
            tenant = result.tenant.source or "built-in"
            print(f"{result.suite.file}: {result.suite.name} (tenant {tenant})")
            for case in result.cases:
                print("\n".join(describe_case(case)))
        for found in coverage:
            print("\n".join(found.describe()))
        print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0

