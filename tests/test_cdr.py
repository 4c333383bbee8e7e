"""Bulk CDR normalization: per-caller plans, errors as rows, summary, files and the CLI."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer import Simulator, load_tenant
from normalizer.bulk import batch, job, sharing
from normalizer.bulk.batch import CdrColumns, CdrNormalizer, normalize_batch
from normalizer.bulk.cdr_io import CdrFormat
from normalizer.bulk.job import normalize_file
from normalizer.bulk.store import OUTPUT_COLUMNS
from normalizer.cli import main
from normalizer.engine import clean
from normalizer.errors import DialplanInputError
from normalizer.models import Tenant
from tests.test_cdr_io import read_all, write_all

MARCEL = "marcel.beauchamp@contoso.com"
EMILY = "emily.braun@contoso.com"
USERS = [MARCEL, EMILY, "Rachelle.Cormier@contoso.com", "lidia.holloway@contoso.com"]
DIALED = [
    "7123", "0800123456", "3949", "112", "999", "0123456789", "0033 1 45 67 89 00",
    "01.45.67.89.00", "+14165550100", "2079460034", "abc", "+", "00", "0", "7999", "15",
]


def expected_row(simulator: Simulator, dialed: str, **target: str) -> dict[str, str | None]:
    """What one `normalize` call says, as the CDR columns."""
    result = simulator.normalize(dialed, **target)
    rule = result.matching_rule
    return {
        "translated_number": result.translated_number,
        "final_number": result.final_number,
        "matching_rule": rule.rule.name if rule else None,
        "rule_scope": str(rule.scope) if rule else None,
        "call_type": str(result.call_type),
        "destination_region": result.classification.destination_region,
        "number_type": result.classification.number_type,
        "error": None,
    }


def results_of(table: pa.Table) -> list[dict[str, str | None]]:
    return table.select(list(OUTPUT_COLUMNS)).to_pylist()


def test_mixed_users_each_get_their_own_plan(contoso: Tenant, simulator: Simulator) -> None:
    rng = random.Random(5)
    rows = [(rng.choice(USERS), rng.choice(DIALED)) for _ in range(400)]
    table = pa.table({"caller": [u for u, _ in rows], "dialed": [d for _, d in rows], "n": list(range(400))})
    out = normalize_batch(table, contoso, dialed_column="dialed", user_column="caller")
    assert out.column_names == ["caller", "dialed", "n", *OUTPUT_COLUMNS]
    assert out.select(["caller", "dialed", "n"]).equals(table)
    assert results_of(out) == [expected_row(simulator, d, user=u) for u, d in rows]


def test_location_and_plan_columns(contoso: Tenant, simulator: Simulator) -> None:
    locations = ["FR", "FR", "gb", "US", "FR", "XX", "FR"]
    plans = ["FR-Paris-Issy-39qdPR", None, "", None, "Tag:FR-Paris-Issy-39qdPR", None, "Nope"]
    dialed = ["7123", "7123", "0123456789", "933", "3949", "1", "1"]
    table = pa.table({"loc": locations, "plan": plans, "dialed": dialed})
    out = normalize_batch(
        table, contoso, dialed_column="dialed", location_column="loc", dial_plan_column="plan"
    )
    got = results_of(out)
    for row, (loc, plan, dial) in enumerate(zip(locations, plans, dialed)):
        if loc == "XX" or plan == "Nope":
            assert got[row]["translated_number"] is None and got[row]["error"], row
            continue
        assert got[row] == expected_row(simulator, dial, usage_location=loc, dial_plan=plan or None), row
    assert "unknown region 'XX'" in (got[5]["error"] or "")
    assert "'Nope' does not exist" in (got[6]["error"] or "")


def test_one_location_for_every_row(contoso: Tenant, simulator: Simulator) -> None:
    out = normalize_batch(pa.table({"d": ["911", "933", "2125550100"]}), contoso, dialed_column="d", location="US")
    assert results_of(out) == [expected_row(simulator, d, usage_location="US") for d in ["911", "933", "2125550100"]]


def test_rows_that_cannot_be_processed_get_an_error_and_nothing_else(contoso: Tenant) -> None:
    table = pa.table(
        {
            "caller": [MARCEL, "nobody@contoso.com", MARCEL, MARCEL, None, "", MARCEL],
            "dialed": ["7123", "7123", None, "   ", "7123", "7123", "(-)"],
        }
    )
    out = normalize_batch(table, contoso, dialed_column="dialed", user_column="caller")
    errors = out["error"].to_pylist()
    assert errors == [
        None,
        "user 'nobody@contoso.com' does not exist in tenant 'Contoso'",
        "empty dialed number",
        "empty dialed number",
        "empty user",
        "empty user",
        "empty dialed number",
    ]
    for row in results_of(out)[1:]:
        assert all(value is None for name, value in row.items() if name != "error")


def test_a_dial_column_that_is_not_text_is_an_error_per_row(contoso: Tenant) -> None:
    out = normalize_batch(pa.table({"d": [7123, 112]}), contoso, dialed_column="d", location="FR")
    assert out["error"].to_pylist() == ["field 'd' must be text, not int64"] * 2
    assert out["d"].to_pylist() == [7123, 112]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"dialed_column": "missing", "location": "FR"}, "no column 'missing'"),
        ({"dialed_column": "d"}, "exactly one"),
        ({"dialed_column": "d", "location": "FR", "user_column": "d"}, "exactly one"),
        ({"dialed_column": "d", "location": "FR", "dial_plan_column": "p"}, "needs a location column"),
    ],
)
def test_column_mistakes_are_user_errors(contoso: Tenant, columns: dict[str, str], message: str) -> None:
    with pytest.raises(DialplanInputError, match=message):
        normalize_batch(pa.table({"d": ["1"]}), contoso, **columns)


def test_an_input_that_already_has_result_columns_is_refused(contoso: Tenant) -> None:
    with pytest.raises(DialplanInputError, match="already has a column 'error'"):
        normalize_batch(pa.table({"d": ["1"], "error": ["x"]}), contoso, dialed_column="d", location="FR")


def test_summary_counts_add_up(contoso: Tenant) -> None:
    rng = random.Random(9)
    callers = [*USERS, "ghost@contoso.com"]
    tables = [
        pa.table({"u": [rng.choice(callers) for _ in range(300)], "d": [rng.choice(DIALED + [""]) for _ in range(300)]})
        for _ in range(3)
    ]
    with CdrNormalizer(Simulator(contoso), CdrColumns("d", user="u")) as normalizer:
        outs = [normalizer.normalize(table) for table in tables]
        summary = normalizer.summary(1.0)
    assert summary.rows == 900
    assert summary.errors + sum(summary.call_types.values()) == summary.rows
    hits = sum(sum(rules.values()) for rules in summary.rule_hits.values())
    assert hits + summary.unmatched == summary.rows - summary.errors
    assert summary.errors == sum(len(out["error"].drop_null()) for out in outs)
    assert sum(rows for _, rows in summary.top_errors) == summary.errors
    matched = pa.concat_tables(outs).to_pylist()
    assert summary.call_types["extension"] == sum(row["call_type"] == "extension" for row in matched)
    assert summary.rule_hits["FR-Paris-Issy-39qdPR"]["FR-39qdPR-Internal"] == sum(
        row["matching_rule"] == "FR-39qdPR-Internal" for row in matched
    )
    assert "FR-TollFree" not in summary.unused_rules.get("FR-Paris-Issy-39qdPR", [])
    unmatched = {d for d, _ in summary.top_unmatched}
    assert unmatched <= {row["d"] for row in matched if row["matching_rule"] is None and row["error"] is None}
    assert summary.distinct_pairs <= 2 * len(DIALED) + 2  # each (plan, dial string) once, across chunks
    assert summary.to_dict()["rows_per_second"] == 900


def test_forgetting_pairs_keeps_results_and_counts(contoso: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    table = pa.table({"u": USERS * 40, "d": (DIALED * 10)[:160]})
    with CdrNormalizer(Simulator(contoso), CdrColumns("d", user="u")) as normalizer:
        expected = normalizer.normalize(table)
        full = normalizer.summary()
    monkeypatch.setattr(batch, "_MAX_CACHED_PAIRS", 8)
    with CdrNormalizer(Simulator(contoso), CdrColumns("d", user="u")) as normalizer:
        small = [normalizer.normalize(table.slice(start, 20)) for start in range(0, 160, 20)]
        bounded = normalizer.summary()
    assert pa.concat_tables(small).equals(expected)
    assert (bounded.rows, bounded.errors, bounded.call_types, bounded.rule_hits) == (
        full.rows, full.errors, full.call_types, full.rule_hits
    )


@pytest.mark.parametrize("remembered", [1_000_000, 8], ids=["all-pairs-kept", "dial-ids-start-again"])
def test_chunks_encoded_ahead_give_the_same_answers(
    contoso: Tenant, monkeypatch: pytest.MonkeyPatch, remembered: int
) -> None:
    """As in a job, every chunk is encoded (given its ids) before the first is submitted,
    also when the dial strings' ids start again midway: same rows, same summary."""
    monkeypatch.setattr(batch, "_MAX_CACHED_PAIRS", remembered)
    chunks = random_chunks(seed=5, count=6, rows=30)
    alone, expected = normalized_alone(contoso, chunks)
    with CdrNormalizer(Simulator(contoso), CdrColumns("d", user="u")) as ahead:
        encoded = [ahead.encode(chunk) for chunk in chunks]
        if remembered < 1_000_000:
            assert encoded[-1].dials_generation > 0
        tickets = [ahead.submit(chunk, None, codes) for chunk, codes in zip(chunks, encoded, strict=True)]
        got = [ahead.finish(ticket) for ticket in tickets]
        summary = ahead.summary()
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.equals(theirs)
    assert summary.to_dict() | {"seconds": 0} == alone.summary().to_dict() | {"seconds": 0}


