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

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from normalizer.billing.columns import (
    Parsed,
    durations_read_ahead,
    only,
    read_directions,
    read_durations,
    read_starts,
    starts_read_ahead,
    utf8_text,
)
from normalizer.billing.ledger import CallLedger, outcome_columns
from normalizer.billing.replay import OutOfOrderError
from normalizer.bulk.batch import plan_label
from normalizer.bulk.cdr_io import CdrFormat, open_writer
from normalizer.bulk.store import BILLING_COLUMNS, decoded, needs_quoting
from normalizer.bulk.summary import CdrSummary
from normalizer.errors import DialplanInputError
from normalizer.models import Scope
from normalizer.simulation import Simulator


@dataclass(frozen=True, slots=True)
class BillingColumns:
    """The input columns the Calling Plan pass reads."""

    user: str
    start: str
    duration: str
    direction: str | None = None
    file: str | None = None
    """The input file, named in the errors of its rows."""


_RESULTS = ("final_number", "call_type", "destination_region", "number_type")
"""The result columns the billing category is worked out from."""


def _results(table: pa.Table) -> tuple[np.ndarray | None, list[pa.Array]]:
    """Each row's pair id and one result per pair, when the table is the bulk job's encoded
    output (the result columns index one list of distinct results); else (None, the columns)."""
    columns = [table[name].combine_chunks() for name in _RESULTS]
    if all(isinstance(values, pa.DictionaryArray) for values in columns):
        indices = columns[0].indices
        if all(values.indices.equals(indices) for values in columns[1:]):
            pairs = np.asarray(indices.fill_null(0).to_numpy(zero_copy_only=False), np.int64)
            return pairs, [values.dictionary for values in columns]
    return None, [values.cast(pa.string()) for values in columns]


def _callers(column: pa.ChunkedArray) -> pa.Array:
    """The callers' column as text, or dictionary-encoded text as the bulk job may give it."""
    values = utf8_text(column.combine_chunks())[0]  # a row not UTF-8 is in error already
    if pa.types.is_dictionary(values.type) and pa.types.is_string(values.type.value_type):
        return values
    return values.cast(pa.string())


@dataclass(slots=True)
class BillingErrors:
    """Rows the Calling Plan pass found in error (a start, duration or direction it cannot read), for the
    run's summary: they were normalized, so the normalization pass counted them by call type."""

    rows: int = 0
    call_types: Counter[str] = field(default_factory=Counter)
    unmatched: int = 0
    """Of them, rows whose dial string matched no rule."""
    errors: Counter[str] = field(default_factory=Counter)
    """By error, each without its row (the row's `error` names it)."""
    rule_hits: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """Of them, rows a rule matched, by (caller in lower case, rule scope, rule name)."""

    def count(
        self, table: pa.Table, rows: np.ndarray, columns: Sequence[Parsed], file: str | None, user: str | None = None
    ) -> None:
        """Count `rows` (indices into `table`), in error by the first of the billing `columns` to refuse them
        (`user`: the callers' column, for the rules their rows matched)."""
        if not len(rows):
            return
        self.rows += len(rows)
        picked = pa.array(rows)
        kinds = table["call_type"].combine_chunks().take(picked).cast(pa.string())
        self.call_types.update(kind for kind in kinds.to_pylist() if kind is not None)
        rules = table["matching_rule"].combine_chunks().take(picked).cast(pa.string())
        self.unmatched += rules.null_count
        if user is not None:
            matched = pa.table({
                "user": pc.utf8_lower(utf8_text(table[user].combine_chunks())[0].take(picked).cast(pa.string())),
                "scope": table["rule_scope"].combine_chunks().take(picked).cast(pa.string()),
                "rule": rules,
            }).filter(pc.is_valid(rules))
            counts = matched.group_by(["user", "scope", "rule"]).aggregate([([], "count_all")])
            for caller, scope, rule, hits in zip(*(counts[name].to_pylist() for name in counts.column_names), strict=True):
                self.rule_hits[caller, scope, rule] += hits
        counted = np.zeros(table.num_rows, bool)
        for parsed in columns:
            for row, detail in zip(parsed.bad.tolist(), parsed.details, strict=True):
                if not counted[row]:
                    counted[row] = True
                    self.errors[str(DialplanInputError(detail, file=file, field=parsed.column))] += 1

    def folded_into(self, summary: CdrSummary, simulator: Simulator | None = None) -> CdrSummary:
        """`summary` with these rows counted as errors rather than by call type (errors + call types = rows)
        and, given the run's `simulator` (which knows each caller's plans), not as rule hits."""
        if not self.rows:
            return summary
        call_types = Counter(summary.call_types)
        call_types.subtract(self.call_types)
        errors = Counter(dict(summary.top_errors))
        errors.update(self.errors)
        rule_hits = summary.rule_hits
        if simulator is not None and self.rule_hits:
            rule_hits = {plan: dict(rules) for plan, rules in summary.rule_hits.items()}
            for (caller, scope, rule), rows in self.rule_hits.items():
                # The plan the rule came from, as the normalization pass named it: the caller's plans know it.
                found = [r.dial_plan for r in simulator.effective(user=caller).rules if r.rule.name == rule and r.scope == scope]
                if found:
                    hits = rule_hits.get(plan_label(simulator.tenant, found[0], scope == Scope.SERVICE), {})
                    if rule in hits:
                        hits[rule] -= rows
        return replace(
            summary,
            errors=summary.errors + self.rows,
            unmatched=summary.unmatched - self.unmatched,
            call_types={kind: rows for kind, rows in sorted(call_types.items(), key=lambda item: -item[1]) if rows},
            rule_hits=rule_hits,
            top_errors=errors.most_common(_TOP_ERRORS),
        )


