"""`dialplan service-plan` and `dialplan regions`: the service country plans."""

from __future__ import annotations

import argparse

from normalizer.commands.common import print_json


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    plan = subparsers.add_parser("service-plan", help="print a region's service country dial plan")
    plan.add_argument("region", metavar="REGION", help="ISO 3166 alpha-2 region, e.g. GB")
    plan.add_argument("--json", action="store_true", help="print one JSON object")
    plan.set_defaults(run=run_service_plan)
    regions = subparsers.add_parser("regions", help="list every region with its calling code and prefixes")
    regions.add_argument("--json", action="store_true", help="print a JSON list")
    regions.set_defaults(run=run_regions)


def run_service_plan(args: argparse.Namespace) -> int:
    from normalizer.catalog import default_catalog
    from normalizer.effective import merge

    catalog = default_catalog()
    plan = catalog.service_plan(args.region)
    effective = merge(args.region.upper(), plan, None)
    if args.json:
        data = effective.to_dict()
        print_json({"identity": plan.identity, "description": plan.description, "rules": data["rules"]})
        return 0
    print(f"{plan.identity}: {plan.description}")
    for position, rule in enumerate(plan.rules):
        print(f"{position:>3}  {rule.name:<28} {rule.pattern}  ->  {rule.translation}")
    return 0


def run_regions(args: argparse.Namespace) -> int:
    from normalizer.catalog import default_catalog

    catalog = default_catalog()
    rows = []
    for region in catalog.regions():
        facts = catalog.facts(region)
        rows.append(
            {
                "region": region,
                "calling_code": facts.calling_code,
                "international_prefix": facts.international_prefix,
                "national_prefix": facts.national_prefix,
            }
        )
    if args.json:
        print_json(rows)
        return 0
    print(f"{'region':<7}{'code':>6}  {'trunk':<6} international prefix")
    for row in rows:
        print(f"{row['region']:<7}{'+' + str(row['calling_code']):>6}  {row['national_prefix'] or '-':<6} {row['international_prefix']}")
    return 0
