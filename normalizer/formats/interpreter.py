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

from collections.abc import Callable, Iterable
from typing import Any

from normalizer.errors import DialplanInputError
from normalizer.formats.prompts import Prompts
from normalizer.formats.script import (
    Assignment,
    Command,
    Expression,
    Flow,
    For,
    ForEach,
    FunctionDefinition,
    IfStatement,
    Increment,
    MethodCall,
    ParamBlock,
    Parameter,
    Pipeline,
    Redirection,
    ScriptBlock,
    Splat,
    Statement,
    Switch,
    Try,
    Variable,
    While,
)
from normalizer.formats.values import (
    _DISCARDING,
    _NO_OUTPUT,
    MAX_ITERATIONS,
    IgnoredStatement,
    Table,
    Undecidable,
    Unknown,
    Value,
    _Stop,
    _walk,
    describe,
)


class Interpreter(Prompts):
    """One run of one script: its statements, in order (`handlers`: lower-case cmdlet names to what they do)."""

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
        if cached is None:
            cached = self._calls_any(node, self.changes_dial_plans)
            self._changing[id(node)] = cached
        return cached

    def creates(self, block: tuple[Statement, ...]) -> bool:
        """Whether a block creates a dial plan (the branch a live-tenant condition takes)."""
        return self._calls_any(
            block, lambda name: name.lower() in {"new-cstenantdialplan", "new-csdialplan"}
        )

    def _calls_any(self, node: Any, wanted: Callable[[str], bool]) -> bool:
        """Whether a node, or a function it calls (and so on), runs a command `wanted` names.

        A worklist rather than recursion: a chain of a thousand functions each
        calling the next is as safe as one.
        """
        pending, seen = [node], set()
        while pending:
            current = pending.pop()
            for inner in _walk(current):
                if not isinstance(inner, Command):
                    continue
                if wanted(inner.name):
                    return True
                definition = self.definitions.get(inner.name.lower())
                if definition is not None and id(definition) not in seen:
                    seen.add(id(definition))
                    pending.append(definition.body)
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
        self.deeper(statement.position)
        try:
            return self.execute(statement, collect=collect)
        except Undecidable as exc:
            if self.changes(statement):
                self.fail(f"cannot be read safely: {exc.detail}", exc.position)
            self.pass_over(statement, exc.detail)
            return []
        finally:
            self.depth -= 1

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
            elif value is not None or not isinstance(statement.elements[0], MethodCall):
                # A method that returns nothing (`$dp.NormalizationRules.Add($rule)`) did its work.
                self.ignore(statement, "a value on its own (PowerShell prints it)")
        return [] if value is None else [value]

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
        output = self.flatten(self.execute(statement, collect=True), statement.position)
        return output[0] if len(output) == 1 else (None if not output else output)

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

    # Functions ----------------------------------------------------------------

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
        self.deeper(command.position)
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
            self.depth -= 1
        flat = self.flatten(output, command.position)
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
