"""PowerShell dial plan scripts: the lark adapter that reads them.

The grammar is `powershell.lark`, shipped next to this module; `_Nodes` has one
method per grammar rule and turns lark's tree into `script` nodes, which
`cmdlets` runs against an empty tenant. This is the only module that imports
lark: its `UnexpectedInput` becomes a `TenantFileError` with line, column and
a caret under the text.

The writer is `normalizer.formats.powershell_writer`.

>>> tenant = tenant_from_powershell(r'''
... $NR = @()
... $NR += New-CsVoiceNormalizationRule -Parent Global -Name 'Ext' -Pattern '^(\\d{4})$' -Translation '+3319999$1' -InMemory
... Set-CsTenantDialPlan -Identity Global -NormalizationRules @{Add=$NR}
... ''')
>>> tenant.global_plan.rules[0].translation
'+3319999$1'
>>> tenant_from_powershell("$x = 1 -bor 2", source="t.ps1")
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: t.ps1: line 1, column 8: unexpected '-bor'
    $x = 1 -bor 2
           ^
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from normalizer.errors import TenantFileError
from normalizer.formats.cmdlets import run_script
from normalizer.formats.powershell_writer import SINGLE_QUOTES
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
from normalizer.formats.text import located, read_text
from normalizer.formats.values import IgnoredStatement
from normalizer.models import Tenant

DOUBLE_QUOTES = '"\u201c\u201d\u201e'
_DOUBLED_SINGLE = re.compile(f"[{SINGLE_QUOTES}]([{SINGLE_QUOTES}])")
_DASHES = "-\u2013\u2014\u2015"
_SCOPES = ("global:", "script:", "local:", "private:", "using:")
_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_NAME_CHAR = re.compile(r"\w")
_UNSUPPORTED_KEYWORDS = frozenset({"trap", "class", "enum", "workflow", "configuration", "data"})
_CLOSERS = {"RPAR": "')'", "RBRACE": "'}'"}


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = (
        resources.files("normalizer.formats")
        .joinpath("powershell.lark")
        .read_text(encoding="utf-8")
    )
    # Nodes are built while parsing (LALR allows it): no lark tree in between,
    # and positions come from tokens, which costs far less than lark's own.
    # `cache` keeps the built parser in the temporary directory, keyed by the
    # grammar's hash: building it (with lark's terminal collision checks, run
    # when interegular is installed, as it is for `lint`) takes most of a second.
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=False,
        transformer=_NODES,
        cache=True,
    )


def _at(token: Token) -> Position:
    """Where a token starts."""
    if token.line is None or token.column is None:
        raise ValueError(f"token {token!r} has no position")
    return Position(token.line, token.column)


def _start(item: Token | Any) -> Position:
    """Where a token or an already built node starts."""
    if isinstance(item, Token):
        return _at(item)
    position: Position = item.position
    return position


def _variable_name(text: str) -> str:
    """`$script:NR` -> `NR`; `${my var}` -> `my var` (compared case-insensitively later)."""
    name = text[1:]
    if name.startswith("{") and name.endswith("}"):
        name = name[1:-1]
    for scope in _SCOPES:
        if name.lower().startswith(scope):
            return name[len(scope) :]
    return name


def _expand(body: str, position: Position, *, here: bool) -> Expandable:
    """Split a double-quoted string's body into text and the variables PowerShell expands."""
    parts: list[str | Variable | Embedded] = []
    text: list[str] = []
    index = 0

    def flush() -> None:
        if text:
            parts.append("".join(text))
            text.clear()

    while index < len(body):
        char = body[index]
        if char == "`" and index + 1 < len(body):
            following = body[index + 1]
            if following == "u" and body.startswith("{", index + 2) and "}" in body[index + 3 :]:
                end = body.index("}", index + 3)
                text.append(chr(int(body[index + 3 : end], 16)))
                index = end + 1
                continue
            text.append(_ESCAPES.get(following, following))
            index += 2
        elif (
            not here
            and char in DOUBLE_QUOTES
            and index + 1 < len(body)
            and body[index + 1] in DOUBLE_QUOTES
        ):
            text.append(body[index + 1])
            index += 2
        elif char == "$" and body.startswith("(", index + 1):
            depth, end = 0, index + 1
            while end < len(body):
                depth += {"(": 1, ")": -1}.get(body[end], 0)
                if depth == 0:
                    break
                end += 1
            flush()
            parts.append(Embedded(body[index : end + 1], position))
            index = end + 1
        elif char == "$" and body.startswith("{", index + 1) and "}" in body[index:]:
            end = body.index("}", index)
            flush()
            parts.append(Variable(_variable_name(body[index : end + 1]), position))
            index = end + 1
        elif char == "$" and index + 1 < len(body) and _NAME_CHAR.match(body[index + 1]):
            end = index + 1
            while end < len(body) and (_NAME_CHAR.match(body[end]) or body[end] == ":"):
                # `$env:NAME` keeps its colon; a colon after the name ends it (`"$a: b"`).
                if body[end] == ":" and not (
                    end + 1 < len(body) and _NAME_CHAR.match(body[end + 1])
                ):
                    break
                end += 1
            flush()
            parts.append(Variable(_variable_name(body[index:end]), position))
            index = end
        else:
            text.append(char)
            index += 1
    flush()
    return Expandable(tuple(parts), position)


