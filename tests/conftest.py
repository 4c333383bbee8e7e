"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from normalizer import Simulator, load_tenant
from normalizer.models import Tenant


@pytest.fixture(scope="session")
def contoso() -> Tenant:
    return load_tenant()


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
