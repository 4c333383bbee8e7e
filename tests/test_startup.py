"""Start-up: each command imports only what it uses (`dialplan normalize` runs in loops)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

MARCEL = "marcel.beauchamp@contoso.com"

# Modules that `dialplan normalize` and `dialplan --help` must never load: the
# quality tools and their automata, the process isolation, the PowerShell
# parser, the bulk path and its Arrow, and the web layer.
NEVER_ON_THE_NORMALIZE_PATH = (
    "normalizer.quality",
    "normalizer.bulk",
    "normalizer.dotnet.language",
    "normalizer.dotnet.witness",
    "normalizer.formats.powershell",
    "interegular",
    "lark",
    "pyarrow",
    "numpy",
    "multiprocessing",
    "api",
    "fastapi",
)


def modules_loaded_by(argv: list[str]) -> tuple[int, list[str], str]:
    """Run `dialplan ARGV` in a fresh interpreter; its exit code, loaded modules and output."""
    code = (
        "import sys, json, io, contextlib\n"
        "from normalizer.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    status = main({argv!r})\n"
        "print(json.dumps([status, sorted(sys.modules), out.getvalue()]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    status, modules, output = json.loads(done.stdout)
    return status, modules, output


def forbidden_in(modules: list[str]) -> list[str]:
    return [
        name
        for name in modules
        if any(name == banned or name.startswith(banned + ".") for banned in NEVER_ON_THE_NORMALIZE_PATH)
    ]


def test_normalize_loads_no_module_it_does_not_use() -> None:
    status, modules, output = modules_loaded_by(["normalize", "7123", "--user", MARCEL])
    assert status == 0
    assert output.startswith("7123 -> +33199997123")
    assert forbidden_in(modules) == []


@pytest.mark.parametrize("argv", [["--help"], ["normalize", "--help"]], ids=["help", "normalize-help"])
def test_help_loads_no_command_implementation(argv: list[str]) -> None:
    status, modules, output = modules_loaded_by(argv)
    assert status == 0
    assert "usage: dialplan" in output
    assert forbidden_in(modules) == []
    # Not even the engine: help needs only the options.
    assert not {"normalizer.engine", "normalizer.simulation", "regex", "phonenumbers"} & set(modules)


def test_help_lists_every_command_with_its_help_line() -> None:
    from normalizer.cli import build_parser

    full = build_parser().format_help()
    _, _, listed = modules_loaded_by(["--help"])
    assert listed == full


def test_a_command_gets_its_own_options_only_when_named() -> None:
    status, _, output = modules_loaded_by(["lint", "--help"])
    assert status == 0 and "--time-limit" in output


def test_cdr_loads_no_pandas_and_no_quality_tools(tmp_path: Path) -> None:
    source = tmp_path / "calls.csv"
    source.write_text(f"caller,dialed\n{MARCEL},7123\n", encoding="utf-8")
    argv = ["cdr", str(source), "-o", str(tmp_path / "out.csv"), "--dialed-column", "dialed",
            "--user-column", "caller"]
    status, modules, _ = modules_loaded_by(argv)
    assert status == 0
    assert "+33199997123" in (tmp_path / "out.csv").read_text(encoding="utf-8")
    banned = ("pandas", "normalizer.quality", "interegular", "lark", "api")
    assert [m for m in modules if m.split(".")[0] in banned or m.startswith(banned)] == []
