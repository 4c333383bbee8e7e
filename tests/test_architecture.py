"""House rules that keep the layout honest: import direction and the public API."""

from __future__ import annotations

import ast
from pathlib import Path

import normalizer

CORE = Path(normalizer.__file__).parent
ONE_ADAPTER = {"phonenumbers": "countries.py", "lark": "powershell.py", "interegular": "language.py"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_core_never_imports_api_fastapi_or_pydantic() -> None:
    for path in CORE.rglob("*.py"):
        assert not imports_of(path) & {"api", "fastapi", "pydantic", "starlette"}, path


def test_third_party_adapters_are_imported_in_one_module_each() -> None:
    for path in CORE.rglob("*.py"):
        for package, adapter in ONE_ADAPTER.items():
            if package in imports_of(path):
                assert path.name == adapter, f"{path} imports {package}"


def test_public_api_is_complete_and_sorted() -> None:
    exported = normalizer.__all__
    assert exported == sorted(exported)
    for name in exported:
        assert hasattr(normalizer, name), name
    public_modules_names = {
        name for name in dir(normalizer) if not name.startswith("_") and name[0].isupper()
    }
    assert public_modules_names <= set(exported)
