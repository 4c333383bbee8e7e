"""The work budget: which engine runs a pattern on a dial string is decided before it runs,
from the pattern, the length, the text's alphabet and the setting, never from elapsed time."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.dotnet.budget import STEPS_PER_SECOND, PatternBudget, budget_steps
from normalizer.dotnet.dialect import compile_pattern
from normalizer.dotnet.linear import compile_linear
from normalizer.dotnet.matcher import RuleMatcher
from normalizer.errors import RegexTimeoutError, TimeLimitError
from normalizer.models import NormalizationRule


def wide_pattern(ways: int, tag: str = "") -> str:
    """A regular pattern with a big RE2 program: `ways` alternatives of `\\d*D\\d{999..}`."""
    return "(?:" + "|".join(rf"\d*{i % 10}\d{{{999 - i // 10}}}" for i in range(ways)) + ")x" + tag


DIGITS = "".join(random.Random(0).choice("0123456789") for _ in range(8000))


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


def test_re2_work_is_charged_to_the_budget_before_it_runs() -> None:
    """RE2 is linear in the text and in its program: a 120-way alternation (a program of
    about 120,000 instructions) took 1.8 s per search of 8,000 digits (4.25 s at 480 ways),
    free of charge, under a "0.1 s" budget. Its charge is decided from the program and the
    length: past the budget it is refused at once, every time, and a short string runs."""
    budget = PatternBudget(compile_pattern(wide_pattern(120)))
    assert budget.linear is not None and budget.linear.program.programsize > 100_000
    cost = budget.linear_cost(len(DIGITS))
    assert cost is not None and cost > budget_steps(0.1)
    # The pattern's analysis (its bound per length), done once per pattern and kept, is not what is
    # timed: it took 0.11-0.15 s on a slow machine. Each refusal after it reads the kept answer.
    assert budget.longest_within(0.1) < len(DIGITS)
    for _ in range(2):
        started = time.thread_time()
        with pytest.raises(RegexTimeoutError, match="on a dial string of 8,000 characters"):
            budget.searcher(DIGITS, 0.1)
        assert time.thread_time() - started < 0.1  # nothing ran
    assert budget.searcher(DIGITS[:5], 0.1)(DIGITS[:5], 0) is None


def test_every_shipped_pattern_runs_on_8001_digits_within_the_default_budget() -> None:
    """The charge keeps the service's own patterns (RE2 programs of at most ~40 instructions)
    within the default budget on the longest dial strings the tests send: in `regex` where
    its bound fits, else in RE2, never refused."""
    from tests.test_linear import real_patterns

    for text in ("1" * 8001, "0" + DIGITS, "+" + DIGITS):
        for pattern in real_patterns():
            budget = PatternBudget(compile_pattern(pattern))
            assert budget.searcher(text, 0.1) is not None
            assert budget.searcher(text, 0.1, replace=True) is not None


def test_an_unanchored_replace_is_charged_for_each_of_its_searches() -> None:
    """`Regex.Replace` searches again after each match, each search reading up to the end."""
    budget = PatternBudget(compile_pattern(r"\d(?:\d*x)?"))
    once, every = budget.linear_cost(8000), budget.linear_cost(8000, replace=True)
    assert once is not None and every == once * 8001
    assert budget.searcher("1" * 8000, 0.1) is not None
    with pytest.raises(RegexTimeoutError):
        budget.searcher("1" * 8000, 0.1, replace=True)
    anchored = PatternBudget(compile_pattern(r"^\d(?:\d*x)?"))
    assert anchored.linear_cost(8000, replace=True) == anchored.linear_cost(8000)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        pytest.param(r"(\d*1\d{30})", "1" * 8000, id="a-dfa-state-per-character"),
        pytest.param("^(?:" + "(" * 5 + r"\d" + ")" * 5 + ")+$", DIGITS, id="nested-groups"),
        pytest.param("^(?:" + "|".join([r"(\d)"] * 200) + ")+$", DIGITS[:2000], id="200-groups"),
        pytest.param(wide_pattern(40), DIGITS[:2000], id="nfa-of-a-wide-alternation"),
    ],
)
def test_re2_charge_bounds_the_cpu_time_it_takes(pattern: str, text: str) -> None:
    """The charge is honest: at the budget's pace (`STEPS_PER_SECOND`), RE2's first search of a
    freshly compiled program (no DFA states kept) never takes longer than it is charged
    (`bench/re2_pace.py` measures the margin, 18x or more on these)."""
    best = float("inf")
    for _ in range(2):
        linear = compile_linear(pattern)
        assert linear is not None
        started = time.thread_time()
        linear.search(text, 0)
        best = min(best, time.thread_time() - started)
    assert best <= linear.cost(len(text)) / STEPS_PER_SECOND


def test_the_request_deadline_is_checked_between_the_rules_of_a_pass() -> None:
    """Each rule is bounded by the budget, but a pass over many rules can outlast the
    request: past its deadline, the next rule is not run, and the answer says time
    (`time_limit_exceeded`), not a pattern (`regex_timeout`)."""
    matcher = RuleMatcher(tuple(NormalizationRule(f"R{k}", wide_pattern(40, "y" * k), "+$0") for k in range(6)))
    for compiled in matcher.rules:
        assert compiled.budget.linear is not None  # compiled ahead: only the searches are timed
    text = DIGITS[:3000]
    assert matcher.match(text, 100.0, 1024) is None  # about 0.4 s in all, with no deadline
    with pytest.raises(TimeLimitError, match="ran past its time limit"):
        matcher.match(text, 100.0, 1024, deadline=time.monotonic() + 0.01)


@pytest.mark.parametrize(
    ("pattern", "text", "answer"),
    [
        pytest.param(r"^(\d?){20}$", "1234", (0, "+"), id="optional-digit-20-times"),
        pytest.param(r"^(?:\d?\d?){15}$", "12", (0, "+$1"), id="two-optional-digits-15-times"),
        # 8 characters (555-1234) need a budget of 10 s: counted by widths alone, 12
        # iterations of 0, 1 or 2 characters have 1.27 million ways to consume 8.
        pytest.param(r"^(?:(\d?)-?){12}$", "5-1", (0, "+"), id="digit-or-dash-12-times"),
    ],
)
def test_a_counted_repeat_of_a_body_with_several_ways_runs_on_short_strings(
    pattern: str, text: str, answer: tuple[int, str]
) -> None:
    """`{m,n}` of a body with several ways was bounded by `ways ** n` whatever the length,
    so these were refused on every dial string, though they run in microseconds. On a
    text of n characters only sequences of iterations consuming at most n characters
    exist: a short string is proven within the budget, a long one is still refused."""
    matcher = RuleMatcher((NormalizationRule("R", pattern, "+$1"),))
    assert matcher.match(text, 0.1, 1024) == matcher.naive_first_match(text) == answer
    assert 0 <= matcher.rules[0].budget.longest_within(0.1) < 64
    with pytest.raises(RegexTimeoutError):
        matcher.match("1" * 12 + "x", 0.1, 1024)


_BODIES = [r"\d?", r"(\d?)-?", r"\d?\d?", r"(?:\d|-)?", r"(\d)?(\d)?", r"(?:\d\d?)?", r"(?:1|\d)?"]


@settings(max_examples=40, deadline=None)
@given(
    body=st.sampled_from(_BODIES),
    low=st.integers(0, 12),
    extra=st.integers(0, 12),
    filler=st.sampled_from(["1", "1-", "12-", "-"]),
)
def test_a_counted_repeat_at_its_longest_allowed_length_runs_within_the_budget(
    body: str, low: int, extra: int, filler: str
) -> None:
    """The bound is sound: at the longest length it allows, the search of a text that
    fails at its last character (every way tried) takes less CPU time than the budget,
    in `regex` and in `re` (which has no guard against trying a way again)."""
    import re

    import regex

    pattern = rf"^(?:{body}){{{low},{low + extra}}}$"
    budget = PatternBudget(compile_pattern(pattern))
    longest = budget.longest_within(0.01)
    if longest < 1:
        return
    text = (filler * longest)[: longest - 1] + "x"
    for engine in (re, regex):
        compiled = engine.compile(pattern)
        started = time.thread_time()
        compiled.search(text)
        assert time.thread_time() - started <= 0.01, (engine.__name__, pattern, text)
