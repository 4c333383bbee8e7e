"""The `cdr` output on the synthetic benchmark log does not change unless a change means it to.

`tests/fixtures/cdr/synthetic-50k.normalized.csv.gz` holds every 20th row of
`dialplan cdr` run on the synthetic million-row log (`python -m bench.cdr_data
1000000 calls.csv --tenant tenant.toml`, its tenant in
`synthetic-tenant.toml.gz`), input columns and results. A speed change must
leave it as it is; a change of results on purpose replaces it in the same
commit and says why.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from normalizer import Simulator, load_tenant
from normalizer.bulk.batch import CdrColumns
from normalizer.bulk.cdr_io import CdrFormat
from normalizer.bulk.job import normalize_file
from normalizer.bulk.store import OUTPUT_COLUMNS

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
