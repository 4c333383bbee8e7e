"""Binding a cmdlet's parameters: names (any unambiguous prefix), positions, splats, switches.

Also what a cmdlet's error means for the run: an error Teams would report
stops the import unless errors are silenced (`-ErrorAction SilentlyContinue`,
`$ErrorActionPreference`, `2>$null`).

>>> from normalizer.formats.powershell import parse_script
>>> from normalizer.formats.values import TEXT, Spec
>>> script = parse_script("Grant-CsTenantDialPlan u@x.com -Pol P")
>>> command = script.statements[0].elements[0]
>>> sorted(Binder(script).bind(command, Spec({"Identity": TEXT, "PolicyName": TEXT}, ("Identity",))).values)
['Identity', 'PolicyName']
"""

from __future__ import annotations

from normalizer.formats.evaluation import Evaluator
from normalizer.formats.script import (
    Command,
    Parameter,
    Position,
    Redirection,
    Splat,
)
from normalizer.formats.values import (
    _COMMON,
    _SILENT,
    ANY,
    SWITCH,
    Bound,
    Spec,
    Table,
    Undecidable,
    Unknown,
    Value,
    kind_of,
)


class Binder(Evaluator):
    """`Evaluator` with cmdlet parameter binding and error handling."""

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
