""".NET regular expressions and substitutions, reproduced exactly on `regex`.

This module is the only place that knows how .NET differs from Python. It
translates a .NET pattern into an equivalent `regex` pattern, numbers groups as
.NET does (unnamed groups first, then named groups), and applies translations as
`Regex.Replace` does (every match replaced, `$n` naming no group kept as text).
Sources: learn.microsoft.com dotnet/standard/base-types/
regular-expression-language-quick-reference and substitutions-in-regular-expressions,
and the replacement parser of dotnet/runtime (RegexParser.ScanDollar).

A construct we cannot reproduce exactly (balancing groups, class subtraction,
`\\G`, conditionals, the `n` and `x` options, options switched mid-pattern,
Unicode blocks) is a `PatternError`, never a silent difference; so is an escape
.NET rejects (`\\K`, `\\m`, `\\81`...) that Python's regex would accept.

>>> pattern = compile_pattern(r"^(?<ext>7\\d{3})$")
>>> replace(pattern, parse_translation("+3319999${ext}", pattern), "7123")
'+33199997123'
>>> compile_pattern(r"[a-z-[aeiou]]")
Traceback (most recent call last):
...
normalizer.errors.PatternError: character class subtraction is not supported (at position 4)
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property

import regex

from normalizer.errors import PatternError, RegexTimeoutError, TranslationError

# .NET reads only ASCII digits in quantifiers and group numbers.
_QUANTIFIER_BRACES = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")
# .NET's word characters (RegexCharClass.WordCategoriesMask).
_WORD_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Nd", "Pc"})
# The word characters .NET accepts after a backslash; any other is an error
# (RegexParser.ScanCharEscape), whatever Python's regex would make of it.
_CLASS_ESCAPES = frozenset("01234567abcdefnprstuvwxDPSW")
# Escapes that stand for a set of characters, never for one (no range end).
_SHORTHAND_CLASSES = frozenset("dDwWsSpP")
_ESCAPES = _CLASS_ESCAPES | frozenset("123456789ABGZkz")
_GENERAL_CATEGORIES = frozenset(
    {"C", "Cc", "Cf", "Cn", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn"}
    | {"N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps"}
    | {"S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs"}
)
_OPTION_GROUP = re.compile(r"\(\?([imnsx]*)(?:-([imnsx]*))?([:)])")
_INT32_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class _Token:
    """One piece of a translated pattern.

    kind is "text" for anything copied through, "capture" for an opening
    capturing parenthesis (name set for named groups), "backref" for a reference
    to a group inside the pattern (text "k" when written \\k<...>, \\<...> or
    \\'...', where a number naming no group is an error, not an octal escape).
    """

    kind: str
    text: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    """A .NET pattern translated to `regex`, with .NET's group numbering."""

    source: str
    python_pattern: str
    regex: regex.Pattern[str]
    dotnet_groups: dict[int, int]
    """.NET group number -> Python group number (0 -> 0)."""
    group_names: dict[str, int]
    """.NET group name -> .NET group number."""
    combinable_pattern: str | None
    """The pattern with its groups unnamed (same numbering), to be one branch of a
    combined alternation; None when it cannot join one (backreferences, global
    options, repeated group names)."""
    is_start_anchored: bool
    """True when every match starts at position 0 (`^` or `\\A` first, no
    top-level alternation, no multiline option)."""

    @property
    def last_group(self) -> int:
        """The highest .NET group number (what `$+` substitutes)."""
        return max(self.dotnet_groups)


