"""The service's settings: one reader of the environment, injectable by tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import Settings, create_app
from normalizer import DialplanInputError, PatternError, TenantFileError

TENANT = """
[tenant]
name = "Fabrikam"

[[dial_plans]]
identity = "Global"
[[dial_plans.rules]]
name = "Ext"
pattern = '^(4\\d{3})$'
translation = '+4930123$1'
is_internal_extension = true

[[users]]
upn = "jo@fabrikam.com"
usage_location = "DE"
"""


def test_defaults() -> None:
    settings = Settings()
    assert settings.tenant is None and settings.max_rules is None
    assert (settings.max_batch_items, settings.max_body_bytes) == (10_000, 4 * 1024 * 1024)
    assert settings.regex_timeout == 0.1


def test_from_env_reads_every_variable() -> None:
    settings = Settings.from_env(
        {
            "DIALPLAN_TENANT": "t.toml",
            "DIALPLAN_MAX_RULES": "50",
            "DIALPLAN_MAX_BODY_BYTES": "1_000_000",
            "DIALPLAN_MAX_BATCH_ITEMS": "10",
            "DIALPLAN_MAX_DIALED_LENGTH": "64",
            "DIALPLAN_REGEX_TIMEOUT": "0.5",
            "DIALPLAN_MAX_REQUEST_SECONDS": "2",
            "UNRELATED": "x",
        }
    )
    assert settings == Settings(
        tenant=Path("t.toml"),
        max_rules=50,
        max_body_bytes=1_000_000,
        max_batch_items=10,
        max_dialed_length=64,
        regex_timeout=0.5,
        max_request_seconds=2.0,
    )


def test_overrides_win_over_the_environment_and_none_leaves_it() -> None:
    environ = {"DIALPLAN_TENANT": "env.toml", "DIALPLAN_MAX_RULES": "30"}
    assert Settings.from_env(environ, tenant=Path("cli.toml")).tenant == Path("cli.toml")
    assert Settings.from_env(environ, tenant=None).tenant == Path("env.toml")
    assert Settings.from_env({"DIALPLAN_TENANT": ""}).tenant is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DIALPLAN_MAX_RULES", "0"),
        ("DIALPLAN_MAX_RULES", "many"),
        ("DIALPLAN_MAX_BATCH_ITEMS", "-5"),
        ("DIALPLAN_REGEX_TIMEOUT", "0"),
        ("DIALPLAN_REGEX_TIMEOUT", "nan"),
        ("DIALPLAN_MAX_REQUEST_SECONDS", "inf"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str) -> None:
    with pytest.raises(DialplanInputError, match=f"field '{variable}'"):
        Settings.from_env({variable: value})


@pytest.mark.parametrize(
    "fields",
    [{"max_rules": 0}, {"max_body_bytes": True}, {"regex_timeout": -1.0}, {"max_request_seconds": 0}],
)
def test_bad_values_given_directly(fields: dict[str, object]) -> None:
    with pytest.raises(DialplanInputError):
        Settings(**fields)  # type: ignore[arg-type]


def test_injected_tenant_is_served(write_tenant) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(create_app(Settings(tenant=write_tenant(TENANT))))
    assert client.get("/health").json()["tenant"] == "Fabrikam"
    answer = client.post("/v1/normalize", json={"dialed_number": "4123", "user": "jo@fabrikam.com"}).json()
    assert answer["final_number"] == "+49301234123"


def test_create_app_without_settings_reads_the_environment(write_tenant, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DIALPLAN_TENANT", str(write_tenant(TENANT)))
    assert TestClient(create_app()).get("/health").json()["tenant"] == "Fabrikam"


def test_max_rules_applies_to_the_served_tenant(write_tenant) -> None:  # type: ignore[no-untyped-def]
    two_rules = TENANT.replace("[[users]]", """[[dial_plans.rules]]
name = "Second"
pattern = '^0(\\d+)$'
translation = '+49$1'

[[users]]""")
    path = write_tenant(two_rules)
    assert TestClient(create_app(Settings(tenant=path))).get("/health").status_code == 200
    with pytest.raises(DialplanInputError, match="limit of 1 rules"):
        create_app(Settings(tenant=path, max_rules=1))


def test_a_broken_tenant_stops_the_start_naming_the_rule(write_tenant) -> None:  # type: ignore[no-untyped-def]
    path = write_tenant(TENANT.replace("^(4\\d{3})$", "^(4\\d{3}$"))
    with pytest.raises(PatternError, match=r"plan 'Global' rule 'Ext' \(rules\[0\]\): field 'pattern'"):
        create_app(Settings(tenant=path))
    with pytest.raises(TenantFileError, match="no such file"):
        create_app(Settings(tenant=Path("missing.toml")))
