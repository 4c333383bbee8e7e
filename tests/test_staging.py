"""Staged output files: put in place whole, over an older file too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from normalizer.bulk.staging import UNFINISHED_SUFFIX, StagedFile
from normalizer.errors import DialplanInputError


def staged_with(target: Path, text: str) -> StagedFile:
    stage = StagedFile(target)
    stage.temporary.write_text(text, encoding="utf-8")
    return stage


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(UNFINISHED_SUFFIX))


def test_an_older_file_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n" * 1000, encoding="utf-8")
    staged_with(target, "new\n").commit()
    assert target.read_text(encoding="utf-8") == "new\n"
    assert leftovers(tmp_path) == []


def test_a_new_file_appears_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    staged_with(target, "a,b\n1,2\n").commit()
    assert target.read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert leftovers(tmp_path) == []


def test_a_reader_holding_the_older_file_keeps_reading_it(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    with open(target, encoding="utf-8") as reader:
        staged_with(target, "new\n").commit()
        assert reader.read() == "old\n"
    assert target.read_text(encoding="utf-8") == "new\n"


def test_a_folder_of_the_targets_name_is_refused_and_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.mkdir()
    (target / "inside.txt").write_text("kept", encoding="utf-8")
    stage = staged_with(target, "new\n")
    with pytest.raises(DialplanInputError, match="cannot write"):
        stage.commit()
    assert (target / "inside.txt").read_text(encoding="utf-8") == "kept"
    assert leftovers(tmp_path) == []


def test_a_symbolic_link_is_replaced_and_what_it_points_to_kept(tmp_path: Path) -> None:
    pointed = tmp_path / "elsewhere.csv"
    pointed.write_text("theirs\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    target.symlink_to(pointed)
    staged_with(target, "new\n").commit()
    assert not target.is_symlink()
    assert target.read_text(encoding="utf-8") == "new\n"
    assert pointed.read_text(encoding="utf-8") == "theirs\n"


def test_a_job_run_again_into_its_own_output_leaves_one_file(tmp_path: Path) -> None:
    calls = tmp_path / "calls.csv"
    calls.write_text("caller_upn,dialed\nmarcel.beauchamp@contoso.com,7123\nmarcel.beauchamp@contoso.com,0145678900\n",
                     encoding="utf-8")
    output = tmp_path / "out.csv"
    argv = [sys.executable, "-c", "import sys; from normalizer.cli import entry_point; sys.argv[0] = 'dialplan'; entry_point()",
            "cdr", str(calls), "-o", str(output), "--dialed-column", "dialed", "--user-column", "caller_upn"]
    subprocess.run(argv, check=True, capture_output=True, cwd=Path(__file__).parent.parent)
    first = output.read_bytes()
    calls.write_text("caller_upn,dialed\nmarcel.beauchamp@contoso.com,7123\n", encoding="utf-8")
    subprocess.run(argv, check=True, capture_output=True, cwd=Path(__file__).parent.parent)
    second = output.read_bytes()
    assert second != first and second.count(b"\n") == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["calls.csv", "out.csv"]
