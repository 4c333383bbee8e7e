"""The `dialplan` command line."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from normalizer.cli import main

MARCEL = "marcel.beauchamp@contoso.com"


def test_normalize_human_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "7123", "--user", MARCEL]) == 0
    out = capsys.readouterr().out
    assert out.startswith("7123 -> +33199997123  (FR-39qdPR-Internal, tenant plan FR-Paris-Issy-39qdPR)")
    assert "[extension]" in out


def test_normalize_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "0800123456", "--user", MARCEL, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["translated_number"] == "+33800123456"
    assert data["matching_rule"]["name"] == "FR-TollFree"
    assert data["effective_dial_plan"] == "FR-Paris-Issy-39qdPR"
    assert data["call_type"] == "domestic"


def test_normalize_no_match_json_is_null(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "555", "--location", "DK", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["translated_number"] is None and data["matching_rule"] is None


def test_normalize_trace(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "3949", "--location", "FR", "--dial-plan", "FR-Paris-Issy-39qdPR", "--trace"]) == 0
    out = capsys.readouterr().out
    assert "pass 1: 3949" in out and "pass 2: 3949" in out and "MATCH FR-Service" in out


def test_effective_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["effective", "--user", MARCEL, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    first = data["rules"][0]
    assert first == {
        "name": "FR-39qdPR-Internal",
        "description": first["description"],
        "pattern": r"^(7\d{3})$",
        "translation": "+3319999$1",
        "is_internal_extension": True,
        "dial_plan": "FR-Paris-Issy-39qdPR",
        "scope": "tenant-user",
        "priority": 0,
    }
    assert data["rules"][-1]["scope"] == "service"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["normalize", "1", "--user", "nobody@contoso.com"], "user 'nobody@contoso.com' does not exist"),
        (["normalize", "1", "--location", "XX"], "unknown region 'XX'"),
        (["normalize", "1", "--location", "FR", "--dial-plan", "Nope"], "tenant dial plan 'Nope' does not exist"),
        (["normalize", "1", "--user", MARCEL, "--tenant", "missing.toml"], "missing.toml: no such file"),
        (["normalize", "", "--user", MARCEL], "argument DIALED: nothing to dial"),
        (["normalize", " (-) ", "--location", "FR"], "argument DIALED: nothing to dial"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("trace", [False, True], ids=["plain", "trace"])
def test_catastrophic_pattern_is_an_error_not_a_hang(write_tenant, capsys: pytest.CaptureFixture[str], trace: bool) -> None:  # type: ignore[no-untyped-def]
    path = write_tenant(
        """
[[dial_plans]]
identity = "P"
[[dial_plans.rules]]
name = "Slow"
pattern = '^(\\d|\\d)+\\1$'
translation = '+1'
"""
    )
    # A backreference: not regular, and no proven bound on its work (exponential in a
    # backtracking engine), so it is refused before it runs.
    argv = ["normalize", "1" * 60 + "x", "--location", "US", "--dial-plan", "P", "--tenant", str(path)]
    assert main(argv + ["--trace"] * trace) == 2
    err = capsys.readouterr().err
    assert "plan 'P' rule 'Slow': field 'pattern': the pattern cannot be proven to finish within the work budget" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("trace", [False, True], ids=["plain", "trace"])
def test_catastrophic_regular_pattern_gets_its_answer(write_tenant, capsys: pytest.CaptureFixture[str], trace: bool) -> None:  # type: ignore[no-untyped-def]
    path = write_tenant(
        """
[[dial_plans]]
identity = "P"
[[dial_plans.rules]]
name = "Slow"
pattern = '^(\\d|\\d)+$'
translation = '+1'
"""
    )
    argv = ["normalize", "1" * 60 + "x", "--location", "US", "--dial-plan", "P", "--tenant", str(path)]
    assert main(argv + ["--trace"] * trace) == 0
    assert "service dials +1" + "1" * 60 + "x" in capsys.readouterr().out


def test_broken_pattern_names_file_plan_rule_and_field(write_tenant, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    path = write_tenant(
        """
