""".NET regular expressions, reproduced exactly on `regex`.

With its siblings `substitution` (translations, `Regex.Replace`), `shape`
(regular form) and `unrolling` (counted-repeat limits), this module is the only
place that knows how .NET differs from Python. It translates a .NET pattern
into an equivalent `regex` pattern and numbers groups as .NET does (unnamed
groups first, then named groups).
Sources: learn.microsoft.com dotnet/standard/base-types/
regular-expression-language-quick-reference and substitutions-in-regular-expressions,
and the replacement parser of dotnet/runtime (RegexParser.ScanDollar).

A construct we cannot reproduce exactly (balancing groups, class subtraction,
`\\G`, conditionals, the `n` and `x` options, options switched mid-pattern,
Unicode blocks) is a `PatternError`, never a silent difference; so is an escape
.NET rejects (`\\K`, `\\m`, `\\81`...) that Python's regex would accept.

>>> pattern = compile_pattern(r"^(?<ext>7\\d{3})$")
>>> pattern.group_names, pattern.dotnet_groups
({'ext': 1}, {0: 0, 1: 1})
>>> compile_pattern(r"[a-z-[aeiou]]")
Traceback (most recent call last):
...
normalizer.errors.PatternError: character class subtraction is not supported (at position 4)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import regex

from normalizer.dotnet.unrolling import MAX_UNROLLED_COPIES, unrolled_copies
from normalizer.errors import PatternError

# .NET's word characters (RegexCharClass.WordCategoriesMask).
_WORD_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Nd", "Pc"})
# .NET reads only ASCII digits in quantifiers and group numbers.
_QUANTIFIER_BRACES = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")
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


@dataclass(frozen=True, slots=True)
class Token:
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


class PatternTranslator:
    """Walks a .NET pattern once and emits `regex` tokens."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.tokens: list[Token] = []
        self.global_flags = ""
        self.has_backrefs = False
        self.top_level_alternation = False
        self.depth = 0

    def fail(self, detail: str, at: int | None = None) -> PatternError:
        position = self.pos if at is None else at
        return PatternError(f"{detail} (at position {position})")

    def emit(self, text: str) -> None:
        self.tokens.append(Token("text", text))

    def translate(self) -> list[Token]:
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
        if is_word_char(char) and char not in (_CLASS_ESCAPES if in_class else _ESCAPES):
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
            self.tokens.append(Token("backref", "", name=digits.group()))
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
            self.tokens.append(Token("backref", "k", name=name))
            self.after_atom()
            return ""
        elif char in "<'" and (bare := _angled_name(source, self.pos, ">" if char == "<" else "'")):
            # .NET still reads \<name> and \'name' (without k) as backreferences.
            self.pos += len(bare) + 1
            self.has_backrefs = True
            self.tokens.append(Token("backref", "k", name=bare))
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
            self.tokens.append(Token("capture", "("))
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
            if not name or not all(is_word_char(c) for c in name) or name[0].isdigit():
                raise self.fail(f"invalid group name {name!r}", start)
            self.tokens.append(Token("capture", f"(?P<{name}>", name=name))
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
        while end < len(source) and is_word_char(source[end]):
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


_CACHED_COPIES = 1000
"""Patterns that write out more copies than this when compiled stay out of `regex`'s cache."""


def compile_pattern(source: str, *, timeout: float | None = None) -> CompiledPattern:
    """Translate and compile a .NET pattern; raise `PatternError` when we cannot."""
    if not isinstance(source, str):
        raise PatternError(f"pattern must be text, not {type(source).__name__}")
    translator = PatternTranslator(source)
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
    unrolled = unrolled_copies(python_pattern)
    if unrolled > MAX_UNROLLED_COPIES:
        # `regex` writes out counted repeats when it compiles: `(?:\d{1000}){1000}`
        # takes half a second and 270 MB before any timeout can apply.
        raise PatternError(
            f"nested counted repeats make {unrolled:,} copies of one part; the limit is {MAX_UNROLLED_COPIES:,}"
        )
    try:
        # `regex` keeps its last 500 patterns: only small ones here, so that cache is
        # bounded by memory, not by count. `\d{99990}` compiles to 16 MB: forty such
        # patterns posted once were kept, 600 MB.
        compiled = regex.compile(python_pattern, regex.V0, cache_pattern=unrolled <= _CACHED_COPIES)
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


def is_word_char(char: str) -> bool:
    """.NET's IsBoundaryWordChar: a word character or a zero-width (non-)joiner."""
    return unicodedata.category(char) in _WORD_CATEGORIES or char in "\u200c\u200d"
