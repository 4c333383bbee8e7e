"""The Calling Plan pass of `dialplan cdr`: replay the normalized calls, append the outcomes.

A replay orders calls by start across the whole file (a log need not be
sorted), so it runs after the normalization pass, on its output (a temporary
Parquet file): the columns it needs are read at once, each distinct (user,
number, classification) becomes an intent once, the replay runs as array
operations (`normalizer.billing.replay`), and the rows are then written out in
their input order with `billing_category`, `allowed`, `block_reason`,
`charged_to`, `billed_minutes` and `charge` appended. Rows with an error keep
nulls there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from normalizer.billing.columns import parse_directions, read_durations, read_starts, utf8_text
from normalizer.billing.ledger import CallLedger, outcome_columns
from normalizer.billing.replay import OutOfOrderError
from normalizer.bulk.cdr_io import CdrFormat, open_writer
from normalizer.errors import DialplanInputError

BILLING_COLUMNS = ("billing_category", "allowed", "block_reason", "charged_to", "billed_minutes", "charge")
"""The columns the Calling Plan pass appends, in this order."""


@dataclass(frozen=True, slots=True)
class BillingColumns:
    """The input columns the Calling Plan pass reads."""

    user: str
    start: str
    duration: str
    direction: str | None = None
    file: str | None = None
    """The input file, named in the errors of its rows."""


class OutOfOrder(Exception):
    """A chunk starts before the previous one ended: the log is not in time order."""


def _bill_table(
    table: pa.Table, ledger: CallLedger, columns: BillingColumns, first_row: int = 1
) -> tuple[dict[str, pa.Array], np.ndarray, pa.Array | None]:
    """Replay one table's valid rows (data rows numbered from `first_row`).

    Returns the six columns for every row (nulls for errors), the starts of the
    rows replayed, and the `error` column with the rows whose start or duration
    cannot be read marked (None: unchanged). Such a row is an error row, like a
    number that cannot be normalized: the job goes on.
    """
    names = table.column_names
    for name in (columns.start, columns.duration, columns.direction):
        if name and name not in names:
            raise DialplanInputError(f"no column {name!r} in the input (columns: {', '.join(names)})", field=name)
    valid = np.asarray(
        pc.and_(pc.is_null(table["error"]), pc.is_valid(table["call_type"])).to_numpy(zero_copy_only=False),
        bool,
    )
    chosen = pa.array(valid)

    def column(name: str, filler: str) -> pa.Array:
        values = table[name]
        values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        # A row in error may hold anything: it is passed over, so it gets a harmless value.
        if valid.all():
            return values
        if pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type):  # read (as UTF-8) by the reader
            return pc.if_else(chosen, values, pa.scalar(filler.encode(), values.type))
        return pc.if_else(chosen, values.cast(pa.string()), pa.scalar(filler, pa.string()))

    count = table.num_rows
    starts = read_starts(column(columns.start, "1970-01-01T00:00:00"), columns.start)
    durations = read_durations(
        column(columns.duration, "0"), columns.duration, ledger.billing.catalog.billing.max_call_seconds
    )
    errors: pa.Array | None = None
    replayable = valid.copy()
    for parsed in (starts, durations):
        marked = parsed.messages(count, first_row, columns.file)
        if marked is not None:
            valid[parsed.bad] = False
            current = errors if errors is not None else table["error"].combine_chunks().cast(pa.string())
            errors = pc.coalesce(current, marked)
    ledger.bad_rows += int(np.count_nonzero(replayable & ~valid))
    every = bool(valid.all())
    inbound = parse_directions(column(columns.direction, "")) if columns.direction else None
    outcomes = ledger.feed_classified(
        utf8_text(table[columns.user].combine_chunks())[0].cast(pa.string()),  # a row not UTF-8 is in error already
        table["final_number"].combine_chunks(),
        table["call_type"].combine_chunks(),
        table["destination_region"].combine_chunks(),
        table["number_type"].combine_chunks(),
        starts.values,
        durations.values,
        inbound,
        valid=None if every else valid,
    )
    return outcome_columns(outcomes, None if every else valid), starts.values[valid], errors


class StreamingBiller:
    """The Calling Plan pass inside the normalization pass, for a log in time order.

    Each output table is replayed as it comes (the ledger carries pools and
    credits from chunk to chunk, as one pass would); a chunk that starts before
    the previous one ended raises `OutOfOrder`, and the command then runs the
    two-pass replay (`bill_file`).
    """

    def __init__(self, ledger: CallLedger, columns: BillingColumns) -> None:
        self.ledger = ledger
        self.columns = columns
        self.latest: int | None = None
        self.rows = 0

    def __call__(self, table: pa.Table) -> pa.Table:
        try:
            appended, start, errors = _bill_table(table, self.ledger, self.columns, self.rows + 1)
        except OutOfOrderError as exc:
            raise OutOfOrder(str(exc)) from None
        self.rows += table.num_rows
        if errors is not None:
            table = table.set_column(table.column_names.index("error"), "error", errors)
        if len(start):
            if self.latest is not None and int(start.min()) < self.latest:
                raise OutOfOrder(f"a call at {int(start.min())} follows one at {self.latest}")
            self.latest = int(start.max())
        for name in BILLING_COLUMNS:
            table = table.append_column(name, appended[name])
        return table


def bill_file(
    normalized: Path,
    sink: IO[bytes] | Path,
    sink_format: CdrFormat,
    ledger: CallLedger,
    columns: BillingColumns,
) -> int:
    """Replay the normalized file's calls into `ledger` and write every row with its outcome."""
    import pyarrow.parquet as pq

    source = pq.ParquetFile(normalized)
    wanted = [columns.user, columns.start, columns.duration, "final_number", "call_type",
              "destination_region", "number_type", "error"]
    if columns.direction:
        wanted.append(columns.direction)
    names = source.schema_arrow.names
    table = source.read(columns=[name for name in dict.fromkeys(wanted) if name in names])
    full, _, errors = _bill_table(table, ledger, columns)
    writer = open_writer(sink, sink_format)
    done = 0
    for batch in source.iter_batches():
        size = batch.num_rows
        out = pa.Table.from_batches([batch])
        if errors is not None:
            out = out.set_column(out.column_names.index("error"), "error", errors.slice(done, size))
        for name in BILLING_COLUMNS:
            out = out.append_column(name, full[name].slice(done, size))
        writer.write(out)
        done += size
    writer.close()
    return done