def _here_body(token: str) -> str:
    """The lines between `@'` / `@"` and the closing `'@` / `"@`."""
    first_newline = token.index("\n")
    body = token[first_newline + 1 : -2]
    return body.removesuffix("\n").removesuffix("\r")


def _type_name(token: Token) -> str:
    """`[System.String]` -> `System.String`."""
    return str(token)[1:-1]


def _operator(token: Token) -> str:
    """An operator token as the interpreter names it: `-Eq` -> `eq`, `–` -> `-`."""
    text = str(token)
    if text[0] in _DASHES and len(text) > 1:
        return text[1:].lower()
    return "-" if text in _DASHES else text


_Node = TypeVar("_Node")


class _Parameters(tuple):  # type: ignore[type-arg]
    """A function's parenthesised parameters, told apart from its body's statements."""


class _Clause:
    """A `catch` or `finally` block, told apart from each other in a `try`."""

    __slots__ = ("final", "statements")

    def __init__(self, statements: tuple[Statement, ...], *, final: bool) -> None:
        self.statements = statements
        self.final = final


class _Nodes(Transformer[Token, tuple[Statement, ...]]):
    """lark's tree to `script` nodes: one method per rule of `powershell.lark`.

    `spans` keeps where the nodes built from one token start and end (offsets
    in the text), so that command-mode pieces written without a space between
    them become one argument, as PowerShell reads them (about_Parsing).
    """

    def __init__(self) -> None:
        super().__init__()
        self.spans: dict[int, tuple[int, int]] = {}

    def _spanned(self, node: _Node, first: Token, last: Token | None = None) -> _Node:
        end = (last or first).end_pos
        if first.start_pos is not None and end is not None:
            self.spans[id(node)] = (first.start_pos, end)
        return node

    def start(self, children: list[Statement]) -> tuple[Statement, ...]:
        return tuple(children)

    def assignment(self, children: list[Any]) -> Assignment:
        *_types, variable, operator, value = children
        return Assignment(variable.name, str(operator), value, variable.position, variable.scope)

    def increment(self, children: list[Any]) -> Increment:
        variable, operator = children
        return Increment(variable.name, str(operator), variable.position)

    def if_statement(self, children: list[Any]) -> IfStatement:
        keyword, condition, block, *rest = children
        clauses = [(condition, block)]
        otherwise = None
        for clause in rest:
            if isinstance(clause, _Else):
                otherwise = clause.statements
            else:
                clauses.append(clause)
        return IfStatement(tuple(clauses), otherwise, _at(keyword))

    def elseif_clause(self, children: list[Any]) -> tuple[Pipeline, tuple[Statement, ...]]:
        _keyword, condition, block = children
        return (condition, block)

    def else_clause(self, children: list[Any]) -> _Else:
        return _Else(children[-1])

    def block(self, children: list[Statement]) -> tuple[Statement, ...]:
        return tuple(children)

    def foreach_statement(self, children: list[Any]) -> ForEach:
        keyword, variable, _in, collection, body = children
        return ForEach(variable.name, collection, body, _at(keyword))

    def for_part(self, children: list[Statement]) -> Statement | None:
        return children[0] if children else None

    def for_statement(self, children: list[Any]) -> For:
        keyword, initial, condition, step, body = children
        return For(initial, condition, step, body, _at(keyword))

    def while_statement(self, children: list[Any]) -> While:
        keyword, condition, body = children
        return While(condition, body, _at(keyword))

    def do_statement(self, children: list[Any]) -> While:
        keyword, body, end, condition = children
        until = str(end).strip().lower().endswith("until")
        return While(condition, body, _at(keyword), body_first=True, until=until)

    def switch_statement(self, children: list[Any]) -> Switch:
        keyword, *rest = children
        rest = [item for item in rest if not isinstance(item, Token)]
        value, *clauses = rest
        return Switch(value, tuple(clauses), _at(keyword))

    def switch_clause(
        self, children: list[Any]
    ) -> tuple[Expression | None, tuple[Statement, ...]]:
        match, block = children
        if isinstance(match, Literal) and match.bare and str(match.value).lower() == "default":
            return (None, block)
        return (match, block)

    def try_statement(self, children: list[Any]) -> Try:
        keyword, body, *clauses = children
        catches = tuple(clause.statements for clause in clauses if not clause.final)
        final = next((clause.statements for clause in clauses if clause.final), None)
        return Try(body, catches, final, _at(keyword))

    def catch_clause(self, children: list[Any]) -> _Clause:
        return _Clause(children[-1], final=False)

    def finally_clause(self, children: list[Any]) -> _Clause:
        return _Clause(children[-1], final=True)

    def function_definition(self, children: list[Any]) -> FunctionDefinition:
        keyword, name, *rest = children
        parameters: tuple[ParameterDeclaration, ...] = ()
        if rest and isinstance(rest[0], _Parameters):
            parameters = tuple(rest.pop(0))
        body = tuple(rest)
        if body and isinstance(body[0], ParamBlock):
            parameters += body[0].parameters
            body = body[1:]
        return FunctionDefinition(str(name), parameters, body, _at(keyword))

    def function_parameters(self, children: list[ParameterDeclaration]) -> _Parameters:
        return _Parameters(children)

    def param_block(self, children: list[Any]) -> ParamBlock:
        keyword = next(child for child in children if getattr(child, "type", "") == "PARAM_KEYWORD")
        declarations = tuple(child for child in children if isinstance(child, ParameterDeclaration))
        return ParamBlock(declarations, _at(keyword))

    def parameter_declaration(self, children: list[Any]) -> ParameterDeclaration:
        types = tuple(
            _type_name(child) for child in children if isinstance(child, Token) and child.type == "TYPE"
        )
        index = next(i for i, child in enumerate(children) if isinstance(child, Variable))
        variable = children[index]
        default = children[index + 2] if len(children) > index + 2 else None
        return ParameterDeclaration(variable.name, types, default, variable.position)

    def flow(self, children: list[Any]) -> Flow:
        keyword, *value = children
        return Flow(str(keyword).lower(), value[0] if value else None, _at(keyword))

    def pipeline(self, children: list[Any]) -> Pipeline:
        first, *rest = children
        redirections = tuple(item for item in rest if isinstance(item, Redirection))
        commands = tuple(item for item in rest if not isinstance(item, Redirection))
        return Pipeline((first, *commands), _start(first), redirections)

    def command(self, children: list[Any]) -> Command:
        name, *elements = children
        if name.type == "CALL_OPERATOR":
            return Command(str(name), self._joined(elements), _at(name))
        return Command(str(name), self._joined(elements), _at(name))

    def _joined(self, elements: list[Any]) -> tuple[Any, ...]:
        """Adjacent command-mode pieces as one argument (`$P'/ToUKE164'`, `$a/H`)."""
        joined: list[Any] = []
        for element in elements:
            previous = joined[-1] if joined else None
            before = self.spans.get(id(previous)) if previous is not None else None
            here = self.spans.get(id(element))
            if previous is not None and before is not None and here is not None and before[1] == here[0]:
                parts = previous.parts if isinstance(previous, Concatenation) else (previous,)
                merged = Concatenation((*parts, element), previous.position)
                self.spans[id(merged)] = (before[0], here[1])
                joined[-1] = merged
            else:
                joined.append(element)
        return tuple(joined)

    def parameter(self, children: list[Token]) -> Parameter:
        (token,) = children
        text = str(token)
        return Parameter(text[1:].rstrip(":"), text.endswith(":"), _at(token))

    def splat(self, children: list[Token]) -> Splat:
        (token,) = children
        return Splat(str(token)[1:], _at(token))

    def redirection(self, children: list[Any]) -> Redirection:
        operator, *target = children
        return Redirection(str(operator), target[0] if target else None, _at(operator))

    def argument(self, children: list[Expression]) -> Expression:
        if len(children) == 1:
            return children[0]
        return ArrayLiteral(tuple(children), _start(children[0]))

    def array_literal(self, children: list[Expression]) -> ArrayLiteral:
        return ArrayLiteral(tuple(children), _start(children[0]))

    def operation(self, children: list[Any]) -> Operation:
        left, operator, right = children
        return Operation(left, _operator(operator), right, _start(left))

    def unary(self, children: list[Any]) -> Unary:
        operator, operand = children
        name = "not" if str(operator) == "!" else _operator(operator)
        return Unary(name, operand, _at(operator))

    def cast(self, children: list[Any]) -> Cast:
        type_token, operand = children
        return Cast(_type_name(type_token), operand, _at(type_token))

    def member_access(self, children: list[Any]) -> Member:
        target, name = children
        if isinstance(target, Member):
            node = Member(target.target, (*target.names, str(name)[1:]), target.position)
        else:
            node = Member(target, (str(name)[1:],), _start(target))
        span = self.spans.get(id(target))
        if span is not None and name.end_pos is not None:
            self.spans[id(node)] = (span[0], name.end_pos)
        return node

    def method_call(self, children: list[Any]) -> MethodCall:
        target, method, *arguments = children
        return MethodCall(target, str(method)[1:-1], tuple(arguments), _start(target))

    def index(self, children: list[Any]) -> Index:
        target, value = children
        return Index(target, value, _start(target))

    def bareword(self, children: list[Token]) -> Literal:
        (token,) = children
        return self._spanned(Literal(str(token), _at(token), bare=True), token)

    def literal_string(self, children: list[Token]) -> Literal:
        (token,) = children
        text = str(token)
        if token.type == "SQ_HERE_STRING":
            return Literal(_here_body(text), _at(token))
        return self._spanned(Literal(_DOUBLED_SINGLE.sub(r"\1", text[1:-1]), _at(token)), token)

    def expandable_string(self, children: list[Token]) -> Expandable:
        (token,) = children
        text = str(token)
        if token.type == "DQ_HERE_STRING":
            return _expand(_here_body(text), _at(token), here=True)
        return self._spanned(_expand(text[1:-1], _at(token), here=False), token)

    def number(self, children: list[Token]) -> Literal:
        (token,) = children
        text = str(token)
        return self._spanned(Literal(float(text) if "." in text else int(text), _at(token)), token)

    def variable(self, children: list[Token]) -> Variable:
        (token,) = children
        text = str(token)
        scope = next((s[:-1] for s in _SCOPES if text[1:].lower().startswith(s)), "")
        return self._spanned(Variable(_variable_name(text), _at(token), scope), token)

    def array_expression(self, children: list[Any]) -> ArrayExpression:
        opener, *statements = children
        return ArrayExpression(tuple(statements), _at(opener))

    def subexpression(self, children: list[Any]) -> Subexpression:
        opener, *statements = children
        return Subexpression(tuple(statements), _at(opener))

    def paren(self, children: list[Any]) -> Paren:
        opener, content = children
        return Paren(content, _at(opener))

    def hashtable(self, children: list[Any]) -> Hashtable:
        opener, *pairs = children
        return Hashtable(tuple(pairs), _at(opener))

    def pair(self, children: list[Any]) -> tuple[str, Statement]:
        key, operator, value = children
        if str(operator) != "=":
            raise _NodeError(f"a hashtable entry takes '=', not {str(operator)!r}", _at(operator))
        return (str(key.value), value)

    def script_block(self, children: list[Any]) -> ScriptBlock:
        opener, *statements = children
        return ScriptBlock(tuple(statements), _at(opener))

    def type_literal(self, children: list[Token]) -> TypeLiteral:
        (token,) = children
        return TypeLiteral(_type_name(token), _at(token))

    def static_member(self, children: list[Any]) -> StaticMember:
        type_token, member, *rest = children
        if member.type == "STATIC_METHOD":
            return StaticMember(_type_name(type_token), str(member)[2:-1], tuple(rest), _at(type_token))
        return StaticMember(_type_name(type_token), str(rest[0]), None, _at(type_token))