def test_a_waiting_chunk_holds_only_its_own_values(contoso: Tenant) -> None:
    """Chunks wait encoded (a few at once): each keeps its distinct values, not every value so far."""
    chunks = random_chunks(seed=7, count=4, rows=40)
    with CdrNormalizer(Simulator(contoso), CdrColumns("d", user="u")) as ahead:
        encoded = [ahead.encode(chunk) for chunk in chunks]
    seen: set[str] = set()
    for chunk, codes in zip(chunks, encoded, strict=True):
        assert codes.dialed is not None and codes.callers[0] is not None
        assert sorted(codes.dialed.distinct.to_pylist()) == sorted(set(chunk["d"].to_pylist()))
        rows = codes.dialed.ids
        assert codes.dialed.values_of(rows) == chunk["d"].to_pylist()  # each row's id names its value
        assert codes.callers[0].values_of(codes.callers[0].ids) == chunk["u"].to_pylist()
        seen.update(chunk["d"].to_pylist())
    assert len(seen) > max(len(codes.dialed.distinct) for codes in encoded if codes.dialed is not None)


def random_chunks(*, seed: int, count: int, rows: int) -> list[pa.Table]:
    """Chunks of rows `u` (a Contoso caller) and `d` (a dial string)."""
    rng = random.Random(seed)
    return [
        pa.table({"u": [rng.choice(USERS) for _ in range(rows)], "d": [rng.choice(DIALED) for _ in range(rows)]})
        for _ in range(count)
    ]


