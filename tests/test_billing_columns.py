"""Reading a call log's billing columns: starts, durations and directions, one reading per cell."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.billing.columns import (
    durations_read_ahead,
    only,
    read_directions,
    read_durations,
    read_starts,
    starts_read_ahead,
)


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


start_cells = st.one_of(
    st.sampled_from(["2024-03-01T10:00:00", "2024-03-01 10:00:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59"]),
    st.sampled_from(["", " ", "yesterday", "3/1/2024 10:00:00 AM", "2024-03-01T10:00:00Z", "10000-01-01T00:00:00"]),
    st.none(),
)
duration_cells = st.one_of(
    st.sampled_from(["0", "61", "1e3", "12.5", "90000000"]),
    st.sampled_from(["", "-4", "nan", "inf", "1:30", "ten"]),
    st.none(),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(start_cells, duration_cells, st.booleans()), min_size=1, max_size=12))
def test_reading_ahead_of_the_results_reads_as_reading_with_them(rows: list[tuple[str | None, str | None, bool]]) -> None:
    """The bulk job reads starts and durations on its reader's thread, before it knows which rows are
    in error: where it can (`*_read_ahead` is not None), keeping the rows read gives the same reading."""
    starts = pa.array([row[0] for row in rows], pa.string())
    durations = pa.array([row[1] for row in rows], pa.string())
    read = np.array([row[2] for row in rows])
    for ahead, at_once in (
        (starts_read_ahead(starts, "start"), read_starts(starts, "start", rows=read)),
        (durations_read_ahead(durations, "seconds", 86_400), read_durations(durations, "seconds", 86_400, rows=read)),
        (durations_read_ahead(pa.array([7, None, -1] * 4)[: len(rows)], "seconds"),
         read_durations(pa.array([7, None, -1] * 4)[: len(rows)], "seconds", rows=read)),
    ):
        if ahead is None:
            continue
        kept = only(ahead, read)
        assert kept.values.tolist() == at_once.values.tolist()
        assert (kept.bad.tolist(), kept.details) == (at_once.bad.tolist(), at_once.details)


def test_plain_iso_starts_and_numbers_of_seconds_are_read_ahead() -> None:
    assert starts_read_ahead(pa.array(["2024-03-01T10:00:00", "2024-03-01T10:00:09"]), "start") is not None
    assert durations_read_ahead(pa.array(["61", "0.5"]), "seconds") is not None
    assert starts_read_ahead(pa.array(["3/1/2024 10:00:00 AM"]), "start") is None  # read with the results
    assert durations_read_ahead(pa.array(["1:30"]), "seconds") is None


def test_rows_read_ahead_keep_their_errors_only_where_they_are_read() -> None:
    durations = pa.array(["61", "-4", "nan", "90000000", "inf", "12.5"])
    read = np.array([True, True, False, True, False, True])
    ahead = durations_read_ahead(durations, "seconds", 86_400)
    assert ahead is not None and ahead.bad.tolist() == [1, 2, 3, 4]
    kept, at_once = only(ahead, read), read_durations(durations, "seconds", 86_400, rows=read)
    assert (kept.values.tolist(), kept.bad.tolist(), kept.details) == (
        at_once.values.tolist(), at_once.bad.tolist(), at_once.details
    )
    assert kept.bad.tolist() == [1, 3]
    starts = pa.array(["2024-03-01T10:00:00", "0001-01-01T00:00:00", "2024-03-01 10:00:09"])
    ahead_starts = starts_read_ahead(starts, "start")
    assert ahead_starts is not None
    kept_starts = only(ahead_starts, np.array([False, True, True]))
    at_once_starts = read_starts(starts, "start", rows=np.array([False, True, True]))
    assert kept_starts.values.tolist() == at_once_starts.values.tolist() and kept_starts.values.tolist()[0] == 0
