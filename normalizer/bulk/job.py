"""A bulk job on a file: read chunks ahead, normalize them, write them behind.

`normalize_file` streams a call-detail file through a `CdrNormalizer`,
reading on one thread and writing on another, submitting chunks ahead while
a helper process computes earlier chunks' new pairs, and returns the
`CdrSummary` of the run.

>>> processes_for("no-such-file.csv", CdrFormat.CSV)[1] in ("one core", "input size unknown")
True
"""

from __future__ import annotations

import gc
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar

import pyarrow as pa

from normalizer.bulk.batch import CdrColumns, CdrNormalizer, CdrTicket, EncodedChunk
from normalizer.bulk.cdr_io import (
    CdrFormat,
    DelimitedReader,
    DelimitedWriter,
    open_reader,
    open_writer,
)
from normalizer.bulk.lines import csv_values
from normalizer.bulk.store import OUTPUT_COLUMNS, decoded
from normalizer.bulk.summary import CdrSummary
from normalizer.simulation import Simulator

_LOOKAHEAD = 3
"""Chunks submitted ahead of the one being finished (bounded memory)."""


T = TypeVar("T")


def _ahead(items: Iterable[T], depth: int = 1) -> Iterator[T]:
    """`items`, produced on a second thread up to `depth` ahead (Arrow parses without the GIL)."""
    slots: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                slots.put((True, item))
            slots.put((False, None))
        except BaseException as exc:  # noqa: BLE001 - re-raised on the consumer's thread
            slots.put((False, exc))

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while True:
            more, item = slots.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                slots.get(timeout=0.05)
            except queue.Empty:
                pass
        worker.join()


class _Behind:
    """Calls `write` on a second thread, at most `depth` items (tables) behind.

    A stop signal raises in the main thread between any two of its steps, also
    inside `Queue.put` after the item is queued and before the writer is woken:
    the writer then sleeps beside a full queue, and a blocking `finish` would
    wait for it for ever. So the writer also wakes every `_POLL` seconds, and
    `abandon`, the path of a failed or stopped job, never waits on the queue.
    """

    def __init__(self, write: Callable[[Any], None], depth: int = 1) -> None:
        self.slots: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self.failure: BaseException | None = None
        self.stopping = threading.Event()
        self.write = write
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                table = self.slots.get(timeout=_POLL)
            except queue.Empty:
                continue
            if table is None:
                return
            if self.failure is None and not self.stopping.is_set():
                try:
                    self.write(table)
                except BaseException as exc:  # noqa: BLE001 - re-raised by put/finish
                    self.failure = exc

    def put(self, item: Any) -> None:
        if self.failure is not None:
            raise self.failure
        self.slots.put(item)

    def finish(self) -> None:
        """Write what is queued, then stop the thread."""
        self.slots.put(None)
        self.thread.join()
        if self.failure is not None:
            raise self.failure

    def abandon(self) -> None:
        """Stop the thread, leaving what is queued unwritten; returns once no write runs."""
        self.stopping.set()
        self.thread.join()


class Appender(Protocol):
    """Columns worked out from each output table of a bulk job, in order, and appended to it."""

    names: tuple[str, ...]
    """The columns appended, in order."""

    @property
    def reads(self) -> tuple[str, ...]:
        """The input columns it reads, besides the results."""
        ...

    @property
    def grouped(self) -> tuple[str, ...]:
        """Of them, text columns of few distinct values: it gets them dictionary-encoded."""
        ...

    def read_ahead(self, table: pa.Table) -> Any:
        """What it can read of an input table before its results are known (on the reader's
        thread, which has time to spare); `work_out` gets it with the output table."""
        ...

    def work_out(self, table: pa.Table, ahead: Any = None) -> Any:
        """The columns for an output table (rows in order after the previous table's)."""
        ...

    def attach(self, table: pa.Table, worked: Any) -> pa.Table:
        """The table with what `work_out` found for it."""
        ...

    def line_ends(self, worked: Any) -> tuple[pa.Array | None, list[pa.Array]] | None:
        """What `work_out` found, as a CSV row's end: each row's text for its (empty) `error`
        value (None: none), the columns (`csv_values`); None when a value needs quoting."""
        ...


