"""Country facts, from `phonenumbers` metadata: the only module that imports it.

Calling codes, international (IDD) and national (trunk) prefixes, emergency and
short numbers, and what an E.164 number is (region, type, validity). Source:
Google's libphonenumber metadata (PhoneNumberMetadata.xml, ShortNumberMetadata.xml).
Number facts, emergency and short numbers come from that metadata compiled once
per calling code and region, answering exactly as phonenumbers' own functions
(tests/test_countries.py compares them); unusual input goes to phonenumbers itself.

>>> region_facts("GB").calling_code
44
>>> region_facts("XX")
Traceback (most recent call last):
...
normalizer.errors.UnknownRegionError: field 'usage_location': unknown region 'XX': not an ISO 3166 region that phonenumbers knows
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import phonenumbers
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    NumberParseException,
    PhoneMetadata,
    PhoneNumberType,
)

from normalizer import pattern_cache
from normalizer.errors import UnknownRegionError

# phonenumbers compiles a metadata pattern at each use, relying on the `re`
# module's cache of 512; numbers of many regions (a call-detail log) overflow
# it and recompile at every `parse`. Its own cache keeps each pattern once
# (bounded by the metadata); releases before it was added have none to enable.
_enable_pattern_cache = getattr(phonenumbers, "enable_pattern_cache", None)
if _enable_pattern_cache is not None:
    _enable_pattern_cache()

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


def region_of_calling_code(digits: str) -> str | None:
    """The main region of the calling code `digits` start with (`"3319999"` -> FR); None if none.

    Calling codes are prefix-free, so at most one of the first one to three digits is in use.
    """
    for length in (1, 2, 3):
        code = _CODES_IN_USE.get(digits[:length])
        if code is not None and len(digits) >= length:
            regions = COUNTRY_CODE_TO_REGION_CODE[code]
            return str(regions[0]) if regions and regions[0] != "001" else None
    return None


@lru_cache(maxsize=65536)
def number_facts(e164: str) -> NumberFacts:
    """Region, type and validity of a `+`-prefixed number; unknown when unparsable.

    phonenumbers' `parse`, then its `region_code_for_number`, `number_type` and
    `is_valid_number`, answered from metadata compiled once per calling code
    (`_calling_code`). Plain `+digits` skip `parse` too: the calling code is their
    first digits, and a national (trunk) prefix is stripped as `parse` strips it.
    """
    return NumberFacts(*_number_fields(e164))


def number_fields(e164: str) -> tuple[str | None, str, bool]:
    """`number_facts` as a plain (region, number type, is valid) tuple: the bulk path's form."""
    found = _FIELDS.get(e164)
    if found is None:
        if len(_FIELDS) >= _MAX_FIELDS:
            _FIELDS.clear()
        found = _FIELDS[e164] = _number_fields(e164)
    return found


_Fields = tuple[str | None, str, bool]

_FIELDS: dict[str, _Fields] = {}
"""`number_fields` answers by number. A plain dict, emptied when full: an LRU cache keeps
a node object per entry, and a bulk job's tens of thousands of them each made the
garbage collector walk every object of the process once more (about 30 ms a time)."""
_MAX_FIELDS = 65536
_UNKNOWN: _Fields = (None, "unknown", False)


def _number_fields(e164: str) -> _Fields:
    digits = e164[1:]
    if e164[:1] == "+" and 2 < len(digits) <= 20 and digits.isdigit() and digits.isascii():
        # `_extract_country_code`: the code its first digits start with (calling codes are
        # prefix-free; none starts with 0).
        code = _CODE_OF_PREFIX.get(digits[:3])
        if code is not None:
            compiled = _calling_code(code[1])
            if compiled is not None:
                rest = digits[code[0] :]
                prefix = compiled.national_prefix
                if _MIN_NSN <= len(rest) <= _MAX_NSN and (prefix is None or prefix.match(rest) is None):
                    return compiled.facts(rest)  # `parse` keeps it as it is
                national = compiled.national_number(rest)
                if national is not None:
                    return compiled.facts(national) if national else _UNKNOWN
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return _UNKNOWN
    compiled = _calling_code(number.country_code or 0)
    if compiled is None:
        return _parsed_number_facts(number)
    return compiled.facts(phonenumbers.national_significant_number(number))


