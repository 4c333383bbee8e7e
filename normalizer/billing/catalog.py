"""The Calling Plan catalog: which plans each country sells, with how many minutes.

Read from `rules/calling_plans/` (one file per country where Microsoft sells
Calling Plans, plus `zones.toml`); every fact there cites its `source`
(Microsoft's per-country availability pages, seeds 000 and 004). Plan ids are
`domestic-<minutes>`, `international` (Domestic and International) and `payg`.

>>> catalog = default_plan_catalog()
>>> [plan.id for plan in catalog.country("FR").plans]
['domestic-120', 'domestic-240', 'domestic-1200', 'international', 'payg']
>>> catalog.country("US").is_domestic("CA")
True
>>> catalog.plan("IT", "domestic-120")
Traceback (most recent call last):
...
normalizer.errors.UnknownCallingPlanError: Calling Plans are not sold in IT (sold in: BE, CA, DE, ES, FR, GB, IE, NL, PR, US)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import tomli

from normalizer.data import rules_dir
from normalizer.errors import TenantFileError, UnknownCallingPlanError

_PLAN_ID = re.compile(r"domestic-[1-9]\d*|international|payg")


class PlanKind(StrEnum):
    """The three kinds of Calling Plan (seed 004, "Calling Plan options")."""

    DOMESTIC = "domestic"
    INTERNATIONAL = "international"
    PAYG = "payg"


class PremiumAccess(StrEnum):
    """Whether a country's Calling Plan users may call its premium numbers."""

    NONE = "none"
    CREDITS = "credits"
    """Only paid per minute with Communications Credits (some prefixes, where listed)."""


MAX_CALL_SECONDS = 31 * 24 * 3600
"""The default bound of a call's duration (`max_call_seconds` in zones.toml)."""

