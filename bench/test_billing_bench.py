"""`dialplan cdr` with the Calling Plan replay against the same job without it.

The same 1 M-row log (in time order, as the PSTN usage report is) and the same
licensed tenant (`tenant_toml(licensed=True)`, a rate card): once normalizing
only, once also replaying every call against pools and credits with start,
duration and direction columns. After one untimed run of each (the input in
the page cache, bytecode written), ROUNDS rounds each run both jobs back to
back, in turns (plain first in even rounds, billed first in odd ones), so
both meet the same machine within seconds; each round gives one paired
ratio, wall and CPU (process and helper, from the children's rusage).

Target: the replay adds at most 30 %, judged on the median of the rounds'
paired wall ratios. A pair's two runs share the machine's state of the
moment, and the median drops the rounds in which a neighbour's burst hit only
one of them; the best wall time of each job (also reported) pairs minima
taken in different rounds, and with a few seconds per run on a shared
machine it follows whichever job happened to meet a quiet moment. CPU
seconds are reported beside it: other work on the machine disturbs them
least, and they tell how much work the replay adds, whereas wall time also
depends on how much of it overlaps with the rest of the job on two cores.
Size: CDR_BENCH_ROWS (1 M).
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.cdr_data import RATES, tenant_toml, write_csv
from bench.test_cdr_bench import ROWS, run_measured

DIALPLAN = str(Path(sys.executable).with_name("dialplan"))
# A user's interpreter writes bytecode caches (the untimed runs write them): measure that steady state,
# not the compiling of the modules only the replay imports.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
ROUNDS = 5
TARGET = 0.30


def plain_argv(work: Path, output: str = "plain.csv") -> list[str]:
    return [DIALPLAN, "cdr", str(work / "calls.csv"), "-o", str(work / output),
            "--tenant", str(work / "licensed.toml"), "--dialed-column", "dialed", "--user-column", "caller_upn"]


def billing_argv(work: Path) -> list[str]:
    return [*plain_argv(work, "billed.csv"), "--start-column", "start_time", "--duration-column", "duration_s",
            "--direction-column", "direction", "--rates", str(work / "rates.csv")]


def overhead(work: Path, rounds: int = ROUNDS) -> dict[str, float]:
    """What the replay adds over `rounds` alternating rounds: the median of the paired ratios
    (wall, the target's figure, and CPU), the ratio of the best wall times, and the medians' seconds."""
    run_measured(plain_argv(work), ENVIRONMENT, memory=False)  # untimed: the input in the page cache, bytecode written
    run_measured(billing_argv(work), ENVIRONMENT, memory=False)
    plain: list[dict[str, float]] = []
    billed: list[dict[str, float]] = []
    for round_ in range(rounds):
        if round_ % 2:
            billed.append(run_measured(billing_argv(work), ENVIRONMENT, memory=False))
            plain.append(run_measured(plain_argv(work), ENVIRONMENT, memory=False))
        else:
            plain.append(run_measured(plain_argv(work), ENVIRONMENT, memory=False))
            billed.append(run_measured(billing_argv(work), ENVIRONMENT, memory=False))
    walls = [b["seconds"] / p["seconds"] - 1 for p, b in zip(plain, billed, strict=True)]
    cpus = [b["cpu_seconds"] / p["cpu_seconds"] - 1 for p, b in zip(plain, billed, strict=True)]
    return {
        "added": statistics.median(walls),
        "added_cpu": statistics.median(cpus),
        "added_best": min(b["seconds"] for b in billed) / min(p["seconds"] for p in plain) - 1,
        "added_min": min(walls),
        "added_max": max(walls),
        "plain_seconds": statistics.median(p["seconds"] for p in plain),
        "billed_seconds": statistics.median(b["seconds"] for b in billed),
        "plain_cpu_seconds": statistics.median(p["cpu_seconds"] for p in plain),
        "billed_cpu_seconds": statistics.median(b["cpu_seconds"] for b in billed),
        "rounds": rounds,
    }


def describe(found: dict[str, float]) -> str:
    """One line: the target's figure first, then CPU and the best-of figure."""
    return (
        f"{found['added']:+.0%} wall, median of {found['rounds']:.0f} paired rounds "
        f"(from {found['added_min']:+.0%} to {found['added_max']:+.0%}; median runs "
        f"{found['billed_seconds']:.2f} s vs {found['plain_seconds']:.2f} s), "
        f"{found['added_cpu']:+.0%} CPU ({found['billed_cpu_seconds']:.2f} vs {found['plain_cpu_seconds']:.2f} s), "
        f"{found['added_best']:+.0%} on best walls"
    )


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
        report=f"the replay adds {describe(found)}; target <= +{TARGET:.0%} (median paired wall)",
        **found,
    )
