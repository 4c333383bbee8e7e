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
"""

from __future__ import annotations

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
    region = region.upper()
    if is_emergency:
        return Classification(CallType.EMERGENCY, region, "emergency", True)
    if final_number.startswith("+"):
        facts = countries.number_facts(e164_part(final_number))
        if is_extension:
            call_type = CallType.EXTENSION
        elif facts.region is None or not facts.is_valid_number:
            # An invalid number has no real destination, whatever its calling code says.
            call_type = CallType.UNKNOWN
        elif facts.region == region:
            call_type = CallType.DOMESTIC
        else:
            call_type = CallType.INTERNATIONAL
        return Classification(call_type, facts.region, facts.number_type, facts.is_valid_number)
    if is_extension:
        return Classification(CallType.EXTENSION, None, None, False)
    if countries.is_valid_short_number(final_number, region):
        return Classification(CallType.SERVICE, region, "short_code", True)
    return Classification(CallType.UNKNOWN, None, None, False)