_CODES_IN_USE = {str(code): code for code in COUNTRY_CODE_TO_REGION_CODE}
"""Every calling code in use, by its digits."""


def _code_of_prefix() -> dict[str, tuple[int, int]]:
    """Each three-digit start of a number with a calling code in use: (the code's length, the code)."""
    table: dict[str, tuple[int, int]] = {}
    for digits, code in _CODES_IN_USE.items():
        free = 3 - len(digits)
        for tail in range(10**free):
            table[digits + (f"{tail:0{free}d}" if free else "")] = (len(digits), code)
    return table


_CODE_OF_PREFIX = _code_of_prefix()


def _parsed_number_facts(number: phonenumbers.PhoneNumber) -> _Fields:
    """`number_facts` of a parsed number by phonenumbers' own classification."""
    region = phonenumbers.region_code_for_number(number)
    if region in (None, "ZZ", "001"):
        region = None
    kind = phonenumbers.number_type(number)
    # `is_valid_number` is exactly `number_type(...) != UNKNOWN` (both match the
    # national number against the same region's patterns).
    valid = kind != PhoneNumberType.UNKNOWN
    number_type = _NUMBER_TYPES.get(kind, "unknown")
    if region is None:
        # An invalid number still names its calling code's main region.
        region = phonenumbers.region_code_for_country_code(number.country_code or 0)
        region = None if region in ("ZZ", "001") else region
    return (region, number_type, valid)


# phonenumbers' metadata compiled once per calling code, for E.164 numbers written
# as plain digits. Each piece mirrors one function of phonenumbers (named beside it)
# and answers exactly as it does; a test compares them over many numbers.

_Desc = tuple[frozenset[int], str | None] | None
_MIN_NSN, _MAX_NSN = 2, 17  # phonenumbers' _MIN_LENGTH_FOR_NSN, _MAX_LENGTH_FOR_NSN


def _desc(desc: object) -> _Desc:
    """A PhoneNumberDesc as (possible lengths, pattern); patterns compile on first use."""
    if desc is None:
        return None
    pattern = getattr(desc, "national_number_pattern", None)
    lengths = frozenset(getattr(desc, "possible_length", None) or ())
    return (lengths, pattern or None)


def _matches(number: str, desc: _Desc) -> bool:
    """phonenumbers' `_is_number_matching_desc` (a whole match of a possible length)."""
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(number) not in lengths:
        return False
    return pattern is not None and _compiled(pattern).fullmatch(number) is not None


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """A metadata pattern compiled once per process (and its program kept on disk between runs)."""
    return pattern_cache.compiled(pattern)


# `_number_type_helper` checks these types in this order before fixed line and mobile.
_SPECIAL_TYPES = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)


_Plan = tuple[Callable[[str], "re.Match[str] | None"], dict[str, str], str | None]


