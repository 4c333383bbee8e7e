"""Every region's service plan loads, compiles and passes the examples its files carry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer import Simulator, Tenant
from normalizer.catalog import ServiceCatalog, default_catalog
from normalizer.engine import clean
from normalizer.errors import DialplanInputError, TenantFileError, UnknownRegionError

CATALOG = default_catalog()
SERVICE_ONLY = Simulator(Tenant(name="service only"))
REGIONS = CATALOG.regions()


def test_every_region_has_a_plan_of_the_teams_shape() -> None:
    assert len(REGIONS) >= 240
    for region in REGIONS:
        plan = CATALOG.service_plan(region)
        names = [rule.name for rule in plan.rules]
        assert names[:2] == [f"{region} Intl Dialing", f"{region} Extension Rule"], region
        facts = CATALOG.facts(region)
        assert (f"{region} Long Distance" in names) == bool(facts.national_prefix), region
        SERVICE_ONLY.normalizer(SERVICE_ONLY.effective(usage_location=region))  # compiles


def test_plans_are_cached() -> None:
    assert CATALOG.service_plan("GB") is CATALOG.service_plan("gb")


@pytest.mark.parametrize("example", CATALOG.examples(), ids=lambda e: f"{Path(e.file).name}-{e.region}-{e.dialed_number}")
def test_shipped_examples(example) -> None:  # type: ignore[no-untyped-def]
    result = SERVICE_ONLY.normalize(example.dialed_number, usage_location=example.region)
    assert (result.translated_number or "") == example.translated_number
    if example.matching_rule is not None:
        assert result.matching_rule is not None and result.matching_rule.rule.name == example.matching_rule
    if example.call_type is not None:
        assert str(result.call_type) == example.call_type


def test_every_override_cites_its_source() -> None:
    assert CATALOG.override_paths()
    for path, document in CATALOG.overrides.items():
        assert isinstance(document.get("source"), str) and document["source"], path


def test_unknown_region_is_an_error() -> None:
    with pytest.raises(UnknownRegionError, match="'QQ'"):
        CATALOG.service_plan("QQ")


def test_catalog_reads_fixture_data(tmp_path: Path) -> None:
    (tmp_path / "overrides").mkdir()
    (tmp_path / "template.toml").write_text(
        "[[rules]]\nname = '{region} Only'\npattern = '^9(\\d+)$'\ntranslation = '+{calling_code}$1'\n",
        encoding="utf-8",
    )
    (tmp_path / "overrides" / "FR.toml").write_text(
        "source = 'test'\n[[replace]]\nname = '{region} Only'\ntranslation = '+0$1'\n", encoding="utf-8"
    )
    catalog = ServiceCatalog(tmp_path)
    assert [(r.name, r.translation) for r in catalog.service_plan("GB").rules] == [("GB Only", "+44$1")]
    assert [(r.name, r.translation) for r in catalog.service_plan("FR").rules] == [("FR Only", "+0$1")]


def test_broken_override_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "overrides").mkdir()
    (tmp_path / "template.toml").write_text("[[rules]]\nname='A'\npattern='^1$'\ntranslation='2'\n", encoding="utf-8")
    (tmp_path / "overrides" / "FR.toml").write_text("[[replace]]\nname = 'B'\n", encoding="utf-8")
    with pytest.raises(TenantFileError, match="FR.toml.*no rule 'B'"):
        ServiceCatalog(tmp_path).service_plan("FR")


@settings(max_examples=300, deadline=None)
@given(region=st.sampled_from(REGIONS), dialed=st.text(max_size=24) | st.from_regex(r"\A[0-9+ ()\-.x;=#*]{0,20}\Z"))
def test_arbitrary_dial_strings_never_crash(region: str, dialed: str) -> None:
    undialable = re.search(r"[^0-9A-Za-z+*#;= \-.()]", dialed)
    if undialable:
        with pytest.raises(DialplanInputError, match=f"at position {undialable.start()} cannot be dialled"):
            SERVICE_ONLY.normalize(dialed, usage_location=region)
        return
    if not clean(dialed):
        with pytest.raises(DialplanInputError, match="nothing to dial"):
            SERVICE_ONLY.normalize(dialed, usage_location=region)
        return
    result = SERVICE_ONLY.normalize(dialed, usage_location=region)
    assert str(result.call_type) in {"emergency", "extension", "domestic", "international", "service", "unknown"}
    assert isinstance(result.final_number, str)
    result.to_dict()
