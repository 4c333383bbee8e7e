"""`countries` answers exactly as phonenumbers does, through its compiled metadata.

The reference functions below are phonenumbers' own calls, the way `countries`
asked them before it compiled the metadata; every answer must be equal.
"""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

from normalizer import countries
from normalizer.countries import NumberFacts

_TYPES = (
    "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "voip",
    "personal_number", "pager", "uan", "voicemail", "general_desc",
)
CODES = sorted(COUNTRY_CODE_TO_REGION_CODE)
REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
digits = st.text("0123456789", max_size=18)


def reference_facts(e164: str) -> NumberFacts:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return NumberFacts(None, "unknown", False)
    region = phonenumbers.region_code_for_number(number)
    kind = phonenumbers.number_type(number)
    names = {value: name.lower() for name, value in vars(phonenumbers.PhoneNumberType).items() if name.isupper()}
    if region in (None, "ZZ", "001"):
        region = phonenumbers.region_code_for_country_code(number.country_code or 0)
        region = None if region in ("ZZ", "001") else region
    return NumberFacts(region, names[kind], bool(phonenumbers.is_valid_number(number)))


def reference_short(number: str, region: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_short_number_for_region(parsed, region))


def example_numbers() -> list[str]:
    """Every region's and non-geographic code's example number of every type, as E.164."""
    found: list[str] = []
    metadata = [PhoneMetadata.metadata_for_region(region) for region in REGIONS]
    metadata += [PhoneMetadata.metadata_for_nongeo_region(code) for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS]
    for entry in metadata:
        for name in _TYPES:
            desc = getattr(entry, name) if entry else None
            if entry and desc is not None and desc.example_number:
                found.append(f"+{entry.country_code}{desc.example_number}")
    return found


def short_examples() -> list[tuple[str, str]]:
    """Every region's short-number examples (emergency, short codes, carrier codes ...)."""
    found: list[tuple[str, str]] = []
    for region in sorted(phonenumbers.SUPPORTED_SHORT_REGIONS):
        entry = PhoneMetadata.short_metadata_for_region(region)
        for name in ("general_desc", "toll_free", "standard_rate", "premium_rate", "short_code",
                     "emergency", "carrier_specific", "sms_services"):
            desc = getattr(entry, name, None) if entry else None
            if desc is not None and desc.example_number:
                found.append((desc.example_number, region))
    return found


def test_every_example_number_has_phonenumbers_facts() -> None:
    numbers = example_numbers()
    assert len(numbers) > 1000
    for number in numbers:
        assert countries.number_facts.__wrapped__(number) == reference_facts(number), number
        # One digit more and one fewer: the edges of the possible lengths.
        for edge in (number + "0", number + "9", number[:-1]):
            assert countries.number_facts.__wrapped__(edge) == reference_facts(edge), edge


@settings(max_examples=3000, deadline=None)
@given(code=st.sampled_from(CODES), national=digits)
@example(code=1, national="2015550123")
@example(code=1, national="12015550123")  # a trunk prefix after +1
@example(code=44, national="02079460000")
@example(code=7, national="7012345678")  # Kazakhstan by its leading digits
@example(code=39, national="0612345678")  # Italian leading zero
@example(code=800, national="12345678")  # non-geographic
def test_number_facts_equal_phonenumbers(code: int, national: str) -> None:
    number = f"+{code}{national}"
    assert countries.number_facts.__wrapped__(number) == reference_facts(number)


def _main_metadata(code: int) -> object:
    return PhoneMetadata.metadata_for_region_or_calling_code(code, COUNTRY_CODE_TO_REGION_CODE[code][0])


_PREFIXED_CODES = [code for code in CODES if getattr(_main_metadata(code), "national_prefix_for_parsing", None)]


