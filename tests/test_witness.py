"""Witness strings: every one matches its pattern, and they reach the pattern's bounds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from normalizer.dotnet import dialect
from normalizer.dotnet.witness import witnesses
from normalizer.errors import PatternError
from tests.strategies import patterns


def matches(pattern: str, text: str) -> bool:
    return dialect.compile_pattern(pattern).regex.search(text) is not None


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"^(7\d{3})$", {"7111", "7000", "7999"}),
        pytest.param(r"^(\d{4,6})$", {"1111", "11111", "111111"}, id="every-length-of-a-range"),
        pytest.param(
            r"^(1\d{1,2}|11[68]\d{3}|10\d{2}|3\d{3})$",
            {"11", "116111", "1011", "3111", "118111"},
            id="every-branch-and-class-end",
        ),
        pytest.param(r"^0?(80\d{7})\d*$", {"801111111", "0801111111", "8011111111"}, id="optional-parts"),
        pytest.param(r"^\+?1?([2-9]\d{9})$", {"2111111111", "9111111111", "+2111111111"}, id="class-ends"),
        pytest.param(r"^[^0-9]$", {"+"}, id="negated-class"),
        pytest.param(r"(\d{4})", {"1111"}, id="unanchored"),
        pytest.param(r"^(?<ext>7\d{3})$", {"7111"}, id="named-group"),
        pytest.param(r"^(?<n>\d)(?<n>0)$", {"10"}, id="repeated-group-name"),
        pytest.param(r"^00(\d+)$", {"001", "0011", "00" + "1" * 11}, id="unbounded"),
    ],
)
def test_witnesses_reach_the_bounds(pattern: str, expected: set[str]) -> None:
    found = witnesses(pattern)
    assert expected <= set(found)
    assert all(matches(pattern, text) for text in found)


def test_look_arounds_are_enforced_by_the_check() -> None:
    found = witnesses(r"^(?!000)(\d{3})$")
    assert found and "000" not in found
    assert all(matches(r"^(?!000)(\d{3})$", text) for text in found)


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        pytest.param(r"^(\d)\1$", "back references are not supported", id="back-reference"),
        pytest.param(r"^(?<a>\d)\k<a>$", "back references are not supported", id="named-back-reference"),
        pytest.param(r"^\p{Nd}+$", r"\p{...} escapes are not supported", id="unicode-property"),
        pytest.param(r"^(\d+$", "not enough )'s", id="broken-pattern"),
    ],
)
def test_patterns_the_generator_cannot_read_raise_pattern_error(pattern: str, fragment: str) -> None:
    with pytest.raises(PatternError, match=re.escape(fragment)):
        witnesses(pattern)


@settings(max_examples=200, deadline=None)
@given(pattern=patterns())
def test_every_witness_matches_and_readable_patterns_have_one(pattern: str) -> None:
    try:
        found = witnesses(pattern)
    except PatternError:
        assert "\\1" in pattern  # the only construct the strategy makes that we cannot read
        return
    # Anchors and boundaries generate nothing: `\d\b\d` has no witness (nor any match).
    assert found or "\\b" in pattern, pattern
    assert len(set(found)) == len(found)
    assert all(matches(pattern, text) for text in found)
    assert witnesses(pattern) == found
