"""Benchmarks report ratios: each group holds a `baseline` and a `candidate`
measured in the same run; the summary prints the ratio of their means and of
their best rounds (other processes on the machine only ever add time, so the
best round is the least disturbed reading)."""

from __future__ import annotations

from typing import Any

import pytest


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    session = getattr(config, "_benchmarksession", None)
    if session is None or not session.benchmarks:
        return
    by_group: dict[str, dict[str, Any]] = {}
    for bench in session.benchmarks:
        role = bench.extra_info.get("role")
        if role:
            by_group.setdefault(bench.group or bench.name, {})[role] = bench
    lines = []
    for group, roles in sorted(by_group.items()):
        if "baseline" in roles and "candidate" in roles:
            baseline, candidate = roles["baseline"].stats.mean, roles["candidate"].stats.mean
            best = roles["baseline"].stats.min / roles["candidate"].stats.min
            extra = roles["candidate"].extra_info.get("items")
            rate = f", {extra / candidate:,.0f} items/s" if extra else ""
            lines.append(
                f"{group}: candidate is {baseline / candidate:.1f}x the baseline on means, "
                f"{best:.1f}x on best rounds{rate}"
            )
        for role in ("baseline", "candidate"):
            report = roles[role].extra_info.get("report") if role in roles else None
            if report:
                lines.append(f"{group}: {role} {roles[role].name}: {report}")
    for bench in session.benchmarks:
        info = bench.extra_info
        if info.get("role") == "measure" and info.get("report"):
            lines.append(f"{bench.group or bench.name}: {info['report']}")
        if "peak_rss_mb" in info:
            lines.append(
                f"{bench.name}: {info['items']:,} rows in {info['seconds']:.2f} s = "
                f"{info['rows_per_second']:,.0f} rows/s, {info['cpu_seconds']:.2f} CPU s "
                f"({info['items'] / info['cpu_seconds']:,.0f} rows per CPU s), "
                f"peak RSS {info['peak_rss_mb']:,.0f} MB"
            )
    if lines:
        terminalreporter.section("benchmark ratios")
        for line in lines:
            terminalreporter.write_line(line)
