"""Killable child work: results in order, each call under its own limit, errors with their location."""

from __future__ import annotations

import time

import pytest

from normalizer import MemoryLimitError, TenantFileError, TimeLimitError, run_isolated
from normalizer.quality import isolation

LIMIT = 0.3


def work(kind: str) -> str:
    """What a call does, by name (module level, so any start method can run it)."""
    if kind == "slow":
        isolation.note("sleeping on purpose", plan="P", rule="R", rule_index=2)
        time.sleep(30)
    elif kind == "silent-slow":
        time.sleep(30)
    elif kind == "error":
        raise TenantFileError("bad line", file="t.ps1", line=3, column=7)
    elif kind == "memory":
        raise MemoryError
    elif kind == "bug":
        raise KeyError("not ours")
    return kind.upper()


def outcomes(*kinds: str) -> list[object]:
    return list(isolation.run_each(work, [(kind,) for kind in kinds], seconds=LIMIT, method="fork"))


def test_results_come_in_order() -> None:
    assert outcomes("a", "b", "c") == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("kinds", "stopped_at"),
    [
        pytest.param(("slow", "b"), 0, id="first"),
        pytest.param(("a", "slow", "c"), 1, id="middle-then-a-new-child"),
        pytest.param(("a", "slow", "slow", "d"), 1, id="two-in-a-row"),
    ],
)
def test_a_call_past_its_limit_is_stopped_and_the_next_ones_still_run(
    kinds: tuple[str, ...], stopped_at: int
) -> None:
    started = time.monotonic()
    found = outcomes(*kinds)
    slow = kinds.count("slow")
    # Each call has its own limit: the whole run takes about one limit per slow call.
    assert time.monotonic() - started < LIMIT * slow + 2.0
    stopped = found[stopped_at]
    assert isinstance(stopped, TimeLimitError)
    assert (stopped.plan, stopped.rule, stopped.rule_index) == ("P", "R", 2)
    assert stopped.detail == f"the work ran past its limit of {LIMIT} s and was stopped while sleeping on purpose"
    assert [value for value in found if not isinstance(value, TimeLimitError)] == [
        kind.upper() for kind in kinds if kind != "slow"
    ]


def test_what_was_noted_for_one_call_is_not_told_of_the_next() -> None:
    first, second = outcomes("slow", "silent-slow")
    assert isinstance(first, TimeLimitError) and isinstance(second, TimeLimitError)
    assert second.detail.endswith("and was stopped") and second.rule is None


def test_an_error_in_the_child_comes_back_with_its_location() -> None:
    error, after = outcomes("error", "z")
    assert isinstance(error, TenantFileError)
    assert (error.file, error.line, error.column, error.detail) == ("t.ps1", 3, 7, "bad line")
    assert after == "Z"
    with pytest.raises(TenantFileError, match="t.ps1: bad line"):
        run_isolated(work, ("error",), seconds=LIMIT, method="fork")


def test_running_out_of_memory_is_a_limit_and_the_next_call_still_runs() -> None:
    stopped, after = outcomes("memory", "y")
    assert isinstance(stopped, MemoryLimitError)
    assert "more than 4 GiB" in stopped.detail
    assert after == "Y"


def test_memory_cap_stops_a_child_that_allocates_past_it() -> None:
    (stopped,) = isolation.run_each(
        bytearray, [(512 * 1024**2,)], seconds=10, memory_bytes=64 * 1024**2, method="fork"
    )
    assert isinstance(stopped, MemoryLimitError)


def test_an_unexpected_exception_is_a_bug_not_a_result() -> None:
    with pytest.raises(RuntimeError, match="KeyError"):
        outcomes("a", "bug")


def test_note_outside_a_child_does_nothing() -> None:
    isolation.note("nothing to tell", plan="P")


def test_run_isolated_raises_the_time_limit() -> None:
    with pytest.raises(TimeLimitError, match=f"limit of {LIMIT} s"):
        run_isolated(work, ("silent-slow",), seconds=LIMIT, method="fork")