@dataclass(frozen=True, slots=True)
class _Lines:
    """A chunk of plain CSV rows to write back as their lines, each followed by its ends."""

    lines: pa.Array
    texts: list[pa.Array]
    """The result columns' texts (`CdrNormalizer.finish_lines`)."""
    index: pa.Array
    """Each row's index into `texts`."""
    errors: pa.Array | None = None
    """Each row's text after its results' (the appender's errors)."""
    columns: list[pa.Array] = field(default_factory=list)
    """The appender's columns."""


_POLL = 0.1
"""Seconds between the writer's looks at whether the job was abandoned."""


Progress = Callable[[int, int, int | None], None]
"""Called after each chunk with rows so far, progress units so far, and the total units."""


TWO_PROCESSES_FROM_ROWS = 200_000
"""Inputs of at least this many rows (estimated) get a helper process.

Below it the helper's start (a fork, about 60 MB resident) costs more than it
saves; above it, sharing slices of new pairs made a 1 M-row job 1.15-1.2x faster
on two cores (bench/test_cdr_bench.py, group cdr-one-or-two-processes).
"""

_SAMPLE_BYTES = 1 << 16


def estimated_rows(source: str | Path, source_format: CdrFormat) -> int | None:
    """Rows in a call-detail file: Parquet's own count, or size over a sampled line length."""
    path = Path(source)
    try:
        if source_format is CdrFormat.PARQUET:
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(path).metadata.num_rows)
        if not path.is_file():
            return None
        size = path.stat().st_size
        with path.open("rb") as file:
            sample = file.read(_SAMPLE_BYTES)
    except (OSError, pa.ArrowException):
        return None
    lines = sample.count(b"\n") or 1
    return size * lines // max(len(sample), 1)


FEW_PAIRS = 0.02
"""A log whose first rows hold fewer distinct (caller, dial string) pairs than this
share of them stays in one process: a new pair costs about ten times a row, so
with so few the helper would share less work than its start costs."""

_PAIR_SAMPLE_BYTES = 1 << 18
_MIN_SAMPLED_ROWS = 1_000


def sampled_pairs(source: str | Path, source_format: CdrFormat, columns: CdrColumns) -> tuple[int, int] | None:
    """Rows and distinct (caller, dial string) pairs at the start of a CSV, TSV or Parquet file.

    Read without Arrow's threads: the helper process is forked after this.
    """
    names = list(columns.text_columns)
    try:
        if source_format is CdrFormat.PARQUET:
            import pyarrow.parquet as pq

            batches = pq.ParquetFile(source).iter_batches(batch_size=4096, columns=names, use_threads=False)
            table = pa.Table.from_batches([next(batches)])
        elif source_format in (CdrFormat.CSV, CdrFormat.TSV):
            import pyarrow.csv as pa_csv

            with Path(source).open("rb") as file:
                sample = file.read(_PAIR_SAMPLE_BYTES)
            sample = sample[: sample.rfind(b"\n") + 1]
            table = pa_csv.read_csv(
                pa.BufferReader(sample),
                read_options=pa_csv.ReadOptions(use_threads=False),
                parse_options=pa_csv.ParseOptions(delimiter="\t" if source_format is CdrFormat.TSV else ","),
                convert_options=pa_csv.ConvertOptions(
                    include_columns=names, column_types=dict.fromkeys(names, pa.string())
                ),
            )
        else:
            return None
    except (OSError, StopIteration, pa.ArrowException, ValueError):
        return None
    rows = list(zip(*(table[name].to_pylist() for name in names), strict=True))
    return len(rows), len(set(rows))