class _Else:
    """An `else` block, told apart from `elseif` clauses while building an `IfStatement`."""

    __slots__ = ("statements",)

    def __init__(self, statements: tuple[Statement, ...]) -> None:
        self.statements = statements


_NODES = _Nodes()


class _NodeError(Exception):
    def __init__(self, detail: str, position: Position) -> None:
        super().__init__(detail)
        self.detail = detail
        self.position = position


def _word_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines() or [""]
    content = lines[min(line, len(lines)) - 1][column - 1 :]
    match = re.match(r"[\w$@-]+|\S", content)
    return match.group(0) if match else ""


def _first_word(text: str, line: int) -> str:
    lines = text.splitlines() or [""]
    match = re.match(r"\s*([A-Za-z]+)", lines[min(line, len(lines)) - 1])
    return match.group(1).lower() if match else ""


def _syntax_error(exc: UnexpectedInput, text: str, source: str) -> TenantFileError:
    """lark's error as ours: what was unexpected, at which line and column, with a caret."""
    line, column = exc.line, exc.column
    if isinstance(exc, UnexpectedToken) and exc.token.type == "$END" or line < 1:
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
        closers = (
            [_CLOSERS[name] for name in sorted(exc.expected) if name in _CLOSERS]
            if isinstance(exc, UnexpectedToken)
            else []
        )
        detail = "unexpected end of file" + (
            f" (missing {' or '.join(closers)})" if closers else ""
        )
    elif isinstance(exc, UnexpectedCharacters) and exc.char == "`":
        detail = (
            "a backtick continues a line only as its last character (is there a space after it?)"
        )
    elif isinstance(exc, UnexpectedToken) and exc.token.type == "_NL":
        detail = "unexpected end of line"
    else:
        detail = f"unexpected {_word_at(text, line, column)!r}"
    keyword = _first_word(text, line)
    if keyword in _UNSUPPORTED_KEYWORDS:
        detail = f"{keyword!r} is not supported by the reader; {detail}"
    return TenantFileError(
        located(detail, text, line, column), file=source, line=line, column=column
    )


