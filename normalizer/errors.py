"""The one exception hierarchy of the normalizer.

Every error names where it happened (file, plan, rule, field) and keeps those
parts as attributes, so the CLI prints one line and the API returns them as
fields; an error in a script or JSON file also keeps its `line` and `column`
(from 1; None elsewhere)::

    DialplanError
    ├── DialplanInputError (ValueError)       bad input: a file, a pattern, a value
    │   ├── TenantFileError                   a malformed tenant or data file
    │   ├── PatternError                      a pattern the .NET dialect cannot take
    │   ├── TranslationError                  a translation the .NET dialect cannot take
    │   ├── TenantValidationError             a tenant that breaks a dial plan limit
    │   ├── RegexTimeoutError                 a pattern not proven to finish within its work budget
    │   ├── TimeLimitError                    work stopped at its time limit (`isolation`)
    │   ├── MemoryLimitError                  work stopped at its memory limit (`isolation`)
    │   └── SuiteError                        a malformed test suite, or a case that cannot run
    └── DialplanLookupError (LookupError)     something named that does not exist
        ├── UnknownUserError
        ├── UnknownRegionError
        ├── UnknownPlanError
        └── UnknownCallingPlanError           a Calling Plan not sold where it is asked for

>>> str(PatternError("missing )", file="t.toml", plan="P", rule="R", field="pattern"))
"t.toml: plan 'P' rule 'R': field 'pattern': missing )"
"""

from __future__ import annotations

from typing import Any


class DialplanError(Exception):
    """Base of every error the normalizer raises on purpose.

    `line` and `column` (from 1) place an error inside a script or JSON file;
    the message shows them with an excerpt of the line.
    """

    def __init__(
        self,
        detail: str,
        *,
        file: str | None = None,
        plan: str | None = None,
        rule: str | None = None,
        rule_index: int | None = None,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.detail = detail
        self.file = file
        self.plan = plan
        self.rule = rule
        self.rule_index = rule_index
        self.field = field
        self.line = line
        self.column = column
        super().__init__(self.message)

    @property
    def location(self) -> str:
        """Where the error is, as `file: plan 'P' rule 'R' (rules[0]): field 'f'`."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        where: list[str] = []
        if self.plan is not None:
            where.append(f"plan {self.plan!r}")
        if self.rule is not None:
            where.append(f"rule {self.rule!r}")
        if self.rule_index is not None:
            where.append(f"(rules[{self.rule_index}])")
        if where:
            parts.append(" ".join(where))
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return ": ".join(parts)

    @property
    def message(self) -> str:
        """The full one-line message."""
        location = self.location
        return f"{location}: {self.detail}" if location else self.detail

    def located(self, **where: str | int | None) -> DialplanError:
        """Return a copy of this error with missing location parts filled in."""
        current = {
            "file": self.file,
            "plan": self.plan,
            "rule": self.rule,
            "rule_index": self.rule_index,
            "field": self.field,
            "line": self.line,
            "column": self.column,
        }
        for key, value in where.items():
            if current.get(key) is None:
                current[key] = value
        return type(self)(self.detail, **current)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return self.message


class DialplanInputError(DialplanError, ValueError):
    """Input that cannot be used: a file, a pattern, a value."""


class TenantFileError(DialplanInputError):
    """A tenant or data file that is malformed."""


class PatternError(DialplanInputError):
    """A pattern that does not compile, or uses a construct we cannot reproduce."""


class TranslationError(DialplanInputError):
    """A translation that cannot be applied exactly as .NET would."""


class TenantValidationError(DialplanInputError):
    """A tenant that breaks a dial plan limit or refers to something missing."""


class RegexTimeoutError(DialplanInputError):
    """A pattern no engine is proven to run within its work budget on a dial string.

    The name is kept from when the budget was a timeout (the API's `regex_timeout`)."""


class TimeLimitError(DialplanInputError):
    """Work (such as building a pattern's automaton) stopped at its time limit."""


class MemoryLimitError(DialplanInputError):
    """Work stopped because it needed more memory than it may use."""


class SuiteError(DialplanInputError):
    """A malformed test suite file, or a case that cannot run; also names the case.

    >>> str(SuiteError("must be a string", file="s.toml", case_index=2, field="dialed_number"))
    "s.toml: cases[2]: field 'dialed_number': must be a string"
    """

    def __init__(self, detail: str, *, case_index: int | None = None, **where: Any) -> None:
        self.case_index = case_index
        super().__init__(detail, **where)

    @property
    def location(self) -> str:
        """Where the error is, as `file: cases[3]: field 'f'`."""
        inner = DialplanError(
            "", plan=self.plan, rule=self.rule, rule_index=self.rule_index, field=self.field
        ).location
        case = f"cases[{self.case_index}]" if self.case_index is not None else None
        return ": ".join(part for part in (self.file, case, inner) if part)

    def located(self, **where: str | int | None) -> DialplanError:
        case_index = where.pop("case_index", None)
        found = super().located(**where)
        if isinstance(found, SuiteError):
            if self.case_index is not None:
                found.case_index = self.case_index
            elif isinstance(case_index, int):
                found.case_index = case_index
        return found


class DialplanLookupError(DialplanError, LookupError):
    """Something named that does not exist."""


class UnknownUserError(DialplanLookupError):
    """A user principal name the tenant does not have."""


class UnknownRegionError(DialplanLookupError):
    """A usage location that is not a region we know."""


class UnknownPlanError(DialplanLookupError):
    """A dial plan identity the tenant does not have."""


class UnknownCallingPlanError(DialplanLookupError):
    """A Calling Plan id, or a country, where that plan is not sold."""
