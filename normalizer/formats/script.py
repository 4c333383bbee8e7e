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
    """`$name` (the name without `$` or a scope such as `script:`, which is kept in `scope`)."""

    name: str
    position: Position
    scope: str = ""


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

    pairs: tuple[tuple[str, Statement], ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Operation:
    """`left OPERATOR right`: `-eq`, `-like`, `-and`, `+`, `..`, `-f` ... (operator lower-cased, without `-`)."""

    left: Expression
    operator: str
    right: Expression
    position: Position


@dataclass(frozen=True, slots=True)
class Unary:
    """`-not value`, `!value`, `-value`, `+value` or `,value` (operator: `not`, `-`, `+`, `,`)."""

    operator: str
    operand: Expression
    position: Position


@dataclass(frozen=True, slots=True)
class Cast:
    """`[type]value`."""

    type_name: str
    operand: Expression
    position: Position


@dataclass(frozen=True, slots=True)
class TypeLiteral:
    """`[type]` on its own."""

    type_name: str
    position: Position


@dataclass(frozen=True, slots=True)
class StaticMember:
    """`[type]::Name` or `[type]::Method(arguments)` (arguments None for a property)."""

    type_name: str
    name: str
    arguments: tuple[Expression, ...] | None
    position: Position


@dataclass(frozen=True, slots=True)
class MethodCall:
    """`value.Method(arguments)`."""

    target: Expression
    name: str
    arguments: tuple[Expression, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Index:
    """`value[index]`."""

    target: Expression
    index: Expression
    position: Position


@dataclass(frozen=True, slots=True)
class ScriptBlock:
    """`{ statements }` as a value (what `Where-Object` and `ForEach-Object` take)."""

    statements: tuple[Statement, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Concatenation:
    """Command-mode pieces written without space between them: one argument (`$P'/Name'`)."""

    parts: tuple[Expression, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Paren:
    """`( pipeline )` or `( assignment )`."""

    content: Pipeline | Assignment
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
    | Operation
    | Unary
    | Cast
    | TypeLiteral
    | StaticMember
    | MethodCall
    | Index
    | ScriptBlock
    | Concatenation
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
class Redirection:
    """`2>$null`, `*>&1`, `> file`: where a stream goes (target None for `&1`, `&2`)."""

    operator: str
    target: Expression | None
    position: Position


@dataclass(frozen=True, slots=True)
class Command:
    """A cmdlet call: its name, then parameters, arguments, splats and redirections in order.

    `name` is `&` for the call operator, whose first element names what is called.
    """

    name: str
    elements: tuple[Parameter | Splat | Redirection | Expression, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Pipeline:
    """`first | command | ...`; most statements are a pipeline of one."""

    elements: tuple[Command | Expression, ...]
    position: Position
    redirections: tuple[Redirection, ...] = ()
    """Redirections written after a first element that is a value: `(Get-X) 2>$null`."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """`$name = value`, `$name += value` (`-=`, `*=` ...); `scope` is `script` or `global` if written."""

    variable: str
    operator: str
    value: Statement
    position: Position
    scope: str = ""


@dataclass(frozen=True, slots=True)
class Increment:
    """`$name++` or `$name--`."""

    variable: str
    operator: str
    position: Position


@dataclass(frozen=True, slots=True)
class IfStatement:
    """`if (c) {...} elseif (c) {...} else {...}`."""

    clauses: tuple[tuple[Pipeline, tuple[Statement, ...]], ...]
    otherwise: tuple[Statement, ...] | None
    position: Position


@dataclass(frozen=True, slots=True)
class ForEach:
    """`foreach ($item in collection) {...}`."""

    variable: str
    collection: Pipeline
    body: tuple[Statement, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class For:
    """`for (init; condition; step) {...}` (each part may be missing)."""

    initial: Statement | None
    condition: Statement | None
    step: Statement | None
    body: tuple[Statement, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class While:
    """`while (c) {...}`, `do {...} while (c)` or `do {...} until (c)`."""

    condition: Pipeline
    body: tuple[Statement, ...]
    position: Position
    body_first: bool = False
    until: bool = False


@dataclass(frozen=True, slots=True)
class Switch:
    """`switch (value) { match {...} default {...} }` (a `default` clause has match None)."""

    value: Pipeline
    clauses: tuple[tuple[Expression | None, tuple[Statement, ...]], ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Try:
    """`try {...} catch {...} finally {...}`."""

    body: tuple[Statement, ...]
    catches: tuple[tuple[Statement, ...], ...]
    final: tuple[Statement, ...] | None
    position: Position


@dataclass(frozen=True, slots=True)
class ParameterDeclaration:
    """One parameter of `param(...)` or of a function: its name, types and default."""

    name: str
    type_names: tuple[str, ...]
    default: Expression | None
    position: Position

    @property
    def is_switch(self) -> bool:
        return any(name.lower() in {"switch", "system.management.automation.switchparameter"} for name in self.type_names)


@dataclass(frozen=True, slots=True)
class ParamBlock:
    """`param(...)`: a script's or function's parameters."""

    parameters: tuple[ParameterDeclaration, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class FunctionDefinition:
    """`function Name (parameters) { body }` (parameters also from the body's `param`)."""

    name: str
    parameters: tuple[ParameterDeclaration, ...]
    body: tuple[Statement, ...]
    position: Position


@dataclass(frozen=True, slots=True)
class Flow:
    """`exit`, `return`, `throw`, `break` or `continue` (keyword lower-cased), with its value."""

    keyword: str
    value: Expression | None
    position: Position


Statement: TypeAlias = (
    Assignment
    | Increment
    | IfStatement
    | ForEach
    | For
    | While
    | Switch
    | Try
    | ParamBlock
    | FunctionDefinition
    | Flow
    | Pipeline
)


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed script: its statements and the text they came from."""

    statements: tuple[Statement, ...]
    text: str
