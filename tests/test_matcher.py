"""The compiled matcher equals the plain first-match loop."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.dotnet.budget import budget_steps
from normalizer.dotnet.matcher import RuleMatcher, _CombinedSegment, compile_rules
from normalizer.errors import DialplanError, RegexTimeoutError
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
    timeout=st.sampled_from([5.0, 1e-4, 1e-6]),
)
def test_matcher_with_a_timeout_equals_naive_first_match(
    rules: tuple[NormalizationRule, ...], texts: list[str], timeout: float
) -> None:
    """With a timeout (a budget of work): the compiled form where proven safe, else each
    rule alone, in `regex` where its bound fits, else in RE2 where its charge fits (a
    budget of 1,000 steps sends many rules there, one of 10 steps refuses nearly every
    rule); a rule neither can run is refused, never answered differently."""
    matcher = RuleMatcher(rules)
    for text in texts:
        try:
            found = matcher.match(text, timeout=timeout)
        except RegexTimeoutError as exc:
            refused = next(compiled for compiled in matcher.rules if compiled.rule.name == exc.rule)
            cost = refused.budget.cost(len(text))
            assert cost is None or cost > budget_steps(timeout)
            linear = refused.budget.linear_cost(len(text), replace=True)
            assert linear is None or linear > budget_steps(timeout) or not text.isascii() or "\n" in text
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


def _distinct_traffic(matcher: RuleMatcher, timeout: float) -> None:
    """More distinct (length, first two characters) keys than a matcher remembers (8,192)."""
    for length in range(31, 31 + 83):
        for lead in range(100):
            try:
                matcher.match(f"{lead:02d}" + "5" * (length - 2), timeout, 1 << 20)
            except DialplanError:
                pass


def test_a_matcher_answers_alike_whatever_traffic_it_has_had() -> None:
    """Once the prefilter's memory was full, every rule became a candidate: a rule that
    could never match (it needs a leading 9) was then searched, and refused, so the same
    request flipped from an answer to `regex_timeout` after enough distinct traffic."""
    rules = (NormalizationRule("Nine", r"^9(?=(\d|\d)+x)\d+", "+9"), NormalizationRule("Any", r"^(\d+)$", "+$1"))
    fresh = RuleMatcher(rules)
    assert fresh.safe_length(0.1) == -1  # every string is matched rule by rule
    busy = RuleMatcher(rules)
    _distinct_traffic(busy, 0.1)
    assert len(busy._candidates) == 8192
    for text in ("1" * 30, "2" * 200, "9" * 5):
        assert busy.match(text, 0.1, 1024) == fresh.match(text, 0.1, 1024)
    assert busy.match("1" * 30, 0.1, 1024) == (1, "+" + "1" * 30)
    with pytest.raises(RegexTimeoutError):
        busy.match("9" * 30, 0.1, 1024)  # the rule that may match is still refused, alike


def test_a_full_combined_segment_answers_and_budgets_alike() -> None:
    """Past its memory a combined segment tries every rule at once: the first branch that
    matches is the same rule, and the budget (`safe_length`) never depends on the bucket."""
    rules = (
        NormalizationRule("Nine", r"^9(\d{3,40})$", "+9$1"),
        NormalizationRule("Ext", r"^(\d+)x(\d+)$", "+$1;ext=$2"),
        NormalizationRule("Any", r"^(\d+)$", "+$1"),
    )
    fresh, busy = RuleMatcher(rules), RuleMatcher(rules)
    _distinct_traffic(busy, 5.0)
    segment = busy.segments[0]
    assert isinstance(segment, _CombinedSegment) and len(segment.buckets) == 8192
    assert busy.safe_length(0.1) == fresh.safe_length(0.1) > 8
    for text in ("9123", "7" * 12, "12x34", "9" * 50, "x"):
        assert busy.match(text, 0.1, 1024) == fresh.match(text, 0.1, 1024) == busy.naive_first_match(text)