@st.composite
def numbers_after_a_national_prefix(draw: st.DrawFn) -> tuple[int, str]:
    """A calling code, then a national (trunk) prefix `parse` may strip and an example number of the code or digits."""
    code = draw(st.sampled_from(_PREFIXED_CODES))
    metadata = _main_metadata(code)
    prefix = draw(st.from_regex(f"(?:{metadata.national_prefix_for_parsing})", fullmatch=True, alphabet="0123456789"))  # type: ignore[attr-defined]
    examples = [
        desc.example_number
        for desc in (getattr(metadata, name, None) for name in _TYPES)
        if desc is not None and desc.example_number
    ]
    rest = draw(st.sampled_from(examples) | digits if examples else digits)
    edge = draw(st.sampled_from(["", "0", "-"]))
    return code, f"{prefix}{rest[:-1] if edge == '-' else rest + edge}"


@settings(max_examples=1500, deadline=None)
@given(case=numbers_after_a_national_prefix())
@example(case=(44, "02079460000"))  # GB's trunk 0
@example(case=(44, "180020123456"))  # GB's other prefix for parsing
@example(case=(54, "01115123456789"))  # AR: a prefix transformed (9 and the area code)
@example(case=(55, "012345678901"))  # BR: a carrier code before the number
@example(case=(81, "000212345"))  # JP: a transform of the whole number
@example(case=(261, "0201234567"))  # MG: a transform that adds digits
@example(case=(7, "871178841424"))  # RU: stripped to a length between the possible ones, kept
@example(case=(33, "012"))  # stripped to one digit: too short
def test_numbers_after_a_national_prefix_equal_phonenumbers(case: tuple[int, str]) -> None:
    code, national = case
    number = f"+{code}{national}"
    assert countries.number_facts.__wrapped__(number) == reference_facts(number)
    # The national number `parse` keeps, where `countries` reads it without `parse`.
    found = countries._calling_code(code).national_number(national)  # type: ignore[union-attr]
    if found is not None:
        try:
            expected = phonenumbers.national_significant_number(phonenumbers.parse(number, None))
        except phonenumbers.NumberParseException:
            expected = ""
        assert found == expected


@settings(max_examples=500, deadline=None)
@given(number=st.text("0123456789", min_size=0, max_size=21).map(lambda text: f"+{text}")
       | st.text("0123456789+ -()x;#ext=", max_size=20))
@example(number="+12")
@example(number="+0123456")
@example(number="+999123456")
@example(number="+33 1 45 67 89 00")
def test_unusual_numbers_equal_phonenumbers(number: str) -> None:
    assert countries.number_facts.__wrapped__(number) == reference_facts(number)


def test_short_and_emergency_examples_equal_phonenumbers() -> None:
    cases = short_examples()
    assert len(cases) > 500
    for number, region in cases:
        for text in (number, number + "1", number[:-1]):
            if not text:
                continue
            assert countries.is_valid_short_number.__wrapped__(text, region) == reference_short(text, region), (text, region)
            assert countries.is_emergency_number.__wrapped__(text, region) == bool(
                phonenumbers.is_emergency_number(text, region)
            ), (text, region)


@settings(max_examples=3000, deadline=None)
@given(number=st.text("0123456789", min_size=1, max_size=18), region=st.sampled_from(REGIONS))
@example(number="000", region="AU")
@example(number="3949", region="FR")
@example(number="118218", region="FR")
@example(number="0033123", region="FR")  # an international prefix
@example(number="33123", region="FR")  # the region's own calling code
def test_short_and_emergency_numbers_equal_phonenumbers(number: str, region: str) -> None:
    assert countries.is_valid_short_number.__wrapped__(number, region) == reference_short(number, region)
    assert countries.is_emergency_number.__wrapped__(number, region) == bool(
        phonenumbers.is_emergency_number(number, region)
    )


@pytest.mark.parametrize(
    ("number", "facts"),
    [
        pytest.param("+33145678900", NumberFacts("FR", "fixed_line", True), id="fr-fixed"),
        pytest.param("+14165550100", NumberFacts("CA", "fixed_line_or_mobile", True), id="nanp-by-patterns"),
        pytest.param("+77012345678", NumberFacts("KZ", "mobile", True), id="shared-code-by-leading-digits"),
        pytest.param("+800123", NumberFacts(None, "unknown", False), id="non-geographic-invalid"),
        pytest.param("+999123456", NumberFacts(None, "unknown", False), id="unused-calling-code"),
    ],
)
def test_number_facts(number: str, facts: NumberFacts) -> None:
    assert countries.number_facts(number) == facts


