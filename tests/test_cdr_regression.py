"""The `cdr` output on the synthetic benchmark log does not change unless a change means it to.

`tests/fixtures/cdr/synthetic-50k.normalized.csv.gz` holds every 20th row of
`dialplan cdr` run on the synthetic million-row log (`python -m bench.cdr_data
1000000 calls.csv --tenant tenant.toml`, its tenant in
`synthetic-tenant.toml.gz`), input columns and results. A speed change must
leave it as it is; a change of results on purpose replaces it in the same
commit and says why. The same holds for the Calling Plan replay of that sample
(`synthetic-50k.billed.csv.gz`, `synthetic-50k.billed-summary.json.gz`).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from normalizer import Simulator, load_tenant
from normalizer.billing.ledger import CallLedger
from normalizer.billing.rates import read_rate_card
from normalizer.bulk.batch import CdrColumns
from normalizer.bulk.billing import BillingColumns, StreamingBiller, bill_file
from normalizer.bulk.cdr_io import CdrFormat
from normalizer.bulk.job import normalize_file
from normalizer.bulk.store import BILLING_COLUMNS, OUTPUT_COLUMNS

FIXTURES = Path(__file__).parent / "fixtures" / "cdr"
INPUT_COLUMNS = ("call_id", "start_time", "caller_upn", "dialed", "duration_s", "direction")


def read_text_table(path: Path) -> pa.Table:
    """A CSV read with every column as text and empty fields as empty strings."""
    names = (*INPUT_COLUMNS, *OUTPUT_COLUMNS)
    options = pa_csv.ConvertOptions(
        column_types={name: pa.string() for name in names}, strings_can_be_null=False
    )
    return pa_csv.read_csv(path, convert_options=options)


def test_the_output_on_the_synthetic_sample_is_unchanged(tmp_path: Path) -> None:
    stored = tmp_path / "expected.csv"
    stored.write_bytes(gzip.decompress((FIXTURES / "synthetic-50k.normalized.csv.gz").read_bytes()))
    tenant_file = tmp_path / "tenant.toml"
    tenant_file.write_bytes(gzip.decompress((FIXTURES / "synthetic-tenant.toml.gz").read_bytes()))
    expected = read_text_table(stored)
    assert expected.num_rows == 50_000

    source = tmp_path / "calls.csv"
    pa_csv.write_csv(expected.select(list(INPUT_COLUMNS)), source)
    sink = tmp_path / "calls.normalized.csv"
    simulator = Simulator(load_tenant(tenant_file))
    with sink.open("wb") as stream:
        summary = normalize_file(
            source,
            stream,
            simulator,
            CdrColumns("dialed", user="caller_upn"),
            source_format=CdrFormat.CSV,
            sink_format=CdrFormat.CSV,
            processes=1,
        )
    assert summary.rows == 50_000
    actual = read_text_table(sink)
    assert actual.column_names == expected.column_names
    for name in OUTPUT_COLUMNS:
        got, want = actual[name].to_pylist(), expected[name].to_pylist()
        differing = [i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b]
        assert not differing, (
            f"{name}: {len(differing)} rows differ, first at call_id "
            f"{expected['call_id'][differing[0]]}: {got[differing[0]]!r} != {want[differing[0]]!r}"
        )


BILLED_COLUMNS = ("call_id", *BILLING_COLUMNS)
RATES = "prefix,rate,currency\n+1,0.01,USD\n+33,0.02,USD\n+336,0.06,USD\n+44,0.02,USD\n+49,0.03,USD\n+61,0.08,USD\n+8,0.10,USD\n+9,0.12,USD\n"
"""The benchmark's rate card (`bench.cdr_data.RATES`)."""


@pytest.mark.parametrize("passes", [1, 2], ids=["one-pass-in-chunks", "two-pass"])
def test_the_calling_plan_replay_on_the_synthetic_sample_is_unchanged(tmp_path: Path, passes: int) -> None:
    """The same sample, its users licensed (`synthetic-licensed-tenant.toml.gz`, the benchmark's
    `tenant_toml(licensed=True)`), replayed with the benchmark's rate card: every row's six
    Calling Plan columns (`synthetic-50k.billed.csv.gz`) and the `calling_plans` summary
    (`synthetic-50k.billed-summary.json.gz`) stay as they are, whether the replay runs chunk by
    chunk inside the normalization pass or over the whole file after it."""
    source = tmp_path / "calls.csv"
    stored = read_text_table_of(FIXTURES / "synthetic-50k.normalized.csv.gz", tmp_path / "sample.csv", INPUT_COLUMNS)
    pa_csv.write_csv(stored.select(list(INPUT_COLUMNS)), source)
    tenant_file = tmp_path / "tenant.toml"
    tenant_file.write_bytes(gzip.decompress((FIXTURES / "synthetic-licensed-tenant.toml.gz").read_bytes()))
    rates = tmp_path / "rates.csv"
    rates.write_text(RATES, encoding="utf-8")
    simulator = Simulator(load_tenant(tenant_file))
    ledger = CallLedger(simulator, rates=read_rate_card(rates))
    billing = BillingColumns("caller_upn", "start_time", "duration_s", "direction")
    columns = CdrColumns("dialed", user="caller_upn")
    sink = tmp_path / "billed.csv"
    with sink.open("wb") as stream:
        if passes == 1:
            normalize_file(source, stream, simulator, columns, source_format=CdrFormat.CSV, sink_format=CdrFormat.CSV,
                           processes=1, chunk_bytes=1 << 18, appender=StreamingBiller(ledger, billing))
        else:
            normalized = tmp_path / "normalized.parquet"
            normalize_file(source, normalized, simulator, columns, source_format=CdrFormat.CSV,
                           sink_format=CdrFormat.PARQUET, processes=1)
            bill_file(normalized, stream, CdrFormat.CSV, ledger, billing)
    expected = read_text_table_of(FIXTURES / "synthetic-50k.billed.csv.gz", tmp_path / "expected.csv", BILLED_COLUMNS)
    actual = read_text_table_of(None, sink, BILLED_COLUMNS)
    for name in BILLED_COLUMNS:
        got, want = actual[name].to_pylist(), expected[name].to_pylist()
        differing = [i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b]
        assert not differing, (
            f"{name}: {len(differing)} rows differ, first at call_id "
            f"{expected['call_id'][differing[0]]}: {got[differing[0]]!r} != {want[differing[0]]!r}"
        )
    summary = json.loads(gzip.decompress((FIXTURES / "synthetic-50k.billed-summary.json.gz").read_bytes()))
    assert json.loads(json.dumps(ledger.summary())) == summary


def read_text_table_of(packed: Path | None, path: Path, names: tuple[str, ...]) -> pa.Table:
    """Some columns of a CSV (unpacked from `packed` into `path` first, if given), all as text."""
    if packed is not None:
        path.write_bytes(gzip.decompress(packed.read_bytes()))
    options = pa_csv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, include_columns=list(names)
    )
    return pa_csv.read_csv(path, convert_options=options)
