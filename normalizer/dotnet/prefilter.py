"""Which dial strings a pattern could possibly match, judged by length and first characters.

A conservative admission test: `admits(length, prefix)` is False only when no
string of that length starting with that prefix (its first two characters) can
match. The matcher uses it to try, for each (length, first two characters), only
the rules that could match.
It reads the pattern with the standard library's own regular expression parser
(`re._parser`), so it sees exactly what `re` compiles; anything it does not
recognise admits everything.

>>> rule = admission(r"^(7\\d{3})$")
>>> rule.admits(4, "71"), rule.admits(4, "81"), rule.admits(5, "71"), rule.admits(4, "7x")
(True, False, False, False)
>>> admission(r"^[").admits(3, "x")
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from normalizer.dotnet.parsed import parse, sre

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


ANY = None  # a character that could be anything
PREFIX_LENGTH = 2
"""How many leading characters the admission test looks at."""

Path = tuple[CharSet | None, ...]
"""What the first characters of a match can be, one set each (None: any); a path
shorter than PREFIX_LENGTH means the pattern can end there."""

_WILD: Path = (ANY,) * PREFIX_LENGTH
_MAX_PATHS = 64


@dataclass(frozen=True, slots=True)
class Admission:
    """Lengths and leading characters a pattern could match (when anchored at the start)."""

    min_length: int = 0
    max_length: int | None = None
    paths: frozenset[Path] | None = None
    """Every possible start of a match, or None when it could be anything."""
    _ordered: tuple[Path, ...] = field(init=False, repr=False, compare=False)
    """The paths in a fixed order: `_passing` names them by their place here."""
    _passing: dict[tuple[int, str], frozenset[int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """By (position, character): the paths that let that character stand there."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ordered", tuple(self.paths or ()))

    def admits(self, length: int, prefix: str) -> bool:
        """False only when no string of this length starting with `prefix` can match."""
        if length < self.min_length:
            return False
        if self.max_length is not None and length > self.max_length:
            return False
        if self.paths is None:
            return True
        # Some path lets every character of the prefix stand where it is (a path shorter
        # than the prefix lets any character follow its end). Worked out a character at
        # a time, each (position, character) once: a matcher asks again for every new
        # length and first characters of the dial strings it meets.
        found = self._passes(0, prefix[0]) if prefix else frozenset(range(len(self._ordered)))
        for position in range(1, len(prefix)):
            if not found:
                return False
            found = found & self._passes(position, prefix[position])
        return bool(found)

    def _passes(self, position: int, char: str) -> frozenset[int]:
        """The places in `_ordered` of the paths that allow `char` at `position`."""
        found = self._passing.get((position, char))
        if found is None:
            found = frozenset(
                place
                for place, path in enumerate(self._ordered)
                if position >= len(path) or (allowed := path[position]) is None or char in allowed
            )
            if len(self._passing) < _MAX_PASSING:
                self._passing[(position, char)] = found
        return found


_MAX_PASSING = 4096
"""Characters by position an admission test remembers (bounded memory)."""


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


def _concat(left: set[Path], right: set[Path]) -> set[Path]:
    joined: set[Path] = set()
    for head in left:
        if len(head) >= PREFIX_LENGTH:
            joined.add(head)
            continue
        for tail in right:
            joined.add((head + tail)[:PREFIX_LENGTH])
    return joined


def _repeat(body: set[Path], low: int, high: int) -> set[Path]:
    # Copies are alike, so after PREFIX_LENGTH + 1 copies more add no new start;
    # taking fewer copies than `low` only admits more (shorter paths end earlier).
    needed = min(low, PREFIX_LENGTH + 1)
    paths: set[Path] = set()
    current: set[Path] = {()}
    for copies in range(min(high, needed + PREFIX_LENGTH) + 1):
        if copies >= needed:
            paths |= current
        current = _concat(current, body)
    return paths


def _item(op: Any, value: Any) -> set[Path]:
    """The possible starts of one parsed item."""
    if op is sre.AT:
        return {()}
    if op is sre.LITERAL:
        return {(CharSet(frozenset(chr(value))),)}
    if op is sre.IN:
        return {(_in_set(value),)}
    if op in (sre.ANY, sre.NOT_LITERAL):
        return {(ANY,)}
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, pattern = value
        if add_flags & re.IGNORECASE:
            return {_WILD}
        return _sequence(pattern.data)
    if op is sre.BRANCH:
        union: set[Path] = set()
        for branch in value[1]:
            union |= _sequence(branch.data)
        return union
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        low, high, pattern = value
        return _repeat(_sequence(pattern.data), low, high)
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _sequence(value.data)
    return {_WILD}


def _sequence(items: list[tuple[Any, Any]]) -> set[Path]:
    current: set[Path] = {()}
    for op, value in items:
        if all(len(path) >= PREFIX_LENGTH for path in current):
            break
        current = _concat(current, _item(op, value))
        if len(current) > _MAX_PATHS:
            return {_WILD}
    return current


def admission(python_pattern: str, *, is_start_anchored: bool = True) -> Admission:
    """The admission test of a pattern; admits everything when it cannot tell."""
    try:
        parsed = parse(python_pattern)
    except (re.error, RecursionError, OverflowError):
        return Admission()
    items = list(parsed.data)
    low, high = parsed.getwidth()
    if not is_start_anchored or not items or items[0] != (sre.AT, sre.AT_BEGINNING):
        return Admission(min_length=low)
    end_anchored = items[-1] in ((sre.AT, sre.AT_END), (sre.AT, sre.AT_END_STRING))
    paths = _sequence(items[1:])
    return Admission(
        min_length=low,
        max_length=high if end_anchored and high < _UNBOUNDED else None,
        paths=None if _WILD in paths else frozenset(paths),
    )
