"""The work budget of a pattern on a dial string: which engine runs it, decided before it runs.

A wall-clock timeout makes the answer depend on the machine's load: the same
request passed alone and failed under load. Here the budget is work: a
timeout of t seconds allows `t * STEPS_PER_SECOND` steps, and before a pattern
runs on a text of n characters one of three things is chosen, from the
pattern, n, the text's alphabet and the budget alone:

1. `backtracking` proves the whole search (every start position) or
   `Regex.Replace` takes at most the budget's steps: `regex` runs it, without a
   timeout (exponential work, a repeat of a body with several ways such as
   `(\\d|\\d)+`, has a bound on each length, which only a short text keeps
   within the budget);
2. otherwise a regular pattern, on ASCII text without a newline, runs in RE2
   (`linear`), in time linear in n whatever its shape, where that work (its
   program's size times n + 1, `LinearPattern.cost`) fits the budget;
3. otherwise it is refused: `RegexTimeoutError`, saying the pattern cannot be
   proven to finish within the budget on a text of that length.

>>> from normalizer.dotnet.dialect import compile_pattern
>>> budget = PatternBudget(compile_pattern(r"^0(\\d+)$"))
>>> budget.searcher("0" + "1" * 8000, timeout=0.1) == budget.linear.search
True
>>> PatternBudget(compile_pattern(r"^(\\d+)+(?:\\1)$")).searcher("1" * 20, timeout=0.1)
Traceback (most recent call last):
...
normalizer.errors.RegexTimeoutError: the pattern cannot be proven to finish within the work budget (1,000,000 steps, from a regex timeout of 0.1 s) on a dial string of 20 characters
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from normalizer.dotnet.backtracking import (
    MAX_COUNTED_LENGTH,
    WorkBound,
    analysable,
    work_bound,
    work_bound_at,
)
from normalizer.dotnet.dialect import CompiledPattern
from normalizer.dotnet.linear import LinearPattern, compile_linear
from normalizer.errors import RegexTimeoutError

STEPS_PER_SECOND = 10_000_000
"""A floor on the pace of the bounded steps: a timeout of t seconds is a budget of
t times this many. The bound is loose: on `^\\d*\\d*\\d*x$` against 300 digits,
`re` finishes 8.5e9 bounded steps in 0.04 s."""

Search = Callable[[str, int], Any]
"""`search(text, pos)`: the first match at or after `pos`, or None."""

_UNSET: Any = object()
_MAX_LENGTH = 1 << 20
"""Lengths past this are never proven within a budget (a dial string is far shorter)."""
_MAX_EXPONENTIAL_LENGTH = 1024
"""Past this, exponential work is never within a budget (each length is a walk of the pattern)."""
_MAX_TIMEOUTS = 64
"""Timeouts whose longest length a pattern remembers."""


def budget_steps(timeout: float) -> float:
    """The steps a timeout of `timeout` seconds allows."""
    return timeout * STEPS_PER_SECOND


class PatternBudget:
    """One pattern's proven work and its RE2 form, both found on first use."""

    __slots__ = ("_analysed", "_bound", "_linear", "_longest", "pattern")

    def __init__(self, pattern: CompiledPattern) -> None:
        self.pattern = pattern
        self._bound: WorkBound | None = _UNSET
        self._analysed: str | None = None
        self._linear: LinearPattern | None = _UNSET
        self._longest: dict[float, int] = {}

    @property
    def bound(self) -> WorkBound | None:
        """The steps of one match attempt (None: not proven bounded)."""
        if self._bound is _UNSET:
            self._analysed = analysable(self.pattern.python_pattern)
            self._bound = work_bound(self._analysed) if self._analysed is not None else None
        return self._bound

    @property
    def linear(self) -> LinearPattern | None:
        """The pattern in RE2 (None: not regular, or RE2 would read it differently)."""
        if self._linear is _UNSET:
            self._linear = compile_linear(self.pattern.python_pattern)
        return self._linear

    def cost(self, length: int) -> int | None:
        """A bound on the steps of a search, or of every search `Regex.Replace` makes, on `length` characters.

        The attempts of one `Regex.Replace` start at distinct positions, one
        per position at most; a start-anchored pattern fails at once past the first.
        """
        bound = self.bound
        steps = bound.steps(length) if bound is not None else None
        if self._analysed is not None and (bound is None or length <= MAX_COUNTED_LENGTH):
            # Exponential work (a repeat of a body with several ways) has a bound
            # on each length, which only a short text keeps within a budget; on a
            # short text, it is also the tighter bound of a counted repeat.
            at = work_bound_at(self._analysed, length)
            if at is not None:
                steps = at.steps(length) if steps is None else min(steps, at.steps(length))
        if steps is None:
            return None
        return steps + length + 1 if self.pattern.is_start_anchored else steps * (length + 1)

    def longest_within(self, timeout: float) -> int:
        """The longest text whose `cost` fits the budget of `timeout` (-1: none does)."""
        found = self._longest.get(timeout)
        if found is not None:
            return found
        budget = budget_steps(timeout)

        def fits(length: int) -> bool:
            cost = self.cost(length)
            return cost is not None and cost <= budget

        low, high = -1, _MAX_LENGTH if self.bound is not None else _MAX_EXPONENTIAL_LENGTH
        # The cost grows with the length: the last that fits.
        while low < high:
            middle = (low + high + 1) // 2
            if fits(middle):
                low = middle
            else:
                high = middle - 1
        if len(self._longest) < _MAX_TIMEOUTS:  # a library caller may pass a new timeout at each call
            self._longest[timeout] = low
        return low

    def searcher(self, text: str, timeout: float | None, *, replace: bool = False) -> Search:
        """How to search `text` within the budget of `timeout` (None: no budget, `regex` alone).

        `replace`: for every search of a `Regex.Replace`, not only the first.
        Raises `RegexTimeoutError` when no engine is proven to finish within it.
        """
        if timeout is None:
            return self.pattern.regex.search
        longest = self._longest.get(timeout)
        if longest is None:
            longest = self.longest_within(timeout)
        if len(text) <= longest:
            return self.pattern.regex.search
        if "\n" not in text and text.isascii():
            cost = self.linear_cost(len(text), replace=replace)
            if cost is not None and cost <= budget_steps(timeout) and self.linear is not None:
                return self.linear.search
        raise over_budget(len(text), timeout)

    def linear_cost(self, length: int, *, replace: bool = False) -> int | None:
        """A bound on the steps of RE2's search on `length` characters (None: not regular).

        With `replace`, of every search of a `Regex.Replace`: one per match, each
        reading up to the end (past the first, a start-anchored one fails at once).
        """
        linear = self.linear
        if linear is None:
            return None
        searches = length + 1 if replace and not self.pattern.is_start_anchored else 1
        return linear.cost(length) * searches


def over_budget(length: int, timeout: float) -> RegexTimeoutError:
    """The refusal of a pattern no engine is proven to run within the budget."""
    return RegexTimeoutError(
        f"the pattern cannot be proven to finish within the work budget ({budget_steps(timeout):,.0f} steps, "
        f"from a regex timeout of {timeout:g} s) on a dial string of {length:,} characters"
    )
