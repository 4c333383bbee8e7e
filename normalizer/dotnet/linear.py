"""Regular patterns in a linear-time engine: Google's RE2, equal to `regex` on ASCII text.

A pattern without backreferences, lookarounds, atomic groups, possessive
repeats or conditionals describes a regular language, and RE2 (the
`google-re2` package) matches it in time linear in the text, whatever its
shape (`^(\\d+)+$` included). RE2 picks the same leftmost-first match and
submatches as a backtracking engine, so on the texts it is used for (ASCII,
without a newline) it answers as the `regex` module does. The RE2 pattern is
written from the standard library's parse (`parsed`): every character test
becomes an explicit class of the ASCII characters `regex` itself accepts for it
(so `\\d`, `\\s`, `\\w` and case-insensitive letters mean exactly what they mean
to `regex`), `^`/`\\A` become `\\A` and `$`/`\\Z` become `\\z`, as does the
dialect's `(?=\\n?\\Z)` for .NET's `\\Z` (the same on a text without a newline). What RE2 would read differently is left out (the
pattern stays on the backtracking engine): a repeat of a body that can match
the empty string (RE2 and backtracking engines capture different iterations),
a repeat count over 1,000 (RE2's limit), a program over RE2's memory limit.
RE2's work is bounded before it runs (`LinearPattern.cost`: its program's
size times the text's length), so `budget` charges it as it charges `regex`.

>>> linear = compile_linear(r"^0(\\d+)$")
>>> linear is not None and linear.search("0123").group(1)
'123'
>>> compile_linear(r"^(\\d)(?:\\1)$") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from normalizer.dotnet.parsed import parse, sre

_ASCII = range(128)
_MAX_REPEAT = 1000
"""RE2 refuses a counted repeat above this."""
_MAX_MEMORY = 8 << 20
"""RE2's memory for one compiled pattern (its default); a larger program is refused."""
_CATEGORIES = {
    sre.CATEGORY_DIGIT: "\\d",
    sre.CATEGORY_NOT_DIGIT: "\\D",
    sre.CATEGORY_SPACE: "\\s",
    sre.CATEGORY_NOT_SPACE: "\\S",
    sre.CATEGORY_WORD: "\\w",
    sre.CATEGORY_NOT_WORD: "\\W",
}
_ANCHORS = {
    # On a text without a newline: `^` (with or without the m option) and `\A`
    # match only at its start, `$` and `\Z` only at its end.
    sre.AT_BEGINNING: "\\A",
    sre.AT_BEGINNING_STRING: "\\A",
    sre.AT_END: "\\z",
    sre.AT_END_STRING: "\\z",
    sre.AT_BOUNDARY: "\\b",
    sre.AT_NON_BOUNDARY: "\\B",
}
_REPEATS = {sre.MAX_REPEAT: "", sre.MIN_REPEAT: "?"}
_UNSUPPORTED_FLAGS = sre.SRE_FLAG_ASCII | sre.SRE_FLAG_LOCALE


class _NotRegular(Exception):
    """A construct RE2 cannot run as `regex` does."""