def processes_for(
    source: str | Path, source_format: CdrFormat, columns: CdrColumns | None = None
) -> tuple[int, str]:
    """How many processes a job gets, decided by its work (size, distinct pairs), and why (for the summary)."""
    cores = os.cpu_count() or 1
    if cores < 2:
        return 1, "one core"
    rows = estimated_rows(source, source_format)
    if rows is None:
        return 1, "input size unknown"
    if rows < TWO_PROCESSES_FROM_ROWS:
        return 1, f"about {rows:,} rows, under {TWO_PROCESSES_FROM_ROWS:,}"
    sampled = sampled_pairs(source, source_format, columns) if columns is not None else None
    if sampled is not None and sampled[0] >= _MIN_SAMPLED_ROWS and sampled[1] < sampled[0] * FEW_PAIRS:
        return 1, f"about {rows:,} rows, but {sampled[1]:,} distinct pairs in the first {sampled[0]:,}"
    return 2, f"about {rows:,} rows, at least {TWO_PROCESSES_FROM_ROWS:,}"


def normalize_file(
    source: str | Path,
    sink: IO[bytes] | Path,
    simulator: Simulator,
    columns: CdrColumns,
    *,
    source_format: CdrFormat,
    sink_format: CdrFormat,
    progress: Progress | None = None,
    processes: int | None = None,
    chunk_bytes: int | None = None,
    appender: Appender | None = None,
    while_writing: Callable[[], object] | None = None,
) -> CdrSummary:
    """Stream a call-detail file through the normalizer into `sink`; the summary of the run.

    `appender` works out columns from each output table, in order, and they are
    appended before it is written (the Calling Plan pass, when the log is in
    time order); it runs on the calling thread, as each chunk is finished, and
    gets the result columns dictionary-encoded (one value per distinct pair so
    far, each row's pair id as its index; `decoded` makes them text) and, of
    a plain CSV chunk written back as its lines, only the input columns the job
    and the appender read; its `grouped` columns come dictionary-encoded (on the reader's thread).
    `while_writing` runs on the calling thread once every chunk is handed to the
    writer, while it writes the last of them (the Calling Plan report is worked out there).
    """
    started = time.perf_counter()
    options: dict[str, Any] = {
        "text_columns": columns.text_columns,
        "digit_columns": (columns.dialed,),
    }
    if chunk_bytes:
        options["chunk_bytes"] = chunk_bytes
    reader = open_reader(source, source_format, **options)
    writer = open_writer(sink, sink_format)
    if processes is None:
        workers, why = processes_for(source, source_format, columns)
    else:
        workers, why = processes, "--processes"
    with _old_objects_frozen(), CdrNormalizer(simulator, columns, processes=workers) as normalizer:
        # A plain CSV row goes out as its line and its results' text: no column of it is
        # converted, nor written back (the same bytes: `DelimitedWriter.write_lines`).
        as_lines = (
            isinstance(reader, DelimitedReader)
            and isinstance(writer, DelimitedWriter)
            and sink_format is CdrFormat.CSV
        )
        if as_lines:
            assert isinstance(reader, DelimitedReader) and isinstance(writer, DelimitedWriter)
            normalizer.check_columns(reader.names)  # as the first chunk would be
            appended = () if appender is None else appender.names
            as_lines = writer.header_as_rows_would([*reader.names, *OUTPUT_COLUMNS, *appended])
            if as_lines:
                # A column the appender misses is named by it, from the first chunk.
                reads = () if appender is None else [name for name in appender.reads if name in reader.names]
                reader.rows_as_lines(list(dict.fromkeys([*columns.text_columns, *reads])))

        def write(item: pa.Table | _Lines) -> None:
            if isinstance(item, _Lines):
                assert isinstance(writer, DelimitedWriter)
                # Concatenated and rendered here, on the writer's thread (Arrow, without the GIL).
                ends = [pa.concat_arrays(item.texts).take(item.index)]
                if item.errors is not None:
                    ends.append(item.errors)
                if item.columns:
                    ends.append(csv_values(item.columns))
                writer.write_lines(item.lines, *ends)
            else:
                writer.write(decoded(item))

        behind = _Behind(write)
        rows = 0
        # Chunks read ahead while the helper computes earlier chunks' new pairs.
        waiting: deque[tuple[CdrTicket, int, pa.Array | None, EncodedChunk, Any]] = deque()

        def worked_out(out: pa.Table, encoded: EncodedChunk, ahead: Any) -> Any:
            assert appender is not None
            for name in appender.grouped:
                if name in encoded.columns and name in out.column_names:
                    out = out.set_column(out.column_names.index(name), name, encoded.columns[name])
            return appender.work_out(out, ahead)

        def emit() -> None:
            nonlocal rows
            ticket, done, lines, encoded, ahead = waiting.popleft()
            # The appender runs on this thread: many short array calls on the writer's would
            # wait on the GIL each time. It gets the encoded table (work per distinct pair).
            worked: Any = None
            if lines is not None:
                ends = normalizer.finish_lines(ticket)
                line_ends: tuple[pa.Array | None, list[pa.Array]] | None = (None, [])
                if appender is not None:
                    worked = worked_out(normalizer.finish(ticket, encoded=True), encoded, ahead)
                    line_ends = appender.line_ends(worked)
                if ends is not None and line_ends is not None:
                    behind.put(_Lines(lines, *ends, *line_ends))
                    rows += len(lines)
                    if progress is not None:
                        progress(rows, done, reader.total)
                    return
                # A value needs quoting: the whole chunk's columns, as `write` quotes them.
                assert isinstance(reader, DelimitedReader)
                whole = reader.parse(lines.buffers()[2].to_pybytes(), done).table
                ticket = replace(ticket, table=whole)
            out = normalizer.finish(ticket, encoded=True)
            if appender is not None:
                # The writer's thread decodes.
                out = appender.attach(out, worked_out(out, encoded, ahead) if worked is None else worked)
            behind.put(out)
            rows += out.num_rows
            if progress is not None:
                progress(rows, done, reader.total)

        try:
            try:
                # The reader's thread also gives each chunk's callers and dial strings their
                # ids (Arrow hashes them without the GIL), and reads what the appender can read
                # ahead, while this thread works on earlier chunks.
                grouped = appender.grouped if appender else ()
                chunks = (
                    (chunk, normalizer.encode(chunk.table, grouped), appender.read_ahead(chunk.table) if appender else None)
                    for chunk in reader
                )
                for chunk, encoded, ahead in _ahead(chunks):
                    ticket = normalizer.submit(chunk.table, chunk.read_errors, encoded)
                    waiting.append((ticket, chunk.done, chunk.lines, encoded, ahead))
                    while waiting and (len(waiting) > _LOOKAHEAD or normalizer.is_ready(waiting[0][0])):
                        emit()
                while waiting:
                    emit()
                # Counted while the writer's thread writes the last chunks.
                summary = normalizer.summary()
                if while_writing is not None:
                    while_writing()
            except BaseException:
                behind.abandon()
                raise
            behind.finish()
            if rows == 0:  # still a file with the columns (a CSV header, a Parquet schema)
                empty = _empty_output(reader, normalizer)
                writer.write(empty if appender is None else appender.attach(empty, appender.work_out(empty)))
        except BaseException:
            behind.abandon()  # no write runs while the file is closed (a signal may stop `finish` too)
            # What was written stays readable (a Parquet file gets its footer).
            with suppress(Exception):
                writer.close()
            raise
        writer.close()
        return replace(
            summary, seconds=time.perf_counter() - started, processes=workers, processes_reason=why
        )


@contextmanager
def _old_objects_frozen() -> Iterator[None]:
    """Within: the garbage collector's full passes skip what exists now (the modules, the tenant).

    They outlive the job: walking them at every full pass cost 0.07-0.14 s of
    CPU in a 1 M-row job. A forked helper inherits the frozen state, so its
    passes do not walk (and write to) the memory it shares with this process.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _empty_output(reader: Any, normalizer: CdrNormalizer) -> pa.Table:
    """A zero-row table of the input's columns and the result columns."""
    names = list(getattr(reader, "names", []))
    schema = reader.file.schema_arrow if hasattr(reader, "file") else pa.schema([(n, pa.string()) for n in names])
    if schema.names:  # a header or a schema (a JSON Lines file without lines has neither)
        normalizer.check_columns(schema.names)
    empty = schema.empty_table()
    for name in OUTPUT_COLUMNS:
        empty = empty.append_column(name, pa.array([], pa.string()))
    return empty
