"""Shared fixtures."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from normalizer import Simulator, load_tenant
from normalizer.models import Tenant


def pytest_configure(config: pytest.Config) -> None:
    """Compiled metadata patterns go to a folder of the run's own, not the user's cache.

    Set in the environment, so the commands the tests start use it too.
    """
    if "DIALPLAN_CACHE_DIR" not in os.environ:
        os.environ["DIALPLAN_CACHE_DIR"] = folder = tempfile.mkdtemp(prefix="dialplan-test-cache-")
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.fixture(scope="session")
def contoso() -> Tenant:
    return load_tenant()


@pytest.fixture(scope="session")
def contoso_script(contoso: Tenant) -> Tenant:
    """Contoso as a PowerShell script carries it: no licences (the admin center assigns them)."""
    from dataclasses import replace

    users = tuple(replace(user, calling_plan=None, communications_credits=False) for user in contoso.users)
    return replace(contoso, users=users, communications_credits=None)


@pytest.fixture(scope="session")
def simulator(contoso: Tenant) -> Simulator:
    return Simulator(contoso)


@pytest.fixture()
def write_tenant(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a TOML tenant file and return its path."""

    def write(text: str, name: str = "tenant.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def api_client():  # type: ignore[no-untyped-def]
    """A TestClient of the service on the built-in Contoso tenant, default settings."""
    from fastapi.testclient import TestClient

    from api import Settings, create_app

    with TestClient(create_app(Settings()), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture()
def client_with():  # type: ignore[no-untyped-def]
    """Build a TestClient with settings of the test's own: `client_with(max_batch_items=3)`."""
    from fastapi.testclient import TestClient

    from api import Settings, create_app

    def build(**settings: object) -> TestClient:
        return TestClient(create_app(Settings(**settings)), raise_server_exceptions=False)  # type: ignore[arg-type]

    return build
