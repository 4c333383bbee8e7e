"""Tenant files as text: decoding as Windows tools write them, and excerpts for errors.

Windows PowerShell saves files as UTF-16 (`Out-File`, `>`) or UTF-8 with a
byte order mark (the ISE); both are read by their mark. An error in a file
points at its place with the line and a caret under the column.

>>> print(excerpt("Set-CsTenantDialPlan -Identity Global\\n$x = @(", 2, 6))
    $x = @(
         ^
>>> decode(b"\\xff", "t.ps1")
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: t.ps1: not valid UTF-8: invalid start byte
"""

from __future__ import annotations

import codecs
from pathlib import Path

from normalizer.errors import TenantFileError

_MARKS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDTH = 100


def decode(data: bytes, source: str) -> str:
    """The text of a file: UTF-8, or the encoding its byte order mark names."""
    encoding = "utf-8"
    for mark, name in _MARKS:
        if data.startswith(mark):
            encoding = name
            break
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise TenantFileError(
            f"not valid {encoding.upper().removesuffix('-SIG')}: {exc.reason}", file=source
        ) from None


def read_text(path: Path) -> str:
    """Read and decode a tenant file; errors name the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TenantFileError(f"cannot read: {exc.strerror}", file=str(path)) from None
    return decode(data, str(path))


def excerpt(text: str, line: int, column: int) -> str:
    """The line `line` of `text`, indented, and a caret under `column` (both from 1)."""
    lines = text.splitlines() or [""]
    number = min(max(line, 1), len(lines))
    content = lines[number - 1].rstrip("\r")
    start = 0
    if column > _WIDTH:
        start = column - _WIDTH // 2
    shown = content[start : start + _WIDTH]
    # Tabs stay tabs under the caret, so it lines up however they are shown.
    pad = "".join("\t" if char == "\t" else " " for char in shown[: column - 1 - start])
    prefix = "..." if start else ""
    return f"    {prefix}{shown}\n    {' ' * len(prefix)}{pad}^"


def located(detail: str, text: str, line: int, column: int) -> str:
    """`line L, column C: detail` and the excerpt below it."""
    return f"line {line}, column {column}: {detail}\n{excerpt(text, line, column)}"
