"""The syntax of a dial plan script: statements and values, each knowing where it starts.

`normalizer.formats.powershell` builds these nodes from its lark grammar;
`normalizer.formats.cmdlets` runs them. Nothing here knows PowerShell's
tokens or what a cmdlet does.

>>> Command("Write-Host", (), Position(1, 1)).name
'Write-Host'
>>> Position(0, 1)
Traceback (most recent call last):
...
ValueError: a position counts lines and columns from 1, not (0, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Position:
    """Where a node starts: line and column, both from 1."""

    line: int
    column: int

    def __post_init__(self) -> None:
        if self.line < 1 or self.column < 1:
            raise ValueError(
                f"a position counts lines and columns from 1, not ({self.line}, {self.column})"
            )


@dataclass(frozen=True, slots=True)
class Literal:
    """A value written as it is: a quoted string, a bare word or a number."""

    value: str | int | float
    position: Position
    bare: bool = False


@dataclass(frozen=True, slots=True)
class Variable:
    """`$name` (the name without `$` or a scope such as `script:`)."""

    name: str
    position: Position


@dataclass(frozen=True, slots=True)
class Embedded:
    """A `$(...)` inside a double-quoted string, kept as text."""

    text: str
    position: Position


@dataclass(frozen=True, slots=True)
class Expandable:
    """A double-quoted string: text and the variables PowerShell expands in it."""

    parts: tuple[str | Variable | Embedded, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Member:
    """`value.Name.Other`: property access."""

    target: Expression
    names: tuple[str, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class ArrayLiteral:
    """`a, b, c`: the comma operator."""

    items: tuple[Expression, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class ArrayExpression:
    """`@( statements )`: their output as an array."""

    statements: tuple[Statement, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Subexpression:
    """`$( statements )`: their output as a value."""

    statements: tuple[Statement, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Hashtable:
    """`@{ Key = value; ... }` (keys in the order written)."""

    pairs: tuple[tuple[str, Pipeline], ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Comparison:
    """`left -eq right` or `left -ne right` (`-ceq`/`-cne` case-sensitive)."""

    left: Expression
    operator: str
    right: Expression
    position: Position


@dataclass(frozen=True, slots=True)
class Negation:
    """`-not value` or `!value`."""

    operand: Expression
    position: Position


@dataclass(frozen=True, slots=True)
class Paren:
    """`( pipeline )` or `( comparison )`."""

    content: Pipeline | Comparison
    position: Position


Expression: TypeAlias = (
    Literal
    | Variable
    | Expandable
    | Member
    | ArrayLiteral
    | ArrayExpression
    | Subexpression
    | Hashtable
    | Comparison
    | Negation
    | Paren
)


@dataclass(frozen=True, slots=True)
class Parameter:
    """`-Name` or `-Name:` (the colon binds the next element as its value)."""

    name: str
    has_colon: bool
    position: Position


@dataclass(frozen=True, slots=True)
class Splat:
    """`@name`: a hashtable's entries passed as parameters."""

    name: str
    position: Position


@dataclass(frozen=True, slots=True)
class Command:
    """A cmdlet call: its name, then parameters, arguments and splats in order."""

    name: str
    elements: tuple[Parameter | Splat | Expression, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Pipeline:
    """`first | command | ...`; most statements are a pipeline of one."""

    elements: tuple[Command | Expression, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Assignment:
    """`$name = value` or `$name += value`."""

    variable: str
    operator: str
    value: Pipeline
    position: Position


@dataclass(frozen=True, slots=True)
class IfStatement:
    """`if (c) {...} elseif (c) {...} else {...}`."""

    clauses: tuple[tuple[Pipeline | Comparison, tuple[Statement, ...]], ...]
    otherwise: tuple[Statement, ...] | None
    position: Position


Statement: TypeAlias = Assignment | IfStatement | Pipeline


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed script: its statements and the text they came from."""

    statements: tuple[Statement, ...]
    text: str
