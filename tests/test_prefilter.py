"""The admission test never turns away a string its pattern matches."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.dotnet.dialect import PatternError, compile_pattern
from normalizer.dotnet.prefilter import Path, admission
from tests.strategies import patterns, wide_dial_strings


@settings(max_examples=600, deadline=None)
@given(pattern=patterns(wide=True), texts=st.lists(wide_dial_strings, min_size=1, max_size=10))
def test_admission_admits_every_string_the_pattern_matches(pattern: str, texts: list[str]) -> None:
    try:
        compiled = compile_pattern(pattern)
    except PatternError:
        return
    branch = compiled.combinable_pattern
    if branch is None or not compiled.is_start_anchored:
        return
    try:
        standard = re.compile(branch)
    except re.error:
        return
    test = admission(branch)
    for text in texts:
        if "\n" not in text and standard.match(text):
            assert test.admits(len(text), text[:2]), (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "admitted", "refused"),
    [
        (r"^00(\d+)$", ["0044", "001"], ["0144", "100"]),
        (r"^0?(80\d{7})\d*$", ["0800123456", "800123456"], ["0900123456", "900123456"]),
        (r"^(1\d{1,2}|11[68]\d{3}|10\d{2}|3\d{3})$", ["112", "3949", "1234"], ["2949", "39"]),
        (r"^\d*1$", ["1", "991"], ["19", ""]),
        (r"^(?:a|b)?c", ["c", "ac", "bcx"], ["dc", "bb"]),
    ],
)
def test_admission_table(pattern: str, admitted: list[str], refused: list[str]) -> None:
    test = admission(pattern)
    for text in admitted:
        assert test.admits(len(text), text[:2]), text
    refused_by_test = [text for text in refused if not test.admits(len(text), text[:2])]
    # Each refused string fails the pattern; most are also turned away up front.
    for text in refused:
        assert not re.match(pattern, text), text
    assert refused_by_test, "the admission test refused none of the non-matching strings"


def _compatible(path: Path, prefix: str) -> bool:
    """The plain reading of a path: each of the prefix's characters it reaches is allowed."""
    return all(
        allowed is None or char in allowed for allowed, char in zip(path, prefix, strict=False)
    )


@settings(max_examples=400, deadline=None)
@given(pattern=patterns(wide=True), texts=st.lists(wide_dial_strings, min_size=1, max_size=20))
def test_admission_answers_as_its_paths_read_plainly(pattern: str, texts: list[str]) -> None:
    try:
        compiled = compile_pattern(pattern)
    except PatternError:
        return
    branch = compiled.combinable_pattern
    if branch is None:
        return
    test = admission(branch, is_start_anchored=compiled.is_start_anchored)
    for text in [*texts, *texts]:  # asked twice: remembered answers are the same
        length, prefix = len(text), text[:2]
        plain = length >= test.min_length and (test.max_length is None or length <= test.max_length)
        plain = plain and (
            test.paths is None or any(_compatible(path, prefix) for path in test.paths)
        )
        assert test.admits(length, prefix) == plain, (pattern, text)
