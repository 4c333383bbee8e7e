"""Compiled regular expressions of phonenumbers' metadata, kept on disk between runs.

Python's `re` parses and compiles a pattern in Python code: a region's metadata
patterns (its combined number-type expression runs to 2,000 characters) take
about a millisecond each, 0.07-0.1 s a process for a log that calls many
regions, paid again by every run and by each helper process. What `re.compile`
produces is a list of integers (the matching engine's program) that
`_sre.compile` turns into a pattern object; this module keeps that program in a
file per pattern, as Python keeps the bytecode of a module in `__pycache__`,
and builds the pattern from it on the next run (tens of microseconds).

- Where: `$DIALPLAN_CACHE_DIR`, else `$XDG_CACHE_HOME/dialplan`, else
  `~/.cache/dialplan`, in a folder named after the interpreter and its engine's
  format (`_sre.MAGIC`), so another Python never reads it. An empty
  `DIALPLAN_CACHE_DIR` turns the disk cache off.
- Trust: the folder is used only if it is this user's and no one else can
  write to it, as for bytecode. A file names its pattern and carries its
  program's checksum; `_sre.compile` also checks every program it is given.
  A file that fails either is compiled afresh and written again.
- Any failure (a read-only home, a damaged or foreign file, an interpreter
  whose compiler this module does not know) costs only speed: the pattern is
  compiled by `re` as usual. A pattern built from its file equals the one
  `re.compile` makes (`==` compares the programs).

>>> PatternCache(None).compiled(r"\\d{3}").fullmatch("123") is not None
True
>>> PatternCache(None).compiled("(").pattern
Traceback (most recent call last):
...
re.error: missing ), unterminated subpattern at position 0
"""

from __future__ import annotations

import marshal
import os
import re
import stat
import sys
import threading
import zlib
from array import array
from pathlib import Path

from normalizer.dotnet.parsed import compiling_steps

_Entry = tuple[str, int, bytes, int, dict[str, int], tuple[str | None, ...], int]
"""What a file holds: the pattern, its flags, its program, its group count, names and their numbers,
and the program's checksum (a file damaged on disk is compiled afresh, never used)."""

_PROBE = r"(?P<a>[0-9]{2,4})(?:x|y)\Z"
"""A small pattern compiled both ways once per process: where they differ, the disk cache is off."""


def default_directory() -> Path | None:
    """The cache folder the environment names (None: the disk cache is off)."""
    chosen = os.environ.get("DIALPLAN_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dialplan"


class PatternCache:
    """Compiles patterns, reading and writing their programs under `directory` (None: in memory only)."""

    def __init__(self, directory: Path | None) -> None:
        self.engine = compiling_steps()
        self.folder: Path | None = None
        if directory is not None and self.engine is not None:
            self.folder = directory / f"patterns-{sys.implementation.cache_tag}-{self.engine.magic}"
        self.checked = False

    def compiled(self, pattern: str) -> re.Pattern[str]:
        """`re.compile(pattern)`, from its file where one holds it."""
        folder = self._usable_folder()
        if folder is None:
            return re.compile(pattern)
        path = folder / _file_name(pattern)
        try:
            entry = marshal.loads(path.read_bytes())
            if _is_entry(entry, pattern):
                return self._built(entry)
        except (OSError, ValueError, EOFError, TypeError, RuntimeError):
            pass  # no file yet, or one damaged: compiled afresh and written again
        entry = self._entry(pattern)
        found = self._built(entry)
        self._write(path, entry)
        return found

    def _usable_folder(self) -> Path | None:
        """The folder, once it exists, is private and the probe compiles the same both ways."""
        if not self.checked:
            self.checked = True
            self.folder = self._checked_folder()
        return self.folder

    def _checked_folder(self) -> Path | None:
        folder = self.folder
        if folder is None:
            return None
        try:
            if self._built(self._entry(_PROBE)) != re.compile(_PROBE):
                return None
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            found = folder.stat()
        except (OSError, ValueError, TypeError, RuntimeError, AttributeError):
            return None
        if found.st_uid != os.geteuid() or found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None  # someone else could plant programs here
        return folder

    def _entry(self, pattern: str) -> _Entry:
        """Compile as `re.compile(pattern)` does (`re._compiler.compile`), keeping the program."""
        assert self.engine is not None  # a folder is only chosen with one
        parsed = self.engine.parse(pattern, 0)
        code = self.engine.code(parsed, 0)
        state = parsed.state
        names: dict[str, int] = dict(state.groupdict)
        groups: list[str | None] = [None] * state.groups
        for name, number in names.items():
            groups[number] = name
        program = array("I", code).tobytes()
        return (pattern, state.flags, program, state.groups - 1, names, tuple(groups), zlib.crc32(program))

    def _built(self, entry: _Entry) -> re.Pattern[str]:
        pattern, flags, code, groups, names, numbers, _ = entry
        assert self.engine is not None  # a folder is only chosen with one
        program = array("I")
        program.frombytes(code)
        return self.engine.build(pattern, flags, program.tolist(), groups, names, numbers)

    def _write(self, path: Path, entry: _Entry) -> None:
        """Write the file whole or not at all (a rename), so a concurrent reader never sees half."""
        temporary = path.with_name(f".{path.name}-{os.getpid()}-{threading.get_ident()}")
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(marshal.dumps(entry))
                os.replace(temporary, path)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
        except OSError:
            self.folder = None  # a full or read-only disk: compile in memory from now on


def _file_name(pattern: str) -> str:
    """A file name from the pattern's checksums (two patterns sharing one only rewrite each other's file)."""
    text = pattern.encode("utf-8", "surrogatepass")
    return f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}-{len(text):x}"


def _is_entry(entry: object, pattern: str) -> bool:
    """True for a file's content of this pattern, of the shape `_entry` writes."""
    return (
        isinstance(entry, tuple)
        and len(entry) == 7
        and entry[0] == pattern
        and isinstance(entry[1], int)
        and isinstance(entry[2], bytes)
        and isinstance(entry[3], int)
        and isinstance(entry[4], dict)
        and isinstance(entry[5], tuple)
        and entry[6] == zlib.crc32(entry[2])
    )


_DEFAULT: list[PatternCache] = []


def compiled(pattern: str) -> re.Pattern[str]:
    """`re.compile(pattern)` through the cache the environment names (made on first use)."""
    if not _DEFAULT:
        _DEFAULT.append(PatternCache(default_directory()))
    return _DEFAULT[0].compiled(pattern)
