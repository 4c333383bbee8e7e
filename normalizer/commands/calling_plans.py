"""`dialplan calling-plans [REGION]`: the Calling Plans each country sells."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from normalizer.commands.common import print_json

if TYPE_CHECKING:
    from normalizer.billing.catalog import CountryPlans


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "calling-plans", help="list the Calling Plans sold per country, with minutes and sources"
    )
    parser.add_argument(
        "region", metavar="REGION", nargs="?", help="one ISO 3166 alpha-2 region (default: all)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from normalizer.billing.catalog import default_plan_catalog

    catalog = default_plan_catalog()
    countries = [catalog.country(args.region)] if args.region else [
        catalog.country(region) for region in catalog.regions()
    ]
    if args.json:
        data = [country.to_dict() for country in countries]
        print_json(data[0] if args.region else data)
        return 0
    for country in countries:
        extra = []
        if country.pool_region != country.region:
            extra.append(f"pooled with {country.pool_region}")
        if country.domestic_regions != {country.region}:
            extra.append(f"domestic: {', '.join(sorted(country.domestic_regions))}")
        extra.append(f"premium numbers: {premium_access(country)}")
        print(f"{country.region}  {country.name} ({country.zone}; {'; '.join(extra)})")
        for plan in country.plans:
            if plan.id == "payg":
                minutes = "no minutes included: every outbound minute from Communications Credits"
            elif plan.international_minutes:
                minutes = (
                    f"{plan.domestic_minutes:,} domestic or {plan.international_minutes:,} "
                    "international minutes a user a month, whichever is reached first"
                )
            else:
                minutes = f"{plan.domestic_minutes:,} domestic minutes a user a month"
            print(f"  {plan.id:<15} {minutes}")
    return 0


def premium_access(country: CountryPlans) -> str:
    """Which premium numbers a country's users reach, as the listing says it."""
    from normalizer.billing.catalog import PremiumAccess

    if country.premium is PremiumAccess.NONE:
        return "not reachable"
    if country.premium_prefixes:
        return f"on credits, the prefixes {', '.join(country.premium_prefixes)} only"
    return "on credits"
