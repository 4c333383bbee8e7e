"""Start-up of the commands people type and scripts call in loops, against `python -c pass`.

Each command is a fresh process, run once to warm the bytecode caches and then
timed over several rounds; each group pairs it with the bare interpreter in the
same run. Targets (issue: speed where users feel it): `dialplan normalize` at
most 0.12 s, `dialplan --help` at most 0.08 s, `dialplan cdr` on a one-row CSV
at most 0.35 s, wall time on the best round.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

DIALPLAN = str(Path(sys.executable).with_name("dialplan"))
ROUNDS = 9
# A user's interpreter writes bytecode caches; measure that steady state.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


@pytest.fixture(scope="module")
def one_row(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("startup") / "calls.csv"
    path.write_text("caller,dialed\nmarcel.beauchamp@contoso.com,7123\n", encoding="utf-8")
    return path


def commands(one_row: Path) -> dict[str, tuple[list[str], float]]:
    """Name: (argv, target seconds)."""
    return {
        "normalize": ([DIALPLAN, "normalize", "7123", "--user", "marcel.beauchamp@contoso.com"], 0.12),
        "help": ([DIALPLAN, "--help"], 0.08),
        "cdr-one-row": (
            [DIALPLAN, "cdr", str(one_row), "-o", str(one_row.with_name("out.csv")),
             "--dialed-column", "dialed", "--user-column", "caller"],
            0.35,
        ),
    }


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENVIRONMENT)
    return time.perf_counter() - started


def measure(benchmark: Any, argv: list[str]) -> None:
    timed(argv)  # warm the bytecode and file caches
    benchmark.pedantic(timed, args=(argv,), rounds=ROUNDS, iterations=1)


@pytest.mark.parametrize("name", ["normalize", "help", "cdr-one-row"])
def test_bare_interpreter(benchmark: Any, name: str) -> None:
    benchmark.group = f"startup-{name}"
    benchmark.extra_info.update(role="baseline")
    measure(benchmark, [sys.executable, "-c", "pass"])


@pytest.mark.parametrize("name", ["normalize", "help", "cdr-one-row"])
def test_command(benchmark: Any, name: str, one_row: Path) -> None:
    argv, target = commands(one_row)[name]
    benchmark.group = f"startup-{name}"
    measure(benchmark, argv)
    # The bare interpreter again, right after, for the ratio in this test's own report.
    bare = min(timed([sys.executable, "-c", "pass"]) for _ in range(ROUNDS))
    best = benchmark.stats.stats.min
    verdict = "met" if best <= target else "NOT met"
    benchmark.extra_info.update(
        role="candidate",
        report=f"best {best * 1000:.0f} ms = {best / bare:.1f}x `python -c pass` ({bare * 1000:.0f} ms); "
        f"median {benchmark.stats.stats.median * 1000:.0f} ms; target at most {target * 1000:.0f} ms: {verdict}",
    )