_TOP_ERRORS = 20
"""Errors the summary lists (as the normalization pass does)."""


class OutOfOrder(Exception):
    """A chunk starts before the previous one ended: the log is not in time order."""


@dataclass(frozen=True, slots=True)
class ReadAhead:
    """A chunk's starts and durations read before its results are known, where that is the
    same reading (`starts_read_ahead`, `durations_read_ahead`; None: read with the results)."""

    starts: Parsed | None = None
    durations: Parsed | None = None


def _bill_table(
    table: pa.Table,
    ledger: CallLedger,
    columns: BillingColumns,
    first_row: int = 1,
    found: BillingErrors | None = None,
    ahead: ReadAhead | None = None,
) -> tuple[dict[str, pa.Array], np.ndarray, pa.Array | None]:
    """Replay one table's valid rows (data rows numbered from `first_row`; `ahead`: its starts
    and durations already read).

    Returns the six columns for every row (nulls for errors), the starts of the
    rows replayed, and the error of each row whose start, duration or direction
    cannot be read (null elsewhere; None: there is none), to go in the `error`
    column (`with_errors`). Such a row is an error row, like a number that
    cannot be normalized: the job goes on.
    """
    names = table.column_names
    for name in (columns.start, columns.duration, columns.direction):
        if name and name not in names:
            raise DialplanInputError(f"no column {name!r} in the input (columns: {', '.join(names)})", field=name)
    valid = np.asarray(
        pc.and_(pc.is_null(table["error"]), pc.is_valid(table["call_type"])).to_numpy(zero_copy_only=False),
        bool,
    )
    count = table.num_rows
    # A row in error may hold anything there: it is passed over (read as 0, never bad).
    ahead = ahead or ReadAhead()
    if ahead.starts is not None:
        starts = only(ahead.starts, valid)
    else:
        starts = read_starts(table[columns.start], columns.start, rows=valid)
    if ahead.durations is not None:
        durations = only(ahead.durations, valid)
    else:
        durations = read_durations(
            table[columns.duration], columns.duration, ledger.billing.catalog.billing.max_call_seconds, rows=valid
        )
    directions = read_directions(table[columns.direction], columns.direction, rows=valid) if columns.direction else None
    parsed_columns = [starts, durations] if directions is None else [starts, durations, directions]
    errors: pa.Array | None = None
    replayable = valid.copy()
    for parsed in parsed_columns:
        marked = parsed.messages(count, first_row, columns.file)
        if marked is not None:
            valid[parsed.bad] = False
            errors = marked if errors is None else pc.coalesce(errors, marked)
    refused = np.flatnonzero(replayable & ~valid)
    ledger.bad_rows += len(refused)
    if found is not None:
        found.count(table, refused, parsed_columns, columns.file, columns.user)
    every = bool(valid.all())
    inbound = None if directions is None else directions.values
    pairs, results = _results(table)
    outcomes = ledger.feed_classified(
        _callers(table[columns.user]),
        results[0],
        results[1],
        results[2],
        results[3],
        starts.values,
        durations.values,
        inbound,
        valid=None if every else valid,
        pairs=pairs,
    )
    return outcome_columns(outcomes, None if every else valid, encoded=True), starts.values[valid], errors


def with_errors(table: pa.Table, errors: pa.Array | None) -> pa.Table:
    """`table` with the Calling Plan pass's row errors (`_bill_table`) in its `error` column."""
    if errors is None:
        return table
    current = table["error"].combine_chunks().cast(pa.string())
    return table.set_column(table.column_names.index("error"), "error", pc.coalesce(current, errors))


def with_outcomes(table: pa.Table, outcomes: dict[str, pa.Array], errors: pa.Array | None) -> pa.Table:
    """`table` with the pass's row errors and its six columns appended (`_bill_table`'s, for its rows)."""
    table = with_errors(table, errors)
    for name in BILLING_COLUMNS:
        table = table.append_column(name, outcomes[name])
    return table


