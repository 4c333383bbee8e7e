"""The on-disk cache of compiled metadata patterns: same patterns as `re`, and nothing lost when it fails."""

from __future__ import annotations

import json
import marshal
import os
import re
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import phonenumbers
import pytest

from normalizer import countries, pattern_cache
from normalizer.dotnet.parsed import compiling_steps
from normalizer.pattern_cache import PatternCache, default_directory

needs_engine = pytest.mark.skipif(compiling_steps() is None, reason="an interpreter this cache does not know")


def metadata_patterns() -> list[str]:
    """What `countries` compiles: every region's combined typing expression and its parts."""
    found: dict[str, None] = {}
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
        if metadata is None:
            continue
        for desc in (metadata.general_desc, metadata.fixed_line, metadata.mobile, metadata.toll_free):
            if desc is not None and desc.national_number_pattern:
                found.setdefault(desc.national_number_pattern, None)
        for prefix in (metadata.national_prefix_for_parsing, metadata.international_prefix):
            if prefix:
                found.setdefault(prefix, None)
        types = countries._region_types(region)
        if types.general is not None and types.general[1] is not None:
            fullmatch = (types.typing or types._compile())[0]
            found.setdefault(fullmatch.__self__.pattern, None)  # type: ignore[attr-defined]
    return list(found)


def files_of(cache: PatternCache) -> list[Path]:
    assert cache.folder is not None
    return sorted(path for path in cache.folder.iterdir() if not path.name.startswith("."))


@needs_engine
def test_patterns_read_back_equal_what_re_compiles(tmp_path: Path) -> None:
    patterns = metadata_patterns()
    assert len(patterns) > 500
    writer = PatternCache(tmp_path)
    for pattern in patterns:
        assert writer.compiled(pattern) == re.compile(pattern)
    assert len(files_of(writer)) == len(patterns)
    reader = PatternCache(tmp_path)
    for pattern in patterns:
        built, expected = reader.compiled(pattern), re.compile(pattern)
        # Pattern equality compares the flags, the text and the whole compiled program.
        assert built == expected
        assert (built.groups, built.groupindex) == (expected.groups, expected.groupindex)


@needs_engine
def test_named_groups_and_matches_survive_the_round_trip(tmp_path: Path) -> None:
    pattern = r"(?=(?:[2-9]\d{9})\Z)(?:(?P<t0>900\d{7})|(?P<t1>8(?:00|88)\d{7})|(?P<t2>(?s:.*)))"
    PatternCache(tmp_path).compiled(pattern)
    built = PatternCache(tmp_path).compiled(pattern)
    for number in ("9001234567", "8881234567", "2125550100", "123"):
        mine, theirs = built.fullmatch(number), re.compile(pattern).fullmatch(number)
        assert (mine and (mine.lastgroup, mine.span())) == (theirs and (theirs.lastgroup, theirs.span()))


def framed(entry: tuple[object, ...]) -> bytes:
    """A file holding `entry` with a right checksum (as `_write` frames it)."""
    payload = marshal.dumps(entry)
    return b"DPRC" + zlib.crc32(payload).to_bytes(4, "little") + payload


def damaged(good: bytes) -> list[tuple[str, bytes]]:
    entry = marshal.loads(good[8:])
    pattern, flags, program, groups, names, numbers = entry
    flipped = bytearray(good)
    flipped[-3] ^= 0x01
    swapped = {name: 3 - number for name, number in names.items()}  # t1 <-> t2
    return [
        ("empty", b""),
        ("not ours", b"\xff\x00garbage and more"),
        ("torn", good[:-7]),
        ("a bit flipped anywhere", bytes(flipped)),
        ("another pattern", framed(("(?:other)", *entry[1:]))),
        ("an older shape", framed((*entry, 0))),
        ("names that do not fit the numbers", framed((pattern, flags, program, groups, swapped, numbers))),
        ("an unknown flag", framed((pattern, flags | 0x400, program, groups, names, numbers))),
        ("a program cut mid-word", framed((pattern, flags, program[:-1], groups, names, numbers))),
        ("a group count past any size", framed((pattern, flags, program, 2**70, names, numbers))),
        ("a huge tuple announced", b"DPRC" + zlib.crc32(b"(\xff\xff\xff\x7f").to_bytes(4, "little") + b"(\xff\xff\xff\x7f"),
    ]


DAMAGE_PATTERN = r"(?:(?P<t1>[2-9]\d{2})|(?P<t2>1[0-8]))\d{6,8}"


