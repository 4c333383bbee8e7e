"""Reading the billing columns of a call log: call start, duration, direction (Arrow arrays).

Starts are ISO 8601 (`2024-03-01T10:00:00Z`, with or without an offset or
fraction; no offset: UTC) or the PSTN usage report's `Time stamp (UTC)` as
exported to Excel (`3/1/2024 10:00:00 AM`), or timestamps (rounded down to
the second); a start naming no real moment (2023-02-29) is refused, not rolled
over, as is a year of fewer than four digits (`3/4/24`) or outside 1 to 9999. Durations are seconds (as Arrow reads a number: `1e3` too), or
`hh:mm:ss` as the report shows them (minutes and seconds under 60): one reading
for every cell, whatever its neighbours. Bytes that are not UTF-8 make a bad row, in any of the three columns. A direction with `in` as a word
between underscores (the report's `user_in`, `conf_in`, `ucap_in`, Direct Routing's `dr_in`,
`dr_in_ucap`) or reading `inbound`, `incoming` is inbound; any other text outbound; a value
that is not text (a number, a list) a bad row.

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
_SHORT_YEAR = r"^\d{1,3}-\d|^\d{1,2}/\d{1,2}/\d{1,3} "
"""A year of fewer than four digits (`24-03-04`, Excel's short date `3/4/24 9:20:00 AM`):
strptime reads it as written, year 24, so it is refused rather than guessed."""
FIRST_START, LAST_START = -62135596800, 253402300799
"""0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: a start outside them (year 0, a Parquet
timestamp far off) names no moment a report can show, so it is refused."""
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


def utf8_text(values: pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """A column as text where it is bytes (Parquet `binary`): cells whose bytes are not UTF-8
    become null, and are marked (None: there are none, or the column is not bytes)."""
    if not (pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type)):
        return values, None
    try:
        return values.cast(pa.string()), None
    except pa.ArrowInvalid:
        cells: list[str | None] = []
        bad = np.zeros(len(values), bool)
        for row, value in enumerate(values.to_pylist()):
            try:
                cells.append(None if value is None else value.decode("utf-8"))
            except UnicodeDecodeError:
                cells.append(None)
                bad[row] = True
        return pa.array(cells, pa.string()), bad


def _not_utf8(parsed: Parsed, rows: np.ndarray) -> Parsed:
    """`parsed` (read from `utf8_text`'s nulls) saying which bad rows held bytes that are not UTF-8."""
    details = [
        "holds bytes that are not valid UTF-8" if rows[row] else detail
        for row, detail in zip(parsed.bad.tolist(), parsed.details, strict=True)
    ]
    return Parsed(parsed.values, parsed.bad, details, parsed.column)


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


def only(parsed: Parsed, rows: np.ndarray) -> Parsed:
    """`parsed` with the rows outside `rows` (a mask) reading 0 and never bad."""
    values = parsed.values.copy()
    values[~rows] = 0
    kept = rows[parsed.bad]
    details = [detail for detail, keep in zip(parsed.details, kept.tolist(), strict=True) if keep]
    return Parsed(values, parsed.bad[kept], details, parsed.column)


def _text_column(values: pa.Array) -> bool:
    return not (
        pa.types.is_timestamp(values.type) or pa.types.is_integer(values.type) or pa.types.is_floating(values.type)
    )


def read_starts(
    values: pa.Array | pa.ChunkedArray | list[str], column: str, rows: np.ndarray | None = None
) -> Parsed:
    """Seconds since the epoch (UTC) of each start, and the rows that are not one.

    With `rows` (a mask), only those rows are read: the others (rows in error,
    which may hold anything) read 0 and are never bad.
    """
    if isinstance(values, list):
        values = pa.array(values, pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    values, not_utf8 = utf8_text(values)
    if not_utf8 is not None:
        return _not_utf8(read_starts(values, column, rows), not_utf8)
    if rows is not None and not rows.all():
        if _text_column(values):
            quick = _quick_starts(values, column)
            if quick is not None:
                return only(quick, rows)
            # The others get a harmless value: the quick reading may still serve the rows read.
            values = pc.if_else(pa.array(rows), values.cast(pa.string()), pa.scalar("1970-01-01T00:00:00", pa.string()))
        return only(read_starts(values, column), rows)
    if pa.types.is_timestamp(values.type):
        parsed = _whole_seconds(values)
    else:
        quick = _quick_starts(values, column)
        if quick is not None:
            return quick
        text = pc.utf8_trim_whitespace(values.cast(pa.string()))
        short = pc.fill_null(pc.match_substring_regex(text, _SHORT_YEAR), False)
        text = pc.replace_substring_regex(text, r"^(\d{4}-\d\d-\d\d)T", r"\1 ")
        text = pc.replace_substring_regex(text, r"(:\d\d)\.\d+", r"\1")
        text = pc.replace_substring_regex(text, r"Z$", "+0000")
        text = pc.replace_substring_regex(text, r"([+-]\d\d):(\d\d)$", r"\1\2")
        found = None
        zoned = np.zeros(len(text), bool)
        for fmt in _FORMATS:
            attempt = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
            if attempt.type.tz is not None:
                attempt = attempt.cast(pa.timestamp("s", tz="UTC")).cast(pa.int64())
                zoned |= np.asarray(pc.is_valid(attempt).to_numpy(zero_copy_only=False), bool)
            else:
                attempt = attempt.cast(pa.int64())
            found = attempt if found is None else pc.coalesce(found, attempt)
        assert found is not None
        parsed = pc.if_else(short, pa.scalar(None, pa.int64()), _refuse_rolled_over(text, found, zoned))
    bad = _missing(values, parsed)
    out = np.asarray(pc.fill_null(parsed, 0).to_numpy(zero_copy_only=False), np.int64)
    details = _shown(values, bad, f"is not a date and time ({START_FORMATS})")
    for index, value in enumerate(values.take(pa.array(bad, pa.int64())).to_pylist()):
        if isinstance(value, str) and _AMBIGUOUS.match(value.strip()):
            details[index] = (
                f"{value!r} is ambiguous (day/month or month/day?): give ISO 8601 (YYYY-MM-DD), "
                "or the PSTN usage report's M/D/YYYY h:mm:ss AM"
            )
        elif isinstance(value, str) and re.match(_SHORT_YEAR, value.strip()):
            details[index] = (
                f"{value!r} has a year of fewer than four digits: give the year in full "
                "(ISO 8601 YYYY-MM-DD, or the PSTN usage report's M/D/YYYY h:mm:ss AM)"
            )
    return _within_years(Parsed(out, bad, details, column), values)


def _within_years(parsed: Parsed, values: pa.Array) -> Parsed:
    """`parsed` with each start outside the years 1 to 9999 (UTC) made a bad row."""
    outside = (parsed.values < FIRST_START) | (parsed.values > LAST_START)
    outside[parsed.bad] = False
    rows = np.flatnonzero(outside)
    if not len(rows):
        return parsed
    if pa.types.is_timestamp(values.type):
        shown = [f"{seconds:,} s from 1970-01-01T00:00:00Z" for seconds in parsed.values[rows].tolist()]
    else:
        shown = [repr(value) for value in values.take(pa.array(rows, pa.int64())).to_pylist()]
    bad = np.concatenate([parsed.bad, rows])
    details = [*parsed.details, *(f"{text} is outside the years 1 to 9999" for text in shown)]
    order = np.argsort(bad, kind="stable")
    values_out = parsed.values.copy()
    values_out[rows] = 0
    return Parsed(values_out, bad[order], [details[index] for index in order.tolist()], parsed.column)


_ISO_FIELDS = (
    r"^(?P<Y>\d+)-(?P<M>\d+)-(?P<D>\d+)(?: (?P<h>\d+):(?P<m>\d+)(?::(?P<s>\d+))?)?"
    r"(?:(?P<sign>[+-])(?P<oh>\d\d)(?P<om>\d\d))?$"
)
_SLASH_FIELDS = r"^(?P<M>\d+)/(?P<D>\d+)/(?P<Y>\d+) (?P<h>\d+):(?P<m>\d+)(?::(?P<s>\d+))? (?P<p>[AaPp])[Mm]$"


def _refuse_rolled_over(text: pa.Array, found: pa.Array, zoned: np.ndarray) -> pa.Array:
    """`found` with null for each start not read as written.

    strptime rolls an impossible date or second over (2023-02-29 reads as
    1 March, 10:00:60 as 10:01:00) and takes any offset (+25:00): such a
    start would land in another month's pool. Only the rows that can be
    one are checked: an offset given, or a moment read on the 1st to 3rd
    of a month (a day rolled over: 31 February at most reads as 3 March) or
    on a whole minute (a second rolled over).
    """
    read = np.asarray(pc.fill_null(found, 0).to_numpy(zero_copy_only=False), np.int64)
    day = read.astype("datetime64[s]").astype("datetime64[D]")
    of_month = (day - day.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    suspect = np.asarray(pc.is_valid(found).to_numpy(zero_copy_only=False), bool) & (
        zoned | (of_month <= 3) | (read % 60 == 0)
    )
    rows = np.flatnonzero(suspect)
    if not len(rows):
        return found
    keep = np.ones(len(read), bool)
    taken = pa.array(rows, pa.int64())
    keep[rows] = _as_written(text.take(taken), found.take(taken))
    return pc.if_else(pa.array(keep), found, None)


def _as_written(text: pa.Array, found: pa.Array) -> np.ndarray:
    """True for each start read as written: its date, time and offset (at most 23:59, as
    Arrow's ISO 8601 reading allows) are those of the moment read (False where none was)."""
    read = np.asarray(pc.fill_null(found, 0).to_numpy(zero_copy_only=False), np.int64)
    fine = np.asarray(pc.is_valid(found).to_numpy(zero_copy_only=False), bool)
    slashed = pc.fill_null(pc.match_substring(text, "/"), False)
    for pattern, form in ((_ISO_FIELDS, pc.invert(slashed)), (_SLASH_FIELDS, slashed)):
        parts = pc.extract_regex(pc.if_else(form, text, None), pattern)
        matched = fine & np.asarray(pc.is_valid(parts).to_numpy(zero_copy_only=False), bool)
        if not matched.any():
            continue
        names = {field.name for field in parts.type}

        def number(name: str, parts: pa.Array = parts, names: set[str] = names) -> np.ndarray:
            if name not in names:
                return np.zeros(len(text), np.int64)
            cells = pc.struct_field(parts, name)
            cells = pc.if_else(pc.equal(cells, ""), "0", cells)
            return np.asarray(pc.fill_null(pc.cast(cells, pa.int64()), 0).to_numpy(zero_copy_only=False), np.int64)

        hour = number("h")
        if "p" in names:  # 12 AM is 0 h, 12 PM is 12 h
            afternoon = np.asarray(pc.fill_null(pc.equal(pc.utf8_lower(pc.struct_field(parts, "p")), "p"), False).to_numpy(zero_copy_only=False), bool)
            hour = hour % 12 + 12 * afternoon
        offset_hours, offset_minutes = number("oh"), number("om")
        sign = np.where(np.asarray(pc.fill_null(pc.equal(pc.struct_field(parts, "sign"), "-"), False).to_numpy(zero_copy_only=False), bool), -1, 1) if "sign" in names else 1
        local = read + sign * (offset_hours * 3600 + offset_minutes * 60)  # the clock as written
        day = local.astype("datetime64[s]").astype("datetime64[D]")
        month = day.astype("datetime64[M]")
        same = (
            (month.astype("datetime64[Y]").astype(np.int64) + 1970 == number("Y"))
            & (month.astype(np.int64) % 12 + 1 == number("M"))
            & ((day - month.astype("datetime64[D]")).astype(np.int64) + 1 == number("D"))
            & (local - day.astype("datetime64[s]").astype(np.int64) == hour * 3600 + number("m") * 60 + number("s"))
            & (number("m") <= 59)
            & (number("s") <= 59)
            & (offset_hours <= 23)
            & (offset_minutes <= 59)
        )
        fine[matched & ~same] = False
    return fine


_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _whole_seconds(values: pa.Array) -> pa.Array:
    """Seconds since the epoch of a timestamp column, rounded down (a Spark or pandas
    export of the report's `Start Time` has fractions): nulls stay null."""
    counts = values.cast(pa.int64())  # of the column's unit, since the epoch in UTC (a zone only shows it)
    floored = np.floor_divide(
        np.asarray(pc.fill_null(counts, 0).to_numpy(zero_copy_only=False), np.int64), _PER_SECOND[values.type.unit]
    )
    return pa.array(floored, pa.int64(), mask=np.asarray(counts.is_null().to_numpy(zero_copy_only=False), bool))


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


def read_durations(
    values: pa.Array | pa.ChunkedArray | list[float],
    column: str,
    max_seconds: float = MAX_CALL_SECONDS,
    rows: np.ndarray | None = None,
) -> Parsed:
    """Seconds of each call, and the rows that are not a duration: empty, not a number,
    not finite, negative, or longer than `max_seconds` (those rows read 0).

    With `rows` (a mask), only those rows are read: the others read 0 and are never bad.
    """
    if isinstance(values, list):
        values = pa.array(values, pa.float64())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    values, not_utf8 = utf8_text(values)
    if not_utf8 is not None:
        return _not_utf8(read_durations(values, column, max_seconds, rows), not_utf8)
    if (plain := _plain_seconds(values)) is not None:
        seconds = plain
    elif rows is not None and not rows.all():
        # The others get a harmless value: the quick reading may still serve the rows read.
        filled = pc.if_else(pa.array(rows), values.cast(pa.string()), pa.scalar("0", pa.string()))
        return only(read_durations(filled, column, max_seconds), rows)
    else:
        text = pc.utf8_trim_whitespace(values.cast(pa.string()))
        # One reading for every cell, whatever its neighbours: a number as the quick cast reads
        # it (`1e3` included), else hh:mm:ss or mm:ss with minutes and seconds under 60.
        parts = pc.extract_regex(text, r"^(?:(?P<h>\d+):)?(?P<m>[0-5]?\d):(?P<s>[0-5]?\d(?:\.\d+)?)$")
        number = _numbers(pc.if_else(pc.is_valid(parts), None, text))
        hours = pc.cast(pc.if_else(pc.equal(pc.struct_field(parts, "h"), ""), "0", pc.struct_field(parts, "h")), pa.float64())
        clock = pc.add(
            pc.add(pc.multiply(hours, 3600.0), pc.multiply(pc.cast(pc.struct_field(parts, "m"), pa.float64()), 60.0)),
            pc.cast(pc.struct_field(parts, "s"), pa.float64()),
        )
        seconds = pc.coalesce(number, clock)
    parsed = _durations(values, seconds, column, max_seconds)
    return only(parsed, rows) if rows is not None and not rows.all() else parsed


def _durations(values: pa.Array, seconds: pa.Array, column: str, max_seconds: float) -> Parsed:
    """The durations read from `values` as `seconds` (null: not a duration), the rows out of range made bad."""
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
                details.append(f"{value!r} is not a duration (seconds, or hh:mm:ss with minutes and seconds under 60)")
            elif not_finite[row]:
                details.append(f"{value!r} is not a finite number of seconds")
            elif negative[row]:
                details.append(f"{value!r}: a duration cannot be negative")
            else:
                details.append(f"{value!r} seconds is longer than the limit of {max_seconds:,.0f} s ({max_seconds / 86400:g} days)")
        out[bad] = 0.0
    return Parsed(out, bad, details, column)


def starts_read_ahead(values: pa.Array | pa.ChunkedArray, column: str) -> Parsed | None:
    """Every row's start, where which rows are read changes nothing: plain ISO 8601 text
    (as exports write it). `only(found, rows)` is then `read_starts(values, column, rows)`;
    None otherwise (read them with `read_starts`). The bulk job reads a chunk's starts so
    on its reader's thread, before it knows which rows are in error."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return _quick_starts(values, column) if pa.types.is_string(values.type) else None


def _quick_starts(values: pa.Array, column: str) -> Parsed | None:
    """The starts of plain ISO 8601 text, read in one cast (`_iso_quickly`); None otherwise."""
    quick = _iso_quickly(values)
    return None if quick is None else _within_years(Parsed(quick, np.zeros(0, np.int64), [], column), values)


def durations_read_ahead(
    values: pa.Array | pa.ChunkedArray, column: str, max_seconds: float = MAX_CALL_SECONDS
) -> Parsed | None:
    """Every row's duration, where which rows are read changes nothing: numbers, or plain
    numbers of seconds as text. `only(found, rows)` is then `read_durations(values, column,
    max_seconds, rows)`; None otherwise (read them with `read_durations`)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type) or pa.types.is_string(values.type)):
        return None
    seconds = _plain_seconds(values)
    return None if seconds is None else _durations(values, seconds, column, max_seconds)


def _plain_seconds(values: pa.Array) -> pa.Array | None:
    """Durations that are numbers, or plain numbers of seconds as text, as seconds; None otherwise."""
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        return values.cast(pa.float64())
    return _seconds_quickly(values)


def _numbers(text: pa.Array) -> pa.Array:
    """Each cell read as the quick cast reads a number (null where it is not one): each distinct
    cell once, a failing cast split in halves until the cells that are no number are found."""
    encoded = text.dictionary_encode()

    def read(cells: pa.Array) -> pa.Array:
        try:
            return pc.cast(cells, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            if len(cells) <= 1:
                return pa.nulls(len(cells), pa.float64())
            half = len(cells) // 2
            return pa.concat_arrays([read(cells.slice(0, half)), read(cells.slice(half))])

    return read(encoded.dictionary).take(encoded.indices)


def _seconds_quickly(values: pa.Array) -> pa.Array | None:
    """Plain numbers of seconds as text, in one Arrow cast; None when any is not one."""
    try:
        return pc.cast(values.cast(pa.string()), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def read_directions(
    values: pa.Array | pa.ChunkedArray, column: str, rows: np.ndarray | None = None
) -> Parsed:
    """True for each inbound call, and the rows whose bytes are not UTF-8 (a Parquet `binary`
    column): those cannot say which way the call went, so they are bad rows, read as outbound.

    With `rows` (a mask), only those rows can be bad.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    text, not_utf8 = utf8_text(values)
    kind = text.type.value_type if pa.types.is_dictionary(text.type) else text.type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind)):
        # Numbers, flags, times, lists, records: no call type, so no direction (not guessed outbound).
        refused = np.asarray(pc.is_valid(text).to_numpy(zero_copy_only=False), bool)
        bad = np.flatnonzero(refused if rows is None else refused & rows)
        why = f"must be text (a call type such as user_in or user_out), not {kind}"
        return Parsed(np.zeros(len(text), bool), bad, [why] * len(bad), column)
    # A log holds a few distinct directions: each is read once.
    if isinstance(text, pa.DictionaryArray) and pa.types.is_string(kind):
        encoded = text  # as the bulk job gives it
    else:
        encoded = text.cast(pa.string()).dictionary_encode()
    words = pc.utf8_lower(pc.utf8_trim_whitespace(encoded.dictionary))
    # `in` as a whole word between underscores: user_in, dr_in, and Direct Routing's dr_in_ucap.
    inbound = pc.or_(pc.is_in(words, pa.array(sorted(_INBOUND))), pc.match_substring_regex(words, "(^|_)in(_|$)"))
    per_value = np.append(np.asarray(pc.fill_null(inbound, False).to_numpy(zero_copy_only=False), bool), False)
    found = per_value.take(np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), np.int64))
    if not_utf8 is None:
        return Parsed(found, np.zeros(0, np.int64), [], column)
    bad = np.flatnonzero(not_utf8 if rows is None else not_utf8 & rows)
    return Parsed(found, bad, ["holds bytes that are not valid UTF-8"] * len(bad), column)


def parse_directions(values: pa.Array | pa.ChunkedArray, column: str = "direction") -> np.ndarray:
    """True for each inbound call; bytes that are not UTF-8 are an error naming their row."""
    parsed = read_directions(values, column)
    parsed.raise_first()
    return parsed.values
