"""The on-disk cache of compiled metadata patterns: same patterns as `re`, and nothing lost when it fails."""

from __future__ import annotations

import json
import marshal
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import phonenumbers
import pytest

from normalizer import countries
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


def damaged(entry: tuple[object, ...]) -> list[tuple[str, bytes]]:
    program = entry[2]
    assert isinstance(program, bytes)
    flipped = bytearray(program)
    flipped[8] ^= 0x01
    return [
        ("empty", b""),
        ("not marshal", b"\xff\x00garbage"),
        ("torn", marshal.dumps(entry)[:-7]),
        ("another pattern", marshal.dumps(("(?:other)", *entry[1:]))),
        ("old shape", marshal.dumps(entry[:6])),
        ("a bit flipped in the program", marshal.dumps((*entry[:2], bytes(flipped), *entry[3:]))),
        ("a bad program with its checksum", marshal.dumps((*entry[:2], b"\x01\x00\x00\x00", *entry[3:6], 0x8C7B67B5))),
    ]


@needs_engine
@pytest.mark.parametrize("case", range(7), ids=lambda case: f"damage-{case}")
def test_a_damaged_file_is_compiled_afresh_and_rewritten(tmp_path: Path, case: int) -> None:
    pattern = r"(?:[2-9]\d{2}|1[0-8])\d{6,8}"
    cache = PatternCache(tmp_path)
    cache.compiled(pattern)
    (path,) = files_of(cache)
    good = path.read_bytes()
    name, content = damaged(marshal.loads(good))[case]
    path.write_bytes(content)
    assert PatternCache(tmp_path).compiled(pattern) == re.compile(pattern), name
    assert path.read_bytes() == good, name


@needs_engine
def test_a_folder_others_can_write_is_not_used(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    cache = PatternCache(shared)
    assert cache.folder is not None
    cache.folder.mkdir(parents=True)
    cache.folder.chmod(0o777)
    assert cache.compiled(r"\d{4}") == re.compile(r"\d{4}")
    assert cache.folder is None
    assert list((shared / cache_folder_name()).iterdir()) == []


def cache_folder_name() -> str:
    folder = PatternCache(Path("/")).folder
    assert folder is not None
    return folder.name


def test_an_unusable_folder_costs_only_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder", encoding="utf-8")
    cache = PatternCache(blocker / "cache")
    assert cache.compiled(r"1\d{3}").fullmatch("1234") is not None
    assert cache.folder is None


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
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
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
