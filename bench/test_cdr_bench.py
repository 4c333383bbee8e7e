"""`dialplan cdr` end to end, CSV to CSV with classification, against the naive per-row loop.

Every run is a fresh subprocess (cold caches, real start-up), timed from
outside, with its CPU seconds; peak memory is the highest sum of RSS over the
process and its helper, sampled every 20 ms. Targets: >= 25x the naive job at
1 M rows and >= 30x at 5 M rows, < 500 MB peak for the 5 M-row file (`python -m
bench` reports both ratios). Sizes: CDR_BENCH_ROWS (1 M) and CDR_BENCH_BIG_ROWS (5 M).
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bench.cdr_data import tenant_toml, write_csv

ROWS = int(os.environ.get("CDR_BENCH_ROWS", "1000000"))
BIG_ROWS = int(os.environ.get("CDR_BENCH_BIG_ROWS", "5000000"))
DIALPLAN = [str(Path(sys.executable).with_name("dialplan"))]
COLUMNS = ["--dialed-column", "dialed", "--user-column", "caller_upn"]


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its children."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pids += [int(child) for child in handle.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run_measured(argv: list[str], env: dict[str, str] | None = None, *, memory: bool = True) -> dict[str, float]:
    """Run a command (in `env`, default this one's); its wall time and CPU seconds and, with
    `memory`, the peak RSS of its process tree (sampled every 20 ms by a thread of this
    process, which takes CPU from a job on a machine of few cores: time a job without it)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    _, stderr = process.communicate()
    done.set()
    if memory:
        sampler.join()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert process.returncode == 0, stderr.decode()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # CPU seconds (the process and its helper) tell more than wall time on a shared machine.
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": peak / 2**20}


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cdr")
    (path / "tenant.toml").write_text(tenant_toml(), encoding="utf-8")
    write_csv(path / "calls.csv", ROWS)
    return path


def candidate_argv(workdir: Path, source: str, target: str) -> list[str]:
    return [*DIALPLAN, "cdr", str(workdir / source), "-o", str(workdir / target),
            "--tenant", str(workdir / "tenant.toml"), *COLUMNS]


def naive_argv(workdir: Path, source: str, target: str) -> list[str]:
    return [sys.executable, "-m", "bench.naive_cdr", str(workdir / "tenant.toml"),
            str(workdir / source), str(workdir / target), "dialed", "caller_upn"]


def record(benchmark: Any, role: str, rows: int, argv: list[str], *, memory: bool = False) -> None:
    measured: dict[str, float] = {}

    def once() -> None:
        measured.update(run_measured(argv, memory=memory))

    benchmark.pedantic(once, rounds=1, iterations=1)
    benchmark.extra_info.update(role=role, items=rows, **measured, rows_per_second=rows / measured["seconds"])


def test_naive_and_candidate_agree(workdir: Path) -> None:
    """On the first 3,000 rows both jobs write the same rows."""
    with (workdir / "calls.csv").open() as source, (workdir / "sample.csv").open("w") as sample:
        for index, line in enumerate(source):
            if index > 3000:
                break
            sample.write(line)
    subprocess.run(candidate_argv(workdir, "sample.csv", "sample.fast.csv"), check=True, capture_output=True)
    subprocess.run(naive_argv(workdir, "sample.csv", "sample.naive.csv"), check=True, capture_output=True)
    with (workdir / "sample.fast.csv").open() as fast, (workdir / "sample.naive.csv").open() as naive:
        assert list(csv.reader(fast)) == list(csv.reader(naive))


@pytest.mark.benchmark(group="cdr-csv-end-to-end")
def test_naive_per_row_loop(benchmark: Any, workdir: Path) -> None:
    record(benchmark, "baseline", ROWS, naive_argv(workdir, "calls.csv", "naive.csv"))


@pytest.mark.benchmark(group="cdr-csv-end-to-end")
def test_dialplan_cdr(benchmark: Any, workdir: Path) -> None:
    record(benchmark, "candidate", ROWS, candidate_argv(workdir, "calls.csv", "out.csv"))
    if (workdir / "naive.csv").exists():  # the same rows as the naive job, every one
        with (workdir / "out.csv").open() as fast, (workdir / "naive.csv").open() as naive:
            for row, (mine, theirs) in enumerate(zip(csv.reader(fast), csv.reader(naive), strict=True)):
                assert mine == theirs, row


PROCESSES = """
import sys
from normalizer import Simulator, load_tenant
from normalizer.bulk.batch import CdrColumns
from normalizer.bulk.job import normalize_file
from normalizer.bulk.cdr_io import CdrFormat
work, processes = sys.argv[1], int(sys.argv[2])
with open(f"{work}/out-{processes}.csv", "wb") as sink:
    normalize_file(f"{work}/calls.csv", sink, Simulator(load_tenant(f"{work}/tenant.toml")),
                   CdrColumns("dialed", user="caller_upn"), source_format=CdrFormat.CSV,
                   sink_format=CdrFormat.CSV, processes=processes)
"""


@pytest.mark.benchmark(group="cdr-one-or-two-processes")
def test_one_process(benchmark: Any, workdir: Path) -> None:
    record(benchmark, "baseline", ROWS, [sys.executable, "-c", PROCESSES, str(workdir), "1"])


@pytest.mark.benchmark(group="cdr-one-or-two-processes")
def test_two_processes(benchmark: Any, workdir: Path) -> None:
    record(benchmark, "candidate", ROWS, [sys.executable, "-c", PROCESSES, str(workdir), "2"])


@pytest.mark.benchmark(group="cdr-big-file-memory")
def test_big_file_peak_memory(benchmark: Any, workdir: Path) -> None:
    write_csv(workdir / "big.csv", BIG_ROWS)
    try:
        record(benchmark, "measure", BIG_ROWS, candidate_argv(workdir, "big.csv", "big.out.csv"), memory=True)
    finally:
        for name in ("big.csv", "big.out.csv"):
            (workdir / name).unlink(missing_ok=True)