class _Types:
    """phonenumbers' `_number_type_helper` for one region's metadata.

    One expression per region, compiled on first use, answering with one match: a
    branch per type with a pattern, in phonenumbers' order up to fixed line, each
    first checking the number's length against the type's possible lengths (what
    `_is_number_matching_desc` checks first), then its pattern; the first
    whole-matching branch names the type. It matches only where the general
    description does (lengths checked apart). Where mobile numbers have patterns of
    their own, the last part tries the fixed-line pattern as a lookahead, then the
    mobile pattern: fixed line alone is `fixed_line`, both `fixed_line_or_mobile`,
    mobile alone `mobile`, neither a valid number of no type.
    """

    __slots__ = ("branches", "general", "mobile", "same_mobile_and_fixed_line", "typing")

    def __init__(self, metadata: PhoneMetadata) -> None:
        self.general = _desc(metadata.general_desc)
        kinds = [(_NUMBER_TYPES[kind], _desc(getattr(metadata, name))) for name, kind in _SPECIAL_TYPES]
        kinds.append(("fixed_line", _desc(metadata.fixed_line)))
        self.branches = tuple((name, desc[0], desc[1]) for name, desc in kinds if desc is not None and desc[1] is not None)
        mobile = _desc(metadata.mobile)
        self.same_mobile_and_fixed_line = bool(metadata.same_mobile_and_fixed_line_pattern)
        self.mobile = None if self.same_mobile_and_fixed_line else mobile
        self.typing: _Plan | None = None

    def _compile(self) -> _Plan:
        """The typing expression (see the class)."""
        assert self.general is not None and self.general[1] is not None
        parts: list[str] = []
        names: dict[str, str] = {}

        def branch(kind: str, body: str) -> str:
            # Each branch is a named group (metadata patterns name none): the one that
            # matched is the last group closed, found without compiling each pattern apart.
            name = f"t{len(names)}"
            names[name] = kind
            return f"(?P<{name}>{body})"

        # `of` lets through only numbers of the general description's lengths: a type
        # possible at each of them needs no guard (most regions' types share their lengths).
        general_lengths = self.general[0]

        def guard_of(lengths: frozenset[int]) -> str | None:
            return "" if general_lengths and lengths >= general_lengths else _length_guard(lengths)

        mobile = None
        if self.mobile is not None and self.mobile[1] is not None:
            guard = guard_of(self.mobile[0])
            mobile = None if guard is None else f"{guard}(?:{self.mobile[1]})"
        fixed = None
        for kind, lengths, found in self.branches:
            guard = guard_of(lengths)
            if guard is None:
                continue  # no possible length: phonenumbers never tries it
            if kind == "fixed_line" and mobile is not None:
                fixed = f"{guard}(?=(?:{found})\\Z)"
            elif kind == "fixed_line" and self.same_mobile_and_fixed_line:
                parts.append(branch("fixed_line_or_mobile", f"{guard}(?:{found})"))
            else:
                parts.append(branch(kind, f"{guard}(?:{found})"))
        fixed_group = None
        if mobile is None:
            parts.append(branch("unknown", "(?s:.*)"))
        else:
            # The fixed-line lookahead or nothing, then the mobile pattern or the rest:
            # the last group closed tells which matched.
            head = ""
            if fixed is not None:
                fixed_group = f"t{len(names)}"
                head = f"{branch('fixed_line', fixed)}|"
            head = f"(?:{head}{branch('unknown', '')})"
            parts.append(f"{head}(?:{branch('mobile', mobile)}|(?s:.*))")
        combined = f"(?=(?:{self.general[1]})\\Z)(?:{'|'.join(parts)})"
        self.typing = (_compiled(combined).fullmatch, names, fixed_group)
        return self.typing

    def of(self, number: str) -> str:
        """The type name of a national significant number ("unknown" when invalid)."""
        general = self.general
        if general is None or general[1] is None or (general[0] and len(number) not in general[0]):
            return "unknown"
        typing = self.typing or self._compile()
        found = typing[0](number)
        if found is None:
            return "unknown"  # not of the general pattern
        kind = typing[1][found.lastgroup or ""]
        if kind == "mobile" and typing[2] is not None and found.start(typing[2]) >= 0:
            return "fixed_line_or_mobile"
        return kind


def _length_guard(lengths: frozenset[int]) -> str | None:
    """A lookahead that passes strings of these lengths ("" for any length; None: none is possible)."""
    if not lengths:
        return ""
    runs: list[list[int]] = []
    for length in sorted(size for size in lengths if size >= 0):
        if runs and runs[-1][1] == length - 1:
            runs[-1][1] = length
        else:
            runs.append([length, length])
    if not runs:
        return None
    sizes = "|".join(f".{{{low}}}" if low == high else f".{{{low},{high}}}" for low, high in runs)
    return f"(?=(?s:{sizes})\\Z)"


