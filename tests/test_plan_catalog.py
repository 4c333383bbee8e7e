"""The Calling Plan catalog (`rules/calling_plans/`) and `dialplan calling-plans`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from normalizer.billing.catalog import (
    PlanKind,
    PremiumAccess,
    default_plan_catalog,
    load_plan_catalog,
)
from normalizer.cli import main
from normalizer.data import rules_dir
from normalizer.errors import TenantFileError, UnknownCallingPlanError


def test_france_sells_the_documented_plans() -> None:
    france = default_plan_catalog().country("FR")
    assert {plan.id: (plan.domestic_minutes, plan.international_minutes) for plan in france.plans} == {
        "domestic-120": (120, 0),
        "domestic-240": (240, 0),
        "domestic-1200": (1200, 0),
        "international": (1200, 600),
        "payg": (0, 0),
    }
    assert france.premium is PremiumAccess.CREDITS
    assert france.plan("payg").kind is PlanKind.PAYG


def test_north_american_equivalences_and_shared_pool() -> None:
    catalog = default_plan_catalog()
    assert catalog.country("US").is_domestic("CA") and catalog.country("US").is_domestic("PR")
    assert catalog.country("CA").is_domestic("US")
    assert catalog.country("PR").pool_region == "US"
    assert not catalog.country("GB").is_domestic("FR")


def test_uk_premium_only_shared_cost_prefixes() -> None:
    gb = default_plan_catalog().country("GB")
    assert gb.allows_premium("+448431234567")
    assert not gb.allows_premium("+449012345678")


def test_every_shipped_fact_cites_a_source() -> None:
    catalog = default_plan_catalog()
    assert catalog.billing.increment_seconds == 60 and catalog.billing.increment_source
    for region in catalog.regions():
        country = catalog.country(region)
        assert country.source and all(plan.source for plan in country.plans), region
        if country.domestic_regions != {region}:
            assert country.domestic_source, region
        if country.premium is not PremiumAccess.NONE or country.premium_source:
            assert country.premium_source, region
        assert {plan.id for plan in country.plans} >= {"international", "payg"}, region


def test_plan_not_sold_is_an_error_naming_what_is() -> None:
    with pytest.raises(UnknownCallingPlanError, match=r"'domestic-3000' is not sold in FR \(sold: domestic-120"):
        default_plan_catalog().plan("FR", "domestic-3000")


def test_a_bad_catalog_file_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "zones.toml").write_text(
        (rules_dir() / "calling_plans" / "zones.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "FR.toml").write_text(
        'region = "FR"\nname = "France"\nzone = "zone-2"\nsource = "s"\n'
        '[[plans]]\nid = "domestic-100"\ndomestic_minutes = 120\nsource = "s"\n',
        encoding="utf-8",
    )
    with pytest.raises(TenantFileError, match=r"FR.toml: field 'domestic_minutes': plans\[0\]"):
        load_plan_catalog(tmp_path)


def test_cli_lists_one_region(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calling-plans", "ca"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("CA  Canada (zone-1-canada-uk; domestic: CA, PR, US;")
    assert "domestic-3000" in out


def test_cli_says_which_premium_numbers_are_reached(capsys: pytest.CaptureFixture[str]) -> None:
    for region in ("GB", "FR", "US"):
        assert main(["calling-plans", region]) == 0
    first = [line for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")]
    assert first == [
        ("GB  United Kingdom (zone-1-canada-uk; premium numbers: on credits, the prefixes "
        "+44843, +44844, +44845, +44870, +44871, +44872 only)"),
        "FR  France (zone-2; premium numbers: on credits)",
        "US  United States (zone-1-us; domestic: CA, PR, US; premium numbers: not reachable)",
    ]


def test_cli_json_all_regions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calling-plans", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"GB", "FR", "US", "CA", "PR", "DE"} <= {entry["region"] for entry in data}


def test_cli_region_without_plans_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calling-plans", "IT"]) == 2
    assert "Calling Plans are not sold in IT" in capsys.readouterr().err
