r"""Text files as lines: blocks of whole lines, and plain CSV rows read and written as their lines.

A call-detail file is cut into blocks of whole lines (`line_blocks`). A CSV
block without a quote or a CR (`plain`) is a row per line, each line its fields
joined by commas as they are: `read_plain` parses only the columns a job reads
and keeps each row's line, and `joined_lines` writes the rows back as those
lines, each followed by its results' text; the same bytes as Arrow's CSV writer
gives the rows' columns when no value needs quoting (`csv_header` checks the header).

>>> table, lines = read_plain(b"1,a\n2,b\n", ["id", "name"], ["name"])
>>> table["name"].to_pylist(), lines.to_pylist()
(['a', 'b'], ['1,a', '\n2,b'])
>>> bytes(joined_lines(lines, pa.array([",x", ",y"])))
b'1,a,x\n2,b,y'
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from normalizer.bulk.keys import arrow_integers


def line_blocks(handle: IO[bytes], chunk_bytes: int, quoted: bool) -> Iterator[tuple[bytes, int]]:
    """Blocks of whole lines (never cutting a quoted value in two) and bytes read so far."""
    done = handle.tell()
    pending = b""
    while True:
        data = handle.read(chunk_bytes)
        done += len(data)
        if not data:
            if pending.strip():
                yield (pending if pending.endswith(b"\n") else pending + b"\n"), done
            return
        block = pending + data
        cut = block.rfind(b"\n") + 1
        # RFC 4180 doubles a quote inside a quoted value, so an odd count of
        # quotes before a line end means that line end is inside a value (a block
        # without a quote is told at once: counting holds the GIL for 1.3 ms per 4 MB).
        while quoted and cut and b'"' in block and block.count(b'"', 0, cut) % 2:
            cut = block.rfind(b"\n", 0, cut - 1) + 1
        if cut == 0:
            pending = block
            continue
        pending = block[cut:]
        yield block[:cut], done


_PLAIN_BYTES = (1 << 31) - 1


def plain(block: bytes) -> bool:
    """True when every line of a CSV block (ending with a line end) is its fields
    joined by commas as they are: no quote, no CR (a blank line, which is no row,
    shows as fewer rows than line ends: `read_plain`)."""
    return (
        len(block) < _PLAIN_BYTES
        and block.endswith(b"\n")
        and b'"' not in block
        and b"\r" not in block
    )


def read_plain(
    block: bytes, names: Sequence[str], only: Sequence[str]
) -> tuple[pa.Table, pa.Array] | None:
    """A `plain` block's `only` columns (text) and, per row, its line: the first line
    itself, each other with the line end before it (None: a row is not one line)."""
    if not block.isascii():
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            return None
    invalid: list[object] = []

    def on_invalid(row: object) -> str:
        invalid.append(row)
        return "skip"

    try:
        table = pa_csv.read_csv(
            io.BytesIO(block),
            read_options=pa_csv.ReadOptions(
                column_names=list(names), block_size=len(block) + 1, use_threads=False
            ),
            parse_options=pa_csv.ParseOptions(delimiter=",", invalid_row_handler=on_invalid),
            convert_options=pa_csv.ConvertOptions(
                include_columns=list(only),
                column_types=dict.fromkeys(only, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    # Each row's line starts at the line end before it (the first at 0). Arrow
    # skips blank lines: with one, there are fewer rows than line ends.
    ends = np.flatnonzero(np.frombuffer(block, np.uint8) == 10)
    if invalid or len(ends) != table.num_rows:
        return None
    offsets = np.empty(len(ends) + 1, np.int32)
    offsets[0] = 0
    offsets[1:] = ends
    return table, pa.StringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(block))


def joined_lines(lines: pa.Array, *appended: pa.Array) -> memoryview:
    """The rows' lines (`read_plain`), each followed by its appended texts, as CSV text
    without the last line's end (each other one starts the next line)."""
    joined = pc.binary_join_element_wise(lines, *appended, "")
    if isinstance(joined, pa.ChunkedArray):
        joined = joined.combine_chunks()
    offsets, data = joined.buffers()[1:3]
    bounds = np.frombuffer(offsets, np.int32, count=len(joined) + 1, offset=joined.offset * 4)
    return memoryview(data)[int(bounds[0]) : int(bounds[-1])]


