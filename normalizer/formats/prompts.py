"""The answers a script asks for: script parameters, prompts, `Read-Host`, prompt choices.

A script parameter takes its `--choice NAME=VALUE` answer or its default; a
`$Host.UI.PromptForChoice` takes the answer given for the variable it sets,
or its default choice; `Read-Host` takes the answer given, or is unknown. A
note says which, so the admin sees every decision the reader took.

>>> from normalizer.formats.powershell import parse_script
>>> run = Prompts(parse_script("param([string]$Site = 'Paris')"), answers={"Site": "Lyon"})
>>> run.parameters(run.script.statements[0])
>>> run.variables["site"], run.ignored[0].reason
('Lyon', "script parameter $Site is 'Lyon' (given by --choice Site=...)")
"""

from __future__ import annotations

from collections.abc import Callable

from normalizer.errors import DialplanInputError
from normalizer.formats.binding import Binder
from normalizer.formats.script import (
    Command,
    Expression,
    MethodCall,
    ParamBlock,
    Parameter,
    ParameterDeclaration,
    Redirection,
    Script,
    Splat,
)
from normalizer.formats.values import (
    _FALSE_WORDS,
    _TRUE_WORDS,
    Choice,
    Undecidable,
    Unknown,
    Value,
)


class Prompts(Binder):
    """`Binder` with the answers to a script's questions."""

    def __init__(
        self,
        script: Script,
        source: str = "<script>",
        *,
        answers: dict[str, str] | None = None,
        parse: Callable[[str], Script] | None = None,
    ) -> None:
        super().__init__(script, source, answers=answers, parse=parse)
        self.builtins.update(
            {
                "read-host": self.read_host,
                "new-object": self.new_object,
                "write-output": self.write_output,
                "echo": self.write_output,
            }
        )

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
        flat = self.flatten(values, command.position)
        return flat[0] if len(flat) == 1 else (flat or None)
