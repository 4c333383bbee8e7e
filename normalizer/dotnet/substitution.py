""".NET substitutions (`$1`, `${name}`, `$$`, `$&`, `` $` ``, `$'`, `$+`, `$_`) and `Regex.Replace`.

Follows .NET's replacement parser (dotnet/runtime RegexParser.ScanDollar): a
`$n` naming no group stays literal text. `replace` replaces every match, as
`Regex.Replace` does, keeping the rest of the string.

>>> from normalizer.dotnet.dialect import compile_pattern
>>> pattern = compile_pattern(r"^(?<ext>7\\d{3})$")
>>> replace(pattern, parse_translation("+3319999${ext}", pattern), "7123")
'+33199997123'
>>> parse_translation("$2", pattern).literal_group_references
('$2',)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import regex

from normalizer.dotnet.dialect import CompiledPattern, is_word_char
from normalizer.errors import TranslationError

_INT32_MAX = 2**31 - 1

# Substitution parts: literal text, or a group / special reference.
_LEFT_PORTION = -1
_RIGHT_PORTION = -2
_WHOLE_STRING = -3


@dataclass(frozen=True)
class Substitution:
    """A parsed .NET replacement string, ready to apply to matches."""

    source: str
    parts: tuple[str | int, ...]
    """Literal text, a Python group number (>= 0), or a special portion (< 0)."""
    literal_group_references: tuple[str, ...] = field(default=())
    """`$n` / `${name}` texts that name no group and so stay literal, as .NET keeps them."""

    @cached_property
    def expander(self) -> Callable[[regex.Match[str] | re.Match[str], int], str]:
        """`expand` specialised for the common shapes (`+33$1`, `$1`, literal text)."""
        parts = self.parts
        if all(isinstance(part, str) for part in parts):
            constant = "".join(parts)  # type: ignore[arg-type]
            return lambda match, offset: constant
        if len(parts) == 1 and isinstance(parts[0], int) and parts[0] >= 0:
            group = parts[0]
            return lambda match, offset: match.group(offset + group) or ""
        if (
            len(parts) == 2
            and isinstance(parts[0], str)
            and isinstance(parts[1], int)
            and parts[1] >= 0
        ):
            literal, group = parts[0], parts[1]
            return lambda match, offset: literal + (match.group(offset + group) or "")
        return self.expand

    @property
    def is_literal(self) -> bool:
        """True when the replacement refers to nothing from the match."""
        return all(isinstance(part, str) for part in self.parts)

    @cached_property
    def _growth(self) -> tuple[int, int]:
        """Characters of literal text, and references to the match (each at most the whole text)."""
        literal = sum(len(part) for part in self.parts if isinstance(part, str))
        return literal, sum(1 for part in self.parts if not isinstance(part, str))

    def longest_output(self, length: int) -> int:
        """The longest replacement text one match in a text of `length` characters can give."""
        literal, references = self._growth
        return literal + references * length

    def expand(
        self, match: regex.Match[str] | re.Match[str], offset: int = 0, limit: int | None = None
    ) -> str:
        """The replacement text for one match.

        `offset` is the number of the group that holds the rule's whole match when
        the match comes from a combined pattern (0 for the rule's own pattern).
        With `limit`, a text that would grow longer raises `TranslationError`
        before it is built (a translation such as `$0` x 2,000 multiplies its input).
        """
        out: list[str] = []
        size = 0
        for part in self.parts:
            if isinstance(part, str):
                piece = part
            elif part >= 0:
                piece = match.group(offset + part) or ""
            elif part == _LEFT_PORTION:
                piece = match.string[: match.start(offset)]
            elif part == _RIGHT_PORTION:
                piece = match.string[match.end(offset) :]
            else:
                piece = match.string
            size += len(piece)
            if limit is not None and size > limit:
                raise too_long(limit)
            out.append(piece)
        return "".join(out)


def too_long(limit: int) -> TranslationError:
    """The error of an output longer than the limit of a translated number."""
    return TranslationError(
        f"the output on this dial string would be longer than {limit:,} characters, "
        "the limit of a translated number"
    )


def _scan_decimal(text: str, pos: int) -> tuple[int, int]:
    value = 0
    while pos < len(text) and "0" <= text[pos] <= "9":
        value = value * 10 + ord(text[pos]) - 48
        if value > _INT32_MAX:
            raise TranslationError("capture group number out of range")
        pos += 1
    return value, pos


def parse_translation(source: str, pattern: CompiledPattern) -> Substitution:
    """Parse a .NET replacement string against a pattern's groups (ScanDollar)."""
    if not isinstance(source, str):
        raise TranslationError(f"translation must be text, not {type(source).__name__}")
    parts: list[str | int] = []
    literal_refs: list[str] = []
    literal: list[str] = []
    pos = 0

    def reference(value: int) -> None:
        if literal:
            parts.append("".join(literal))
            literal.clear()
        parts.append(value)

    while pos < len(source):
        char = source[pos]
        if char != "$":
            literal.append(char)
            pos += 1
            continue
        dollar = pos
        pos += 1
        if pos >= len(source):
            literal.append("$")
            continue
        char = source[pos]
        angled = char == "{" and pos + 1 < len(source)
        if angled:
            pos += 1
            char = source[pos]
        resolved: int | None = None
        if "0" <= char <= "9":
            number, after = _scan_decimal(source, pos)
            closed = not angled or (after < len(source) and source[after] == "}")
            if closed:
                end = after + 1 if angled else after
                if number in pattern.dotnet_groups:
                    resolved = pattern.dotnet_groups[number]
                    pos = end
                else:
                    literal_refs.append(source[dollar:end])
        elif angled and is_word_char(char):
            after = pos
            while after < len(source) and is_word_char(source[after]):
                after += 1
            name = source[pos:after]
            if after < len(source) and source[after] == "}":
                if name in pattern.group_names:
                    resolved = pattern.dotnet_groups[pattern.group_names[name]]
                    pos = after + 1
                else:
                    literal_refs.append(source[dollar : after + 1])
        elif not angled:
            special = {
                "&": 0,
                "`": _LEFT_PORTION,
                "'": _RIGHT_PORTION,
                "+": pattern.dotnet_groups[pattern.last_group],
                "_": _WHOLE_STRING,
            }
            if char == "$":
                literal.append("$")
                pos += 1
                continue
            if char in special:
                resolved = special[char]
                pos += 1
        if resolved is None:
            # Unrecognised: the '$' is literal and parsing resumes right after it.
            literal.append("$")
            pos = dollar + 1
            continue
        reference(resolved)
    if literal:
        parts.append("".join(literal))
    return Substitution(source, tuple(parts), tuple(literal_refs))


def iter_matches(
    pattern: CompiledPattern, text: str, *, search: Callable[[str, int], Any] | None = None
) -> Iterator[regex.Match[str]]:
    """Every match .NET's Regex.Replace would replace, left to right.

    After an empty match .NET scans on from the next character, so unlike
    Python's `finditer` it never takes a second match at the same position.
    `search(text, pos)`: the engine that finds each match (default: the
    pattern's own `regex`; `budget` may choose RE2, whose matches read alike).
    """
    find = pattern.regex.search if search is None else search
    position = 0
    while position <= len(text):
        match = find(text, position)
        if match is None:
            return
        yield match
        position = match.end() + (match.end() == match.start())


def replace(
    pattern: CompiledPattern,
    substitution: Substitution,
    text: str,
    *,
    first: regex.Match[str] | None = None,
    search: Callable[[str, int], Any] | None = None,
    limit: int | None = None,
) -> str:
    """Apply `Regex.Replace(text, pattern, substitution)` as .NET does.

    `first`, when given, is the pattern's first match in `text`, already found;
    `search` as in `iter_matches`.
    With `limit`, an output longer than `limit` characters raises
    `TranslationError` before it is built.
    """
    if first is not None and pattern.is_start_anchored:
        # Only one match can start at position 0: the rest of the text is kept.
        rest = text[first.end() :]
        if limit is None:
            return substitution.expander(first, 0) + rest
        if len(rest) > limit:
            raise too_long(limit)
        try:
            return substitution.expand(first, 0, limit - len(rest)) + rest
        except TranslationError:
            raise too_long(limit) from None
    out: list[str] = []
    position = 0
    size = 0
    for match in iter_matches(pattern, text, search=search):
        kept = text[position : match.start()]
        if limit is None:
            replaced = substitution.expander(match, 0)
        else:
            try:
                replaced = substitution.expand(match, 0, max(limit - size - len(kept), -1))
            except TranslationError:
                raise too_long(limit) from None
        size += len(kept) + len(replaced)
        out += (kept, replaced)
        position = match.end()
    out.append(text[position:])
    if limit is not None and size + len(out[-1]) > limit:
        raise too_long(limit)
    return "".join(out)
