"""Compiled rule lists: the first matching rule in one regex pass.

A rule list compiles once (cached) into segments. Consecutive rules that can
join a combined form become one alternation `(r0)|(r1)|...` matched at position
0, so the first branch that matches is the first rule that matches; a rule not
anchored at the start gets a lazy `(?s:.*?)` prefix, which makes a match at
position 0 equal a search anywhere. For each (length, first two characters) of a dial
string, the alternation holds only the rules that could match such a string
(`prefilter`), built on first use. A start-anchored winner's translation is
expanded from the combined match's own groups with a precompiled substitution;
other winners run `Regex.Replace` with their own pattern. Rules that cannot join
(backreferences, global options, constructs only the `regex` module knows or
that `re` reads differently) run on their own, in order; a non-ASCII dial
string, whose characters `re` and `regex` classify differently, takes the plain
loop, and so does the empty string. With a timeout, which is a budget of
work (`budget`), never of elapsed time, the compiled form still runs where
`backtracking` proves the combined alternations stay within it (a bound on
their steps for the dial string's length); elsewhere every candidate rule runs
on its own, in `regex` where its own bound fits the budget, else in RE2 when
regular (`linear`), else it is refused (`RegexTimeoutError`): the same answer
alone or under load. `naive_first_match` is the plain loop the compiled form
must always agree with (a property test checks it).

>>> from normalizer.models import NormalizationRule
>>> matcher = compile_rules((NormalizationRule("A", r"^(7\\d{3})$", "+3319999$1"),))
>>> matcher.match("7123")
(0, '+33199997123')
>>> matcher.match("8123") is None
True
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from normalizer.dotnet import dialect
from normalizer.dotnet.backtracking import WorkBound, work_bound
from normalizer.dotnet.budget import PatternBudget, Search, budget_steps
from normalizer.dotnet.prefilter import Admission, admission
from normalizer.dotnet.substitution import Substitution, parse_translation, replace
from normalizer.errors import DialplanError, RegexTimeoutError, TimeLimitError, TranslationError
from normalizer.models import NormalizationRule

_MAX_BUCKETS = 8192
_MISSING: Any = object()
_MAX_SAFE_LENGTH = 4096
_MAX_TIMEOUTS = 64
"""Timeouts whose safe length a matcher remembers."""


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule's pattern and translation, compiled in the .NET dialect."""

    rule: NormalizationRule
    pattern: dialect.CompiledPattern
    substitution: Substitution
    budget: PatternBudget

    def search(self, text: str, timeout: float | None = None) -> regex.Match[str] | None:
        """The rule's first match in `text`, as a plain `Regex.Match` would find it.

        With `timeout`, within its work budget (`budget`): the match may then be
        RE2's, which reads alike (`group`, `start`, `end`, `string`).
        """
        found: regex.Match[str] | None = self._searcher(text, timeout)(text, 0)
        return found

    def translate(
        self,
        text: str,
        first: regex.Match[str] | None = None,
        timeout: float | None = None,
        limit: int | None = None,
    ) -> str:
        """`Regex.Replace(text, pattern, translation)`; with `limit`, no longer than that."""
        search = (
            None
            if first is not None and self.pattern.is_start_anchored
            else self._searcher(text, timeout, replace=True)
        )
        try:
            return replace(self.pattern, self.substitution, text, first=first, search=search, limit=limit)
        except TranslationError as exc:
            raise exc.located(rule=self.rule.name, field="translation") from None
        except DialplanError as exc:
            raise exc.located(rule=self.rule.name, field="pattern") from None

    def _searcher(self, text: str, timeout: float | None, *, replace: bool = False) -> Search:
        try:
            return self.budget.searcher(text, timeout, replace=replace)
        except RegexTimeoutError as exc:
            raise exc.located(rule=self.rule.name, field="pattern") from None

    def groups(self, found: regex.Match[str]) -> dict[str, str | None]:
        """Captured groups by .NET number and name (group 0 left out)."""
        names = {number: name for name, number in self.pattern.group_names.items()}
        return {
            names.get(number, str(number)): found.group(python)
            for number, python in sorted(self.pattern.dotnet_groups.items())
            if number
        }


