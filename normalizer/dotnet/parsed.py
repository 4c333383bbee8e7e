"""Patterns as the standard library's own parser reads them: the one reader of `re._parser`.

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

from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined, unused-ignore]
from re import _parser  # type: ignore[attr-defined, unused-ignore]
from typing import Any

__all__ = ["parse", "sre"]


@lru_cache(maxsize=8192)
def parse(python_pattern: str) -> Any:
    """The parse tree (`SubPattern`) of a pattern `re` compiles; raises `re.error`.

    Shared and cached: callers only read it.
    """
    return _parser.parse(python_pattern)
