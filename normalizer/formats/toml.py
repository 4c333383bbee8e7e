"""The native tenant file: TOML, read with `tomllib` (schema in the README).

>>> from normalizer.data import example_tenant_path
>>> read_tenant_toml(example_tenant_path()).name
'Contoso'
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from normalizer.errors import TenantFileError
from normalizer.formats.document import tenant_from_document
from normalizer.models import Tenant


def read_tenant_toml(path: Path, *, max_rules: int | None = None, validate: bool = True) -> Tenant:
    """Read a TOML tenant file; errors name the file and, where known, plan and rule.

    `max_rules` and `validate` are passed to `tenant_from_document`.
    """
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise TenantFileError(f"not valid TOML: {exc}", file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise TenantFileError(f"not valid UTF-8: {exc.reason}", file=str(path)) from None
    except OSError as exc:
        raise TenantFileError(f"cannot read: {exc.strerror}", file=str(path)) from None
    return tenant_from_document(document, str(path), max_rules=max_rules, validate=validate)