def csv_values(columns: Sequence[pa.Array]) -> pa.Array:
    """Per row, the columns' values as the end of a CSV row (",a,b", a null as nothing),
    each as Arrow's CSV writer gives it; the caller knows that none needs quoting.

    Leading columns of few values (dictionary-encoded or true/false) are written
    once per distinct combination of them, then picked per row.

    >>> kind = pa.array(["a", "b", "a"]).dictionary_encode()
    >>> csv_values([kind, pa.array([True, None, True]), pa.array([1.5, 2.0, None])]).to_pylist()
    [',a,true,1.5', ',b,,2', ',a,true,']
    """
    few, combinations = 0, 1
    while few < len(columns) and combinations < _MAX_COMBINATIONS:
        values = columns[few]
        if isinstance(values, pa.DictionaryArray):
            combinations *= len(values.dictionary) + 1
        elif pa.types.is_boolean(values.type):
            combinations *= 3
        else:
            break
        few += 1
    few = few if few > 1 else 0
    texts = [_combinations(columns[:few])] if few else []
    texts += [_text(values) for values in columns[few:]]
    return pc.binary_join_element_wise("", *texts, ",", null_handling="replace", null_replacement="")


_MAX_COMBINATIONS = 1 << 40
"""Combinations of the leading columns' values that `csv_values` numbers in one integer."""


def _text(values: pa.Array) -> pa.Array:
    """A column's values as text, as Arrow's CSV writer renders them."""
    if isinstance(values, pa.DictionaryArray):
        values = values.dictionary.take(values.indices)
    return values.cast(pa.string())


def _combinations(columns: Sequence[pa.Array]) -> pa.Array:
    """Per row, "a,b,..." of columns of few values, each distinct combination written once."""
    combined = np.zeros(len(columns[0]), np.int64)
    choices: list[list[str]] = []
    for values in columns:
        if isinstance(values, pa.DictionaryArray):
            codes, words = values.indices, _text(values.dictionary).to_pylist()
        else:
            codes, words = values.cast(pa.int8()), ["false", "true"]
        words = [*(word or "" for word in words), ""]  # the last: a null
        number = np.asarray(pc.fill_null(codes, len(words) - 1).to_numpy(zero_copy_only=False), np.int64)
        combined = combined * len(words) + number
        choices.append(words)
    # Hashed, not sorted (`np.unique` sorted the rows: 5 ms of a 56,000-row chunk's 8).
    encoded = pc.dictionary_encode(arrow_integers(combined))
    rendered = []
    for code in encoded.dictionary.to_pylist():
        parts = []
        for words in reversed(choices):
            code, digit = divmod(code, len(words))
            parts.append(words[digit])
        rendered.append(",".join(reversed(parts)))
    return pa.array(rendered, pa.string()).take(encoded.indices)


def csv_header(names: Sequence[str]) -> bytes | None:
    """The CSV header line of text columns `names` when Arrow's writer gives the same
    one quoting or not (so whatever the rows); None otherwise."""
    empty = pa.schema([(name, pa.string()) for name in names]).empty_table()
    rendered = []
    for quoting in ("none", "needed"):
        buffer = io.BytesIO()
        try:
            pa_csv.write_csv(
                empty, buffer, pa_csv.WriteOptions(include_header=True, quoting_style=quoting)
            )
        except pa.ArrowInvalid:
            return None
        rendered.append(buffer.getvalue())
    return rendered[0] if rendered[0] == rendered[1] else None