@dataclass(frozen=True, slots=True)
class LinearPattern:
    """A pattern compiled in RE2; `search` as `regex`'s, on ASCII text without a newline."""

    source: str
    """The RE2 pattern."""
    program: Any
    weight: int
    """The work of one search per character of the text (`cost`)."""

    def search(self, text: str, pos: int = 0) -> Any:
        """The first match at or after `pos` (an RE2 match: `group`, `start`, `end`, `string`)."""
        return self.program.search(text, pos)

    def cost(self, length: int) -> int:
        """A bound on the steps of one search on `length` characters, in `budget`'s steps.

        RE2 is linear in the text and in its program: each character advances
        at most every instruction (a DFA state built, or the NFA's threads), and
        the NFA copies the capture slots of the threads that pass a group:
        `programsize * (1 + groups / 4)` per character. Measured on adversarial
        programs (DFA state blow-up, 480-way alternations of `\\d*1\\d{999}`,
        200 nested groups; `bench/re2_pace.py`), one such step took at most about
        6 ns of CPU (a cold program: its DFA states built as it runs), against the
        100 ns a step may take (`STEPS_PER_SECOND`)."""
        return -(-self.weight * (length + 1) // 4)


def compile_linear(python_pattern: str) -> LinearPattern | None:
    """The pattern in RE2, or None when it is not regular or RE2 would read it differently."""
    source = to_re2(python_pattern)
    if source is None:
        return None
    import re2  # Only texts past the proven-safe length need it (start-up stays as it was).

    options = re2.Options()
    options.max_mem = _MAX_MEMORY
    options.log_errors = False
    try:
        # `_Regexp` directly: `re2.compile` keeps its last 128 programs in a module
        # cache, and a posted tenant's patterns must not outlive its request.
        program = re2._Regexp(source, options)
    except re2.error:
        return None
    return LinearPattern(source, program, program.programsize * (program.groups + 4))


def to_re2(python_pattern: str) -> str | None:
    """The RE2 form of a pattern `re` parses, or None (see the module docstring)."""
    try:
        parsed = parse(python_pattern)
        flags = parsed.state.flags
        if flags & _UNSUPPORTED_FLAGS:
            return None
        return _sequence(parsed.data, flags)
    except (re.error, RecursionError, OverflowError, _NotRegular):
        return None


def _sequence(items: Any, flags: int) -> str:
    return "".join(_item(op, value, flags) for op, value in items)


def _item(op: Any, value: Any, flags: int) -> str:
    if op is sre.LITERAL:
        return _char_class(f"\\U{value:08x}", flags)
    if op is sre.NOT_LITERAL:
        return _char_class(f"[^\\U{value:08x}]", flags)
    if op is sre.ANY:
        return _char_class(".", flags)
    if op is sre.IN:
        return _char_class(_class_text(value), flags)
    if op is sre.CATEGORY:
        return _char_class(_CATEGORIES[value], flags)
    if op is sre.AT:
        anchor = _ANCHORS.get(value)
        if anchor is None:
            raise _NotRegular(value)
        return anchor
    if op is sre.BRANCH:
        return "(?:" + "|".join(_sequence(branch.data, flags) for branch in value[1]) + ")"
    if op is sre.SUBPATTERN:
        group, add, remove, body = value
        if (add | remove) & _UNSUPPORTED_FLAGS:
            raise _NotRegular(op)
        inner = _sequence(body.data, (flags | add) & ~remove)
        return f"({inner})" if group is not None else f"(?:{inner})"
    if op is sre.ASSERT and _is_end_before_newline(value):
        # The dialect's .NET `\\Z`, `(?=\\n?\\Z)`: the end, on a text without a newline.
        return "\\z"
    if op in _REPEATS:
        low, high, body = value
        unbounded = high >= sre.MAXREPEAT
        if low > _MAX_REPEAT or (not unbounded and high > _MAX_REPEAT):
            raise _NotRegular(op)
        if body.getwidth()[0] == 0 and (unbounded or high > 1):
            # `(a|)*`: backtracking engines end the loop on an empty iteration, RE2 skips
            # it; the groups they keep differ.
            raise _NotRegular(op)
        count = f"{{{low},}}" if unbounded else f"{{{low},{high}}}"
        return f"(?:{_sequence(body.data, flags)}){count}{_REPEATS[op]}"
    # Backreferences, lookarounds, atomic groups, possessive repeats, conditionals.
    raise _NotRegular(op)


def _is_end_before_newline(value: Any) -> bool:
    direction, body = value
    if direction != 1 or len(body.data) != 2:
        return False
    (repeat, optional), end = body.data
    return (
        repeat is sre.MAX_REPEAT
        and optional[:2] == (0, 1)
        and list(optional[2].data) == [(sre.LITERAL, 10)]
        and end == (sre.AT, sre.AT_END_STRING)
    )


def _class_text(members: Any) -> str:
    """A class as `regex` reads it, from the parse of its members."""
    parts = ["["]
    for op, value in members:
        if op is sre.NEGATE:
            parts.append("^")
        elif op is sre.LITERAL:
            parts.append(f"\\U{value:08x}")
        elif op is sre.RANGE:
            parts.append(f"\\U{value[0]:08x}-\\U{value[1]:08x}")
        elif op is sre.CATEGORY:
            parts.append(_CATEGORIES[value])
        else:
            raise _NotRegular(op)
    parts.append("]")
    return "".join(parts)


def _char_class(test: str, flags: int) -> str:
    """One character test as an RE2 class of the ASCII characters `regex` accepts for it."""
    return _ascii_class(test, bool(flags & sre.SRE_FLAG_IGNORECASE), bool(flags & sre.SRE_FLAG_DOTALL))


@lru_cache(maxsize=4096)
def _ascii_class(test: str, ignore_case: bool, dot_all: bool) -> str:
    compiled = regex.compile(
        test, regex.V0 | (regex.IGNORECASE if ignore_case else 0) | (regex.DOTALL if dot_all else 0)
    )
    members = [code for code in _ASCII if compiled.fullmatch(chr(code))]
    if not members:
        return "[^\\x00-\\x{10ffff}]"
    ranges: list[str] = []
    start = previous = members[0]
    for code in [*members[1:], -1]:
        if code == previous + 1:
            previous = code
            continue
        ranges.append(f"\\x{start:02x}" if start == previous else f"\\x{start:02x}-\\x{previous:02x}")
        start = previous = code
    return "[" + "".join(ranges) + "]"
