"""`dialplan import` and `dialplan export`, and `--tenant` taking every format."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from normalizer import load_tenant, tenant_from_toml
from normalizer.cli import main
from normalizer.models import Tenant

FIXTURES = Path(__file__).parent / "fixtures"
MARCEL = "marcel.beauchamp@contoso.com"


def test_import_writes_a_tenant_file_and_lists_ignored_statements_with_verbose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tenant.toml"
    script = FIXTURES / "handwritten_contoso.ps1"
    assert (
        main(["import", str(script), "-o", str(out), "--name", "Contoso", "--max-rules", "50"]) == 0
    )
    err = capsys.readouterr().err
    assert (
        err
        == f"{script}: 2 dial plans, 4 rules, 2 users -> {out}; 2 statements passed over (--verbose lists them)\n"
    )
    tenant = tenant_from_toml(out.read_text(encoding="utf-8"))
    assert (tenant.name, tenant.max_rules) == ("Contoso", 50)
    assert tenant.dial_plans == load_tenant(script).dial_plans
    assert main(["import", str(script), "-o", str(out), "--verbose"]) == 0
    assert capsys.readouterr().err.splitlines()[1:] == [
        "  handwritten_contoso.ps1:7: Connect-MicrosoftTeams: not a dial plan statement",
        "  handwritten_contoso.ps1:39: Write-Host: not a dial plan statement",
    ]


def test_import_prints_toml_without_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(FIXTURES / "teams_dump.json")]) == 0
    captured = capsys.readouterr()
    assert tenant_from_toml(captured.out).plan("US-Seattle").rules[0].name == "US-206-Local"
    assert "statements" not in captured.err


@pytest.mark.parametrize(
    ("source", "output"),
    [
        pytest.param("script.ps1", "script.ps1", id="over-the-script"),
        pytest.param("script.ps1", "tenant.json", id="toml-under-a-json-name"),
        pytest.param("tenant.toml", "tenant.toml", id="over-a-toml-input"),
    ],
)
def test_import_never_writes_toml_over_its_input_or_under_another_format_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, output: str
) -> None:
    fixture = FIXTURES / "handwritten_contoso.ps1"
    text = fixture.read_text(encoding="utf-8")
    if source.endswith(".toml"):
        assert main(["import", str(fixture), "-o", str(tmp_path / source)]) == 0
        text = (tmp_path / source).read_text(encoding="utf-8") + "# kept by hand\n"
    (tmp_path / source).write_text(text, encoding="utf-8")
    capsys.readouterr()
    out = tmp_path / output
    assert main(["import", str(tmp_path / source), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dialplan: error: {out}: ") and err.count("\n") == 1
    assert (tmp_path / source).read_text(encoding="utf-8") == text
    assert out == tmp_path / source or not out.exists()


def test_import_syntax_error_shows_line_column_and_caret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "bad.ps1"
    script.write_text("Connect-MicrosoftTeams\nif ($u -bor 1) {\n}\n", encoding="utf-8")
    assert main(["import", str(script)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"dialplan: error: {script}: line 2, column 8: unexpected '-bor'",
        "    if ($u -bor 1) {",
        "           ^",
    ]


@pytest.mark.parametrize("fmt", ["powershell", "toml", "json"])
def test_export_to_stdout_reads_back(
    fmt: str, contoso: Tenant, contoso_script: Tenant, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--format", fmt]) == 0
    suffix = {"powershell": ".ps1", "toml": ".toml", "json": ".json"}[fmt]
    path = tmp_path / f"Contoso{suffix}"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    assert load_tenant(path) == (contoso_script if fmt == "powershell" else contoso)


def test_export_to_a_file_takes_the_format_from_its_name(tmp_path: Path, contoso_script: Tenant) -> None:
    script = tmp_path / "Contoso.ps1"
    assert main(["export", "-o", str(script)]) == 0
    # A byte order mark, so Windows PowerShell 5.1 reads "Président" as written.
    assert script.read_bytes().startswith(codecs.BOM_UTF8)
    assert load_tenant(script) == contoso_script
    dump = tmp_path / "out.json"
    assert main(["export", "--tenant", str(FIXTURES / "teams_dump.json"), "-o", str(dump)]) == 0
    assert [item["Identity"] for item in json.loads(dump.read_text(encoding="utf-8"))] == [
        "Global",
        "Tag:US-Seattle",
    ]


def test_export_refuses_a_name_of_another_format_and_its_own_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--format", "json", "-o", str(tmp_path / "tenant.ps1")]) == 2
    assert "the file name is for powershell, not --format json" in capsys.readouterr().err
    assert not (tmp_path / "tenant.ps1").exists()
    script = tmp_path / "script.ps1"
    text = (FIXTURES / "handwritten_contoso.ps1").read_text(encoding="utf-8")
    script.write_text(text, encoding="utf-8")
    assert main(["export", "--tenant", str(script), "-o", str(script)]) == 2
    assert "the output would overwrite the input" in capsys.readouterr().err
    assert script.read_text(encoding="utf-8") == text


def test_export_needs_a_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "-o", "tenant.txt"]) == 2
    assert "give --format powershell, toml or json" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (
            [
                "normalize",
                "7123",
                "--user",
                MARCEL,
                "--tenant",
                str(FIXTURES / "handwritten_contoso.ps1"),
            ],
            "+33199997123",
        ),
        (
            [
                "normalize",
                "6001",
                "--location",
                "US",
                "--dial-plan",
                "US-Seattle",
                "--tenant",
                str(FIXTURES / "teams_dump.json"),
            ],
            "+12065556001",
        ),
        (
            [
                "effective",
                "--location",
                "AU",
                "--dial-plan",
                "AU-NSW-Sydney",
                "--tenant",
                str(FIXTURES / "generated_sydney.ps1"),
            ],
            "AU-Sydney-Internal",
        ),
    ],
)
def test_every_command_takes_scripts_and_json_as_tenant(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    assert fragment in capsys.readouterr().out
