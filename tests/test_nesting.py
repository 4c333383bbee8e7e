"""The nesting check: its one-pass answer agrees with the exact scan, and no text makes it slow."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.errors import TenantFileError
from normalizer.nesting import _scan, check_text

PIECES = ["[", "]", "{", "}", '"', "'", '"""', "'''", "#", "\\", '\\"', "\n", "a", " ", "="]


def verdict(text: str, limit: int, *, exact: bool) -> str | None:
    try:
        if exact:
            _scan(text, "t.toml", limit)
        else:
            check_text(text, "t.toml", limit=limit)
    except TenantFileError as exc:
        return str(exc)
    return None


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.integers(0, 4))
def test_check_text_answers_as_the_exact_scan(pieces: list[str], limit: int) -> None:
    text = "".join(pieces)
    assert verdict(text, limit, exact=False) == verdict(text, limit, exact=True)


@pytest.mark.parametrize(
    "text",
    [
        'a = "' + '\\"' * 50_000,  # a string that never closes, full of escaped quotes
        "a = '" + "'" * 50_000,
        'a = """' + '\\"' * 50_000,
        "a = '''" + "''" * 25_000,
        "a = [" + '"\\"' * 30_000,
    ],
    ids=["basic", "literal", "multi-line-basic", "multi-line-literal", "in-an-array"],
)
def test_a_string_that_never_closes_is_read_once(text: str) -> None:
    """Trying each quote inside an unclosed string again took time quadratic in its length:
    100 KB of `\\"` ran for minutes (a request body may be 4 MiB). Now it is one pass."""
    started = time.perf_counter()
    check_text(text, "t.toml")
    assert time.perf_counter() - started < 5  # quadratic: minutes; one pass: milliseconds
