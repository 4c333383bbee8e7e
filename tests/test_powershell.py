"""The PowerShell reader (grammar and adapter) and writer: forms, errors, round trips."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings

from normalizer import Simulator, TenantFileError, tenant_from_powershell, tenant_to_powershell
from normalizer.errors import PatternError
from normalizer.formats import powershell
from normalizer.formats.powershell import parse_script, run_powershell
from normalizer.formats.powershell_writer import quote
from normalizer.models import Tenant
from tests.strategies import tenants

FIXTURES = Path(__file__).parent / "fixtures"
RULE = "New-CsVoiceNormalizationRule"


def semantics(script: str) -> Tenant:
    """What a script does, unvalidated: these scripts leave plans without rules on purpose."""
    return tenant_from_powershell(script, validate=False)


def rules_of(tenant: Tenant, identity: str) -> list[tuple[str, str, str, bool]]:
    plan = tenant.plan(identity)
    return [(r.name, r.pattern, r.translation, r.is_internal_extension) for r in plan.rules]


# Round trips ------------------------------------------------------------------


@settings(deadline=None)
@given(tenants())
def test_tenant_to_powershell_and_back_is_the_same_tenant(tenant: Tenant) -> None:
    assert tenant_from_powershell(tenant_to_powershell(tenant), name=tenant.name) == tenant


@settings(deadline=None, max_examples=50)
@given(tenants())
def test_written_script_is_safe_to_run_twice(tenant: Tenant) -> None:
    script = tenant_to_powershell(tenant)
    # The second run finds every plan the first one made: Set- instead of New-.
    assert tenant_from_powershell(script + script, name=tenant.name) == tenant


def test_writer_updates_global_and_creates_or_updates_other_plans(contoso: Tenant) -> None:
    script = tenant_to_powershell(contoso)
    assert (
        "if (Get-CsTenantDialPlan -Identity 'FR-Paris-Issy-39qdPR' -ErrorAction SilentlyContinue) {"
        in script
    )
    assert (
        "-Pattern '^(7\\d{3})$' -Translation '+3319999$1' -IsInternalExtension $true -InMemory"
        in script
    )
    assert "Grant-CsTenantDialPlan -Identity 'emily.braun@contoso.com' -PolicyName $null" in script
    with_global = semantics("Set-CsTenantDialPlan -Identity Global -Description g")
    assert "Set-CsTenantDialPlan -Identity 'Global'" in tenant_to_powershell(with_global)
    assert "New-CsTenantDialPlan -Identity 'Global'" not in tenant_to_powershell(with_global)


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("^(\\d+)$", "'^(\\d+)$'"),
        ("it's", "'it''s'"),
        pytest.param("it\u2019s", "'it\u2019\u2019s'", id="typographic-quote-doubled"),
        ('$1 `n "x"', "'$1 `n \"x\"'"),
    ],
)
def test_quote_keeps_every_character(value: str, quoted: str) -> None:
    assert quote(value) == quoted
    assert parse_script(f"$x = {quoted}").statements[0].value.elements[0].value == value  # type: ignore[union-attr]


# Forms the reader covers ------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "identity", "expected"),
    [
        pytest.param(
            f"$r = {RULE} -Identity 'Global/Ext' -Pattern '^(\\d{{4}})$' -Translation '+1425555$1' -InMemory\n"
            "Set-CsTenantDialPlan -Identity Global -NormalizationRules @{Add=$r}",
            "Global",
            [("Ext", "^(\\d{4})$", "+1425555$1", False)],
            id="identity-scope-slash-name",
        ),
        pytest.param(
            "$NR = @()\n"
            f"$NR += {RULE} -Parent Tag:P -Name A -Pattern '^1$' -Translation '+1' -InMemory -IsInternalExtension $true\n"
            f"$NR += {RULE} -Parent P -Name B -Pattern '^2$' -Translation '+2' -InMemory\n"
            "New-CsTenantDialPlan -Identity P -NormalizationRules @{Add=$NR}",
            "P",
            [("A", "^1$", "+1", True), ("B", "^2$", "+2", False)],
            id="generated-array-add",
        ),
        pytest.param(
            f"$a = {RULE} -Parent P -Name A -InMemory\n"
            "New-CsTenantDialPlan P -NormalizationRules $a",
            "P",
            [("A", "^(\\d{11})$", "+$1", False)],
            id="powershell-defaults-and-positional-identity",
        ),
        pytest.param(
            f"$a = {RULE} -Parent P -Name A -Pattern '^1$' -Translation '1' -InMemory\n"
            f"$b = {RULE} -Parent P -Name B -Pattern '^2$' -Translation '2' -InMemory\n"
            "New-CsTenantDialPlan -Identity P -NormalizationRules $b, $a",
            "P",
            [("B", "^2$", "2", False), ("A", "^1$", "1", False)],
            id="comma-list-keeps-order",
        ),
        pytest.param(
            f"$a = {RULE} -Parent P -Name A -Pattern '^1$' -Translation '1' -InMemory\n"
            f"$b = {RULE} -Parent P -Name B -Pattern '^2$' -Translation '2' -InMemory\n"
            "New-CsTenantDialPlan -Identity P -NormalizationRules @(\n  $a\n  $b\n)",
            "P",
            [("A", "^1$", "1", False), ("B", "^2$", "2", False)],
            id="array-expression-over-lines",
        ),
        pytest.param(
            f"$a = {RULE} -Parent P -Name A -Pattern '^1$' -Translation '1' -InMemory\n"
            f"$b = {RULE} -Parent P -Name B -Pattern '^2$' -Translation '2' -InMemory\n"
            f"$c = {RULE} -Parent P -Name C -Pattern '^3$' -Translation '3' -InMemory -Priority 0\n"
            "New-CsTenantDialPlan -Identity P -NormalizationRules @($a, $b)\n"
            "Set-CsTenantDialPlan -Identity P -NormalizationRules @{Add=$c}\n"
            "Set-CsTenantDialPlan -Identity P -NormalizationRules @{Remove=$a}",
            "P",
            [("C", "^3$", "3", False), ("B", "^2$", "2", False)],
            id="add-at-priority-then-remove",
        ),
        pytest.param(
            f"$a = {RULE} -Parent P -Name A -Pattern '^1$' -Translation '1' -InMemory\n"
            f"$b = {RULE} -Parent P -Name B -Pattern '^2$' -Translation '2' -InMemory\n"
            "New-CsTenantDialPlan -Identity P -NormalizationRules $a\n"
            "Set-CsTenantDialPlan -Identity P -NormalizationRules @{Replace=$b}",
            "P",
            [("B", "^2$", "2", False)],
            id="replace",
        ),
        pytest.param(
            f"$r = {RULE} -Parent P -Name ('A') -Pattern:'^1$' -Translation:\"+`$1\" -InMemory:$true "
            "-IsInternalExtension:$false\nNew-CsTenantDialPlan -Identity:P -NormalizationRules:$r",
            "P",
            [("A", "^1$", "+$1", False)],
            id="colon-parameters-and-escaped-dollar",
        ),
        pytest.param(
            "$r = new-csvoicenormalizationrule -PARENT P -name A -Pat '^1$' -Trans '+1' -inmem\n"
            "NEW-CSTENANTDIALPLAN -identity P -normalizationrules $r",
            "P",
            [("A", "^1$", "+1", False)],
            id="case-insensitive-and-abbreviated",
        ),
        pytest.param(
            f"$r = {RULE} `\n  \u2013Parent P `\n  -Name A <# inline #> `\n  -Pattern \u2018^1$\u2019 -Translation '+1' `\n  -InMemory # done\n"
            "New-CsTenantDialPlan -Identity P -NormalizationRules $r",
            "P",
            [("A", "^1$", "+1", False)],
            id="backticks-comments-typographic-dash-and-quotes",
        ),
        pytest.param(
            "$site = 'Paris'\n"
            f"$r = {RULE} -Parent P -Name \"FR-$site-Internal\" -Pattern @'\n^(7\\d{{3}})$\n'@ -Translation '+3319999$1' -InMemory\n"
            "$params = @{ Identity = 'P'; NormalizationRules = $r }\nNew-CsTenantDialPlan @params",
            "P",
            [("FR-Paris-Internal", "^(7\\d{3})$", "+3319999$1", False)],
            id="expansion-here-string-and-splatting",
        ),
        pytest.param(
            f"$r = {RULE} -Parent Global -Name A -Pattern '^1$' -Translation '+1' -InMemory\n"
            "Set-CsTenantDialPlan -Identity Global -NormalizationRules $r\n"
            "$NR = (Get-CsTenantDialPlan -Identity Global).NormalizationRules\n"
            f"$NR += {RULE} -Parent Global -Name B -Pattern '^2$' -Translation '+2' -InMemory\n"
            "Set-CsTenantDialPlan -Identity Global -NormalizationRules $NR",
            "Global",
            [("A", "^1$", "+1", False), ("B", "^2$", "+2", False)],
            id="extend-rules-read-back",
        ),
    ],
)
def test_forms(script: str, identity: str, expected: list[tuple[str, str, str, bool]]) -> None:
    assert rules_of(tenant_from_powershell(script), identity) == expected


def test_plan_settings_and_older_parameters() -> None:
    tenant = semantics(
        "New-CsTenantDialPlan -Identity P -Description 'first' -SimpleName 'P-simple' -ExternalAccessPrefix 9 "
        '-OptimizeDeviceDialing $true\nSet-CsTenantDialPlan -Identity P -Description "second `"quoted`""'
    )
    plan = tenant.plan("P")
    assert (
        plan.description,
        plan.simple_name,
        plan.external_access_prefix,
        plan.optimize_device_dialing,
    ) == (
        'second "quoted"',
        "P-simple",
        "9",
        True,
    )


def test_users_usage_locations_and_grants() -> None:
    tenant = semantics(
        "New-CsTenantDialPlan -Identity P\nNew-CsTenantDialPlan -Identity Q\n"
        "Set-MsolUser -UserPrincipalName a@x.com -UsageLocation fr -City Paris\n"
        "Update-MgUser -UserId 'b@x.com' -UsageLocation 'GB'\n"
        "Set-AzureADUser -ObjectId c@x.com -UsageLocation US\n"
        "Update-MgUser -UserId d@x.com -UsageLocation AU\n"
        "Grant-CsTenantDialPlan -Identity a@x.com -PolicyName Tag:P\n"
        "Grant-CsTenantDialPlan b@x.com P\n"
        "Grant-CsTenantDialPlan -Identity b@x.com -PolicyName $null\n"
        "Grant-CsTenantDialPlan -PolicyName Q -Global\n"
        "Grant-CsTenantDialPlan -Identity D@X.com -PolicyName P -WhatIf"
    )
    assert [(u.upn, u.usage_location, u.dial_plan) for u in tenant.users] == [
        ("a@x.com", "FR", "P"),
        ("b@x.com", "GB", "Q"),
        ("c@x.com", "US", "Q"),
        ("d@x.com", "AU", "Q"),
    ]


def test_silenced_errors_and_what_if_change_nothing() -> None:
    tenant, ignored = run_powershell(
        "New-CsTenantDialPlan -Identity P -Description one\n"
        "New-CsTenantDialPlan -Identity P -Description two -ErrorAction SilentlyContinue\n"
        "Set-CsTenantDialPlan -Identity Missing -Description x -ErrorAction Ignore\n"
        "Set-CsTenantDialPlan -Identity P -Description three -WhatIf\n"
        "Remove-CsTenantDialPlan -Identity Q -ErrorAction SilentlyContinue",
        validate=False,
    )
    assert [plan.description for plan in tenant.dial_plans] == ["one"]
    assert [(s.line, s.command) for s in ignored] == [
        (2, "New-CsTenantDialPlan"),
        (3, "Set-CsTenantDialPlan"),
        (4, "Set-CsTenantDialPlan"),
        (5, "Remove-CsTenantDialPlan"),
    ]
    assert "already exists (errors silenced)" in ignored[0].reason


def test_remove_plan_and_error_action_preference() -> None:
    tenant = semantics(
        "$ErrorActionPreference = 'SilentlyContinue'\nNew-CsTenantDialPlan -Identity P\n"
        "New-CsTenantDialPlan -Identity Q\nNew-CsTenantDialPlan -Identity P\nRemove-CsTenantDialPlan -Identity Tag:Q"
    )
    assert [plan.identity for plan in tenant.dial_plans] == ["P"]


def test_statements_that_touch_no_dial_plan_are_listed() -> None:
    _, ignored = run_powershell(
        "Import-Module MicrosoftTeams\n$cred = Get-Credential\nConnect-MicrosoftTeams -Credential $cred\n"
        "Get-CsOnlineUser -Filter x | Select-Object UserPrincipalName\n"
        'Write-Host "Done: $($NR.Count)"; Test-CsEffectiveTenantDialPlan -DialedNumber 123 -Identity a@x.com'
    )
    assert [str(s) for s in ignored] == [
        "line 1: Import-Module: not a dial plan statement",
        "line 2: Get-Credential: not a dial plan statement",
        "line 3: Connect-MicrosoftTeams: not a dial plan statement",
        "line 4: Get-CsOnlineUser | Select-Object: not a dial plan statement",
        "line 5: Write-Host: not a dial plan statement",
        "line 5: Test-CsEffectiveTenantDialPlan: not a dial plan statement",
    ]


# Unsupported syntax and mistakes: line, column and caret -----------------------

ERRORS = [
    pytest.param(
        "$users = Get-CsOnlineUser\nforeach ($u in $users) { Grant-CsTenantDialPlan -Identity $u -PolicyName P }",
        2,
        "$users)",
        "cannot be read safely: foreach runs over Get-CsOnlineUser (line 1)",
        id="loop-over-live-users",
    ),
    pytest.param(
        "Add-Plan\nfunction Add-Plan { New-CsTenantDialPlan P }",
        1,
        "Add",
        "called before the script defines it",
        id="function-before-definition",
    ),
    pytest.param(
        "New-CsTenantDialPlan -Identity P ` \n  -Description x",
        1,
        "`",
        "backtick",
        id="backtick-space",
    ),
    pytest.param("$x = @(\n  'a'", 2, "", "missing ')'", id="unclosed"),
    pytest.param("$x = 1 -bor 2", 1, "-bor", "unexpected '-bor'", id="operator"),
    pytest.param(
        "Invoke-Command { New-CsTenantDialPlan P }",
        1,
        "Invoke",
        "runs dial plan statements in a script block",
        id="dial-plan-in-a-script-block",
    ),
    pytest.param(
        f"$p = Read-Host 'Pattern'\n$r = {RULE} -Parent Global -Name A -Pattern $p -InMemory",
        2,
        "$p -In",
        "cannot be read safely: the value of Read-Host at line 1; answer it with --choice p=VALUE",
        id="pattern-from-a-prompt",
    ),
    pytest.param(
        "New-CsTenantDialPlan -Identity 'Japan Tenant Dialplan'",
        1,
        "'Japan",
        "is not one Teams takes",
        id="identity-with-spaces",
    ),
    pytest.param(
        "$p = @{ Add += 1 }", 1, "+=", "a hashtable entry takes '='", id="hashtable-plus-equals"
    ),
    pytest.param(
        "Get-CsOnlineUser | Grant-CsTenantDialPlan -PolicyName P",
        1,
        "Grant",
        "pipeline into Grant-CsTenantDialPlan",
        id="pipeline-into-grant",
    ),
    pytest.param(
        "New-CsTenantDialPlan -Identity P -Patern x",
        1,
        "-Patern",
        "-Patern is not one",
        id="unknown-parameter",
    ),
    pytest.param(
        "New-CsTenantDialPlan -Identity P -NormalizationRules $nr",
        1,
        "$nr",
        "$nr is not defined",
        id="undefined",
    ),
    pytest.param(
        f'$r = {RULE} -Parent P -Name A -Translation "+1425$1" -InMemory',
        1,
        '"+1425',
        "write patterns and translations in single quotes",
        id="dollar-in-double-quotes",
    ),
    pytest.param(
        f"$r = {RULE} -Parent P -Name A",
        1,
        "New-",
        "'P' does not exist (create it first)",
        id="server-rule-in-a-missing-plan",
    ),
    pytest.param(
        "Set-CsTenantDialPlan -Identity P -Description x",
        1,
        "Set",
        "'P' does not exist",
        id="set-missing",
    ),
    pytest.param(
        "New-CsTenantDialPlan P\nNew-CsTenantDialPlan P",
        2,
        "New",
        "'P' already exists",
        id="new-existing",
    ),
    pytest.param(
        "New-CsTenantDialPlan Global", 1, "New", "Global dial plan always exists", id="new-global"
    ),
    pytest.param(
        "Copy-CsVoiceNormalizationRule -Identity 'Global/R'",
        1,
        "Copy",
        "is not supported by the reader",
        id="unsupported-cmdlet",
    ),
    pytest.param(
        "Grant-CsTenantDialPlan -Group g@x.com -PolicyName P",
        1,
        "Grant",
        "-Group",
        id="group-grant",
    ),
    pytest.param(
        f"$r = {RULE} -Parent P -Name A -IsInternalExtension 'yes' -InMemory",
        1,
        "'yes'",
        "takes $true, $false",
        id="bool",
    ),
    pytest.param(
        "New-CsTenantDialPlan P -NormalizationRules 'R1'",
        1,
        "'R1'",
        "expects normalization rules",
        id="rules-as-text",
    ),
    pytest.param("$NR += 1", 1, "$NR", "not defined (start with $NR = @())", id="add-to-undefined"),
    pytest.param("if ($cred = 1) { }", 1, "=", "unexpected '='", id="assignment-in-condition"),
]


@pytest.mark.parametrize(("script", "line", "marker", "fragment"), ERRORS)
def test_errors_give_line_column_and_caret(
    script: str, line: int, marker: str, fragment: str
) -> None:
    """The caret stands under `marker` in line `line` (an empty marker: after the line's end)."""
    text = script.splitlines()[line - 1]
    column = text.index(marker) + 1 if marker else len(text) + 1
    with pytest.raises(TenantFileError) as caught:
        tenant_from_powershell(script, source="t.ps1")
    message = str(caught.value)
    first, shown, caret = message.split("\n")
    assert first.startswith(f"t.ps1: line {line}, column {column}: "), message
    assert fragment in first, message
    assert shown == "    " + text
    assert caret == " " * (4 + column - 1) + "^", message
    assert (caught.value.line, caught.value.column) == (line, column)


def test_a_bad_pattern_points_at_it_and_names_plan_rule_and_field() -> None:
    script = f"$r = {RULE} -Parent P -Name Broken -Pattern '^(\\d+$' -InMemory"
    with pytest.raises(PatternError) as caught:
        tenant_from_powershell(script, source="t.ps1")
    error = caught.value
    assert (error.file, error.plan, error.rule, error.field) == ("t.ps1", "P", "Broken", "pattern")
    column = script.index("'^(") + 1
    assert str(error).startswith(
        f"t.ps1: plan 'P' rule 'Broken': field 'pattern': line 1, column {column}: "
    )
    assert str(error).endswith(" " * (4 + column - 1) + "^")
    assert (error.line, error.column) == (1, column)


# -Priority: the place of an added rule --------------------------------------

A_AND_B = (
    f"$a = {RULE} -Parent P -Name A -Pattern '^1$' -Translation '1' -InMemory\n"
    f"$b = {RULE} -Parent P -Name B -Pattern '^2$' -Translation '2' -InMemory\n"
    "New-CsTenantDialPlan -Identity P -NormalizationRules @($a, $b)\n"
)


@pytest.mark.parametrize(
    ("priority", "expected"),
    [
        pytest.param("0", ["C", "A", "B"], id="first"),
        pytest.param("1", ["A", "C", "B"], id="middle"),
        pytest.param("2", ["A", "B", "C"], id="equal-to-the-rule-count-is-last"),
    ],
)
def test_an_added_rule_goes_to_its_priority(priority: str, expected: list[str]) -> None:
    script = (
        A_AND_B
        + f"$c = {RULE} -Parent P -Name C -Pattern '^3$' -Translation '3' -InMemory -Priority {priority}\n"
        + "Set-CsTenantDialPlan -Identity P -NormalizationRules @{Add=$c}"
    )
    assert [name for name, *_ in rules_of(tenant_from_powershell(script), "P")] == expected


@pytest.mark.parametrize(
    ("priority", "count", "places"),
    [
        pytest.param("99", 2, "0 to 2", id="beyond-the-rules"),
        pytest.param("3", 2, "0 to 2", id="one-past-the-last-place"),
        pytest.param("-1", 2, "0 to 2", id="negative"),
    ],
)
def test_a_priority_the_plan_has_no_place_for_is_an_error_at_the_priority(
    priority: str, count: int, places: str
) -> None:
    rule_line = f"$c = {RULE} -Parent P -Name C -Pattern '^3$' -Translation '3' -InMemory -Priority {priority}"
    script = A_AND_B + rule_line + "\nSet-CsTenantDialPlan -Identity P -NormalizationRules @{Add=$c}"
    with pytest.raises(TenantFileError) as caught:
        tenant_from_powershell(script, source="t.ps1")
    error = caught.value
    column = rule_line.index(f"-Priority {priority}") + len("-Priority ") + 1
    assert (error.line, error.column) == (4, column)
    assert (error.file, error.plan, error.rule, error.field) == ("t.ps1", "P", "C", "priority")
    first = str(error).splitlines()[0]
    assert f"line 4, column {column}: rule 'C' has -Priority {priority}" in first
    assert f"has {count} rules when Set-CsTenantDialPlan at line 5 adds it" in first
    assert f"must be {places}" in first


def test_a_priority_counts_the_rules_added_before_it_in_the_same_statement() -> None:
    script = (
        f"$x = {RULE} -Parent P -Name X -Pattern '^1$' -Translation '1' -InMemory -Priority 0\n"
        f"$y = {RULE} -Parent P -Name Y -Pattern '^2$' -Translation '2' -InMemory -Priority 1\n"
        "New-CsTenantDialPlan -Identity P -NormalizationRules @{Add=@($x, $y)}"
    )
    assert [name for name, *_ in rules_of(tenant_from_powershell(script), "P")] == ["X", "Y"]
    with pytest.raises(TenantFileError, match="has 0 rules when New-CsTenantDialPlan .* must be 0 "):
        tenant_from_powershell(script.replace("@($x, $y)", "@($y, $x)"))


def test_a_silenced_priority_error_changes_no_rule_of_the_statement() -> None:
    script = (
        A_AND_B
        + f"$c = {RULE} -Parent P -Name C -Pattern '^3$' -Translation '3' -InMemory -Priority 7\n"
        + "Set-CsTenantDialPlan -Identity P -NormalizationRules @{Remove=$a; Add=$c} -ErrorAction SilentlyContinue"
    )
    tenant, ignored = run_powershell(script)
    assert [rule.name for rule in tenant.plan("P").rules] == ["A", "B"]
    assert [(s.line, s.command) for s in ignored] == [(5, "Set-CsTenantDialPlan")]
    assert "has -Priority 7" in ignored[0].reason and ignored[0].reason.endswith("(errors silenced)")


def test_long_lines_are_cut_around_the_caret() -> None:
    script = "New-CsTenantDialPlan -Identity P -Description '" + "x" * 300 + "' [bad]"
    with pytest.raises(TenantFileError) as caught:
        tenant_from_powershell(script)
    _, shown, caret = str(caught.value).split("\n")
    assert len(shown) < 120 and shown[caret.index("^")] == "["


# The grammar file and its transformer -----------------------------------------


def test_grammar_is_package_data_with_one_transformer_method_per_rule() -> None:
    grammar = (
        resources.files("normalizer.formats")
        .joinpath("powershell.lark")
        .read_text(encoding="utf-8")
    )
    rules = set(re.findall(r"^\??([a-z][a-z_]*):", grammar, flags=re.MULTILINE))
    rules |= set(re.findall(r"->\s*([a-z_]+)", grammar))
    # `?` rules stand for their one child: their tree nodes are their named alternatives.
    rules -= set(re.findall(r"^\?([a-z][a-z_]*):", grammar, flags=re.MULTILINE))
    methods = {name for name in vars(powershell._Nodes) if not name.startswith("_")}
    assert rules == methods


# Real-world shaped scripts ----------------------------------------------------


def test_generated_script_imports_and_normalizes() -> None:
    tenant, ignored = powershell.import_powershell(FIXTURES / "generated_sydney.ps1")
    assert tenant.name == "generated_sydney"
    assert [rule.name for rule in tenant.plan("AU-NSW-Sydney").rules] == [
        "AU-Sydney-Internal",
        "AU-02-Local",
        "AU-TollFree",
        "AU-Mobile",
        "AU-International",
    ]
    assert {s.command for s in ignored} == {
        "Write-Host",
        "Connect-MicrosoftTeams",
        "Set-CsTenantDialPlan",
    }
    simulator = Simulator(tenant)
    cases = {
        "4123": ("+61288804123", "AU-Sydney-Internal", "extension"),
        "9876 5432": ("+61298765432", "AU-02-Local", "domestic"),
        "1800123456": ("+611800123456", "AU-TollFree", "domestic"),
        "0412 345 678": ("+61412345678", "AU-Mobile", "domestic"),
        "0011 33 1 42 68 53 00": ("+33142685300", "AU-International", "international"),
    }
    for dialed, (number, rule, call_type) in cases.items():
        result = simulator.normalize(dialed, usage_location="AU", dial_plan="AU-NSW-Sydney")
        assert result.matching_rule is not None
        assert (
            result.translated_number,
            result.matching_rule.rule.name,
            str(result.call_type),
        ) == (
            number,
            rule,
            call_type,
        ), dialed


def test_hand_written_script_imports_and_normalizes() -> None:
    tenant, ignored = powershell.import_powershell(FIXTURES / "handwritten_contoso.ps1")
    paris = tenant.plan("FR-Paris-Issy")
    assert [rule.name for rule in paris.rules] == ["FR-Internal", "FR-TollFree", "FR-Service"]
    assert paris.description == 'Paris "Issy" office\t(France)'
    assert paris.rules[0].description.startswith(
        "Internal number (x7000 \u2013 x7999), 39 quai du Pr\u00e9sident"
    )
    assert (paris.external_access_prefix, paris.optimize_device_dialing) == ("0", True)
    assert [(s.line, s.command) for s in ignored] == [
        (7, "Connect-MicrosoftTeams"),
        (39, "Write-Host"),
    ]
    simulator = Simulator(tenant)
    marcel = simulator.normalize("7123", user="marcel.beauchamp@contoso.com")
    assert (marcel.translated_number, str(marcel.call_type)) == ("+33199997123", "extension")
    assert (
        simulator.normalize("0800123456", user="marcel.beauchamp@contoso.com").translated_number
        == "+33800123456"
    )
    emily = simulator.normalize("9", user="emily.braun@contoso.com")
    assert emily.matching_rule is not None and emily.matching_rule.dial_plan == "Global"
    assert emily.translated_number == "+442079460000"
    # Marcel's own plan replaces Global: 9 is not the switchboard for him.
    assert (
        simulator.normalize("9", user="marcel.beauchamp@contoso.com").translated_number
        != "+442079460000"
    )


@pytest.mark.parametrize(
    ("condition", "taken"),
    [
        ("Get-CsTenantDialPlan -Identity P -ErrorAction SilentlyContinue", "then"),
        ("Get-CsTenantDialPlan -Identity Q", "else"),
        ("(Get-CsTenantDialPlan -Identity Q) -eq $null", "then"),
        ("$null -ne (Get-CsTenantDialPlan -Identity Tag:P)", "then"),
        ("-not (Get-CsTenantDialPlan -Identity P)", "else"),
        ("!(Get-CsTenantDialPlan -Identity Q)", "then"),
        ("(Get-CsTenantDialPlan -Identity 'p*').Count -eq 1", "then"),
        ("(Get-CsTenantDialPlan -Identity P).Description -eq 'FIRST'", "then"),
        ("(Get-CsTenantDialPlan -Identity P).Description -ceq 'FIRST'", "else"),
        ("(Get-CsTenantDialPlan -Identity Global).NormalizationRules", "else"),
        ("$false", "else"),
        ("@()", "else"),
        ("''", "else"),
        ("'0'", "then"),
    ],
)
def test_conditions(condition: str, taken: str) -> None:
    script = (
        "New-CsTenantDialPlan -Identity P -Description first\n"
        f"if ({condition}) {{\n  Set-CsTenantDialPlan -Identity P -Description then\n}}\n"
        "# a comment between the block and else\n"
        "else\n{ Set-CsTenantDialPlan -Identity P -Description else }"
    )
    assert semantics(script).plan("P").description == taken


def test_elseif_chain_runs_the_first_true_branch_only() -> None:
    tenant, ignored = run_powershell(
        "$site = 'Lyon'\n"
        "if ($site -eq 'Paris') { New-CsTenantDialPlan -Identity FR-Paris }\n"
        "elseif ($site -eq 'lyon') { New-CsTenantDialPlan -Identity FR-Lyon }\n"
        "else { New-CsTenantDialPlan -Identity FR-Other }",
        validate=False,
    )
    assert [plan.identity for plan in tenant.dial_plans] == ["FR-Lyon"]
    assert [(s.line, s.command) for s in ignored] == [
        (2, "New-CsTenantDialPlan"),
        (4, "New-CsTenantDialPlan"),
    ]
