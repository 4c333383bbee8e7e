r"""Running a script's statements: PowerShell's values, variables, conditions and parameter binding.

The generic half of reading a dial plan script: `cmdlets` subclasses
`Interpreter` with what each dial plan cmdlet does. Values are what such
scripts hold: text, numbers, booleans, `$null`, lists, hashtables, the rules
and plans the cmdlets return, and `Unknown` for what a script cannot know
(what `Get-Credential` returns). A variable that was never assigned is an
error, not `$null`: a misspelt `$NR` must not silently empty a plan.

>>> from normalizer.formats.powershell import parse_script
>>> run = Interpreter(parse_script("$a = 'x'\n$b = @($a, \"$a-y\")\nWrite-Host $b"))
>>> _ = run.run(run.script.statements)
>>> run.variables["b"], [str(statement) for statement in run.ignored]
(('x', 'x-y'), ['line 3: Write-Host: not a dial plan statement'])
>>> failing = Interpreter(parse_script("$c = $d"))
>>> failing.run(failing.script.statements)
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: <script>: line 1, column 6: variable $d is not defined
    $c = $d
         ^
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeAlias

from normalizer.errors import DialplanError, TenantFileError
from normalizer.formats.script import (
    ArrayExpression,
    ArrayLiteral,
    Assignment,
    Command,
    Comparison,
    Embedded,
    Expandable,
    Expression,
    Hashtable,
    IfStatement,
    Literal,
    Member,
    Negation,
    Parameter,
    Pipeline,
    Position,
    Script,
    Splat,
    Statement,
    Subexpression,
    Variable,
)
from normalizer.formats.text import located
from normalizer.models import GLOBAL_IDENTITY, NormalizationRule


@dataclass(frozen=True, slots=True)
class IgnoredStatement:
    """A statement that changed no dial plan, and why."""

    line: int
    column: int
    command: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.command}: {self.reason}"


@dataclass(frozen=True, slots=True)
class RuleObject:
    """What `New-CsVoiceNormalizationRule -InMemory` returns."""

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
class Table:
    """A hashtable's entries, keys in the order written (looked up case-insensitively)."""

    entries: tuple[tuple[str, Value, Position], ...]

    def get(self, key: str) -> tuple[Value, Position] | None:
        for name, value, position in self.entries:
            if name.lower() == key.lower():
                return value, position
        return None