def normalized_alone(tenant: Tenant, chunks: list[pa.Table]) -> tuple[CdrNormalizer, list[pa.Table]]:
    """The chunks normalized in this process only, and the normalizer that did it."""
    alone = CdrNormalizer(Simulator(tenant), CdrColumns("d", user="u"))
    return alone, [alone.normalize(chunk) for chunk in chunks]


@pytest.mark.parametrize("remembered", [1_000_000, 40], ids=["all-pairs-kept", "pairs-forgotten-midway"])
def test_helper_processes_give_the_same_answers(
    contoso: Tenant, monkeypatch: pytest.MonkeyPatch, remembered: int
) -> None:
    """Chunks submitted ahead, new pairs shared in small slices with a helper: same rows, same summary."""
    monkeypatch.setattr(sharing, "_SLICE_PAIRS", 3)
    monkeypatch.setattr(batch, "_MAX_CACHED_PAIRS", remembered)
    chunks = random_chunks(seed=2, count=5, rows=60)
    alone, expected = normalized_alone(contoso, chunks)
    with CdrNormalizer(Simulator(contoso), CdrColumns("d", user="u"), processes=2) as shared:
        tickets = [shared.submit(chunk) for chunk in chunks]
        got = [shared.finish(ticket) for ticket in tickets]
        summary = shared.summary()
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.equals(theirs)
    assert summary.to_dict() | {"seconds": 0} == alone.summary().to_dict() | {"seconds": 0}


