"""The native tenant file: TOML, read with `tomli` and written with `tomli-w` (schema in the README).

>>> from normalizer.data import example_tenant_path
>>> tenant = read_tenant_toml(example_tenant_path())
>>> tenant_from_toml(tenant_to_toml(tenant)) == tenant
True
>>> tenant_from_toml("[tenant", source="t.toml")
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: t.toml: not valid TOML: Expected ']' at the end of a table declaration (at end of document)
"""

from __future__ import annotations

from pathlib import Path

import tomli

from normalizer.errors import TenantFileError
from normalizer.formats.document import tenant_from_document, tenant_to_document
from normalizer.formats.text import read_text
from normalizer.models import Tenant
from normalizer.nesting import check_text


def tenant_from_toml(
    text: str, source: str = "<tenant>", *, max_rules: int | None = None, validate: bool = True
) -> Tenant:
    """A tenant from TOML text; errors name the source and, where known, plan and rule.

    `max_rules` and `validate` are passed to `tenant_from_document`.
    """
    check_text(text, source)
    try:
        document = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise TenantFileError(f"not valid TOML: {exc}", file=source) from None
    return tenant_from_document(document, source, max_rules=max_rules, validate=validate)


def read_tenant_toml(path: Path, *, max_rules: int | None = None, validate: bool = True) -> Tenant:
    """Read a TOML tenant file; errors name the file and, where known, plan and rule."""
    return tenant_from_toml(read_text(path), str(path), max_rules=max_rules, validate=validate)


def tenant_to_toml(tenant: Tenant) -> str:
    """The tenant as a TOML tenant file (defaults left out), laid out as the README shows.

    Each table is written on its own, so that plans, rules and users are always
    `[[...]]` tables, never inline tables, however short they are.
    """
    import tomli_w  # only writing needs it

    document = tenant_to_document(tenant)
    chunks = [
        '# Tenant file of dialplan (schema: README, "Tenant files"). Rule order is evaluation order.\n',
        "[tenant]\n" + tomli_w.dumps(document["tenant"]),
    ]
    for plan in document["dial_plans"]:
        rules = plan.pop("rules")
        settings = tomli_w.dumps({**plan, "rules": []} if not rules else plan)
        chunks.append("[[dial_plans]]\n" + settings)
        chunks += ["[[dial_plans.rules]]\n" + tomli_w.dumps(rule) for rule in rules]
    chunks += ["[[users]]\n" + tomli_w.dumps(user) for user in document["users"]]
    if "communications_credits" in document:
        chunks.append("[communications_credits]\n" + tomli_w.dumps(document["communications_credits"]))
    return "\n".join(chunks)