def compile_rule(rule: NormalizationRule) -> CompiledRule:
    """Compile one rule; errors name the rule and field."""
    try:
        pattern = dialect.compile_pattern(rule.pattern)
    except DialplanError as exc:
        raise exc.located(rule=rule.name, field="pattern") from None
    try:
        substitution = parse_translation(rule.translation, pattern)
    except DialplanError as exc:
        raise exc.located(rule=rule.name, field="translation") from None
    return CompiledRule(rule, pattern, substitution, PatternBudget(pattern))


@dataclass(frozen=True, slots=True)
class _Member:
    """A rule inside a combined segment: its branch text and admission test."""

    index: int
    branch: str
    groups: int
    admission: Admission
    expander: Callable[[re.Match[str], int], str] | None
    bound: WorkBound | None
    """The steps the branch can take (None: not proven bounded)."""
    growth: tuple[int, int]
    """(a, b): a translation of a text of n characters, the text kept, is at most a + b * n long."""


_Winner = tuple[int, Callable[[re.Match[str], int], str] | None, int, int]


@dataclass(frozen=True, slots=True)
class _Bucket:
    """One combined alternation and, by outer group number, the rule that won.

    A winner is (rule index, expander, growth) where the expander, for a
    start-anchored rule, builds the translation from the combined match (None
    means run the rule's own `Regex.Replace`) and the growth bounds its length
    (`_Member.growth`).
    """

    pattern: re.Pattern[str]
    winners: dict[int, _Winner]


# `re` and `regex` agree on ASCII dial strings (the only ones the combined form
# sees) except for `\s` (re also counts \x1c-\x1f) and case-insensitive matching
# of non-ASCII pattern characters (re matches "I" to (?i:\u0130)).
_IGNORE_CASE = re.compile(r"\(\?[a-z-]*i")


def _differs_on_ascii(branch: str) -> bool:
    """True when `re` could answer differently from `regex` on an ASCII string."""
    if "\\s" in branch or "\\S" in branch:
        return True
    non_ascii = not branch.isascii() or "\\u" in branch
    return non_ascii and _IGNORE_CASE.search(branch) is not None


def _fast_member(index: int, compiled: CompiledRule) -> _Member | None:
    """The rule as a branch of a combined `re` alternation, or None if it cannot be one."""
    branch = compiled.pattern.combinable_pattern
    if branch is None or _differs_on_ascii(branch):
        return None
    try:
        groups = re.compile(branch).groups
    except (re.error, RecursionError, OverflowError):
        return None
    anchored = compiled.pattern.is_start_anchored
    if not anchored:
        branch = f"(?s:.*?)(?:{branch})"
    expander = compiled.substitution.expander if anchored else None
    literal = compiled.substitution.longest_output(0)
    growth = (literal, compiled.substitution.longest_output(1) - literal + 1)
    test = admission(branch, is_start_anchored=anchored)
    return _Member(index, branch, groups, test, expander, work_bound(branch), growth)


