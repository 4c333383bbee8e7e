"""Regression suites: loading with located errors, running, JUnit, coverage and recording."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from xml.etree import ElementTree

import pytest

from normalizer import Simulator, load_tenant
from normalizer.cli import main
from normalizer.data import rules_dir
from normalizer.quality.suites import (
    ExpectKey,
    load_suite,
    rule_coverage,
    run_suite,
    suite_from_document,
)

EXAMPLE = rules_dir() / "examples" / "contoso-tests.toml"
MARCEL = "marcel.beauchamp@contoso.com"
EMILY = "emily.braun@contoso.com"


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    return path


def test_example_suite_passes_and_exercises_every_rule() -> None:
    suite = load_suite(EXAMPLE)
    assert suite.tenant == EXAMPLE.parent / "contoso.toml"
    simulator = Simulator(load_tenant(suite.tenant))
    result = run_suite(suite, simulator=simulator)
    assert result.failed == 0 and result.passed == len(suite.cases) >= 15
    assert rule_coverage(simulator, result.cases).unexercised == ()


def test_example_suite_cli_exit_0_with_total_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    count = len(load_suite(EXAMPLE).cases)
    assert last_line(out) == f"{count} passed, 0 failed"
    assert "PASS  [0] internal extension: 7123 for marcel.beauchamp@contoso.com -> +33199997123" in out
    assert "FAIL" not in out


FAILING = f"""
[suite]
name = "London"

[[cases]]
dialed_number = "0123456789"
user = "{EMILY}"
expect.translated_number = "+44123456789"
expect.matching_rule = "GB Long Distance"

[[cases]]
name = "wrong on purpose"
dialed_number = "7123"
user = "{MARCEL}"
expect.translated_number = "+33199990000"
expect.call_type = "domestic"