Value: TypeAlias = (
    str
    | int
    | float
    | bool
    | None
    | RuleObject
    | PlanObject
    | Table
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
    "error",
    "matches",
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


def kind_of(value: Value) -> str:
    if isinstance(value, RuleObject):
        return "a normalization rule"
    if isinstance(value, PlanObject):
        return "a dial plan"
    if isinstance(value, Table):
        return "a hashtable"
    if isinstance(value, tuple):
        return "a list"
    if value is None:
        return "$null"
    return type(value).__name__


def describe(statement: Statement | Command | Expression) -> str:
    """A statement in a few words, for the list of ignored statements."""
    if isinstance(statement, Command):
        return statement.name
    if isinstance(statement, Pipeline):
        return " | ".join(describe(element) for element in statement.elements)
    if isinstance(statement, Assignment):
        return f"${statement.variable} {statement.operator} {describe(statement.value)}"
    if isinstance(statement, IfStatement):
        return "if"
    if isinstance(statement, Variable):
        return f"${statement.name}"
    return "a value"


class Interpreter:
    """One run of one script; `handlers` maps lower-case cmdlet names to what they do."""

    def __init__(self, script: Script, source: str = "<script>") -> None:
        self.script = script
        self.text = script.text
        self.source = source
        self.variables: dict[str, Value] = {}
        self.ignored: list[IgnoredStatement] = []
        self.handlers: dict[str, Callable[[Command], Value]] = {}

    # Errors and notes ---------------------------------------------------------

    def fail(
        self,
        detail: str,
        position: Position,
        error: type[DialplanError] = TenantFileError,
        **where: Any,
    ) -> NoReturn:
        raise error(
            located(detail, self.text, position.line, position.column),
            file=self.source,
            line=position.line,
            column=position.column,
            **where,
        )

    def ignore(self, statement: Statement | Command, reason: str) -> None:
        self.ignored.append(
            IgnoredStatement(
                statement.position.line, statement.position.column, describe(statement), reason
            )
        )

    def is_silent(self, bound: Bound) -> bool:
        if bound.has("ErrorAction"):
            return str(self.text_of(bound, "ErrorAction")).lower() in _SILENT
        preference = self.variables.get("erroractionpreference")
        return isinstance(preference, str) and preference.lower() in _SILENT

    def refuse(self, bound: Bound, detail: str) -> None:
        """An error Teams would report: the statement changes nothing if errors are silenced."""
        if not self.is_silent(bound):
            self.fail(detail, bound.command.position)
        self.ignore(bound.command, f"{detail} (errors silenced)")

    # Statements ---------------------------------------------------------------

    def run(self, statements: Iterable[Statement], *, collect: bool = False) -> list[Value]:
        """Run statements in order; return what they output (collected by `@()` and `$()`)."""
        output: list[Value] = []
        for statement in statements:
            if isinstance(statement, Assignment):
                self.assign(statement)
            elif isinstance(statement, IfStatement):
                output += self.branch(statement)
            else:
                value = self.pipeline(statement)
                if (
                    not collect
                    and len(statement.elements) == 1
                    and not isinstance(statement.elements[0], Command)
                ):
                    self.ignore(statement, "a value on its own (PowerShell prints it)")
                if value is not None:
                    output.append(value)
        return output

    def assign(self, statement: Assignment) -> None:
        value = self.pipeline(statement.value)
        written = statement.variable
        name = written.lower()
        if name in {"true", "false", "null"}:
            self.fail(f"${written} cannot be assigned", statement.position)
        if statement.operator == "+=":
            if name not in self.variables:
                self.fail(
                    f"${written} += ...: the variable is not defined (start with ${written} = @())",
                    statement.position,
                )
            value = self.add(self.variables[name], value, statement.position)
        self.variables[name] = value

    def add(self, left: Value, right: Value, position: Position) -> Value:
        if isinstance(left, tuple):
            return left + (right if isinstance(right, tuple) else (right,))
        if left is None:
            return right
        if isinstance(left, str) and not isinstance(
            right, (tuple, Table, RuleObject, PlanObject, Unknown)
        ):
            return left + self.as_text(right, position)
        if (
            isinstance(left, (int, float))
            and not isinstance(left, bool)
            and isinstance(right, (int, float))
        ):
            return left + right
        self.fail(
            f"cannot add {kind_of(right)} to {kind_of(left)} (start a list with @())", position
        )

    def branch(self, statement: IfStatement) -> list[Value]:
        for index, (condition, block) in enumerate(statement.clauses):
            if self.is_true(self.condition(condition), condition.position):
                self.skip(statement, index)
                return self.run(block)
        self.skip(statement, len(statement.clauses))
        return self.run(statement.otherwise or ())

    def skip(self, statement: IfStatement, taken: int) -> None:
        """List the statements of the branches not taken."""
        blocks = [block for index, (_, block) in enumerate(statement.clauses) if index != taken]
        if taken < len(statement.clauses) and statement.otherwise:
            blocks.append(statement.otherwise)
        reason = f"not run: the if at line {statement.position.line} took another branch"
        for block in blocks:
            for inner in block:
                self.ignore(inner, reason)

    def condition(self, condition: Pipeline | Comparison) -> Value:
        if isinstance(condition, Comparison):
            return self.compare(condition)
        return self.pipeline(condition)

    def pipeline(self, pipeline: Pipeline) -> Value:
        if len(pipeline.elements) == 1:
            return self.element(pipeline.elements[0])
        for element in pipeline.elements:
            if isinstance(element, Command) and self.touches_dial_plans(element.name):
                self.fail(
                    f"a pipeline into {element.name} cannot be followed: name each user or plan with -Identity",
                    element.position,
                )
        self.ignore(pipeline, "not a dial plan statement")
        return Unknown(f"the pipeline at line {pipeline.position.line}")

    def element(self, element: Command | Expression) -> Value:
        if isinstance(element, Command):
            return self.command(element)
        return self.expression(element)

    def touches_dial_plans(self, name: str) -> bool:
        """Whether a command changes dial plans (then it must be understood, never skipped)."""
        return name.lower() in self.handlers

    def command(self, command: Command) -> Value:
        handler = self.handlers.get(command.name.lower())
        if handler is not None:
            return handler(command)
        if self.touches_dial_plans(command.name):
            self.fail(f"{command.name} is not supported by the reader", command.position)
        self.ignore(command, "not a dial plan statement")
        return Unknown(f"{command.name} (line {command.position.line})")

    # Values -------------------------------------------------------------------

    def expression(self, node: Expression) -> Value:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Variable):
            return self.variable(node.name, node.position)
        if isinstance(node, Expandable):
            return self.expand(node)
        if isinstance(node, Member):
            value = self.expression(node.target)
            for name in node.names:
                value = self.member(value, name, node.position)
            return value
        if isinstance(node, ArrayLiteral):
            return tuple(self.expression(item) for item in node.items)
        if isinstance(node, ArrayExpression):
            return self.flatten(self.run(node.statements, collect=True))
        if isinstance(node, Subexpression):
            output = self.flatten(self.run(node.statements, collect=True))
            return output[0] if len(output) == 1 else output
        if isinstance(node, Hashtable):
            return Table(
                tuple((key, self.pipeline(value), value.position) for key, value in node.pairs)
            )
        if isinstance(node, Comparison):
            return self.compare(node)
        if isinstance(node, Negation):
            return not self.is_true(self.expression(node.operand), node.position)
        return self.condition(node.content)

    @staticmethod
    def flatten(values: list[Value]) -> tuple[Value, ...]:
        """Output of statements, as `@()` collects it: lists are enumerated once."""
        result: list[Value] = []
        for value in values:
            result.extend(value if isinstance(value, tuple) else (value,))
        return tuple(result)

    def variable(self, written: str, position: Position) -> Value:
        name = written.lower()
        constants: dict[str, Value] = {"true": True, "false": False, "null": None}
        if name in constants:
            return constants[name]
        if name in self.variables:
            return self.variables[name]
        if name in _AUTOMATIC or name.startswith("env:"):
            return Unknown(f"${written}")
        self.fail(f"variable ${written} is not defined", position)

    def expand(self, node: Expandable) -> str:
        pieces: list[str] = []
        for part in node.parts:
            if isinstance(part, str):
                pieces.append(part)
            elif isinstance(part, Embedded):
                self.fail(
                    f"{part.text} inside a double-quoted string is not supported", part.position
                )
            elif part.name.lower() in self.variables or part.name.lower() in {
                "true",
                "false",
                "null",
            }:
                pieces.append(self.as_text(self.variable(part.name, part.position), part.position))
            else:
                self.fail(
                    f"${part.name} in a double-quoted string is not a defined variable "
                    "(PowerShell would put nothing there; write patterns and translations in single quotes)",
                    part.position,
                )
        return "".join(pieces)

    def member(self, value: Value, name: str, position: Position) -> Value:
        key = name.lower()
        if isinstance(value, Unknown):
            return value
        if isinstance(value, PlanObject):
            plan_members: dict[str, Value] = {
                "identity": value.identity
                if value.identity == GLOBAL_IDENTITY
                else f"Tag:{value.identity}",
                "description": value.description,
                "simplename": value.simple_name,
                "normalizationrules": value.rules,
                "externalaccessprefix": value.external_access_prefix,
                "optimizedevicedialing": value.optimize_device_dialing,
            }
            if key in plan_members:
                return plan_members[key]
        elif isinstance(value, RuleObject):
            rule = value.rule
            rule_members: dict[str, Value] = {
                "name": rule.name,
                "description": rule.description,
                "pattern": rule.pattern,
                "translation": rule.translation,
                "isinternalextension": rule.is_internal_extension,
                "priority": value.priority,
            }
            if key in rule_members:
                return rule_members[key]
        elif (isinstance(value, tuple) and key in {"count", "length"}) or (
            isinstance(value, str) and key == "length"
        ):
            return len(value)
        elif isinstance(value, Table):
            found = value.get(name)
            return found[0] if found else None
        self.fail(f"{kind_of(value)} has no property {name!r} the reader knows", position)

    def compare(self, node: Comparison) -> bool:
        left = self.expression(node.left)
        right = self.expression(node.right)
        for value in (left, right):
            if isinstance(value, Unknown):
                self.fail(
                    f"cannot compare: the value of {value.origin} is not known", node.position
                )
            if isinstance(value, tuple):
                self.fail("comparing a list is not supported", node.position)
        if isinstance(left, str) and isinstance(right, str) and not node.operator.startswith("c"):
            equal = left.casefold() == right.casefold()
        else:
            equal = left == right and type(left) is type(right) or (left is None and right is None)
        return equal if node.operator.endswith("eq") else not equal

    def is_true(self, value: Value, position: Position) -> bool:
        """PowerShell's truth: $null, '', 0, and empty lists are false."""
        if isinstance(value, Unknown):
            self.fail(
                f"cannot decide the condition: the value of {value.origin} is not known", position
            )
        if isinstance(value, tuple):
            return len(value) > 1 or (len(value) == 1 and self.is_true(value[0], position))
        if isinstance(value, (RuleObject, PlanObject, Table)):
            return True
        return bool(value)

    def as_text(self, value: Value, position: Position) -> str:
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, (str, int, float)):
            return str(value)
        if value is None:
            return ""
        if isinstance(value, tuple):
            return " ".join(self.as_text(item, position) for item in value)
        if isinstance(value, Unknown):
            self.fail(f"the value of {value.origin} is not known", position)
        self.fail(f"expects text, not {kind_of(value)}", position)

    # Binding ------------------------------------------------------------------

    def bind(self, command: Command, spec: Spec) -> Bound:
        """Bind a command's parameters, splats and positional arguments to `spec`."""
        known = {**spec.parameters, **_COMMON}
        bound = Bound(command)
        positional = list(spec.positional)
        elements = list(command.elements)
        index = 0

        def store(name: str, value: Value, position: Position) -> None:
            if name in bound.values:
                self.fail(f"parameter -{name} is given twice", position)
            bound.values[name] = (value, position)

        while index < len(elements):
            element = elements[index]
            index += 1
            if isinstance(element, Splat):
                table = self.variable(element.name, element.position)
                if not isinstance(table, Table):
                    self.fail(
                        f"@{element.name} splats {kind_of(table)}, not a hashtable",
                        element.position,
                    )
                for key, value, position in table.entries:
                    name = self.parameter_name(key, known, spec, position)
                    if name is not None:
                        store(name, value, position)
                continue
            if isinstance(element, Parameter):
                name = self.parameter_name(element.name, known, spec, element.position)
                kind = known.get(name or "", ANY)
                following = elements[index] if index < len(elements) else None
                takes_value = element.has_colon or kind != SWITCH
                if not takes_value:
                    if name is not None:
                        store(name, True, element.position)
                    continue
                if following is None or isinstance(following, (Parameter, Splat)):
                    if name is None:
                        continue
                    self.fail(f"parameter -{name} needs a value", element.position)
                index += 1
                if name is not None:
                    store(name, self.expression(following), following.position)
                continue
            if not positional:
                self.fail(f"{command.name} takes no more positional arguments", element.position)
            store(positional.pop(0), self.expression(element), element.position)
        return bound

    def parameter_name(
        self, written: str, known: dict[str, str], spec: Spec, position: Position
    ) -> str | None:
        """The canonical name of `-written` (PowerShell takes any unambiguous prefix)."""
        lowered = written.lower()
        exact = [name for name in known if name.lower() == lowered]
        if exact:
            return exact[0]
        matches = [name for name in known if name.lower().startswith(lowered)]
        if len(matches) == 1:
            return matches[0]
        if spec.open:
            return None
        if matches:
            self.fail(
                f"parameter -{written} is ambiguous: {', '.join('-' + m for m in sorted(matches))}",
                position,
            )
        names = ", ".join(f"-{name}" for name in spec.parameters)
        self.fail(f"parameter -{written} is not one the reader knows (known: {names})", position)

    def text_of(self, bound: Bound, name: str, default: str | None = None) -> str | None:
        found = bound.values.get(name)
        if found is None:
            return default
        value, position = found
        if value is None:
            return None
        return self.as_text(value, position)

    def required_text(self, bound: Bound, name: str) -> str:
        value = self.text_of(bound, name)
        if not value:
            self.fail(f"{bound.command.name} needs -{name}", bound.position(name))
        return value

    def bool_of(self, bound: Bound, name: str, default: bool = False) -> bool:
        found = bound.values.get(name)
        if found is None:
            return default
        value, position = found
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        self.fail(f"-{name} takes $true, $false, 1 or 0, not {value!r}", position)

    def int_of(self, bound: Bound, name: str) -> int | None:
        found = bound.values.get(name)
        if found is None:
            return None
        value, position = found
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        self.fail(f"-{name} takes a whole number, not {value!r}", position)

    def is_what_if(self, bound: Bound) -> bool:
        if self.bool_of(bound, "WhatIf"):
            self.ignore(bound.command, "-WhatIf: makes no change")
            return True
        return False
