"""Witness strings: dial strings a rule's pattern matches, drawn from its regular language.

A behavioural diff must exercise every rule even when no corpus covers it, so
each pattern yields a small, deterministic set of strings it matches: the
shortest string of every alternative, then each quantifier at its bounds (its
minimum, one more, its maximum or ten more when unbounded) and each character
class at its ends (`\\d` gives 1, 0 and 9), varied one part at a time so the set
grows with the pattern's size, not with the product of its choices. Strings at
a pattern's bounds are where an edited rule and its old version disagree.

How: a small generator over the parse tree of the pattern as the `.NET`
dialect translated it, read with the standard library's own regex parser
(`re._parser`, which hypothesis' `from_regex` also walks). We chose it over
`interegular` and `greenery`, which build automata with set operations, because
both reject the `^` and `$` anchors every Teams pattern carries (and
look-arounds, `\\p{..}`), interegular has had no release since January 2024, and
exact language algebra buys little here: every witness is checked against the
rule's real compiled pattern, and the diff runs the strings through both rule
sets, so a witness only has to reach the interesting places. Look-arounds and
anchors generate nothing and are enforced by that check; back references and
`\\p{..}` cannot be read, which is a `PatternError` the caller can report.

>>> witnesses(r"^(7\\d{3})$")
('7111', '7000', '7999')
>>> witnesses(r"^(\\d)\\1$")
Traceback (most recent call last):
...
normalizer.errors.PatternError: cannot generate witnesses: back references are not supported
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from normalizer.dotnet import dialect
from normalizer.dotnet.parsed import parse, sre
from normalizer.errors import PatternError

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")

# Characters tried for classes, in order of preference: the first member is a
# class's usual pick, the smallest and largest members by code point its ends.
_PREFERRED = "1234567890+*#;=xXeEtTnN" + "abcdfghijklmopqrsuvwyzABCDFGHIJKLMOPQRSUVWYZ_ ,.:/-()"
_MAX_VARIANTS = 12
_MAX_LENGTH = 64
_UNBOUNDED_EXTRA = 10
_MAX_FINITE_COUNT = 30
# Escapes the dialect leaves for the `regex` module (it renders .NET back
# references as `\g<n>`), which the standard parser cannot read.
_UNREADABLE = {"\\g": "back references", "\\p": "\\p{...} escapes", "\\P": "\\P{...} escapes"}


def _member(char: str, items: list[tuple[Any, Any]]) -> bool:
    """True when `char` is in a character class (its parsed items, NEGATE aside)."""
    code = ord(char)
    for op, value in items:
        name = str(op)
        if name == "LITERAL" and code == value:
            return True
        if name == "RANGE" and value[0] <= code <= value[1]:
            return True
        if name == "CATEGORY":
            category = str(value)
            if category.endswith("NOT_DIGIT"):
                found = not char.isdecimal()
            elif category.endswith("DIGIT"):
                found = char.isdecimal()
            elif category.endswith("NOT_WORD"):
                found = not (char.isalnum() or char == "_")
            elif category.endswith("WORD"):
                found = char.isalnum() or char == "_"
            elif category.endswith("NOT_SPACE"):
                found = not char.isspace()
            elif category.endswith("SPACE"):
                found = char.isspace()
            else:
                found = False
            if found:
                return True
    return False


def _class(items: list[tuple[Any, Any]]) -> list[str]:
    """A class's usual pick, then its smallest and largest preferred members."""
    negated = bool(items) and str(items[0][0]) == "NEGATE"
    body = items[1:] if negated else items
    candidates = list(_PREFERRED)
    for op, value in body:
        if str(op) == "LITERAL":
            candidates.append(chr(value))
        elif str(op) == "RANGE":
            candidates += [chr(value[0]), chr(value[1])]
    members = [char for char in dict.fromkeys(candidates) if _member(char, body) != negated]
    if not members:
        return []
    ends = sorted(members[1:], key=ord)
    return list(dict.fromkeys([members[0], *ends[:1], *ends[-1:]]))


def _sequence(nodes: Any, cap: int = _MAX_VARIANTS) -> list[str]:
    """Variants of a concatenation: the base, then one part varied at a time."""
    parts = [_node(op, value) for op, value in nodes]
    if any(not part for part in parts):
        return []
    base = [part[0] for part in parts]
    out = ["".join(base)]
    for index, part in enumerate(parts):
        for variant in part[1:]:
            out.append("".join(base[:index] + [variant] + base[index + 1 :]))
    return _bounded(out, cap)


def _bounded(strings: list[str], cap: int = _MAX_VARIANTS) -> list[str]:
    unique = [text for text in dict.fromkeys(strings) if len(text) <= _MAX_LENGTH]
    return unique[:cap]


def _repeat(low: int, high: int, sub: Any) -> list[str]:
    inner = _sequence(sub)
    if not inner:
        return [""] if low == 0 else []
    unbounded = high >= sre.MAXREPEAT
    counts = [low, low + 1]
    counts.append(low + _UNBOUNDED_EXTRA if unbounded else min(high, low + _MAX_FINITE_COUNT))
    counts = [count for count in dict.fromkeys(counts) if unbounded or count <= high]
    out = [inner[0] * count for count in counts]
    varied = max(low, 1)
    out += [variant * varied for variant in inner[1:]]
    return _bounded(out)


def _node(op: Any, value: Any) -> list[str]:
    """The variants of one parsed node; the first is its base."""
    name = str(op)
    if name == "LITERAL":
        return [chr(value)]
    if name == "NOT_LITERAL":
        return [char for char in _PREFERRED if ord(char) != value][:1]
    if name == "ANY":
        return [_PREFERRED[0]]
    if name == "IN":
        return _class(list(value))
    if name == "BRANCH":
        branches = [_sequence(branch) for branch in value[1]]
        firsts = [branch[0] for branch in branches if branch]
        rest = [variant for branch in branches for variant in branch[1:]]
        return _bounded(firsts + rest)
    if name == "SUBPATTERN":
        return _sequence(value[-1])
    if name == "ATOMIC_GROUP":
        return _sequence(value)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        return _repeat(value[0], value[1], value[2])
    if name in ("AT", "ASSERT", "ASSERT_NOT"):
        # Anchors and look-arounds consume nothing; the final check enforces them.
        return [""]
    # GROUPREF, GROUPREF_EXISTS and anything newer: nothing we can read here.
    raise PatternError(f"cannot generate witnesses: unsupported construct {name}")


def _parse(python_pattern: str) -> Any:
    try:
        return parse(python_pattern)
    except re.error as exc:
        if not exc.msg.startswith("redefinition of group name"):
            raise
    # .NET (and `regex`) allow a group name twice, the standard parser does not;
    # names do not matter here, so every named group becomes non-capturing.
    return parse(_NAMED_GROUP.sub("(?:", python_pattern))


@lru_cache(maxsize=4096)
def witnesses(pattern: str, *, limit: int = 16) -> tuple[str, ...]:
    """Up to `limit` distinct strings the .NET `pattern` matches, base string first."""
    compiled = dialect.compile_pattern(pattern)
    try:
        tree = _parse(compiled.python_pattern)
    except re.error as exc:
        escape = exc.msg.removeprefix("bad escape ")[:2]
        what = _UNREADABLE.get(escape)
        detail = f"{what} are not supported" if what else exc.msg
        raise PatternError(f"cannot generate witnesses: {detail}") from None
    found = _sequence(tree, 4 * limit)
    return tuple(text for text in found if compiled.regex.search(text) is not None)[:limit]
