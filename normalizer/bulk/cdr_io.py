"""Call-detail log files: streaming readers and writers for CSV, TSV, JSON Lines and Parquet.

A reader yields `Chunk`s: an Arrow table of every input column plus, per row,
why the row could not be read (null when it was). Nothing is dropped: a short
or long line, bytes that are not UTF-8, or a JSON line that is not an object
become a row whose `read_errors` entry says so, in input order. Text files are
cut into blocks at line ends and each block is parsed by Arrow's C++ readers
(every CSV column as text, so `0044...` keeps its zeros); a block that Arrow
rejects is parsed again line by line in Python, which is slow but exact.
Blank lines are not rows. Writers take the same tables, one chunk at a time,
so memory stays bounded by the chunk size.

>>> detect_format("calls.tsv")
<CdrFormat.TSV: 'tsv'>
>>> detect_format("calls.xlsx")
Traceback (most recent call last):
...
normalizer.errors.DialplanInputError: calls.xlsx: unknown call-detail file type '.xlsx' (use .csv, .jsonl, .ndjson, .parquet, .tsv, or --format)
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from normalizer.bulk.lines import csv_header, joined_lines, line_blocks, plain, read_plain
from normalizer.bulk.wellformed import json_line, refuse_utf16, type_depth
from normalizer.errors import DialplanInputError, TenantFileError
from normalizer.nesting import MAX_NESTING, check_text

if TYPE_CHECKING:
    import pyarrow.parquet as pq

# pyarrow.json and pyarrow.parquet load only for their formats (CSV jobs start faster).

DEFAULT_CHUNK_BYTES = 4 << 20
"""Bytes of text per chunk (about 50,000 CDR lines): peak memory grows with it."""
DEFAULT_CHUNK_ROWS = 50_000
"""Rows per Parquet chunk."""


class CdrFormat(StrEnum):
    """A call-detail file format."""

    CSV = "csv"
    TSV = "tsv"
    JSONL = "jsonl"
    PARQUET = "parquet"


_EXTENSIONS = {
    ".csv": CdrFormat.CSV,
    ".tsv": CdrFormat.TSV,
    ".tab": CdrFormat.TSV,
    ".jsonl": CdrFormat.JSONL,
    ".ndjson": CdrFormat.JSONL,
    ".parquet": CdrFormat.PARQUET,
}


def detect_format(
    path: str | Path, given: str | None = None, *, option: str = "--format"
) -> CdrFormat:
    """The format named by `given`, else by the file's extension (`option` gives one instead)."""
    if given:
        try:
            return CdrFormat(given.lower())
        except ValueError:
            raise DialplanInputError(
                f"unknown format {given!r} (use {', '.join(CdrFormat)})", field="format"
            ) from None
    suffix = Path(path).suffix.lower()
    found = _EXTENSIONS.get(suffix)
    if found is None:
        known = ", ".join(sorted(_EXTENSIONS.keys() - {".tab"}))
        raise DialplanInputError(
            f"unknown call-detail file type {suffix!r} (use {known}, or {option})",
            file=str(path),
        )
    return found


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive rows of an input file."""

    table: pa.Table
    """Every input column."""
    read_errors: pa.Array | None
    """Per row: why it could not be read, or null; None when every row was read."""
    done: int
    """Progress after this chunk, in the reader's unit (bytes or rows)."""
    lines: pa.Array | None = None
    """Per row its line (`DelimitedReader.rows_as_lines`); `table` has only the columns read."""


class CdrReader(Protocol):
    """Iterates a file's chunks; `total` is its size in the unit of `Chunk.done`."""

    total: int | None

    def __iter__(self) -> Iterator[Chunk]: ...


def _decode(raw: bytes) -> tuple[str, bool]:
    """Text of raw bytes; invalid UTF-8 is replaced (and reported)."""
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), False


