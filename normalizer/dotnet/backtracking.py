"""How much work a backtracking matcher can do on a pattern: a proven upper bound.

A backtracking matcher (`re`, `regex`, .NET) explores, for one attempt, at most
one path per way of choosing how often each quantifier repeats and which branch
each alternation takes. For a pattern without nested nondeterminism that count
is a polynomial `C * (n + 1) ** k` in the length `n` of the text: each
unbounded quantifier over a single-way body (`\\d+`, `(?:ab)*`) is one factor
`n + 1`, a bounded one `{a,b}` is `b - a + 1` choices, an alternation adds its
branches' counts, a sequence multiplies them. A quantifier over a body with
several ways (`(\\d+)+`, `(a|aa)*`) can take exponentially many paths: no
bound, but on a text of a given length (`work_bound_at`) one for the
iterations it allows: an unbounded one's each consume a character at least,
and a counted one's (`(\\d?){20}`) are counted by the characters they consume
together, its tree of attempts walked level by level (`_counted`). One
path's steps are bounded too: a few per character it consumes (each
repeat's iteration charged to the characters it consumes), plus the
rest: items that consume nothing, iterations that consume nothing (at most
the repeat's minimum, then one more ends the repeat) and what lookarounds
read. So `steps(n)` bounds the whole match, even where an empty body is
required a million times (`(?:(?:){1000}){1000}`) or a lookahead reads the
text again at each iteration.

`budget` uses it to run a pattern in `regex`, without a timeout, where its
bound on a text of this length stays within the work budget (steps, never
elapsed time), and the matcher to run its combined form where the bounds of
all its rules do. A backreference reads at most the text once: one way, linear
steps (so `^(\\d+)\\1$` is bounded, though not regular). The parse is the
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

from normalizer.dotnet.parsed import parse, sre

_MAX_COEFFICIENT = 1 << 40
_MAX_DEGREE = 8
_WIDE_BOUNDED = 64
"""A bounded repeat with more choices than this is counted as unbounded (n + 1)."""

_REPEATS = tuple(
    op for op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)) if op is not None
)
_SINGLE = (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.CATEGORY)


@dataclass(frozen=True, slots=True)
class WorkBound:
    """At most `coefficient * (n + 1) ** degree` paths on a text of length n.

    One path takes at most `size * (n + 1) ** span` steps besides those it
    spends on the text characters it consumes, and at most
    `rate * (n + 1) ** rate_degree` steps per such character.
    """

    coefficient: int
    degree: int
    size: int = 0
    span: int = 0
    rate: int = 1
    rate_degree: int = 0

    def paths(self, length: int) -> int:
        return int(self.coefficient * (length + 1) ** self.degree)

    def steps(self, length: int) -> int:
        """An upper bound on the matcher's steps for one match attempt at one position."""
        per_path = self.size * (length + 1) ** self.span + self.rate * (length + 1) ** (self.rate_degree + 1)
        return self.paths(length) * int(per_path)


@dataclass(frozen=True, slots=True)
class _Polynomial:
    """At most `coefficient * (n + 1) ** degree`."""

    coefficient: int
    degree: int

    def __add__(self, other: _Polynomial) -> _Polynomial:
        return _Polynomial(self.coefficient + other.coefficient, max(self.degree, other.degree))

    def __mul__(self, other: _Polynomial) -> _Polynomial:
        return _Polynomial(self.coefficient * other.coefficient, self.degree + other.degree)

    def __or__(self, other: _Polynomial) -> _Polynomial:
        """A bound on the larger of the two."""
        return _Polynomial(max(self.coefficient, other.coefficient), max(self.degree, other.degree))


_ONE = _Polynomial(1, 0)
_LINEAR = _Polynomial(1, 1)


@dataclass(frozen=True, slots=True)
class _Work:
    """What one item of a pattern can cost."""

    paths: _Polynomial
    fixed: _Polynomial
    """Steps one path through the item takes besides those charged to consumed characters."""
    rate: _Polynomial
    """Steps charged to each character the path consumes (besides lookarounds)."""


class _Unbounded(Exception):
    """The pattern can take exponentially many paths (or is not understood)."""


