"""The values a dial plan script holds, and the syntax walks the reader needs.

Text, numbers, booleans, `$null`, lists, hashtables, prompt choices, the rules
and plans the cmdlets return, and `Unknown` for what only a live tenant or a
person at the keyboard knows. `normalizer.formats.evaluation` computes them.

>>> kind_of((1, 2)), Choice("&User").name
('a list', 'User')
>>> Unknown("Read-Host at line 3").origin
'Read-Host at line 3'
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from normalizer.formats.script import (
    ArrayExpression,
    Assignment,
    Command,
    Expandable,
    Flow,
    For,
    ForEach,
    FunctionDefinition,
    Hashtable,
    IfStatement,
    Increment,
    Literal,
    Member,
    MethodCall,
    ParamBlock,
    Paren,
    Pipeline,
    Position,
    ScriptBlock,
    Switch,
    Try,
    Variable,
    While,
)
from normalizer.models import NormalizationRule

MAX_ITERATIONS = 100_000
"""A loop that runs more often than this is an error (a script that never ends)."""
MAX_VALUE_SIZE = 1_000_000
"""The most characters in a string, or items in a list or hashtable, a script may build:
a dial plan script needs thousands at most, and doubling a string forty times would
take the machine's memory."""


@dataclass(frozen=True, slots=True)
class IgnoredStatement:
    """A statement that changed no dial plan and why; or, with `note`, a decision the reader took."""

    line: int
    column: int
    command: str
    reason: str
    note: bool = False

    def __str__(self) -> str:
        return f"line {self.line}: {self.command}: {self.reason}"


@dataclass(frozen=True, slots=True)
class RuleObject:
    """What `New-CsVoiceNormalizationRule` returns."""

    rule: NormalizationRule
    parent: str
    priority: int | None
    position: Position
    priority_position: Position | None = None
    """Where `-Priority` was written, to point at it when it does not fit the plan."""


@dataclass(frozen=True, slots=True)
class PlanObject:
    """What `Get-CsTenantDialPlan` returns: a copy of a plan as it was then."""

    identity: str
    description: str
    simple_name: str
    rules: tuple[RuleObject, ...]
    external_access_prefix: str | None
    optimize_device_dialing: bool


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value the script cannot know, such as what `Get-Credential` returns."""

    origin: str


@dataclass(frozen=True, slots=True)
class Choice:
    """A prompt choice (`New-Object ...ChoiceDescription '&User', 'help'`)."""

    label: str
    help: str = ""

    @property
    def name(self) -> str:
        return self.label.replace("&", "")


@dataclass(frozen=True, slots=True)
class Table:
    """A hashtable's entries, keys in the order written (looked up case-insensitively)."""

    entries: tuple[tuple[str, Value, Position], ...]

    def get(self, key: str) -> tuple[Value, Position] | None:
        for name, value, position in self.entries:
            if name.lower() == key.lower():
                return value, position
        return None


@dataclass(frozen=True, slots=True)
class Block:
    """A script block value (`{ ... }`), kept as written: the reader does not run it."""

    node: ScriptBlock


Value: TypeAlias = (
    str
    | int
    | float
    | bool
    | None
    | RuleObject
    | PlanObject
    | Table
    | Choice
    | Block
    | Unknown
    | tuple["Value", ...]
)

_SILENT = {"silentlycontinue", "ignore"}
_AUTOMATIC = {
    "_",
    "psitem",
    "args",
    "input",
    "home",
    "host",
    "pwd",
    "psscriptroot",
    "pscommandpath",
    "psversiontable",
    "pscmdlet",
    "myinvocation",
    "error",
    "matches",
    "lastexitcode",
    "?",
    "$",
    "^",
}
TEXT, BOOL, INT, SWITCH, ANY = "text", "bool", "int", "switch", "any"
_COMMON = {
    "ErrorAction": TEXT,
    "WarningAction": ANY,
    "InformationAction": ANY,
    "ErrorVariable": ANY,
    "WarningVariable": ANY,
    "InformationVariable": ANY,
    "OutVariable": ANY,
    "OutBuffer": ANY,
    "PipelineVariable": ANY,
    "Verbose": SWITCH,
    "Debug": SWITCH,
    "WhatIf": SWITCH,
    "Confirm": SWITCH,
    "Force": SWITCH,
    "PassThru": SWITCH,
    "Tenant": ANY,
}
_DISCARDING = {"out-null"}
# Commands that write to the console or wait, never to the pipeline.
_NO_OUTPUT = {
    "write-host",
    "write-verbose",
    "write-warning",
    "write-debug",
    "write-information",
    "write-progress",
    "start-sleep",
    "clear-host",
    "cls",
    "pause",
    "out-null",
    "out-host",
    "out-default",
    "import-module",
    "set-strictmode",
}
_TRUE_WORDS = {"true", "$true", "1", "yes", "y"}
_FALSE_WORDS = {"false", "$false", "0", "no", "n", ""}


@dataclass(frozen=True, slots=True)
class Spec:
    """A cmdlet's parameters (name -> kind) and the order of its positional ones."""

    parameters: dict[str, str]
    positional: tuple[str, ...] = ()
    open: bool = False
    """Other parameters are allowed and not read (user cmdlets carry many)."""


