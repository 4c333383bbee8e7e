"""How deep input may nest: one bound, checked where text or data is first read.

Python's readers recurse once per level of nesting: `json` and `tomli` while
parsing, `pickle` while sending a request to a worker process, and the script
reader while evaluating. A few kilobytes of `[[[[...` or `((((...` a thousand
deep would run out of the interpreter's stack (`RecursionError`, a traceback
in the CLI, a 500 in the service). A tenant file, a suite or a Teams export
nests five or six levels deep, so anything deeper than `MAX_NESTING` is
refused before it is parsed, as an error naming the file and the line and
column (text) or the field (data) where the limit is passed.

>>> check_text("[tenant]\\nname = 'x'  # [[[ in a comment\\n", "t.toml")
>>> check_text("a = " + "[" * 70 + "]" * 70, "t.toml")
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: t.toml: line 1, column 69: arrays and tables nest more than 64 levels deep
>>> check_data({"x": [[[1]]]}, "t.json", limit=3)
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: t.json: field 'x[0][0]': nested more than 3 levels deep
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from normalizer.errors import TenantFileError

MAX_NESTING = 64
"""The deepest arrays and tables (JSON, TOML, posted documents) may nest."""

# What the scanner stops at: brackets, and what starts a string or a comment
# (in which brackets do not count). JSON is read with TOML's rules: its strings
# are TOML basic strings, and `'` and `#` appear only inside them.
_SPECIAL = re.compile(r"[\[\]{}\"'#]")
_ENDS = {
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*""""{0,2}', re.DOTALL),
    "'''": re.compile(r"(?:[^']|'(?!''))*'''(?:'{0,2})", re.DOTALL),
    '"': re.compile(r'(?:[^"\\\n]|\\.)*"'),
    "'": re.compile(r"[^'\n]*'"),
    "#": re.compile(r"[^\n]*"),
}
# The same strings and comments as one expression, tried in the scanner's order:
# what is left of a text without them is its brackets and its unquoted words. A
# string that never closes (where the scanner stops) is taken whole, to the end of
# the text or of its line: taken once, not tried again from each quote inside it.
_STRINGS_AND_COMMENTS = re.compile(
    r'(?s:"""(?:[^"\\]|\\.|"(?!""))*""""{0,2})'
    r"|(?s:\'\'\'(?:[^\']|\'(?!\'\'))*\'\'\'(?:\'{0,2}))"
    r"|(?s:\"\"\"|\'\'\').*"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|\'[^\'\n]*\'"
    r"|[\"\'][^\n]*"
    r"|#[^\n]*"
)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEPS = {"[": 1, "{": 1, "]": -1, "}": -1}
_WIDTH = 40


def check_text(text: str, source: str, *, limit: int = MAX_NESTING) -> None:
    """Refuse JSON or TOML text whose arrays and tables nest deeper than `limit`.

    Brackets inside strings and comments do not count. Where the text is not
    valid (a string never closed), the scan stops: the parser reports that
    error, and it parses no deeper than the scan went.
    """
    if _shallow(text, limit):
        return
    _scan(text, source, limit)


def _shallow(text: str, limit: int) -> bool:
    """True when `_scan` would accept the text, found without a loop in Python (a
    3,000-user tenant in 8 ms rather than 19); False when only `_scan` can say.

    Without its strings and comments, a text whose brackets never close more than
    they opened nests as deep as their running count goes. Up to a string that
    never closes both read the text alike, and `_scan` accepts what follows it
    unread: what `_shallow` accepts, `_scan` accepts; what `_scan` refuses, it does not.
    """
    brackets = _NOT_BRACKETS.sub("", _STRINGS_AND_COMMENTS.sub("", text))
    if not brackets:
        return True
    depths = list(accumulate(map(_STEPS.__getitem__, brackets)))
    return min(depths) >= 0 and max(depths) <= limit


def _scan(text: str, source: str, limit: int) -> None:
    """`check_text`, one special character at a time (naming where the limit is passed)."""
    depth = 0
    at = 0
    while True:
        found = _SPECIAL.search(text, at)
        if found is None:
            return
        char, at = found.group(), found.end()
        if char in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, found.start()) + 1
                column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
                raise TenantFileError(
                    f"line {line}, column {column}: arrays and tables nest more than {limit} levels deep",
                    file=source,
                    line=line,
                    column=column,
                )
        elif char in "]}":
            depth = max(0, depth - 1)
        else:
            opener = char
            if char in "\"'" and text.startswith(char * 3, found.start()):
                opener, at = char * 3, found.start() + 3
            end = _ENDS[opener].match(text, at)
            if end is None:
                return
            at = end.end()


def check_data(value: Any, source: str, *, field: str = "", limit: int = MAX_NESTING) -> None:
    """Refuse parsed data (dicts and lists) nested deeper than `limit`, naming the field.

    `field` names `value` itself (`tenant` for a request's posted tenant).
    Walked without recursion, so any depth is measured safely.
    """
    # Each entry: the value, its depth, and its place (the parent's entry and the key).
    places: list[tuple[int, str | int]] = []
    stack: list[tuple[Any, int, int]] = [(value, 0, -1)]
    while stack:
        current, depth, place = stack.pop()
        if isinstance(current, dict):
            items: Any = current.items()
        elif isinstance(current, list | tuple):
            items = enumerate(current)
        else:
            continue
        if depth >= limit:
            raise TenantFileError(
                f"nested more than {limit} levels deep", file=source, field=_path(field, places, place)
            )
        for key, item in items:
            if isinstance(item, dict | list | tuple):
                places.append((place, key))
                stack.append((item, depth + 1, len(places) - 1))


def _path(field: str, places: list[tuple[int, str | int]], place: int) -> str:
    """`field.key[0][1]` for a place of `check_data`, its middle left out when long."""
    keys: list[str | int] = []
    while place >= 0:
        place, key = places[place]
        keys.append(key)
    parts = [f"[{key}]" if isinstance(key, int) else f".{key}" for key in reversed(keys)]
    if len(parts) > _WIDTH:
        parts = [*parts[:5], f"...({len(parts) - 10} more)", *parts[-5:]]
    return (field + "".join(parts)).removeprefix(".")