def _within(work: _Work) -> _Work:
    for part in (work.paths, work.fixed, work.rate):
        if part.coefficient > _MAX_COEFFICIENT or part.degree > _MAX_DEGREE:
            raise _Unbounded
    return work


def _sequence(items: Any, length: int | None = None) -> _Work:
    work = _Work(_ONE, _Polynomial(0, 0), _ONE)
    for op, value in items:
        item = _item(op, value, length)
        work = _within(_Work(work.paths * item.paths, work.fixed + item.fixed, work.rate | item.rate))
    return work


def _width(body: Any) -> _Polynomial:
    """At most how many characters a subpattern reads (its own, or the text's n + 1)."""
    widest = body.getwidth()[1]
    return _Polynomial(widest + 1, 0) if widest <= _WIDE_BOUNDED else _LINEAR


def _is_one_character(parsed: Any) -> bool:
    """True for one character test, maybe in a group that captures nothing."""
    if len(parsed.data) != 1:
        return False
    op, value = parsed.data[0]
    if op is sre.SUBPATTERN:
        return value[0] is None and _is_one_character(value[3])
    return op in _SINGLE or op is sre.IN


def _repeat(low: int, high: int, parsed: Any, length: int | None = None) -> _Work:
    body = _sequence(parsed.data, length)
    narrowest, widest = parsed.getwidth()
    unbounded = high >= sre.MAXREPEAT
    # One path runs the body as often as it repeats. An iteration that consumes
    # characters is charged to them; one that consumes none is required (at
    # most `low` of them), the first past `low` (which ends the repeat, in
    # `re` as in .NET), or the last, failing attempt.
    if _is_one_character(parsed):
        # `re` runs it as one loop over the characters (REPEAT_ONE): one test each.
        fixed, rate = body.fixed + _ONE, body.rate
    elif not unbounded and high <= _WIDE_BOUNDED:
        # Few iterations: each one's own steps, and one last failing attempt.
        fixed, rate = _Polynomial(high + 1, 0) * (body.fixed + _ONE) + _ONE, body.rate
    else:
        empty = 1 if narrowest else min(high, low + 1) + 1
        overhead = body.fixed + _ONE
        fixed = _Polynomial(empty, 0) * overhead + _ONE
        rate = overhead + body.rate if widest else body.rate
    if body.paths == _ONE:
        # One way through the body: only the repeat count is a choice (at most
        # n + 1 counts, or 2 for a body that consumes nothing).
        if unbounded or high - low + 1 > _WIDE_BOUNDED:
            return _within(_Work(_LINEAR, fixed, rate))
        return _within(_Work(_Polynomial(high - low + 1, 0), fixed, rate))
    if unbounded:
        if length is None or narrowest == 0:
            raise _Unbounded
        return _Work(_exponential(body.paths, length, length // narrowest), fixed, rate)
    counted = _counted(low, high, parsed, body, length) if length is not None else None
    try:
        # Each of up to `high` copies chooses its own way: (choices of one) ** high.
        paths = _Polynomial(high - low + 1, 0)
        for _ in range(high):
            paths = _within(_Work(paths * body.paths, fixed, rate)).paths
    except _Unbounded:
        if counted is None:
            raise
        return counted
    every = _Work(paths, fixed, rate)
    if counted is None or length is None:
        return every
    return min(every, counted, key=lambda work: _at(work.paths, length) * (_at(work.fixed, length) + length + 1))


MAX_COUNTED_LENGTH = 64
"""Counted repeats are worked out on texts up to this long (dial strings are short)."""
_MAX_TABLE = 1 << 20
"""Past this many cells of the table of iterations and widths, `_counted` gives up."""


def _at(polynomial: _Polynomial, length: int) -> int:
    return int(polynomial.coefficient * (length + 1) ** polynomial.degree)


def _counted(low: int, high: int, parsed: Any, body: _Work, length: int) -> _Work | None:
    """A counted repeat of a body with several ways, on a text of `length` characters.

    The matcher's tree of attempts: a node is a sequence of iterations that
    succeeded, with the ways they took; together they consume at most `length`
    characters, and a node past `high` iterations does not exist. Counted by
    the characters consumed (`_widths`: the body's successful ways by width),
    a sequence of many iterations that consume nothing has as few ways as the
    body has empty ones. Each node below `high` runs the body once (its own
    paths and steps); the repeat is left from a node of `low` iterations or
    more. Returned as that many paths (the ways out), each charged an even
    share of the whole tree's steps: their product bounds the tree, and every
    way out multiplies what follows as before. None when not worked out.
    """
    if length > MAX_COUNTED_LENGTH:
        return None
    widths = _widths(parsed.data, length)
    if widths is None or high * (length + 1) * len(widths) > _MAX_TABLE:
        return None
    reads = min(parsed.getwidth()[1], length) + 1
    attempt = _at(body.paths, length) * (_at(body.fixed, length) + _at(body.rate, length) * reads + 1)
    level = {0: 1}  # consumed characters -> sequences of this many iterations
    nodes = exits = 0
    for count in range(high + 1):
        total = sum(level.values())
        if total > _MAX_COEFFICIENT:
            return None
        if count >= low:
            exits += total
        if count == high or not level:
            break
        nodes += total
        following: dict[int, int] = {}
        for consumed, sequences in level.items():
            for width, ways in widths.items():
                if consumed + width <= length:
                    following[consumed + width] = following.get(consumed + width, 0) + sequences * ways
        level = following
    ways_out = max(exits, 1)
    share = -(-(nodes * attempt) // ways_out) + 1
    return _within(_Work(_Polynomial(ways_out, 0), _Polynomial(share, 0), body.rate))


def _widths(items: Any, length: int) -> dict[int, int] | None:
    """An upper bound on the ways a subpattern can succeed, by the characters each consumes
    (at most `length`); None when not worked out."""
    found = {0: 1}
    for op, value in items:
        item = _item_widths(op, value, length)
        if item is None:
            return None
        combined: dict[int, int] = {}
        for left, ways in found.items():
            for right, more in item.items():
                if left + right <= length:
                    combined[left + right] = combined.get(left + right, 0) + ways * more
        if any(ways > _MAX_COEFFICIENT for ways in combined.values()):
            return None
        found = combined
    return found


def _item_widths(op: Any, value: Any, length: int) -> dict[int, int] | None:
    if op in _SINGLE or op is sre.IN:
        return {1: 1}
    if op is sre.AT or op in (sre.ASSERT, sre.ASSERT_NOT):
        # A lookaround is atomic: once it succeeds, nothing backtracks into it.
        return {0: 1}
    if op is sre.SUBPATTERN:
        return _widths(value[3].data, length)
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _widths(value.data, length)
    if op is sre.BRANCH:
        found: dict[int, int] = {}
        for branch in value[1]:
            ways = _widths(branch.data, length)
            if ways is None:
                return None
            for width, count in ways.items():
                found[width] = found.get(width, 0) + count
        return found
    if op is sre.GROUPREF:
        return dict.fromkeys(range(length + 1), 1)
    if op in _REPEATS:
        low, high, body = value
        ways = _widths(body.data, length)
        if ways is None or (0 in ways and high >= sre.MAXREPEAT):
            return None
        found = {0: 1} if low == 0 else {}
        level = {0: 1}
        for count in range(1, min(high, length + low + 1) + 1):
            following: dict[int, int] = {}
            for left, sequences in level.items():
                for width, more in ways.items():
                    if left + width <= length:
                        following[left + width] = following.get(left + width, 0) + sequences * more
            level = following
            if count >= low:
                for width, sequences in level.items():
                    found[width] = found.get(width, 0) + sequences
            if not level or any(sequences > _MAX_COEFFICIENT for sequences in level.values()):
                break
        else:
            if high < sre.MAXREPEAT and high > length + low + 1 and level:
                return None  # more iterations than worked out
        return found if not any(count > _MAX_COEFFICIENT for count in found.values()) else None
    return None


def _exponential(ways: _Polynomial, length: int, iterations: int) -> _Polynomial:
    """Paths of at most `iterations` repeats of a body of `ways` ways each, on a text of `length`.

    Every node of the tree of attempts is a path's prefix: at most
    (iterations + 2) * ways ** (iterations + 1) of them, a number once the length is fixed.
    """
    base = ways.coefficient * (length + 1) ** ways.degree
    if (iterations + 1) * base.bit_length() > _MAX_COEFFICIENT.bit_length():
        raise _Unbounded
    return _within(_Work(_Polynomial((iterations + 2) * base ** (iterations + 1), 0), _ONE, _ONE)).paths


def _item(op: Any, value: Any, length: int | None = None) -> _Work:
    if op in _SINGLE or op is sre.AT:
        return _Work(_ONE, _ONE, _ONE)
    if op is sre.IN:
        # A class tests its members one by one.
        members = _Polynomial(max(len(value), 1), 0)
        return _Work(_ONE, members, members)
    if op is sre.SUBPATTERN:
        body = _sequence(value[3].data, length)
        return _Work(body.paths, body.fixed + _Polynomial(2, 0), body.rate)
    if op is sre.BRANCH:
        work = _Work(_Polynomial(0, 0), _ONE, _ONE)
        for branch in value[1]:
            found = _sequence(branch.data, length)
            work = _within(_Work(work.paths + found.paths, work.fixed | found.fixed, work.rate | found.rate))
        return _Work(work.paths, work.fixed + _ONE, work.rate)
    if op in _REPEATS:
        low, high, body = value
        return _repeat(low, high, body, length)
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _sequence(value.data, length)
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        # Tried at each position a path reaches: its paths multiply that path's,
        # and the characters it reads are steps of its own.
        body = _sequence(value[1].data, length)
        return _within(_Work(body.paths, body.fixed + body.rate * _width(value[1]) + _ONE, _ONE))
    return _unknown(op)


def _unknown(op: Any) -> _Work:
    if op is sre.GROUPREF:
        # One way: it compares the group's text, reading at most the text's n + 1 characters.
        return _Work(_ONE, _LINEAR, _ONE)
    # Conditionals and anything newer: no proven bound.
    raise _Unbounded(op)


# A `regex` pattern's escapes `re` does not parse: `\g<n>` (the dialect's
# backreferences) and `\p{..}` (general categories).
_FOREIGN_ESCAPES = re.compile(r"\\(?:g<([0-9]+)>|([pP])\{[^}]*\}|.)", re.DOTALL)


def analysable(python_pattern: str) -> str | None:
    """The dialect's `regex` pattern in a form `re` parses with the same work.

    A backreference `\\g<n>` becomes `\\n`; a category `\\p{Lu}` becomes `\\d`
    (one character test either way: only the work is measured). None when
    a backreference has no `re` spelling (groups past 99).
    """
    too_far = False

    def respell(found: re.Match[str]) -> str:
        nonlocal too_far
        number, category = found.group(1), found.group(2)
        if number is not None:
            too_far = too_far or int(number) > 99
            return "\\" + number
        if category is not None:
            return "\\d" if category == "p" else "\\D"
        return found.group()

    respelled = _FOREIGN_ESCAPES.sub(respell, python_pattern)
    return None if too_far else respelled


def work_bound(python_pattern: str) -> WorkBound | None:
    """The path bound of a pattern `re` compiles, or None when none is proven."""
    try:
        parsed = parse(python_pattern)
        work = _sequence(parsed.data)
    except (re.error, RecursionError, OverflowError, _Unbounded):
        return None
    paths, fixed, rate = work.paths, work.fixed, work.rate
    size = max(fixed.coefficient, len(python_pattern), 1)
    return WorkBound(paths.coefficient, paths.degree, size, fixed.degree, rate.coefficient, rate.degree)


def work_bound_at(python_pattern: str, length: int) -> WorkBound | None:
    """`work_bound`, also for a repeat of a body with several ways (`(\\d|\\d)+`), valid
    on texts of `length` characters only: its paths grow exponentially, so only a
    short text has a bound (each iteration consumes a character at least)."""
    try:
        parsed = parse(python_pattern)
        work = _sequence(parsed.data, length)
    except (re.error, RecursionError, OverflowError, _Unbounded):
        return None
    paths, fixed, rate = work.paths, work.fixed, work.rate
    size = max(fixed.coefficient, len(python_pattern), 1)
    return WorkBound(paths.coefficient, paths.degree, size, fixed.degree, rate.coefficient, rate.degree)