def parse_script(text: str, source: str = "<script>") -> Script:
    """Parse a script into `script` nodes; unsupported syntax is a `TenantFileError`."""
    try:
        statements: tuple[Statement, ...] = _parser().parse(text)  # type: ignore[assignment]
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, source) from None
    except _NodeError as error:
        line, column = error.position.line, error.position.column
        detail = located(error.detail, text, line, column)
        raise TenantFileError(detail, file=source, line=line, column=column) from None
    finally:
        _NODES.spans.clear()
    return Script(statements, text)


def run_powershell(
    text: str,
    source: str = "<script>",
    name: str = "",
    *,
    max_rules: int | None = None,
    validate: bool = True,
    choices: dict[str, str] | None = None,
    usage_location: str | None = None,
) -> tuple[Tenant, tuple[IgnoredStatement, ...]]:
    """Run a script against an empty tenant: the tenant it builds, and what it passed over.

    `max_rules` and `validate` are passed to `tenant_from_document`; `choices`
    answer the script's prompts and parameters by the variable they set
    (`--choice NAME=VALUE`); `usage_location` goes to users the script sets none for.
    """
    script = parse_script(text, source)
    answers = {key.lstrip("$"): value for key, value in (choices or {}).items()}
    return run_script(
        script,
        source,
        name,
        max_rules=max_rules,
        validate=validate,
        answers=answers,
        usage_location=usage_location,
        parse=parse_script,
    )


def tenant_from_powershell(
    text: str,
    source: str = "<script>",
    name: str = "",
    *,
    max_rules: int | None = None,
    validate: bool = True,
    choices: dict[str, str] | None = None,
    usage_location: str | None = None,
) -> Tenant:
    """The tenant a dial plan script builds when run against an empty tenant."""
    return run_powershell(
        text,
        source,
        name,
        max_rules=max_rules,
        validate=validate,
        choices=choices,
        usage_location=usage_location,
    )[0]


def import_powershell(
    path: Path,
    *,
    max_rules: int | None = None,
    validate: bool = True,
    choices: dict[str, str] | None = None,
    usage_location: str | None = None,
) -> tuple[Tenant, tuple[IgnoredStatement, ...]]:
    """Read a `.ps1` file (the tenant is named after the file)."""
    text = read_text(path)
    return run_powershell(
        text,
        str(path),
        path.stem,
        max_rules=max_rules,
        validate=validate,
        choices=choices,
        usage_location=usage_location,
    )


def read_tenant_powershell(
    path: Path, *, max_rules: int | None = None, validate: bool = True
) -> Tenant:
    """Read a `.ps1` file as a tenant."""
    return import_powershell(path, max_rules=max_rules, validate=validate)[0]