@needs_engine
@pytest.mark.parametrize("case", range(11), ids=lambda case: f"damage-{case}")
def test_a_damaged_file_is_compiled_afresh_and_rewritten(tmp_path: Path, case: int) -> None:
    cache = PatternCache(tmp_path)
    cache.compiled(DAMAGE_PATTERN)
    (path,) = files_of(cache)
    good = path.read_bytes()
    name, content = damaged(good)[case]
    path.write_bytes(content)
    built, expected = PatternCache(tmp_path).compiled(DAMAGE_PATTERN), re.compile(DAMAGE_PATTERN)
    assert (built, built.groupindex) == (expected, expected.groupindex), name
    assert built.fullmatch("2345678901").lastgroup == "t1", name  # type: ignore[union-attr]
    assert path.read_bytes() == good, name


@needs_engine
@pytest.mark.parametrize("kind", ["fifo", "link to a device", "link to a file", "folder", "too large"])
def test_what_is_not_a_plain_small_file_is_not_read(tmp_path: Path, kind: str) -> None:
    """A FIFO would block, /dev/zero never end, a link lead anywhere: none is opened as a file."""
    pattern = r"\d{4}"
    cache = PatternCache(tmp_path)
    cache.compiled(pattern)
    (path,) = files_of(cache)
    good = path.read_bytes()
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "link to a device":
        path.symlink_to("/dev/zero")
    elif kind == "link to a file":
        (tmp_path / "planted").write_bytes(framed((pattern, *marshal.loads(good[8:])[1:])))
        path.symlink_to(tmp_path / "planted")
    elif kind == "folder":
        path.mkdir()
    else:
        path.write_bytes(good + b"\0" * (1 << 20))
    assert PatternCache(tmp_path).compiled(pattern) == re.compile(pattern)


@needs_engine
def test_a_folder_others_can_write_is_not_used(tmp_path: Path) -> None:
    cache = PatternCache(tmp_path / "shared")
    assert cache.folder is not None
    cache.folder.mkdir(parents=True)
    cache.folder.chmod(0o777)
    assert cache.compiled(r"\d{4}") == re.compile(r"\d{4}")
    assert cache.descriptor is None
    assert list(cache.folder.iterdir()) == []


@needs_engine
@pytest.mark.parametrize("mode", [0o775, 0o757])
def test_a_folder_above_that_others_can_write_is_not_used(tmp_path: Path, mode: int) -> None:
    """Whoever can write to a folder above can put another folder in the cache's place."""
    above = tmp_path / "above"
    above.mkdir()
    above.chmod(mode)
    cache = PatternCache(above / "cache")
    assert cache.compiled(r"\d{4}") == re.compile(r"\d{4}")
    assert cache.descriptor is None


@needs_engine
def test_a_sticky_folder_above_others_can_write_is_fine(tmp_path: Path) -> None:
    above = tmp_path / "above"
    above.mkdir()
    above.chmod(0o1777)
    cache = PatternCache(above / "cache")
    cache.compiled(r"\d{4}")
    assert cache.descriptor is not None and len(files_of(cache)) == 1


@needs_engine
@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_folder_above_of_another_user_is_not_used(tmp_path: Path) -> None:
    """Root's cache under a folder another user owns (a shared folder, `sudo -E`): that user could swap it."""
    above = tmp_path / "theirs"
    above.mkdir()
    os.chown(above, 65534, 65534)
    cache = PatternCache(above / "cache")
    assert cache.compiled(r"\d{4}") == re.compile(r"\d{4}")
    assert cache.descriptor is None


