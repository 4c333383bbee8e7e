"""Methods that change a list in place: `.Add`, `.AddRange`, `.Insert`, `.Remove`, `.RemoveAt`, `.Clear`.

A published way to add a rule to a plan goes through the plan object:

    $dp = Get-CsTenantDialPlan -Identity P1
    $dp.NormalizationRules.Add($rule)          # or .Insert(0, $rule), .Remove($rule) ...
    Set-CsTenantDialPlan -Identity P1 -NormalizationRules $dp.NormalizationRules

Values are immutable here, so changing the plan object's list means storing a
changed copy of the object in its variable, as the .NET list methods would
leave it (`List<T>`: `Insert` and `RemoveAt` past the end are errors, `Remove`
returns whether it found the item). A list of rules changed in place any other
way (a second name for the plan's list, `$rules = $dp.NormalizationRules`) is
an error naming the line, never a rule silently lost; another list changed in
place makes its variable unknown, as a statement passed over does.

>>> changed((1, 2), "insert", [0, 9])
((9, 1, 2), None)
>>> changed((1, 2), "removeat", [5])
Traceback (most recent call last):
...
ValueError: .RemoveAt(5) is past the end of a list of 2
"""

from __future__ import annotations

import dataclasses
from typing import NoReturn

from normalizer.formats.bounds import Bounds
from normalizer.formats.script import Expression, Member, MethodCall, Position, Variable
from normalizer.formats.values import (
    PlanObject,
    RuleObject,
    Unknown,
    Value,
    describe,
)

CHANGING = {
    "add": "Add",
    "addrange": "AddRange",
    "insert": "Insert",
    "remove": "Remove",
    "removeat": "RemoveAt",
    "clear": "Clear",
}
"""The list methods that change their list (lower case -> as .NET spells them)."""
_ARITY = {"add": 1, "addrange": 1, "insert": 2, "remove": 1, "removeat": 1, "clear": 0}


def changed(items: tuple[Value, ...], key: str, arguments: list[Value]) -> tuple[tuple[Value, ...], Value]:
    """The list after `items.<key>(*arguments)` and what the call returns; ValueError saying why it cannot."""
    name = CHANGING[key]
    if len(arguments) != _ARITY[key]:
        raise ValueError(f".{name}() takes {_ARITY[key]} argument{'s' if _ARITY[key] != 1 else ''}, not {len(arguments)}")
    if key == "add":
        return items + (arguments[0],), None
    if key == "addrange":
        more = arguments[0]
        return items + (more if isinstance(more, tuple) else (more,)), None
    if key == "clear":
        return (), None
    if key == "remove":
        for at, item in enumerate(items):
            if item == arguments[0]:
                return items[:at] + items[at + 1 :], True
        return items, False
    index = arguments[0]
    if not isinstance(index, int) or isinstance(index, bool):
        raise TypeError(f".{name}() takes an index, not {type(index).__name__}")
    at = index
    end = len(items) if key == "insert" else len(items) - 1
    if not 0 <= at <= end:
        raise ValueError(f".{name}({at}) is past the end of a list of {len(items)}")
    if key == "insert":
        return items[:at] + (arguments[1],) + items[at:], None
    return items[:at] + items[at + 1 :], None


def _plan_variable(node: Expression) -> Variable | None:
    """`$dp` in `$dp.NormalizationRules` (the list the reader can change in place)."""
    if (
        isinstance(node, Member)
        and isinstance(node.target, Variable)
        and [name.lower() for name in node.names] == ["normalizationrules"]
    ):
        return node.target
    return None


def _holds_rules(*values: Value) -> bool:
    return any(
        isinstance(value, RuleObject) or isinstance(value, tuple) and _holds_rules(*value)
        for value in values
    )


class ListChanges(Bounds):
    """`Evaluator`'s list methods that change their list (`change_in_place`)."""

    def change_in_place(self, node: MethodCall, target: tuple[Value, ...]) -> Value:
        """`target.Add(...)` and the like on a list (`target`, the value of `node.target`): the
        plan object in `$dp.NormalizationRules` is stored changed; another list of rules is an
        error; any other list's variable becomes unknown."""
        key = node.name.lower()
        arguments = [self.expression(argument) for argument in node.arguments]
        owner = _plan_variable(node.target)
        call = f"{describe(node.target)}.{CHANGING[key]}()"
        plan = self.variable(owner.name, owner.position) if owner is not None else None
        if isinstance(plan, PlanObject):
            if any(isinstance(argument, Unknown) for argument in arguments):
                unknown = next(argument for argument in arguments if isinstance(argument, Unknown))
                self.cannot(node.position, f"{call} takes {unknown.origin}, which the reader cannot know")
            try:
                rules, result = changed(target, key, arguments)
            except (TypeError, ValueError) as exc:
                self.cannot(node.position, str(exc))
            kept = tuple(rule for rule in rules if isinstance(rule, RuleObject))
            if len(kept) != len(rules):
                self.cannot(node.position, f"{call} puts something other than normalization rules in the plan's rules")
            self.room(len(kept), "list", node.position)
            assert owner is not None  # a plan comes from `owner`
            self.store(owner.name, dataclasses.replace(plan, rules=kept), owner.scope)
            return result
        if _holds_rules(target, *arguments):
            self.cannot(
                node.position,
                f"{call} changes a list of rules in place, which the reader follows only on a plan "
                "object's $plan.NormalizationRules (build other lists with $list += $rule)",
            )
        if isinstance(node.target, Variable):
            self.store(node.target.name, Unknown(f"${node.target.name}, changed by {call} at line {node.position.line}"))
        return Unknown(call)

    def cannot(self, position: Position, detail: str) -> NoReturn:
        self.fail(f"cannot follow this change of dial plan rules: {detail}", position)

    # What `Evaluator` provides ----------------------------------------------------------

    def expression(self, node: Expression) -> Value:
        raise NotImplementedError

    def variable(self, written: str, position: Position) -> Value:
        raise NotImplementedError

    def store(self, name: str, value: Value, scope: str = "") -> None:
        raise NotImplementedError
