"""How many copies of one part of a pattern nested counted repeats make.

The `regex` module writes counted repeats out when it compiles, before any
timeout can apply, so `compile_pattern` refuses patterns past a limit.

>>> unrolled_copies(r"(?:\\d{10}){5}")
50
>>> unrolled_copies(r"[0-9]{3}x{2}")
3
"""

from __future__ import annotations

import re

MAX_UNROLLED_COPIES = 100_000
"""The most copies nested counted repeats may make of one part of a pattern."""

_COUNT = re.compile(r"\{([0-9]+)(?:,([0-9]*))?\}")


def unrolled_copies(python_pattern: str) -> int:
    """The largest product of repeat counts along one nesting path (`{n,m}` counts max(n, m))."""
    levels = [1]  # per open group, the most copies of any item in it so far
    position, size = 0, len(python_pattern)

    def counted(weight: int, at: int) -> tuple[int, int]:
        found = _COUNT.match(python_pattern, at)
        if found is None:
            return weight, at
        low, high = found.group(1), found.group(2)
        count = max(int(low), int(high) if high else 0)
        return weight * max(count, 1), found.end()

    while position < size:
        char = python_pattern[position]
        if char == "\\":
            position += 2
            weight, position = counted(1, position)
            levels[-1] = max(levels[-1], weight)
        elif char == "[":
            position += 1
            if position < size and python_pattern[position] == "^":
                position += 1
            if position < size and python_pattern[position] == "]":
                position += 1
            while position < size and python_pattern[position] != "]":
                position += 2 if python_pattern[position] == "\\" else 1
            weight, position = counted(1, position + 1)
            levels[-1] = max(levels[-1], weight)
        elif char == "(":
            levels.append(1)
            position += 1
        elif char == ")" and len(levels) > 1:
            weight, position = counted(levels.pop(), position + 1)
            levels[-1] = max(levels[-1], weight)
        else:
            weight, position = counted(1, position + 1)
            levels[-1] = max(levels[-1], weight)
    return max(levels)
