"""Staged output files: put in place whole, over an older file by a swap where the system has one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from normalizer.bulk import staging
from normalizer.bulk.staging import UNFINISHED_SUFFIX, StagedFile
from normalizer.errors import DialplanInputError

has_swap = pytest.mark.skipif(staging._renameat2() is None, reason="no renameat2 on this system")


def staged_with(target: Path, text: str) -> StagedFile:
    stage = StagedFile(target)
    stage.temporary.write_text(text, encoding="utf-8")
    return stage


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(UNFINISHED_SUFFIX))


def test_a_new_file_appears_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    staged_with(target, "a,b\n1,2\n").commit()
    assert target.read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert leftovers(tmp_path) == []


@has_swap
def test_an_older_file_is_swapped_out_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n" * 1000, encoding="utf-8")
    older = os.stat(target)
    stage = staged_with(target, "new\n")

    def no_plain_rename(*args: object) -> None:
        raise AssertionError("renamed onto the older file instead of swapping")

    monkeypatch.setattr(os, "replace", no_plain_rename)
    stage.commit()
    assert target.read_text(encoding="utf-8") == "new\n"
    assert os.stat(target).st_ino != older.st_ino
    assert leftovers(tmp_path) == []
    assert not stage.temporary.exists()


@has_swap
def test_a_reader_holding_the_older_file_keeps_reading_it(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    with open(target, encoding="utf-8") as reader:
        staged_with(target, "new\n").commit()
        assert reader.read() == "old\n"
    assert target.read_text(encoding="utf-8") == "new\n"


def test_without_the_swap_the_plain_rename_replaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staging, "_renameat2", lambda: None)
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    staged_with(target, "new\n").commit()
    assert target.read_text(encoding="utf-8") == "new\n"
    assert leftovers(tmp_path) == []


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


@has_swap
def test_a_folder_slipped_in_before_the_swap_is_swapped_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The target is checked, then replaced by a folder before the swap: the folder stays where it was."""
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    stage = staged_with(target, "new\n")
    checks = iter([True])
    real_check = staging._is_regular_file

    def checked_then_replaced(path: Path) -> bool:
        answer = next(checks, None)
        if answer is None:
            return real_check(path)
        target.unlink()
        target.mkdir()
        (target / "inside.txt").write_text("kept", encoding="utf-8")
        return answer

    monkeypatch.setattr(staging, "_is_regular_file", checked_then_replaced)
    with pytest.raises(DialplanInputError, match="cannot write"):
        stage.commit()
    assert (target / "inside.txt").read_text(encoding="utf-8") == "kept"
    assert leftovers(tmp_path) == []


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