class _CombinedSegment:
    """Consecutive rules tried by one alternation per (length, first two characters)."""

    def __init__(self, members: list[_Member]) -> None:
        self.members = tuple(members)
        self.buckets: dict[tuple[int, str], _Bucket | None] = {}
        self.every = self._bucket(self.members)
        # Many (length, first characters) keys admit the same rules: one alternation each.
        self._by_members: dict[tuple[int, ...], _Bucket | None] = {}

    @staticmethod
    def _bucket(members: Sequence[_Member]) -> _Bucket | None:
        if not members:
            return None
        branches: list[str] = []
        winners: dict[int, _Winner] = {}
        group = 1
        for member in members:
            branches.append(f"({member.branch})")
            winners[group] = (member.index, member.expander, *member.growth)
            group += member.groups + 1
        return _Bucket(re.compile("|".join(branches)), winners)

    def bucket(self, text: str) -> _Bucket | None:
        """The alternation of the rules that could match `text`."""
        if "\n" in text:
            # `$` also matches before a final newline: lengths say nothing here.
            return self.every
        key = (len(text), text[:2])
        try:
            return self.buckets[key]
        except KeyError:
            pass
        if len(self.buckets) >= _MAX_BUCKETS:
            # Bounded memory. The answer is the same (a rule left out cannot match such a
            # string) and so is the budget: `safe_length` bounds every member at once.
            return self.every
        chosen = [m for m in self.members if m.admission.admits(key[0], key[1])]
        if len(chosen) == len(self.members):
            found = self.every
        else:
            indices = tuple(m.index for m in chosen)
            if indices in self._by_members:
                found = self._by_members[indices]
            else:
                found = self._by_members[indices] = self._bucket(chosen)
        self.buckets[key] = found
        return found


