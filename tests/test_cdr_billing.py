"""`dialplan cdr` with the Calling Plan replay: appended columns, the calling_plans summary, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from normalizer.cli import main

CALLS = """Time stamp (UTC),Username,Called to,Duration,Call type
2024-03-04T09:00:00Z,lidia.holloway@contoso.com,0033123456789,120,user_out
2024-03-04T09:05:00Z,pradeep.gupta@contoso.com,0033123456789,00:02:05,user_out
2024-03-04T09:10:00Z,emily.braun@contoso.com,0033123456789,60,user_out
2024-03-04T09:15:00Z,marcel.beauchamp@contoso.com,112,600,user_out
3/4/2024 9:20:00 AM,lidia.holloway@contoso.com,0033123456789,600,user_in
2024-03-04T09:25:00Z,nobody@contoso.com,0033123456789,600,user_out
"""
RATES = "prefix,rate,currency\n+33,0.05,USD\n+44,0.02,USD\n"
OPTIONS = [
    "--dialed-column", "Called to", "--user-column", "Username",
    "--start-column", "Time stamp (UTC)", "--duration-column", "Duration", "--direction-column", "Call type",
]


@pytest.fixture()
def log(tmp_path: Path) -> Path:
    path = tmp_path / "calls.csv"
    path.write_text(CALLS, encoding="utf-8")
    (tmp_path / "rates.csv").write_text(RATES, encoding="utf-8")
    return path


def test_outcomes_are_appended_to_every_row(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary = log.with_name("summary.json")
    assert main(["cdr", str(log), *OPTIONS, "--rates", str(log.with_name("rates.csv")), "--summary", str(summary)]) == 0
    rows = list(csv.DictReader(log.with_name("calls.normalized.csv").open(encoding="utf-8")))
    picked = [(r["billing_category"], r["allowed"], r["block_reason"], r["charged_to"], r["billed_minutes"], r["charge"]) for r in rows]
    assert picked == [
        ("international", "false", "no-international-entitlement", "", "0", ""),
        ("international", "true", "", "communications-credits", "3", "0.15"),
        ("international", "true", "", "GB/international", "1", ""),
        ("emergency", "true", "", "", "0", ""),
        ("inbound", "true", "", "", "0", ""),
        ("", "", "", "", "", ""),  # the row in error keeps nulls
    ]
    assert rows[-1]["error"].startswith("user 'nobody@contoso.com' does not exist")
    report = json.loads(summary.read_text(encoding="utf-8"))["calling_plans"]
    march = report["months"]["2024-03"]
    assert march["credits"] == {"minutes": 3, "spent": 0.15, "recharges": 0, "balance": 999.85, "unrated": {"calls": 0, "minutes": 0}}
    assert march["blocked"] == {"lidia.holloway@contoso.com": {"no-international-entitlement": {"calls": 1, "minutes": 2}}}
    assert report["credits_currency"] == "USD"
    out = capsys.readouterr().out
    assert "credits: 3 min, spent 0.15 USD, balance 999.85, 0 recharges" in out


def test_parquet_output_keeps_types(log: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"
    assert main(["cdr", str(log), *OPTIONS, "-o", str(target)]) == 0
    table = pq.read_table(target)
    assert table.column_names[-6:] == ["billing_category", "allowed", "block_reason", "charged_to", "billed_minutes", "charge"]
    assert table["allowed"].to_pylist()[:3] == [False, True, True]
    assert table["charge"].to_pylist()[1] is None  # no rate card: credits in minutes only
    assert {str(table.schema.field(name).type) for name in ("billing_category", "block_reason", "charged_to")} == {"string"}


def test_minute_rounding_is_a_setting_of_the_run(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cdr", str(log), *OPTIONS, "--minute-rounding", "3600"]) == 0
    rows = list(csv.DictReader(log.with_name("calls.normalized.csv").open(encoding="utf-8")))
    # Pradeep's 125 s on credits and Emily's 60 s in her pool: a started hour each.
    assert [r["billed_minutes"] for r in rows[1:3]] == ["60", "60"]
    assert "(per started 3600 s)" in capsys.readouterr().out
    assert main(["cdr", str(log), *OPTIONS, "--minute-rounding", "0"]) == 2
    assert "must be from 1 to 3600 seconds, not 0" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--start-column", "Time stamp (UTC)"], "needs --start-column and --duration-column", id="no-duration"),
        pytest.param(["--start-column", "When", "--duration-column", "Duration"], "no column 'When'", id="missing-column"),
    ],
)
def test_mistakes_are_one_line(log: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cdr", str(log), "--dialed-column", "Called to", "--user-column", "Username", *argv]) == 2
    assert message in capsys.readouterr().err
    assert not log.with_name("calls.normalized.csv").exists()


BAD_CELLS = """start,user,dialed,dur
2024-03-01T08:00:00Z,nobody@contoso.com,0145678900,60
2024-03-01T08:01:00Z,lidia.holloway@contoso.com,02079460000,60
2024-03-01 25:00:00,lidia.holloway@contoso.com,02079460000,60
2024-03-01T08:03:00Z,lidia.holloway@contoso.com,02079460000,nan
2024-03-01T08:04:00Z,lidia.holloway@contoso.com,02079460000,inf
2024-03-01T08:05:00Z,lidia.holloway@contoso.com,02079460000,1e30
2024-03-01T08:06:00Z,lidia.holloway@contoso.com,02079460000,-5
2024-03-01T08:07:00Z,lidia.holloway@contoso.com,02079460000,60
yesterday,nobody@contoso.com,0145678900,soon
"""


@pytest.mark.parametrize("output", ["out.csv", "-"], ids=["one-pass", "two-pass"])
def test_a_bad_start_or_duration_is_an_error_row_naming_the_file_and_its_row(
    tmp_path: Path, output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "bad.csv"
    log.write_text(BAD_CELLS, encoding="utf-8")
    summary = tmp_path / "summary.json"
    argv = ["cdr", str(log), "--dialed-column", "dialed", "--user-column", "user", "--start-column", "start",
            "--duration-column", "dur", "--summary", str(summary), "-o", output if output == "-" else str(tmp_path / output)]
    assert main(argv) == 0
    text = capsys.readouterr().out if output == "-" else (tmp_path / output).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["error"] for r in rows[1:7]] == [
        "",
        f"{log}: field 'start': row 3: '2024-03-01 25:00:00' is not a date and time (ISO 8601, or M/D/YYYY h:mm:ss AM)",
        f"{log}: field 'dur': row 4: 'nan' is not a finite number of seconds",
        f"{log}: field 'dur': row 5: 'inf' is not a finite number of seconds",
        f"{log}: field 'dur': row 6: '1e30' seconds is longer than the limit of 2,678,400 s (31 days)",
        f"{log}: field 'dur': row 7: '-5': a duration cannot be negative",
    ]
    assert [r["billed_minutes"] for r in rows] == ["", "1", "", "", "", "", "", "1", ""]  # no wrap, nothing replayed for them
    # A row already in error (an unknown user) keeps its one error, whatever its start and duration hold.
    assert rows[8]["error"] == "user 'nobody@contoso.com' does not exist in tenant 'Contoso'"
    data = json.loads(summary.read_text(encoding="utf-8"))
    report = data["calling_plans"]
    assert (report["calls"], report["rows_in_error"], report["billed_minutes"]) == (2, 5, 2)
    assert report["months"]["2024-03"]["pools"][0]["used"] == 2
    # The run's counts hold them too: errors + call types = rows, each error once, without its row.
    assert (data["rows"], data["errors"], data["call_types"]) == (9, 7, {"domestic": 2})
    assert data["errors"] + sum(data["call_types"].values()) == data["rows"]
    # Rule hits too: rows 2 and 8, not the five the billing pass refused.
    assert data["rule_hits"]["GB"]["GB Long Distance"] == 2
    assert sum(sum(rules.values()) for rules in data["rule_hits"].values()) + data["unmatched"] == 2
    assert {entry["error"]: entry["rows"] for entry in data["top_errors"]} == {
        "user 'nobody@contoso.com' does not exist in tenant 'Contoso'": 2,
        f"{log}: field 'start': '2024-03-01 25:00:00' is not a date and time (ISO 8601, or M/D/YYYY h:mm:ss AM)": 1,
        f"{log}: field 'dur': 'nan' is not a finite number of seconds": 1,
        f"{log}: field 'dur': 'inf' is not a finite number of seconds": 1,
        f"{log}: field 'dur': '1e30' seconds is longer than the limit of 2,678,400 s (31 days)": 1,
        f"{log}: field 'dur': '-5': a duration cannot be negative": 1,
    }


def test_rule_hits_leave_out_the_rows_the_billing_pass_refused(tmp_path: Path) -> None:
    # Marcel's tenant plan rule and his region's service rule, each on a row whose duration is bad.
    log = tmp_path / "fr.csv"
    log.write_text(
        "start,user,dialed,dur\n2024-03-01T09:00:00Z,marcel.beauchamp@contoso.com,7123,60\n"
        "2024-03-01T09:01:00Z,Marcel.Beauchamp@contoso.com,7123,x\n"
        "2024-03-01T09:02:00Z,marcel.beauchamp@contoso.com,0145678900,x\n",
        encoding="utf-8",
    )
    summary = tmp_path / "s.json"
    argv = ["cdr", str(log), "--dialed-column", "dialed", "--user-column", "user", "--start-column", "start",
            "--duration-column", "dur", "-o", str(tmp_path / "out.csv"), "--summary", str(summary)]
    assert main(argv) == 0
    data = json.loads(summary.read_text(encoding="utf-8"))
    fired = {plan: {rule: rows for rule, rows in rules.items() if rows} for plan, rules in data["rule_hits"].items()}
    assert fired == {"FR-Paris-Issy-39qdPR": {"FR-39qdPR-Internal": 1}, "FR": {}}
    assert "FR Long Distance" in data["unused_rules"]["FR"]  # its one row was refused


def test_a_log_s_satellite_and_freephone_calls_do_not_use_the_domestic_pool(tmp_path: Path) -> None:
    # Lidia: GB, Domestic, credits off. +881/+800 numbers are valid numbers of no region (001).
    log = tmp_path / "sat.csv"
    log.write_text(
        "user,dialed,start,dur\n"
        + "".join(
            f"lidia.holloway@contoso.com,{number},2024-03-01T10:00:00Z,60\n"
            for number in ("00881612345678", "0080012345678", "009991234567", "02079460000")
        ),
        encoding="utf-8",
    )
    argv = ["cdr", str(log), "--dialed-column", "dialed", "--user-column", "user", "--start-column", "start",
            "--duration-column", "dur", "-o", str(tmp_path / "out.csv")]
    assert main(argv) == 0
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert [(r["call_type"], r["billing_category"], r["allowed"], r["block_reason"], r["charged_to"]) for r in rows] == [
        ("international", "international", "false", "no-international-entitlement", ""),
        ("international", "international", "false", "no-international-entitlement", ""),
        ("unknown", "international", "false", "no-international-entitlement", ""),
        ("domestic", "domestic", "true", "", "GB/domestic-1200"),
    ]


PARQUET_OPTIONS = ["--tenant", "", "--dialed-column", "dialed", "--user-column", "user",
                   "--start-column", "start", "--duration-column", "dur"]
PARIS = """
[tenant]
name = "P"
[[users]]
upn = "a@t.com"
usage_location = "FR"
calling_plan = "domestic-120"
"""


def _billing_argv(log: Path, tenant: Path, output: Path, *more: str) -> list[str]:
    """`dialplan cdr` on a log of start,user,dialed,dur columns, with the Calling Plan replay."""
    return ["cdr", str(log), "--tenant", str(tenant), "--dialed-column", "dialed", "--user-column", "user",
            "--start-column", "start", "--duration-column", "dur", "-o", str(output), *more]


def _parquet_cdr(tmp_path: Path, table: object, *more: str) -> list[dict[str, object]]:
    (tmp_path / "t.toml").write_text(PARIS, encoding="utf-8")
    pq.write_table(table, tmp_path / "in.parquet")  # type: ignore[arg-type]
    options = [str(tmp_path / "t.toml") if option == "" else option for option in PARQUET_OPTIONS]
    assert main(["cdr", str(tmp_path / "in.parquet"), *options, *more, "-o", str(tmp_path / "out.parquet")]) == 0
    return pq.read_table(tmp_path / "out.parquet").to_pylist()


def test_a_parquet_start_with_fractions_of_a_second_is_replayed(tmp_path: Path) -> None:
    import datetime as dt

    import pyarrow as pa

    starts = [dt.datetime(2024, 3, 1, 10, 0, 0, 500_000), dt.datetime(2024, 3, 1, 11, 0, 0, 250_000)]
    table = pa.table({"user": ["a@t.com"] * 2, "dialed": ["0145678900"] * 2,
                      "start": pa.array(starts, pa.timestamp("ms")), "dur": [60, 61]})
    rows = _parquet_cdr(tmp_path, table)
    assert [(r["error"], r["allowed"], r["billed_minutes"]) for r in rows] == [(None, True, 1), (None, True, 2)]


@pytest.mark.parametrize("column", ["start", "dur", "dir", "user"])
def test_bytes_that_are_not_utf8_in_a_billing_column_make_an_error_row(tmp_path: Path, column: str) -> None:
    import pyarrow as pa

    cells = {"user": [b"a@t.com", b"a@t.com"], "dialed": [b"0145678900", b"0145678900"],
             "start": [b"2024-03-01T10:00:00Z", b"2024-03-01T11:00:00Z"], "dur": [b"60", b"61"],
             "dir": [b"user_out", b"user_out"]}
    cells[column][1] = {"start": b"2024-03-01T1\xff:00:00Z", "dur": b"6\xff", "dir": b"user_\xffn",
                        "user": b"a@t\xff.com"}[column]
    table = pa.table({name: pa.array(values, pa.binary()) for name, values in cells.items()})
    rows = _parquet_cdr(tmp_path, table, "--direction-column", "dir")
    assert rows[0]["error"] is None and rows[0]["allowed"] is True
    assert rows[1]["allowed"] is None and "not valid UTF-8" in str(rows[1]["error"])
    if column != "user":  # the user column is read (and refused) by the normalization pass
        assert rows[1]["error"] == f"{tmp_path / 'in.parquet'}: field '{column}': row 2: holds bytes that are not valid UTF-8"


def test_an_impossible_date_is_an_error_row_not_next_month(tmp_path: Path) -> None:
    log = tmp_path / "u1.csv"
    log.write_text("user,dialed,start,dur\na@t.com,0145678900,2024-03-01 10:00,10\na@t.com,0145678900,2023-02-29 12:00,10\n",
                   encoding="utf-8")
    (tmp_path / "t.toml").write_text(PARIS, encoding="utf-8")
    summary = tmp_path / "s.json"
    argv = _billing_argv(log, tmp_path / "t.toml", tmp_path / "out.csv", "--summary", str(summary))
    assert main(argv) == 0
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert rows[1]["error"] == (
        f"{log}: field 'start': row 2: '2023-02-29 12:00' is not a date and time (ISO 8601, or M/D/YYYY h:mm:ss AM)"
    )
    assert list(json.loads(summary.read_text(encoding="utf-8"))["calling_plans"]["months"]) == ["2024-03"]


def test_the_replay_needs_users(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["cdr", str(log), "--dialed-column", "Called to", "--location", "GB", "--start-column", "Time stamp (UTC)", "--duration-column", "Duration"]
    assert main(argv) == 2
    assert "needs --user-column" in capsys.readouterr().err


LONDON = """
[tenant]
name = "T2"
[[users]]
upn = "alice@t2.com"
usage_location = "GB"
calling_plan = "domestic-120"
"""


def test_a_first_chunk_of_error_rows_does_not_make_later_domestic_calls_international(tmp_path: Path) -> None:
    # More than one 4 MB chunk of rows whose duration is empty (error rows), then five good calls home.
    log = tmp_path / "stale.csv"
    log.write_text(
        "start,user,dialed,dur\n"
        + "2024-03-01T09:00:00Z,alice@t2.com,02079460000,\n" * 100_000
        + "".join(f"2024-03-02T09:0{i}:00Z,alice@t2.com,02079460000,60\n" for i in range(5)),
        encoding="utf-8",
    )
    assert log.stat().st_size > 4 << 20
    (tmp_path / "t2.toml").write_text(LONDON, encoding="utf-8")
    argv = _billing_argv(log, tmp_path / "t2.toml", tmp_path / "out.csv")
    assert main(argv) == 0
    with (tmp_path / "out.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))[-5:]
    assert {(r["call_type"], r["billing_category"], r["allowed"], r["charged_to"]) for r in rows} == {
        ("domestic", "domestic", "true", "GB/domestic-120")
    }


def test_a_start_without_a_full_year_is_an_error_row_and_the_report_is_written(tmp_path: Path) -> None:
    # Excel's short date (year 24), a two-digit ISO year, year 0: none is a moment of the log's period.
    log = tmp_path / "years.csv"
    log.write_text(
        "start,user,dialed,dur\n"
        "3/4/24 9:20:00 AM,alice@t2.com,02079460000,60\n"
        "24-03-04 09:00:13,alice@t2.com,02079460000,60\n"
        "1/5/00 9:00:00 AM,alice@t2.com,02079460000,7260\n"
        "0000-03-04T09:00:00Z,alice@t2.com,02079460000,7260\n"
        "2024-03-04T09:00:00Z,alice@t2.com,02079460000,7260\n"
        "2024-03-04T11:02:00Z,alice@t2.com,02079460000,60\n",
        encoding="utf-8",
    )
    (tmp_path / "t2.toml").write_text(LONDON, encoding="utf-8")
    summary, page = tmp_path / "s.json", tmp_path / "r.html"
    argv = _billing_argv(log, tmp_path / "t2.toml", tmp_path / "out.csv", "--summary", str(summary), "--report", str(page))
    assert main(argv) == 0
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8")))
    short = "has a year of fewer than four digits: give the year in full"
    assert [r["error"].split(": ", 3)[1:] for r in rows[:4]] == [
        ["field 'start'", "row 1", f"'3/4/24 9:20:00 AM' {short} (ISO 8601 YYYY-MM-DD, or the PSTN usage report's M/D/YYYY h:mm:ss AM)"],
        ["field 'start'", "row 2", f"'24-03-04 09:00:13' {short} (ISO 8601 YYYY-MM-DD, or the PSTN usage report's M/D/YYYY h:mm:ss AM)"],
        ["field 'start'", "row 3", f"'1/5/00 9:00:00 AM' {short} (ISO 8601 YYYY-MM-DD, or the PSTN usage report's M/D/YYYY h:mm:ss AM)"],
        ["field 'start'", "row 4", "'0000-03-04T09:00:00Z' is outside the years 1 to 9999"],
    ]
    assert all(r["error"].startswith(f"{log}: ") for r in rows[:4])
    report = json.loads(summary.read_text(encoding="utf-8"))["calling_plans"]
    assert list(report["months"]) == ["2024-03"] and report["rows_in_error"] == 4
    assert report["months"]["2024-03"]["pools"][0]["ran_out_at"] == "2024-03-04T10:59:00Z"
    assert "2024-03" in page.read_text(encoding="utf-8")


def test_a_parquet_start_of_any_year_is_read_or_refused_never_a_crash(tmp_path: Path) -> None:
    import pyarrow as pa

    # Seconds since 1970 at the edges of what a report can name (years 1 and 9999), and past them.
    starts = [-62135596800, 253402300799 - 3600, -62135596801, 253402300800]
    table = pa.table({"user": ["a@t.com"] * 4, "dialed": ["0145678900"] * 4,
                      "start": pa.array(starts, pa.timestamp("s")), "dur": [7260, 7260, 60, 60]})
    (tmp_path / "t.toml").write_text(PARIS, encoding="utf-8")
    pq.write_table(table, tmp_path / "in.parquet")
    argv = ["cdr", str(tmp_path / "in.parquet"), "--tenant", str(tmp_path / "t.toml"), "--dialed-column", "dialed",
            "--user-column", "user", "--start-column", "start", "--duration-column", "dur",
            "-o", str(tmp_path / "out.parquet"), "--summary", str(tmp_path / "s.json"), "--report", str(tmp_path / "r.html")]
    assert main(argv) == 0
    rows = pq.read_table(tmp_path / "out.parquet", columns=["allowed", "error"]).to_pylist()  # datetime stops at 9999
    assert [r["allowed"] for r in rows] == [True, True, None, None]
    assert str(rows[2]["error"]).endswith("row 3: -62,135,596,801 s from 1970-01-01T00:00:00Z is outside the years 1 to 9999")
    months = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["calling_plans"]["months"]
    assert list(months) == ["0001-01", "9999-12"]
    # The last minute of the December 9999 pool begins after that year: named all the same.
    assert [months[month]["pools"][0]["ran_out_at"] for month in months] == ["0001-01-01T01:59:00Z", "10000-01-01T00:58:59Z"]


def _log(rows: int, reverse: bool) -> str:
    people = ["lidia.holloway@contoso.com", "pradeep.gupta@contoso.com", "emily.braun@contoso.com",
              "marcel.beauchamp@contoso.com", "isabell.potvin@contoso.com"]
    numbers = ["0033123456789", "02079460000", "0145678900", "112", "0899123456"]
    lines = [
        f"2024-03-{1 + i // 12:02d}T{i % 12 + 8:02d}:00:00Z,{people[i % 5]},{numbers[(i * 7) % 5]},{600 + 37 * (i % 11)},user_out"
        for i in range(rows)
    ]
    if reverse:
        lines.reverse()
    return "Time stamp (UTC),Username,Called to,Duration,Call type\n" + "\n".join(lines) + "\n"


def test_one_pass_and_two_pass_replays_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from normalizer.billing.ledger import CallLedger
    from normalizer.bulk.batch import CdrColumns
    from normalizer.bulk.billing import BillingColumns, OutOfOrder, StreamingBiller
    from normalizer.bulk.cdr_io import CdrFormat
    from normalizer.bulk.job import normalize_file
    from normalizer.formats import load_tenant
    from normalizer.simulation import Simulator

    ordered, reverse = tmp_path / "ordered.csv", tmp_path / "reverse.csv"
    ordered.write_text(_log(300, reverse=False), encoding="utf-8")
    reverse.write_text(_log(300, reverse=True), encoding="utf-8")
    # A file output replays in one pass; standard output in two (it cannot be rewound).
    assert main(["cdr", str(ordered), *OPTIONS, "-o", str(tmp_path / "one.csv")]) == 0
    capsys.readouterr()
    assert main(["cdr", str(ordered), *OPTIONS, "-o", "-"]) == 0
    assert capsys.readouterr().out == (tmp_path / "one.csv").read_text(encoding="utf-8")
    # Out of order: the same outcome for every row.
    assert main(["cdr", str(reverse), *OPTIONS, "-o", str(tmp_path / "back.csv")]) == 0
    forth = (tmp_path / "one.csv").read_text(encoding="utf-8").splitlines()
    back = (tmp_path / "back.csv").read_text(encoding="utf-8").splitlines()
    assert back[0] == forth[0] and back[1:] == forth[:0:-1]
    # In small chunks: in time order the chunks replay as one; out of order they are refused.
    simulator = Simulator(load_tenant())
    columns = CdrColumns(dialed="Called to", user="Username")
    billing = BillingColumns("Username", "Time stamp (UTC)", "Duration", "Call type")
    chunked = tmp_path / "chunked.csv"
    with chunked.open("wb") as sink:
        normalize_file(ordered, sink, simulator, columns, source_format=CdrFormat.CSV, sink_format=CdrFormat.CSV,
                       processes=1, chunk_bytes=2048, appender=StreamingBiller(CallLedger(simulator), billing))
    assert chunked.read_text(encoding="utf-8").splitlines() == forth
    with pytest.raises(OutOfOrder), (tmp_path / "no.csv").open("wb") as sink:
        normalize_file(reverse, sink, simulator, columns, source_format=CdrFormat.CSV, sink_format=CdrFormat.CSV,
                       processes=1, chunk_bytes=2048, appender=StreamingBiller(CallLedger(simulator), billing))


CAROL = """
[tenant]
name = "T3"
[[users]]
upn = "carol@t3.com"
usage_location = "FR"
calling_plan = "international"
communications_credits = true
[communications_credits]
balance = 300
currency = "USD"
"""


def _plotted(page: str) -> dict[str, list[float]]:
    """Each line of the page's plots by name, its y values decoded (plotly writes arrays as base64)."""
    import base64

    import numpy as np

    lines: dict[str, list[float]] = {}
    decoder = json.JSONDecoder()
    for at in [i for i in range(len(page)) if page.startswith("Plotly.newPlot(", i)]:
        start = page.index("[", page.index(",", at))
        for trace in decoder.raw_decode(page, start)[0]:
            y = trace.get("y")
            if isinstance(y, dict):
                y = np.frombuffer(base64.b64decode(y["bdata"]), np.dtype(y["dtype"])).tolist()
            lines[trace.get("name", "")] = y
    return lines


