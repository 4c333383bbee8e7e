"""Compiled regular expressions of phonenumbers' metadata, kept on disk between runs.

Python's `re` parses and compiles a pattern in Python code: a region's metadata
patterns (its combined number-type expression runs to 2,000 characters) take
about a millisecond each, 0.07-0.1 s a process for a log that calls many
regions, paid again by every run and by each helper process. What `re.compile`
produces is a list of integers (the matching engine's program) that
`_sre.compile` turns into a pattern object; this module keeps that program in a
file per pattern, as Python keeps the bytecode of a module in `__pycache__`,
and builds the pattern from it on the next run (tens of microseconds).

- Where: `$DIALPLAN_CACHE_DIR`, else `$XDG_CACHE_HOME/dialplan` (an absolute
  one), else `~/.cache/dialplan`, in a folder named after the exact
  interpreter, its byte order and its `re` compiler's sources, so no other
  Python ever reads it. An empty `DIALPLAN_CACHE_DIR` turns the disk cache off.
- Trust, as for bytecode: a program is run as it is (`_sre` does not check
  every program: a crafted one can crash the interpreter), so only this user
  may be able to change what the folder holds. The folder must be this user's
  and writable by no one else, and so must every folder above it (root's or
  this user's; others may write one only if it is sticky, as `/tmp` is). It is
  opened once, without following links, and files are read through that
  descriptor: a regular file of this user's, not a link, at most 1 MiB.
- Damage: each file carries a checksum of all it holds, checked before it is
  read, and what it holds must fit together (the pattern named, its groups and
  their names). A file that fails is compiled afresh and written again.
- Any failure (a read-only home, a shared folder, an interpreter whose
  compiler this module does not know) costs only speed: the pattern is
  compiled by `re` as usual. A pattern built from its file equals the one
  `re.compile` makes (`==` compares the programs; groups and names are the same).

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
import threading
import zlib
from array import array
from contextlib import suppress
from pathlib import Path

from normalizer.dotnet.parsed import CompilingSteps, compiling_steps

_Entry = tuple[str, int, bytes, int, dict[str, int], tuple[str | None, ...]]
"""What a file holds: the pattern, its flags, its program, its group count, its group
numbers by name and its group names by number (`_sre.compile`'s arguments)."""

_MAGIC = b"DPRC"
"""A file's first bytes; then the checksum of the rest (4 bytes), then the entry (marshal)."""

_MAX_FILE_BYTES = 1 << 20
"""The largest file read (the largest metadata program takes about 10 KB)."""

_KNOWN_FLAGS = 0x1FF
"""`re`'s flags, TEMPLATE to ASCII: a file with any other is damaged."""

_PROBE = r"(?P<a>[0-9]{2,4})(?:x|(?P<b>y))\Z"
"""A small pattern compiled both ways once per process: where they differ, the disk cache is off."""

_OPEN_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_OPEN_FILE = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CREATE_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def default_directory() -> Path | None:
    """The cache folder the environment names (None: the disk cache is off)."""
    chosen = os.environ.get("DIALPLAN_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative path is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dialplan"


class PatternCache:
    """Compiles patterns, reading and writing their programs under `directory` (None: in memory only)."""

    def __init__(self, directory: Path | None) -> None:
        self.steps = compiling_steps()
        self.directory = directory
        self.descriptor: int | None = None
        """The folder, opened once it has passed its checks (None: in memory only)."""
        self.writable = True
        self.checked = False
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path | None:
        """Where the programs are kept (None: nowhere)."""
        if self.directory is None or self.steps is None:
            return None
        return self.directory / f"patterns-{self.steps.version}"

    def compiled(self, pattern: str) -> re.Pattern[str]:
        """`re.compile(pattern)`, from its file where one holds it."""
        descriptor = self._descriptor()
        if descriptor is None or self.steps is None or not isinstance(pattern, str):
            return re.compile(pattern)
        name = _file_name(pattern)
        with suppress(Exception):  # any damage: compiled afresh below
            entry = _decoded(_read(descriptor, name), pattern)
            if entry is not None:
                return _built(self.steps, entry)
        try:
            entry = _entry(self.steps, pattern)
            found = _built(self.steps, entry)
        except re.error:
            raise
        except Exception:  # noqa: BLE001 - never worse than `re` itself
            return re.compile(pattern)
        if self.writable:
            self.writable = _write(descriptor, name, entry)
        return found

    def _descriptor(self) -> int | None:
        if not self.checked:
            with self._lock:
                if not self.checked:
                    self.descriptor = self._opened_folder()
                    self.checked = True  # after the descriptor: another thread reads it only then
        return self.descriptor

    def _opened_folder(self) -> int | None:
        """The folder, made if need be, opened once it proves private; None where it does not."""
        folder, steps = self.folder, self.steps
        if folder is None or steps is None:
            return None
        try:
            built, expected = _built(steps, _entry(steps, _PROBE)), re.compile(_PROBE)
            if (built, built.groups, built.groupindex) != (expected, expected.groups, expected.groupindex):
                return None
            given = Path(os.path.abspath(folder))
            if not _is_safe_way(given):  # checked before anything is made there, and again after
                return None
            _make_folders(given)
            real = Path(os.path.realpath(given))
            if not (_is_private(os.lstat(real)) and _is_safe_way(given)):
                return None
            descriptor = os.open(real, _OPEN_FOLDER)
        except Exception:  # noqa: BLE001 - an unusable folder costs only speed
            return None
        try:
            opened = os.fstat(descriptor)
            if stat.S_ISDIR(opened.st_mode) and _is_private(opened) and _identity(opened) == _identity(os.lstat(real)):
                return descriptor
        except OSError:
            pass  # removed or renamed meanwhile
        os.close(descriptor)
        return None

    def close(self) -> None:
        """Close the folder (the cache then compiles in memory only)."""
        with self._lock:
            if self.descriptor is not None:
                os.close(self.descriptor)
            self.descriptor, self.checked = None, True


def _is_private(found: os.stat_result) -> bool:
    """Owned by this user, and no one else may write to it."""
    return found.st_uid == os.geteuid() and not _others_may_write(found)


def _others_may_write(found: os.stat_result) -> bool:
    """True when a group or everyone may write to it (a group-writable folder counts, even the
    user's own group's: whether others are in a group is not for this module to judge)."""
    return bool(found.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def _make_folders(given: Path) -> None:
    """Make the missing folders of `given`, each readable by its owner only (whatever the umask)."""
    missing = [part for part in (given, *given.parents) if not os.path.lexists(part)]
    for part in reversed(missing):
        with suppress(FileExistsError):
            os.mkdir(part, 0o700)


def _identity(found: os.stat_result) -> tuple[int, int]:
    return (found.st_dev, found.st_ino)


def _is_safe_way(given: Path) -> bool:
    """True when no one but this user (or root) can change where `given` leads, now or later.

    Every folder read on the way (each existing part of `given` with its links
    followed, and the folders above it) must be root's or this user's, and
    writable by no one else unless sticky (`/tmp`: there others cannot rename or
    remove what is not theirs).
    """
    seen: set[Path] = set()
    for part in (*reversed(given.parents), given):
        if not os.path.lexists(part):
            break
        if os.path.islink(part) and os.lstat(part).st_uid not in (0, os.geteuid()):
            return False  # someone else's link, in a sticky folder: it may lead anywhere they like
        followed = Path(os.path.realpath(part))
        for folder in (followed, *followed.parents):
            if folder in seen:
                continue
            seen.add(folder)
            found = os.lstat(folder)
            if found.st_uid not in (0, os.geteuid()):
                return False
            if _others_may_write(found) and not found.st_mode & stat.S_ISVTX:
                return False
    return True


def _file_name(pattern: str) -> str:
    """A file name from the pattern's checksums (two patterns sharing one only rewrite each other's file)."""
    text = pattern.encode("utf-8", "surrogatepass")
    return f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}-{len(text):x}"


def _read(folder: int, name: str) -> bytes | None:
    """The file's bytes: a regular file of this user's, not a link, at most `_MAX_FILE_BYTES`."""
    try:
        descriptor = os.open(name, _OPEN_FILE, dir_fd=folder)
    except OSError:
        return None
    try:
        found = os.fstat(descriptor)
        if not stat.S_ISREG(found.st_mode) or found.st_uid != os.geteuid() or found.st_size > _MAX_FILE_BYTES:
            return None
        parts: list[bytes] = []
        size = 0
        while part := os.read(descriptor, _MAX_FILE_BYTES + 1 - size):
            parts.append(part)
            size += len(part)
            if size > _MAX_FILE_BYTES:
                return None
        return b"".join(parts)
    finally:
        os.close(descriptor)


def _decoded(data: bytes | None, pattern: str) -> _Entry | None:
    """The entry a file holds for this pattern; None for another pattern's or a damaged file."""
    if data is None or len(data) < 8 or data[:4] != _MAGIC:
        return None
    payload = data[8:]
    if int.from_bytes(data[4:8], "little") != zlib.crc32(payload):
        return None
    entry = marshal.loads(payload)
    return entry if _is_entry(entry, pattern) else None


def _is_entry(entry: object, pattern: str) -> bool:
    """True for an entry of this pattern whose parts fit together, of the shape `_entry` makes."""
    if not (isinstance(entry, tuple) and len(entry) == 6 and entry[0] == pattern):
        return False
    _, flags, program, groups, names, numbers = entry
    if not (isinstance(flags, int) and 0 <= flags and not flags & ~_KNOWN_FLAGS):
        return False
    if not (isinstance(program, bytes) and program and len(program) % 4 == 0):
        return False
    if not (isinstance(groups, int) and isinstance(numbers, tuple) and len(numbers) == groups + 1 >= 1):
        return False
    if not isinstance(names, dict) or numbers[0] is not None:
        return False
    named = [(number, name) for number, name in enumerate(numbers) if name is not None]
    return all(isinstance(name, str) and names.get(name) == number for number, name in named) and len(names) == len(
        named
    )


def _entry(steps: CompilingSteps, pattern: str) -> _Entry:
    """Compile as `re.compile(pattern)` does (`re._compiler.compile`), keeping the program."""
    parsed = steps.parse(pattern, 0)
    code = steps.code(parsed, 0)
    state = parsed.state
    names: dict[str, int] = dict(state.groupdict)
    numbers: list[str | None] = [None] * state.groups
    for name, number in names.items():
        numbers[number] = name
    return (pattern, state.flags, array("I", code).tobytes(), state.groups - 1, names, tuple(numbers))


def _built(steps: CompilingSteps, entry: _Entry) -> re.Pattern[str]:
    pattern, flags, code, groups, names, numbers = entry
    program = array("I")
    program.frombytes(code)
    return steps.build(pattern, flags, program.tolist(), groups, names, numbers)


def _write(folder: int, name: str, entry: _Entry) -> bool:
    """Write the file whole or not at all (a rename), so a concurrent reader never sees half.

    False where the folder takes no writes (full, read-only): nothing more is written,
    what it holds is still read.
    """
    payload = marshal.dumps(entry)
    data = _MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload
    temporary = f".tmp-{os.getpid()}-{os.urandom(8).hex()}"
    try:
        descriptor = os.open(temporary, _CREATE_FILE, 0o600, dir_fd=folder)
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(data)
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
            raise
    except OSError:
        return False
    return True


_DEFAULT: list[PatternCache] = []
_DEFAULT_LOCK = threading.Lock()


def compiled(pattern: str) -> re.Pattern[str]:
    """`re.compile(pattern)` through the cache the environment names (made on first use)."""
    if not _DEFAULT:
        with _DEFAULT_LOCK:
            if not _DEFAULT:
                _DEFAULT.append(PatternCache(default_directory()))
    return _DEFAULT[0].compiled(pattern)