[[dial_plans]]
identity = "P"
[[dial_plans.rules]]
name = "Broken"
pattern = '^(\\d+$'
translation = '+$1'
"""
    )
    assert main(["normalize", "1", "--location", "FR", "--tenant", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: plan 'P' rule 'Broken' (rules[0]): field 'pattern'" in err


def test_service_plan_and_regions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["service-plan", "GB", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [rule["name"] for rule in data["rules"]] == ["GB Intl Dialing", "GB Extension Rule", "GB Long Distance"]
    assert main(["regions", "--json"]) == 0
    regions = json.loads(capsys.readouterr().out)
    assert len(regions) > 240
    assert {"region": "GB", "calling_code": 44, "international_prefix": "00", "national_prefix": "0"} in regions


TOO_MANY = "[tenant]\nname = 'T'\n" + "".join(
    f"""
[[dial_plans]]
identity = "P{plan}"
""" + "".join(
        f"""
[[dial_plans.rules]]
name = "R{i}"
pattern = '^(7{i:02d}\\d)$'
translation = '+3319999$1'
"""
        for i in range(26)
    )
    for plan in range(1)
) + """
[[users]]
upn = "u@t.com"
usage_location = "FR"
dial_plan = "P0"
"""


def test_lint_contoso_has_no_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 0
    out = capsys.readouterr().out
    assert "0 error(s), 3 warning(s)" in out
    assert main(["lint", "--strict"]) == 1


def test_lint_json_lists_findings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {item["code"] for item in data} == {"optional-first-token", "no-plus", "partial-overlap"}
    assert all({"severity", "code", "plan", "rule", "message", "witness"} <= set(item) for item in data)


def test_rule_limit_error_is_the_same_in_lint_and_normalize(write_tenant, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    path = write_tenant(TOO_MANY)
    assert main(["lint", "--tenant", str(path), "--json"]) == 1
    (error,) = [item for item in json.loads(capsys.readouterr().out) if item["severity"] == "error"]
    assert error["code"] == "too-many-rules" and error["plan"] == "P0"
    line = f"{path}: plan 'P0': field 'rules': {error['message']}"
    assert "has 26 rules, more than the limit of 25" in line
    for argv in (["normalize", "7001", "--user", "u@t.com"], ["effective", "--user", "u@t.com"]):
        assert main([*argv, "--tenant", str(path)]) == 2
        assert capsys.readouterr().err == f"dialplan: error: {line}\n"


def test_max_rules_option_reaches_loading(write_tenant, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    path = write_tenant(TOO_MANY)
    assert main(["lint", "--tenant", str(path), "--max-rules", "26"]) == 0
    assert main(["normalize", "7001", "--user", "u@t.com", "--tenant", str(path), "--max-rules", "26"]) == 0
    assert "+33199997001" in capsys.readouterr().out
    assert main(["lint", "--tenant", str(path), "--max-rules", "0"]) == 2
    assert "--max-rules: must be at least 1" in capsys.readouterr().err


def test_lint_warning_exit_codes(write_tenant, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    path = write_tenant(
        """
[[dial_plans]]
identity = "US-Desk"
[[dial_plans.rules]]
name = "Desk"
pattern = '^(\\d{3})$'
translation = '+14255550$1'

[[users]]
upn = "u@t.com"
usage_location = "US"
dial_plan = "US-Desk"
"""
    )
    assert main(["lint", "--tenant", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning [emergency-capture]" in out and "turns emergency number 911 of US into '+14255550911'" in out
    assert main(["lint", "--tenant", str(path), "--strict"]) == 1


def test_interrupt_exits_130_without_a_traceback(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from normalizer.commands import normalize

    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(normalize, "run", interrupted)
    assert main(["normalize", "7123", "--user", MARCEL]) == 130
    assert "Traceback" not in capsys.readouterr().err


SLOW_TENANT = """
[[dial_plans]]
identity = "Fast"
[[dial_plans.rules]]
name = "Desk"
pattern = '^(\\d{3})$'
translation = '+14255550$1'

