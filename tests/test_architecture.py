"""House rules that keep the layout honest: import direction and the public API."""

from __future__ import annotations

import ast
import subprocess
import sys
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


WEB = {"api", "fastapi", "pydantic", "starlette", "uvicorn"}
# `dialplan serve` runs the web service, so one core module must reach `api`. It
# imports it inside its `run` function only: importing the core (or any other
# command) never loads the web layer, and `api` stays the importer of the core.
LAZY_WEB_IMPORTS = {CORE / "commands" / "serve.py": {"api"}}


def module_level_imports_of(path: Path) -> set[str]:
    """Imports executed when the module is imported (not those inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name.split(".")[0] for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.add(child.module.split(".")[0])
            visit(child)

    visit(tree)
    return found


def test_core_never_imports_api_fastapi_or_pydantic() -> None:
    for path in CORE.rglob("*.py"):
        allowed = LAZY_WEB_IMPORTS.get(path, set())
        assert not (imports_of(path) & WEB) - allowed, path
        assert not module_level_imports_of(path) & WEB, path


def test_the_one_lazy_web_import_is_inside_a_function() -> None:
    for path, packages in LAZY_WEB_IMPORTS.items():
        assert packages <= imports_of(path), f"{path} no longer needs its exception: remove it"


def test_importing_the_core_and_its_cli_loads_no_web_layer() -> None:
    code = (
        "import sys, normalizer, normalizer.cli\n"
        "normalizer.cli.build_parser()\n"
        f"print(sorted(set(sys.modules) & set({sorted(WEB)!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


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


def test_api_uses_only_the_public_names_of_the_core() -> None:
    api_dir = CORE.parent / "api"
    for path in api_dir.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                assert not node.module.startswith("normalizer."), f"{path} imports {node.module}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("normalizer."), f"{path} imports {alias.name}"


def test_the_private_regex_parser_is_read_in_one_module() -> None:
    """`re._parser` is CPython-private: `normalizer/parsed.py` alone reads it."""
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "re":
                names = {alias.name for alias in node.names}
                assert not names & {"_parser", "_constants"} or path.name == "parsed.py", path
            elif isinstance(node, ast.Import):
                assert all(alias.name not in ("re._parser", "sre_parse") for alias in node.names), path
            elif isinstance(node, ast.Constant) and node.value == "re._parser":  # importlib.import_module
                assert path.name == "parsed.py", path
