"""The set-up commands: what `make run` and `make test` install and run (`make -n`, nothing runs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def dry_run(tmp_path: Path, *arguments: str) -> list[str]:
    """The commands `make` would run with a fresh virtual environment under `tmp_path`."""
    completed = subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(ROOT), f"VENV={tmp_path / 'venv'}", *arguments],
        capture_output=True,
        # Run under `make test`, the outer make's flags and level must not leak in.
        env={k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}},
        text=True,
        check=True,
    )
    return completed.stdout.splitlines()


def test_make_run_installs_the_runtime_only(tmp_path: Path) -> None:
    lines = dry_run(tmp_path, "run")
    installs = [line for line in lines if "pip install" in line]
    assert installs[-1].endswith("pip install -e .")
    assert not any("dev" in line or "spark" in line or "report" in line for line in installs)
    # pip shows its progress: nothing is installed quietly.
    assert not any("--quiet" in line or " -q" in line for line in installs)
    assert lines[-1].endswith("dialplan serve --host 127.0.0.1 --port 8000")


def test_make_test_adds_the_dev_spark_and_report_extras(tmp_path: Path) -> None:
    lines = dry_run(tmp_path, "test")
    assert any(line.endswith('pip install -e ".[dev,spark,report]"') for line in lines)
    assert lines[-1].endswith("python -m pytest")


def test_make_run_port_and_host(tmp_path: Path) -> None:
    lines = dry_run(tmp_path, "run", "PORT=8080", "HOST=0.0.0.0")
    assert lines[-1].endswith("dialplan serve --host 0.0.0.0 --port 8080")


def test_skips_are_reported_with_their_reason() -> None:
    # `-rs`: a browser test skipped for a missing Chromium says so under `-q`.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "-rs" in config["tool"]["pytest"]["ini_options"]["addopts"].split()


def test_readme_opens_with_the_two_set_up_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 :][:2]
    assert block[0].startswith("make run ") and "Contoso" in block[0]
    assert block[1].startswith("make test ")


def test_readme_lists_every_dialplan_variable_in_one_table() -> None:
    import re
    from dataclasses import fields

    from api.settings import PREFIX, Settings

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(DIALPLAN_[A-Z_]+)` \|", text, flags=re.MULTILINE)
    assert sorted(rows) == sorted(PREFIX + field.name.upper() for field in fields(Settings))
    at = [i for i, line in enumerate(text.splitlines()) if line.startswith("| `DIALPLAN_")]
    assert at == list(range(at[0], at[0] + len(rows))), "the variables are one table"