def test_a_helper_that_dies_costs_only_speed(contoso: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal

    monkeypatch.setattr(sharing, "_SLICE_PAIRS", 2)
    chunks = random_chunks(seed=3, count=3, rows=40)
    _, expected = normalized_alone(contoso, chunks)
    with CdrNormalizer(Simulator(contoso), CdrColumns("d", user="u"), processes=2) as shared:
        assert shared._sharing is not None and shared._sharing.pool is not None
        for pid in list(shared._sharing.pool._processes):  # the helper is killed (out of memory, say)
            os.kill(pid, signal.SIGKILL)
        got = [shared.finish(shared.submit(chunk)) for chunk in chunks]
        assert shared._sharing.pool is None
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.equals(theirs)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_helpers_use_the_simulators_own_emergency_numbers(
    contoso: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    import multiprocessing

    from normalizer.emergency import EmergencyNumbers

    # Where fork is missing (macOS, Windows), helpers are spawned: they build their own simulator.
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: [method])

    overrides = tmp_path / "emergency.toml"
    overrides.write_text('[FR]\nadd = ["7123"]\nsource = "a test"\n', encoding="utf-8")
    simulator = Simulator(contoso, emergency_numbers=EmergencyNumbers(overrides))
    table = pa.table({"u": [MARCEL] * 3, "d": ["7123"] * 3})
    alone = CdrNormalizer(simulator, CdrColumns("d", user="u")).normalize(table)
    assert alone["call_type"].to_pylist() == ["emergency"] * 3
    # The one new pair is the first slice: a helper computes it.
    with CdrNormalizer(simulator, CdrColumns("d", user="u"), processes=2) as shared:
        assert shared.normalize(table).equals(alone)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(USERS), st.text(alphabet="0123456789+*#() -.xa;=", max_size=14)),
        min_size=1,
        max_size=30,
    )
)
def test_batch_equals_one_call_per_row(rows: list[tuple[str, str]]) -> None:
    simulator = Simulator(load_tenant())
    table = pa.table({"u": [u for u, _ in rows], "d": [d for _, d in rows]})
    got = results_of(normalize_batch(table, simulator, dialed_column="d", user_column="u"))
    for row, (user, dialed) in zip(got, rows):
        if not clean(dialed):
            assert row["error"] == "empty dialed number"
        else:
            assert row == expected_row(simulator, dialed, user=user)


CSV_WITH_BAD_ROWS = (
    "id,caller,dialed\n"
    f"1,{MARCEL},7123\n"
    f"2,{EMILY}\n"
    f"3,{EMILY},0033 1 45 67 89 00\n"
    "4,nobody@contoso.com,7123\n"
).encode() + f"5,{MARCEL},71\xff3\n".encode("latin-1") + f"6,{MARCEL},3949\n".encode()


@pytest.mark.parametrize("chunk_bytes", [16, 1 << 20], ids=["tiny-chunks", "one-chunk"])
def test_file_with_malformed_rows_in_the_middle(tmp_path: Path, contoso: Tenant, chunk_bytes: int) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(CSV_WITH_BAD_ROWS)
    with target.open("wb") as sink:
        summary = normalize_file(
            source, sink, Simulator(contoso), CdrColumns("dialed", user="caller"),
            source_format=CdrFormat.CSV, sink_format=CdrFormat.CSV, processes=1, chunk_bytes=chunk_bytes,
        )
    out, _ = read_all(target, CdrFormat.CSV)
    out = out.set_column(out.column_names.index("error"), "error", pc.if_else(pc.equal(out["error"], ""), None, out["error"]))
    out = out.set_column(out.column_names.index("translated_number"), "translated_number", pc.if_else(pc.equal(out["translated_number"], ""), None, out["translated_number"]))
    assert out["id"].to_pylist() == ["1", "2", "3", "4", "5", "6"]
    errors = out["error"].to_pylist()
    assert [error is not None for error in errors] == [False, True, False, True, True, False]
    assert errors[1] == "line has 2 fields, the header has 3"
    assert errors[4] is not None and errors[4].startswith("line is not valid UTF-8: ")
    assert out["translated_number"].to_pylist() == ["+33199997123", None, "+33145678900", None, None, "3949"]
    assert (summary.rows, summary.errors) == (6, 3)


