"""Call classification: what kind of call a normalized dial string is.

`emergency` (an emergency number of the usage location), `extension` (the
winning rule is an internal extension rule), `domestic` / `international` (the
final E.164 number is valid and its region is / is not the usage location; NANP
shares +1, so a US user calling Canada is international), `service` (a valid short number of
the region, left as is), `unknown` (anything else).

>>> classify("+33145678900", "FR").call_type
<CallType.DOMESTIC: 'domestic'>
>>> classify("+14165550100", "US").call_type
<CallType.INTERNATIONAL: 'international'>
>>> classify("+11800FLOWERS", "US")
Classification(call_type=<CallType.UNKNOWN: 'unknown'>, destination_region=None, number_type=None, is_valid_number=False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from normalizer import countries


class CallType(StrEnum):
    """The kind of a call."""

    EMERGENCY = "emergency"
    EXTENSION = "extension"
    DOMESTIC = "domestic"
    INTERNATIONAL = "international"
    SERVICE = "service"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Classification:
    """A call's type, destination region and number type."""

    call_type: CallType
    destination_region: str | None
    number_type: str | None
    is_valid_number: bool


def e164_part(number: str) -> str:
    """The number without a `;ext=` suffix."""
    return number.split(";", 1)[0]


def classify(
    final_number: str,
    region: str,
    *,
    is_emergency: bool = False,
    is_extension: bool = False,
) -> Classification:
    """Classify the number the service dials for a user of `region`."""
    call_type, destination_region, number_type, is_valid = classify_fields(
        final_number, region.upper(), is_emergency, is_extension
    )
    return Classification(_CALL_TYPES[call_type], destination_region, number_type, is_valid)


_CALL_TYPES = {kind.value: kind for kind in CallType}
_EMERGENCY, _EXTENSION, _DOMESTIC = CallType.EMERGENCY.value, CallType.EXTENSION.value, CallType.DOMESTIC.value
_INTERNATIONAL, _SERVICE, _UNKNOWN = CallType.INTERNATIONAL.value, CallType.SERVICE.value, CallType.UNKNOWN.value

_LETTER = re.compile(r"[^\W\d_]")
"""A letter, in any script."""

Fields = tuple[str, str | None, str | None, bool]
"""A classification as plain values: call type, destination region, number type, is valid."""


def classify_fields(final_number: str, region: str, is_emergency: bool, is_extension: bool) -> Fields:
    """`classify` as plain values, for an upper-case `region`: the bulk path's form (no objects)."""
    if is_emergency:
        return (_EMERGENCY, region, "emergency", True)
    if final_number[:1] == "+":
        e164 = final_number if ";" not in final_number else final_number.split(";", 1)[0]
        if not e164[1:].isdigit() and _LETTER.search(e164) is not None:
            # Letters left in the number (1-800-FLOWERS): phonenumbers reads them as their
            # keypad digits, but the number dialled keeps them, so it is no valid number.
            return (_EXTENSION if is_extension else _UNKNOWN, None, None, False)
        destination, number_type, is_valid = countries.number_fields(e164)
        if is_extension:
            call_type = _EXTENSION
        elif not is_valid:
            # An invalid number has no real destination, whatever its calling code says.
            call_type = _UNKNOWN
        elif destination is None:
            # A valid number of no region (+800, +881: phonenumbers' `001`) is not the usage location's.
            call_type = _INTERNATIONAL
        elif destination == region:
            call_type = _DOMESTIC
        else:
            call_type = _INTERNATIONAL
        return (call_type, destination, number_type, is_valid)
    if is_extension:
        return (_EXTENSION, None, None, False)
    if countries.is_valid_short_number(final_number, region):
        return (_SERVICE, region, "short_code", True)
    return (_UNKNOWN, None, None, False)
