"""The Calling Plan pass on plain CSV rows written back as their lines: the same bytes as the columns give.

A log in time order is replayed inside the normalization pass; a chunk of
plain CSV rows (no quote, no CR) is read as its lines and the columns the
job reads, and goes out as each line followed by its results' and outcomes'
text. The two-pass replay (standard output) renders every column through
Arrow's CSV writer: both must give the same file, row for row, whatever a
chunk holds (rows in error, outcomes with a charge, a value that needs quoting).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from normalizer.billing.ledger import CallLedger
from normalizer.billing.rates import read_rate_card
from normalizer.bulk.batch import CdrColumns
from normalizer.bulk.billing import BillingColumns, StreamingBiller
from normalizer.bulk.cdr_io import CdrFormat, DelimitedReader, DelimitedWriter
from normalizer.bulk.job import normalize_file
from normalizer.cli import main
from normalizer.formats import load_tenant
from normalizer.simulation import Simulator

OPTIONS = [
    "--dialed-column", "Called to", "--user-column", "Username",
    "--start-column", "Time stamp (UTC)", "--duration-column", "Duration", "--direction-column", "Call type",
]  # fmt: skip
MARCH = datetime(2024, 3, 1, 8)
BILLED = ("Username", "Time stamp (UTC)", "Duration", "Call type")
RATES = "prefix,rate,currency\n+33,0.05,USD\n+44,0.0137,USD\n"
PEOPLE = ["lidia.holloway@contoso.com", "pradeep.gupta@contoso.com", "emily.braun@contoso.com",
          "marcel.beauchamp@contoso.com", "isabell.potvin@contoso.com", "nobody@contoso.com"]  # fmt: skip
NUMBERS = ["0033123456789", "02079460000", "0145678900", "112", "0899123456", "7123", "abc", "+44 20 7946 0000"]


def _log(rows: int) -> str:
    """Calls in time order; some with a start, duration or direction that cannot be read, or a quoted value."""
    lines = []
    for i in range(rows):
        start = (MARCH + timedelta(minutes=20 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        duration = str(30 + 41 * (i % 17))
        direction = "user_in" if i % 13 == 0 else "user_out"
        if i % 97 == 5:
            start = "yesterday"  # an error row: its message holds a comma or a quote, or not
        if i % 89 == 7:
            duration = "-4"
        if i % 83 == 9:
            direction = "sideways"
        dialed = NUMBERS[(i * 7) % len(NUMBERS)]
        if i == 555:
            dialed = '"0145,678900"'  # a quoted value: that chunk goes out through the CSV writer
        lines.append(f"{start},{PEOPLE[i % len(PEOPLE)]},{dialed},{duration},{direction}")
    return "Time stamp (UTC),Username,Called to,Duration,Call type\n" + "\n".join(lines) + "\n"


def test_rows_written_as_lines_match_the_columns_written_by_arrow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "calls.csv"
    log.write_text(_log(900), encoding="utf-8")
    rates = tmp_path / "rates.csv"
    rates.write_text(RATES, encoding="utf-8")
    written_as_lines: list[int] = []
    write_lines = DelimitedWriter.write_lines

    def counted(self: DelimitedWriter, lines, *appended):  # type: ignore[no-untyped-def]
        written_as_lines.append(len(lines))
        write_lines(self, lines, *appended)

    monkeypatch.setattr(DelimitedWriter, "write_lines", counted)
    as_lines = _streamed(log, rates, tmp_path / "lines.csv")
    assert written_as_lines, "no chunk went out as its lines"
    assert sum(written_as_lines) < 900, "the chunk with a quoted value went out as its lines"
    # The same chunks, every one through Arrow's CSV writer: the same bytes.
    monkeypatch.setattr(DelimitedReader, "rows_as_lines", lambda self, only: None)
    written_as_lines.clear()
    as_columns = _streamed(log, rates, tmp_path / "columns.csv")
    assert not written_as_lines
    assert as_lines.splitlines() == as_columns.splitlines()
    assert as_lines == as_columns
    # Two passes (standard output cannot be rewound), quoted by other chunks: the same rows.
    assert main(["cdr", str(log), *OPTIONS, "--rates", str(rates), "-o", "-"]) == 0
    two_pass = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(as_lines)))
    assert rows == list(csv.reader(io.StringIO(two_pass)))
    assert rows[0][-7:] == ["error", "billing_category", "allowed", "block_reason", "charged_to", "billed_minutes", "charge"]
    # What the file must show for the equality to mean something: charges, blocked calls, errors of both passes.
    body = rows[1:]
    assert len(body) == 900
    assert any(row[-1] not in ("", "0") and row[-3] == "communications-credits" for row in body)
    assert any(row[-5:-3] == ["false", "no-international-entitlement"] for row in body)
    assert any("yesterday" in row[-7] and "Time stamp (UTC)" in row[-7] for row in body)
    assert any(row[2] == "abc" and row[-7] for row in body)


def _streamed(log: Path, rates: Path, output: Path) -> str:
    """The log replayed inside the normalization pass in chunks of about 2 KB: the output's text."""
    simulator = Simulator(load_tenant())
    biller = StreamingBiller(CallLedger(simulator, rates=read_rate_card(rates)), BillingColumns(*BILLED, file=str(log)))
    with output.open("wb") as sink:
        normalize_file(log, sink, simulator, CdrColumns(dialed="Called to", user="Username"),
                       source_format=CdrFormat.CSV, sink_format=CdrFormat.CSV, processes=1, chunk_bytes=2048,
                       appender=biller)  # fmt: skip
    return output.read_text(encoding="utf-8")
