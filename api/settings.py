"""The service's settings: read in this one place, from the environment, and injectable.

`Settings()` holds the defaults; `Settings.from_env()` reads the `DIALPLAN_*`
variables below (the `dialplan serve` command and `create_app()` without
arguments use it); tests build a `Settings(...)` of their own and pass it to
`create_app`. A bad value is a `DialplanInputError` naming the variable.

| variable                     | field                 | default                    |
| ---------------------------- | --------------------- | -------------------------- |
| `DIALPLAN_TENANT`            | `tenant`              | the built-in Contoso       |
| `DIALPLAN_MAX_RULES`         | `max_rules`           | each tenant's own (25)     |
| `DIALPLAN_MAX_PLANS`         | `max_plans`           | 1,000                      |
| `DIALPLAN_MAX_USERS`         | `max_users`           | 10,000                     |
| `DIALPLAN_MAX_BODY_BYTES`    | `max_body_bytes`      | 4 MiB                      |
| `DIALPLAN_MAX_BATCH_ITEMS`   | `max_batch_items`     | 10,000                     |
| `DIALPLAN_MAX_DIALED_LENGTH` | `max_dialed_length`   | 8,192                      |
| `DIALPLAN_MAX_TRANSLATED_LENGTH` | `max_translated_length` | 1,024                |
| `DIALPLAN_REGEX_TIMEOUT`     | `regex_timeout`       | 0.1 s                      |
| `DIALPLAN_MAX_REQUEST_SECONDS` | `max_request_seconds` | 10 s                     |
| `DIALPLAN_ALLOWED_HOSTS`     | `allowed_hosts`       | none (comma-separated)     |

>>> Settings.from_env({"DIALPLAN_MAX_BATCH_ITEMS": "50"}).max_batch_items
50
>>> Settings.from_env({"DIALPLAN_REGEX_TIMEOUT": "soon"})
Traceback (most recent call last):
...
normalizer.errors.DialplanInputError: field 'DIALPLAN_REGEX_TIMEOUT': must be a number greater than 0, not 'soon'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from normalizer import DialplanInputError

PREFIX = "DIALPLAN_"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service can be told; the defaults serve the built-in Contoso tenant."""

    tenant: Path | None = None
    """The tenant file served (None: the built-in Contoso example)."""
    max_rules: int | None = None
    """Rules allowed per tenant dial plan: the served tenant's (like `--max-rules`; None:
    its own `tenant.max_rules`, 25 by default), and the ceiling of a posted tenant
    document's own `max_rules` (None: 50, what Teams allows today)."""
    max_plans: int = 1000
    """Tenant dial plans in a posted tenant document (a ceiling; Teams allows 1,000)."""
    max_users: int = 10_000
    """Users in a posted tenant document (a ceiling)."""
    max_body_bytes: int = 4 * 1024 * 1024
    """The largest request body accepted (413 beyond)."""
    max_batch_items: int = 10_000
    """Items in one `/v1/normalize/batch`, cases in one `/v1/simulate`."""
    max_dialed_length: int = 8192
    """The longest dial string accepted."""
    max_translated_length: int = 1024
    """The longest output a rule may give (each pass); longer is `invalid_translation`
    (the engine's own default, `normalizer.engine.MAX_TRANSLATED_LENGTH`)."""
    regex_timeout: float = 0.1
    """The work budget of one pattern on one dial string, in seconds at 10 million
    proven steps a second (the engine's `timeout=`, `normalizer.dotnet.budget`): work,
    not elapsed time, so the answer is the same alone or under load."""
    max_request_seconds: float = 10.0
    """Seconds one batch, simulation or lint may spend in all."""
    allowed_hosts: tuple[str, ...] = ()
    """`Host` names the service answers besides the address it is bound to (`api.security`)."""

    def __post_init__(self) -> None:
        for name in (
            "max_rules",
            "max_plans",
            "max_users",
            "max_body_bytes",
            "max_batch_items",
            "max_dialed_length",
            "max_translated_length",
        ):
            value = getattr(self, name)
            if value is None and name == "max_rules":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise DialplanInputError(f"must be an integer of at least 1, not {value!r}", field=name)
        for name in ("regex_timeout", "max_request_seconds"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise DialplanInputError(f"must be a number greater than 0, not {value!r}", field=name)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from `DIALPLAN_*` variables (default: `os.environ`), then `overrides`.

        An override of None leaves the variable's (or the default) value.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            variable = PREFIX + field.name.upper()
            text = environ.get(variable)
            if text is None or text == "":
                continue
            values[field.name] = _PARSERS[field.name](text, variable)
        settings = cls(**values)
        given = {key: value for key, value in overrides.items() if value is not None}
        return replace(settings, **given) if given else settings


def _path(text: str, variable: str) -> Path:
    return Path(text)


def _integer(text: str, variable: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise DialplanInputError(f"must be an integer of at least 1, not {text!r}", field=variable)
    return value


def _seconds(text: str, variable: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise DialplanInputError(f"must be a number greater than 0, not {text!r}", field=variable)
    return value


def _names(text: str, variable: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "tenant": _path,
    "max_rules": _integer,
    "max_plans": _integer,
    "max_users": _integer,
    "max_body_bytes": _integer,
    "max_batch_items": _integer,
    "max_dialed_length": _integer,
    "max_translated_length": _integer,
    "regex_timeout": _seconds,
    "max_request_seconds": _seconds,
    "allowed_hosts": _names,
}
