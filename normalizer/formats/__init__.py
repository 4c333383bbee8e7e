"""Tenant file formats: read any supported file by its extension, write any format.

`.toml` is the native tenant file; `.ps1` is a PowerShell dial plan script,
read as if run against an empty tenant; `.json` is Teams JSON
(`Get-CsTenantDialPlan | ConvertTo-Json`). A `.ps1` or `.json` tenant is named
after its file.

>>> load_tenant(None).name
'Contoso'
>>> dump_tenant(load_tenant(None), TenantFormat.JSON).splitlines()[2].strip()
'"Identity": "Tag:FR-Paris-Issy-39qdPR",'
>>> load_tenant("tenant.xlsx")
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: tenant.xlsx: unsupported tenant file type '.xlsx' (use .json, .ps1, .toml)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from normalizer.data import example_tenant_path
from normalizer.errors import DialplanInputError, TenantFileError
from normalizer.models import Tenant

if TYPE_CHECKING:
    from normalizer.formats.values import IgnoredStatement

# Each format's module is imported when a file of that format is read or
# written: the PowerShell adapter loads lark and its grammar, and a command
# that reads a TOML tenant pays for nothing else.


def read_tenant_toml(path: Path, *, max_rules: int | None = None, validate: bool = True) -> Tenant:
    """A tenant from a TOML tenant file (`normalizer.formats.toml`)."""
    from normalizer.formats import toml

    return toml.read_tenant_toml(path, max_rules=max_rules, validate=validate)


def tenant_to_toml(tenant: Tenant) -> str:
    """A tenant as a TOML tenant file (`normalizer.formats.toml`)."""
    from normalizer.formats import toml

    return toml.tenant_to_toml(tenant)


def read_tenant_teams_json(path: Path, *, max_rules: int | None = None, validate: bool = True) -> Tenant:
    """A tenant from Teams JSON (`normalizer.formats.teams_json`)."""
    from normalizer.formats import teams_json

    return teams_json.read_tenant_teams_json(path, max_rules=max_rules, validate=validate)


def tenant_to_teams_json(tenant: Tenant) -> str:
    """A tenant as Teams JSON (`normalizer.formats.teams_json`)."""
    from normalizer.formats import teams_json

    return teams_json.tenant_to_teams_json(tenant)


def read_tenant_powershell(path: Path, *, max_rules: int | None = None, validate: bool = True) -> Tenant:
    """A tenant from a PowerShell script (`normalizer.formats.powershell`)."""
    from normalizer.formats import powershell

    return powershell.read_tenant_powershell(path, max_rules=max_rules, validate=validate)


def tenant_to_powershell(tenant: Tenant) -> str:
    """A tenant as a PowerShell script (`normalizer.formats.powershell_writer`)."""
    from normalizer.formats import powershell_writer

    return powershell_writer.tenant_to_powershell(tenant)


class TenantReader(Protocol):
    """Reads one tenant file format; `max_rules` overrides the file's, `validate=False` skips checks."""

    def __call__(
        self, path: Path, *, max_rules: int | None = ..., validate: bool = ...
    ) -> Tenant: ...


READERS: dict[str, TenantReader] = {
    ".toml": read_tenant_toml,
    ".ps1": read_tenant_powershell,
    ".json": read_tenant_teams_json,
}


class TenantFormat(StrEnum):
    """The formats a tenant can be written in."""

    TOML = "toml"
    POWERSHELL = "powershell"
    JSON = "json"

    @property
    def suffix(self) -> str:
        """The file extension of the format."""
        return {"toml": ".toml", "powershell": ".ps1", "json": ".json"}[self.value]

    @classmethod
    def of_path(cls, path: str | Path) -> TenantFormat | None:
        """The format a file name's extension names, if any."""
        suffix = Path(path).suffix.lower()
        return next((fmt for fmt in cls if fmt.suffix == suffix), None)


WRITERS: dict[TenantFormat, Callable[[Tenant], str]] = {
    TenantFormat.TOML: tenant_to_toml,
    TenantFormat.POWERSHELL: tenant_to_powershell,
    TenantFormat.JSON: tenant_to_teams_json,
}


@dataclass(frozen=True, slots=True)
class TenantImport:
    """A tenant read from a file, the statements of a script it passed over, and its notes."""

    tenant: Tenant
    ignored: tuple[IgnoredStatement, ...] = ()


def _checked(path: str | Path | None) -> Path:
    file = Path(path) if path is not None else example_tenant_path()
    if file.suffix.lower() not in READERS:
        known = ", ".join(sorted(READERS))
        raise TenantFileError(
            f"unsupported tenant file type {file.suffix!r} (use {known})", file=str(file)
        )
    if not file.is_file():
        raise TenantFileError("no such file", file=str(file))
    return file


def load_tenant(
    path: str | Path | None = None, *, max_rules: int | None = None, validate: bool = True
) -> Tenant:
    """Load a tenant file (the built-in Contoso example when `path` is None).

    The tenant is checked by `normalizer.validation` (the first violation is
    raised) unless `validate` is False; `max_rules` overrides the file's
    `[tenant] max_rules` (the `--max-rules` option).
    """
    file = _checked(path)
    return READERS[file.suffix.lower()](file, max_rules=max_rules, validate=validate)


def import_tenant(
    path: str | Path,
    *,
    max_rules: int | None = None,
    validate: bool = True,
    choices: dict[str, str] | None = None,
    usage_location: str | None = None,
) -> TenantImport:
    """Load a tenant file as `load_tenant` does, keeping what a script passed over.

    For a script, `choices` answer its prompts and parameters by the variable
    they set, and `usage_location` goes to the users it sets none for.
    """
    file = _checked(path)
    if file.suffix.lower() == ".ps1":
        from normalizer.formats.powershell import import_powershell

        return TenantImport(
            *import_powershell(
                file,
                max_rules=max_rules,
                validate=validate,
                choices=choices,
                usage_location=usage_location,
            )
        )
    if choices or usage_location:
        raise DialplanInputError(
            "--choice and --usage-location apply to .ps1 scripts only", file=str(file)
        )
    return TenantImport(READERS[file.suffix.lower()](file, max_rules=max_rules, validate=validate))


def dump_tenant(tenant: Tenant, format: TenantFormat) -> str:
    """The tenant written in `format`."""
    return WRITERS[format](tenant)
