"""House rules that keep the layout honest: import direction and the public API."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import normalizer

CORE = Path(normalizer.__file__).parent
ONE_ADAPTER = {"phonenumbers": "countries.py", "lark": "powershell.py", "interegular": "language.py", "re2": "linear.py"}


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
    """`re._parser` and `re.compile`'s other private steps: `normalizer/dotnet/parsed.py` alone reads them."""
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "re":
                names = {alias.name for alias in node.names}
                assert not names & {"_parser", "_constants", "_compiler"} or path.name == "parsed.py", path
            elif isinstance(node, ast.Import):
                private = ("re._parser", "sre_parse", "re._compiler", "sre_compile", "_sre")
                assert all(alias.name not in private for alias in node.names), path
            elif isinstance(node, ast.Constant) and node.value in ("re._parser", "re._compiler", "_sre"):
                # importlib.import_module
                assert path.name == "parsed.py", path


def normalizer_modules_imported_by(path: Path) -> set[str]:
    """The `normalizer` modules a file imports, anywhere in it (`from normalizer import x` names x)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("normalizer."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "normalizer":
                found.update(
                    f"normalizer.{alias.name}"
                    for alias in node.names
                    if (CORE / f"{alias.name}.py").exists() or (CORE / alias.name).is_dir()
                )
            elif node.module.startswith("normalizer."):
                found.add(node.module)
    return found


def layer_of(module: str) -> str:
    """`dotnet`, `bulk`, `quality`, `formats`, `commands`, `cli` or `domain` (top-level modules)."""
    parts = module.split(".")
    if len(parts) > 2 or (CORE / parts[1]).is_dir():
        return parts[1]
    return "cli" if parts[1] == "cli" else "domain"


def module_name(path: Path) -> str:
    relative = path.relative_to(CORE.parent).with_suffix("")
    parts = [part for part in relative.parts if part != "__init__"]
    return ".".join(parts)


# The shared vocabulary every layer may use: the error hierarchy and the models.
BASE = {"normalizer.errors", "normalizer.models"}
# What each layer must never import (beyond `api`, checked above).
FORBIDDEN = {
    "dotnet": {"domain", "bulk", "quality", "formats", "commands", "cli"},
    "domain": {"bulk", "quality", "formats", "commands", "cli"},
    "formats": {"bulk", "quality", "commands", "cli"},
    "bulk": {"quality", "formats", "commands", "cli"},
    "quality": {"bulk", "commands", "cli"},
    "commands": {"cli"},
}


def test_layers_import_only_downwards() -> None:
    for path in CORE.rglob("*.py"):
        if path == CORE / "__init__.py":
            continue  # the public API names every layer's public names
        layer = layer_of(module_name(path))
        for module in normalizer_modules_imported_by(path) - BASE:
            target = layer_of(module)
            assert target not in FORBIDDEN.get(layer, set()), f"{path} ({layer}) imports {module} ({target})"


def test_no_module_is_longer_than_700_lines() -> None:
    for path in [*CORE.rglob("*.py"), *(CORE.parent / "api").rglob("*.py")]:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 700, f"{path} has {lines} lines: split it by responsibility"


# Every public name: the layout may move modules, never these.
PUBLIC_NAMES = ["BillingCategory", "BlockReason", "CallBilling", "CallLedger", "CallOutcome", "CallType", "Case", "CaseResult", "CdrColumns", "CdrFormat", "CdrNormalizer", "CdrSummary", "ChangeKind", "Classification", "Coverage", "CreditsSettings", "DialPlan", "DialplanError", "DialplanInputError", "DialplanLookupError", "EffectiveDialPlan", "EffectiveRule", "EmergencyNumbers", "ExpectKey", "Finding", "FindingCode", "IgnoredStatement", "MemoryLimitError", "Mismatch", "NormalizationResult", "NormalizationRule", "PassTrace", "PatternError", "PlanCatalog", "PlanNormalizer", "PriceList", "RateCard", "RegexTimeoutError", "RuleChange", "RuleMatcher", "RuleTrace", "RuleUse", "Scope", "ServiceCatalog", "Severity", "Simulator", "StringChange", "Suite", "SuiteError", "SuiteResult", "Tenant", "TenantDiff", "TenantFileError", "TenantFormat", "TenantImport", "TenantValidationError", "TimeLimitError", "TranslationError", "UnknownCallingPlanError", "UnknownPlanError", "UnknownRegionError", "UnknownUserError", "User", "Violation", "calling_plan_answer", "check_data", "classify", "clean", "compile_rules", "default_catalog", "default_emergency_numbers", "default_plan_catalog", "diff_tenants", "dump_tenant", "effective_dial_plan", "import_tenant", "junit_xml", "lint", "load_suite", "load_tenant", "normalize", "normalize_batch", "normalize_file", "outcome_columns", "parse_starts", "plan_problem", "price_problem", "rate_problem", "read_durations", "read_rate_card", "read_starts", "record_suite", "rule_coverage", "run_isolated", "run_suite", "suite_from_toml", "suite_to_toml", "tenant_from_document", "tenant_from_powershell", "tenant_from_teams_json", "tenant_from_toml", "tenant_to_document", "tenant_to_powershell", "tenant_to_teams_json", "tenant_to_toml", "validate", "witnesses"]


def test_every_public_name_imports_from_the_package_in_a_fresh_process() -> None:
    assert normalizer.__all__ == PUBLIC_NAMES
    code = f"from normalizer import {', '.join(PUBLIC_NAMES)}; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_a_public_name_stays_itself_after_its_module_of_the_same_name_is_imported() -> None:
    # `normalizer.classify` is a module and `classify` a public function: importing
    # the module (the engine does) must not replace the function on the package.
    code = (
        "import normalizer.simulation\n"
        "from normalizer import classify\n"
        "import normalizer\n"
        "print(classify('+33145678900', 'FR').call_type, normalizer.classify is classify)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["domestic", "True"]


def test_the_console_script_and_the_pytest_plugin_entry_points_resolve() -> None:
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="dialplan")
    assert callable(script.load())
    (plugin,) = entry_points(group="pytest11", name="dialplan")
    assert hasattr(plugin.load(), "pytest_collect_file")
