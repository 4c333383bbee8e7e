"""Whole admin scripts, imported as they are: the corpus under tests/fixtures/scripts.

Each script sits next to the tenant it must produce (`NAME.toml`, or
`NAME.CASE.toml` for another `--choice`) and the lint findings expected for
that tenant (`.lint.tsv`). The scripts are written for this corpus in the
shapes admins use: a generated per-area script with a prompt, a carrier
onboarding module with functions, a Direct Routing set-up, a support
article's steps, a Skype for Business Server lab, a template that stops at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer import FindingCode, Simulator, lint, load_tenant
from normalizer.cli import main
from normalizer.errors import DialplanError, DialplanInputError, TenantFileError
from normalizer.formats.powershell import import_powershell, run_powershell

SCRIPTS = Path(__file__).parent / "fixtures" / "scripts"

CASES = [
    pytest.param("ucdialplans_nl", "ucdialplans_nl", {}, None, id="generated-default-choice"),
    pytest.param(
        "ucdialplans_nl",
        "ucdialplans_nl.global",
        {"DialPlanSelect": "0"},
        None,
        id="generated-choice-global",
    ),
    pytest.param("carrier_module_be", "carrier_module_be", {}, None, id="carrier-module"),
    pytest.param("direct_routing_de", "direct_routing_de", {}, "DE", id="direct-routing"),
    pytest.param("support_article_jp", "support_article_jp", {}, "JP", id="support-article"),
    pytest.param("sfb_lab_gb", "sfb_lab_gb", {}, None, id="server-lab"),
    pytest.param("guarded_stop", "guarded_stop", {}, None, id="stops-at-once"),
]


def expected_findings(name: str) -> list[tuple[str, ...]]:
    lines = (SCRIPTS / f"{name}.lint.tsv").read_text(encoding="utf-8").splitlines()
    return sorted(tuple(line.split("\t")) for line in lines if line and not line.startswith("#"))


@pytest.mark.parametrize(("script", "expected", "choices", "location"), CASES)
def test_script_imports_to_its_tenant_and_lints_as_written_down(
    script: str, expected: str, choices: dict[str, str], location: str | None
) -> None:
    tenant, _ = import_powershell(
        SCRIPTS / f"{script}.ps1", choices=choices, usage_location=location
    )
    wanted = load_tenant(SCRIPTS / f"{expected}.toml")
    assert (tenant.name, tenant.dial_plans, tenant.users) == (
        wanted.name,
        wanted.dial_plans,
        wanted.users,
    )
    found = sorted(
        (str(f.severity), str(f.code), f.plan or "", f.rule or "", f.region or "", f.witness or "")
        for f in lint(tenant)
    )
    assert found == expected_findings(expected)


def test_generated_script_imports_with_its_prompt_answered_both_ways(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = SCRIPTS / "ucdialplans_nl.ps1"
    user_plan, global_plan = tmp_path / "user.toml", tmp_path / "global.toml"
    assert main(["import", str(script), "-o", str(user_plan)]) == 0
    err = capsys.readouterr().err
    assert (
        "note: ucdialplans_nl.ps1:36: PromptForChoice: $DialPlanSelect = 1 (User): the prompt's "
        "default; --choice DialPlanSelect=<0=Global, 1=User, 2=Skip> picks another"
    ) in err
    assert main(["import", str(script), "--choice", "DialPlanSelect=Global", "-o", str(global_plan)]) == 0
    assert "$DialPlanSelect = 0 (Global): given by --choice DialPlanSelect=Global" in capsys.readouterr().err
    assert [plan.identity for plan in load_tenant(user_plan).dial_plans] == ["NL-Amsterdam"]
    assert [plan.identity for plan in load_tenant(global_plan).dial_plans] == ["Global"]
    # The same rules either way; a Global plan applies to every user of the tenant.
    assert load_tenant(user_plan).dial_plans[0].rules == load_tenant(global_plan).dial_plans[0].rules
    simulator = Simulator(load_tenant(global_plan))
    assert simulator.normalize("0612345678", usage_location="NL").translated_number == "+31612345678"


def test_dp_only_ends_the_script_at_its_exit() -> None:
    _, listed = run_powershell(
        (SCRIPTS / "ucdialplans_nl.ps1").read_text(encoding="utf-8"), choices={"DPOnly": "true"}
    )
    notes = [str(entry) for entry in listed if entry.note]
    assert "line 62: exit: exit ends the script: nothing after it is imported" in notes
    assert all(entry.line <= 62 or "script ends at line 62" in entry.reason for entry in listed)


def test_verbose_lists_every_statement_passed_over_and_the_summary_counts_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    script = SCRIPTS / "direct_routing_de.ps1"
    assert main(["import", str(script), "--usage-location", "DE", "--verbose"]) == 0
    err = capsys.readouterr().err.splitlines()
    listed = [line for line in err if line.startswith("  direct_routing_de.ps1:")]
    assert err[0].endswith(f"1 dial plan, 4 rules, 2 users; {len(listed)} statements passed over")
    assert listed == [
        "  direct_routing_de.ps1:7: Import-Module: not a dial plan statement",
        "  direct_routing_de.ps1:8: Connect-MicrosoftTeams | Out-Null: not a dial plan statement",
        "  direct_routing_de.ps1:19: Set-CsTenantDialPlan: not run: the if at line 18 took another branch",
        "  direct_routing_de.ps1:26: Get-CsOnlineUser: not a dial plan statement",
        "  direct_routing_de.ps1:28: Write-Host: not run: the if at line 27 took another branch",
        "  direct_routing_de.ps1:34: Write-Host: not a dial plan statement",
    ]
    notes = [line for line in err if line.startswith("  note:")]
    assert any("line 31, the one that changes dial plans" in line for line in notes)
    assert any("from --usage-location" in line for line in notes)


def test_a_grant_without_usage_location_imports_and_lint_names_the_user() -> None:
    tenant, listed = import_powershell(SCRIPTS / "direct_routing_de.ps1")
    assert {user.usage_location for user in tenant.users} == {""}
    assert any("has no usage location: the script sets none" in entry.reason for entry in listed)
    missing = [f for f in lint(tenant) if f.code == FindingCode.MISSING_USAGE_LOCATION]
    assert sorted(f.message.split(":")[0] for f in missing) == ["users[0]", "users[1]"]
    with pytest.raises(DialplanInputError, match="has no usage location"):
        Simulator(tenant).normalize("030123456", user="max.mustermann@contoso.com")


def test_one_argument_of_pieces_written_together() -> None:
    tenant, _ = run_powershell(
        "$P = 'DE'\n$N = 'Ext'\n"
        "$a = New-CsVoiceNormalizationRule -Identity $P'/Free' -Pattern '^(1\\d{3})$' -Translation '+4930$1' -InMemory\n"
        "$b = New-CsVoiceNormalizationRule -Identity $P/Ext -Pattern '^(2\\d{3})$' -Translation '+4930$1' -InMemory\n"
        "$c = New-CsVoiceNormalizationRule -Parent $P -Name $N-Two -Pattern '^(3\\d{3})$' -Translation '+4930$1' -InMemory\n"
        "New-CsTenantDialPlan -Identity $P -NormalizationRules $a, $b, $c"
    )
    assert [rule.name for rule in tenant.plan("DE").rules] == ["Free", "Ext", "Ext-Two"]


def test_unknown_choice_names_are_an_error() -> None:
    with pytest.raises(DialplanInputError, match="no prompt, Read-Host or parameter that sets \\$Site"):
        import_powershell(SCRIPTS / "ucdialplans_nl.ps1", choices={"Site": "Paris"})
    with pytest.raises(DialplanInputError, match="offers 0=Global, 1=User, 2=Skip"):
        import_powershell(SCRIPTS / "ucdialplans_nl.ps1", choices={"DialPlanSelect": "Both"})


def test_a_prompt_without_default_needs_a_choice() -> None:
    script = (
        "$c = [System.Management.Automation.Host.ChoiceDescription[]]('&A', '&B')\n"
        "$x = $Host.UI.PromptForChoice('t', 'm', $c, -1)\n"
        "if ($x -eq 1) { New-CsTenantDialPlan B } else { New-CsTenantDialPlan A }"
    )
    with pytest.raises(TenantFileError, match="no default choice: answer it with --choice x=VALUE"):
        run_powershell(script, validate=False)
    tenant, _ = run_powershell(script, validate=False, choices={"x": "B"})
    assert [plan.identity for plan in tenant.dial_plans] == ["B"]


def test_functions_loops_and_operators_are_evaluated() -> None:
    tenant, _ = run_powershell(
        "function Add-Rule([string]$Digit, $Offset = 0) {\n"
        "  $name = 'R' + ($Digit -as [int]) + $Offset\n"
        "  New-CsVoiceNormalizationRule -Parent P -Name (\"R{0}-{1}\" -f $Digit, $Offset) "
        "-Pattern ('^(' + $Digit + '\\d{3})$') -Translation '+1425555$1' -InMemory\n"
        "}\n"
        "$rules = foreach ($d in 7..8) { Add-Rule $d }\n"
        "$i = 0\n"
        "while ($i -lt 2) { $i++; if ($i -eq 2) { break } }\n"
        "switch ('b') { 'a' { $x = 1 } 'B' { $x = 2 } default { $x = 3 } }\n"
        "if ('x-y' -like 'X-*' -and $x -eq 2 -and $i -ge 2 -and 'ab' -match '^A') {\n"
        "  New-CsTenantDialPlan -Identity P -NormalizationRules $rules\n"
        "}"
    )
    assert [rule.name for rule in tenant.plan("P").rules] == ["R7-0", "R8-0"]


def test_a_loop_that_never_ends_is_an_error() -> None:
    with pytest.raises(TenantFileError, match="the loop ran 100,000 times"):
        run_powershell("while ($true) { $x = 1 }")


_WORDS = [
    "$a", "$b", "$NR", "=", "+=", "+", "-", "*", "/", "-eq", "-like", "-and", "-not", "!", ",", "..",
    "(", ")", "{", "}", "@(", "@{", "[", "]", "[int]", ";", "\n", "|", "2>$null", "'x'", '"$a-y"',
    "1", "0", "if", "else", "foreach", "in", "while", "function", "F", "return", "break", "exit",
    "New-CsTenantDialPlan", "Set-CsTenantDialPlan", "New-CsVoiceNormalizationRule", "-Identity",
    "-Parent", "-Name", "-Pattern", "'^(\\d{4})$'", "-InMemory", "Global", "P", "Write-Host",
    "Out-Null", "Read-Host", ".Count", ".Trim()", "$Host.UI.PromptForChoice('c','m',@('&A','&B'),0)",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=25).map(" ".join))
def test_any_token_soup_gives_a_tenant_or_a_located_error(text: str) -> None:
    """Junk never crashes the reader: it imports, or fails with one of our errors."""
    try:
        run_powershell(text, validate=False)
    except DialplanError:
        pass