@dataclass(slots=True)
class Bound:
    """A command's parameters after binding: canonical name -> (value, where it was written)."""

    command: Command
    values: dict[str, tuple[Value, Position]] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.values

    def position(self, name: str) -> Position:
        found = self.values.get(name)
        return found[1] if found else self.command.position


class Undecidable(Exception):
    """Something the reader cannot know decided a value (caught per statement)."""

    def __init__(self, detail: str, position: Position) -> None:
        super().__init__(detail)
        self.detail = detail
        self.position = position


class _Stop(Exception):
    """`exit`, `return`, `break`, `continue` or `throw`: leaves blocks up to who handles it."""

    def __init__(self, keyword: str, position: Position, value: Value = None) -> None:
        super().__init__(keyword)
        self.keyword = keyword
        self.position = position
        self.value = value
        self.output: list[Value] = []


def kind_of(value: Value) -> str:
    if isinstance(value, RuleObject):
        return "a normalization rule"
    if isinstance(value, PlanObject):
        return "a dial plan"
    if isinstance(value, Table):
        return "a hashtable"
    if isinstance(value, tuple):
        return "a list"
    if isinstance(value, Choice):
        return "a prompt choice"
    if isinstance(value, Block):
        return "a script block"
    if value is None:
        return "$null"
    return type(value).__name__


def describe(statement: Any, depth: int = 0) -> str:
    """A statement in a few words, for the list of statements passed over (`...` deep inside)."""
    if depth > 3:
        return "..."
    if isinstance(statement, Command):
        return statement.name
    if isinstance(statement, Pipeline):
        return " | ".join(describe(element, depth + 1) for element in statement.elements)
    if isinstance(statement, Assignment):
        return f"${statement.variable} {statement.operator} {describe(statement.value, depth + 1)}"
    if isinstance(statement, Increment):
        return f"${statement.variable}{statement.operator}"
    if isinstance(statement, Variable):
        return f"${statement.name}"
    if isinstance(statement, Literal):
        text = repr(statement.value)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(statement, ArrayExpression):
        return "@(...)"
    if isinstance(statement, Hashtable):
        return "@{...}"
    if isinstance(statement, Expandable):
        return '"..."'
    if isinstance(statement, MethodCall):
        return f"{describe(statement.target, depth + 1)}.{statement.name}()"
    if isinstance(statement, Member):
        return describe(statement.target, depth + 1) + "".join(f".{name}" for name in statement.names)
    if isinstance(statement, Paren):
        return f"({describe(statement.content, depth + 1)})"
    if isinstance(statement, Flow):
        return statement.keyword
    keywords: list[tuple[type, str]] = [
        (IfStatement, "if"),
        (ForEach, "foreach"),
        (For, "for"),
        (While, "while"),
        (Switch, "switch"),
        (Try, "try"),
        (ParamBlock, "param"),
        (FunctionDefinition, "function"),
    ]
    for kind, word in keywords:
        if isinstance(statement, kind):
            return word
    return "a value"


def _children(node: Any) -> Iterator[Any]:
    """The nodes directly inside a node (for walks over the syntax)."""
    if isinstance(node, tuple):
        yield from node
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for item in dataclasses.fields(node):
            yield getattr(node, item.name)


def _walk(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(_children(current))))


def _wildcard(pattern: str, *, case: bool) -> re.Pattern[str]:
    """A `-like` pattern (`*`, `?`, `[...]`) as a regular expression."""
    return re.compile(fnmatch.translate(pattern), re.DOTALL | (0 if case else re.IGNORECASE))


_OPERATORS = frozenset(
    {
        "eq",
        "ne",
        "gt",
        "ge",
        "lt",
        "le",
        "like",
        "notlike",
        "match",
        "notmatch",
        "contains",
        "notcontains",
        "in",
        "notin",
        "replace",
        "split",
        "join",
        "is",
        "isnot",
        "as",
    }
)


# The string methods scripts call, as .NET defines them (those the reader evaluates).
_STRING_METHODS: dict[str, Callable[..., Value]] = {
    "tolower": lambda s: s.lower(),
    "toupper": lambda s: s.upper(),
    "trim": lambda s, chars=None: s.strip(chars),
    "trimstart": lambda s, chars=None: s.lstrip(chars),
    "trimend": lambda s, chars=None: s.rstrip(chars),
    "tostring": lambda s: s,
    "startswith": lambda s, other: s.startswith(other),
    "endswith": lambda s, other: s.endswith(other),
    "contains": lambda s, other: other in s,
    "indexof": lambda s, other: s.find(other),
    "lastindexof": lambda s, other: s.rfind(other),
    "replace": lambda s, old, new: s.replace(old, new),
    "substring": lambda s, start, length=None: (
        s[start:] if length is None else s[start : start + length]
    ),
    "split": lambda s, separators=None: (
        tuple(re.split("[" + re.escape(separators) + "]", s)) if separators else tuple(s.split())
    ),
    "padleft": lambda s, width, char=" ": s.rjust(width, char),
    "padright": lambda s, width, char=" ": s.ljust(width, char),
}
