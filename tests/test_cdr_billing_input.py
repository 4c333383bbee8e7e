"""`dialplan cdr` with the Calling Plan replay: what the input must (not) hold, checked before the job."""

from __future__ import annotations

import csv
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


def test_direct_routing_s_dr_in_ucap_and_other_in_words_are_inbound(tmp_path: Path) -> None:
    source = tmp_path / "calls.csv"
    kinds = ["dr_in_ucap", "dr_out_ucap", "dr_in", "user_in", "user_out", "Inbound", "main_line"]
    source.write_text("start,user,dialed,dur,kind\n" + "".join(
        f"2024-03-01T09:0{i}:00Z,lidia.holloway@contoso.com,02079460000,60,{kind}\n" for i, kind in enumerate(kinds)
    ), encoding="utf-8")
    assert main(["cdr", str(source), *REPLAY, "--direction-column", "kind", "-o", str(tmp_path / "out.csv")]) == 0
    with (tmp_path / "out.csv").open(encoding="utf-8") as file:
        categories = [row["billing_category"] for row in csv.DictReader(file)]
    assert dict(zip(kinds, categories, strict=True)) == {
        "dr_in_ucap": "inbound", "dr_out_ucap": "domestic", "dr_in": "inbound", "user_in": "inbound",
        "user_out": "domestic", "Inbound": "inbound", "main_line": "domestic",
    }


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        pytest.param(pa.array([1, 0]), "int64", id="numbers"),
        pytest.param(pa.array([True, False]), "bool", id="flags"),
        pytest.param(pa.array([{"a": 1}, {"a": 2}]), "struct<a: int64>", id="records"),
        pytest.param(pa.array([["in"], ["out"]]), "list<element: string>", id="lists"),
    ],
)
def test_a_direction_that_is_not_text_is_an_error_row_naming_column_and_row(
    tmp_path: Path, values: pa.Array, kind: str
) -> None:
    source = tmp_path / "calls.parquet"
    pq.write_table(pa.table({"start": ["2024-03-01T09:00:00Z", "2024-03-01T09:01:00Z"],
                             "user": ["lidia.holloway@contoso.com"] * 2, "dialed": ["02079460000"] * 2,
                             "dur": [60, 60], "kind": values}), source)
    summary = tmp_path / "s.json"
    argv = ["cdr", str(source), *REPLAY, "--direction-column", "kind", "-o", str(tmp_path / "out.parquet"),
            "--summary", str(summary)]
    assert main(argv) == 0
    out = pq.read_table(tmp_path / "out.parquet", columns=["allowed", "error"]).to_pylist()
    assert out == [
        {"allowed": None, "error": f"{source}: field 'kind': row {row}: must be text (a call type such as user_in "
                                   f"or user_out), not {kind}"}
        for row in (1, 2)
    ]
    assert json.loads(summary.read_text(encoding="utf-8"))["calling_plans"]["rows_in_error"] == 2
