"""Evaluating a script's expressions: variables, scopes, operators, members, methods and casts.

`Evaluator` holds one run's state (variables, function scopes, what was passed
over) and computes values the way PowerShell does for what dial plan scripts
use; `normalizer.formats.binding` binds cmdlet parameters on top of it and
`normalizer.formats.interpreter` runs the statements.

>>> from normalizer.formats.powershell import parse_script
>>> evaluator = Evaluator(parse_script("$a = 1"))
>>> evaluator.compare("like", "DE-Berlin", "de-*", evaluator.script.statements[0].position)
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NoReturn

from normalizer.errors import DialplanError, TenantFileError
from normalizer.formats.lists import CHANGING, ListChanges
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
    FunctionDefinition,
    Hashtable,
    Index,
    Literal,
    Member,
    MethodCall,
    Operation,
    Pipeline,
    Position,
    Script,
    ScriptBlock,
    Statement,
    StaticMember,
    Subexpression,
    TypeLiteral,
    Unary,
    Variable,
)
from normalizer.formats.text import located
from normalizer.formats.values import (
    _AUTOMATIC,
    _FALSE_WORDS,
    _OPERATORS,
    _STRING_METHODS,
    MAX_ITERATIONS,
    Block,
    Choice,
    IgnoredStatement,
    PlanObject,
    RuleObject,
    Table,
    Undecidable,
    Unknown,
    Value,
    _walk,
    _wildcard,
    describe,
    kind_of,
)
from normalizer.models import GLOBAL_IDENTITY

_FORMAT_FIELD = re.compile(r"\{(\d+)(?:[,:][^}]*)?\}")


class Evaluator(ListChanges):
    """One run's state and values; `handlers` maps lower-case cmdlet names to what they do.

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
        # Commands the reader evaluates that are not about dial plans (`Prompts` fills it).
        self.builtins: dict[str, Callable[[Command], Value]] = {}
        # Every function the script defines, for asking whether a call changes dial plans.
        self.definitions = {
            node.name.lower(): node
            for node in _walk(script.statements)
            if isinstance(node, FunctionDefinition)
        }
        self._changing: dict[int, bool] = {}
        self.depth = 0
        """How many statements, expressions and function calls are being evaluated, one inside the other."""

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

    def store(self, name: str, value: Value, scope: str = "") -> None:
        """Assign in the innermost scope (functions have their own), or the script's with `script:`."""
        key = name.lower()
        if scope in {"script", "global"} or not self.frames:
            self.variables[key] = value
        else:
            self.frames[-1][key] = value

    def is_defined(self, name: str) -> bool:
        return any(name in frame for frame in self.frames) or name in self.variables

    def add(self, left: Value, right: Value, position: Position) -> Value:
        if isinstance(left, tuple):
            items = right if isinstance(right, tuple) else (right,)
            self.room(len(left) + len(items), "list", position)
            return left + items
        if left is None:
            return right
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return left if isinstance(left, Unknown) else right
        if isinstance(left, str) and not isinstance(
            right, (tuple, Table, RuleObject, PlanObject, Block)
        ):
            text = self.as_text(right, position)
            self.room(len(left) + len(text), "text", position)
            return left + text
        if (
            isinstance(left, (int, float))
            and not isinstance(left, bool)
            and isinstance(right, (int, float, str))
        ):
            return left + self.number(right, position)
        if isinstance(left, Table) and isinstance(right, Table):
            self.room(len(left.entries) + len(right.entries), "hashtable", position)
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
            count = int(self.number(right, position))
            self.room(len(left) * max(count, 0), "text", position)
            return left * count
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

    def is_true(self, value: Value, position: Position) -> bool:
        """PowerShell's truth: $null, '', 0, and empty lists are false."""
        if isinstance(value, Unknown):
            raise Undecidable(f"the value of {value.origin} is not known", position)
        if isinstance(value, tuple):
            return len(value) > 1 or (len(value) == 1 and self.is_true(value[0], position))
        if isinstance(value, (RuleObject, PlanObject, Table, Choice, Block)):
            return True
        return bool(value)

    # Values -------------------------------------------------------------------

    def expression(self, node: Expression) -> Value:
        self.deeper(node.position)
        try:
            return self.value(node)
        finally:
            self.depth -= 1

    def value(self, node: Expression) -> Value:
        """The value of an expression (`expression` counts the levels)."""
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
            return self.nested(tuple(self.expression(item) for item in node.items), node.position)
        if isinstance(node, ArrayExpression):
            return self.flatten(self.run(node.statements), node.position)
        if isinstance(node, Subexpression):
            output = self.flatten(self.run(node.statements), node.position)
            return output[0] if len(output) == 1 else (output or None)
        if isinstance(node, Hashtable):
            table = Table(
                tuple((key, self.value_of(value), value.position) for key, value in node.pairs)
            )
            return self.nested(table, node.position)
        if isinstance(node, Operation):
            # `a + b + c ...` nests to the left: folded in a loop, so a long
            # chain of terms is not a deep nesting.
            spine = [node]
            while isinstance(spine[-1].left, Operation):
                spine.append(spine[-1].left)
            value = self.expression(spine[-1].left)
            for operation in reversed(spine):
                value = self.operation(operation, value)
            return value
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
            return self.joined(
                (self.as_text(self.expression(part), part.position) for part in node.parts),
                "",
                node.position,
            )
        content = node.content
        if isinstance(content, Assignment):
            self.assign(content)
            return self.variable(content.variable, content.position)
        return self.pipeline(content)

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
        return self.joined(self.expanded(node), "", node.position)

    def expanded(self, node: Expandable) -> Iterator[str]:
        """The pieces of a double-quoted string, in order."""
        for part in node.parts:
            if isinstance(part, str):
                yield part
            elif isinstance(part, Embedded):
                yield self.embedded(part)
            elif self.is_defined(part.name.lower()) or part.name.lower() in {
                "true",
                "false",
                "null",
            }:
                yield self.as_text(self.variable(part.name, part.position), part.position)
            else:
                raise Undecidable(
                    f"${part.name} in a double-quoted string is not a defined variable "
                    "(PowerShell would put nothing there; write patterns and translations in single quotes)",
                    part.position,
                )

    def embedded(self, part: Embedded) -> str:
        """`$(...)` inside a double-quoted string: run what is inside."""
        if self.parse is None:
            raise Undecidable(f"{part.text} inside a double-quoted string", part.position)
        try:
            inner = self.parse(part.text[2:-1])
        except DialplanError:
            raise Undecidable(f"{part.text} inside a double-quoted string", part.position) from None
        output = self.flatten(self.run(inner.statements), part.position)
        return self.joined((self.as_text(value, part.position) for value in output), " ", part.position)

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
        if isinstance(target, tuple) and node.name.lower() in CHANGING:
            return self.change_in_place(node, target)
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
                self.room(self.grown(key, text, arguments), "text", node.position)
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
            if isinstance(value, tuple):
                return value
            return () if value is None else self.nested((value,), position)
        return value

    def unary(self, node: Unary) -> Value:
        value = self.expression(node.operand)
        if node.operator == "not":
            if isinstance(value, Unknown):
                return value
            return not self.is_true(value, node.position)
        if node.operator == ",":
            return self.nested((value,), node.position)
        if isinstance(value, Unknown):
            return value
        number = self.number(value, node.position)
        return -number if node.operator == "-" else number

    def operation(self, node: Operation, left: Value) -> Value:
        """`left` (the value of `node.left`) and `node.right` under `node.operator`."""
        operator = node.operator
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

        filled = self.substituted(_FORMAT_FIELD, field, text, position)
        return filled.replace("{{", "{").replace("}}", "}")

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
            separator = self.as_text(right, position)
            return self.joined((self.as_text(item, position) for item in items), separator, position)
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
                self.substituted(
                    re.compile(self.as_text(pattern, position), flags), python, self.as_text(t, position), position
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
            return self.joined((self.as_text(item, position) for item in value), " ", position)
        if isinstance(value, Choice):
            return value.label
        if isinstance(value, Unknown):
            raise Undecidable(f"the value of {value.origin} is not known", position)
        self.fail(f"expects text, not {kind_of(value)}", position)

    # What the statements (`normalizer.formats.interpreter`) provide ------------

    def run(self, statements: Iterable[Statement], *, collect: bool = True) -> list[Value]:
        raise NotImplementedError

    def pipeline(self, pipeline: Pipeline) -> Value:
        raise NotImplementedError

    def assign(self, statement: Assignment) -> None:
        raise NotImplementedError

    def value_of(self, statement: Statement) -> Value:
        raise NotImplementedError

    def prompt(self, call: MethodCall) -> Value:
        raise NotImplementedError
