"""The work budget: which engine runs a pattern on a dial string is decided before it runs,
from the pattern, the length, the text's alphabet and the setting, never from elapsed time."""

from __future__ import annotations

import pytest

from normalizer.dotnet.budget import PatternBudget, budget_steps
from normalizer.dotnet.dialect import compile_pattern
from normalizer.dotnet.matcher import RuleMatcher
from normalizer.errors import RegexTimeoutError
from normalizer.models import NormalizationRule


def test_a_bounded_pattern_runs_in_regex_up_to_its_longest_length_then_in_re2() -> None:
    budget = PatternBudget(compile_pattern(r"^0(\d+)$"))
    longest = budget.longest_within(0.1)
    cost = budget.cost(longest)
    assert cost is not None and cost <= budget_steps(0.1) < (budget.cost(longest + 1) or 0)
    assert budget.searcher("0" * longest, 0.1) == budget.pattern.regex.search
    assert budget.linear is not None
    assert budget.searcher("0" * (longest + 1), 0.1) == budget.linear.search


def test_a_pattern_that_is_not_regular_runs_within_its_bound_and_is_refused_past_it() -> None:
    """`^(\\d+)\\1$` (a backreference): quadratic work, proven; in `regex` while the
    proof fits the budget, refused at the first length where it does not, every time."""
    matcher = RuleMatcher((NormalizationRule("Twice", r"^(\d+)\1$", "+$1"),))
    budget = matcher.rules[0].budget
    assert budget.linear is None
    longest = budget.longest_within(0.1)
    assert 100 < longest < 8001
    half = "12" * (longest // 4)
    assert matcher.match(half + half, timeout=0.1) == (0, "+" + half)
    refusals = set()
    for _ in range(3):
        with pytest.raises(RegexTimeoutError) as raised:
            matcher.match("1" * longest + "2", timeout=0.1)
        error = raised.value
        refusals.add((error.rule, error.field, str(error)))
    [(rule, field, message)] = refusals
    assert (rule, field) == ("Twice", "pattern")
    assert message.endswith(
        "the pattern cannot be proven to finish within the work budget (1,000,000 steps, "
        f"from a regex timeout of 0.1 s) on a dial string of {longest + 1:,} characters"
    )
    # A larger setting is a larger budget: the same string then runs.
    assert matcher.match("1" * longest + "2", timeout=10.0) is None


def test_a_regular_pattern_on_a_non_ascii_string_is_bounded_or_refused() -> None:
    """RE2's classes are ASCII: a library caller's non-ASCII string stays on `regex`,
    within the proven bound, else refused (no wall clock either way)."""
    matcher = RuleMatcher((NormalizationRule("Digits", r"^(\d+)+$", "+$1"),))
    assert matcher.match("1" * 8000 + "x", timeout=0.1) is None  # ASCII: RE2
    with pytest.raises(RegexTimeoutError, match="on a dial string of 8,001 characters"):
        matcher.match("1" * 8000 + "\u0663", timeout=0.1)
    bounded = RuleMatcher((NormalizationRule("Digits", r"^(\d+)$", "+$1"),))
    assert bounded.match("\u0663" * 50, timeout=0.1) == (0, "+" + "\u0663" * 50)


def test_exponential_work_that_is_not_regular_runs_on_short_strings_only() -> None:
    """`(\\d|\\d)+` doubles its paths with each digit: a bound for each length, not a polynomial."""
    matcher = RuleMatcher((NormalizationRule("Pairs", r"^(\d|\d)+\1$", "+$1"),))
    budget = matcher.rules[0].budget
    assert budget.bound is None and budget.linear is None
    assert budget.longest_within(0.1) == 7 and budget.longest_within(1.0) == 10
    assert (matcher.match("7122", timeout=0.1), matcher.match("7123", timeout=0.1)) == ((0, "+2"), None)
    with pytest.raises(RegexTimeoutError, match="on a dial string of 8 characters"):
        matcher.match("71234567", timeout=0.1)


def test_without_a_timeout_regex_runs_alone() -> None:
    budget = PatternBudget(compile_pattern(r"^(\d+)+(?:\1)$"))
    assert budget.bound is None and budget.linear is None
    assert budget.searcher("1212", None) == budget.pattern.regex.search