@pytest.mark.parametrize("fmt", list(CdrFormat))
def test_normalize_file_keeps_every_column_and_row_in_every_format(
    tmp_path: Path, contoso: Tenant, simulator: Simulator, fmt: CdrFormat
) -> None:
    rng = random.Random(int.from_bytes(str(fmt).encode(), "big"))
    rows = [(str(i), rng.choice(USERS), rng.choice(DIALED)) for i in range(50)]
    table = pa.table({"id": [r[0] for r in rows], "caller": [r[1] for r in rows], "dialed": [r[2] for r in rows]})
    source, target = tmp_path / f"in.{fmt}", tmp_path / f"out.{fmt}"
    write_all(source, fmt, [table])
    if fmt is CdrFormat.PARQUET:
        sink: Path | object = target
        summary = normalize_file(
            source, target, simulator, CdrColumns("dialed", user="caller"),
            source_format=fmt, sink_format=fmt, processes=1, chunk_bytes=64,
        )
    else:
        with target.open("wb") as sink:
            summary = normalize_file(
                source, sink, simulator, CdrColumns("dialed", user="caller"),
                source_format=fmt, sink_format=fmt, processes=1, chunk_bytes=64,
            )
    back, _ = read_all(target, fmt)
    assert summary.rows == back.num_rows == 50
    assert back.select(["id", "caller", "dialed"]).to_pylist() == table.to_pylist()
    got = [{k: (v or None) for k, v in row.items()} for row in results_of(back)]
    assert got == [expected_row(simulator, d, user=u) for _, u, d in rows]


def test_cli_writes_output_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "calls.csv"
    source.write_bytes(CSV_WITH_BAD_ROWS)
    summary_file = tmp_path / "summary.json"
    code = main(
        ["cdr", str(source), "--dialed-column", "dialed", "--user-column", "caller", "--summary", str(summary_file)]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "rows: 6  errors: 3" in out and "calls.normalized.csv" in out
    data = json.loads(summary_file.read_text())
    assert data["rows"] == 6 and data["errors"] + sum(data["call_types"].values()) == 6
    assert "FR-TollFree" in data["unused_rules"]["FR-Paris-Issy-39qdPR"]
    assert (tmp_path / "calls.normalized.csv").read_text().count("\n") == 7


def test_cli_converts_to_parquet_and_writes_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "calls.txt"
    source.write_text("dialed\n112\n0800123456\n", encoding="utf-8")
    target = tmp_path / "out.parquet"
    assert main(["cdr", str(source), "--format", "csv", "-o", str(target), "--dialed-column", "dialed", "--location", "FR"]) == 0
    assert pq.read_table(target)["call_type"].to_pylist() == ["emergency", "domestic"]
    capsys.readouterr()
    assert main(["cdr", str(source), "--format", "csv", "-o", "-", "--dialed-column", "dialed", "--location", "GB"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[1] == "112,,112,,,emergency,GB,emergency,"
    assert "rows: 2" in captured.err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--dialed-column", "nope", "--location", "FR"], "no column 'nope'"),
        (["--dialed-column", "dialed", "--user-column", "caller", "--format", "parquet"], "not a Parquet file"),
        (["--dialed-column", "dialed", "--location", "FR", "-o", "x.xlsx"], "unknown call-detail file type"),
        (["--dialed-column", "dialed", "--location", "ZZ"], "argument --location: unknown region 'ZZ'"),
        (["--dialed-column", "dialed", "--location", "FR", "-o", "missing/x.parquet"], "missing/x.parquet: cannot write"),
        (["--dialed-column", "dialed", "--location", "FR", "--summary", "missing/s.json"], "missing/s.json: cannot write"),
        (["--dialed-column", "dialed", "--location", "FR", "--summary", "calls.csv"], "calls.csv: the summary would overwrite the input"),
        (["--dialed-column", "dialed", "--location", "FR", "-o", "out.csv", "--summary", "out.csv"], "out.csv: the summary would overwrite the output"),
    ],
)
def test_cli_user_mistakes_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "calls.csv"
    source.write_bytes(CSV_WITH_BAD_ROWS)
    assert main(["cdr", str(source), *argv]) == 2
    assert source.read_bytes() == CSV_WITH_BAD_ROWS
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_dial_plan_column_needs_location_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cdr", "x.csv", "--dialed-column", "d", "--location", "FR", "--dial-plan-column", "p"]) == 2
    assert "--dial-plan-column needs --location-column" in capsys.readouterr().err


def test_progress_bar_shows_rows_rate_and_eta() -> None:
    import io

    from normalizer.commands.cdr import ProgressBar

    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar.started -= 2.0
    bar(1000, 50, 100)
    line = stream.getvalue()
    assert line.startswith("\r[############............]  50%  1,000 rows")
    assert "rows/s" in line and "ETA 2 s" in line
    bar(2000, 60, 100)  # redrawn at most five times a second
    assert stream.getvalue() == line
    bar.finish()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_progress_bar_is_quiet_when_stderr_is_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "calls.csv"
    source.write_text("dialed\n112\n", encoding="utf-8")
    assert main(["cdr", str(source), "--dialed-column", "dialed", "--location", "FR"]) == 0
    assert capsys.readouterr().err == ""


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["1", "7", "33", "44", "49", "61", "81", "86", "971", "800", "882"]), st.text("0123456789", min_size=2, max_size=13))
def test_number_validity_is_the_number_type_being_known(code: str, digits: str) -> None:
    """`number_facts` derives validity from the number type (the CDR hot path asks once)."""
    import phonenumbers

    from normalizer import countries

    number = f"+{code}{digits}"
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return
    assert countries.number_facts(number).is_valid_number == phonenumbers.is_valid_number(parsed)


