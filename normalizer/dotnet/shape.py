"""What a pattern says about the dial strings it finds a match in: anchoring and regular form.

Lint and the language analyses read a pattern through its `PatternShape`:
whether it is anchored at both ends, whether its first token is optional, and
a plain regular expression of exactly the strings it finds a match in (or why
there is none).

>>> shape = pattern_shape(r"^0(\\d+)$")
>>> shape.is_start_anchored, shape.is_end_anchored, shape.regular is not None
(True, True, True)
>>> pattern_shape(r"^(?=1)\\d+$").reason
'a lookahead'
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache

import regex

from normalizer.dotnet.dialect import PatternTranslator, Token


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


def _opens(token: Token) -> bool:
    return token.kind == "capture" or (
        token.kind == "text" and token.text.startswith("(") and token.text.endswith((":", "=", "!", ">"))
        and token.text != "(?=\\n?\\Z)"
    )


def _alternatives(tokens: list[Token]) -> list[list[Token]]:
    """The tokens of each top-level alternative."""
    alternatives: list[list[Token]] = [[]]
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


def _first_token_is_optional(body: list[Token]) -> bool:
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
    translator = PatternTranslator(source)
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