@needs_engine
@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_link_through_a_folder_of_another_user_is_not_followed(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    os.chown(theirs, 65534, 65534)
    (theirs / "cache").symlink_to(mine)
    cache = PatternCache(theirs / "cache")
    assert cache.compiled(r"\d{4}") == re.compile(r"\d{4}")
    assert cache.descriptor is None
    assert list(mine.iterdir()) == []


@needs_engine
def test_a_failed_write_keeps_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full or read-only folder takes no more files, and what it holds is still read."""
    PatternCache(tmp_path).compiled(r"\d{4}")
    compiles: list[str] = []
    real_entry = pattern_cache._entry

    def counted(steps: object, pattern: str) -> object:
        compiles.append(pattern)
        return real_entry(steps, pattern)  # type: ignore[arg-type]

    def refused(folder: int, name: str, entry: object) -> bool:
        return False  # as `_write` answers an OSError (EROFS, ENOSPC)

    monkeypatch.setattr(pattern_cache, "_entry", counted)
    monkeypatch.setattr(pattern_cache, "_write", refused)
    cache = PatternCache(tmp_path)
    assert cache.compiled(r"\d{5}") == re.compile(r"\d{5}")
    assert not cache.writable
    assert cache.compiled(r"\d{4}") == re.compile(r"\d{4}")
    assert [pattern for pattern in compiles if pattern != pattern_cache._PROBE] == [r"\d{5}"]


def test_an_unusable_folder_costs_only_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder", encoding="utf-8")
    cache = PatternCache(blocker / "cache")
    assert cache.compiled(r"1\d{3}").fullmatch("1234") is not None
    assert cache.descriptor is None


def test_no_folder_compiles_in_memory() -> None:
    cache = PatternCache(None)
    assert cache.compiled(r"\d+") == re.compile(r"\d+")
    with pytest.raises(re.error, match="unterminated"):
        cache.compiled("(")


def test_the_environment_chooses_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DIALPLAN_CACHE_DIR", str(tmp_path / "mine"))
    assert default_directory() == tmp_path / "mine"
    monkeypatch.setenv("DIALPLAN_CACHE_DIR", "")
    assert default_directory() is None
    monkeypatch.delenv("DIALPLAN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_directory() == tmp_path / "xdg" / "dialplan"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # the XDG rule: ignored
    assert default_directory() == tmp_path / "home" / ".cache" / "dialplan"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_directory() == tmp_path / "home" / ".cache" / "dialplan"


@needs_engine
def test_concurrent_writers_leave_whole_files(tmp_path: Path) -> None:
    patterns = metadata_patterns()[:60]
    errors: list[BaseException] = []

    def compile_all() -> None:
        try:
            cache = PatternCache(tmp_path)
            for pattern in patterns:
                assert cache.compiled(pattern) == re.compile(pattern)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=compile_all) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    reader = PatternCache(tmp_path)
    assert len(files_of(reader)) == len(patterns)
    for pattern in patterns:
        assert reader.compiled(pattern) == re.compile(pattern)


PARSES_DURING_CLASSIFICATION = """
import json, sys
import re._parser as parser
from normalizer import countries, pattern_cache
original, parsed = parser.parse, []
def counting(pattern, flags=0, state=None):
    if pattern != pattern_cache._PROBE:  # the once-a-process check that both ways agree
        parsed.append(pattern)
    return original(pattern, flags, state)
parser.parse = counting
facts = [countries.number_fields(number) for number in sys.argv[1:]]
print(json.dumps({"parsed": len(parsed), "facts": facts}))
"""


@needs_engine
def test_a_second_process_reads_what_the_first_compiled(tmp_path: Path) -> None:
    numbers = ["+33145678900", "+14165550100", "+442079460000", "+61291234567", "+4930123456", "+819012345678"]
    environment = {**os.environ, "DIALPLAN_CACHE_DIR": str(tmp_path)}

    def run() -> dict[str, object]:
        done = subprocess.run([sys.executable, "-c", PARSES_DURING_CLASSIFICATION, *numbers], env=environment,
                              check=True, capture_output=True, text=True)
        found: dict[str, object] = json.loads(done.stdout)
        return found

    first = run()
    assert first["parsed"] and any(tmp_path.rglob("*"))
    second = run()
    assert second == {"parsed": 0, "facts": first["facts"]}
    assert first["facts"][0] == ["FR", "fixed_line", True]  # type: ignore[index]


@needs_engine
def test_folders_it_makes_are_private_whatever_the_umask(tmp_path: Path) -> None:
    """With a umask of 002 a plain `mkdir -p` makes group-writable folders, which the check refuses."""
    previous = os.umask(0o002)
    try:
        cache = PatternCache(tmp_path / "home" / ".cache" / "dialplan")
        cache.compiled(r"\d{4}")
    finally:
        os.umask(previous)
    assert cache.descriptor is not None
    for made in (tmp_path / "home", tmp_path / "home" / ".cache", tmp_path / "home" / ".cache" / "dialplan"):
        assert made.stat().st_mode & 0o777 == 0o700
    cache.close()
    assert cache.descriptor is None and cache.compiled(r"\d{4}") == re.compile(r"\d{4}")


@needs_engine
@pytest.mark.skipif(os.geteuid() != 0, reason="giving a link to another user needs root")
def test_another_users_link_in_a_sticky_folder_is_not_followed(tmp_path: Path) -> None:
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    link = sticky / "cache"
    link.symlink_to(mine)
    os.lchown(link, 65534, 65534)
    cache = PatternCache(link)
    assert cache.compiled(r"\d{4}") == re.compile(r"\d{4}")
    assert cache.descriptor is None
    assert list(mine.iterdir()) == []


def test_a_bytes_pattern_is_compiled_as_re_does(tmp_path: Path) -> None:
    cache = PatternCache(tmp_path)
    assert cache.compiled(rb"\d{4}") == re.compile(rb"\d{4}")  # type: ignore[arg-type]
