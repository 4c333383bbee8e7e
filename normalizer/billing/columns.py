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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from normalizer.errors import DialplanInputError

_FORMATS = (
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M%z",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d",
)
_INBOUND = frozenset({"in", "inbound", "incoming"})


def _bad_row(values: pa.Array, parsed: pa.Array) -> int:
    missing = pc.and_(pc.is_null(parsed), pc.is_valid(values))
    return int(np.argmax(np.asarray(missing.to_numpy(zero_copy_only=False), bool)))


def parse_starts(values: pa.Array | pa.ChunkedArray | list[str], column: str) -> np.ndarray:
    """Seconds since the epoch (UTC) of each start; an empty or bad value is an error naming its row."""
    if isinstance(values, list):
        values = pa.array(values, pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_timestamp(values.type):
        parsed = values.cast(pa.timestamp("s", tz=values.type.tz)) if values.type.tz else values.cast(pa.timestamp("s"))
    else:
        quick = _iso_quickly(values)
        if quick is not None:
            return quick
        text = pc.utf8_trim_whitespace(values.cast(pa.string()))
        text = pc.replace_substring_regex(text, r"^(\d{4}-\d\d-\d\d)T", r"\1 ")
        text = pc.replace_substring_regex(text, r"(:\d\d)\.\d+", r"\1")
        text = pc.replace_substring_regex(text, r"Z$", "+0000")
        text = pc.replace_substring_regex(text, r"([+-]\d\d):(\d\d)$", r"\1\2")
        parsed = None
        for fmt in _FORMATS:
            attempt = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
            if attempt.type.tz is not None:
                attempt = attempt.cast(pa.timestamp("s", tz="UTC")).cast(pa.int64())
            else:
                attempt = attempt.cast(pa.int64())
            parsed = attempt if parsed is None else pc.coalesce(parsed, attempt)
        assert parsed is not None
        if parsed.null_count:
            row = _bad_row(values, parsed) if parsed.null_count > values.null_count else int(
                np.argmax(np.asarray(pc.is_null(values).to_numpy(zero_copy_only=False), bool))
            )
            value = values[row].as_py()
            detail = "is empty" if value is None else f"{value!r} is not a date and time (ISO 8601, or M/D/YYYY h:mm:ss AM)"
            raise DialplanInputError(f"row {row + 1}: {detail}", field=column)
        return np.asarray(parsed.to_numpy(zero_copy_only=False), np.int64)
    if parsed.null_count:
        row = int(np.argmax(np.asarray(pc.is_null(parsed).to_numpy(zero_copy_only=False), bool)))
        raise DialplanInputError(f"row {row + 1}: is empty", field=column)
    return np.asarray(parsed.cast(pa.int64()).to_numpy(zero_copy_only=False), np.int64)


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


def parse_durations(values: pa.Array | pa.ChunkedArray, column: str) -> np.ndarray:
    """Seconds of each call: numbers, or `hh:mm:ss` / `mm:ss` text."""
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
    if seconds.null_count:
        row = _bad_row(values, seconds) if seconds.null_count > values.null_count else int(
            np.argmax(np.asarray(pc.is_null(values).to_numpy(zero_copy_only=False), bool))
        )
        value = values[row].as_py()
        detail = "is empty" if value is None else f"{value!r} is not a duration (seconds, or hh:mm:ss)"
        raise DialplanInputError(f"row {row + 1}: {detail}", field=column)
    out = np.asarray(seconds.to_numpy(zero_copy_only=False), np.float64)
    if (out < 0).any():
        row = int(np.argmax(out < 0))
        raise DialplanInputError(f"row {row + 1}: a duration cannot be negative", field=column)
    return out


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