class RuleMatcher:
    """A compiled rule list answering "which rule matches first, and what comes out"."""

    def __init__(self, rules: Sequence[NormalizationRule]) -> None:
        self.rules = tuple(compile_rule(rule) for rule in rules)
        self.segments: tuple[_CombinedSegment | int, ...] = tuple(self._segments())
        # Per rule, the admission test of its combined branch (None: it runs on its own).
        admissions: list[Admission | None] = [None] * len(self.rules)
        for segment in self.segments:
            if isinstance(segment, _CombinedSegment):
                for member in segment.members:
                    admissions[member.index] = member.admission
        self._admissions = tuple(admissions)
        self._candidates: dict[tuple[int, str], tuple[int, ...]] = {}
        bounds = [m.bound for s in self.segments if isinstance(s, _CombinedSegment) for m in s.members]
        self._bounds: tuple[WorkBound, ...] | None = None if None in bounds else tuple(bounds)  # type: ignore[arg-type]
        self._safe_lengths: dict[float, int] = {}

    def safe_length(self, timeout: float) -> int:
        """The longest dial string the combined form is proven to finish within `timeout`.

        -1 when no length is: some combined rule has no proven bound.
        """
        found = self._safe_lengths.get(timeout)
        if found is None:
            found = self._longest_within(budget_steps(timeout))
            # Bounded memory: a library caller may pass a new timeout at each call.
            if len(self._safe_lengths) < _MAX_TIMEOUTS:
                self._safe_lengths[timeout] = found
        return found

    def _longest_within(self, budget: float) -> int:
        bounds = self._bounds
        if bounds is None:
            return -1

        def fits(length: int) -> bool:
            return sum(bound.steps(length) for bound in bounds) <= budget

        if not fits(0):
            return -1
        low, high = 0, _MAX_SAFE_LENGTH  # steps grow with the length: the last that fits
        while low < high:
            middle = (low + high + 1) // 2
            if fits(middle):
                low = middle
            else:
                high = middle - 1
        return low

    def _segments(self) -> list[_CombinedSegment | int]:
        segments: list[_CombinedSegment | int] = []
        members: list[_Member] = []
        for index, compiled in enumerate(self.rules):
            member = _fast_member(index, compiled)
            if member is not None:
                members.append(member)
                continue
            if members:
                segments.append(_CombinedSegment(members))
                members = []
            segments.append(index)
        if members:
            segments.append(_CombinedSegment(members))
        return segments

    def match(
        self, text: str, timeout: float | None = None, limit: int | None = None, deadline: float | None = None
    ) -> tuple[int, str] | None:
        """The first matching rule's index and its translation of `text`, or None.

        With `limit`, a translation longer than `limit` characters is a
        `TranslationError` naming the rule, raised before the text is built.
        `deadline`: a `time.monotonic()` instant checked before each rule that
        runs on its own (`TimeLimitError` past it; each one's work is bounded
        by `timeout`, the combined form's by `safe_length`).
        """
        if not text or not text.isascii():
            # `re` and `regex` classify non-ASCII characters differently (\w, \d
            # of newer Unicode versions, case folding), and re's \B never
            # matches the empty string: only `regex` decides these.
            if timeout is not None:
                return self._match_within(text, timeout, limit, deadline)
            return self.naive_first_match(text, limit)
        if timeout is not None:
            safe = self._safe_lengths.get(timeout)
            if len(text) > (self.safe_length(timeout) if safe is None else safe):
                return self._match_within(text, timeout, limit, deadline)
        rules = self.rules
        for segment in self.segments:
            if isinstance(segment, int):
                if deadline is not None:
                    check_deadline(deadline)
                compiled = rules[segment]
                found = compiled.search(text, timeout)
                if found is not None:
                    return segment, compiled.translate(text, first=found, timeout=timeout, limit=limit)
                continue
            if "\n" in text:
                bucket = segment.every
            else:
                bucket = segment.buckets.get((len(text), text[:2]), _MISSING)
                if bucket is _MISSING:
                    bucket = segment.bucket(text)
            if bucket is None:
                continue
            combined = bucket.pattern.match(text)
            if combined is None:
                continue
            offset = combined.lastindex or 1
            index, expander, literal, per_character = bucket.winners[offset]
            if expander is not None and (limit is None or literal + per_character * len(text) <= limit):
                # A start-anchored rule matches once, at 0: the rest is kept.
                return index, expander(combined, offset) + text[combined.end(offset) :]
            return index, rules[index].translate(text, timeout=timeout, limit=limit)
        return None

    def _candidates_for(self, text: str) -> Sequence[int]:
        """The rules that could match `text`, in order: the combined form's prefilter.

        A rule left out is one no bucket of its segment would try for such a
        string; the strings the combined form leaves to the plain loop (empty,
        non-ASCII, with a newline) get every rule.
        """
        if not text or "\n" in text or not text.isascii():
            return range(len(self.rules))
        key = (len(text), text[:2])
        found = self._candidates.get(key)
        if found is None:
            found = tuple(
                index
                for index, admission in enumerate(self._admissions)
                if admission is None or admission.admits(key[0], key[1])
            )
            # Bounded memory; once full, the same list is computed again at each call
            # (never every rule: a rule left out is never refused, whatever the traffic).
            if len(self._candidates) < _MAX_BUCKETS:
                self._candidates[key] = found
        return found

    def _match_within(
        self, text: str, timeout: float, limit: int | None, deadline: float | None = None
    ) -> tuple[int, str] | None:
        # Each candidate runs on its own, within its work budget (`budget`): a pass
        # over many rules can still outlast the request, so its deadline is checked too.
        rules = self.rules
        for index in self._candidates_for(text):
            if deadline is not None:
                check_deadline(deadline)
            compiled = rules[index]
            found = compiled.search(text, timeout)
            if found is not None:
                return index, compiled.translate(text, first=found, timeout=timeout, limit=limit)
        return None

    def naive_first_match(self, text: str, limit: int | None = None) -> tuple[int, str] | None:
        """The plain first-match loop: each rule searched in order."""
        for index, compiled in enumerate(self.rules):
            found = compiled.search(text)
            if found is not None:
                return index, compiled.translate(text, first=found, limit=limit)
        return None


def check_deadline(deadline: float) -> None:
    """Raise `TimeLimitError` once `time.monotonic()` reaches `deadline` (the request's time limit)."""
    if deadline - time.monotonic() <= 0:
        raise TimeLimitError("the request ran past its time limit", field="dialed_number")


@lru_cache(maxsize=4096)
def compile_rules(rules: tuple[NormalizationRule, ...]) -> RuleMatcher:
    """The compiled matcher of a rule list, built once per distinct list."""
    return RuleMatcher(rules)
