"""The compiled matcher equals the plain first-match loop."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.dotnet.budget import budget_steps
from normalizer.dotnet.matcher import RuleMatcher, compile_rules
from normalizer.errors import RegexTimeoutError
from normalizer.models import NormalizationRule
from tests.strategies import rule_lists, wide_dial_strings


@settings(max_examples=400, deadline=None)
@given(rules=rule_lists(wide=True), texts=st.lists(wide_dial_strings, min_size=1, max_size=8))
def test_compiled_matcher_equals_naive_first_match(
    rules: tuple[NormalizationRule, ...], texts: list[str]
) -> None:
    matcher = RuleMatcher(rules)
    for text in texts:
        assert matcher.match(text) == matcher.naive_first_match(text)


@settings(max_examples=300, deadline=None)
@given(
    rules=rule_lists(wide=True),
    texts=st.lists(wide_dial_strings, min_size=1, max_size=8),
    timeout=st.sampled_from([5.0, 1e-6]),
)
def test_matcher_with_a_timeout_equals_naive_first_match(
    rules: tuple[NormalizationRule, ...], texts: list[str], timeout: float
) -> None:
    """With a timeout (a budget of work): the compiled form where proven safe, else each
    rule alone, in `regex` where its bound fits, else in RE2 (a budget of 10 steps sends
    nearly every rule there); a rule neither can run is refused, never answered differently."""
    matcher = RuleMatcher(rules)
    for text in texts:
        try:
            found = matcher.match(text, timeout=timeout)
        except RegexTimeoutError as exc:
            refused = next(compiled for compiled in matcher.rules if compiled.rule.name == exc.rule)
            cost = refused.budget.cost(len(text))
            assert cost is None or cost > budget_steps(timeout)
            assert refused.budget.linear is None or not text.isascii() or "\n" in text
            continue
        assert found == matcher.naive_first_match(text)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        # The combined alternation runs on `re`, a rule alone on `regex`: their
        # character tables differ outside ASCII and, for \s, on \x1c-\x1f.
        pytest.param(r"^\w$", "\u00b2", id="re-word-counts-superscript-two"),
        pytest.param(r"^\w$", "\u0301", id="regex-word-counts-combining-mark"),
        pytest.param(r"^1\b", "1\u0301", id="boundary-before-combining-mark"),
        pytest.param(r"^\d$", "\U00010d40", id="digit-of-newer-unicode"),
        pytest.param(r"^\s$", "\x1c", id="re-space-counts-file-separator"),
        pytest.param(r"^[\S]$", "\x1f", id="re-space-in-class"),
        pytest.param(r"^(?i:i)$", "\u0131", id="ignore-case-dotless-i"),
        pytest.param("^(?i:\u0130)$", "I", id="ignore-case-non-ascii-pattern"),
        pytest.param(r"^(?i:\u212a)$", "k", id="ignore-case-kelvin-escape"),
        pytest.param(r"^\B$", "", id="re-non-boundary-never-matches-empty-string"),
    ],
)
def test_compiled_matcher_equals_naive_where_re_and_regex_differ(pattern: str, text: str) -> None:
    matcher = RuleMatcher((NormalizationRule("a", pattern, "+$0"), NormalizationRule("b", r"^.*$", "B")))
    assert matcher.match(text) == matcher.naive_first_match(text)


def test_unanchored_rule_loses_to_an_earlier_anchored_rule_only_when_that_matches() -> None:
    matcher = RuleMatcher(
        (
            NormalizationRule("anchored", r"^9(\d+)$", "A$1"),
            NormalizationRule("anywhere", r"5", "B"),
            NormalizationRule("late", r"^(\d+)$", "C$1"),
        )
    )
    assert matcher.match("912") == (0, "A12")
    assert matcher.match("1515") == (1, "1B1B")
    assert matcher.match("123") == (2, "C123")
    assert matcher.match("abc") is None


def test_backreference_rules_run_on_their_own_in_order() -> None:
    rules = (
        NormalizationRule("a", r"^1(\d)$", "A$1"),
        NormalizationRule("double", r"^(\d)\1$", "D$1"),
        NormalizationRule("b", r"^(\d\d)$", "B$1"),
    )
    matcher = RuleMatcher(rules)
    assert [isinstance(segment, int) for segment in matcher.segments] == [False, True, False]
    assert matcher.match("22") == (1, "D2")
    assert matcher.match("23") == (2, "B23")
    assert matcher.match("13") == (0, "A3")


def test_compiled_rule_lists_are_cached() -> None:
    rules = (NormalizationRule("a", r"^1$", "2"),)
    assert compile_rules(rules) is compile_rules(rules)
