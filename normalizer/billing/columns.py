"""Reading the billing columns of a call log: call start, duration, direction (Arrow arrays).

Starts are ISO 8601 (`2024-03-01T10:00:00Z`, with or without an offset or
fraction; no offset: UTC) or the PSTN usage report's `Time stamp (UTC)` as
exported to Excel (`3/1/2024 10:00:00 AM`). Durations are seconds, or
`hh:mm:ss` as the report shows them. A direction ending in `_in` (the report's
`user_in`, `conf_in`, `ucap_in`, Direct Routing's `dr_in`) or reading `in`,
`inbound`, `incoming` is inbound; anything else outbound.

>>> import pyarrow as pa
>>> parse_starts(pa.array(["2024-03-01T10:00:00Z", "3/1/2024 11:00:00 AM"]), "start").tolist()
[1709287200, 1709290800]
>>> parse_durations(pa.array(["00:01:05", "30"]), "duration").tolist()
[65.0, 30.0]
>>> parse_starts(pa.array(["yesterday"]), "start")
Traceback (most recent call last):
...
normalizer.errors.DialplanInputError: field 'start': row 1: 'yesterday' is not a date and time (ISO 8601, or M/D/YYYY h:mm:ss AM)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from normalizer.billing.catalog import MAX_CALL_SECONDS
from normalizer.errors import DialplanInputError

_FORMATS = (
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M%z",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%Y-%m-%d",
)
"""Slash dates only with AM/PM, the PSTN usage report's Excel form (month first): `04/03/2024
09:20:00` could be 3 April or 4 March (a European export), so it is refused, not guessed."""
START_FORMATS = "ISO 8601, or M/D/YYYY h:mm:ss AM"
_AMBIGUOUS = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d(:\d\d)?$")
_INBOUND = frozenset({"in", "inbound", "incoming"})


@dataclass(frozen=True, slots=True)
class Parsed:
    """A billing column read row by row: the values, and the rows that could not be read.

    `bad` holds the indices of the rows in error (their value is 0) and
    `details` what is wrong with each, without the row: the caller names the
    row as its input counts it (a file's data row, a request's `calls[i]`).
    """

    values: np.ndarray
    bad: np.ndarray
    details: list[str]
    column: str

    def error(self, index: int, where: str | None = None) -> DialplanInputError:
        """The error of the `index`-th bad row, placed at `where` (e.g. `row 4`) if given."""
        detail = self.details[index] if where is None else f"{where}: {self.details[index]}"
        return DialplanInputError(detail, field=self.column)

    def raise_first(self) -> None:
        """Raise the first bad row's error (rows counted from 1), if any."""
        if len(self.bad):
            raise self.error(0, f"row {int(self.bad[0]) + 1}")

    def messages(self, count: int, first_row: int, file: str | None = None) -> pa.Array | None:
        """One error text per row (null where fine; rows numbered from `first_row`), or None when all are fine."""
        if not len(self.bad):
            return None
        texts = [
            str(DialplanInputError(f"row {first_row + row}: {detail}", file=file, field=self.column))
            for row, detail in zip(self.bad.tolist(), self.details, strict=True)
        ]
        positions = np.full(count, -1, np.int64)
        positions[self.bad] = np.arange(len(self.bad))
        return pa.array(texts, pa.string()).take(pa.array(positions, mask=positions < 0))


def _missing(values: pa.Array, parsed: pa.Array) -> np.ndarray:
    """Rows whose parsed value is null."""
    return np.flatnonzero(np.asarray(pc.is_null(parsed).to_numpy(zero_copy_only=False), bool))


def _shown(values: pa.Array, rows: np.ndarray, what: str) -> list[str]:
    shown = values.take(pa.array(rows, pa.int64())).to_pylist()
    return ["is empty" if value is None else f"{value!r} {what}" for value in shown]


def parse_starts(values: pa.Array | pa.ChunkedArray | list[str], column: str) -> np.ndarray:
    """Seconds since the epoch (UTC) of each start; an empty or bad value is an error naming its row."""
    parsed = read_starts(values, column)
    parsed.raise_first()
    return parsed.values


def read_starts(values: pa.Array | pa.ChunkedArray | list[str], column: str) -> Parsed:
    """Seconds since the epoch (UTC) of each start, and the rows that are not one."""
    if isinstance(values, list):
        values = pa.array(values, pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_timestamp(values.type):
        parsed = values.cast(pa.timestamp("s", tz=values.type.tz)) if values.type.tz else values.cast(pa.timestamp("s"))
        parsed = parsed.cast(pa.int64())
    else:
        quick = _iso_quickly(values)
        if quick is not None:
            return Parsed(quick, np.zeros(0, np.int64), [], column)
        text = pc.utf8_trim_whitespace(values.cast(pa.string()))
        text = pc.replace_substring_regex(text, r"^(\d{4}-\d\d-\d\d)T", r"\1 ")
        text = pc.replace_substring_regex(text, r"(:\d\d)\.\d+", r"\1")
        text = pc.replace_substring_regex(text, r"Z$", "+0000")
        text = pc.replace_substring_regex(text, r"([+-]\d\d):(\d\d)$", r"\1\2")
        found = None
        for fmt in _FORMATS:
            attempt = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
            if attempt.type.tz is not None:
                attempt = attempt.cast(pa.timestamp("s", tz="UTC")).cast(pa.int64())
            else:
                attempt = attempt.cast(pa.int64())
            found = attempt if found is None else pc.coalesce(found, attempt)
        assert found is not None
        parsed = found
    bad = _missing(values, parsed)
    out = np.asarray(pc.fill_null(parsed, 0).to_numpy(zero_copy_only=False), np.int64)
    details = _shown(values, bad, f"is not a date and time ({START_FORMATS})")
    for index, value in enumerate(values.take(pa.array(bad, pa.int64())).to_pylist()):
        if isinstance(value, str) and _AMBIGUOUS.match(value.strip()):
            details[index] = (
                f"{value!r} is ambiguous (day/month or month/day?): give ISO 8601 (YYYY-MM-DD), "
                "or the PSTN usage report's M/D/YYYY h:mm:ss AM"
            )
    return Parsed(out, bad, details, column)


def _iso_quickly(values: pa.Array) -> np.ndarray | None:
    """Plain ISO 8601 (no offset: UTC; or all with offsets) in one Arrow cast; None otherwise."""
    if values.null_count:
        return None
    for kind in (pa.timestamp("s"), pa.timestamp("s", tz="UTC")):
        try:
            parsed = pc.cast(values.cast(pa.string()), kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return np.asarray(parsed.cast(pa.int64()).to_numpy(zero_copy_only=False), np.int64)
    return None


def parse_durations(values: pa.Array | pa.ChunkedArray, column: str, max_seconds: float = MAX_CALL_SECONDS) -> np.ndarray:
    """Seconds of each call: numbers, or `hh:mm:ss` / `mm:ss` text; a bad value is an error naming its row."""
    parsed = read_durations(values, column, max_seconds)
    parsed.raise_first()
    return parsed.values


def read_durations(values: pa.Array | pa.ChunkedArray | list[float], column: str, max_seconds: float = MAX_CALL_SECONDS) -> Parsed:
    """Seconds of each call, and the rows that are not a duration: empty, not a number,
    not finite, negative, or longer than `max_seconds` (those rows read 0)."""
    if isinstance(values, list):
        values = pa.array(values, pa.float64())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        seconds = values.cast(pa.float64())
    elif (quick := _seconds_quickly(values)) is not None:
        seconds = quick
    else:
        text = pc.utf8_trim_whitespace(values.cast(pa.string()))
        number = pc.cast(
            pc.if_else(pc.match_substring_regex(text, r"^\d+(\.\d+)?$"), text, None), pa.float64()
        )
        parts = pc.extract_regex(
            text, r"^(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{1,2}(?:\.\d+)?)$"
        )
        hours = pc.cast(pc.if_else(pc.equal(pc.struct_field(parts, "h"), ""), "0", pc.struct_field(parts, "h")), pa.float64())
        clock = pc.add(
            pc.add(pc.multiply(hours, 3600.0), pc.multiply(pc.cast(pc.struct_field(parts, "m"), pa.float64()), 60.0)),
            pc.cast(pc.struct_field(parts, "s"), pa.float64()),
        )
        seconds = pc.coalesce(number, clock)
    missing = np.asarray(pc.is_null(seconds).to_numpy(zero_copy_only=False), bool)
    out = np.array(pc.fill_null(seconds, 0.0).to_numpy(zero_copy_only=False), np.float64)
    with np.errstate(invalid="ignore"):
        not_finite = ~missing & ~np.isfinite(out)
        negative = ~missing & ~not_finite & (out < 0)
        too_long = ~missing & ~not_finite & (out > max_seconds)
    bad = np.flatnonzero(missing | not_finite | negative | too_long)
    details: list[str] = []
    if len(bad):
        shown = values.take(pa.array(bad, pa.int64())).to_pylist()
        for row, value in zip(bad.tolist(), shown, strict=True):
            if value is None:
                details.append("is empty")
            elif missing[row]:
                details.append(f"{value!r} is not a duration (seconds, or hh:mm:ss)")
            elif not_finite[row]:
                details.append(f"{value!r} is not a finite number of seconds")
            elif negative[row]:
                details.append(f"{value!r}: a duration cannot be negative")
            else:
                details.append(f"{value!r} seconds is longer than the limit of {max_seconds:,.0f} s ({max_seconds / 86400:g} days)")
        out[bad] = 0.0
    return Parsed(out, bad, details, column)


def _seconds_quickly(values: pa.Array) -> pa.Array | None:
    """Plain numbers of seconds as text, in one Arrow cast; None when any is not one."""
    try:
        return pc.cast(values.cast(pa.string()), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def parse_directions(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """True for each inbound call."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    text = pc.utf8_lower(pc.utf8_trim_whitespace(values.cast(pa.string())))
    inbound = pc.or_(pc.is_in(text, pa.array(sorted(_INBOUND))), pc.ends_with(text, "_in"))
    return np.asarray(pc.fill_null(inbound, False).to_numpy(zero_copy_only=False), bool)
