r"""A rule's outputs as lint analyses them: sample dial strings, the first-match loop,
and the proof that two rules write the same output.

`same_output` proves equality for one shape only (`^literal(body)literal$`
with `before$1after`: the anchors fix the span of group 1); lint calls any
agreement it cannot prove what it is, a difference not found among samples.

>>> from normalizer.models import NormalizationRule
>>> same_output(NormalizationRule("A", r"^00(\d{6,})$", "+$1"), NormalizationRule("B", r"^00(\d+)$", "+$1"))
"both drop the first 2 characters of the dial string and write '+' before the rest"
>>> same_output(NormalizationRule("A", r"^0(800\d{7})\d*$", "+49$1"), NormalizationRule("B", r"^0(\d+)$", "+49$1")) is None
True
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from normalizer.dotnet import language
from normalizer.dotnet.matcher import CompiledRule, compile_rule
from normalizer.engine import SEPARATORS
from normalizer.models import NormalizationRule


@lru_cache(maxsize=16384)
def sample_strings(pattern: str) -> tuple[str, ...]:
    """Dial strings the pattern matches, one per length up to 16, the same from run to run."""
    seed = zlib.crc32(pattern.encode("utf-8"))
    found = language.samples(
        language.language(pattern), excluded=SEPARATORS + "\n", ascii_only=True, seed=seed
    )
    return tuple(found)


LONG_SAMPLE_LENGTH = 24
"""Output comparisons also try one dial string per length up to this (E.164's 15 digits plus prefixes)."""


@lru_cache(maxsize=16384)
def long_samples(pattern: str) -> tuple[str, ...]:
    """Dial strings the pattern matches, one per length from 17 to `LONG_SAMPLE_LENGTH`."""
    seed = zlib.crc32(pattern.encode("utf-8")) + 1
    found = language.samples(
        language.language(pattern),
        max_length=LONG_SAMPLE_LENGTH,
        excluded=SEPARATORS + "\n",
        ascii_only=True,
        seed=seed,
    )
    return tuple(text for text in found if len(text) > 16)


@dataclass(slots=True)
class Member:
    """A rule of an effective plan as the analysis sees it."""

    rule: NormalizationRule
    compiled: CompiledRule
    language: language.Language
    is_service: bool
    index: int
    """Position in its own plan (tenant or service)."""


def member_of(
    rule: NormalizationRule, is_service: bool, index: int, analysable: bool = True
) -> Member:
    found = (
        language.language(rule.pattern)
        if analysable
        else language.Language(rule.pattern, None, "an automaton past the time limit")
    )
    return Member(rule, compile_rule(rule), found, is_service, index)


_LITERAL = r"(?:[0-9A-Za-z;=#,:]|\\[+*#.()\[\]{}?|^$\\])*"
_SPAN_PATTERN = re.compile(rf"\^({_LITERAL})\((?!\?)((?:[^()\\]|\\.|\(\?:)*(?:\)[^()]*)*)\)({_LITERAL})\$")
_SPAN_TRANSLATION = re.compile(r"((?:[^$]|\$\$)*)\$(?:1|\{1\})((?:[^$]|\$\$)*)")


def span_output(rule: NormalizationRule) -> tuple[str, int, int, str] | None:
    """A rule whose output is `before + dial[start:len-end] + after` for every string it matches.

    That holds for `^literal(body)literal$` with one capturing group and a
    translation `before$1after`: the anchors and the literals fix the span of
    group 1, whatever the body. None for any other shape.
    """
    pattern = _SPAN_PATTERN.fullmatch(rule.pattern)
    translation = _SPAN_TRANSLATION.fullmatch(rule.translation)
    if pattern is None or translation is None:
        return None
    body = pattern.group(2)
    if re.search(r"(?<!\\)\((?!\?:)", body):
        return None  # another capturing group
    prefix, suffix = (re.sub(r"\\(.)", r"\1", part) for part in (pattern.group(1), pattern.group(3)))
    before, after = (part.replace("$$", "$") for part in translation.groups())
    return before, len(prefix), len(suffix), after


def same_output(rule: NormalizationRule, other: NormalizationRule) -> str | None:
    """Why two rules give the same output for every dial string both match, or None if unproven."""
    mine, theirs = span_output(rule), span_output(other)
    if mine is None or mine != theirs:
        return None
    before, start, end, after = mine
    kept = f"drop the first {start} character{'' if start == 1 else 's'}" if start else "keep the start"
    if end:
        kept += f" and the last {end}"
    return f"both {kept} of the dial string and write {before!r} before{f' and {after!r} after' if after else ''} the rest"


def first_match(
    members: Sequence[Member], text: str, *, skip: int | None = None
) -> tuple[int, str] | None:
    """The plain first-match loop of the engine: the first rule that matches, and its output."""
    for position, member in enumerate(members):
        if position == skip:
            continue
        found = member.compiled.search(text)
        if found is not None:
            return position, member.compiled.translate(text, first=found)
    return None
