"""Tenant file formats: read any supported file by its extension.

>>> load_tenant(None).name
'Contoso'
>>> load_tenant("tenant.xlsx")
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: tenant.xlsx: unsupported tenant file type '.xlsx' (use .toml)
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from normalizer.data import example_tenant_path
from normalizer.errors import TenantFileError
from normalizer.formats.toml import read_tenant_toml
from normalizer.models import Tenant


class TenantReader(Protocol):
    """Reads one tenant file format; `max_rules` overrides the file's, `validate=False` skips checks."""

    def __call__(self, path: Path, *, max_rules: int | None = ..., validate: bool = ...) -> Tenant: ...


READERS: dict[str, TenantReader] = {
    ".toml": read_tenant_toml,
}


def load_tenant(
    path: str | Path | None = None, *, max_rules: int | None = None, validate: bool = True
) -> Tenant:
    """Load a tenant file (the built-in Contoso example when `path` is None).

    The tenant is checked by `normalizer.validation` (the first violation is
    raised) unless `validate` is False; `max_rules` overrides the file's
    `[tenant] max_rules` (the `--max-rules` option).
    """
    file = Path(path) if path is not None else example_tenant_path()
    reader = READERS.get(file.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise TenantFileError(f"unsupported tenant file type {file.suffix!r} (use {known})", file=str(file))
    if not file.is_file():
        raise TenantFileError("no such file", file=str(file))
    return reader(file, max_rules=max_rules, validate=validate)