_NEVER = re.compile("(?!)")


class _CallingCode:
    """One calling code's regions and their compiled metadata."""

    __slots__ = (
        "answers", "general", "lengths", "local_lengths", "main", "members", "national_prefix", "shown",
        "transform",
    )

    def __init__(self, code: int, regions: tuple[str, ...], main: PhoneMetadata) -> None:
        # `parse` strips a national prefix by the main region's metadata.
        prefix = main.national_prefix_for_parsing
        self.national_prefix = _compiled(prefix) if prefix else None
        self.transform = main.national_prefix_transform_rule or None
        general = main.general_desc
        self.general = getattr(general, "national_number_pattern", None) or None
        self.lengths = tuple(getattr(general, "possible_length", None) or ())
        self.local_lengths = frozenset(getattr(general, "possible_length_local_only", None) or ())
        self.main = _Types(main)
        self.shown = None if regions[0] in ("ZZ", "001") else regions[0]
        self.answers = _answers(self.shown)
        # In the order `_region_code_for_number_from_list` tries them: a region
        # without leading digits by its types, and each run of regions with
        # leading digits as one expression whose first matching branch names it.
        members: list[tuple[re.Pattern[str] | None, dict[str, str], _Types | None]] = []
        run: list[tuple[str, str]] = []

        def close_run() -> None:
            if run:
                branches = "|".join(f"(?P<r{position}>{leading})" for position, (_, leading) in enumerate(run))
                names = {f"r{position}": region for position, (region, _) in enumerate(run)}
                members.append((_compiled(branches), names, None))
                run.clear()

        if len(regions) > 1:
            for region in regions:
                metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
                if metadata is None:
                    continue
                leading = metadata.leading_digits
                if leading is not None:
                    run.append((region, leading))
                else:
                    close_run()
                    members.append((None, {"": region}, _Types(metadata)))
            close_run()
        self.members = tuple(members)

    def national_number(self, national: str) -> str | None:
        """The national significant number `parse` makes of `+<code><national>` (plain digits).

        "" where `parse` refuses it (too short or too long once a national
        prefix is gone); None where only `parse` itself can say.
        """
        if not _MIN_NSN <= len(national) <= _MAX_NSN:
            return None
        prefix = self.national_prefix
        found = None if prefix is None else prefix.match(national)
        if found is None:
            return national
        # `_maybe_strip_national_prefix_carrier_code`: strip (or transform) the
        # prefix unless that turns a number of the general pattern into one that is not.
        groups = found.re.groups
        if self.transform is None or (groups and found.group(groups) is None):
            stripped = national[found.end() :]
        elif groups:
            stripped = found.re.sub(self.transform, national, count=1)
        else:
            return None  # a transform without a group: phonenumbers' own (failing) path
        if self._is_general(national) and not self._is_general(stripped):
            return national
        # `_test_number_length` by the general description: too short, local only or
        # a length between the possible ones keeps the prefix; too long does not.
        lengths, size = self.lengths, len(stripped)
        if not lengths:
            return None
        if size in self.local_lengths or size < lengths[0] or (size <= lengths[-1] and size not in lengths):
            return national
        return stripped if _MIN_NSN <= size <= _MAX_NSN else ""

    def _is_general(self, number: str) -> bool:
        """phonenumbers' `_match_national_number(number, general_desc, False)`: a whole match."""
        return self.general is not None and _compiled(self.general).fullmatch(number) is not None

    def facts(self, national: str) -> _Fields:
        """The facts of a number of this calling code, by its national significant number."""
        if not self.members:  # one region: `region_code_for_number` is it
            return self.answers[self.main.of(national)]
        # `_region_code_for_number_from_list`, then `number_type` by that region.
        for leading, names, types in self.members:
            if leading is not None:
                found = leading.match(national)
                if found is not None:
                    region = names[found.lastgroup or ""]
                    return _answers(region)[_region_types(region).of(national)]
            elif types is not None:
                kind = types.of(national)
                if kind != "unknown":
                    return _answers(names[""])[kind]
        return self.answers["unknown"]


