"""`dialplan cdr` with the Calling Plan replay against the same job without it.

The same 1 M-row log (in time order, as the PSTN usage report is) and the same
licensed tenant (`tenant_toml(licensed=True)`, a rate card): once normalizing
only, once also replaying every call against pools and credits with start,
duration and direction columns. Rounds alternate so both meet the same machine;
the best round of each gives the ratio. Target: the replay adds at most 30 %.
Size: CDR_BENCH_ROWS (1 M).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from bench.cdr_data import RATES, tenant_toml, write_csv
from bench.test_cdr_bench import ROWS, run_measured

DIALPLAN = str(Path(sys.executable).with_name("dialplan"))
ROUNDS = 3
TARGET = 0.30


def plain_argv(work: Path, output: str = "plain.csv") -> list[str]:
    return [DIALPLAN, "cdr", str(work / "calls.csv"), "-o", str(work / output),
            "--tenant", str(work / "licensed.toml"), "--dialed-column", "dialed", "--user-column", "caller_upn"]


def billing_argv(work: Path) -> list[str]:
    return [*plain_argv(work, "billed.csv"), "--start-column", "start_time", "--duration-column", "duration_s",
            "--direction-column", "direction", "--rates", str(work / "rates.csv")]


def overhead(work: Path, rounds: int = ROUNDS) -> dict[str, float]:
    """Best wall seconds of each job over alternating rounds, and the replay's share."""
    plain: list[dict[str, float]] = []
    billed: list[dict[str, float]] = []
    for _ in range(rounds):
        plain.append(run_measured(plain_argv(work)))
        billed.append(run_measured(billing_argv(work)))
    best_plain = min(plain, key=lambda run: run["seconds"])
    best_billed = min(billed, key=lambda run: run["seconds"])
    return {
        "plain_seconds": best_plain["seconds"],
        "billed_seconds": best_billed["seconds"],
        "added": best_billed["seconds"] / best_plain["seconds"] - 1,
        "added_cpu": best_billed["cpu_seconds"] / best_plain["cpu_seconds"] - 1,
    }


def prepare(work: Path, rows: int) -> None:
    (work / "licensed.toml").write_text(tenant_toml(licensed=True), encoding="utf-8")
    (work / "rates.csv").write_text(RATES, encoding="utf-8")
    if not (work / "calls.csv").exists():
        write_csv(work / "calls.csv", rows)


@pytest.mark.benchmark(group="cdr-calling-plan-replay")
def test_replay_overhead(benchmark: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    work = tmp_path_factory.mktemp("billing")
    prepare(work, ROWS)
    found: dict[str, float] = {}
    benchmark.pedantic(lambda: found.update(overhead(work)), rounds=1, iterations=1)
    benchmark.extra_info.update(
        role="measure",
        items=ROWS,
        report=(
            f"the replay adds {found['added']:.0%} wall ({found['billed_seconds']:.2f} s vs "
            f"{found['plain_seconds']:.2f} s), {found['added_cpu']:.0%} CPU; target <= {TARGET:.0%}"
        ),
        **found,
    )
