"""The limits on one run of a script: how deep evaluation goes and how big its values grow.

A script is a program: `((((...))))` a thousand deep, a function calling
itself, or a string doubled forty times (three lines, 1.6 GB) would exhaust
the interpreter's stack or the machine's memory. `Bounds` refuses each before
it happens, as an error at the line and column that would pass the limit:
evaluation nests at most `MAX_NESTING` levels (statements, expressions and
function calls, one inside the other), lists and hashtables nest at most as
deep, and text, a list or a hashtable holds at most `MAX_VALUE_SIZE`
characters, items or entries.

>>> nesting_of(((1,), (((2,),),)), 64)
4
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from normalizer.formats.script import Position
from normalizer.formats.values import MAX_VALUE_SIZE, Table, Value
from normalizer.nesting import MAX_NESTING


def nesting_of(value: Value, limit: int) -> int:
    """How deep lists and hashtables nest in `value` (0 for text or a number), up to `limit` + 1.

    Walked without recursion, each list or hashtable once however often it is
    shared (`$a = $a, $a` doubles a value's items, not its memory).
    """
    depths: dict[int, int] = {}
    pending: list[tuple[Value, bool]] = [(value, False)]
    while pending:
        node, measured = pending.pop()
        inner = _contained(node)
        if measured:
            depth = 1 + max((depths[id(item)] for item in inner), default=0) if inner is not None else 0
            if depth > limit:
                return depth
            depths[id(node)] = depth
        elif id(node) not in depths:
            pending.append((node, True))
            pending += [(item, False) for item in inner or () if id(item) not in depths]
    return depths[id(value)]


def _contained(value: Value) -> list[Value] | None:
    """The lists and hashtables directly inside a list or hashtable (None for anything else)."""
    if isinstance(value, tuple):
        return [item for item in value if isinstance(item, tuple | Table)]
    if isinstance(value, Table):
        return [item for _, item, _ in value.entries if isinstance(item, tuple | Table)]
    return None


class Bounds:
    """The checks `normalizer.formats.evaluation.Evaluator` makes as it runs a script."""

    depth: int
    """How many statements, expressions and function calls are being evaluated, one inside the other."""

    def fail(self, detail: str, position: Position, *args: Any, **where: Any) -> NoReturn:
        raise NotImplementedError

    def deeper(self, position: Position) -> None:
        """Enter one more level of evaluation (leave it with `self.depth -= 1`).

        Evaluation recurses once per level, so `((((...))))`, `-not -not ...`,
        nested blocks or a function calling itself a thousand times deep would
        exhaust Python's stack: past `MAX_NESTING` levels it is a located error.
        """
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.depth -= 1
            self.fail(
                f"statements, expressions and function calls nest more than {MAX_NESTING} levels deep here",
                position,
            )

    def room(self, size: int, kind: str, position: Position) -> None:
        """Refuse to build text, a list or a hashtable of `size` past `MAX_VALUE_SIZE` (before it is built)."""
        if size > MAX_VALUE_SIZE:
            unit = {"text": "characters", "list": "items", "hashtable": "entries"}[kind]
            self.fail(
                f"this would build {'a ' if kind != 'text' else ''}{kind} of {size:,} {unit}, "
                f"more than the reader's limit of {MAX_VALUE_SIZE:,}",
                position,
            )

    def nested(self, value: Value, position: Position) -> Value:
        """`value` (a list or hashtable just built around others), refused past `MAX_NESTING` levels."""
        if nesting_of(value, MAX_NESTING) > MAX_NESTING:
            self.fail(f"lists and hashtables nest more than {MAX_NESTING} levels deep here", position)
        return value

    def flatten(self, values: list[Value], position: Position) -> tuple[Value, ...]:
        """Output of statements, as `@()` collects it: lists are enumerated once.

        Past `MAX_VALUE_SIZE` items it is an error at `position`.
        """
        result: list[Value] = []
        for value in values:
            result.extend(value if isinstance(value, tuple) else (value,))
            if len(result) > MAX_VALUE_SIZE:
                self.room(len(result), "list", position)
        return tuple(result)

    def joined(self, texts: Iterable[str], separator: str, position: Position) -> str:
        """`separator.join(texts)`, refused as soon as it would pass `MAX_VALUE_SIZE` characters."""
        parts: list[str] = []
        total = -len(separator)
        for text in texts:
            total += len(separator) + len(text)
            self.room(total, "text", position)
            parts.append(text)
        return separator.join(parts)

    def substituted(
        self,
        pattern: re.Pattern[str],
        replacement: str | Callable[[re.Match[str]], str],
        text: str,
        position: Position,
    ) -> str:
        """`pattern.sub(replacement, text)`, refused as soon as the result would pass `MAX_VALUE_SIZE`."""
        grown = len(text)

        def expand(match: re.Match[str]) -> str:
            nonlocal grown
            result = match.expand(replacement) if isinstance(replacement, str) else replacement(match)
            grown += len(result) - len(match.group())
            self.room(grown, "text", position)
            return result

        return pattern.sub(expand, text)

    @staticmethod
    def grown(key: str, text: str, arguments: list[Value]) -> int:
        """The length of what a string method that can grow its text (`Replace`, `PadLeft`) makes."""
        if key == "replace" and len(arguments) == 2 and all(isinstance(a, str) for a in arguments):
            old, new = str(arguments[0]), str(arguments[1])
            count = text.count(old) if old else len(text) + 1
            return len(text) + count * max(0, len(new) - len(old))
        if key in {"padleft", "padright"} and arguments and isinstance(arguments[0], int):
            return max(len(text), arguments[0])
        return len(text)
