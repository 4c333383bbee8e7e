"""Regular languages of .NET patterns: the automaton accepts exactly what the engine matches."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.dotnet import dialect, shape
from normalizer.dotnet.language import explore, finite_strings, language, samples
from tests.strategies import dial_strings, patterns


def accepts(pattern: str, text: str) -> bool:
    found = language(pattern)
    assert found.automaton is not None
    # Non-ASCII digits are one stand-in character in the automaton of an ASCII pattern.
    mapped = "".join(shape.DIGIT_STAND_IN if c.isdigit() and not c.isascii() else c for c in text)
    return bool(found.automaton.fsm.accepts(mapped))


@settings(max_examples=150, deadline=None)
@given(patterns(), st.lists(dial_strings | st.sampled_from(["\n", "7123\n", "\u0667123", "x\n\n"]), max_size=6))
def test_automaton_accepts_exactly_what_the_pattern_finds(pattern: str, texts: list[str]) -> None:
    found = language(pattern)
    compiled = dialect.compile_pattern(pattern)
    if not found.is_analysable:
        assert found.reason
        return
    for text in texts:
        assert accepts(pattern, text) == (compiled.regex.search(text) is not None), (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        pytest.param(r"^(\d{3})$", "911\n", True, id="dollar-before-final-newline"),
        pytest.param(r"^(\d{3})\z", "911\n", False, id="z-absolute-end"),
        pytest.param(r"^(\d{3})\Z", "911\n", True, id="Z-before-final-newline"),
        pytest.param(r"^(\d{3})$", "\u0669\u0661\u0661", True, id="unicode-digits"),
        pytest.param(r"^[0-9]{3}$", "\u0669\u0661\u0661", False, id="ascii-class"),
        pytest.param(r"(\d{3})", "x911x", True, id="search-anywhere"),
        pytest.param(r"^1|2$", "x2", True, id="anchors-per-branch"),
        pytest.param(r"^1|2$", "x1", False, id="anchors-per-branch-2"),
    ],
)
def test_search_semantics(pattern: str, text: str, expected: bool) -> None:
    assert accepts(pattern, text) is expected
    assert (dialect.compile_pattern(pattern).regex.search(text) is not None) is expected


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"^(\d)\1$", "a backreference"),
        (r"^(?=7)\d+$", "a lookahead"),
        (r"^(?<!7)\d+$", "a lookbehind"),
        (r"^(?>\d+)1$", "an atomic group"),
        (r"^1(^2)$", "an anchor inside the pattern"),
        (r"\b911\b", "a word boundary"),
        (r"(?i)^ext$", "options"),
        (r"^\w+$", "the class \\w"),
    ],
)
def test_outside_regular_languages_is_not_guessed(pattern: str, reason: str) -> None:
    assert language(pattern).reason == reason


def test_explore_finds_union_coverage_and_shortest_witnesses() -> None:
    low, high, every = language(r"^[0-4]\d$"), language(r"^[5-9]\d$"), language(r"^\d\d$")
    reached = explore([low, high, every], excluded="\n", ascii_only=True)
    # Whenever the third matches, one of the first two does too.
    assert all(state.matching & 0b011 for state in reached if state.matching & 0b100)
    assert [state.witness for state in reached] == ["00", "50"]


def test_samples_one_per_length() -> None:
    found = samples(language(r"^0(\d{2,4})$"), excluded="\n", ascii_only=True)
    assert [len(text) for text in found] == [3, 4, 5]
    assert all(text.startswith("0") and text.isdigit() for text in found)


def test_finite_strings() -> None:
    assert finite_strings("1(?:12|[578])") == ("15", "17", "18", "112")
    with pytest.raises(ValueError):
        finite_strings(r"\d+", limit=50)
