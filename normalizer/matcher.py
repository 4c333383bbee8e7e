"""Compiled rule lists: the first matching rule in one regex pass.

A rule list compiles once (cached) into segments. Consecutive rules that can
join a combined form become one alternation `(r0)|(r1)|...` tried at position 0,
so the first branch that matches is the first rule that matches; a rule that is
not anchored at the start gets a lazy `(?s:.*?)` prefix, which makes a match at
position 0 equal a search anywhere. Rules that cannot join (backreferences,
global options) run on their own, in order. The winner's translation is applied
with its own pattern, as `Regex.Replace` does, from a precompiled substitution.
`naive_first_match` is the plain loop the compiled form must always agree with.

>>> from normalizer.models import NormalizationRule
>>> matcher = compile_rules((NormalizationRule("A", r"^(7\\d{3})$", "+3319999$1"),))
>>> matcher.match("7123")
(0, '+33199997123')
>>> matcher.match("8123") is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex

from normalizer import dialect
from normalizer.errors import DialplanError, RegexTimeoutError
from normalizer.models import NormalizationRule

_MAX_BRANCHES = 100


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule's pattern and translation, compiled in the .NET dialect."""

    rule: NormalizationRule
    pattern: dialect.CompiledPattern
    substitution: dialect.Substitution

    def search(self, text: str, timeout: float | None = None) -> regex.Match[str] | None:
        """The rule's first match in `text`, as a plain `Regex.Match` would find it."""
        try:
            return self.pattern.regex.search(text, timeout=timeout)
        except TimeoutError:
            raise _timeout(self.rule, text, timeout) from None

    def translate(
        self, text: str, first: regex.Match[str] | None = None, timeout: float | None = None
    ) -> str:
        """`Regex.Replace(text, pattern, translation)`."""
        return dialect.replace(self.pattern, self.substitution, text, first=first, timeout=timeout)

    def groups(self, found: regex.Match[str]) -> dict[str, str | None]:
        """Captured groups by .NET number and name (group 0 left out)."""
        names = {number: name for name, number in self.pattern.group_names.items()}
        return {
            names.get(number, str(number)): found.group(python)
            for number, python in sorted(self.pattern.dotnet_groups.items())
            if number
        }


def _timeout(rule: NormalizationRule, text: str, timeout: float | None) -> RegexTimeoutError:
    return RegexTimeoutError(
        f"pattern ran longer than {timeout} s on dial string {text[:40]!r}",
        rule=rule.name,
        field="pattern",
    )


def compile_rule(rule: NormalizationRule) -> CompiledRule:
    """Compile one rule; errors name the rule and field."""
    try:
        pattern = dialect.compile_pattern(rule.pattern)
    except DialplanError as exc:
        raise exc.located(rule=rule.name, field="pattern") from None
    try:
        substitution = dialect.parse_translation(rule.translation, pattern)
    except DialplanError as exc:
        raise exc.located(rule=rule.name, field="translation") from None
    return CompiledRule(rule, pattern, substitution)


@dataclass(frozen=True, slots=True)
class _Segment:
    """Rules `first`..`first + count - 1`, tried by one regex (or one rule alone)."""

    first: int
    count: int
    combined: regex.Pattern[str] | None


class RuleMatcher:
    """A compiled rule list answering "which rule matches first, and what comes out"."""

    def __init__(self, rules: Sequence[NormalizationRule]) -> None:
        self.rules = tuple(compile_rule(rule) for rule in rules)
        self.segments = tuple(self._segments())

    def _segments(self) -> list[_Segment]:
        segments: list[_Segment] = []
        branches: list[str] = []
        start = 0

        def close(end: int) -> None:
            if branches:
                combined = "|".join(f"({branch})" for branch in branches)
                segments.append(_Segment(start, end - start, regex.compile(combined, regex.V0)))
                branches.clear()

        for index, compiled in enumerate(self.rules):
            branch = compiled.pattern.combinable_pattern
            if branch is None or len(branches) >= _MAX_BRANCHES:
                close(index)
            if branch is None:
                segments.append(_Segment(index, 1, None))
                start = index + 1
                continue
            if not branches:
                start = index
            if not compiled.pattern.is_start_anchored:
                branch = f"(?s:.*?)(?:{branch})"
            branches.append(branch)
        close(len(self.rules))
        return segments

    def first_match(self, text: str, timeout: float | None = None) -> int | None:
        """The index of the first rule whose pattern matches `text`, or None."""
        for segment in self.segments:
            if segment.combined is None:
                if self.rules[segment.first].search(text, timeout) is not None:
                    return segment.first
                continue
            try:
                found = segment.combined.match(text, timeout=timeout)
            except TimeoutError:
                raise RegexTimeoutError(
                    f"patterns ran longer than {timeout} s on dial string {text[:40]!r}",
                    field="pattern",
                ) from None
            if found is not None:
                return segment.first + (found.lastindex or 1) - 1
        return None

    def match(self, text: str, timeout: float | None = None) -> tuple[int, str] | None:
        """The first matching rule's index and its translation of `text`, or None."""
        index = self.first_match(text, timeout)
        if index is None:
            return None
        return index, self.rules[index].translate(text, timeout=timeout)

    def naive_first_match(self, text: str) -> tuple[int, str] | None:
        """The plain first-match loop: each rule searched in order."""
        for index, compiled in enumerate(self.rules):
            found = compiled.search(text)
            if found is not None:
                return index, compiled.translate(text, first=found)
        return None


@lru_cache(maxsize=4096)
def compile_rules(rules: tuple[NormalizationRule, ...]) -> RuleMatcher:
    """The compiled matcher of a rule list, built once per distinct list."""
    return RuleMatcher(rules)
