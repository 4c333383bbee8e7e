r"""Running a script's statements: PowerShell's values, variables, operators, flow and binding.

The generic half of reading a dial plan script: `cmdlets` subclasses
`Interpreter` with what each dial plan cmdlet does. Values are what such
scripts hold: text, numbers, booleans, `$null`, lists, hashtables, prompt
choices, the rules and plans the cmdlets return, and `Unknown` for what only a
live tenant or a person at the keyboard knows (`Get-CsOnlineUser`,
`Read-Host`, `$Host`).

What is evaluated, what is passed over, what is an error:
- Statements run once, in order, as PowerShell runs them: assignments,
  `if`/`elseif`/`else`, `foreach` (over lists and ranges), `for`, `while`,
  `do`, `switch`, `try` (its `catch` blocks are not run), functions called in
  the script, `param(...)` defaults, operators, string expansion. `exit`,
  `return`, `break` and `throw` outside a loop or function end the script:
  nothing after them is imported.
- A prompt (`$Host.UI.PromptForChoice`, `Read-Host`) and a script parameter
  take the answer given as `answers[NAME]` (`--choice NAME=VALUE`, NAME being
  the variable it sets) or the prompt's default; a note says which.
- A statement that changes no dial plan and depends on something unknown is
  passed over (its variables become unknown); an `if` whose condition is
  unknown takes the branch that creates dial plans, with a note. Every
  statement passed over is listed with its line and why.
- A statement that changes dial plans and depends on something unknown (a
  pattern read from a prompt, a loop over live users) is an error naming its
  line: the reader never guesses what a rule is.

>>> from normalizer.formats.powershell import parse_script
>>> run = Interpreter(parse_script("$a = 'x'\n$b = @($a, \"$a-y\")\nWrite-Host $b"))
>>> run.run_script()
>>> run.variables["b"], [str(statement) for statement in run.ignored]
(('x', 'x-y'), ['line 3: Write-Host: not a dial plan statement'])
>>> failing = Interpreter(parse_script("$c = $d\nif ($c -eq 1) { New-CsTenantDialPlan -Identity P }"))
>>> failing.handlers["new-cstenantdialplan"] = lambda command: None
>>> failing.run_script()
>>> [str(statement) for statement in failing.ignored][0]
'line 1: $c = $d: passed over: variable $d is not defined'
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeAlias

from normalizer.errors import DialplanError, DialplanInputError, TenantFileError
from normalizer.formats.script import (
    ArrayExpression,
    ArrayLiteral,
    Assignment,
    Cast,
    Command,
    Concatenation,
    Embedded,
    Expandable,
    Expression,
    Flow,
    For,
    ForEach,
    FunctionDefinition,
    Hashtable,
    IfStatement,
    Increment,
    Index,
    Literal,
    Member,
    MethodCall,
    Operation,
    ParamBlock,
    Parameter,
    ParameterDeclaration,
    Paren,
    Pipeline,
    Position,
    Redirection,
    Script,
    ScriptBlock,
    Splat,
    Statement,
    StaticMember,
    Subexpression,
    Switch,
    Try,
    TypeLiteral,
    Unary,
    Variable,
    While,
)
from normalizer.formats.text import located
from normalizer.models import GLOBAL_IDENTITY, NormalizationRule

MAX_ITERATIONS = 100_000
"""A loop that runs more often than this is an error (a script that never ends)."""


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


def describe(statement: Any) -> str:
    """A statement in a few words, for the list of statements passed over."""
    if isinstance(statement, Command):
        return statement.name
    if isinstance(statement, Pipeline):
        return " | ".join(describe(element) for element in statement.elements)
    if isinstance(statement, Assignment):
        return f"${statement.variable} {statement.operator} {describe(statement.value)}"
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
        return f"{describe(statement.target)}.{statement.name}()"
    if isinstance(statement, Member):
        return describe(statement.target) + "".join(f".{name}" for name in statement.names)
    if isinstance(statement, Paren):
        return f"({describe(statement.content)})"
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


class Interpreter:
    """One run of one script; `handlers` maps lower-case cmdlet names to what they do.

    `answers` are the `--choice NAME=VALUE` answers (NAME lower-cased): for a
    prompt, `Read-Host` or script parameter whose value goes to `$NAME`.
    `parse` reads the `$(...)` inside double-quoted strings.
    """

    def __init__(
        self,
        script: Script,
        source: str = "<script>",
        *,
        answers: dict[str, str] | None = None,
        parse: Callable[[str], Script] | None = None,
    ) -> None:
        self.script = script
        self.text = script.text
        self.source = source
        self.variables: dict[str, Value] = {}
        self.frames: list[dict[str, Value]] = []
        self.ignored: list[IgnoredStatement] = []
        self.handlers: dict[str, Callable[[Command], Value]] = {}
        self.functions: dict[str, FunctionDefinition] = {}
        self.answers = {name.lower(): value for name, value in (answers or {}).items()}
        self.answer_names = {name.lower(): name for name in answers or {}}
        self.answered: set[str] = set()
        self.parse = parse
        self.assigning: str | None = None
        self.silence = 0
        self.consulted_tenant = False
        self.builtins: dict[str, Callable[[Command], Value]] = {
            "read-host": self.read_host,
            "new-object": self.new_object,
            "write-output": self.write_output,
            "echo": self.write_output,
        }
        # Every function the script defines, for asking whether a call changes dial plans.
        self.definitions = {
            node.name.lower(): node
            for node in _walk(script.statements)
            if isinstance(node, FunctionDefinition)
        }
        self._changing: dict[int, bool] = {}

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

    def ignore(self, statement: Any, reason: str) -> None:
        self.ignored.append(
            IgnoredStatement(
                statement.position.line, statement.position.column, describe(statement), reason
            )
        )

    def note(self, statement: Any, reason: str, what: str | None = None) -> None:
        """A decision the reader took (a prompt's answer, a branch taken), listed with the rest."""
        self.ignored.append(
            IgnoredStatement(
                statement.position.line,
                statement.position.column,
                what or describe(statement),
                reason,
                note=True,
            )
        )

    def is_silent(self, bound: Bound) -> bool:
        if self.silence:
            return True
        if bound.has("ErrorAction"):
            return str(self.text_of(bound, "ErrorAction")).lower() in _SILENT
        preference = self.variables.get("erroractionpreference")
        return isinstance(preference, str) and preference.lower() in _SILENT

    def refuse(self, bound: Bound, detail: str) -> None:
        """An error Teams would report: the statement changes nothing if errors are silenced."""
        if not self.is_silent(bound):
            self.fail(detail, bound.command.position)
        self.ignore(bound.command, f"{detail} (errors silenced)")

    # What changes dial plans ---------------------------------------------------

    def touches_dial_plans(self, name: str) -> bool:
        """Whether a command is about dial plans (then it must be understood, never skipped)."""
        return name.lower() in self.handlers

    def changes_dial_plans(self, name: str) -> bool:
        """Whether a command changes the tenant (reading cmdlets do not)."""
        verb = name.lower().partition("-")[0]
        return self.touches_dial_plans(name) and verb not in {"get", "test"}

    def changes(self, node: Any) -> bool:
        """Whether anything inside a node (a statement, a block) changes dial plans."""
        cached = self._changing.get(id(node))
        if cached is not None:
            return cached
        self._changing[id(node)] = False  # a function calling itself
        found = False
        for inner in _walk(node):
            if isinstance(inner, Command):
                if self.changes_dial_plans(inner.name):
                    found = True
                    break
                definition = self.definitions.get(inner.name.lower())
                if definition is not None and self.changes(definition.body):
                    found = True
                    break
        self._changing[id(node)] = found
        return found

    def creates(self, block: tuple[Statement, ...]) -> bool:
        """Whether a block creates a dial plan (the branch a live-tenant condition takes)."""
        for inner in _walk(block):
            if isinstance(inner, Command) and inner.name.lower() in {
                "new-cstenantdialplan",
                "new-csdialplan",
            }:
                return True
            if isinstance(inner, Command) and inner.name.lower() in self.definitions:
                definition = self.definitions[inner.name.lower()]
                if definition.body is not block and self.creates(definition.body):
                    return True
        return False

    def pass_over(self, statement: Statement, reason: str) -> None:
        """List a statement as passed over; the variables it sets become unknown."""
        self.ignore(statement, f"passed over: {reason}")
        origin = f"a variable set at line {statement.position.line} by a statement the reader passed over"
        for inner in _walk(statement):
            if isinstance(inner, Assignment | Increment):
                self.store(inner.variable, Unknown(origin), getattr(inner, "scope", ""))
            elif isinstance(inner, ForEach):
                self.store(inner.variable, Unknown(origin))

    # Statements ---------------------------------------------------------------

    def run_script(self) -> None:
        """Run the script's statements; `exit` (and the like) ends it, and what follows is listed."""
        statements = self.script.statements
        for index, statement in enumerate(statements):
            try:
                self.statement(statement, collect=False)
            except _Stop as stop:
                self.end(stop, statements[index + 1 :])
                break
        # A statement run many times (in a loop or function) is listed once.
        unique = dict.fromkeys(self.ignored)
        self.ignored = sorted(unique, key=lambda entry: (entry.line, entry.column))
        unused = sorted(set(self.answers) - self.answered)
        if unused:
            name = self.answer_names[unused[0]]
            raise DialplanInputError(
                f"--choice {name}=...: the script has no prompt, Read-Host or parameter "
                f"that sets ${name}",
                file=self.source,
            )

    def end(self, stop: _Stop, rest: tuple[Statement, ...]) -> None:
        why = {
            "exit": "exit ends the script",
            "return": "return outside a function ends the script",
            "break": "break outside a loop ends the script",
            "continue": "continue outside a loop ends the script",
            "throw": "throw outside a try block stops the script",
        }[stop.keyword]
        at = stop.position
        self.ignored.append(
            IgnoredStatement(
                at.line, at.column, stop.keyword, f"{why}: nothing after it is imported", note=True
            )
        )
        for statement in rest:
            self.ignore(statement, f"not run: the script ends at line {at.line} ({stop.keyword})")

    def run(self, statements: Iterable[Statement], *, collect: bool = True) -> list[Value]:
        """Run statements in order; return what they output (collected by `@()`, `$()`, functions)."""
        output: list[Value] = []
        for statement in statements:
            try:
                output += self.statement(statement, collect=collect)
            except _Stop as stop:
                stop.output[:0] = output
                raise
        return output

    def statement(self, statement: Statement, *, collect: bool) -> list[Value]:
        """Run one statement; passed over (or an error, if it changes dial plans) when undecidable."""
        try:
            return self.execute(statement, collect=collect)
        except Undecidable as exc:
            if self.changes(statement):
                self.fail(f"cannot be read safely: {exc.detail}", exc.position)
            self.pass_over(statement, exc.detail)
            return []

    def execute(self, statement: Statement, *, collect: bool) -> list[Value]:
        if isinstance(statement, Assignment):
            self.assign(statement)
            return []
        if isinstance(statement, Increment):
            current = self.variable(statement.variable, statement.position)
            step = 1 if statement.operator == "++" else -1
            self.store(statement.variable, self.arithmetic("+", current, step, statement.position))
            return []
        if isinstance(statement, IfStatement):
            return self.branch(statement)
        if isinstance(statement, ForEach):
            return self.foreach(statement)
        if isinstance(statement, For | While):
            return self.loop(statement)
        if isinstance(statement, Switch):
            return self.switch(statement)
        if isinstance(statement, Try):
            return self.attempt(statement)
        if isinstance(statement, ParamBlock):
            self.parameters(statement)
            return []
        if isinstance(statement, FunctionDefinition):
            self.functions[statement.name.lower()] = statement
            return []
        if isinstance(statement, Flow):
            value = self.expression(statement.value) if statement.value is not None else None
            raise _Stop(statement.keyword, statement.position, value)
        return self.pipeline_statement(statement, collect=collect)

    def pipeline_statement(self, statement: Pipeline, *, collect: bool) -> list[Value]:
        value = self.pipeline(statement)
        top = not collect and not self.frames
        if top and len(statement.elements) == 1 and not isinstance(statement.elements[0], Command):
            if isinstance(value, Unknown):
                self.ignore(statement, "not a dial plan statement")
            else:
                self.ignore(statement, "a value on its own (PowerShell prints it)")
        return [] if value is None else [value]

    def store(self, name: str, value: Value, scope: str = "") -> None:
        """Assign in the innermost scope (functions have their own), or the script's with `script:`."""
        key = name.lower()
        if scope in {"script", "global"} or not self.frames:
            self.variables[key] = value
        else:
            self.frames[-1][key] = value

    def assign(self, statement: Assignment) -> None:
        written = statement.variable
        name = written.lower()
        if name in {"true", "false", "null"}:
            self.fail(f"${written} cannot be assigned", statement.position)
        self.assigning = written
        try:
            value = self.value_of(statement.value)
        finally:
            self.assigning = None
        if statement.operator != "=":
            if not self.is_defined(name):
                self.fail(
                    f"${written} {statement.operator} ...: the variable is not defined "
                    f"(start with ${written} = @())",
                    statement.position,
                )
            current = self.variable(written, statement.position)
            operator = statement.operator[0]
            if operator == "+":
                value = self.add(current, value, statement.position)
            else:
                value = self.arithmetic(operator, current, value, statement.position)
        self.store(written, value, statement.scope)

    def value_of(self, statement: Statement) -> Value:
        """The value of an assignment's right side (a pipeline, or an `if`/`foreach`/`switch`)."""
        if isinstance(statement, Pipeline):
            return self.pipeline(statement)
        output = self.flatten(self.execute(statement, collect=True))
        return output[0] if len(output) == 1 else (None if not output else output)

    def is_defined(self, name: str) -> bool:
        return any(name in frame for frame in self.frames) or name in self.variables

    def add(self, left: Value, right: Value, position: Position) -> Value:
        if isinstance(left, tuple):
            return left + (right if isinstance(right, tuple) else (right,))
        if left is None:
            return right
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return left if isinstance(left, Unknown) else right
        if isinstance(left, str) and not isinstance(
            right, (tuple, Table, RuleObject, PlanObject, Block)
        ):
            return left + self.as_text(right, position)
        if (
            isinstance(left, (int, float))
            and not isinstance(left, bool)
            and isinstance(right, (int, float, str))
        ):
            return left + self.number(right, position)
        if isinstance(left, Table) and isinstance(right, Table):
            return Table(left.entries + right.entries)
        self.fail(
            f"cannot add {kind_of(right)} to {kind_of(left)} (start a list with @())", position
        )

    def number(self, value: Value, position: Position) -> int | float:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, (int, float)):
            return value
        if value is None:
            return 0
        if isinstance(value, str):
            try:
                return int(value.strip()) if value.strip().lstrip("-").isdigit() else float(value)
            except ValueError:
                pass
        if isinstance(value, Unknown):
            raise Undecidable(f"the value of {value.origin} is not known", position)
        self.fail(f"expects a number, not {kind_of(value)} {value!r}", position)

    def arithmetic(self, operator: str, left: Value, right: Value, position: Position) -> Value:
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return left if isinstance(left, Unknown) else right
        if operator == "*" and isinstance(left, str):
            return left * int(self.number(right, position))
        a, b = self.number(left, position), self.number(right, position)
        if operator == "+":
            return a + b
        if operator == "-":
            return a - b
        if operator == "*":
            return a * b
        if b == 0:
            self.fail("division by zero", position)
        if operator == "/":
            result = a / b
            return int(result) if result == int(result) else result
        return a % b

    # Conditions and branches --------------------------------------------------

    def branch(self, statement: IfStatement) -> list[Value]:
        for index, (condition, block) in enumerate(statement.clauses):
            self.consulted_tenant = False
            try:
                taken = self.is_true(self.pipeline(condition), condition.position)
            except Undecidable as exc:
                return self.undecided(statement, index, exc)
            if self.consulted_tenant and self.changes(statement):
                self.note(
                    condition,
                    "Get-CsTenantDialPlan asks the live tenant: read on the tenant the script "
                    f"builds from an empty one, where the condition is {taken} (a plan the script "
                    "has not created is missing, so the branch that creates it runs)",
                    what="if",
                )
            if taken:
                self.skip(statement, index)
                return self.run(block)
        self.skip(statement, len(statement.clauses))
        return self.run(statement.otherwise or ())

    def undecided(self, statement: IfStatement, first: int, exc: Undecidable) -> list[Value]:
        """An `if` whose condition is unknown: the branch that creates dial plans, with a note."""
        options = [block for _, block in statement.clauses[first:]]
        options.append(statement.otherwise or ())
        chosen = next((i for i, block in enumerate(options) if self.creates(block)), None)
        verb = "creates"
        if chosen is None:
            chosen = next((i for i, block in enumerate(options) if self.changes(block)), None)
            verb = "changes"
        if chosen is None:
            self.pass_over(statement, f"its condition cannot be decided ({exc.detail})")
            return []
        taken = first + chosen
        block = options[chosen]
        where = f"line {block[0].position.line}" if block else "the empty branch"
        self.note(
            statement,
            f"cannot decide the condition ({exc.detail}: only a live tenant knows); "
            f"took the branch at {where}, the one that {verb} dial plans",
        )
        self.skip(statement, taken)
        return self.run(block)

    def skip(self, statement: IfStatement, taken: int) -> None:
        """List the statements of the branches not taken."""
        blocks = [block for index, (_, block) in enumerate(statement.clauses) if index != taken]
        if taken < len(statement.clauses) and statement.otherwise:
            blocks.append(statement.otherwise)
        reason = f"not run: the if at line {statement.position.line} took another branch"
        for block in blocks:
            for inner in block:
                self.ignore(inner, reason)

    def is_true(self, value: Value, position: Position) -> bool:
        """PowerShell's truth: $null, '', 0, and empty lists are false."""
        if isinstance(value, Unknown):
            raise Undecidable(f"the value of {value.origin} is not known", position)
        if isinstance(value, tuple):
            return len(value) > 1 or (len(value) == 1 and self.is_true(value[0], position))
        if isinstance(value, (RuleObject, PlanObject, Table, Choice, Block)):
            return True
        return bool(value)

    # Loops ----------------------------------------------------------------------

    def foreach(self, statement: ForEach) -> list[Value]:
        collection = self.pipeline(statement.collection)
        if isinstance(collection, Unknown):
            raise Undecidable(
                f"foreach runs over {collection.origin}, which the reader cannot know",
                statement.collection.position,
            )
        items = (
            collection
            if isinstance(collection, tuple)
            else (() if collection is None else (collection,))
        )
        output: list[Value] = []
        for count, item in enumerate(items):
            self.check_iterations(count, statement)
            self.store(statement.variable, item)
            try:
                output += self.run(statement.body)
            except _Stop as stop:
                if stop.keyword == "break":
                    output += stop.output
                    break
                if stop.keyword == "continue":
                    output += stop.output
                    continue
                raise
        return output

    def check_iterations(self, count: int, statement: Statement) -> None:
        if count >= MAX_ITERATIONS:
            self.fail(
                f"the loop ran {MAX_ITERATIONS:,} times: the reader stops (does it ever end?)",
                statement.position,
            )

    def loop(self, statement: For | While) -> list[Value]:
        output: list[Value] = []
        if isinstance(statement, For):
            if statement.initial is not None:
                self.execute(statement.initial, collect=True)
            condition, step, body_first, until = statement.condition, statement.step, False, False
        else:
            condition, step = statement.condition, None
            body_first, until = statement.body_first, statement.until
        count = 0
        while True:
            if not (body_first and count == 0) and condition is not None:
                value = self.value_of(condition)
                if self.is_true(value, condition.position) == until:
                    break
            self.check_iterations(count, statement)
            count += 1
            try:
                output += self.run(statement.body)
            except _Stop as stop:
                output += stop.output
                if stop.keyword == "break":
                    break
                if stop.keyword != "continue":
                    raise
            if step is not None:
                self.execute(step, collect=True)
        return output

    def switch(self, statement: Switch) -> list[Value]:
        value = self.pipeline(statement.value)
        if isinstance(value, Unknown):
            raise Undecidable(f"the value of {value.origin} is not known", statement.value.position)
        output: list[Value] = []
        matched = False
        default: tuple[Statement, ...] | None = None
        try:
            for match, block in statement.clauses:
                if match is None:
                    default = block
                    continue
                if isinstance(match, ScriptBlock):
                    raise Undecidable("a switch clause with a script block", match.position)
                candidate = self.expression(match)
                if self.equal(value, candidate, case=False):
                    matched = True
                    output += self.run(block)
                else:
                    for inner in block:
                        self.ignore(
                            inner,
                            f"not run: the switch at line {statement.position.line} took another clause",
                        )
            if not matched and default is not None:
                output += self.run(default)
            elif default is not None:
                for inner in default:
                    self.ignore(
                        inner,
                        f"not run: the switch at line {statement.position.line} took another clause",
                    )
        except _Stop as stop:
            output += stop.output
            if stop.keyword != "break":
                raise
        return output

    def attempt(self, statement: Try) -> list[Value]:
        output: list[Value] = []
        try:
            output += self.run(statement.body)
            for block in statement.catches:
                for inner in block:
                    self.ignore(
                        inner,
                        f"not run: the try block at line {statement.position.line} ran without a terminating error",
                    )
        except _Stop as stop:
            if stop.keyword != "throw" or not statement.catches:
                raise
            output += stop.output
            output += self.run(statement.catches[0])
        finally:
            if statement.final is not None:
                output += self.run(statement.final)
        return output

    # Parameters, prompts and functions ----------------------------------------

    def parameters(self, block: ParamBlock) -> None:
        """The script's `param(...)`: each takes its `--choice` answer, or its default."""
        for declaration in block.parameters:
            key = declaration.name.lower()
            if key in self.answers:
                self.answered.add(key)
                value = self.answer(declaration, self.answers[key])
                self.note(
                    declaration,
                    f"script parameter ${declaration.name} is {value!r} (given by --choice {declaration.name}=...)",
                    what="param",
                )
            elif declaration.default is not None:
                value = self.expression(declaration.default)
            elif declaration.is_switch:
                value = False
            else:
                value = None
            self.store(declaration.name, value)

    def answer(self, declaration: ParameterDeclaration, text: str) -> Value:
        types = {name.lower() for name in declaration.type_names}
        if declaration.is_switch or types & {"bool", "boolean"}:
            word = text.strip().lower()
            if word in _TRUE_WORDS:
                return True
            if word in _FALSE_WORDS:
                return False
            raise DialplanInputError(
                f"--choice {declaration.name}={text}: the parameter is a switch: give true or false",
                file=self.source,
            )
        if types & {"int", "int32", "int64", "long"}:
            try:
                return int(text)
            except ValueError:
                raise DialplanInputError(
                    f"--choice {declaration.name}={text}: the parameter takes a whole number",
                    file=self.source,
                ) from None
        return text

    def prompt(self, call: MethodCall) -> Value:
        """`$Host.UI.PromptForChoice(caption, message, choices, default)`: an answer or the default."""
        arguments = [self.lenient(argument) for argument in call.arguments]
        choices = arguments[2] if len(arguments) > 2 else ()
        items = choices if isinstance(choices, tuple) else (choices,)
        labels = [
            item.name if isinstance(item, Choice) else str(item).replace("&", "") for item in items
        ]
        default = arguments[3] if len(arguments) > 3 else -1
        name = self.assigning
        shown = f"${name}" if name else "the prompt"
        listed = ", ".join(f"{index}={label}" for index, label in enumerate(labels))
        if name is not None and name.lower() in self.answers:
            self.answered.add(name.lower())
            given = self.answers[name.lower()].strip()
            index = next(
                (i for i, label in enumerate(labels) if label.lower() == given.lower()), None
            )
            if index is None and given.lstrip("-").isdigit() and 0 <= int(given) < len(labels):
                index = int(given)
            if index is None:
                raise DialplanInputError(
                    f"--choice {name}={given}: the prompt at line {call.position.line} offers {listed}",
                    file=self.source,
                )
            how = f"given by --choice {name}={given}"
        elif (
            isinstance(default, int)
            and not isinstance(default, bool)
            and 0 <= default < len(labels)
        ):
            index = default
            how = f"the prompt's default; --choice {name or 'NAME'}=<{listed}> picks another"
        else:
            self.fail(
                f"the prompt has no default choice: answer it with --choice {name or 'NAME'}=VALUE ({listed})",
                call.position,
            )
        self.note(call, f"{shown} = {index} ({labels[index]}): {how}", what="PromptForChoice")
        return index

    def lenient(self, node: Expression) -> Value:
        try:
            return self.expression(node)
        except Undecidable as exc:
            return Unknown(exc.detail)

    def read_host(self, command: Command) -> Value:
        name = self.assigning
        if name is not None and name.lower() in self.answers:
            answer = self.answers[name.lower()]
            self.answered.add(name.lower())
            self.note(command, f"${name} = {answer!r}: given by --choice {name}=...")
            return answer
        self.ignore(
            command, "asks the person running the script (give --choice NAME=VALUE to answer)"
        )
        hint = f"; answer it with --choice {name}=VALUE" if name else ""
        return Unknown(f"Read-Host at line {command.position.line}{hint}")

    def new_object(self, command: Command) -> Value:
        values = [
            self.lenient(element)
            for element in command.elements
            if not isinstance(element, (Parameter, Splat, Redirection))
        ]
        type_name = str(values[0]) if values and isinstance(values[0], str) else ""
        if type_name.lower().endswith("choicedescription") and len(values) > 1:
            arguments = values[1] if isinstance(values[1], tuple) else (values[1],)
            label = arguments[0] if arguments and isinstance(arguments[0], str) else ""
            help_text = arguments[1] if len(arguments) > 1 and isinstance(arguments[1], str) else ""
            return Choice(label, help_text)
        return Unknown(f"New-Object {type_name} (line {command.position.line})".replace("  ", " "))

    def write_output(self, command: Command) -> Value:
        values = [
            self.expression(element)
            for element in command.elements
            if not isinstance(element, (Parameter, Splat, Redirection))
        ]
        if not self.frames:
            self.ignore(command, "not a dial plan statement")
        flat = self.flatten(values)
        return flat[0] if len(flat) == 1 else (flat or None)

    def call(self, definition: FunctionDefinition, command: Command) -> Value:
        """Call a function of the script: bind its parameters, run its body in its own scope."""
        frame: dict[str, Value] = {}
        declared = {p.name.lower(): p for p in definition.parameters}
        unbound = [p for p in definition.parameters]
        extra: list[Value] = []
        elements = list(command.elements)
        index = 0
        while index < len(elements):
            element = elements[index]
            index += 1
            if isinstance(element, Redirection):
                continue
            if isinstance(element, Splat):
                table = self.variable(element.name, element.position)
                if isinstance(table, Table):
                    for key, entry, _ in table.entries:
                        frame[key.lower()] = entry
                        unbound = [p for p in unbound if p.name.lower() != key.lower()]
                continue
            if isinstance(element, Parameter):
                matches = [
                    p for p in declared.values() if p.name.lower().startswith(element.name.lower())
                ]
                exact = declared.get(element.name.lower())
                target = exact or (matches[0] if len(matches) == 1 else None)
                if target is None:
                    self.fail(
                        f"function {definition.name} has no parameter -{element.name}",
                        element.position,
                    )
                if target.is_switch and not element.has_colon:
                    value: Value = True
                else:
                    if index >= len(elements):
                        self.fail(f"parameter -{element.name} needs a value", element.position)
                    value = self.expression(elements[index])  # type: ignore[arg-type]
                    index += 1
                frame[target.name.lower()] = value
                unbound = [p for p in unbound if p is not target]
                continue
            value = self.expression(element)
            positional = next((p for p in unbound if not p.is_switch), None)
            if positional is None:
                extra.append(value)
            else:
                frame[positional.name.lower()] = value
                unbound.remove(positional)
        self.frames.append(frame)
        try:
            for declaration in unbound:
                if declaration.default is not None:
                    frame[declaration.name.lower()] = self.expression(declaration.default)
                else:
                    frame[declaration.name.lower()] = False if declaration.is_switch else None
            frame["args"] = tuple(extra)
            try:
                output = self.run(definition.body)
            except _Stop as stop:
                if stop.keyword != "return":
                    raise
                output = stop.output + ([] if stop.value is None else [stop.value])
        finally:
            self.frames.pop()
        flat = self.flatten(output)
        return flat[0] if len(flat) == 1 else (flat or None)

    # Pipelines and commands ---------------------------------------------------

    def pipeline(self, pipeline: Pipeline) -> Value:
        silenced = any(self.silences(item) for item in pipeline.redirections)
        self.silence += silenced
        try:
            first, *rest = pipeline.elements
            if not rest:
                return self.element(first)
            for element in rest:
                if isinstance(element, Command) and self.changes(element):
                    self.fail(
                        f"a pipeline into {element.name} cannot be followed: name each user or plan with -Identity",
                        element.position,
                    )
            if isinstance(first, Command) and self.touches_dial_plans(first.name):
                value = self.element(first)
                for element in rest:
                    self.ignore(
                        element, f"takes the output of {first.name}: not a dial plan statement"
                    )
                last = rest[-1]
                if isinstance(last, Command) and last.name.lower() in _DISCARDING:
                    return None
                return value
            self.ignore(pipeline, "not a dial plan statement")
            return Unknown(f"{describe(pipeline)} (line {pipeline.position.line})")
        finally:
            self.silence -= silenced

    def silences(self, redirection: Redirection) -> bool:
        """`2>$null`, `*>$null` (and `2>&1`, which sends errors where output goes): no error stops."""
        operator = redirection.operator
        if operator[:1] not in {"2", "*"}:
            return False
        target = redirection.target
        return target is None or (isinstance(target, Variable) and target.name.lower() == "null")

    def element(self, element: Command | Expression) -> Value:
        if isinstance(element, Command):
            return self.command(element)
        return self.expression(element)

    def command(self, command: Command) -> Value:
        silenced = any(
            self.silences(item) for item in command.elements if isinstance(item, Redirection)
        )
        self.silence += silenced
        try:
            return self.dispatch(command)
        finally:
            self.silence -= silenced

    def dispatch(self, command: Command) -> Value:
        name = command.name.lower()
        handler = self.handlers.get(name) or self.builtins.get(name)
        if handler is not None:
            return handler(command)
        definition = self.functions.get(name)
        if definition is not None:
            return self.call(definition, command)
        if name in self.definitions:
            self.fail(
                f"function {command.name} is called before the script defines it", command.position
            )
        if self.touches_dial_plans(command.name):
            self.fail(f"{command.name} is not supported by the reader", command.position)
        if self.changes(command.elements):
            self.fail(
                f"{command.name} runs dial plan statements in a script block, which the reader "
                "cannot follow",
                command.position,
            )
        if name in {"&", "."}:
            self.ignore(command, "runs another script or command the reader does not see")
            return Unknown(f"the call at line {command.position.line}")
        self.ignore(command, "not a dial plan statement")
        if name in _NO_OUTPUT:
            return None
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
            return self.flatten(self.run(node.statements))
        if isinstance(node, Subexpression):
            output = self.flatten(self.run(node.statements))
            return output[0] if len(output) == 1 else (output or None)
        if isinstance(node, Hashtable):
            return Table(
                tuple((key, self.value_of(value), value.position) for key, value in node.pairs)
            )
        if isinstance(node, Operation):
            return self.operation(node)
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Cast):
            return self.cast(node.type_name, self.expression(node.operand), node.position)
        if isinstance(node, TypeLiteral):
            return Unknown(f"[{node.type_name}]")
        if isinstance(node, StaticMember):
            return self.static(node)
        if isinstance(node, MethodCall):
            return self.method(node)
        if isinstance(node, Index):
            return self.index(node)
        if isinstance(node, ScriptBlock):
            return Block(node)
        if isinstance(node, Concatenation):
            return "".join(
                self.as_text(self.expression(part), part.position) for part in node.parts
            )
        content = node.content
        if isinstance(content, Assignment):
            self.assign(content)
            return self.variable(content.variable, content.position)
        return self.pipeline(content)

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
        for frame in reversed(self.frames):
            if name in frame:
                return frame[name]
        if name in self.variables:
            return self.variables[name]
        if name in _AUTOMATIC or name.startswith("env:"):
            return Unknown(f"${written}")
        raise Undecidable(f"variable ${written} is not defined", position)

    def expand(self, node: Expandable) -> str:
        pieces: list[str] = []
        for part in node.parts:
            if isinstance(part, str):
                pieces.append(part)
            elif isinstance(part, Embedded):
                pieces.append(self.embedded(part))
            elif self.is_defined(part.name.lower()) or part.name.lower() in {
                "true",
                "false",
                "null",
            }:
                pieces.append(self.as_text(self.variable(part.name, part.position), part.position))
            else:
                raise Undecidable(
                    f"${part.name} in a double-quoted string is not a defined variable "
                    "(PowerShell would put nothing there; write patterns and translations in single quotes)",
                    part.position,
                )
        return "".join(pieces)

    def embedded(self, part: Embedded) -> str:
        """`$(...)` inside a double-quoted string: run what is inside."""
        if self.parse is None:
            raise Undecidable(f"{part.text} inside a double-quoted string", part.position)
        try:
            inner = self.parse(part.text[2:-1])
        except DialplanError:
            raise Undecidable(f"{part.text} inside a double-quoted string", part.position) from None
        output = self.flatten(self.run(inner.statements))
        return " ".join(self.as_text(value, part.position) for value in output)

    def member(self, value: Value, name: str, position: Position) -> Value:
        key = name.lower()
        if isinstance(value, Unknown):
            return Unknown(f"{value.origin}.{name}")
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
        elif isinstance(value, bool) and key == "ispresent":
            return value  # a switch parameter
        elif isinstance(value, Choice) and key in {"label", "helpmessage"}:
            return value.label if key == "label" else value.help
        elif key in {"count", "length"} and (isinstance(value, (tuple, str)) or value is None):
            return len(value) if value is not None else 0
        elif isinstance(value, Table):
            found = value.get(name)
            return found[0] if found else None
        elif isinstance(value, tuple):
            # Member enumeration: a property of each item of a list.
            return tuple(self.member(item, name, position) for item in value)
        elif key == "count":
            return 1
        self.fail(f"{kind_of(value)} has no property {name!r} the reader knows", position)

    def index(self, node: Index) -> Value:
        target = self.expression(node.target)
        key = self.expression(node.index)
        if isinstance(target, Unknown) or isinstance(key, Unknown):
            return target if isinstance(target, Unknown) else key
        if isinstance(target, Table):
            found = target.get(self.as_text(key, node.position))
            return found[0] if found else None
        if isinstance(target, (tuple, str)):
            at = int(self.number(key, node.position))
            return target[at] if -len(target) <= at < len(target) else None
        if target is None:
            self.fail("cannot index into $null", node.position)
        return target if self.number(key, node.position) in (0, -1) else None

    def method(self, node: MethodCall) -> Value:
        target_node = node.target
        if (
            node.name.lower() == "promptforchoice"
            and isinstance(target_node, Member)
            and isinstance(target_node.target, Variable)
            and target_node.target.name.lower() == "host"
        ):
            return self.prompt(node)
        target = self.expression(target_node)
        if isinstance(target, Unknown):
            return Unknown(f"{describe(target_node)}.{node.name}()")
        arguments = [self.expression(argument) for argument in node.arguments]
        if any(isinstance(argument, Unknown) for argument in arguments):
            return next(argument for argument in arguments if isinstance(argument, Unknown))
        key = node.name.lower()
        if isinstance(target, tuple):
            if key in {"trim", "tolower", "toupper", "trimstart", "trimend"}:
                return tuple(
                    _STRING_METHODS[key](self.as_text(item, node.position), *arguments)
                    for item in target
                )
            if key == "contains":
                return any(self.equal(item, arguments[0], case=True) for item in target)
        if isinstance(target, (str, int, float)) and not isinstance(target, bool):
            text = str(target)
            if key in {"toint32", "toint64"}:
                return int(self.number(text, node.position))
            function = _STRING_METHODS.get(key)
            if function is not None:
                try:
                    return function(text, *arguments)
                except (TypeError, ValueError, IndexError):
                    pass
        return Unknown(f"{describe(target_node)}.{node.name}()")

    def static(self, node: StaticMember) -> Value:
        type_name = node.type_name.lower().removeprefix("system.")
        name = node.name.lower()
        if (
            type_name == "string"
            and name in {"isnullorempty", "isnullorwhitespace"}
            and node.arguments
        ):
            value = self.expression(node.arguments[0])
            if isinstance(value, Unknown):
                return value
            text = "" if value is None else self.as_text(value, node.position)
            return not (text.strip() if name == "isnullorwhitespace" else text)
        if type_name == "string" and name == "empty":
            return ""
        return Unknown(f"[{node.type_name}]::{node.name}")

    def cast(self, type_name: str, value: Value, position: Position) -> Value:
        kind = type_name.lower().removeprefix("system.")
        if isinstance(value, Unknown):
            return value
        if kind == "string":
            return self.as_text(value, position)
        if kind in {"int", "int32", "int64", "long"}:
            return int(self.number(value, position))
        if kind in {"bool", "boolean"}:
            return self.is_true(value, position)
        if kind.endswith("[]") or kind == "array":
            return value if isinstance(value, tuple) else (() if value is None else (value,))
        return value

    def unary(self, node: Unary) -> Value:
        value = self.expression(node.operand)
        if node.operator == "not":
            if isinstance(value, Unknown):
                return value
            return not self.is_true(value, node.position)
        if node.operator == ",":
            return (value,)
        if isinstance(value, Unknown):
            return value
        number = self.number(value, node.position)
        return -number if node.operator == "-" else number

    def operation(self, node: Operation) -> Value:
        operator = node.operator
        left = self.expression(node.left)
        if operator in {"and", "or"}:
            if not isinstance(left, Unknown):
                decided = self.is_true(left, node.position)
                if decided == (operator == "or"):
                    return decided
            right = self.expression(node.right)
            if isinstance(right, Unknown):
                return right
            if isinstance(left, Unknown):
                decided = self.is_true(right, node.position)
                return decided if decided == (operator == "or") else left
            return self.is_true(right, node.position)
        right = self.expression(node.right)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return left if isinstance(left, Unknown) else right
        if operator == "xor":
            return self.is_true(left, node.position) != self.is_true(right, node.position)
        if operator == "+":
            return self.add(left, right, node.position)
        if operator in {"-", "*", "/", "%"}:
            return self.arithmetic(operator, left, right, node.position)
        if operator == "..":
            start, stop = (
                int(self.number(left, node.position)),
                int(self.number(right, node.position)),
            )
            if abs(stop - start) >= MAX_ITERATIONS:
                self.fail(f"the range {start}..{stop} is too long for the reader", node.position)
            step = 1 if stop >= start else -1
            return tuple(range(start, stop + step, step))
        if operator == "f":
            return self.format(left, right, node.position)
        return self.compare(operator, left, right, node.position)

    def format(self, template: Value, values: Value, position: Position) -> str:
        items = values if isinstance(values, tuple) else (values,)
        text = self.as_text(template, position)

        def field(match: re.Match[str]) -> str:
            at = int(match.group(1))
            if at >= len(items):
                self.fail(f"-f has no value {{{at}}}", position)
            return self.as_text(items[at], position)

        return re.sub(r"\{(\d+)(?:[,:][^}]*)?\}", field, text).replace("{{", "{").replace("}}", "}")

    def compare(self, operator: str, left: Value, right: Value, position: Position) -> Value:
        base, case = operator, False
        if operator not in _OPERATORS and operator[:1] in {"c", "i"} and operator[1:] in _OPERATORS:
            base, case = operator[1:], operator[0] == "c"
        if base in {"is", "isnot", "as"}:
            return Unknown(f"-{operator}")
        if base in {"contains", "notcontains", "in", "notin"}:
            collection, item = (left, right) if base.endswith("contains") else (right, left)
            items = collection if isinstance(collection, tuple) else (collection,)
            found = any(self.equal(member, item, case=case) for member in items)
            return found if base in {"contains", "in"} else not found
        if base == "join":
            items = left if isinstance(left, tuple) else (left,)
            return self.as_text(right, position).join(
                self.as_text(item, position) for item in items
            )
        if base == "split":
            flags = 0 if case else re.IGNORECASE
            return tuple(
                re.split(self.as_text(right, position), self.as_text(left, position), flags=flags)
            )
        if base == "replace":
            pattern, replacement = (
                (right[0], right[1] if len(right) > 1 else "")
                if isinstance(right, tuple)
                else (right, "")
            )
            flags = 0 if case else re.IGNORECASE
            python = re.sub(r"\$(\d+)", r"\\g<\1>", self.as_text(replacement, position))
            texts = left if isinstance(left, tuple) else (left,)
            replaced = tuple(
                re.sub(
                    self.as_text(pattern, position), python, self.as_text(t, position), flags=flags
                )
                for t in texts
            )
            return replaced if isinstance(left, tuple) else replaced[0]
        if isinstance(left, tuple):
            # A comparison with a list on the left filters it.
            return tuple(
                item for item in left if self.compare(operator, item, right, position) is True
            )
        if base in {"eq", "ne"}:
            equal = self.equal(left, right, case=case)
            return equal if base == "eq" else not equal
        if base in {"like", "notlike"}:
            pattern = self.as_text(right, position)
            matched = (
                _wildcard(pattern, case=case).fullmatch(self.as_text(left, position)) is not None
            )
            return matched if base == "like" else not matched
        if base in {"match", "notmatch"}:
            flags = 0 if case else re.IGNORECASE
            matched = (
                re.search(self.as_text(right, position), self.as_text(left, position), flags)
                is not None
            )
            return matched if base == "match" else not matched
        if base in {"gt", "ge", "lt", "le"}:
            a, b = self.ordered(left, right, position, case=case)
            result: bool = {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[base]
            return result
        self.fail(f"the operator -{operator} is not supported by the reader", position)

    def ordered(
        self, left: Value, right: Value, position: Position, *, case: bool
    ) -> tuple[Any, Any]:
        if isinstance(left, (int, float)) and not isinstance(left, bool):
            return left, self.number(right, position)
        if left is None:
            return 0, self.number(right, position) if right is not None else 0
        a, b = self.as_text(left, position), self.as_text(right, position)
        return (a, b) if case else (a.casefold(), b.casefold())

    def equal(self, left: Value, right: Value, *, case: bool) -> bool:
        """PowerShell's -eq: the right side converted to the left side's type."""
        if left is None or right is None:
            return left is None and right is None
        if isinstance(left, bool):
            return (
                left == bool(right)
                if not isinstance(right, str)
                else left == (right.lower() not in _FALSE_WORDS)
            )
        if isinstance(left, (int, float)):
            if isinstance(right, (int, float)):
                return left == right
            if isinstance(right, str):
                try:
                    return left == float(right)
                except ValueError:
                    return False
            return False
        if isinstance(left, str):
            if isinstance(right, (str, int, float)):
                other = str(right)
                return left == other if case else left.casefold() == other.casefold()
            if isinstance(right, Choice):
                return left.casefold() == right.name.casefold()
            return False
        return left == right

    def as_text(self, value: Value, position: Position) -> str:
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, (str, int, float)):
            return str(value)
        if value is None:
            return ""
        if isinstance(value, tuple):
            return " ".join(self.as_text(item, position) for item in value)
        if isinstance(value, Choice):
            return value.label
        if isinstance(value, Unknown):
            raise Undecidable(f"the value of {value.origin} is not known", position)
        self.fail(f"expects text, not {kind_of(value)}", position)

    # Binding ------------------------------------------------------------------

    def bind(self, command: Command, spec: Spec) -> Bound:
        """Bind a command's parameters, splats and positional arguments to `spec`."""
        known = {**spec.parameters, **_COMMON}
        bound = Bound(command)
        positional = list(spec.positional)
        elements = [element for element in command.elements if not isinstance(element, Redirection)]
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
        if isinstance(value, Unknown):
            raise Undecidable(f"the value of {value.origin} is not known", position)
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
        if isinstance(value, Unknown):
            raise Undecidable(f"the value of {value.origin} is not known", position)
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
