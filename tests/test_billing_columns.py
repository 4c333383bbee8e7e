"""Reading a call log's billing columns: starts, durations and directions, one reading per cell."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.billing.columns import read_directions, read_durations, read_starts


def at(text: str) -> int:
    return int(np.datetime64(text, "s").astype(np.int64))


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("zone", [None, "Europe/Paris"], ids=["naive", "zoned"])
def test_timestamps_with_fractions_are_rounded_down_to_the_second(unit: str, zone: str | None) -> None:
    # A Spark or pandas export of the report's Start Time: timestamp[ms]/[us]/[ns] with fractions.
    values = pa.array(
        [dt.datetime(2024, 3, 1, 10, 0, 0, 500_000), None, dt.datetime(1969, 12, 31, 23, 59, 59, 999_000)],
        pa.timestamp(unit, tz=zone),
    )
    parsed = read_starts(values, "start")
    assert parsed.values.tolist() == [at("2024-03-01T10:00:00"), 0, -1]  # down, also before 1970
    assert (parsed.bad.tolist(), parsed.details) == ([1], ["is empty"])


@pytest.mark.parametrize(
    "text",
    ["2023-02-29 12:00:00", "2024-04-31 10:00", "2/30/2024 10:00:00 AM", "2024-02-30",
     "2024-03-01T10:00:00+25:00", "2024-03-01 10:00:60", "2023-02-29T12:00:00Z"],
    ids=["feb-29-2023", "april-31", "slash-feb-30", "date-only-feb-30", "offset-25h", "second-60", "iso-feb-29-2023"],
)
@pytest.mark.parametrize("alone", [True, False], ids=["alone", "among-others"])
def test_an_impossible_start_is_refused_not_rolled_into_the_next_month(text: str, alone: bool) -> None:
    # Among a slash date, the column takes the slow path (strptime, which rolls dates over).
    cells = [text] if alone else ["3/1/2024 9:00:00 AM", text, "2024-03-01T10:00:00+01:00"]
    parsed = read_starts(pa.array(cells), "start")
    row = 0 if alone else 1
    assert parsed.bad.tolist() == [row]
    assert parsed.details == [f"{text!r} is not a date and time (ISO 8601, or M/D/YYYY h:mm:ss AM)"]


def test_possible_starts_near_the_checks_are_read() -> None:
    cells = ["2024-02-29 12:00:00", "3/1/2024 12:00:00 AM", "12/31/2023 11:59:59 PM", "2024-03-01T10:00:00.5-05:30",
             "2024-03-01T23:30:00-23:59", "2024-03-01", "3/31/2024 10:00:00 AM"]
    parsed = read_starts(pa.array(cells), "start")
    assert parsed.bad.tolist() == []
    assert parsed.values.tolist() == [
        at("2024-02-29T12:00:00"), at("2024-03-01T00:00:00"), at("2023-12-31T23:59:59"), at("2024-03-01T15:30:00"),
        at("2024-03-02T23:29:00"), at("2024-03-01T00:00:00"), at("2024-03-31T10:00:00"),
    ]


CELLS = ["60", "1e3", "0:01:00", "1:30", "0:99:99", "75:00", "1:00:00", " 60 ", "abc", "inf", "-5", "nan", "",
         "1.5", "0:00:59.5", "\u0661\u0662", "1e30", "+7", ".5", "0:60", "12:00:00"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(CELLS) | st.text(alphabet="0123456789:.e-+ ", max_size=8), min_size=1, max_size=12))
def test_a_duration_cell_reads_the_same_whatever_its_neighbours(cells: list[str]) -> None:
    together = read_durations(pa.array(cells, pa.string()), "dur")
    bad = dict(zip(together.bad.tolist(), together.details, strict=True))
    for row, cell in enumerate(cells):
        alone = read_durations(pa.array([cell], pa.string()), "dur")
        assert (together.values[row], bad.get(row)) == (alone.values[0], alone.details[0] if alone.details else None), cell


@pytest.mark.parametrize(
    ("cell", "seconds"),
    [("1e3", 1000.0), ("0:59:59", 3599.0), ("59:59", 3599.0), ("0:99:99", None), ("75:00", None), ("0:00:60", None)],
)
def test_a_duration_is_seconds_or_a_clock_with_minutes_and_seconds_under_60(cell: str, seconds: float | None) -> None:
    parsed = read_durations(pa.array([cell, "0:01:00"]), "dur")
    if seconds is None:
        assert parsed.bad.tolist() == [0]
        assert parsed.details == [f"{cell!r} is not a duration (seconds, or hh:mm:ss with minutes and seconds under 60)"]
    else:
        assert parsed.bad.tolist() == [] and parsed.values[0] == seconds


@pytest.mark.parametrize("reader", ["start", "duration"])
def test_bytes_that_are_not_utf8_make_a_bad_row_not_a_crash(reader: str) -> None:
    if reader == "start":
        parsed = read_starts(pa.array([b"2024-03-01T10:00:00Z", b"2024-03-01T1\xff:00:00Z"]), "start")
    else:
        parsed = read_durations(pa.array([b"60", b"6\xff", b"1:00"]), "dur")
    assert (parsed.bad.tolist(), parsed.details) == ([1], ["holds bytes that are not valid UTF-8"])
    assert str(parsed.error(0, "row 2")).endswith("row 2: holds bytes that are not valid UTF-8")


def test_directions_inbound_by_word_outbound_otherwise_and_bytes_that_are_not_utf8_a_bad_row() -> None:
    cells = [b"user_in", b"USER_OUT", b" Inbound ", b"sideways", None, b"user_\xffn"]
    parsed = read_directions(pa.array(cells, pa.binary()), "dir")
    assert parsed.values.tolist() == [True, False, True, False, False, False]
    assert (parsed.bad.tolist(), parsed.details) == ([5], ["holds bytes that are not valid UTF-8"])
    assert str(parsed.error(0, "row 6")).endswith("row 6: holds bytes that are not valid UTF-8")
    only = read_directions(pa.array(cells, pa.binary()), "dir", rows=np.array([True] * 5 + [False]))
    assert only.bad.tolist() == []  # a row in error already is not read again