@dataclass(frozen=True, slots=True)
class CallingPlan:
    """One plan a country sells: its minutes per user and calendar month."""

    id: str
    domestic_minutes: int = 0
    international_minutes: int = 0
    source: str = ""

    @property
    def kind(self) -> PlanKind:
        if self.id == "payg":
            return PlanKind.PAYG
        if self.id == "international":
            return PlanKind.INTERNATIONAL
        return PlanKind.DOMESTIC

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": str(self.kind),
            "domestic_minutes": self.domestic_minutes,
            "international_minutes": self.international_minutes,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class CountryPlans:
    """The Calling Plans of one country, its billing-domestic regions and pool region."""

    region: str
    name: str
    zone: str
    plans: tuple[CallingPlan, ...]
    domestic_regions: frozenset[str]
    pool_region: str
    premium: PremiumAccess
    premium_prefixes: tuple[str, ...]
    source: str
    domestic_source: str = ""
    premium_source: str = ""
    pool_source: str = ""

    def plan(self, plan_id: str) -> CallingPlan:
        for plan in self.plans:
            if plan.id == plan_id:
                return plan
        raise UnknownCallingPlanError(
            f"calling plan {plan_id!r} is not sold in {self.region} "
            f"(sold: {', '.join(p.id for p in self.plans)})"
        )

    def is_domestic(self, region: str | None) -> bool:
        """Whether a call to `region` is domestic for this country's users (billing view)."""
        return region is not None and region in self.domestic_regions

    def allows_premium(self, number: str) -> bool:
        """Whether a premium number may be called (paid with credits)."""
        if self.premium is PremiumAccess.NONE:
            return False
        return not self.premium_prefixes or number.startswith(self.premium_prefixes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "name": self.name,
            "zone": self.zone,
            "pool_region": self.pool_region,
            "domestic_regions": sorted(self.domestic_regions),
            "premium": str(self.premium),
            "premium_prefixes": list(self.premium_prefixes),
            "plans": [plan.to_dict() for plan in self.plans],
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class BillingRules:
    """Rules shared by every country: minute rounding and the pooling period."""

    increment_seconds: int
    increment_source: str
    pooling_source: str
    capabilities: dict[str, str] | None = None
    """Plan id (and `credits`) -> the licence name the PSTN reports show (`MCOPSTN1` ...)."""
    max_call_seconds: int = MAX_CALL_SECONDS
    """The longest call a log may hold; a longer (or not finite) duration is a bad row."""


class PlanCatalog:
    """Every country's Calling Plans, read once from a directory of TOML files."""

    def __init__(self, countries: dict[str, CountryPlans], billing: BillingRules) -> None:
        self.countries = countries
        self.billing = billing

    def regions(self) -> tuple[str, ...]:
        return tuple(sorted(self.countries))

    def country(self, region: str) -> CountryPlans:
        """The plans of a region, or an error naming where plans are sold."""
        found = self.countries.get(region.upper())
        if found is None:
            raise UnknownCallingPlanError(
                f"Calling Plans are not sold in {region.upper()} (sold in: {', '.join(self.regions())})"
            )
        return found

    def plan(self, region: str, plan_id: str) -> CallingPlan:
        return self.country(region).plan(plan_id)


def _need(table: dict[str, Any], key: str, kind: type, file: str, where: str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise TenantFileError(f"{where}: must be a {kind.__name__}", file=file, field=key)
    return value


def _country(path: Path) -> CountryPlans:
    file = str(path)
    try:
        data = tomli.loads(path.read_text(encoding="utf-8"))
    except tomli.TOMLDecodeError as exc:
        raise TenantFileError(f"not valid TOML: {exc}", file=file) from None
    region = _need(data, "region", str, file, "country")
    if region != path.stem:
        raise TenantFileError(f"region {region!r} does not match the file name", file=file, field="region")
    plans: list[CallingPlan] = []
    for index, entry in enumerate(_need(data, "plans", list, file, "country")):
        where = f"plans[{index}]"
        plan_id = _need(entry, "id", str, file, where)
        if not _PLAN_ID.fullmatch(plan_id):
            raise TenantFileError(
                f"{where}: plan id {plan_id!r} is not domestic-<minutes>, international or payg",
                file=file,
                field="id",
            )
        plan = CallingPlan(
            id=plan_id,
            domestic_minutes=int(entry.get("domestic_minutes", 0)),
            international_minutes=int(entry.get("international_minutes", 0)),
            source=_need(entry, "source", str, file, where),
        )
        if plan.kind is PlanKind.DOMESTIC and plan.domestic_minutes != int(plan_id.split("-")[1]):
            raise TenantFileError(
                f"{where}: plan {plan_id!r} has {plan.domestic_minutes} domestic minutes",
                file=file,
                field="domestic_minutes",
            )
        plans.append(plan)
    domestic = data.get("domestic", {})
    pool = data.get("pool", {})
    premium = data.get("premium", {})
    for name, table in (("domestic", domestic), ("pool", pool), ("premium", premium)):
        if table:
            _need(table, "source", str, file, f"[{name}]")
    return CountryPlans(
        region=region,
        name=_need(data, "name", str, file, "country"),
        zone=_need(data, "zone", str, file, "country"),
        plans=tuple(plans),
        domestic_regions=frozenset(domestic.get("regions", [region])),
        pool_region=pool.get("region", region),
        premium=PremiumAccess(premium.get("allowed", "none")),
        premium_prefixes=tuple(premium.get("prefixes", ())),
        source=_need(data, "source", str, file, "country"),
        domestic_source=domestic.get("source", ""),
        premium_source=premium.get("source", ""),
        pool_source=pool.get("source", ""),
    )


def _capabilities(zones: dict[str, Any], file: str) -> dict[str, str]:
    table = zones.get("capabilities", {})
    if table:
        _need(table, "source", str, file, "[capabilities]")
    return {key: str(value) for key, value in table.items() if key != "source"}


def load_plan_catalog(directory: Path) -> PlanCatalog:
    """Read `zones.toml` and every country file of a directory."""
    zones_path = directory / "zones.toml"
    zones = tomli.loads(zones_path.read_text(encoding="utf-8"))
    billing = _need(zones, "billing", dict, str(zones_path), "zones")
    pooling = _need(zones, "pooling", dict, str(zones_path), "zones")
    rules = BillingRules(
        increment_seconds=_need(billing, "increment_seconds", int, str(zones_path), "[billing]"),
        increment_source=_need(billing, "source", str, str(zones_path), "[billing]"),
        pooling_source=_need(pooling, "source", str, str(zones_path), "[pooling]"),
        capabilities=_capabilities(zones, str(zones_path)),
        max_call_seconds=int(billing.get("max_call_seconds", MAX_CALL_SECONDS)),
    )
    known_zones = {zone["id"] for zone in zones.get("zones", [])}
    countries: dict[str, CountryPlans] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name == "zones.toml":
            continue
        country = _country(path)
        if country.zone not in known_zones:
            raise TenantFileError(f"unknown zone {country.zone!r}", file=str(path), field="zone")
        countries[country.region] = country
    return PlanCatalog(countries, rules)


@lru_cache(maxsize=1)
def default_plan_catalog() -> PlanCatalog:
    """The shipped catalog (`rules/calling_plans/`), read once."""
    return load_plan_catalog(rules_dir() / "calling_plans")
