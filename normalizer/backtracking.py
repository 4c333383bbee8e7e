"""How much work a backtracking matcher can do on a pattern: a proven upper bound.

A backtracking matcher (`re`, `regex`, .NET) explores, for one attempt, at most
one path per way of choosing how often each quantifier repeats and which branch
each alternation takes. For a pattern without nested nondeterminism that count
is a polynomial `C * (n + 1) ** k` in the length `n` of the text: each
unbounded quantifier over a single-way body (`\\d+`, `(?:ab)*`) is one factor
`n + 1`, a bounded one `{a,b}` is `b - a + 1` choices, an alternation adds its
branches' counts, a sequence multiplies them. A quantifier over a body with
several ways (`(\\d+)+`, `(a|aa)*`) can take exponentially many paths: no
bound. Each path costs at most one step per pattern position plus one per text
character, so `steps(n)` bounds the whole match.

The matcher uses it to skip the regex timeout where it is proven unnecessary:
a rule list whose every step bound, on a text of this length, stays far below
what one second of matching does cannot run into the timeout. The parse is the
standard library's own (`parsed`, as in `prefilter`), so it is exactly what
`re` compiles; anything it does not recognise has no bound.

>>> work_bound(r"^0(1\\d{8})$").paths(20)
1
>>> work_bound(r"^(\\+?\\d+);?x(\\d+)$").degree
2
>>> work_bound(r"^(\\d+)+$") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from normalizer.parsed import parse, sre

_MAX_COEFFICIENT = 1 << 40
_MAX_DEGREE = 8
_WIDE_BOUNDED = 64
"""A bounded repeat with more choices than this is counted as unbounded (n + 1)."""

_REPEATS = tuple(
    op for op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)) if op is not None
)
_SINGLE = (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN, sre.CATEGORY, sre.AT)


@dataclass(frozen=True, slots=True)
class WorkBound:
    """At most `coefficient * (n + 1) ** degree` paths on a text of length n."""

    coefficient: int
    degree: int
    size: int = 0
    """Positions in the pattern: the steps one path can take besides the text's."""

    def paths(self, length: int) -> int:
        return int(self.coefficient * (length + 1) ** self.degree)

    def steps(self, length: int) -> int:
        """An upper bound on the matcher's steps for one match attempt at one position."""
        return self.paths(length) * (self.size + length + 1)

    def __add__(self, other: WorkBound) -> WorkBound:
        return WorkBound(self.coefficient + other.coefficient, max(self.degree, other.degree), self.size + other.size)

    def __mul__(self, other: WorkBound) -> WorkBound:
        return WorkBound(self.coefficient * other.coefficient, self.degree + other.degree, self.size + other.size)


_ONE = WorkBound(1, 0, 1)
_LINEAR = WorkBound(1, 1, 1)


class _Unbounded(Exception):
    """The pattern can take exponentially many paths (or is not understood)."""


def _within(bound: WorkBound) -> WorkBound:
    if bound.coefficient > _MAX_COEFFICIENT or bound.degree > _MAX_DEGREE:
        raise _Unbounded
    return bound


def _sequence(items: Any) -> WorkBound:
    total = WorkBound(1, 0, 0)
    for op, value in items:
        total = _within(total * _item(op, value))
    return total


def _repeat(low: int, high: int, body: WorkBound) -> WorkBound:
    unbounded = high >= sre.MAXREPEAT
    if body.coefficient == 1 and body.degree == 0:
        # One way through the body: only the repeat count is a choice.
        if unbounded or high - low + 1 > _WIDE_BOUNDED:
            return WorkBound(1, 1, body.size)
        return WorkBound(high - low + 1, 0, body.size)
    if unbounded:
        raise _Unbounded
    # Each of up to `high` copies chooses its own way: (choices of one) ** high.
    total = WorkBound(high - low + 1, 0, 0)
    for _ in range(high):
        total = _within(total * body)
    return WorkBound(total.coefficient, total.degree, body.size)


def _item(op: Any, value: Any) -> WorkBound:
    if op in _SINGLE:
        return _ONE
    if op is sre.SUBPATTERN:
        return _sequence(value[3].data)
    if op is sre.BRANCH:
        total = WorkBound(0, 0, 0)
        for branch in value[1]:
            total = _within(total + _sequence(branch.data))
        return total
    if op in _REPEATS:
        low, high, body = value
        return _repeat(low, high, _sequence(body.data))
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _sequence(value.data)
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        # Tried at each position a path reaches: its work multiplies that path's.
        return _sequence(value[1].data)
    return _unknown(op)


def _unknown(op: Any) -> WorkBound:
    # Backreferences, conditionals and anything newer: no proven bound.
    raise _Unbounded(op)


def work_bound(python_pattern: str) -> WorkBound | None:
    """The path bound of a pattern `re` compiles, or None when none is proven."""
    try:
        parsed = parse(python_pattern)
        bound = _sequence(parsed.data)
    except (re.error, RecursionError, OverflowError, _Unbounded):
        return None
    return WorkBound(bound.coefficient, bound.degree, max(len(python_pattern), 1))
