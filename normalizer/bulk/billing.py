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
import pyarrow.parquet as pq

from normalizer.billing.columns import parse_directions, parse_durations, parse_starts
from normalizer.billing.ledger import CallLedger, outcome_columns
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


def bill_file(
    normalized: Path,
    sink: IO[bytes] | Path,
    sink_format: CdrFormat,
    ledger: CallLedger,
    columns: BillingColumns,
) -> int:
    """Replay the normalized file's calls into `ledger` and write every row with its outcome."""
    source = pq.ParquetFile(normalized)
    names = source.schema_arrow.names
    wanted = [columns.user, columns.start, columns.duration, "final_number", "call_type",
              "destination_region", "number_type", "error"]
    if columns.direction:
        wanted.append(columns.direction)
    for name in (columns.start, columns.duration, columns.direction):
        if name and name not in names:
            raise DialplanInputError(f"no column {name!r} in the input (columns: {', '.join(names)})", field=name)
    table = source.read(columns=wanted)
    valid = np.asarray(
        pc.and_(pc.is_null(table["error"]), pc.is_valid(table["call_type"])).to_numpy(zero_copy_only=False),
        bool,
    )
    count = table.num_rows
    start = np.zeros(count, np.int64)
    seconds = np.zeros(count, np.float64)
    rows = np.flatnonzero(valid)
    picked = pa.array(rows)
    if len(rows):
        start[rows] = parse_starts(table[columns.start].take(picked), columns.start)
        seconds[rows] = parse_durations(table[columns.duration].take(picked), columns.duration)
    inbound = None
    if columns.direction:
        inbound = np.zeros(count, bool)
        inbound[rows] = parse_directions(table[columns.direction].take(picked))

    def text(name: str) -> pa.Array:
        return table[name].take(picked).combine_chunks().cast(pa.string())

    outcomes = ledger.feed_classified(
        text(columns.user),
        text("final_number"),
        text("call_type"),
        text("destination_region"),
        text("number_type"),
        start[rows],
        seconds[rows],
        inbound[rows] if inbound is not None else None,
    )
    appended = outcome_columns(outcomes)
    # Back to every row, in input order: rows with an error get nulls.
    position = np.full(count, -1, np.int64)
    position[rows] = np.arange(len(rows))
    full = {
        name: column.take(pa.array(position, mask=position < 0)) for name, column in appended.items()
    }
    writer = open_writer(sink, sink_format)
    done = 0
    for batch in source.iter_batches():
        size = batch.num_rows
        out = pa.Table.from_batches([batch])
        for name in BILLING_COLUMNS:
            out = out.append_column(name, full[name].slice(done, size))
        writer.write(out)
        done += size
    close = getattr(writer, "close", None)
    if close is not None:
        close()
    return done
