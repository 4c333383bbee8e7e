"""Every `dialplan ...` line of README's console blocks runs as written, from the repository root.

Each command runs in order in one directory that holds the repository's
`examples/` (a copy), `rules/` and `tests/` (so files a command writes stay
out of the checkout); its exit code must be what README says (`# exits N` on the line; 2
when the output shown is an error; else 0), and its output must match what
README shows, `...` standing for any text.
"""

from __future__ import annotations

import doctest
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from normalizer.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


@dataclass(frozen=True)
class Command:
    line: int
    argv: list[str]
    shown: str
    exit_code: int


def readme_commands(text: str) -> list[Command]:
    """The `$ dialplan ...` lines of the console blocks, with the output shown under each."""
    commands: list[Command] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = re.match(r"^(\s*)```console\s*$", lines[index])
        index += 1
        if not opening:
            continue
        indent = len(opening.group(1))
        block: list[tuple[int, str]] = []
        while index < len(lines) and lines[index].strip() != "```":
            block.append((index + 1, lines[index][indent:]))
            index += 1
        position = 0
        while position < len(block):
            number, line = block[position]
            position += 1
            if not line.startswith("$ dialplan"):
                continue
            while line.endswith("\\") and position < len(block):
                line = line[:-1] + block[position][1].strip()
                position += 1
            words = shlex.split(line[2:], comments=True)
            comment = line.split(" #", 1)[1] if " #" in line else ""
            shown: list[str] = []
            while position < len(block) and not block[position][1].startswith("$ "):
                shown.append(block[position][1])
                position += 1
            while shown and not shown[-1].strip():
                shown.pop()
            output = "\n".join(shown)
            exits = re.search(r"\bexits (\d+)", comment)
            code = int(exits.group(1)) if exits else 2 if output.startswith("dialplan: error") else 0
            commands.append(Command(number, words[1:], output, code))
    return commands


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    # A copy of examples/, so that what a command writes next to its input stays out of the checkout.
    shutil.copytree(ROOT / "examples", folder / "examples")
    for name in ("rules", "tests"):
        (folder / name).symlink_to(ROOT / name, target_is_directory=True)
    return folder


def test_the_readme_has_commands_to_run() -> None:
    assert len(COMMANDS) >= 20
    used = {word for command in COMMANDS for word in command.argv if word.startswith("examples/")}
    assert used == {f"examples/{path.name}" for path in (ROOT / "examples").iterdir()}


@pytest.mark.parametrize("command", COMMANDS, ids=[f"README:{c.line}" for c in COMMANDS])
def test_readme_command(
    command: Command,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(workdir)
    code = main(command.argv)
    captured = capsys.readouterr()
    got = captured.out + captured.err
    assert code == command.exit_code, f"README:{command.line}: dialplan {shlex.join(command.argv)}\n{got}"
    if command.shown:
        checker = doctest.OutputChecker()
        assert checker.check_output(command.shown + "\n", got, doctest.ELLIPSIS), (
            f"README:{command.line}: dialplan {shlex.join(command.argv)}\n"
            f"--- README shows\n{command.shown}\n--- the command printed\n{got}"
        )