def test_an_input_without_rows_still_gets_the_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "calls.csv"
    source.write_text("id,dialed\n", encoding="utf-8")
    assert main(["cdr", str(source), "--dialed-column", "dialed", "--location", "FR"]) == 0
    header = (tmp_path / "calls.normalized.csv").read_text().strip().replace('"', "").split(",")
    assert header == ["id", "dialed", *OUTPUT_COLUMNS]
    assert "rows: 0  errors: 0" in capsys.readouterr().out


def test_json_objects_become_json_text_in_csv(tmp_path: Path) -> None:
    source, target = tmp_path / "calls.jsonl", tmp_path / "out.csv"
    source.write_text('{"dialed": "112", "meta": {"a": 1}}\n{"dialed": "15", "meta": null}\n', encoding="utf-8")
    assert main(["cdr", str(source), "-o", str(target), "--dialed-column", "dialed", "--location", "FR"]) == 0
    back, _ = read_all(target, CdrFormat.CSV)
    assert back["meta"].to_pylist() == ['{"a": 1}', ""]
    assert back["call_type"].to_pylist() == ["emergency", "emergency"]


@pytest.mark.parametrize(
    ("cores", "rows", "expected"),
    [(1, 1_000_000, 1), (2, 1_000, 1), (2, 199_000, 1), (2, 210_000, 2), (4, 1_000_000, 2)],
    ids=["one-core", "small", "just-under", "just-over", "four-cores"],
)
@pytest.mark.parametrize("fmt", [CdrFormat.CSV, CdrFormat.PARQUET], ids=["csv", "parquet"])
def test_a_helper_process_by_the_size_of_the_input_not_the_machines_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int, rows: int, expected: int, fmt: CdrFormat
) -> None:
    monkeypatch.setattr(job.os, "cpu_count", lambda: cores)
    # The load average plays no part: a busy machine gets the same answer.
    monkeypatch.setattr(job.os, "getloadavg", lambda: (9.0, 9.0, 9.0))
    table = pa.table({"caller": [MARCEL] * rows, "dialed": [f"0{n:09d}" for n in range(rows)]})
    source = tmp_path / f"calls.{fmt.value}"
    write_all(source, fmt, [table])
    count, why = job.processes_for(source, fmt, CdrColumns("dialed", user="caller"))
    assert count == expected
    assert why == "one core" if cores == 1 else why.startswith("about ")


@pytest.mark.parametrize("fmt", [CdrFormat.CSV, CdrFormat.TSV, CdrFormat.PARQUET], ids=["csv", "tsv", "parquet"])
def test_a_big_input_with_few_distinct_pairs_stays_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: CdrFormat
) -> None:
    monkeypatch.setattr(job.os, "cpu_count", lambda: 2)
    rows = 300_000
    # Ten callers dialling ten numbers: the pairs are all known after the first rows.
    table = pa.table({
        "caller": [f"user{n % 10}@contoso.com" for n in range(rows)],
        "dialed": [f"0{n % 7:09d}" for n in range(rows)],
    })
    source = tmp_path / f"calls.{fmt.value}"
    write_all(source, fmt, [table])
    columns = CdrColumns("dialed", user="caller")
    count, why = job.processes_for(source, fmt, columns)
    assert count == 1
    assert why.startswith("about ") and why.endswith(" rows, but 70 distinct pairs in the first " + why.split()[-1])
    # Without the columns (or a format not sampled) the size alone decides.
    assert job.processes_for(source, fmt)[0] == 2


