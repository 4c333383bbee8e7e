"""A plain CSV row written back as its own line gives the bytes the column writer gives.

`normalize_file` reads a plain CSV block (no quote, no CR) as its lines and
writes each row as its line and its results' text; every other block, and a
chunk whose results would need quoting, goes through the columns. Each case
here is run both ways and the outputs compared byte for byte.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow.compute as pc
import pytest

from normalizer import Simulator, load_tenant
from normalizer.bulk import batch
from normalizer.bulk.batch import CdrColumns
from normalizer.bulk.cdr_io import CdrFormat, DelimitedReader, DelimitedWriter
from normalizer.bulk.job import normalize_file

MARCEL = "marcel.beauchamp@contoso.com"
PLAIN = [
    f"{n},{MARCEL},{dialed},x"
    for n, dialed in enumerate(["7123", "112", "0033 1 99 99 71 23", "", "abc:1"])
]
PLAIN += ["9,nobody@contoso.com,7123,x", "10,,7123,"]
CASES = {
    "plain": "id,caller,dialed,note\n" + "\n".join(PLAIN * 40) + "\n",
    "quoted block": "id,caller,dialed,note\n"
    + "\n".join(PLAIN * 20)
    + "\n11,"
    + MARCEL
    + ',7123,"a, b"\n'
    + "\n".join(PLAIN * 20)
    + "\n",
    "blank line": "id,caller,dialed,note\n"
    + "\n".join(PLAIN * 20)
    + "\n\n"
    + "\n".join(PLAIN * 20)
    + "\n",
    "crlf": "id,caller,dialed,note\r\n" + "\r\n".join(PLAIN * 40) + "\r\n",
    "short line": "id,caller,dialed,note\n"
    + "\n".join(PLAIN * 20)
    + "\n12,x\n"
    + "\n".join(PLAIN * 20)
    + "\n",
    "no final line end": "id,caller,dialed,note\n" + "\n".join(PLAIN * 40),
    "header only": "id,caller,dialed,note\n",
}


def run(source: Path, simulator: Simulator, chunk_bytes: int) -> bytes:
    sink = io.BytesIO()
    normalize_file(
        source,
        sink,
        simulator,
        CdrColumns(dialed="dialed", user="caller"),
        source_format=CdrFormat.CSV,
        sink_format=CdrFormat.CSV,
        processes=1,
        chunk_bytes=chunk_bytes,
    )
    return sink.getvalue()


@pytest.mark.parametrize("chunk_bytes", [300, 1 << 20], ids=lambda n: f"chunk{n}")
@pytest.mark.parametrize("case", list(CASES))
def test_rows_as_lines_give_the_column_writers_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, chunk_bytes: int
) -> None:
    source = tmp_path / "calls.csv"
    source.write_bytes(CASES[case].encode("utf-8"))
    simulator = Simulator(load_tenant())
    written = []
    write_lines = DelimitedWriter.write_lines
    monkeypatch.setattr(
        DelimitedWriter, "write_lines", lambda self, *a: written.append(1) or write_lines(self, *a)
    )
    as_lines = run(source, simulator, chunk_bytes)
    # One block holding a quote, a blank or short line, or CRs goes through the columns whole.
    rows_as_lines = case in ("plain", "no final line end") or (
        chunk_bytes == 300 and case not in ("crlf", "header only")
    )
    assert bool(written) == rows_as_lines
    with monkeypatch.context() as patch:
        patch.setattr(DelimitedReader, "rows_as_lines", lambda self, only: None)
        as_columns = run(source, simulator, chunk_bytes)
    assert as_lines == as_columns
    assert as_lines.count(b"\n") == CASES[case].count("\n") - CASES[case].count("\n\n") + (
        not CASES[case].endswith("\n")
    )


def test_results_that_would_need_quoting_go_through_the_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Here an error message with a quote stands for one a writer must quote (with a comma)."""
    source = tmp_path / "calls.csv"
    source.write_bytes(CASES["plain"].encode("utf-8"))
    simulator = Simulator(load_tenant())
    expected = run(source, simulator, 300)
    monkeypatch.setattr(batch, "needs_quoting", lambda values: bool(pc.any(pc.match_substring_regex(values, "'")).as_py()))
    assert run(source, simulator, 300) == expected
