"""`python -m bench`'s in-process measurements run on a small log and measure real work."""

from __future__ import annotations

from pathlib import Path

from bench import floor_cdr, inside
from bench.__main__ import same_rows
from bench.cdr_data import tenant_toml, write_csv


def test_per_pair_and_per_row_figures_come_from_the_log(tmp_path: Path) -> None:
    tenant, calls = tmp_path / "tenant.toml", tmp_path / "calls.csv"
    tenant.write_text(tenant_toml(), encoding="utf-8")
    write_csv(calls, 3_000)
    pairs = inside.per_pair(str(calls), str(tenant))
    assert 500 < pairs["pairs"] <= 3_000
    assert pairs["cold_us"] > 0 and pairs["warm_us"] > 0
    rows = inside.per_row(str(calls), str(tenant))
    assert rows["rows"] == 3_000
    assert rows["lookup_s_per_million"] > 0 and rows["write_s_per_million"] > 0


def test_outputs_are_compared_as_csv_rows(tmp_path: Path) -> None:
    arrow, plain, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    arrow.write_bytes(b'"dialed","final_number"\n7123,+33199997123\n')
    plain.write_bytes(b"dialed,final_number\r\n7123,+33199997123\r\n")
    other.write_bytes(b"dialed,final_number\r\n7123,+33199997124\r\n")
    assert same_rows(arrow, plain)
    assert not same_rows(arrow, other)


def test_the_floor_copies_every_row_of_the_log(tmp_path: Path) -> None:
    calls, copied = tmp_path / "calls.csv", tmp_path / "copy.csv"
    write_csv(calls, 2_000)
    assert floor_cdr.copy(str(calls), str(copied)) == 2_000
    assert same_rows(calls, copied)
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('caller,dialed\n"a,b",0044 20\n', encoding="utf-8")
    floor_cdr.copy(str(quoted), str(copied))
    assert same_rows(quoted, copied)
