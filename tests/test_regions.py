"""Service country plans across prefix families: dial string -> what comes out."""

from __future__ import annotations

import pytest

from normalizer import Simulator, Tenant

SERVICE_ONLY = Simulator(Tenant(name="service only"))

# region, dialed, translated_number (None: no rule), matching rule, final_number, call_type
CASES = [
    ("US", "011 33 1 45 67 89 00", "+33145678900", "US Intl Dialing", "+33145678900", "international"),
    ("US", "1 (201) 555-0123", "+12015550123", "US Long Distance", "+12015550123", "domestic"),
    ("US", "201 555 0123", None, None, "+12015550123", "domestic"),
    ("US", "1 506 234 5678", "+15062345678", "US Long Distance", "+15062345678", "international"),
    ("CA", "1 506 234 5678", "+15062345678", "CA Long Distance", "+15062345678", "domestic"),
    ("CA", "011 44 121 234 5678", "+441212345678", "CA Intl Dialing", "+441212345678", "international"),
    ("GB", "01212 345678", "+441212345678", "GB Long Distance", "+441212345678", "domestic"),
    ("GB", "00 1 201 555 0123", "+12015550123", "GB Intl Dialing", "+12015550123", "international"),
    ("FR", "01 23 45 67 89", "+33123456789", "FR Long Distance", "+33123456789", "domestic"),
    ("FR", "06 12 34 56 78", "+33612345678", "FR Long Distance", "+33612345678", "domestic"),
    ("DE", "030 123456", "+4930123456", "DE Long Distance", "+4930123456", "domestic"),
    ("DE", "0044 121 234 5678", "+441212345678", "DE Intl Dialing", "+441212345678", "international"),
    ("AU", "0011 44 121 234 5678", "+441212345678", "AU Intl Dialing", "+441212345678", "international"),
    ("AU", "02 1234 5678", "+61212345678", "AU Long Distance", "+61212345678", "domestic"),
    ("NZ", "00 61 2 1234 5678", "+61212345678", "NZ Intl Dialing", "+61212345678", "international"),
    ("NZ", "0161 61 2 1234 5678", "+61212345678", "NZ Intl Dialing", "+61212345678", "international"),
    ("NZ", "03 234 5678", "+6432345678", "NZ Long Distance", "+6432345678", "domestic"),
    ("JP", "010 44 121 234 5678", "+441212345678", "JP Intl Dialing", "+441212345678", "international"),
    ("JP", "03 1234 5678", "+81312345678", "JP Long Distance", "+81312345678", "domestic"),
    ("SG", "001 44 121 234 5678", "+441212345678", "SG Intl Dialing", "+441212345678", "international"),
    ("SG", "6123 4567", None, None, "+6561234567", "domestic"),
    ("DK", "00 46 8 123 456 78", "+46812345678", "DK Intl Dialing", "+46812345678", "international"),
    ("DK", "32 12 34 56", None, None, "+4532123456", "domestic"),
    ("NO", "22 12 34 56", None, None, "+4722123456", "domestic"),
    ("IN", "011 2345 6789", "+911123456789", "IN Long Distance", "+911123456789", "domestic"),
    ("IN", "00 1 201 555 0123", "+12015550123", "IN Intl Dialing", "+12015550123", "international"),
    ("BR", "0 21 11 96123 4567", "+5511961234567", "BR Long Distance", "+5511961234567", "domestic"),
    ("BR", "0021 44 121 234 5678", "+441212345678", "BR Intl Dialing", "+441212345678", "international"),
    ("CN", "010 1234 5678", "+861012345678", "CN Long Distance", "+861012345678", "domestic"),
    ("CN", "00 44 121 234 5678", "+441212345678", "CN Intl Dialing", "+441212345678", "international"),
    ("ZA", "010 123 4567", "+27101234567", "ZA Long Distance", "+27101234567", "domestic"),
    ("MX", "00 1 201 555 0123", "+12015550123", "MX Intl Dialing", "+12015550123", "international"),
    ("MX", "200 123 4567", None, None, "+522001234567", "domestic"),
    ("RU", "8 10 44 121 234 5678", "+441212345678", "RU Intl Dialing", "+441212345678", "international"),
    ("RU", "8 301 123 4567", "+73011234567", "RU Long Distance", "+73011234567", "domestic"),
    ("IT", "02 1234 5678", None, None, "+390212345678", "domestic"),
    ("IT", "00 33 1 23 45 67 89", "+33123456789", "IT Intl Dialing", "+33123456789", "international"),
    ("ES", "810 12 34 56", None, None, "+34810123456", "domestic"),
    ("AE", "02 234 5678", "+97122345678", "AE Long Distance", "+97122345678", "domestic"),
    ("AE", "00 91 11 2345 6789", "+911123456789", "AE Intl Dialing", "+911123456789", "international"),
]


@pytest.mark.parametrize(
    ("region", "dialed", "translated", "rule", "final", "call_type"),
    CASES,
    ids=[f"{case[0]}-{case[1]}" for case in CASES],
)
def test_service_plan(region: str, dialed: str, translated: str | None, rule: str | None, final: str, call_type: str) -> None:
    result = SERVICE_ONLY.normalize(dialed, usage_location=region)
    assert result.translated_number == translated
    assert (result.matching_rule.rule.name if result.matching_rule else None) == rule
    assert result.final_number == final
    assert str(result.call_type) == call_type
    if call_type in ("domestic", "international"):
        assert result.classification.is_valid_number, result.classification


EMERGENCY = [("US", "911"), ("US", "933"), ("GB", "999"), ("GB", "112"), ("FR", "112"), ("FR", "15"),
             ("FR", "17"), ("FR", "18"), ("AU", "000"), ("AU", "112"), ("NZ", "111"), ("DE", "110")]


@pytest.mark.parametrize(("region", "dialed"), EMERGENCY, ids=[f"{r}-{d}" for r, d in EMERGENCY])
def test_emergency_numbers(region: str, dialed: str) -> None:
    result = SERVICE_ONLY.normalize(dialed, usage_location=region)
    assert str(result.call_type) == "emergency"
    assert result.final_number == dialed
    assert result.is_emergency


def test_emergency_is_recognised_before_rules_but_shows_what_rules_produce(simulator: Simulator) -> None:
    result = simulator.normalize("112", user="marcel.beauchamp@contoso.com")
    assert str(result.call_type) == "emergency"
    assert result.final_number == "112"
    assert result.translated_number == "112"
    assert result.matching_rule is not None and result.matching_rule.rule.name == "FR-Service"


def test_emergency_numbers_are_per_region() -> None:
    assert str(SERVICE_ONLY.normalize("999", usage_location="US").call_type) != "emergency"
    assert str(SERVICE_ONLY.normalize("933", usage_location="GB").call_type) != "emergency"


def test_extension_and_service_calls(simulator: Simulator) -> None:
    assert str(simulator.normalize("7123", user="marcel.beauchamp@contoso.com").call_type) == "extension"
    result = simulator.normalize("3949", user="marcel.beauchamp@contoso.com")
    assert (str(result.call_type), result.final_number) == ("service", "3949")


def test_number_type_and_destination() -> None:
    result = SERVICE_ONLY.normalize("0800 123 456", usage_location="FR")
    assert result.classification.number_type == "toll_free"
    assert result.classification.destination_region == "FR"
    mobile = SERVICE_ONLY.normalize("06 12 34 56 78", usage_location="FR")
    assert mobile.classification.number_type == "mobile"