class DelimitedReader:
    """CSV (RFC 4180 quoting) or TSV (no quoting) with a header line."""

    def __init__(self, path: Path, delimiter: str, *, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
        self.path = path
        self.delimiter = delimiter
        self.quoted = delimiter != "\t"
        self.chunk_bytes = chunk_bytes
        self.total: int | None = path.stat().st_size
        refuse_utf16(path)
        self.names = self._header()
        self.only: tuple[str, ...] = ()

    def rows_as_lines(self, only: Sequence[str]) -> None:
        """Read plain CSV blocks (no quote, no CR, no blank line) as their lines and the
        `only` columns: a CSV output writes such a row back as its line (`write_lines`)."""
        if self.quoted and self.delimiter == ",":
            self.only = tuple(only)

    def _header(self) -> list[str]:
        with self.path.open("rb") as handle:
            raw = handle.readline()
        text, ok = _decode(raw.removeprefix(b"\xef\xbb\xbf"))
        rows = list(self._python_rows(text))
        if not ok or not rows or not any(rows[0]):
            raise DialplanInputError("no header line naming the columns", file=str(self.path))
        names = rows[0]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise DialplanInputError(f"header repeats column {duplicates[0]!r}", file=str(self.path))
        return names

    def _python_rows(self, text: str) -> Iterator[list[str]]:
        if self.quoted:
            # The csv module refuses a field over its limit (128 KiB by default);
            # no field of this text is longer than the text.
            if csv.field_size_limit() < len(text):
                csv.field_size_limit(len(text))
            yield from csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter, strict=False)
        else:
            for line in text.splitlines():
                yield line.split(self.delimiter) if line else []

    def __iter__(self) -> Iterator[Chunk]:
        with self.path.open("rb") as handle:
            handle.readline()
            for block, done in line_blocks(handle, self.chunk_bytes, self.quoted):
                yield self._parse(block, done)

    def _parse(self, block: bytes, done: int) -> Chunk:
        found = read_plain(block, self.names, self.only) if self.only and plain(block) else None
        return self.parse(block, done) if found is None else Chunk(found[0], None, done, found[1])

    def parse(self, block: bytes, done: int) -> Chunk:
        """A block of whole lines as a chunk of every column."""
        if not block.isascii():
            try:
                block.decode("utf-8")
            except UnicodeDecodeError:
                # Arrow would fail on it anyway, after handing the row handler a
                # line it cannot decode (an exception Python prints, row by row).
                return self._parse_slowly(block, done)
        invalid: list[object] = []

        def on_invalid(row: object) -> str:
            invalid.append(row)
            return "skip"

        try:
            table = pa_csv.read_csv(
                io.BytesIO(block),
                # One block, parsed on the reader's own thread: Arrow's threads
                # cost a third more CPU for this block size, and the job
                # already keeps both cores busy.
                read_options=pa_csv.ReadOptions(
                    column_names=self.names, block_size=len(block) + 1, use_threads=False
                ),
                parse_options=pa_csv.ParseOptions(
                    delimiter=self.delimiter,
                    quote_char='"' if self.quoted else False,
                    newlines_in_values=self.quoted,
                    invalid_row_handler=on_invalid,
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types={name: pa.string() for name in self.names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid:
            return self._parse_slowly(block, done)
        if invalid:
            return self._parse_slowly(block, done)
        return Chunk(table, None, done)

    def _parse_slowly(self, block: bytes, done: int) -> Chunk:
        """Record by record: every record becomes a row, malformed ones with an error."""
        width = len(self.names)
        columns: list[list[str]] = [[] for _ in range(width)]
        errors: list[str | None] = []
        for fields, error in self._records(block):
            if len(fields) != width:
                if len(fields) > width:
                    # The fields past the header have no column: the error carries them.
                    extra = self._joined(fields[width:])
                    error = error or f"line has {len(fields)} fields, the header has {width}; past the header: {extra}"
                else:
                    error = error or f"line has {len(fields)} fields, the header has {width}"
                fields = (fields + [""] * width)[:width]
            for column, value in zip(columns, fields):
                column.append(value)
            errors.append(error)
        table = pa.table([pa.array(column, pa.string()) for column in columns], names=self.names)
        return Chunk(table, pa.array(errors, pa.string()), done)

    def _joined(self, fields: list[str]) -> str:
        """Fields written back as one line of this format."""
        if not self.quoted:
            return self.delimiter.join(fields)
        out = io.StringIO()
        # With a line end as terminator the writer quotes values that hold one.
        csv.writer(out, delimiter=self.delimiter, lineterminator="\r\n").writerow(fields)
        return out.getvalue().removesuffix("\r\n")

    def _records(self, block: bytes) -> Iterator[tuple[list[str], str | None]]:
        """Each non-blank record's fields, and an error when its bytes are not UTF-8.

        Such a record's fields hold U+FFFD for the bad bytes; the error keeps
        the record as read, bad bytes escaped (`\\xff`), so nothing is lost.
        """
        if self.quoted:
            text = block.decode("utf-8", "surrogateescape")
            for fields in self._python_rows(text):
                if fields:
                    clean_fields, clean = _unescape(fields)
                    yield clean_fields, None if clean else _not_utf8(self._joined(fields).encode("utf-8", "surrogateescape"))
            return
        for raw in block.splitlines():
            if raw:
                line, ok = _decode(raw)
                yield line.split(self.delimiter), None if ok else _not_utf8(raw)


def _not_utf8(raw: bytes) -> str:
    """The error of a line that is not UTF-8, with the line, its bad bytes escaped."""
    return f"line is not valid UTF-8: {raw.decode('utf-8', 'backslashreplace')}"


def _unescape(fields: list[str]) -> tuple[list[str], bool]:
    """Fields decoded with `surrogateescape`, made valid text; False if any was not UTF-8."""
    clean = True
    out: list[str] = []
    for field in fields:
        try:
            field.encode("utf-8")
        except UnicodeEncodeError:
            clean = False
            field = field.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        out.append(field)
    return out, clean


class JsonLinesReader:
    """One JSON object per line; `text_columns` must hold strings (others are kept as typed).

    In `digit_columns` (the dial string's), a whole number of zero or more is read
    as its digits (`{"dialed": 12345}` dials "12345"): exporters write digit-only
    numbers unquoted. A fraction, a negative or a true/false is still an error.
    """

    def __init__(
        self,
        path: Path,
        text_columns: Sequence[str],
        *,
        digit_columns: Sequence[str] = (),
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    ) -> None:
        self.path = path
        self.text_columns = tuple(text_columns)
        self.digit_columns = frozenset(digit_columns)
        self.chunk_bytes = chunk_bytes
        self.total: int | None = path.stat().st_size
        refuse_utf16(path)

    def __iter__(self) -> Iterator[Chunk]:
        with self.path.open("rb") as handle:
            for block, done in line_blocks(handle, self.chunk_bytes, quoted=False):
                yield self._parse(block, done)

    def _parse(self, block: bytes, done: int) -> Chunk:
        schema = pa.schema([(name, pa.string()) for name in self.text_columns])
        try:
            import pyarrow.json as pa_json

            table = pa_json.read_json(
                io.BytesIO(block),
                parse_options=pa_json.ParseOptions(
                    explicit_schema=schema, unexpected_field_behavior="infer"
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return self._parse_slowly(block, done)
        if max(map(type_depth, table.schema.types), default=0) > MAX_NESTING:
            # Lines nested too deeply to be written back as JSON: error rows.
            return self._parse_slowly(block, done)
        return Chunk(table, None, done)

    def _parse_slowly(self, block: bytes, done: int) -> Chunk:
        rows: list[dict[str, Any]] = []
        errors: list[str | None] = []
        # Lines end at LF only, as for Arrow's parser: JSON takes a lone CR for white space.
        for raw_line in block.split(b"\n"):
            raw_line = raw_line.removesuffix(b"\r")
            if not raw_line.strip():
                continue
            text, ok = _decode(raw_line)
            error: str | None = None if ok else _not_utf8(raw_line)
            # A line that is no JSON object has no columns: the error carries its text.
            try:
                check_text(text, "")
                row = json.loads(text)
            except TenantFileError as exc:
                row = {}
                error = error or f"line nests more than {MAX_NESTING} levels deep (column {exc.column})"
            except json.JSONDecodeError as exc:
                row, error = {}, error or f"line is not JSON: {exc.msg} (column {exc.colno}): {text}"
            if not isinstance(row, dict):
                row, error = {}, error or f"line is a JSON {type(row).__name__}, not an object: {text}"
            for name in self.text_columns:
                value = row.get(name)
                if value is None or isinstance(value, str):
                    continue
                if name in self.digit_columns and type(value) is int and value >= 0:
                    continue  # read as its digits: `_column` makes 7123 the text "7123"
                kind = type(value).__name__
                error = error or (
                    f"field {name!r} must be text or a whole number of digits, not {kind} {value!r}"
                    if name in self.digit_columns
                    else f"field {name!r} must be text, not {kind}"
                )
            rows.append(row)
            errors.append(error)
        names: dict[str, None] = dict.fromkeys(self.text_columns)
        for row in rows:
            names.update(dict.fromkeys(row))
        arrays: list[pa.Array] = []
        columns: list[str] = []
        for name in names:
            values = [row.get(name) for row in rows]
            column, typed = _column(values, as_text=name in self.text_columns)
            arrays.append(column)
            columns.append(name)
            if typed is not None:
                arrays.append(typed)
                columns.append(JSON_VALUES_PREFIX + name)
        table = pa.table(arrays, names=columns)
        return Chunk(table, pa.array(errors, pa.string()), done)


JSON_VALUES_PREFIX = "\x00json-values\x00"
"""Names a hidden column: another column's values as JSON text, when Arrow cannot type them.

A column whose JSON values have no one Arrow type (`7123` in one line, `"x"` in
another; an integer where the dial string should be) is text: a non-string
value as its JSON text, which CSV, TSV and Parquet outputs write. Its hidden
companion keeps every value's JSON, so a JSON Lines output writes each value
with its input type. Writers drop hidden columns (`visible`).
"""


def _column(values: list[Any], *, as_text: bool = False) -> tuple[pa.Array, pa.Array | None]:
    """An Arrow column of JSON values and, when it had to become text, the values' JSON.

    Mixed types, and non-strings in a column that must be text, become their JSON text.
    """
    if not as_text:
        try:
            return pa.array(values), None
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            pass
    if all(value is None or isinstance(value, str) for value in values):
        return pa.array(values, pa.string()), None
    text = pa.array(
        [v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values],
        pa.string(),
    )
    typed = pa.array(
        [None if v is None else json.dumps(v, ensure_ascii=False) for v in values], pa.string()
    )
    return text, typed


def visible(table: pa.Table) -> tuple[pa.Table, dict[str, pa.ChunkedArray]]:
    """`table` without its hidden JSON-value columns, and those columns by the column they type."""
    hidden = [name for name in table.column_names if name.startswith(JSON_VALUES_PREFIX)]
    if not hidden:
        return table, {}
    typed = {name.removeprefix(JSON_VALUES_PREFIX): table.column(name) for name in hidden}
    return table.drop_columns(hidden), typed


class ParquetReader:
    """A Parquet file, read in row batches."""

    def __init__(self, path: Path, *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> None:
        self.path = path
        self.chunk_rows = chunk_rows
        try:
            import pyarrow.parquet as pq

            self.file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise DialplanInputError(f"not a Parquet file: {exc}", file=str(path)) from None
        self.total: int | None = self.file.metadata.num_rows

    def __iter__(self) -> Iterator[Chunk]:
        done = 0
        for batch in self.file.iter_batches(batch_size=self.chunk_rows):
            done += batch.num_rows
            yield Chunk(pa.Table.from_batches([batch]), None, done)


def open_reader(
    path: str | Path,
    fmt: CdrFormat,
    *,
    text_columns: Sequence[str] = (),
    digit_columns: Sequence[str] = (),
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> CdrReader:
    """A streaming reader of a call-detail file (`digit_columns`: see `JsonLinesReader`)."""
    file = Path(path)
    if not file.is_file():
        raise TenantFileError("no such file", file=str(file))
    if fmt is CdrFormat.CSV:
        return DelimitedReader(file, ",", chunk_bytes=chunk_bytes)
    if fmt is CdrFormat.TSV:
        return DelimitedReader(file, "\t", chunk_bytes=chunk_bytes)
    if fmt is CdrFormat.JSONL:
        return JsonLinesReader(
            file, text_columns, digit_columns=digit_columns, chunk_bytes=chunk_bytes
        )
    return ParquetReader(file, chunk_rows=chunk_rows)


class CdrWriter(Protocol):
    """Writes tables one after another to one file."""

    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with `schema`'s columns and types; a column `schema` lacks is an error.

    The first chunk fixes the columns of a CSV, TSV or Parquet output: a JSON
    key first seen later has no column to go to, and dropping it would lose data.
    """
    if table.schema.equals(schema):
        return table
    extra = [name for name in table.column_names if schema.get_field_index(name) < 0]
    if extra:
        raise DialplanInputError(
            f"column {extra[0]!r} first appears after the output's columns were fixed by "
            "the first rows (write JSON Lines, .jsonl, to keep every key)",
            field=extra[0],
        )
    columns = []
    for field in schema:
        if field.name in table.column_names:
            column = table[field.name]
            try:
                columns.append(column.cast(field.type) if column.type != field.type else column)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise DialplanInputError(
                    f"column {field.name!r} changes type from {field.type} to {column.type}",
                    field=field.name,
                ) from None
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.table(columns, schema=schema)


def _as_text(table: pa.Table) -> pa.Table:
    """Every column as text, for CSV and TSV: nested values (JSON objects, lists) as JSON."""
    for index, field in enumerate(table.schema):
        if pa.types.is_string(field.type):
            continue
        column = table.column(index)
        if pa.types.is_nested(field.type):
            text = pa.array(
                [
                    None if value is None else json.dumps(value, ensure_ascii=False, default=str)
                    for value in column.to_pylist()
                ],
                pa.string(),
            )
        else:
            if pa.types.is_dictionary(field.type):
                column = column.cast(field.type.value_type)
            try:
                text = column.cast(pa.string())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise DialplanInputError(
                    f"cannot write column {field.name!r} ({field.type}) as text: {exc}", field=field.name
                ) from None
        table = table.set_column(index, field.name, text)
    return table


class DelimitedWriter:
    """CSV or TSV with a header; values are quoted only where they must be."""

    def __init__(self, sink: IO[bytes], delimiter: str) -> None:
        self.sink = sink
        self.delimiter = delimiter
        self.schema: pa.Schema | None = None

    def write(self, table: pa.Table) -> None:
        table = _as_text(visible(table)[0])
        header = self.schema is None
        if self.schema is None:
            self.schema = table.schema
        table = conform(table, self.schema)
        try:
            if self.delimiter == "\t":
                self.sink.write(self._render_tsv(table, header))
                return
            try:
                self.sink.write(self._render(table, header, "none"))
            except pa.ArrowInvalid:
                # A value holding the delimiter, a quote or a line end: quote this chunk.
                self.sink.write(self._render(table, header, "needed"))
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid) as exc:
            raise DialplanInputError(f"cannot write this column as text: {exc}") from None

    def header_as_rows_would(self, names: Sequence[str]) -> bool:
        """Fix the output's columns (every one text) and write the header, when it is the
        one `write` would give them whatever the rows; False: nothing written."""
        head = csv_header(names) if self.schema is None and self.delimiter == "," else None
        if head is not None:
            self.schema = pa.schema([(name, pa.string()) for name in names])
            self.sink.write(head)
        return head is not None

    def write_lines(self, lines: pa.Array, *appended: pa.Array) -> None:
        """Rows as their lines (`Chunk.lines`), each followed by its appended texts: the same
        bytes as `write` of the rows' columns when no value needs quoting (the caller's check)."""
        self.sink.write(joined_lines(lines, *appended))
        self.sink.write(b"\n")

    def _render_tsv(self, table: pa.Table, header: bool) -> bytes:
        """Values joined by tabs, no quoting (a quote is plain text in TSV)."""
        columns = []
        for column in table.columns:
            text = pc.fill_null(column, "")
            if pc.any(pc.match_substring_regex(text, "[\t\n\r]")).as_py():
                raise DialplanInputError(
                    "a value holds a tab or a line end, which TSV cannot carry (write .csv)"
                )
            columns.append(text)
        head = ("\t".join(table.column_names) + "\n").encode("utf-8") if header else b""
        if not table.num_rows:
            return head
        lines = pc.binary_join_element_wise(*columns, "\t") if len(columns) > 1 else columns[0]
        lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
        joined = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(lines)], pa.int32()), lines), "\n")
        body: str = joined[0].as_py()
        return head + body.encode("utf-8") + b"\n"

    def _render(self, table: pa.Table, header: bool, quoting: str) -> bytes:
        buffer = io.BytesIO()
        pa_csv.write_csv(
            table,
            buffer,
            pa_csv.WriteOptions(
                include_header=header, delimiter=self.delimiter, quoting_style=quoting
            ),
        )
        return buffer.getvalue()

    def close(self) -> None:
        self.sink.flush()


class JsonLinesWriter:
    """One JSON object per row."""

    def __init__(self, sink: IO[bytes]) -> None:
        self.sink = sink

    def write(self, table: pa.Table) -> None:
        table, typed = visible(table)
        rows = table.to_pylist()
        for name, values in typed.items():
            # The input's JSON value, with its type (a text column holds its JSON text).
            for row, value in zip(rows, values.to_pylist(), strict=True):
                if value is not None:
                    row[name] = json.loads(value)
        lines = [json_line(row) for row in rows]
        if lines:
            self.sink.write(("\n".join(lines) + "\n").encode("utf-8"))

    def close(self) -> None:
        self.sink.flush()


class ParquetOutput:
    """A Parquet file written one row group per chunk."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path
        self.writer: pq.ParquetWriter | None = None

    def write(self, table: pa.Table) -> None:
        table = visible(table)[0]
        if self.writer is None:
            try:
                import pyarrow.parquet as pq

                self.writer = pq.ParquetWriter(self.path, table.schema)
            except OSError as exc:
                reason = os.strerror(exc.errno) if exc.errno else str(exc)
                raise DialplanInputError(f"cannot write: {reason}", file=str(self.path)) from None
        self.writer.write_table(conform(table, self.writer.schema))

    def close(self) -> None:
        if self.writer is None:
            raise DialplanInputError("nothing was written", file=str(self.path))
        self.writer.close()


def open_writer(sink: IO[bytes] | Path, fmt: CdrFormat) -> CdrWriter:
    """A writer of `fmt` to a binary stream (or, for Parquet, a path)."""
    if fmt is CdrFormat.PARQUET:
        if not isinstance(sink, Path):
            raise DialplanInputError("Parquet output needs a file (-o FILE)", field="output")
        return ParquetOutput(sink)
    if isinstance(sink, Path):
        raise DialplanInputError(f"{fmt} output needs an open stream", field="output")
    if fmt is CdrFormat.JSONL:
        return JsonLinesWriter(sink)
    return DelimitedWriter(sink, "\t" if fmt is CdrFormat.TSV else ",")


@contextmanager
def without_pandas() -> Iterator[None]:
    """Within: pyarrow cannot import pandas (the bulk path never hands it pandas objects).

    When pandas is installed, pyarrow imports it the first time it converts
    Python objects (`pa.array([...])`, in its C++ and its Cython layers alike)
    only to recognise pandas values: 0.3 to 1 s of a short `dialplan cdr` run.
    The command line runs its job within this; a program of its own that
    already imported pandas is left as it is.
    """
    if "pandas" in sys.modules:
        yield
        return
    sys.meta_path.insert(0, _NoPandas)
    try:
        yield
    finally:
        sys.meta_path.remove(_NoPandas)


class _NoPandas:
    """An import finder that refuses pandas (`without_pandas`)."""

    @staticmethod
    def find_spec(name: str, *args: Any) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not used by the bulk path", name=name)
