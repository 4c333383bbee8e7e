"""RE2 (`linear`) answers as `regex` does: the same match and groups, the same `Regex.Replace`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from normalizer import load_tenant
from normalizer.catalog import default_catalog
from normalizer.dotnet.dialect import CompiledPattern, compile_pattern
from normalizer.dotnet.linear import LinearPattern, compile_linear, to_re2
from normalizer.dotnet.substitution import parse_translation, replace
from tests.strategies import patterns, wide_translations

ROOT = Path(__file__).resolve().parents[1]


def spans(found: object, groups: int) -> list[tuple[int, int]] | None:
    """Every group's span of a match (`regex`'s or RE2's), or None."""
    if found is None:
        return None
    return [found.span(number) for number in range(groups + 1)]  # type: ignore[attr-defined]


def assert_same(pattern: CompiledPattern, linear: LinearPattern, text: str, translation: str) -> None:
    groups = pattern.regex.groups
    for start in sorted({0, 1, len(text) // 2, len(text)}):
        assert spans(linear.search(text, start), groups) == spans(pattern.regex.search(text, start), groups), start
    substitution = parse_translation(translation, pattern)
    assert replace(pattern, substitution, text, search=linear.search) == replace(pattern, substitution, text)


# Dial strings with what the patterns test: digits, +, letters in both cases, ;ext=, spaces.
ascii_texts = st.text(alphabet="0123456789+xXkKiIe;=#* _-", max_size=40)


@settings(max_examples=500, deadline=None)
@given(source=patterns(wide=True), texts=st.lists(ascii_texts, min_size=1, max_size=6), translation=wide_translations)
def test_re2_answers_as_regex_on_random_patterns(source: str, texts: list[str], translation: str) -> None:
    pattern = compile_pattern(source)
    linear = compile_linear(pattern.python_pattern)
    assume(linear is not None)
    assert linear is not None
    for text in texts:
        if "\n" not in text:
            assert_same(pattern, linear, text, translation)


@cache
def real_patterns() -> tuple[str, ...]:
    """Every pattern of every region's service plan and of the shipped tenants."""
    catalog = default_catalog()
    found = {rule.pattern for region in catalog.regions() for rule in catalog.service_plan(region).rules}
    for path in (ROOT / "rules" / "examples" / "contoso.toml", ROOT / "examples" / "contoso.toml"):
        found |= {rule.pattern for plan in load_tenant(path).dial_plans for rule in plan.rules}
    return tuple(sorted(found))


def test_every_shipped_pattern_runs_in_re2() -> None:
    """So a long dial string never finds a service plan rule it cannot run."""
    assert len(real_patterns()) > 40
    assert [source for source in real_patterns() if compile_linear(compile_pattern(source).python_pattern) is None] == []


@st.composite
def long_dial_strings(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["", "0", "00", "+", "+1", "7", "1", "011", "0800"]))
    unit = draw(st.text(alphabet="0123456789", min_size=1, max_size=5))
    length = draw(st.integers(100, 8001))
    suffix = draw(st.sampled_from(["", ";ext=123", "x12", "ext5", "#", "*1", "X"]))
    return prefix + (unit * length)[: max(1, length - len(prefix) - len(suffix))] + suffix


@settings(max_examples=150, deadline=None)
@given(index=st.integers(0, 10_000), texts=st.lists(long_dial_strings(), min_size=1, max_size=3))
def test_re2_answers_as_regex_on_the_shipped_rules_and_long_dial_strings(index: int, texts: list[str]) -> None:
    source = real_patterns()[index % len(real_patterns())]
    pattern = compile_pattern(source)
    linear = compile_linear(pattern.python_pattern)
    assert linear is not None
    for text in texts:
        assert_same(pattern, linear, text, "+$1;$0")


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(r"^(\d)\1$", id="backreference"),
        pytest.param(r"^(?=\d)\d+$", id="lookahead"),
        pytest.param(r"^(?>1|12)$", id="atomic-group"),
        pytest.param(r"^\d{1001}$", id="repeat-count-over-re2s-limit"),
        pytest.param(r"^(a|)*$", id="repeat-of-a-body-that-can-be-empty"),
        pytest.param(r"^\p{Lu}$", id="category-re-does-not-parse"),
    ],
)
def test_what_re2_would_read_differently_stays_on_the_backtracking_engine(source: str) -> None:
    assert to_re2(compile_pattern(source).python_pattern) is None


def test_dotnet_end_anchors_are_the_end_of_a_text_without_a_newline() -> None:
    # .NET's \Z (also before a final newline) is `(?=\n?\Z)` in the dialect; \z is Python's \Z.
    assert to_re2(compile_pattern(r"^(\d+)\Z").python_pattern) == to_re2(compile_pattern(r"^(\d+)\z").python_pattern)
    assert to_re2(compile_pattern(r"^(\d+)\z").python_pattern) == r"\A((?:[\x30-\x39]){1,})\z"


def test_classes_are_the_ascii_characters_regex_accepts() -> None:
    # `regex`'s \s on ASCII is \t-\r and space (not \x1c-\x1f); (?i) folds both cases.
    assert to_re2(r"^\s(?i:k)$") == r"\A[\x09-\x0d\x20](?:[\x4b\x6b])\z"
    linear = compile_linear(r"(?i)^[^k]$")
    assert linear is not None
    assert [linear.search(text) is not None for text in ("k", "K", "j")] == [False, False, True]