@cache
def _answers(region: str | None) -> dict[str, _Fields]:
    """The facts of a region's numbers by type, each built once.

    Numbers share them: a bulk job classifying tens of thousands of numbers
    allocates no tuple per number for the garbage collector to count.
    """
    return {kind: (region, kind, kind != "unknown") for kind in _NUMBER_TYPES.values()}


@cache
def _region_types(region: str) -> _Types:
    metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
    assert metadata is not None  # the region comes from the calling code map
    return _Types(metadata)


@cache
def _calling_code(code: int) -> _CallingCode | None:
    """The compiled metadata of a calling code in use; None for an unused one."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(code)
    if not regions:
        return None
    main = PhoneMetadata.metadata_for_region_or_calling_code(code, regions[0])
    if main is None:
        return None
    return _CallingCode(code, tuple(regions), main)


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
    # phonenumbers' `is_emergency_number` on plain digits: a whole match of the pattern.
    pattern = _emergency_pattern(region.upper())
    return pattern is not None and pattern.fullmatch(digits) is not None


def emergency_matcher(region: str) -> Callable[[str], re.Match[str] | None] | None:
    """The whole-match function of a region's emergency pattern; None where it has none."""
    pattern = _emergency_pattern(region.upper())
    return None if pattern is None else pattern.fullmatch


@cache
def _emergency_pattern(region: str) -> re.Pattern[str] | None:
    pattern = emergency_number_pattern(region)
    return _compiled(pattern) if pattern else None


@lru_cache(maxsize=65536)
def is_valid_short_number(digits: str, region: str) -> bool:
    """True when `digits` is a valid short number (service code) of the region."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    region = region.upper()
    short = _short_numbers(region)
    if short is not None:
        found = short.is_valid(digits)
        if found is not None:
            return found
    try:
        number = phonenumbers.parse(digits, region)
    except NumberParseException:
        return False
    return bool(phonenumbers.is_valid_short_number_for_region(number, region))


class _ShortNumbers:
    """phonenumbers' `parse(digits, region)` + `is_valid_short_number_for_region`, compiled."""

    __slots__ = ("calling_code", "general", "idd", "national_prefix", "short_code")

    def __init__(self, metadata: PhoneMetadata, short: PhoneMetadata) -> None:
        self.idd = _compiled(metadata.international_prefix) if metadata.international_prefix else None
        prefix = metadata.national_prefix_for_parsing
        self.national_prefix = _compiled(prefix) if prefix else None
        self.calling_code = str(metadata.country_code)
        self.general = _desc(short.general_desc)
        self.short_code = _desc(short.short_code)

    def is_valid(self, digits: str) -> bool | None:
        """The answer for plain digits, or None when `parse` would rewrite them."""
        if not 3 <= len(digits) <= _MAX_NSN or digits.startswith(self.calling_code):
            return None
        if self.idd is not None and self.idd.match(digits):
            return None  # an international prefix: parse reads a calling code
        if self.national_prefix is not None and self.national_prefix.match(digits):
            return None  # parse may strip a national prefix
        # The number keeps the region's calling code, so the region matches it.
        return _matches(digits, self.general) and _matches(digits, self.short_code)


@cache
def _short_numbers(region: str) -> _ShortNumbers | None:
    if region not in phonenumbers.SUPPORTED_REGIONS:
        return None
    metadata = PhoneMetadata.metadata_for_region(region, None)
    short = PhoneMetadata.short_metadata_for_region(region, None)
    if metadata is None or short is None or short.short_code is None:
        return None
    if short.short_code.national_number_pattern is None:
        return None
    if region not in COUNTRY_CODE_TO_REGION_CODE.get(metadata.country_code or 0, ()):
        return None
    return _ShortNumbers(metadata, short)