[[cases]]
dialed_number = "7123"
user = "{EMILY}"
expect.translated_number = ""
"""


def test_failing_suite_exit_1_with_expected_and_actual(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = write(tmp_path / "london-tests.toml", FAILING)
    junit = tmp_path / "report.xml"
    assert main(["test", str(suite), "--junit", str(junit)]) == 1
    out = capsys.readouterr().out
    assert last_line(out) == "2 passed, 1 failed"
    assert "FAIL  [1] wrong on purpose: 7123 for marcel.beauchamp@contoso.com" in out
    assert "translated_number: expected '+33199990000', got '+33199997123'" in out
    assert "call_type: expected 'domestic', got 'extension'" in out

    root = ElementTree.parse(junit).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "0")
    (testsuite,) = root.findall("testsuite")
    assert testsuite.get("name") == "London" and testsuite.get("failures") == "1"
    cases = testsuite.findall("testcase")
    assert [case.get("name") for case in cases] == [
        "0123456789 for emily.braun@contoso.com",
        "wrong on purpose",
        "7123 for emily.braun@contoso.com",
    ]
    assert [case.find("failure") is not None for case in cases] == [False, True, False]
    failure = cases[1].find("failure")
    assert failure is not None
    assert "translated_number: expected '+33199990000', got '+33199997123'" in (failure.get("message") or "")


def test_passing_suite_junit_has_no_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junit = tmp_path / "report.xml"
    assert main(["test", str(EXAMPLE), "--junit", str(junit)]) == 0
    root = ElementTree.parse(junit).getroot()
    assert root.get("failures") == "0"
    assert root.get("tests") == str(len(load_suite(EXAMPLE).cases))
    assert all(case.find("failure") is None for case in root.iter("testcase"))


def test_junit_is_well_formed_with_control_characters_in_the_suite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = write(
        tmp_path / "ctl-tests.toml",
        # The dial string holds no control character: no phone sends one, so it is refused.
        '[[cases]]\nname = "bell \\u0007 <&>"\ndialed_number = "7123"\n'
        f'user = "{MARCEL}"\nexpect.translated_number = "x\\u0002"\n',
    )
    junit = tmp_path / "report.xml"
    assert main(["test", str(suite), "--junit", str(junit)]) == 1
    case = ElementTree.parse(junit).getroot().find("testsuite/testcase")
    assert case is not None and case.get("name") == "bell \\x07 <&>"
    failure = case.find("failure")
    assert failure is not None and "expected 'x\\x02'" in (failure.get("message") or "")
    assert "7123 for" in (failure.text or "")


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite = write(tmp_path / "london-tests.toml", FAILING)
    assert main(["test", str(suite), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["passed"], data["failed"]) == (2, 1)
    failed = data["suites"][0]["cases"][1]
    assert failed["passed"] is False
    assert failed["mismatches"][0] == {
        "key": "translated_number",
        "expected": "+33199990000",
        "actual": "+33199997123",
    }
    assert failed["actual"]["matching_rule"] == "FR-39qdPR-Internal"
    unexercised = {(u["dial_plan"], u["rule"]) for u in data["coverage"][0]["unexercised"]}
    assert ("FR-Paris-Issy-39qdPR", "FR-Service") in unexercised
    assert ("FR-Paris-Issy-39qdPR", "FR-39qdPR-Internal") not in unexercised


def test_coverage_names_the_rules_no_case_exercised(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    suite = write(
        tmp_path / "one-tests.toml",
        f'[[cases]]\ndialed_number = "7123"\nuser = "{MARCEL}"\nexpect.call_type = "extension"\n',
    )
    assert main(["test", str(suite)]) == 0
    out = capsys.readouterr().out
    assert "1 of 3 tenant rules, 0 of 3 service rules exercised" in out
    assert "not exercised in tenant plan FR-Paris-Issy-39qdPR: FR-TollFree (rules[1]), FR-Service (rules[2])" in out
    assert "not exercised in service plan FR: FR Intl Dialing (rules[0])" in out


def test_empty_expectation_means_no_rule_matches() -> None:
    document = {
        "cases": [
            {"dialed_number": "7123", "user": EMILY, "expect": {"translated_number": "", "matching_rule": ""}},
            {"dialed_number": "7123", "user": MARCEL, "expect": {"translated_number": ""}},
        ]
    }
    result = run_suite(suite_from_document(document, "s.toml"))
    assert [case.passed for case in result.cases] == [True, False]
    assert result.cases[1].mismatches[0].describe() == (
        "translated_number: expected no rule matches, got '+33199997123'"
    )


def test_tenant_scope_only_tests_the_tenant_rules_alone() -> None:
    case = {"dialed_number": "0145678900", "user": MARCEL, "expect": {"translated_number": "", "final_number": "+33145678900"}}
    scoped = run_suite(suite_from_document({"cases": [{**case, "tenant_scope_only": True}]}, "s.toml"))
    full = run_suite(suite_from_document({"cases": [case]}, "s.toml"))
    assert scoped.cases[0].passed
    assert [m.key for m in full.cases[0].mismatches] == [ExpectKey.TRANSLATED_NUMBER]


def test_tenant_option_overrides_the_suite_tenant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (EXAMPLE.parent / "contoso.toml").read_text(encoding="utf-8")
    changed = write(tmp_path / "changed.toml", text.replace("'+3319999$1'", "'+3319998$1'"))
    assert main(["test", str(EXAMPLE), "--tenant", str(changed)]) == 1
    out = capsys.readouterr().out
    assert "translated_number: expected '+33199997123', got '+33199987123'" in out
    assert last_line(out) == f"{len(load_suite(EXAMPLE).cases) - 3} passed, 3 failed"


CASE = f'dialed_number = "7123"\nuser = "{MARCEL}"\nexpect.call_type = "extension"\n'


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param(
            f'[[cases]]\n{CASE}\n[[cases]]\ndialed_number = 7123\nuser = "{MARCEL}"\nexpect.call_type = "extension"\n',
            "cases[1]: field 'dialed_number': must be a string, not int (quote it: \"7123\")",
            id="number-not-quoted",
        ),
        pytest.param(
            f"[[cases]]\n{CASE}expect.translated = \"+1\"\n",
            "cases[0]: field 'expect.translated': unknown key (known: translated_number, final_number, matching_rule, call_type)",
            id="unknown-expect-key",
        ),
        pytest.param(
            f'[[cases]]\ndialed_number = "7123"\nuser = "{MARCEL}"\nexpect.call_type = "ext"\n',
            "cases[0]: field 'expect.call_type': unknown call type 'ext'",
            id="unknown-call-type",
        ),
        pytest.param(
            f'[[cases]]\n{CASE}usage_location = "FR"\n',
            "cases[0]: field 'usage_location': give either 'user' or 'usage_location'",
            id="user-and-location",
        ),
        pytest.param(
            '[[cases]]\ndialed_number = "7123"\nexpect.call_type = "extension"\n',
            "cases[0]: field 'user': missing who dials",
            id="nobody-dials",
        ),
        pytest.param(
            f'[[cases]]\ndialed_number = "7123"\nuser = "{MARCEL}"\n',
            "cases[0]: field 'expect': missing required key 'expect'",
            id="no-expectation",
        ),
        pytest.param(
            f"[[cases]]\n{CASE}dialled = \"1\"\n",
            "cases[0]: field 'dialled': unknown key",
            id="unknown-case-key",
        ),
        pytest.param('[suite]\nname = "empty"\n', "field 'cases': a suite needs at least one [[cases]] entry", id="no-cases"),
        pytest.param('[suite]\nnme = "x"\n', "field 'suite.nme': unknown key", id="unknown-suite-key"),
        pytest.param("[[cases]\n", "not valid TOML", id="bad-toml"),
        pytest.param(
            '[[cases]]\ndialed_number = "1"\nuser = "nobody@contoso.com"\nexpect.call_type = "unknown"\n',
            "cases[0]: field 'user': user 'nobody@contoso.com' does not exist in tenant 'Contoso'",
            id="unknown-user",
        ),
        pytest.param(
            '[[cases]]\ndialed_number = "1"\nusage_location = "FR"\ndial_plan = "Nope"\nexpect.call_type = "unknown"\n',
            "cases[0]: field 'dial_plan': tenant dial plan 'Nope' does not exist",
            id="unknown-plan",
        ),
        pytest.param(
            f'[suite]\ntenant = "missing.toml"\n[[cases]]\n{CASE}',
            "field 'suite.tenant': tenant file",
            id="missing-tenant-file",
        ),
        pytest.param(
            "\udcff\udcfe[[cases]]\n", "not valid UTF-8", id="not-utf-8"
        ),
    ],
)
def test_malformed_suite_exit_2_naming_file_case_and_key(
    text: str, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = write(tmp_path / "bad-tests.toml", text)
    assert main(["test", str(suite)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"dialplan: error: {suite}: ")
    assert fragment in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_record_freezes_todays_behaviour(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = tmp_path / "tenants" / "contoso.toml"
    tenant.parent.mkdir()
    tenant.write_text((rules_dir() / "examples" / "contoso.toml").read_text(encoding="utf-8"), encoding="utf-8")
    dial_strings = write(tmp_path / "dialed.txt", "# Paris\n0800123456\n\n3949  # service\n")
    out = tmp_path / "suites" / "paris-tests.toml"
    out.parent.mkdir()
    argv = ["test", "--record", str(out), "--tenant", str(tenant), "--user", MARCEL, "7123"]
    assert main([*argv, "--from", str(dial_strings)]) == 0
    assert capsys.readouterr().out.strip() == f"recorded 3 cases to {out}"

    document = tomllib.loads(out.read_text(encoding="utf-8"))
    assert document["suite"]["tenant"] == "../tenants/contoso.toml"
    assert [case["dialed_number"] for case in document["cases"]] == ["7123", "0800123456", "3949"]
    assert document["cases"][0]["expect"] == {
        "translated_number": "+33199997123",
        "final_number": "+33199997123",
        "matching_rule": "FR-39qdPR-Internal",
        "call_type": "extension",
    }
    assert main(["test", str(out)]) == 0
    assert last_line(capsys.readouterr().out) == "3 passed, 0 failed"

    # A rule change that alters a frozen result now fails the suite.
    text = tenant.read_text(encoding="utf-8").replace("translation = '+33$1'", "translation = '+330$1'")
    tenant.write_text(text, encoding="utf-8")
    assert main(["test", str(out)]) == 1
    assert "translated_number: expected '+33800123456', got '+330800123456'" in capsys.readouterr().out


def test_record_from_a_file_keeps_a_hash_inside_a_dial_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dial_strings = write(tmp_path / "dialed.txt", "# feature codes\n*31#7123\n#31#\n3949  # service\n")
    out = tmp_path / "codes-tests.toml"
    assert main(["test", "--record", str(out), "--usage-location", "FR", "--from", str(dial_strings)]) == 0
    cases = tomllib.loads(out.read_text(encoding="utf-8"))["cases"]
    assert [case["dialed_number"] for case in cases] == ["*31#7123", "3949"]


def test_record_by_usage_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fr-tests.toml"
    argv = ["test", "--record", str(out), "--usage-location", "fr", "--dial-plan", "FR-Paris-Issy-39qdPR", "7000"]
    assert main(argv) == 0
    case = tomllib.loads(out.read_text(encoding="utf-8"))["cases"][0]
    assert (case["usage_location"], case["dial_plan"]) == ("FR", "FR-Paris-Issy-39qdPR")
    assert "tenant" not in tomllib.loads(out.read_text(encoding="utf-8"))["suite"]
    capsys.readouterr()
    assert main(["test", str(out)]) == 0


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        pytest.param(["test"], "give at least one SUITE file", id="no-suite"),
        pytest.param(["test", "--record", "out.toml", "7123"], "--record needs --user or --usage-location", id="record-nobody"),
        pytest.param(["test", "x-tests.toml", "--user", MARCEL], "--user needs --record", id="user-without-record"),
        pytest.param(["test", "--record", "out.toml", "--user", MARCEL], "nothing to record", id="record-nothing"),
    ],
)
def test_command_line_mistakes_exit_2(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert fragment in capsys.readouterr().err


def big_tenant(tmp_path: Path) -> Path:
    """A tenant whose plan has 26 rules: over the default limit of 25."""
    rules = "".join(
        f"[[dial_plans.rules]]\nname = \"R{i}\"\npattern = '^{i}(\\d+)$'\ntranslation = '+1$1'\n"
        for i in range(26)
    )
    return write(tmp_path / "big.toml", f'[[dial_plans]]\nidentity = "P"\n{rules}')


def test_max_rules_option_is_honoured_when_running_and_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = big_tenant(tmp_path)
    out = tmp_path / "big-tests.toml"
    record = ["test", "--record", str(out), "--tenant", str(tenant), "--location", "US", "--dial-plan", "P", "100"]
    assert main(record) == 2
    assert "more than the limit of 25" in capsys.readouterr().err
    assert main([*record, "--max-rules", "26"]) == 0
    capsys.readouterr()
    assert main(["test", str(out)]) == 2
    assert main(["test", str(out), "--max-rules", "26"]) == 0
    assert main(["test", str(out), "--tenant", str(tenant), "--max-rules", "26"]) == 0
    assert last_line(capsys.readouterr().out) == "1 passed, 0 failed"


def test_coverage_tells_a_tenant_plan_from_the_service_plan_of_the_same_name(tmp_path: Path) -> None:
    tenant = write(
        tmp_path / "fr.toml",
        '[[dial_plans]]\nidentity = "FR"\n'
        "[[dial_plans.rules]]\nname = \"X\"\npattern = '^(7\\d{3})$'\ntranslation = '+3319999$1'\n"
        '[[users]]\nupn = "a@b.c"\nusage_location = "FR"\ndial_plan = "FR"\n',
    )
    simulator = Simulator(load_tenant(tenant))
    document = {"cases": [{"dialed_number": "0033123456789", "user": "a@b.c", "expect": {"matching_rule": "FR Intl Dialing"}}]}
    result = run_suite(suite_from_document(document, "s.toml"), simulator=simulator)
    uses = {(use.scope.value, use.rule): use.uses for use in rule_coverage(simulator, result.cases).rules}
    assert uses[("tenant-user", "X")] == 0
    assert uses[("service", "FR Intl Dialing")] == 1


def test_a_suite_from_toml_text() -> None:
    from normalizer import SuiteError, suite_from_toml

    text = '[suite]\nname = "P"\n[[cases]]\ndialed_number = "7123"\nuser = "a@b.c"\nexpect.call_type = "extension"\n'
    suite = suite_from_toml(text, "p.toml")
    assert (suite.name, suite.cases[0].dialed_number, suite.cases[0].user) == ("P", "7123", "a@b.c")
    with pytest.raises(SuiteError, match=r"^p\.toml: not valid TOML"):
        suite_from_toml("[[cases]", "p.toml")
