"""Emergency numbers: the bulk path's per-region checker answers as `is_emergency`."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from normalizer import countries
from normalizer.emergency import default_emergency_numbers

REGIONS = countries.regions()


def test_checker_recognises_every_listed_number() -> None:
    numbers = default_emergency_numbers()
    for region in REGIONS:
        is_emergency = numbers.checker(region)
        for number in numbers.all_numbers(region):
            assert is_emergency(number), (region, number)
            longer = number + "0"  # one digit past the longest: only the length decides
            assert is_emergency(longer) == numbers.is_emergency(longer, region), (region, longer)


@settings(max_examples=3000, deadline=None)
@given(
    digits=st.text("0123456789", max_size=9) | st.text("0123456789+*#x", max_size=6),
    region=st.sampled_from(REGIONS),
)
@example(digits="112", region="FR")
@example(digits="933", region="US")  # an override of rules/emergency.toml
@example(digits="1120", region="FR")
@example(digits="116117", region="DE")
def test_checker_equals_is_emergency(digits: str, region: str) -> None:
    numbers = default_emergency_numbers()
    assert numbers.checker(region)(digits) == numbers.is_emergency(digits, region)