_TYPE_NAMES = {value: name.lower() for name, value in vars(phonenumbers.PhoneNumberType).items() if name.isupper()}
_ALL_METADATA = [PhoneMetadata.metadata_for_region(region) for region in REGIONS] + [
    PhoneMetadata.metadata_for_nongeo_region(code) for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS
]
_TYPED: dict[int, countries._Types] = {}


def _types_of(metadata: object) -> countries._Types:
    found = _TYPED.get(id(metadata))
    if found is None:
        found = _TYPED[id(metadata)] = countries._Types(metadata)  # type: ignore[arg-type]
    return found


@st.composite
def typed_numbers(draw: st.DrawFn) -> tuple[object, str]:
    """A region's (or non-geographic code's) metadata and a national number one of its types' patterns matches."""
    metadata = draw(st.sampled_from([entry for entry in _ALL_METADATA if entry is not None]))
    patterns = [
        desc.national_number_pattern
        for desc in (getattr(metadata, name) for name in _TYPES)
        if desc is not None and desc.national_number_pattern
    ]
    pattern = draw(st.sampled_from(patterns))
    national = draw(st.from_regex(f"(?:{pattern})", fullmatch=True, alphabet="0123456789"))
    # One digit more or fewer too: the edges of the possible lengths.
    edge = draw(st.sampled_from(["", "0", "9", "-"]))
    return metadata, national[:-1] if edge == "-" else national + edge


@settings(max_examples=1500, deadline=None)
@given(case=typed_numbers())
def test_number_types_equal_phonenumbers_on_numbers_of_every_type(case: tuple[object, str]) -> None:
    from phonenumbers.phonenumberutil import _number_type_helper

    metadata, national = case
    assert _types_of(metadata).of(national) == _TYPE_NAMES[_number_type_helper(national, metadata)]


def _synthetic_desc(pattern: str | None, lengths: tuple[int, ...] = ()) -> object:
    from types import SimpleNamespace

    return SimpleNamespace(national_number_pattern=pattern, possible_length=lengths)


@pytest.mark.parametrize("same", [False, True], ids=["own-mobile-pattern", "same-mobile-and-fixed-line"])
def test_number_types_of_patterns_with_capturing_groups_equal_phonenumbers(same: bool) -> None:
    from types import SimpleNamespace

    from phonenumbers.phonenumberutil import _number_type_helper

    # Overlapping types whose patterns capture: the joined expression must still
    # name the first type phonenumbers checks that matches the whole number.
    metadata = SimpleNamespace(
        general_desc=_synthetic_desc(r"(\d)(\d)\d{1,2}", (3, 4)),
        premium_rate=_synthetic_desc(r"(9)(\d)\d", (3,)),
        toll_free=_synthetic_desc(r"(8|9)\d{2,3}"),
        shared_cost=None,
        voip=_synthetic_desc(None),
        personal_number=_synthetic_desc(r"((7)(\d))\d"),
        pager=_synthetic_desc(r"6\d{2}", (4,)),
        uan=None,
        voicemail=_synthetic_desc(r"(5)\d\d|(55)\d\d"),
        fixed_line=_synthetic_desc(r"([1-4])(\d)\d{1,2}"),
        mobile=_synthetic_desc(r"(3|4)(\d{3})|2\d\d"),
        same_mobile_and_fixed_line_pattern=same,
    )
    types = countries._Types(metadata)  # type: ignore[arg-type]
    numbers = [str(n) for n in range(1000)] + [f"{n:04d}" for n in range(10000)] + ["", "12", "12345"]
    for national in numbers:
        assert types.of(national) == _TYPE_NAMES[_number_type_helper(national, metadata)], national
