"""Imports that must never succeed having lost something: the real `dialplan import` (its `main`).

A rule added through a plan object's rules, a Direct Routing number's
extension: each is kept, or the import stops with an error naming the line.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from normalizer.cli import main

RULE = "New-CsVoiceNormalizationRule -Parent Global -Name '{0}' -Pattern '^{1}(\\d{{4}})$' -Translation '+3319999$1' -InMemory"
START = (
    f"$a = {RULE.format('A', 1)}\n"
    f"$b = {RULE.format('B', 2)}\n"
    "New-CsTenantDialPlan -Identity P1 -NormalizationRules @($a, $b)\n"
    "$dp = Get-CsTenantDialPlan -Identity P1\n"
)
SAVE = "Set-CsTenantDialPlan -Identity P1 -NormalizationRules $dp.NormalizationRules\n"


def imported(tmp_path: Path, script: str) -> dict[str, Any]:
    path = tmp_path / "t.ps1"
    path.write_text(script, encoding="utf-8")
    out = tmp_path / "t.toml"
    assert main(["import", str(path), "-o", str(out)]) == 0
    return tomllib.loads(out.read_text(encoding="utf-8"))


def rule_names(tenant: dict[str, Any]) -> list[str]:
    return [rule["name"] for rule in tenant["dial_plans"][0]["rules"]]


@pytest.mark.parametrize(
    ("change", "names"),
    [
        pytest.param(f"$dp.NormalizationRules.Add(({RULE.format('C', 3)}))", ["A", "B", "C"], id="add"),
        pytest.param(f"$dp.NormalizationRules.Insert(0, ({RULE.format('C', 3)}))", ["C", "A", "B"], id="insert-first"),
        pytest.param(f"$dp.NormalizationRules.Insert(2, ({RULE.format('C', 3)}))", ["A", "B", "C"], id="insert-last"),
        pytest.param("$dp.NormalizationRules.RemoveAt(0)", ["B"], id="remove-at"),
        pytest.param("[void]$dp.NormalizationRules.Remove($dp.NormalizationRules[1])", ["A"], id="remove"),
        pytest.param(f"$dp.NormalizationRules.Clear()\n$dp.NormalizationRules.Add(({RULE.format('C', 3)}))", ["C"], id="clear"),
        pytest.param(f"$c = {RULE.format('C', 3)}\n$dp.NormalizationRules.AddRange(@($c))", ["A", "B", "C"], id="add-range"),
    ],
)
def test_rules_changed_through_the_plan_object_are_imported(tmp_path: Path, change: str, names: list[str]) -> None:
    assert rule_names(imported(tmp_path, START + change + "\n" + SAVE)) == names


def test_the_plan_object_is_a_copy_until_it_is_saved(tmp_path: Path) -> None:
    script = START + f"$dp.NormalizationRules.Add(({RULE.format('C', 3)}))\n"
    assert rule_names(imported(tmp_path, script)) == ["A", "B"]


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        pytest.param(
            f"$rules = $dp.NormalizationRules\n$rules.Add(({RULE.format('C', 3)}))",
            "line 6, column 1: cannot follow this change of dial plan rules: $rules.Add() changes a list of rules in place",
            id="second-name",
        ),
        pytest.param(
            f"$dp.NormalizationRules.Insert(5, ({RULE.format('C', 3)}))",
            "line 5, column 1: cannot follow this change of dial plan rules: .Insert(5) is past the end of a list of 2",
            id="past-the-end",
        ),
        pytest.param(
            "$dp.NormalizationRules.Add((Read-Host 'rule?'))",
            "line 5, column 1: cannot follow this change of dial plan rules: $dp.NormalizationRules.Add() takes Read-Host",
            id="unknown-rule",
        ),
        pytest.param(
            "$dp.NormalizationRules.Add('not a rule')",
            "puts something other than normalization rules in the plan's rules",
            id="not-a-rule",
        ),
    ],
)
def test_a_change_of_rules_the_reader_cannot_follow_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str, detail: str
) -> None:
    path = tmp_path / "t.ps1"
    path.write_text(START + change + "\n" + SAVE, encoding="utf-8")
    assert main(["import", str(path), "-o", str(tmp_path / "t.toml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dialplan: error: {path}: ")
    assert detail in err.splitlines()[0]
    assert not (tmp_path / "t.toml").exists()


def test_a_list_that_holds_no_rules_changed_in_place_becomes_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # PowerShell's @() is fixed-size (.Add fails there) but an ArrayList is not: the
    # reader cannot tell them apart, so a plan named from such a list is refused.
    script = "$names = [System.Collections.ArrayList]@('P1')\n$names.Add('P2')\nforeach ($n in $names) { New-CsTenantDialPlan -Identity $n }\n"
    path = tmp_path / "t.ps1"
    path.write_text(script, encoding="utf-8")
    assert main(["import", str(path), "-o", str(tmp_path / "t.toml")]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "$names.Add()" in err


# Phone numbers ---------------------------------------------------------------------

PLAN = f"New-CsTenantDialPlan -Identity P1 -NormalizationRules @({RULE.format('A', 1)})\n"


def users_script(*numbers: str) -> str:
    lines = [PLAN]
    for index, number in enumerate(numbers):
        upn = f"u{index}@t.com"
        lines.append(f"Set-MsolUser -UserPrincipalName {upn} -UsageLocation FR\n")
        lines.append(f'Set-CsPhoneNumberAssignment -Identity {upn} -PhoneNumber "{number}" -PhoneNumberType DirectRouting\n')
    return "".join(lines)


def test_direct_routing_numbers_keep_their_extension_in_a_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = users_script("+33199990001;ext=12", "+33199990001;EXT=13", "33199990002")
    path = tmp_path / "t.ps1"
    path.write_text(script, encoding="utf-8")
    out = tmp_path / "t.toml"
    assert main(["import", str(path), "-o", str(out), "--verbose"]) == 0
    users = tomllib.loads(out.read_text(encoding="utf-8"))["users"]
    assert [user["phone_number"] for user in users] == ["+33199990001;ext=12", "+33199990001;ext=13", "+33199990002"]
    assert "-PhoneNumber '33199990002' read as '+33199990002'" in capsys.readouterr().err
    # Written back as a script, each number is assigned as Direct Routing and reads the same.
    script_out = tmp_path / "again.ps1"
    assert main(["export", "--tenant", str(out), "--format", "powershell", "-o", str(script_out)]) == 0
    assert '-PhoneNumber \'+33199990001;ext=12\' -PhoneNumberType DirectRouting' in script_out.read_text(encoding="utf-8-sig")
    assert main(["import", str(script_out), "-o", str(tmp_path / "again.toml")]) == 0
    again = tomllib.loads((tmp_path / "again.toml").read_text(encoding="utf-8"))["users"]
    assert [user["phone_number"] for user in again] == [user["phone_number"] for user in users]


@pytest.mark.parametrize(
    ("numbers", "detail"),
    [
        pytest.param(("+44 20 7946 0000",), "line 3, column 61: -PhoneNumber '+44 20 7946 0000' is not a phone number Teams assigns", id="not-a-number"),
        pytest.param(("+33199990001;ext=",), "line 3, column 61: -PhoneNumber '+33199990001;ext=' is not a phone number", id="empty-extension"),
        pytest.param(
            ("+33199990001;ext=12", "33199990001;ext=12"),
            "line 5, column 1: phone number '+33199990001;ext=12' has already been assigned to another user, 'u0@t.com'",
            id="taken",
        ),
    ],
)
def test_a_phone_number_a_script_cannot_assign_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], numbers: tuple[str, ...], detail: str
) -> None:
    path = tmp_path / "t.ps1"
    path.write_text(users_script(*numbers), encoding="utf-8")
    assert main(["import", str(path), "-o", str(tmp_path / "t.toml")]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith(f"dialplan: error: {path}: {detail}"), first


def teams_users(*line_uris: str) -> str:
    users = [
        {"UserPrincipalName": f"u{index}@t.com", "UsageLocation": "US", "LineUri": uri, "CallingPlan": "domestic-3000"}
        for index, uri in enumerate(line_uris)
    ]
    return json.dumps(users)


def test_teams_json_keeps_line_uri_extensions_and_a_call_between_them_is_internal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.json"
    path.write_text(teams_users("tel:+14255551234;ext=1001", "tel:+14255551234;ext=1002"), encoding="utf-8")
    out = tmp_path / "t.toml"
    assert main(["import", str(path), "-o", str(out)]) == 0
    users = tomllib.loads(out.read_text(encoding="utf-8"))["users"]
    assert [user["phone_number"] for user in users] == ["+14255551234;ext=1001", "+14255551234;ext=1002"]
    capsys.readouterr()
    assert main(["normalize", "+14255551234;ext=1002", "--user", "u0@t.com", "--tenant", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calling_plan"]["billing_category"] == "internal"
    # Another extension of the same number is no user's: the call leaves the tenant.
    assert main(["normalize", "+14255551234;ext=1003", "--user", "u0@t.com", "--tenant", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calling_plan"]["billing_category"] == "domestic"


def test_a_number_two_users_hold_is_an_error_on_import_and_in_lint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.json"
    path.write_text(teams_users("tel:+14255551234;ext=1001", "tel:+14255551234;EXT=1001"), encoding="utf-8")
    assert main(["import", str(path), "-o", str(tmp_path / "t.toml")]) == 2
    err = capsys.readouterr().err
    assert "users[1]: user 'u1@t.com' has phone number '+14255551234;ext=1001', which users[0] 'u0@t.com' holds already" in err
    assert main(["lint", "--tenant", str(path)]) == 1
    assert "error [duplicate-phone-number]" in capsys.readouterr().out


def test_a_line_uri_that_is_no_number_is_an_error_naming_the_user(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.json"
    path.write_text(teams_users("tel:+1 425 555"), encoding="utf-8")
    assert main(["import", str(path), "-o", str(tmp_path / "t.toml")]) == 2
    assert "field 'LineUri': user 'u0@t.com': LineUri '+1 425 555' is not a phone number" in capsys.readouterr().err