@dataclass(frozen=True, slots=True)
class BilledChunk:
    """One output table's Calling Plan outcomes, to append to it as columns or as text."""

    columns: dict[str, pa.Array]
    """The six columns, in `BILLING_COLUMNS` order."""
    errors: pa.Array | None
    """Per row, the error the pass found (null elsewhere); None: there is none."""


class StreamingBiller:
    """The Calling Plan pass inside the normalization pass, for a log in time order.

    Each output table is replayed as it comes (the ledger carries pools and
    credits from chunk to chunk, as one pass would); a chunk that starts before
    the previous one ended raises `OutOfOrder`, and the command then runs the
    two-pass replay (`bill_file`).
    """

    names = BILLING_COLUMNS
    """The columns it appends."""

    def __init__(self, ledger: CallLedger, columns: BillingColumns) -> None:
        self.ledger = ledger
        self.columns = columns
        self.latest: int | None = None
        self.rows = 0
        self.errors = BillingErrors()

    @property
    def reads(self) -> tuple[str, ...]:
        """The input columns it reads (besides the job's results)."""
        names = (self.columns.user, self.columns.start, self.columns.duration, self.columns.direction)
        return tuple(dict.fromkeys(name for name in names if name))

    @property
    def grouped(self) -> tuple[str, ...]:
        """The callers and directions: each distinct one is looked up once."""
        return tuple(name for name in (self.columns.user, self.columns.direction) if name)

    def read_ahead(self, table: pa.Table) -> ReadAhead:
        """What of an input table's columns can be read before its results are known (the
        bulk job calls it on its reader's thread)."""
        names = table.column_names
        columns = self.columns
        return ReadAhead(
            starts_read_ahead(table[columns.start], columns.start) if columns.start in names else None,
            durations_read_ahead(
                table[columns.duration], columns.duration, self.ledger.billing.catalog.billing.max_call_seconds
            )
            if columns.duration in names
            else None,
        )

    def work_out(self, table: pa.Table, ahead: ReadAhead | None = None) -> BilledChunk:
        """Replay an output table (its input columns may be only `reads`), rows in order after the
        last one's (`ahead`: what `read_ahead` read of its input table)."""
        try:
            appended, start, errors = _bill_table(table, self.ledger, self.columns, self.rows + 1, self.errors, ahead)
        except OutOfOrderError as exc:
            raise OutOfOrder(str(exc)) from None
        self.rows += table.num_rows
        if len(start):
            if self.latest is not None and int(start.min()) < self.latest:
                raise OutOfOrder(f"a call at {int(start.min())} follows one at {self.latest}")
            self.latest = int(start.max())
        return BilledChunk(appended, errors)

    def attach(self, table: pa.Table, billed: BilledChunk) -> pa.Table:
        """The output table `billed` was worked out from (all its input columns or not), with the outcomes."""
        return with_outcomes(table, billed.columns, billed.errors)

    def line_ends(self, billed: BilledChunk) -> tuple[pa.Array | None, list[pa.Array]] | None:
        """The outcomes as a CSV row's end: the error text each row's (empty) `error` value
        becomes (None: no row has one) and the six columns to write after it as text
        (`normalizer.bulk.lines.csv_values`); None when a value would need quoting."""
        for values in (billed.columns["billing_category"], billed.columns["block_reason"],
                       billed.columns["charged_to"], billed.errors):  # fmt: skip
            if values is None:
                continue
            if needs_quoting(values.dictionary if isinstance(values, pa.DictionaryArray) else values):
                return None
        errors = None if billed.errors is None else pc.fill_null(billed.errors, "")
        return errors, [billed.columns[name] for name in BILLING_COLUMNS]


def bill_file(
    normalized: Path,
    sink: IO[bytes] | Path,
    sink_format: CdrFormat,
    ledger: CallLedger,
    columns: BillingColumns,
    found: BillingErrors | None = None,
) -> int:
    """Replay the normalized file's calls into `ledger` and write every row with its outcome
    (the rows it finds in error counted into `found`)."""
    import pyarrow.parquet as pq

    source = pq.ParquetFile(normalized)
    wanted = [columns.user, columns.start, columns.duration, "final_number", "call_type",
              "destination_region", "number_type", "matching_rule", "rule_scope", "error"]
    if columns.direction:
        wanted.append(columns.direction)
    names = source.schema_arrow.names
    table = source.read(columns=[name for name in dict.fromkeys(wanted) if name in names])
    full, _, errors = _bill_table(table, ledger, columns, found=found)
    writer = open_writer(sink, sink_format)
    done = 0
    for batch in source.iter_batches():
        size = batch.num_rows
        part = {name: values.slice(done, size) for name, values in full.items()}
        out = with_outcomes(pa.Table.from_batches([batch]), part, None if errors is None else errors.slice(done, size))
        writer.write(decoded(out))
        done += size
    writer.close()
    return done