def test_the_summary_says_how_many_processes_ran_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "calls.csv"
    source.write_text("caller,dialed\n" + f"{MARCEL},7123\n" * 10, encoding="utf-8")
    summary_file = tmp_path / "summary.json"
    argv = ["cdr", str(source), "--dialed-column", "dialed", "--user-column", "caller"]
    assert main([*argv, "--summary", str(summary_file)]) == 0
    assert "processes: 1 (" in capsys.readouterr().out
    assert json.loads(summary_file.read_text())["processes"] == 1
    assert main([*argv, "--processes", "2", "--summary", str(summary_file)]) == 0
    assert "processes: 2 (--processes)" in capsys.readouterr().out
    assert main([*argv, "--processes", "0"]) == 2


@pytest.mark.parametrize("fmt", [CdrFormat.CSV, CdrFormat.PARQUET], ids=["csv", "parquet"])
def test_a_json_key_first_seen_in_a_later_chunk_is_an_error_not_dropped(
    tmp_path: Path, simulator: Simulator, fmt: CdrFormat
) -> None:
    source = tmp_path / "calls.jsonl"
    source.write_text('{"d": "7123"}\n' * 5 + '{"d": "7123", "note": "later"}\n', encoding="utf-8")
    sink: io.BytesIO | Path = tmp_path / "out.parquet" if fmt is CdrFormat.PARQUET else io.BytesIO()
    with pytest.raises(DialplanInputError, match="column 'note' first appears after"):
        normalize_file(
            source,
            sink,
            simulator,
            CdrColumns(dialed="d", region="FR"),
            source_format=CdrFormat.JSONL,
            sink_format=fmt,
            chunk_bytes=20,
            processes=0,
        )
    if isinstance(sink, Path):  # what was written before the error is a readable file
        assert pq.read_table(sink).column("d").to_pylist() == ["7123"] * 5


def test_a_tenant_plan_named_like_a_service_plan_keeps_its_own_counts() -> None:
    from normalizer import tenant_from_document

    tenant = tenant_from_document(
        {
            "tenant": {"name": "Clash"},
            "dial_plans": [
                {"identity": "FR", "rules": [{"name": "Ext", "pattern": r"^(7\d{3})$", "translation": "+3319999$1"}]}
            ],
            "users": [
                {"upn": "a@x.example", "usage_location": "FR", "dial_plan": "FR"},
                {"upn": "b@x.example", "usage_location": "FR"},
            ],
        },
        "clash.toml",
    )
    table = pa.table({"u": ["a@x.example", "a@x.example", "b@x.example"], "d": ["7123", "0145678900", "0145678900"]})
    normalizer = CdrNormalizer(Simulator(tenant), CdrColumns("d", user="u"))
    normalizer.normalize(table)
    hits = normalizer.summary().rule_hits
    assert hits["FR"] == {"Ext": 1}
    service = hits["FR (service)"]
    assert sum(service.values()) == 2 and "Ext" not in service


def test_cli_leaves_no_unfinished_output_behind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "calls.csv"
    source.write_text("dialed\n7123\n", encoding="utf-8")
    target, summary = tmp_path / "out.csv", tmp_path / "summary.json"
    argv = ["cdr", str(source), "-o", str(target), "--summary", str(summary), "--location", "FR"]
    assert main([*argv, "--dialed-column", "nope"]) == 2
    assert not target.exists() and not summary.exists()
    assert capsys.readouterr().err.count("\n") == 1  # the error alone
    # A file it could not open is not its own: it stays.
    kept = tmp_path / "kept"
    kept.mkdir()
    assert main(["cdr", str(source), "-o", str(kept), "--format", "csv", "--dialed-column", "dialed", "--location", "FR"]) == 2
    assert kept.is_dir()
    assert main([*argv, "--dialed-column", "dialed"]) == 0
    assert target.exists() and summary.exists()


def test_cli_leaves_an_untouched_parquet_target_alone(tmp_path: Path) -> None:
    source = tmp_path / "calls.csv"
    source.write_text("dialed\n7123\n", encoding="utf-8")
    target = tmp_path / "out.parquet"
    target.write_bytes(b"an earlier file")
    assert main(["cdr", str(source), "-o", str(target), "--dialed-column", "nope", "--location", "FR"]) == 2
    assert target.read_bytes() == b"an earlier file"


