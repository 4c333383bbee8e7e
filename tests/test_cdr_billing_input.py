"""`dialplan cdr` with the Calling Plan replay: what the input must (not) hold, checked before the job."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from normalizer.cli import main

# A Microsoft Graph PSTN call record (pstnCallLogRow) has its own lowercase `charge`.
GRAPH = {"userPrincipalName": "pradeep.gupta@contoso.com", "startDateTime": "2024-03-04T09:00:08.2589935Z",
         "duration": 180, "charge": 0.3, "callType": "user_out", "calleeNumber": "+33123456789"}
GRAPH_OPTIONS = ["--dialed-column", "calleeNumber", "--user-column", "userPrincipalName",
                 "--start-column", "startDateTime", "--duration-column", "duration", "--direction-column", "callType"]


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    elif path.suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        names = list(rows[0])
        lines = [",".join(names)] + [",".join(str(row[name]) for name in names) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("name", ["graph.jsonl", "graph.csv", "graph.parquet"])
@pytest.mark.parametrize("output", ["out", "-"], ids=["one-pass", "two-pass"])
def test_an_input_column_named_like_a_billing_column_is_refused_before_the_job(
    tmp_path: Path, name: str, output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / name
    _write(source, [GRAPH])
    target = "-" if output == "-" else str(tmp_path / f"out{source.suffix}")
    assert main(["cdr", str(source), *GRAPH_OPTIONS, "-o", target]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == (
        "dialplan: error: field 'charge': the input already has a column 'charge', which the Calling Plan "
        "replay appends (rename the input's column)"
    )
    assert captured.out == "" and not (tmp_path / f"out{source.suffix}").exists()
    # Without the replay nothing is appended there: the column is kept as it is.
    plain = [option for option in GRAPH_OPTIONS if option not in ("--start-column", "startDateTime",
             "--duration-column", "duration", "--direction-column", "callType")]
    assert main(["cdr", str(source), *plain, "-o", str(tmp_path / f"plain{source.suffix}")]) == 0


def test_a_header_only_input_is_checked_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "empty.csv"
    source.write_text("start,user,dialed,dur,allowed\n", encoding="utf-8")
    argv = ["cdr", str(source), "--dialed-column", "dialed", "--user-column", "user",
            "--start-column", "start", "--duration-column", "dur", "-o", str(tmp_path / "out.csv")]
    assert main(argv) == 2
    assert "field 'allowed': the input already has a column 'allowed'" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("output", ["out.csv", "-"], ids=["one-pass", "two-pass"])
@pytest.mark.parametrize("option", ["--start-column", "--duration-column", "--direction-column"])
def test_a_misspelled_billing_column_is_refused_before_the_job_listing_the_input_s_columns(
    tmp_path: Path, output: str, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "calls.csv"
    source.write_text("id,start,user,dialed,dur\n1,2024-03-01T09:00:00Z,lidia.holloway@contoso.com,02079460000,60\n",
                      encoding="utf-8")
    names = {"--start-column": "start", "--duration-column": "dur"}
    names[option] = "Wrong"
    argv = ["cdr", str(source), "--dialed-column", "dialed", "--user-column", "user",
            *(part for pair in names.items() for part in pair),
            "-o", output if output == "-" else str(tmp_path / output)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    # The input's own columns (no result columns, none left out), and nothing normalized or written.
    assert captured.err.strip() == (
        "dialplan: error: field 'Wrong': no column 'Wrong' in the input (columns: id, start, user, dialed, dur)"
    )
    assert captured.out == "" and not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param("GB,domestic-12O,8,USD", "field 'plan': line 3: calling plan 'domestic-12O' is not sold in GB "
                     "(sold: domestic-120, domestic-240, domestic-1200, international, payg)", id="typo"),
        pytest.param("GB,Domestic-240,12,USD", "field 'plan': line 3: calling plan 'Domestic-240' is not sold in GB",
                     id="case"),
        pytest.param("XX,payg,1,USD", "field 'region': line 3: Calling Plans are not sold in XX (sold in: BE, CA, ",
                     id="region"),
    ],
)
def test_a_price_line_naming_a_plan_not_sold_is_refused_before_the_job(
    tmp_path: Path, line: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "calls.csv"
    source.write_text("start,user,dialed,dur\n2024-03-01T09:00:00Z,lidia.holloway@contoso.com,02079460000,60\n",
                      encoding="utf-8")
    prices = tmp_path / "prices.csv"
    prices.write_text(f"region,plan,price,currency\nGB,domestic-120,8,USD\n{line}\n", encoding="utf-8")
    argv = ["cdr", str(source), "--dialed-column", "dialed", "--user-column", "user", "--start-column", "start",
            "--duration-column", "dur", "--prices", str(prices), "-o", str(tmp_path / "out.csv")]
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith(f"dialplan: error: {prices}: {message}")
    assert not (tmp_path / "out.csv").exists()


CALL = "start,user,dialed,dur\n2024-03-01T09:00:00Z,lidia.holloway@contoso.com,02079460000,60\n"
REPLAY = ["--dialed-column", "dialed", "--user-column", "user", "--start-column", "start", "--duration-column", "dur"]


def test_a_report_that_cannot_be_written_stops_the_run_before_the_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "calls.csv"
    source.write_text(CALL, encoding="utf-8")
    page = tmp_path / "no-such-folder" / "r.html"
    # To standard output: rows written by the job would show there.
    assert main(["cdr", str(source), *REPLAY, "-o", "-", "--report", str(page)]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == f"dialplan: error: {page}: cannot write: No such file or directory"
    assert captured.out == ""
    assert main(["cdr", str(source), *REPLAY, "-o", str(tmp_path / "out.csv"), "--report", str(page)]) == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["calls.csv"]  # no output, nothing half-written


@pytest.mark.parametrize("other", ["output", "summary", "input"])
def test_the_report_does_not_overwrite_another_file_of_the_run(
    tmp_path: Path, other: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "calls.csv"
    source.write_text(CALL, encoding="utf-8")
    paths = {"output": tmp_path / "out.csv", "summary": tmp_path / "s.json", "input": source}
    argv = ["cdr", str(source), *REPLAY, "-o", str(paths["output"]), "--summary", str(paths["summary"]),
            "--report", str(paths[other])]
    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == f"dialplan: error: {paths[other]}: the report would overwrite the {other}"
    assert source.read_text(encoding="utf-8") == CALL and not paths["output"].exists()
