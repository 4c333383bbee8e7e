"""The path bound of backtracking, and where the matcher may skip the timeout."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.dotnet.backtracking import WorkBound, work_bound, work_bound_at
from normalizer.dotnet.matcher import RuleMatcher
from normalizer.models import NormalizationRule
from tests.strategies import rule_lists


@pytest.mark.parametrize(
    ("pattern", "coefficient", "degree"),
    [
        pytest.param(r"^0(1\d{8})$", 1, 0, id="fixed-width"),
        pytest.param(r"^0?(8[19]\d{7})$", 2, 0, id="optional-prefix"),
        pytest.param(r"^00(\d{7,15})$", 9, 0, id="bounded-repeat"),
        pytest.param(r"^0(\d+)$", 1, 1, id="one-unbounded-repeat"),
        pytest.param(r"^(\+?\d+);?(?:ext|x)=?(\d+)$", 16, 2, id="extension-suffix"),
        pytest.param(r"^(1\d{1,2}|3\d{3})$", 3, 0, id="alternation-adds"),
        pytest.param(r"^(?:ab)*$", 1, 1, id="repeat-of-one-way-group"),
        pytest.param(r"^(?:\d{3}|\d{4})?$", 4, 0, id="bounded-repeat-of-alternation"),
        pytest.param(r"(?=\d+x)\d", 1, 1, id="lookahead-multiplies"),
        pytest.param(r"^\d{0,1000}$", 1, 1, id="wide-bounded-repeat-counts-as-unbounded"),
        pytest.param(r"^(\d+)\1$", 1, 1, id="backreference-is-one-way"),
    ],
)
def test_bound_of_patterns(pattern: str, coefficient: int, degree: int) -> None:
    bound = work_bound(pattern)
    assert bound is not None
    assert (bound.coefficient, bound.degree) == (coefficient, degree)


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param(r"^(\d+)+$", id="nested-quantifiers"),
        pytest.param(r"^(a|aa)*$", id="repeated-alternation"),
        pytest.param(r"^(\d|\d)+$", id="repeated-overlapping-branches"),
        pytest.param(r"^(\d?)*$", id="repeated-optional"),
        pytest.param(r"^(a)?(?(1)b|c)$", id="conditional"),
        pytest.param(r"^[", id="not-a-pattern"),
    ],
)
def test_patterns_without_a_proven_bound(pattern: str) -> None:
    assert work_bound(pattern) is None


@pytest.mark.parametrize(
    ("pattern", "length", "paths"),
    [
        # (iterations + 2) * ways ** (iterations + 1): 2 ways, at most 5 iterations.
        pytest.param(r"^(\d|\d)+$", 5, 7 * 2**6, id="two-ways-per-digit"),
        # \d{3}|\d{4}: at most 3 iterations of 2 ways on 10 characters.
        pytest.param(r"^(\d{3}|\d{4})+$", 10, 5 * 2**4, id="each-iteration-consumes-three"),
    ],
)
def test_exponential_paths_have_a_bound_on_each_length(pattern: str, length: int, paths: int) -> None:
    assert work_bound(pattern) is None
    bound = work_bound_at(pattern, length)
    assert bound is not None and bound.paths(length) == paths


def test_exponential_paths_past_the_cap_and_empty_iterations_have_no_bound() -> None:
    assert work_bound_at(r"^(\d|\d)+$", 100) is None
    assert work_bound_at(r"^(\d?|x)+$", 3) is None


def test_steps_grow_with_the_length() -> None:
    bound = WorkBound(2, 2, 10)
    assert bound.paths(0) == 2 and bound.paths(3) == 32
    assert bound.steps(3) == 32 * 14


def test_a_rule_list_with_an_exponential_rule_always_takes_the_timeout_path() -> None:
    matcher = RuleMatcher((NormalizationRule("Slow", r"^(\d|\d)+$", "$1"), NormalizationRule("A", r"^1$", "x")))
    assert matcher.safe_length(1.0) == -1


def test_safe_length_shrinks_with_the_timeout() -> None:
    matcher = RuleMatcher((NormalizationRule("Ext", r"^(\+?\d+);?(?:ext|x)=?(\d+)$", "$1;ext=$2"),))
    assert matcher.safe_length(1.0) > matcher.safe_length(0.01) >= 0


@settings(max_examples=200, deadline=None)
@given(rules=rule_lists(wide=True), timeout=st.sampled_from([0.001, 0.1, 5.0]))
def test_safe_length_is_within_the_budget(rules: tuple[NormalizationRule, ...], timeout: float) -> None:
    matcher = RuleMatcher(rules)
    length = matcher.safe_length(timeout)
    bounds = [work_bound(m.branch) for s in matcher.segments if not isinstance(s, int) for m in s.members]
    if length < 0:
        return
    assert all(bound is not None for bound in bounds)
    assert sum(b.steps(length) for b in bounds if b is not None) <= timeout * 10_000_000


@pytest.mark.parametrize(
    ("pattern", "length", "iterations"),
    [
        # `re` runs every required iteration of an empty body: 3e7 of them here,
        # over a second and 1.6 GB on a one-character string.
        pytest.param(r"^(?:(?:){10000}){3000}1$", 1, 3 * 10**7, id="nested-empty-repeats"),
        pytest.param(r"^(?:(?=\d)){100000}\d$", 1, 10**5, id="repeated-lookahead"),
        pytest.param(r"^(?:(?=\d{40})){1000}\d{40}$", 40, 40 * 1000, id="lookahead-reads-the-text-each-time"),
        pytest.param(r"^(?:){5000,}1$", 1, 5000, id="unbounded-with-a-large-minimum"),
    ],
)
def test_one_path_costs_every_iteration_it_runs(pattern: str, length: int, iterations: int) -> None:
    bound = work_bound(pattern)
    assert bound is not None
    assert bound.steps(length) >= iterations


def test_a_repeat_of_an_empty_body_counts_every_iteration() -> None:
    # 90,000 required iterations of nothing (more copies than that do not compile:
    # dialect.MAX_UNROLLED_COPIES): past 10,000 steps' worth of timeout, the timeout path.
    matcher = RuleMatcher((NormalizationRule("Empty", r"^(?:(?:){300}){300}1$", "x"),))
    bound = work_bound(r"^(?:(?:){300}){300}1$")
    assert bound is not None and bound.steps(1) >= 90_000
    assert matcher.safe_length(0.001) == -1
    assert matcher.match("1", timeout=1.0) == (0, "x")


def test_safe_lengths_remembered_stay_few_when_every_call_has_its_own_timeout() -> None:
    """A library caller may pass a new timeout at each call."""
    rules = (NormalizationRule("Ext", r"^(\+?\d+);?(?:ext|x)=?(\d+)$", "$1;ext=$2"),)
    matcher = RuleMatcher(rules)
    for step in range(2000):
        matcher.safe_length(1.0 - step * 1e-4)
    assert len(matcher._safe_lengths) <= 64
    assert matcher.safe_length(0.5) == RuleMatcher(rules).safe_length(0.5)