def test_json_lines_output_keeps_the_input_values_json_types(tmp_path: Path) -> None:
    """Mixed types in a column and an integer dial string used to come back as strings."""
    lines = [
        {"id": 7123, "dialed": "112", "meta": {"a": [1, 2]}, "flag": True},
        {"id": "x-2", "dialed": 7123, "meta": "plain", "flag": None},
        {"id": 3, "dialed": "15", "meta": None, "flag": 1.5},
    ]
    source, target = tmp_path / "calls.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assert main(["cdr", str(source), "-o", str(target), "--dialed-column", "dialed", "--location", "FR"]) == 0
    back = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [{key: row[key] for key in lines[0]} for row in back] == lines
    # A whole number in the dial field is read as its digits (and written back as a number).
    assert [row["error"] for row in back] == [None, None, None]
    # A CSV output writes the same values as text, as before.
    as_csv = tmp_path / "out.csv"
    assert main(["cdr", str(source), "-o", str(as_csv), "--dialed-column", "dialed", "--location", "FR"]) == 0
    table, _ = read_all(as_csv, CdrFormat.CSV)
    assert table.column_names[:4] == ["dialed", "id", "meta", "flag"]
    assert table["id"].to_pylist() == ["7123", "x-2", "3"]
    assert table["dialed"].to_pylist() == ["112", "7123", "15"]
    assert table["meta"].to_pylist() == ['{"a": [1, 2]}', "plain", ""]


def test_cli_output_format_names_the_output_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "calls.csv"
    source.write_text("dialed\n7123\n", encoding="utf-8")
    target = tmp_path / "out.txt"
    base = ["cdr", str(source), "--dialed-column", "dialed", "--location", "FR"]
    # An extension that names no format: the error points at --output-format, not --format.
    assert main([*base, "-o", str(target)]) == 2
    assert "or --output-format)" in capsys.readouterr().err
    assert main([*base, "-o", str(target), "--output-format", "tsv"]) == 0
    assert target.read_text(encoding="utf-8").splitlines()[0].startswith("dialed\ttranslated_number\t")
    capsys.readouterr()
    assert main([*base, "-o", "-", "--output-format", "jsonl"]) == 0
    assert json.loads(capsys.readouterr().out)["final_number"] == "+337123"


def test_cli_jsonl_number_in_the_dial_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "calls.jsonl"
    source.write_text('{"dialed": 3949}\n{"dialed": -1}\n', encoding="utf-8")
    assert main(["cdr", str(source), "--dialed-column", "dialed", "--location", "FR", "-o", "-"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # Read as its digits; written back with its input type.
    assert rows[0]["dialed"] == 3949 and rows[0]["error"] is None and rows[0]["final_number"] == "+333949"
    assert rows[1]["error"].startswith("field 'dialed' must be text or a whole number")


def test_a_parquet_binary_dial_string_that_is_not_utf_8_is_an_error_row(tmp_path: Path) -> None:
    """It gave the wrong final number `+33\\ufffd\\ufffd` and no error."""
    source, target = tmp_path / "calls.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({"dialed": pa.array([b"0123456789", b"\xff\xfe", None], pa.binary())}), source)
    assert main(["cdr", str(source), "-o", str(target), "--dialed-column", "dialed", "--location", "FR"]) == 0
    out = pq.read_table(target)
    assert out["final_number"].to_pylist() == ["+33123456789", None, None]
    assert out["error"].to_pylist() == [None, "field 'dialed' holds bytes that are not valid UTF-8", "empty dialed number"]
    assert out["dialed"].to_pylist() == [b"0123456789", b"\xff\xfe", None]  # the input column kept as it was


def test_a_dial_string_no_phone_sends_is_an_error_row(tmp_path: Path) -> None:
    source, target = tmp_path / "calls.csv", tmp_path / "out.csv"
    source.write_text("dialed\n7123\N{TELEPHONE RECEIVER}\n1-800-FLOWERS\n", encoding="utf-8")
    assert main(["cdr", str(source), "-o", str(target), "--dialed-column", "dialed", "--location", "US"]) == 0
    out, _ = read_all(target, CdrFormat.CSV)
    assert out["error"].to_pylist()[0].endswith("character '\N{TELEPHONE RECEIVER}' (U+1F4DE) at position 4 cannot be dialled (a dial string holds 0-9 A-Z a-z + * # ; = and the separators ' -.()')")
    assert out["final_number"].to_pylist() == ["", "+11800FLOWERS"]
    assert out["call_type"].to_pylist() == ["", "unknown"]