def test_an_international_plan_s_two_counters_are_each_against_their_own_cap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 600 international minutes (the cap of one licence), then one more abroad and one at home.
    log = tmp_path / "c8.csv"
    log.write_text(
        "start,user,dialed,dur\n2024-03-01T09:00:00Z,carol@t3.com,+12025550123,36000\n"
        "2024-03-02T09:00:00Z,carol@t3.com,+12025550123,60\n2024-03-02T10:00:00Z,carol@t3.com,0123456789,60\n",
        encoding="utf-8",
    )
    (tmp_path / "t3.toml").write_text(CAROL, encoding="utf-8")
    page, summary = tmp_path / "r.html", tmp_path / "s.json"
    argv = _billing_argv(log, tmp_path / "t3.toml", tmp_path / "o.csv", "--report", str(page), "--summary", str(summary))
    assert main(argv) == 0
    # The advice says which need sets the licences: 601 international minutes, two licences of 600.
    assert "advice: pool FR/international needed 601 international min (1 domestic): 2 x international" in (
        capsys.readouterr().out
    )
    march = json.loads(summary.read_text(encoding="utf-8"))["calling_plans"]["months"]["2024-03"]
    assert [(a["binding"], a["options"][0]["licences"]) for a in march["recommendations"] if "pool" in a] == [
        ("international", 2)
    ]
    text = page.read_text(encoding="utf-8")
    # A table row per counter: total, used and available of each against its own cap, and its unmet minutes.
    rows = [row for row in text.split("<tr>") if row.startswith("<td>FR/international")]
    assert [row.split("</td><td>")[1:6] + [row.split("</td><td>")[7].split("<")[0]] for row in rows] == [
        ["domestic", "1", "1,200", "0", "1,200", "1"],
        ["international", "1", "600", "600", "0", "1"],
    ]
    assert "FR/international: needed 601 international min (1 domestic): 2 x international" in text
    lines = _plotted(text)
    assert lines["FR/international 2024-03 cap (1 licences)"] == [1200, 1200]
    assert lines["FR/international 2024-03 used"][-1] == 0
    assert lines["FR/international 2024-03 international cap (1 licences)"] == [600, 600]
    assert lines["FR/international 2024-03 international used"][-1] == 600


def test_report_without_plotly_is_a_one_line_error_naming_the_extra(
    log: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "plotly", None)  # as if the `report` extra were not installed
    assert main(["cdr", str(log), *OPTIONS, "--report", str(log.with_name("r.html"))]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "pip install 'dialplan[report]'" in err
    assert not log.with_name("calls.normalized.csv").exists() and not log.with_name("r.html").exists()


def test_plotly_is_an_extra_not_a_runtime_dependency() -> None:
    import tomllib

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(dep.startswith("plotly") for dep in project["dependencies"])
    assert any(dep.startswith("plotly") for dep in project["optional-dependencies"]["report"])
