"""Call-detail file readers and writers: round trips, malformed rows, block boundaries."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pytest

from normalizer.bulk.cdr_io import CdrFormat, detect_format, open_reader, open_writer
from normalizer.errors import DialplanInputError

TEXT = pa.table(
    {
        "call_id": ["1", "2", "3", "4", "5"],
        "caller": ["a@x.com", "b@x.com", "", "c@x.com", "d@x.com"],
        "dialed": ["0033 1 45", 'say "hi", then 7123', "", "ünïcode ☎", "0044"],
    }
)


def read_all(path: Path, fmt: CdrFormat, **options: int) -> tuple[pa.Table, list[str | None]]:
    chunks = list(open_reader(path, fmt, text_columns=("dialed",), **options))
    table = pa.concat_tables([chunk.table for chunk in chunks], promote_options="permissive")
    errors: list[str | None] = []
    for chunk in chunks:
        errors += chunk.read_errors.to_pylist() if chunk.read_errors is not None else [None] * chunk.table.num_rows
    return table, errors


def write_all(path: Path, fmt: CdrFormat, tables: list[pa.Table]) -> None:
    if fmt is CdrFormat.PARQUET:
        writer = open_writer(path, fmt)
        for table in tables:
            writer.write(table)
        writer.close()
        return
    with path.open("wb") as sink:
        writer = open_writer(sink, fmt)
        for table in tables:
            writer.write(table)
        writer.close()


@pytest.mark.parametrize(
    ("name", "given", "expected"),
    [
        ("calls.csv", None, CdrFormat.CSV),
        ("CALLS.TSV", None, CdrFormat.TSV),
        ("calls.ndjson", None, CdrFormat.JSONL),
        ("calls.jsonl", None, CdrFormat.JSONL),
        ("calls.parquet", None, CdrFormat.PARQUET),
        ("calls.txt", "tsv", CdrFormat.TSV),
    ],
)
def test_detect_format(name: str, given: str | None, expected: CdrFormat) -> None:
    assert detect_format(name, given) is expected


@pytest.mark.parametrize(("name", "given"), [("calls.txt", None), ("calls.csv", "xlsx")])
def test_detect_format_rejects_unknown(name: str, given: str | None) -> None:
    with pytest.raises(DialplanInputError):
        detect_format(name, given)


@pytest.mark.parametrize("fmt", list(CdrFormat))
def test_every_format_round_trips(tmp_path: Path, fmt: CdrFormat) -> None:
    table = TEXT
    if fmt is CdrFormat.TSV:  # TSV cannot carry a tab or a line end; quotes are plain text
        table = TEXT
    path = tmp_path / f"calls.{fmt}"
    write_all(path, fmt, [table.slice(0, 2), table.slice(2)])
    back, errors = read_all(path, fmt, chunk_bytes=16, chunk_rows=2)
    assert back.select(table.column_names).to_pylist() == table.to_pylist()
    assert errors == [None] * table.num_rows


def test_typed_columns_round_trip_in_parquet_and_jsonl(tmp_path: Path) -> None:
    table = pa.table({"dialed": ["7123", None], "duration": [30, 4], "ok": [True, False]})
    for fmt in (CdrFormat.PARQUET, CdrFormat.JSONL):
        path = tmp_path / f"typed.{fmt}"
        write_all(path, fmt, [table])
        back, _ = read_all(path, fmt)
        assert back.to_pylist() == table.to_pylist(), fmt


@pytest.mark.parametrize("chunk_bytes", [1, 7, 64, 1 << 20], ids=lambda n: f"chunk{n}")
def test_malformed_csv_rows_are_kept_in_order_with_errors(tmp_path: Path, chunk_bytes: int) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes(
        b"\xef\xbb\xbfid,dialed,note\r\n"
        b"1,7123,ok\r\n"
        b"2,7124\r\n"  # short line
        b"\r\n"  # blank lines are not rows
        b'3,"71,25","two\nlines"\r\n'  # a quoted comma and a quoted line end
        b"4,\xff\xfe,bad bytes\r\n"
        b"5,7126,ok,extra\r\n"  # long line
        b"6,7127,last"  # no final line end
    )
    table, errors = read_all(path, CdrFormat.CSV, chunk_bytes=chunk_bytes)
    assert table.column_names == ["id", "dialed", "note"]
    assert table["id"].to_pylist() == ["1", "2", "3", "4", "5", "6"]
    assert table["dialed"].to_pylist() == ["7123", "7124", "71,25", "\ufffd\ufffd", "7126", "7127"]
    assert table["note"].to_pylist()[2] == "two\nlines"
    assert errors == [
        None,
        "line has 2 fields, the header has 3",
        None,
        "line is not valid UTF-8: 4,\\xff\\xfe,bad bytes",
        "line has 4 fields, the header has 3; past the header: extra",
        None,
    ]


@pytest.mark.parametrize("chunk_bytes", [1, 1 << 20], ids=lambda n: f"chunk{n}")
def test_the_error_keeps_a_line_end_inside_a_value_quoted(tmp_path: Path, chunk_bytes: int) -> None:
    """What the error column keeps reads back as the same fields."""
    import csv

    path = tmp_path / "calls.csv"
    path.write_bytes(b'id,dialed\n1,7123,"two\nlines",x\n"2\xff\nb",7124\n')
    table, errors = read_all(path, CdrFormat.CSV, chunk_bytes=chunk_bytes)
    assert table["id"].to_pylist() == ["1", "2\ufffd\nb"]
    assert errors[0] == 'line has 4 fields, the header has 2; past the header: "two\nlines",x'
    assert errors[1] == 'line is not valid UTF-8: "2\\xff\nb",7124'
    past = (errors[0] or "").split("past the header: ", 1)[1]
    assert next(csv.reader(io.StringIO(past, newline=""))) == ["two\nlines", "x"]


def test_a_bad_line_with_the_wrong_field_count_reports_nothing_but_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    path = tmp_path / "calls.csv"
    path.write_bytes(b"id,dialed\n1,7123\n2,\xff,extra\n")
    _, errors = read_all(path, CdrFormat.CSV)
    assert errors == [None, "line is not valid UTF-8: 2,\\xff,extra"]
    assert unraisable == []


def test_tsv_has_no_quoting(tmp_path: Path) -> None:
    path = tmp_path / "calls.tsv"
    path.write_bytes(b'id\tdialed\n1\t"7123"\n2\n')
    table, errors = read_all(path, CdrFormat.TSV)
    assert table["dialed"].to_pylist() == ['"7123"', ""]
    assert errors == [None, "line has 1 fields, the header has 2"]


def test_malformed_json_lines_are_kept_with_errors(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_bytes(
        b'{"id": 1, "dialed": "7123"}\n'
        b"not json\n"
        b'{"id": 3, "dialed": 7123}\n'
        b"[1, 2]\n"
        b'{"id": 5, "dialed": "0033\xff"}\n'
        b'{"id": 6}\n'
    )
    table, errors = read_all(path, CdrFormat.JSONL)
    assert table.num_rows == 6
    # A dial value that is not text keeps its JSON text, so the output still shows it.
    assert table["dialed"].to_pylist() == ["7123", None, "7123", None, "0033\ufffd", None]
    assert errors[0] is None and errors[5] is None
    assert errors[1] is not None and errors[1].startswith("line is not JSON") and errors[1].endswith(": not json")
    assert errors[2] == "field 'dialed' must be text, not int"
    assert errors[3] == "line is a JSON list, not an object: [1, 2]"
    assert errors[4] == 'line is not valid UTF-8: {"id": 5, "dialed": "0033\\xff"}'


def test_a_carriage_return_inside_a_json_line_does_not_split_it(tmp_path: Path) -> None:
    """JSON takes a lone CR for white space: the line is one row, whichever parser reads it."""
    path = tmp_path / "calls.jsonl"
    path.write_bytes(b'{"id": "1",\r "dialed": "7123"}\r\nnot json\n{"id": "3", "dialed": "7125"}\n')
    table, errors = read_all(path, CdrFormat.JSONL)
    assert table["dialed"].to_pylist() == ["7123", None, "7125"]
    assert errors[0] is None and errors[2] is None
    assert errors[1] is not None and errors[1].endswith(": not json")


@pytest.mark.parametrize(
    "content", [b"", b"\n", b"\xff\xfe\n1,2\n", b"a,a\n1,2\n"], ids=["empty", "blank", "binary", "repeated"]
)
def test_csv_needs_a_header(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes(content)
    with pytest.raises(DialplanInputError):
        open_reader(path, CdrFormat.CSV)


def test_csv_writer_quotes_only_chunks_that_need_it() -> None:
    sink = io.BytesIO()
    writer = open_writer(sink, CdrFormat.CSV)
    writer.write(pa.table({"a": ["1"], "b": ["x"]}))
    writer.write(pa.table({"a": ["2"], "b": ["x,y"]}))
    assert sink.getvalue().decode().splitlines() == ['"a","b"', "1,x", '"2","x,y"']


def test_tsv_writer_refuses_a_tab_in_a_value() -> None:
    writer = open_writer(io.BytesIO(), CdrFormat.TSV)
    with pytest.raises(DialplanInputError, match="TSV"):
        writer.write(pa.table({"a": ["x\ty"]}))


def test_a_field_longer_than_the_csv_module_allows_is_read(tmp_path: Path) -> None:
    """A huge field in a malformed chunk (read record by record) is still one field."""
    path = tmp_path / "calls.csv"
    huge = "7" * 200_000
    path.write_bytes(f"id,dialed\n1,{huge}\n2,7123,extra\n".encode())
    table, errors = read_all(path, CdrFormat.CSV)
    assert table["dialed"].to_pylist() == [huge, "7123"]
    assert errors[0] is None and errors[1] is not None and errors[1].endswith("extra")


def test_a_json_number_in_the_dial_field_is_read_as_its_digits(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_bytes(
        b'{"dialed": 12345, "caller": 7}\n'
        b'{"dialed": 0}\n'
        b'{"dialed": -5}\n'
        b'{"dialed": 1.5}\n'
        b'{"dialed": true}\n'
        b'{"dialed": "0800123456"}\n'
    )
    chunks = list(
        open_reader(path, CdrFormat.JSONL, text_columns=("dialed", "caller"), digit_columns=("dialed",))
    )
    table = pa.concat_tables([chunk.table for chunk in chunks], promote_options="permissive")
    errors = [e for chunk in chunks for e in chunk.read_errors.to_pylist()]  # type: ignore[union-attr]
    assert table["dialed"].to_pylist() == ["12345", "0", "-5", "1.5", "true", "0800123456"]
    # Only the dial field takes digits: a number in the caller column is still an error.
    assert errors[0] == "field 'caller' must be text, not int"
    assert errors[1] is None and errors[5] is None
    assert errors[2] == "field 'dialed' must be text or a whole number of digits, not int -5"
    assert errors[3] == "field 'dialed' must be text or a whole number of digits, not float 1.5"
    assert errors[4] == "field 'dialed' must be text or a whole number of digits, not bool True"