[[dial_plans]]
identity = "Slow"
[[dial_plans.rules]]
name = "Explodes"
pattern = '^\\d*1\\d{16}$'
translation = '+$0'

[[users]]
upn = "u@t.com"
usage_location = "US"
dial_plan = "Fast"
"""


def test_lint_stops_a_plan_at_the_time_limit_and_reports_the_others(write_tenant) -> None:  # type: ignore[no-untyped-def]
    """The real command, in its own process: the exploding automaton would run for minutes."""
    path = write_tenant(SLOW_TENANT)
    command = [sys.executable, "-c", "from normalizer.cli import entry_point; entry_point()", "lint"]
    started = time.monotonic()
    done = subprocess.run(
        [*command, "--tenant", str(path), "--time-limit", "1"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 20
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    (stopped,) = [line for line in lines if "[analysis-time-limit]" in line]
    assert stopped.startswith(f"warning [analysis-time-limit] {path}: plan 'Slow' rule 'Explodes' (rules[0]): ")
    # A share of the limit, not all of it: the plan is linted again without that rule.
    assert "of the limit of 1 s and was stopped while building the automaton of its pattern" in stopped
    assert "(the plan's other rules are)" in stopped
    assert any("[emergency-capture]" in line and "plan 'Fast'" in line for line in lines)
    assert any("[optional-first-token]" in line and "plan 'Slow'" in line for line in lines)
    assert lines[-1] == f"{path}: 0 error(s), 5 warning(s)"
    strict = subprocess.run(
        [*command, "--tenant", str(path), "--time-limit", "1", "--strict", "--json"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert strict.returncode == 1
    codes = {(item["code"], item["plan"]) for item in json.loads(strict.stdout)}
    assert ("analysis-time-limit", "Slow") in codes and ("emergency-capture", "Fast") in codes


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf"])
def test_lint_time_limit_must_be_seconds(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", f"--time-limit={value}"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("dialplan lint: error: argument --time-limit: ")


def test_lint_time_limit_zero_means_no_limit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--time-limit", "0"]) == 0
    assert "0 error(s), 3 warning(s)" in capsys.readouterr().out


# A command that returns while a child process of its own still runs (the web
# service stopped by a second Ctrl-C during an isolated lint request, say).
_LEAVES_A_CHILD = """
import multiprocessing, sys, time
from normalizer import cli

def run() -> int:
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,), daemon=True)
    child.start()
    with open(sys.argv[1], "w", encoding="ascii") as out:
        out.write(str(child.pid))
    return 3

cli.main = lambda argv=None: run()
cli.entry_point()
"""


def _is_running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_console_script_leaves_no_child_process_running(tmp_path: Path) -> None:
    found = tmp_path / "pid"
    # No pipes: the child would hold them open.
    done = subprocess.run(
        [sys.executable, "-c", _LEAVES_A_CHILD, str(found)],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )
    assert done.returncode == 3
    child = int(found.read_text(encoding="ascii"))
    try:
        deadline = time.monotonic() + 10
        while _is_running(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _is_running(child)
    finally:
        if _is_running(child):
            import os
            import signal

            os.kill(child, signal.SIGKILL)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"dialplan {version('dialplan')}\n"


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["serve", "--port", "99999"], "argument --port: port must be 0 to 65535, not 99999"),
        (["normalize", "7123", "--location", "ZZ"], "argument --location: unknown region 'ZZ'"),
        (["normalize", "--location", "FR", "--", "-"], "argument DIALED: nothing to dial"),
        (
            ["cdr", "calls.csv", "--dialed-column", "d", "--location", "ZZ"],
            "argument --location: unknown region 'ZZ'",
        ),
    ],
    ids=["port", "location", "dialed", "cdr-location"],
)
def test_errors_name_the_command_line_option(
    argv: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dialplan: error: {option}")
    assert "field '" not in err
