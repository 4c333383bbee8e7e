"""What keeps call-detail input and output well formed: UTF-8 text in, standard JSON out.

>>> json_line({"dialed": float("inf"), "cost": 1.5})
'{"dialed": "Infinity", "cost": 1.5}'
>>> type_depth(pa.list_(pa.list_(pa.int64())))
2
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pyarrow as pa

from normalizer.errors import DialplanInputError


def refuse_utf16(path: Path) -> None:
    """Refuse a UTF-16 file (Excel's "Unicode Text", PowerShell 5's `Out-File`), saying how to
    convert it: its every other byte is NUL, which no line of UTF-8 text holds."""
    with path.open("rb") as handle:
        start = handle.read(64)
    marked = start.startswith((b"\xff\xfe", b"\xfe\xff"))
    halves = (start[0::2], start[1::2])
    if marked or (len(start) >= 4 and any(half.count(0) == len(half) for half in halves)):
        raise DialplanInputError(
            "the file is UTF-16 text (Excel's \"Unicode Text\" or PowerShell's Out-File); call-detail "
            "files are read as UTF-8: save it as \"CSV UTF-8\", or convert it "
            f"(iconv -f UTF-16 -t UTF-8 {path.name} > {path.stem}-utf8{path.suffix})",
            file=str(path),
        )


def type_depth(kind: pa.DataType) -> int:
    """How deep an Arrow type nests (lists and structs): 0 for a plain value."""
    deepest, pending = 0, [(kind, 0)]
    while pending:
        current, depth = pending.pop()
        deepest = max(deepest, depth)
        pending += [(current.field(i).type, depth + 1) for i in range(current.num_fields)]
    return deepest


def json_line(row: dict[str, Any]) -> str:
    """A row as one line of standard JSON: a number JSON cannot hold (1e400 read as
    infinity, NaN) is written as text (`"Infinity"`, `"NaN"`), never as a bare
    `Infinity` that RFC 8259 parsers refuse."""
    try:
        return json.dumps(row, ensure_ascii=False, default=str, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(row), ensure_ascii=False, default=str, allow_nan=False)


def _finite(value: Any) -> Any:
    """`value` with each non-finite float as its JSON-like name (nesting is bounded by the readers)."""
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
