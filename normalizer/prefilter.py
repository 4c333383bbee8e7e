"""Which dial strings a pattern could possibly match, judged by length and first character.

A conservative admission test: `admits(length, first)` is False only when no
string of that length starting with that character can match. The matcher uses
it to try, for each (length, first character), only the rules that could match.
It reads the pattern with the standard library's own regular expression parser
(`re._parser`), so it sees exactly what `re` compiles; anything it does not
recognise admits everything.

>>> rule = admission(r"^(7\\d{3})$")
>>> rule.admits(4, "7"), rule.admits(4, "8"), rule.admits(5, "7")
(True, False, False)
>>> admission(r"^[").admits(3, "x")
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined, unused-ignore]
from re import _parser  # type: ignore[attr-defined, unused-ignore]
from typing import Any

_UNBOUNDED = 1 << 16


@dataclass(frozen=True, slots=True)
class CharSet:
    """A set of characters: literals, ranges and (optionally) every decimal digit."""

    chars: frozenset[str] = frozenset()
    ranges: tuple[tuple[int, int], ...] = ()
    digits: bool = False

    def __contains__(self, char: str) -> bool:
        if char in self.chars:
            return True
        if self.digits and char.isdecimal():
            return True
        code = ord(char)
        return any(low <= code <= high for low, high in self.ranges)

    def __or__(self, other: CharSet) -> CharSet:
        return CharSet(self.chars | other.chars, self.ranges + other.ranges, self.digits or other.digits)


ANY = None  # a first character that could be anything


@dataclass(frozen=True, slots=True)
class Admission:
    """Lengths and first characters a pattern could match (when anchored at the start)."""

    min_length: int = 0
    max_length: int | None = None
    first: CharSet | None = ANY

    def admits(self, length: int, first: str) -> bool:
        """False only when no string of this length and first character can match."""
        if length < self.min_length:
            return False
        if self.max_length is not None and length > self.max_length:
            return False
        if self.first is None or not first:
            return True
        return first in self.first


def _in_set(items: list[tuple[Any, Any]]) -> CharSet | None:
    chars: set[str] = set()
    ranges: list[tuple[int, int]] = []
    digits = False
    for op, value in items:
        if op is sre.LITERAL:
            chars.add(chr(value))
        elif op is sre.RANGE:
            ranges.append(value)
        elif op is sre.CATEGORY and value in (sre.CATEGORY_DIGIT, sre.CATEGORY_UNI_DIGIT):
            digits = True
        else:
            return ANY
    return CharSet(frozenset(chars), tuple(ranges), digits)


def _item(op: Any, value: Any) -> tuple[CharSet | None, bool]:
    """The first characters of one parsed item, and whether it can match empty."""
    if op is sre.AT:
        return CharSet(), True
    if op is sre.LITERAL:
        return CharSet(frozenset(chr(value))), False
    if op is sre.IN:
        return _in_set(value), False
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, pattern = value
        if add_flags & re.IGNORECASE:
            return ANY, False
        return _sequence(pattern.data)
    if op is sre.BRANCH:
        union: CharSet | None = CharSet()
        nullable = False
        for branch in value[1]:
            first, empty = _sequence(branch.data)
            union = None if first is None or union is None else union | first
            nullable = nullable or empty
        return union, nullable
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        low, _high, pattern = value
        first, empty = _sequence(pattern.data)
        return first, empty or low == 0
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _sequence(value.data)
    return ANY, False


def _sequence(items: list[tuple[Any, Any]]) -> tuple[CharSet | None, bool]:
    union = CharSet()
    for op, value in items:
        first, empty = _item(op, value)
        if first is None:
            return ANY, False
        union = union | first
        if not empty:
            return union, False
    return union, True


def admission(python_pattern: str, *, is_start_anchored: bool = True) -> Admission:
    """The admission test of a pattern; admits everything when it cannot tell."""
    try:
        parsed = _parser.parse(python_pattern)
    except (re.error, RecursionError, OverflowError):
        return Admission()
    items = list(parsed.data)
    low, high = parsed.getwidth()
    if not is_start_anchored or not items or items[0] != (sre.AT, sre.AT_BEGINNING):
        return Admission(min_length=low)
    end_anchored = items[-1] in ((sre.AT, sre.AT_END), (sre.AT, sre.AT_END_STRING))
    first, empty = _sequence(items[1:])
    return Admission(
        min_length=low,
        max_length=high if end_anchored and high < _UNBOUNDED else None,
        first=None if empty else first,
    )
