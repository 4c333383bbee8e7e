"""Patterns as the standard library's own parser reads them: the one reader of `re._parser`
(and of the steps `re.compile` takes after it).

`prefilter` (which strings a rule could match), `backtracking` (how much work
a match can take) and `witness` (strings a pattern matches) walk the parse
tree `re` compiles from, so each sees exactly what `re` runs. `re._parser` is
private to CPython (the project pins Python >= 3.11, where it has this name
and shape); reading it here alone keeps a future move to one place.

>>> [str(op) for op, _ in parse(r"^0(\\d+)$")]
['AT', 'LITERAL', 'SUBPATTERN', 'AT']
>>> parse("(")
Traceback (most recent call last):
...
re.error: missing ), unterminated subpattern at position 0
"""

from __future__ import annotations

import re
import sys
import zlib
from array import array
from collections.abc import Callable
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from re import _constants as sre  # type: ignore[attr-defined, unused-ignore]
from re import _parser  # type: ignore[attr-defined, unused-ignore]
from typing import Any, NamedTuple

__all__ = ["CompilingSteps", "compiling_steps", "parse", "sre"]


@lru_cache(maxsize=8192)
def parse(python_pattern: str) -> Any:
    """The parse tree (`SubPattern`) of a pattern `re` compiles; raises `re.error`.

    Shared and cached: callers only read it.
    """
    return _parser.parse(python_pattern)


class CompilingSteps(NamedTuple):
    """The three steps of `re._compiler.compile` (CPython 3.11-3.13)."""

    parse: Callable[[str, int], Any]
    """`re._parser.parse`: the pattern's tree, with its flags and groups in `.state`."""
    code: Callable[[Any, int], list[int]]
    """`re._compiler._code`: the tree as the matching engine's program."""
    build: Callable[..., re.Pattern[str]]
    """`_sre.compile(pattern, flags, program, groups, groupindex, indexgroup)`: the pattern object."""
    magic: int
    """`_sre.MAGIC`: the program format's version."""
    version: str
    """The exact interpreter, its byte order, `magic` and a checksum of `re`'s compiler sources:
    two runs with the same `version` compile every pattern to the same program."""


def compiling_steps() -> CompilingSteps | None:
    """`re.compile`'s own steps, where this module knows how they fit together (None elsewhere).

    `pattern_cache` keeps the program of the second step on disk and gives it to the third.
    """
    if sys.implementation.name != "cpython" or not (3, 11) <= sys.version_info[:2] <= (3, 13):
        return None
    try:
        # Private modules of the standard library: mypy has no stubs for them.
        engine, compiler = import_module("_sre"), import_module("re._compiler")
        magic = int(engine.MAGIC)
        if array("I").itemsize != engine.CODESIZE:
            return None
        digest = zlib.crc32(f"{sys.version}|{sys.byteorder}|{magic}".encode())
        for module in (_parser, compiler, sre):
            origin = getattr(module.__spec__, "origin", None)
            # A patch release or a distribution's patch may change how `re` compiles.
            digest = zlib.crc32(Path(origin).read_bytes() if origin else b"-", digest)
    except (ImportError, AttributeError, OSError):
        return None
    version = f"{sys.implementation.cache_tag}-{digest:08x}"
    return CompilingSteps(_parser.parse, compiler._code, engine.compile, magic, version)
