"""Tenant formats: the TOML writer, reading by extension, writing by format, file text."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from hypothesis import given, settings

from normalizer import (
    TenantFileError,
    TenantFormat,
    dump_tenant,
    import_tenant,
    load_tenant,
    tenant_from_document,
    tenant_from_powershell,
    tenant_from_teams_json,
    tenant_from_toml,
    tenant_to_powershell,
    tenant_to_teams_json,
    tenant_to_toml,
)
from normalizer.formats import READERS, WRITERS
from normalizer.formats.text import decode, excerpt
from normalizer.models import Tenant
from tests.strategies import tenants

FIXTURES = Path(__file__).parent / "fixtures"


@settings(deadline=None)
@given(tenants(max_rules=True, licences=True))
def test_tenant_to_toml_and_back_is_the_same_tenant(tenant: Tenant) -> None:
    assert tenant_from_toml(tenant_to_toml(tenant)) == tenant


def test_toml_is_laid_out_as_the_readme_shows(contoso: Tenant) -> None:
    text = tenant_to_toml(contoso)
    assert text.count("[[dial_plans]]") == 1 and text.count("[[dial_plans.rules]]") == 3
    assert text.count("[[users]]") == 6
    assert text.index("[tenant]") < text.index("[[dial_plans]]") < text.index("[[users]]")


def test_every_tenant_file_type_is_read_by_its_extension() -> None:
    assert set(READERS) == {".toml", ".ps1", ".json"}
    assert set(WRITERS) == set(TenantFormat)


@pytest.mark.parametrize("fmt", list(TenantFormat), ids=str)
def test_every_format_loads_back_through_load_tenant(
    fmt: TenantFormat, contoso: Tenant, contoso_script: Tenant, tmp_path: Path
) -> None:
    path = tmp_path / f"Contoso{fmt.suffix}"
    path.write_text(dump_tenant(contoso, fmt), encoding="utf-8")
    assert TenantFormat.of_path(path) is fmt
    if fmt is TenantFormat.POWERSHELL:
        # Licences are assigned in the admin center, not by cmdlets: the script lists them
        # in comments and carries the dial plans, users, locations and phone numbers.
        assert load_tenant(path) == contoso_script
        assert "#   lidia.holloway@contoso.com: domestic-1200, Communications Credits off" in path.read_text(
            encoding="utf-8"
        )
    else:
        assert load_tenant(path) == contoso


def test_import_keeps_what_a_script_ignored() -> None:
    script = import_tenant(FIXTURES / "generated_sydney.ps1")
    assert len(script.ignored) == 6 and script.tenant.dial_plans[0].identity == "AU-NSW-Sydney"
    dump = import_tenant(FIXTURES / "teams_dump.json")
    assert dump.ignored == () and dump.tenant.name == "teams_dump"


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        (
            "tenant.xlsx",
            "tenant.xlsx: unsupported tenant file type '.xlsx' (use .json, .ps1, .toml)",
        ),
        ("missing.ps1", "missing.ps1: no such file"),
    ],
)
def test_load_errors(path: str, fragment: str) -> None:
    with pytest.raises(TenantFileError, match=re.escape(fragment)):
        load_tenant(path)


def test_same_tenant_from_every_reader(contoso: Tenant, contoso_script: Tenant) -> None:
    assert tenant_from_powershell(tenant_to_powershell(contoso), name="Contoso") == contoso_script
    assert tenant_from_teams_json(tenant_to_teams_json(contoso), name="Contoso") == contoso


@pytest.mark.parametrize(
    ("data", "text"),
    [
        pytest.param("Zürich".encode(), "Zürich", id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + "Zürich".encode(), "Zürich", id="utf-8-bom"),
        pytest.param("Zürich".encode("utf-16"), "Zürich", id="utf-16-le-bom"),
        pytest.param(
            codecs.BOM_UTF16_BE + "Zürich".encode("utf-16-be"), "Zürich", id="utf-16-be-bom"
        ),
    ],
)
def test_decode(data: bytes, text: str) -> None:
    assert decode(data, "f") == text


def test_excerpt_keeps_tabs_under_the_caret() -> None:
    assert excerpt("a\n\tb = (", 2, 6) == "    \tb = (\n    \t    ^"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {"users": [{"upn": "a@x.com", "usage_location": "FR"}, {"upn": "b@x.com", "usage_location": 5}]},
            "t.toml: field 'usage_location': users[1] 'b@x.com': must be a string, not int",
            id="user-location-not-text",
        ),
        pytest.param(
            {"users": [{"upn": "a@x.com", "usage_location": "FR"}, {"upn": "b@x.com"}]},
            "t.toml: field 'usage_location': users[1] 'b@x.com': missing required key 'usage_location'",
            id="user-without-location",
        ),
        pytest.param(
            {"users": [{"usage_location": "FR"}]},
            "t.toml: field 'upn': users[0]: missing required key 'upn'",
            id="user-without-upn",
        ),
        pytest.param(
            {"dial_plans": [{"description": "x"}]},
            "t.toml: field 'identity': dial_plans[0]: missing required key 'identity'",
            id="plan-without-identity",
        ),
    ],
)
def test_document_errors_name_the_user_or_plan(document: dict[str, object], message: str) -> None:
    with pytest.raises(TenantFileError) as caught:
        tenant_from_document(document, "t.toml")
    assert str(caught.value) == message


def test_a_priority_key_on_a_rule_is_an_error_naming_plan_rule_and_field() -> None:
    """Priority is the rule's position: `priority = 3` was read and silently ignored."""
    text = (
        '[[dial_plans]]\nidentity = "P"\n'
        '[[dial_plans.rules]]\nname = "R"\npattern = "^(7\\\\d{3})$"\ntranslation = "+1$1"\npriority = 3\n'
    )
    with pytest.raises(TenantFileError) as caught:
        tenant_from_toml(text, "t.toml")
    error = caught.value
    assert (error.file, error.plan, error.rule, error.field) == ("t.toml", "P", "R", "priority")
    assert "unknown key 'priority' (a rule's priority is its position in its plan's list of rules;" in str(error)
