"""Where the shipped rule data lives: `rules/` in a checkout, `normalizer/_rules` in a wheel.

>>> (rules_dir() / "examples" / "contoso.toml").is_file()
True
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def rules_dir() -> Path:
    """The directory holding the service template, overrides and examples."""
    for candidate in (_PACKAGE / "_rules", _PACKAGE.parent / "rules"):
        if (candidate / "service").is_dir():
            return candidate
    raise FileNotFoundError(f"no rules directory next to {_PACKAGE}")


def example_tenant_path() -> Path:
    """The built-in Contoso tenant, used when no tenant file is given."""
    return rules_dir() / "examples" / "contoso.toml"
