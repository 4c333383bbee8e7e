"""Country facts, from `phonenumbers` metadata: the only module that imports it.

Calling codes, international (IDD) and national (trunk) prefixes, emergency and
short numbers, and what an E.164 number is (region, type, validity). Source:
Google's libphonenumber metadata (PhoneNumberMetadata.xml, ShortNumberMetadata.xml).

>>> region_facts("GB").calling_code
44
>>> region_facts("XX")
Traceback (most recent call last):
...
normalizer.errors.UnknownRegionError: field 'usage_location': unknown region 'XX': not an ISO 3166 region that phonenumbers knows
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberType

from normalizer.errors import UnknownRegionError

_NUMBER_TYPES: dict[int, str] = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}


@dataclass(frozen=True, slots=True)
class RegionFacts:
    """What a service dial plan needs to know about one region."""

    region: str
    calling_code: int
    international_prefix: str
    """A regular expression of the IDD prefixes (e.g. `00`, `011`, `0(?:0|161)`)."""
    preferred_international_prefix: str | None
    national_prefix: str | None
    """The trunk prefix (`0`, `1`, `8`), or None where the region has none."""


@dataclass(frozen=True, slots=True)
class NumberFacts:
    """What phonenumbers says of one E.164 number."""

    region: str | None
    number_type: str
    is_valid_number: bool


def regions() -> tuple[str, ...]:
    """Every region phonenumbers has metadata for, sorted."""
    return tuple(sorted(phonenumbers.SUPPORTED_REGIONS))


def is_region(region: str) -> bool:
    """True when `region` is an ISO 3166 alpha-2 code phonenumbers knows."""
    return isinstance(region, str) and region.upper() in phonenumbers.SUPPORTED_REGIONS


@cache
def region_facts(region: str) -> RegionFacts:
    """The calling code and prefixes of a region; `UnknownRegionError` if unknown."""
    code = region.upper() if isinstance(region, str) else ""
    metadata = PhoneMetadata.metadata_for_region(code) if code else None
    if metadata is None or code not in phonenumbers.SUPPORTED_REGIONS:
        raise UnknownRegionError(
            f"unknown region {region!r}: not an ISO 3166 region that phonenumbers knows",
            field="usage_location",
        )
    return RegionFacts(
        region=code,
        calling_code=int(metadata.country_code or 0),
        international_prefix=metadata.international_prefix or "00",
        preferred_international_prefix=metadata.preferred_international_prefix,
        national_prefix=metadata.national_prefix or None,
    )


def calling_code(region: str) -> int:
    """The integer calling code of a region (44 for GB)."""
    return region_facts(region).calling_code


@lru_cache(maxsize=65536)
def number_facts(e164: str) -> NumberFacts:
    """Region, type and validity of a `+`-prefixed number; unknown when unparsable."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return NumberFacts(None, "unknown", False)
    region = phonenumbers.region_code_for_number(number)
    if region in (None, "ZZ", "001"):
        region = None
    kind = phonenumbers.number_type(number)
    # `is_valid_number` is exactly `number_type(...) != UNKNOWN` (both match the
    # national number against the same region's patterns); asking once saves a quarter.
    valid = kind != PhoneNumberType.UNKNOWN
    number_type = _NUMBER_TYPES.get(kind, "unknown")
    if region is None:
        # An invalid number still names its calling code's main region.
        region = phonenumbers.region_code_for_country_code(number.country_code or 0)
        region = None if region in ("ZZ", "001") else region
    return NumberFacts(region, number_type, valid)


@cache
def has_short_number_metadata(region: str) -> bool:
    """True when phonenumbers has short-number data (emergency lists) for a region."""
    return region.upper() in phonenumbers.SUPPORTED_SHORT_REGIONS


@cache
def emergency_number_pattern(region: str) -> str | None:
    """The region's emergency numbers as phonenumbers' national-number regular expression.

    The expression is matched against the whole dial string (`112|911` for US);
    None where the short-number metadata lists no emergency numbers.
    """
    metadata = PhoneMetadata.short_metadata_for_region(region.upper())
    if metadata is None or metadata.emergency is None:
        return None
    pattern = metadata.emergency.national_number_pattern
    return str(pattern) if pattern else None


@lru_cache(maxsize=65536)
def is_possible_e164(number: str) -> bool:
    """True when `number` is `+`, a calling code in use and a national number of a possible length."""
    if not number.startswith("+") or not number[1:].isascii() or not number[1:].isdigit():
        return False
    if len(number) > 16:
        return False
    try:
        parsed = phonenumbers.parse(number, None)
    except NumberParseException:
        return False
    return bool(phonenumbers.is_possible_number(parsed))


@lru_cache(maxsize=65536)
def is_emergency_number(digits: str, region: str) -> bool:
    """True when `digits` is exactly an emergency number of the region."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    return bool(phonenumbers.is_emergency_number(digits, region.upper()))


@lru_cache(maxsize=65536)
def is_valid_short_number(digits: str, region: str) -> bool:
    """True when `digits` is a valid short number (service code) of the region."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    try:
        number = phonenumbers.parse(digits, region.upper())
    except NumberParseException:
        return False
    return bool(phonenumbers.is_valid_short_number_for_region(number, region.upper()))