class _PatternTranslator:
    """Walks a .NET pattern once and emits `regex` tokens."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.tokens: list[_Token] = []
        self.global_flags = ""
        self.has_backrefs = False
        self.top_level_alternation = False
        self.depth = 0

    def fail(self, detail: str, at: int | None = None) -> PatternError:
        position = self.pos if at is None else at
        return PatternError(f"{detail} (at position {position})")

    def emit(self, text: str) -> None:
        self.tokens.append(_Token("text", text))

    def translate(self) -> list[_Token]:
        source = self.source
        while self.pos < len(source):
            char = source[self.pos]
            if char == "\\":
                self.escape(in_class=False)
            elif char == "[":
                self.char_class()
            elif char == "(":
                self.group()
            elif char == ")":
                if self.depth == 0:
                    raise self.fail("too many )'s")
                self.depth -= 1
                self.emit(")")
                self.pos += 1
                self.after_atom()
            elif char == "|":
                if self.depth == 0:
                    self.top_level_alternation = True
                self.emit("|")
                self.pos += 1
            elif char == "{":
                self.brace()
            elif char in "*+?":
                raise self.fail(f"quantifier {char!r} following nothing")
            else:
                self.emit(char)
                self.pos += 1
                if char not in "^$":
                    self.after_atom()
        if self.depth:
            raise self.fail("not enough )'s")
        return self.tokens

    def after_atom(self) -> None:
        """Copy a quantifier that follows an atom, rejecting nested quantifiers."""
        source = self.source
        if self.pos >= len(source):
            return
        quantifier = ""
        char = source[self.pos]
        if char in "*+?":
            quantifier = char
        elif char == "{":
            found = _QUANTIFIER_BRACES.match(source, self.pos)
            if found:
                quantifier = found.group()
        if not quantifier:
            return
        self.pos += len(quantifier)
        if self.pos < len(source) and source[self.pos] == "?":
            quantifier += "?"
            self.pos += 1
        self.emit(quantifier)
        if self.pos < len(source):
            following = source[self.pos]
            if following in "*+?" or (
                following == "{" and _QUANTIFIER_BRACES.match(source, self.pos)
            ):
                raise self.fail(f"nested quantifier {following!r}")

    def brace(self) -> None:
        found = _QUANTIFIER_BRACES.match(self.source, self.pos)
        if found:
            raise self.fail("quantifier following nothing")
        # .NET reads a '{' that opens no quantifier as a literal; Python's
        # regex would take '{,3}' as a quantifier, so escape it.
        self.emit("\\{")
        self.pos += 1
        self.after_atom()

    def escape(self, *, in_class: bool) -> str:
        """Translate one escape; return the emitted text (emitting it unless in a class)."""
        source = self.source
        start = self.pos
        if start + 1 >= len(source):
            raise self.fail("illegal \\ at end of pattern")
        char = source[start + 1]
        self.pos = start + 2
        text: str
        if _is_word_char(char) and char not in (_CLASS_ESCAPES if in_class else _ESCAPES):
            raise self.fail(f"unrecognized escape \\{char}", start)
        if char == "e":
            text = "\\x1b"
        elif char == "c":
            if self.pos >= len(source) or not source[self.pos].isascii() or not source[self.pos].isalpha():
                raise self.fail("missing or illegal control character after \\c", start)
            text = f"\\x{ord(source[self.pos].upper()) - 64:02x}"
            self.pos += 1
        elif in_class:
            text = "\\" + char
            if char in "pP":
                text += self.property_name(start)
        elif char in "123456789":
            digits = re.match(r"[0-9]+", source[start + 1 :])
            assert digits is not None
            self.pos = start + 1 + len(digits.group())
            self.has_backrefs = True
            self.tokens.append(_Token("backref", "", name=digits.group()))
            self.after_atom()
            return ""
        elif char == "k":
            closing = {"<": ">", "'": "'"}.get(source[self.pos : self.pos + 1])
            end = source.find(closing, self.pos + 1) if closing else -1
            if end < 0:
                raise self.fail("malformed \\k<...> named back reference", start)
            name = source[self.pos + 1 : end]
            self.pos = end + 1
            self.has_backrefs = True
            self.tokens.append(_Token("backref", "k", name=name))
            self.after_atom()
            return ""
        elif char in "<'" and (bare := _angled_name(source, self.pos, ">" if char == "<" else "'")):
            # .NET still reads \<name> and \'name' (without k) as backreferences.
            self.pos += len(bare) + 1
            self.has_backrefs = True
            self.tokens.append(_Token("backref", "k", name=bare))
            self.after_atom()
            return ""
        elif char == "G":
            raise self.fail("\\G is not supported", start)
        elif char == "z":
            text = "\\Z"
        elif char == "Z":
            # .NET \Z also matches before a final newline; Python's only at the end.
            text = "(?=\\n?\\Z)"
        elif char in "pP":
            text = "\\" + char + self.property_name(start)
        else:
            text = "\\" + char
        if not in_class:
            self.emit(text)
            if char not in "AzZbBG":
                self.after_atom()
        return text

    def property_name(self, start: int) -> str:
        source = self.source
        if source[self.pos : self.pos + 1] != "{":
            raise self.fail("malformed \\p{X} character escape", start)
        end = source.find("}", self.pos)
        if end < 0:
            raise self.fail("incomplete \\p{X} character escape", start)
        text = source[self.pos : end + 1]
        if text[1:-1] not in _GENERAL_CATEGORIES:
            # .NET's other names are Unicode blocks (\p{IsGreek}), which Python's
            # regex reads as scripts or other properties.
            raise self.fail(
                f"Unicode property {text[1:-1]!r} is not supported (general categories only)", start
            )
        self.pos = end + 1
        return text

    def char_class(self) -> None:
        """Translate `[...]`, deciding ranges as .NET's RegexParser.ScanCharClass does.

        A class escape (`\\d`, `\\w`, `\\s`, `\\p{..}` and their negations) and
        `\\-` never start a range, so a `-` after them is literal (`[\\d-x]` is
        digits, `-` and `x`); a class escape cannot end one (`[a-\\d]` is an
        error). Every literal `-` is written `\\-`, so Python reads the same set.
        """
        source = self.source
        start = self.pos
        self.pos += 1
        parts = ["["]
        if source[self.pos : self.pos + 1] == "^":
            parts.append("^")
            self.pos += 1
        first = True
        in_range = False
        while True:
            if self.pos >= len(source):
                raise self.fail("unterminated [] set", start)
            char = source[self.pos]
            if char == "]" and not first:
                self.pos += 1
                break
            at = self.pos
            if char == "\\":
                escaped = source[self.pos + 1 : self.pos + 2]
                text = self.escape(in_class=True)
                if escaped in _SHORTHAND_CLASSES:
                    if in_range:
                        raise self.fail(f"cannot include class \\{escaped} in character range", at)
                    parts.append(text)
                    first = False
                    continue
                if escaped == "-" and not in_range:
                    parts.append(text)
                    first = False
                    continue
            elif char == "-" and not first and source[self.pos + 1 : self.pos + 2] == "[":
                raise self.fail("character class subtraction is not supported", self.pos)
            elif char in "[]":
                if in_range and char == "[":
                    raise self.fail("character class subtraction is not supported", self.pos - 1)
                # A leading ']' and any '[' are literals in .NET; Python would
                # read '[[' as a nested set or '[]' as an empty one.
                text = "\\" + char
                self.pos += 1
            else:
                text = "\\-" if char == "-" else char
                self.pos += 1
            first = False
            if in_range:
                parts.append("-" + text)
                in_range = False
            elif source[self.pos : self.pos + 1] == "-" and source[self.pos + 1 : self.pos + 2] not in ("]", ""):
                parts.append(text)
                in_range = True
                self.pos += 1
            else:
                parts.append(text)
        parts.append("]")
        self.emit("".join(parts))
        self.after_atom()

    def group(self) -> None:
        source = self.source
        start = self.pos
        rest = source[start:]
        if not rest.startswith("(?"):
            self.tokens.append(_Token("capture", "("))
            self.depth += 1
            self.pos += 1
            return
        if rest.startswith("(?#"):
            end = source.find(")", start)
            if end < 0:
                raise self.fail("unterminated (?#...) comment", start)
            self.pos = end + 1
            return
        for opener in ("(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>"):
            if rest.startswith(opener):
                self.emit(opener)
                self.depth += 1
                self.pos += len(opener)
                return
        if rest.startswith(("(?<", "(?'")):
            closing = ">" if rest[2] == "<" else "'"
            end = source.find(closing, start + 3)
            if end < 0:
                raise self.fail("unterminated group name", start)
            name = source[start + 3 : end]
            if "-" in name:
                raise self.fail("balancing groups are not supported", start)
            if name.isdigit():
                raise self.fail("numbered group names (?<1>...) are not supported", start)
            if not name or not all(_is_word_char(c) for c in name) or name[0].isdigit():
                raise self.fail(f"invalid group name {name!r}", start)
            self.tokens.append(_Token("capture", f"(?P<{name}>", name=name))
            self.depth += 1
            self.pos = end + 1
            return
        if rest.startswith("(?("):
            raise self.fail("conditional groups are not supported", start)
        options = _OPTION_GROUP.match(source, start)
        if not options:
            raise self.fail("unrecognized grouping construct", start)
        on, off, closer = options.group(1), options.group(2) or "", options.group(3)
        if "n" in on + off:
            raise self.fail("the n (explicit capture) option is not supported", start)
        if "x" in on + off:
            raise self.fail("the x (ignore whitespace) option is not supported", start)
        self.pos = options.end()
        if closer == ":":
            self.emit(options.group())
            self.depth += 1
            return
        if start != 0 or off:
            raise self.fail("options switched in the middle of a pattern are not supported", start)
        self.global_flags = on
        self.emit(options.group())


def _angled_name(source: str, pos: int, close: str) -> str | None:
    """The group number or name of a `\\<...>` reference at `pos`, if `close` ends it."""
    end = pos
    if "0" <= source[pos : pos + 1] <= "9":
        while end < len(source) and "0" <= source[end] <= "9":
            end += 1
    else:
        while end < len(source) and _is_word_char(source[end]):
            end += 1
    if end == pos or source[end : end + 1] != close:
        return None
    return source[pos:end]


def _octal_escape(digits: str) -> str:
    """.NET reads `\\NN` naming no group as up to three octal digits, then literals."""
    count = 0
    value = 0
    while count < 3 and count < len(digits) and digits[count] in "01234567":
        value = value * 8 + int(digits[count])
        count += 1
    literal = "".join(re.escape(char) for char in digits[count:])
    return f"\\x{value & 0xFF:02x}{literal}"


MAX_UNROLLED_COPIES = 100_000
"""The most copies nested counted repeats may make of one part of a pattern."""

_COUNT = re.compile(r"\{([0-9]+)(?:,([0-9]*))?\}")


def _unrolled_copies(python_pattern: str) -> int:
    """The largest product of repeat counts along one nesting path (`{n,m}` counts max(n, m))."""
    levels = [1]  # per open group, the most copies of any item in it so far
    position, size = 0, len(python_pattern)

    def counted(weight: int, at: int) -> tuple[int, int]:
        found = _COUNT.match(python_pattern, at)
        if found is None:
            return weight, at
        low, high = found.group(1), found.group(2)
        count = max(int(low), int(high) if high else 0)
        return weight * max(count, 1), found.end()

    while position < size:
        char = python_pattern[position]
        if char == "\\":
            position += 2
            weight, position = counted(1, position)
            levels[-1] = max(levels[-1], weight)
        elif char == "[":
            position += 1
            if position < size and python_pattern[position] == "^":
                position += 1
            if position < size and python_pattern[position] == "]":
                position += 1
            while position < size and python_pattern[position] != "]":
                position += 2 if python_pattern[position] == "\\" else 1
            weight, position = counted(1, position + 1)
            levels[-1] = max(levels[-1], weight)
        elif char == "(":
            levels.append(1)
            position += 1
        elif char == ")" and len(levels) > 1:
            weight, position = counted(levels.pop(), position + 1)
            levels[-1] = max(levels[-1], weight)
        else:
            weight, position = counted(1, position + 1)
            levels[-1] = max(levels[-1], weight)
    return max(levels)


def compile_pattern(source: str, *, timeout: float | None = None) -> CompiledPattern:
    """Translate and compile a .NET pattern; raise `PatternError` when we cannot."""
    if not isinstance(source, str):
        raise PatternError(f"pattern must be text, not {type(source).__name__}")
    translator = _PatternTranslator(source)
    tokens = translator.translate()

    unnamed = [i for i, t in enumerate(tokens) if t.kind == "capture" and t.name is None]
    named_order: list[str] = []
    for token in tokens:
        if token.kind == "capture" and token.name is not None and token.name not in named_order:
            named_order.append(token.name)
    group_names = {name: len(unnamed) + 1 + i for i, name in enumerate(named_order)}

    # Python numbers every group by its opening parenthesis; .NET numbers the
    # unnamed ones first. Duplicate .NET names share one group: Python's regex
    # allows that too when names repeat.
    python_number = 0
    python_of_token: dict[int, int] = {}
    python_of_name: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.kind != "capture":
            continue
        if token.name is not None and token.name in python_of_name:
            python_of_token[index] = python_of_name[token.name]
            continue
        python_number += 1
        python_of_token[index] = python_number
        if token.name is not None:
            python_of_name[token.name] = python_number
    dotnet_groups = {0: 0}
    for number, index in enumerate(unnamed, start=1):
        dotnet_groups[number] = python_of_token[index]
    for name, number in group_names.items():
        dotnet_groups[number] = python_of_name[name]

    rendered: list[str] = []
    for token in tokens:
        if token.kind == "backref":
            reference = token.name or ""
            if reference.isascii() and reference.isdigit():
                number = int(reference)
                if number in dotnet_groups and number:
                    rendered.append(f"(?:\\g<{dotnet_groups[number]}>)")
                elif number <= 9 or token.text == "k":
                    raise PatternError(f"reference to undefined group number {number}")
                elif reference[0] in "89":
                    raise PatternError(f"unrecognized escape \\{reference[0]}")
                else:
                    rendered.append(_octal_escape(reference))
            else:
                if reference not in group_names:
                    raise PatternError(f"reference to undefined group name {reference!r}")
                rendered.append(f"(?:\\g<{dotnet_groups[group_names[reference]]}>)")
        else:
            rendered.append(token.text)
    python_pattern = "".join(rendered)
    unrolled = _unrolled_copies(python_pattern)
    if unrolled > MAX_UNROLLED_COPIES:
        # `regex` writes out counted repeats when it compiles: `(?:\d{1000}){1000}`
        # takes half a second and 270 MB before any timeout can apply.
        raise PatternError(
            f"nested counted repeats make {unrolled:,} copies of one part; the limit is {MAX_UNROLLED_COPIES:,}"
        )
    try:
        compiled = regex.compile(python_pattern, regex.V0)
    except regex.error as exc:
        raise PatternError(f"does not compile: {exc}") from None
    except (OverflowError, RecursionError) as exc:
        raise PatternError(f"does not compile: {exc}") from None

    combinable: str | None = None
    named = [token.name for token in tokens if token.kind == "capture" and token.name]
    if not translator.has_backrefs and not translator.global_flags and len(named) == len(set(named)):
        # Named groups become plain ones: numbering by opening parenthesis is
        # unchanged, and names cannot clash with other rules' in a combination.
        combinable = "".join("(" if token.kind == "capture" else token.text for token in tokens)
    first = tokens[0].text if tokens else ""
    is_start_anchored = (
        first in ("^", "\\A")
        and not translator.top_level_alternation
        and "m" not in translator.global_flags
    )
    return CompiledPattern(
        source=source,
        python_pattern=python_pattern,
        regex=compiled,
        dotnet_groups=dotnet_groups,
        group_names=group_names,
        combinable_pattern=combinable,
        is_start_anchored=is_start_anchored,
    )


@dataclass(frozen=True, slots=True)
class PatternShape:
    """What a pattern says about the dial strings it finds a match in.

    `regular` is a plain full-match regular expression (only groups, classes,
    alternation and quantifiers) of exactly the strings in which the .NET pattern
    finds a match: `^` and `$` are turned into the search semantics (text before
    or after the match is any string; `$` and `\\Z` also allow a final newline),
    `\\d` is spelled out as the Unicode decimal digits the engine matches. It is
    None when the pattern is outside regular languages or uses a construct we do
    not translate (backreferences, lookarounds, atomic groups, inner anchors,
    word boundaries, options, `\\w`, `\\s`, `\\p{..}`); `reason` says which.

    In an ASCII pattern every non-ASCII decimal digit behaves alike, so `\\d`
    is written `[0-9<DIGIT_STAND_IN>]`: one stand-in character for them all keeps
    automata small. A pattern with non-ASCII text (or `full_digits=True`) gets
    every digit spelled out; `uses_stand_in` says which form `regular` is in.
    """

    source: str
    is_start_anchored: bool
    """Every top-level alternative starts with `^` or `\\A`."""
    is_end_anchored: bool
    """Every top-level alternative ends with `$`, `\\z` or `\\Z`."""
    has_optional_first_token: bool
    """The first token after the start anchor may match nothing (`^0?`, `^(\\+)?`, `^\\d*`)."""
    regular: str | None
    reason: str | None
    uses_stand_in: bool = False


DIGIT_STAND_IN = "\ue000"
"""Stands for every non-ASCII decimal digit in the regular form of an ASCII pattern."""
DIGIT_STAND_IN_EXAMPLE = "\u0660"
"""A real digit the stand-in is shown as in a witness (ARABIC-INDIC DIGIT ZERO)."""

_OPENERS = ("(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>")
_NOT_REGULAR = {
    "(?=": "a lookahead",
    "(?!": "a lookahead",
    "(?<=": "a lookbehind",
    "(?<!": "a lookbehind",
    "(?>": "an atomic group",
    "^": "an anchor inside the pattern",
    "$": "an anchor inside the pattern",
    "\\A": "an anchor inside the pattern",
    "\\Z": "an anchor inside the pattern",
    "(?=\\n?\\Z)": "an anchor inside the pattern",
    "\\b": "a word boundary",
    "\\B": "a word boundary",
}
_END_ANCHORS = {"$": "\\n?", "(?=\\n?\\Z)": "\\n?", "\\Z": ""}
_ANY = "[\\s\\S]*"
_OPTIONAL_QUANTIFIER = re.compile(r"(?:\?|\*|\{0(?:,\d*)?\})\??")


def _opens(token: _Token) -> bool:
    return token.kind == "capture" or (
        token.kind == "text" and token.text.startswith("(") and token.text.endswith((":", "=", "!", ">"))
        and token.text != "(?=\\n?\\Z)"
    )


def _alternatives(tokens: list[_Token]) -> list[list[_Token]]:
    """The tokens of each top-level alternative."""
    alternatives: list[list[_Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == "text" and token.text == "|" and depth == 0:
            alternatives.append([])
            continue
        if _opens(token):
            depth += 1
        elif token.kind == "text" and token.text == ")":
            depth -= 1
        alternatives[-1].append(token)
    return alternatives


def _first_token_is_optional(body: list[_Token]) -> bool:
    """True when the first atom of `body` is followed by `?`, `*` or `{0,n}`."""
    if not body:
        return False
    end = 1
    if _opens(body[0]):
        depth = 0
        for end, token in enumerate(body, start=1):
            if _opens(token):
                depth += 1
            elif token.kind == "text" and token.text == ")":
                depth -= 1
                if depth == 0:
                    break
    following = body[end].text if end < len(body) and body[end].kind == "text" else ""
    return bool(_OPTIONAL_QUANTIFIER.fullmatch(following))


@cache
def _decimal_digits() -> str:
    """The characters `\\d` matches in the engine (Unicode Nd), as class ranges."""
    every_character = "".join(map(chr, range(sys.maxunicode + 1)))
    codes = [ord(digit) for digit in regex.findall(r"\d", every_character, flags=regex.V0)]
    ranges: list[str] = []
    start = 0
    for index in range(1, len(codes) + 1):
        if index == len(codes) or codes[index] != codes[index - 1] + 1:
            first, last = chr(codes[start]), chr(codes[index - 1])
            ranges.append(first if first == last else f"{first}-{last}")
            start = index
    return "".join(ranges)


def _expand_escapes(text: str, digits: str) -> tuple[str | None, str | None]:
    """Spell out `\\d` / `\\D` as `digits`; refuse the Unicode classes we do not translate."""
    out: list[str] = []
    in_class = False
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "\\" and pos + 1 < len(text):
            escaped = text[pos + 1]
            if escaped == "d":
                out.append(digits if in_class else f"[{digits}]")
            elif escaped == "D" and not in_class:
                out.append(f"[^{digits}]")
            elif escaped in "DwWsSpP":
                return None, f"the class \\{escaped}"
            else:
                out.append(text[pos : pos + 2])
            pos += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            if text[pos + 1 : pos + 2] == "^":
                out.append("^")
                pos += 1
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        else:
            out.append(char)
        pos += 1
    return "".join(out), None


@cache
def pattern_shape(source: str, *, full_digits: bool = False) -> PatternShape:
    """Anchoring, optional first token and regular form of a pattern (see `PatternShape`).

    Raises `PatternError` when the pattern does not compile at all.
    """
    stand_in = not full_digits and source.isascii()
    digits = f"0-9{DIGIT_STAND_IN}" if stand_in else _decimal_digits()
    translator = _PatternTranslator(source)
    tokens = translator.translate()
    start_anchored = end_anchored = True
    optional_first = False
    reason: str | None = None
    branches: list[str] = []
    if translator.global_flags:
        reason = "options"
        tokens = tokens[1:]
    for alternative in _alternatives(tokens):
        body = list(alternative)
        starts = bool(body) and body[0].kind == "text" and body[0].text in ("^", "\\A")
        while body and body[0].kind == "text" and body[0].text in ("^", "\\A"):
            body.pop(0)
        ends = bool(body) and body[-1].kind == "text" and body[-1].text in _END_ANCHORS
        suffix = _END_ANCHORS[body.pop().text] if ends else _ANY
        start_anchored = start_anchored and starts
        end_anchored = end_anchored and ends
        optional_first = optional_first or (starts and _first_token_is_optional(body))
        for token in body:
            if token.kind == "backref":
                reason = reason or "a backreference"
            elif token.kind == "text" and token.text in _NOT_REGULAR:
                reason = reason or _NOT_REGULAR[token.text]
            elif token.kind == "text" and token.text.startswith("(?") and token.text not in _OPENERS:
                reason = reason or "options"
        if reason is None:
            text = "".join("(?:" if token.kind == "capture" else token.text for token in body)
            expanded, reason = _expand_escapes(text, digits)
            branches.append(f"{'' if starts else _ANY}(?:{expanded}){suffix}")
    regular = "|".join(f"(?:{branch})" for branch in branches) if reason is None else None
    return PatternShape(
        source=source,
        is_start_anchored=start_anchored,
        is_end_anchored=end_anchored,
        has_optional_first_token=optional_first,
        regular=regular,
        reason=reason,
        uses_stand_in=stand_in,
    )


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

    def expand(self, match: regex.Match[str] | re.Match[str], offset: int = 0) -> str:
        """The replacement text for one match.

        `offset` is the number of the group that holds the rule's whole match when
        the match comes from a combined pattern (0 for the rule's own pattern).
        """
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif part >= 0:
                out.append(match.group(offset + part) or "")
            elif part == _LEFT_PORTION:
                out.append(match.string[: match.start(offset)])
            elif part == _RIGHT_PORTION:
                out.append(match.string[match.end(offset) :])
            else:
                out.append(match.string)
        return "".join(out)


def _is_word_char(char: str) -> bool:
    """.NET's IsBoundaryWordChar: a word character or a zero-width (non-)joiner."""
    return unicodedata.category(char) in _WORD_CATEGORIES or char in "\u200c\u200d"


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
        elif angled and _is_word_char(char):
            after = pos
            while after < len(source) and _is_word_char(source[after]):
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
    pattern: CompiledPattern, text: str, *, timeout: float | None = None
) -> Iterator[regex.Match[str]]:
    """Every match .NET's Regex.Replace would replace, left to right.

    After an empty match .NET scans on from the next character, so unlike
    Python's `finditer` it never takes a second match at the same position.
    """
    position = 0
    try:
        while position <= len(text):
            match = pattern.regex.search(text, position, timeout=timeout)
            if match is None:
                return
            yield match
            position = match.end() + (match.end() == match.start())
    except TimeoutError:
        raise RegexTimeoutError(
            f"pattern {pattern.source!r} ran longer than {timeout} s on {text[:40]!r}"
        ) from None


def replace(
    pattern: CompiledPattern,
    substitution: Substitution,
    text: str,
    *,
    first: regex.Match[str] | None = None,
    timeout: float | None = None,
) -> str:
    """Apply `Regex.Replace(text, pattern, substitution)` as .NET does.

    `first`, when given, is the pattern's first match in `text`, already found.
    """
    if first is not None and pattern.is_start_anchored:
        # Only one match can start at position 0: the rest of the text is kept.
        return substitution.expander(first, 0) + text[first.end() :]
    out: list[str] = []
    position = 0
    for match in iter_matches(pattern, text, timeout=timeout):
        out.append(text[position : match.start()])
        out.append(substitution.expander(match, 0))
        position = match.end()
    out.append(text[position:])
    return "".join(out)
