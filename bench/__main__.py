"""Every speed figure of the project with its target, measured in one run: `python -m bench`.

    python -m bench [--rows 1000000] [--big-rows 5000000] [--requests 10000] [--skip cdr,billing,api]

Start-up (each command against `python -c pass`), the cold cost of one
distinct (plan, dial string) pair, the per-row work once pairs are known, the
CDR job against the naive per-row loop at two sizes with peak memory (and
the floor of any CSV-to-CSV job on the file: Arrow reading and writing it), the
same job with the Calling Plan replay against it without, and the
service's requests/s against a minimal FastAPI endpoint. Times are wall time
on the best of several rounds unless said (other work on the machine only ever
adds time; the replay's share is the median of paired rounds, see
bench/test_billing_bench.py), ratios come from the same run, and each line says whether its
target is met. The pytest-benchmark suites (`make bench`) hold the same
measurements with more detail.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from itertools import zip_longest
from pathlib import Path

from bench.cdr_data import tenant_toml, write_csv
from bench.test_api_bench import load, normalize_bodies
from bench.test_cdr_bench import run_measured
from tests.server import serving

PYTHON = sys.executable
DIALPLAN = str(Path(sys.executable).with_name("dialplan"))
MARCEL = "marcel.beauchamp@contoso.com"
FAST_RUNS = 3
"""Runs of `dialplan cdr` per size (the best wall counts)."""
COLUMNS = ["--dialed-column", "dialed", "--user-column", "caller_upn"]
# A user's interpreter writes bytecode caches; measure that steady state. The compiled metadata
# patterns go to a folder of the run's own (set in `main`), filled by its first commands as a
# user's is by their first run.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def line(figure: str, value: str, target: str, met: bool | None) -> None:
    verdict = "" if met is None else ("met" if met else "NOT met")
    print(f"{figure:<44} {value:<52} {target:<22} {verdict}", flush=True)


def best_wall(argv: Sequence[str], rounds: int) -> float:
    """The best wall time of `rounds` runs (after one to warm the caches)."""
    times = []
    for _ in range(rounds + 1):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENVIRONMENT)
        times.append(time.perf_counter() - started)
    return min(times[1:])


def startup(work: Path, rounds: int) -> None:
    one_row = work / "one-row.csv"
    one_row.write_text(f"caller_upn,dialed\n{MARCEL},7123\n", encoding="utf-8")
    commands = [
        ("dialplan normalize 7123 --user ...", [DIALPLAN, "normalize", "7123", "--user", MARCEL], 0.12),
        ("dialplan --help", [DIALPLAN, "--help"], 0.08),
        ("dialplan cdr (one-row CSV)", [DIALPLAN, "cdr", str(one_row), "-o", str(work / "one-row.out.csv"), *COLUMNS], 0.35),
    ]
    for name, argv, target in commands:
        bare = best_wall([PYTHON, "-c", "pass"], rounds)
        took = best_wall(argv, rounds)
        line(f"start-up: {name}", f"{took * 1000:.0f} ms = {took / bare:.1f}x python -c pass ({bare * 1000:.0f} ms)",
             f"<= {target * 1000:.0f} ms", took <= target)


def inside(what: str, calls: Path, tenant: Path, patterns: Path | None = None) -> dict[str, float]:
    environment = ENVIRONMENT if patterns is None else {**ENVIRONMENT, "DIALPLAN_CACHE_DIR": str(patterns)}
    done = subprocess.run([PYTHON, "-m", "bench.inside", what, str(calls), str(tenant)],
                          check=True, capture_output=True, text=True, env=environment)
    found: dict[str, float] = json.loads(done.stdout)
    return found


def per_pair_and_row(calls: Path, tenant: Path, work: Path) -> None:
    # The first process on a machine compiles every region's metadata patterns; later ones read
    # their programs from the pattern cache that first one wrote (normalizer/pattern_cache.py).
    patterns = work / "patterns-pairs"
    first = inside("pairs", calls, tenant, patterns)
    pairs = min((inside("pairs", calls, tenant, patterns) for _ in range(3)), key=lambda found: found["cold_us"])
    line("per distinct pair, cold (CPU, best of 3)", f"{pairs['cold_us']:.2f} us ({pairs['pairs']:,.0f} pairs; "
         f"{pairs['warm_us']:.2f} us warm)", "<= 7 us", pairs["cold_us"] <= 7)
    line("  the same, first run (empty pattern cache)", f"{first['cold_us']:.2f} us", "", None)
    rows = min((inside("rows", calls, tenant) for _ in range(3)), key=lambda found: found["lookup_s_per_million"])
    line("per row: pair lookup, per 1 M rows (CPU)", f"{rows['lookup_s_per_million']:.2f} s", "< 0.61 s before",
         rows["lookup_s_per_million"] < 0.61)
    line("per row: decode + CSV write, per 1 M rows (CPU)", f"{rows['write_s_per_million']:.2f} s", "< 0.60 s before",
         rows["write_s_per_million"] < 0.60)


def same_rows(one: Path, other: Path) -> bool:
    """True when two CSV files hold the same rows, read as CSV.

    Arrow quotes the header's names and ends lines with LF, the csv module
    quotes nothing it need not and ends lines with CRLF: the values must agree.
    """
    with one.open(newline="", encoding="utf-8") as first, other.open(newline="", encoding="utf-8") as second:
        return all(mine == theirs for mine, theirs in zip_longest(csv.reader(first), csv.reader(second)))


def fresh_run(job: list[str], output: Path) -> dict[str, float]:
    """One timed run of the job into an output file that does not exist yet, as the naive loop's.

    Renamed onto an older file, the output waits for ext4 to write it out first
    (its replace-by-rename safeguard: 70-100 ms for a 1 M-row output); the
    naive loop never pays that, so neither does the job it is compared with.
    """
    output.unlink(missing_ok=True)
    return run_measured(job, ENVIRONMENT, memory=False)


def cdr(work: Path, tenant: Path, rows: int, target: float, memory: bool) -> None:
    calls = work / f"calls-{rows}.csv"
    if not calls.exists():
        write_csv(calls, rows)
    naive = run_measured([PYTHON, "-m", "bench.naive_cdr", str(tenant), str(calls), str(work / "naive.csv"),
                          "dialed", "caller_upn"], ENVIRONMENT, memory=False)
    # The job takes a second or a few: the best of three runs (other work on the machine only
    # ever adds time). The naive loop runs once (half a minute and more: a busy moment is a small
    # part of it). Both are timed without the memory sampler, which takes CPU from them.
    job = [DIALPLAN, "cdr", str(calls), "-o", str(work / "fast.csv"), "--tenant", str(tenant), *COLUMNS]
    fast = min((fresh_run(job, work / "fast.csv") for _ in range(FAST_RUNS)), key=lambda run: run["seconds"])
    same = same_rows(work / "fast.csv", work / "naive.csv")
    ratio = naive["seconds"] / fast["seconds"]
    line(f"CDR CSV to CSV, {rows:,} rows, vs naive loop",
         f"{ratio:.1f}x wall ({fast['seconds']:.2f} s, best of {FAST_RUNS}, vs {naive['seconds']:.1f} s), "
         f"{naive['cpu_seconds'] / fast['cpu_seconds']:.1f}x CPU", f">= {target:.0f}x", ratio >= target)
    if not same:
        line("  outputs", "the naive and the fast job DIFFER", "identical", False)
    floor = run_measured([PYTHON, "-m", "bench.floor_cdr", str(calls), str(work / "floor.csv")], ENVIRONMENT, memory=False)
    line("  floor: Arrow read + write of the file alone",
         f"{naive['seconds'] / floor['seconds']:.1f}x wall ({floor['seconds']:.2f} s), "
         f"{naive['cpu_seconds'] / floor['cpu_seconds']:.1f}x CPU", "no job does better", None)
    if memory:  # one more run, sampled
        peak = run_measured(job, ENVIRONMENT)["peak_rss_mb"]
        line(f"CDR peak memory, {rows:,} rows", f"{peak:.0f} MB (process and helper)", "< 500 MB", peak < 500)
    for name in ("naive.csv", "fast.csv", "floor.csv"):
        (work / name).unlink(missing_ok=True)


def calling_plans(work: Path, rows: int) -> None:
    from bench.test_billing_bench import TARGET, describe, overhead, prepare

    billing = work / "billing"
    billing.mkdir(exist_ok=True)
    calls = work / f"calls-{rows}.csv"
    if calls.exists() and not (billing / "calls.csv").exists():
        (billing / "calls.csv").symlink_to(calls)
    prepare(billing, rows)
    found = overhead(billing)
    line(f"CDR with the Calling Plan replay, {rows:,} rows", describe(found),
         f"<= +{TARGET:.0%} (median wall)", found["added"] <= TARGET)


URL = re.compile(r"(http://127\.0\.0\.1:\d+/)")


def api(requests: int) -> None:
    bodies: list[bytes | None] = list(normalize_bodies(5_000))
    ours = [PYTHON, "-c", "from normalizer.cli import entry_point; entry_point()", "serve", "--port", "0"]
    minimal = [PYTHON, "-m", "bench.minimal_api"]
    with serving(ours, URL) as our_url, serving(minimal, URL) as minimal_url:
        best = {our_url: 0.0, minimal_url: 0.0}
        for url in (our_url, minimal_url):
            asyncio.run(load(url, "POST", "/v1/normalize", bodies, 1_000))  # warm
        for _ in range(3):  # alternate, so both meet the same machine
            for url in (our_url, minimal_url):
                result = asyncio.run(load(url, "POST", "/v1/normalize", bodies, requests))
                if result.failures:
                    raise RuntimeError(f"{url}: {result.failures} failed requests")
                best[url] = max(best[url], result.per_second)
    ratio = best[our_url] / best[minimal_url]
    line("API POST /v1/normalize vs minimal FastAPI", f"{ratio:.2f}x ({best[our_url]:,.0f} vs "
         f"{best[minimal_url]:,.0f} requests/s, best of 3)", ">= 0.8x", ratio >= 0.8)


def machine() -> str:
    model = ""
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load_average = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores "
            f"({model or platform.machine()}), load average {load_average:.2f} at the start")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the first CDR log (default 1,000,000)")
    parser.add_argument("--big-rows", type=int, default=5_000_000, help="rows of the second (default 5,000,000)")
    parser.add_argument("--requests", type=int, default=10_000, help="requests per API round (default 10,000)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds per start-up figure (default 7)")
    parser.add_argument("--skip", default="", help="comma-separated: startup, pairs, cdr, billing, big, api")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="dialplan-bench-") as directory:
        work = Path(directory)
        os.environ["DIALPLAN_CACHE_DIR"] = ENVIRONMENT["DIALPLAN_CACHE_DIR"] = str(work / "patterns")
        tenant = work / "tenant.toml"
        tenant.write_text(tenant_toml(), encoding="utf-8")
        if "startup" not in skip:
            startup(work, args.rounds)
        if "pairs" not in skip:
            calls = work / f"calls-{args.rows}.csv"
            write_csv(calls, args.rows)
            per_pair_and_row(calls, tenant, work)
        if "cdr" not in skip:
            cdr(work, tenant, args.rows, 25, memory=False)
        if "billing" not in skip:
            calling_plans(work, args.rows)
        if "big" not in skip:
            cdr(work, tenant, args.big_rows, 30, memory=True)
        if "api" not in skip:
            api(args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
