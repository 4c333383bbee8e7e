"""The pytest plugin: a repository of rule files runs its suites with plain `pytest`.

Registered as the `dialplan` entry point of `pytest11`, so installing dialplan
is enough. pytest collects every suite file whose name matches the ini option
`dialplan_suites` (default `*-tests.toml` and `test_*.toml`); each case is one
test, named by its `name` (or `DIALED for WHO`), failing with expected vs actual
for every key it missed. `--dialplan-tenant FILE` runs every suite against one
tenant file; the run ends with the rule coverage of each tenant. A malformed
suite is a collection error naming the file, case index and key.

>>> is_suite_file(Path("rules/contoso-tests.toml"), ["*-tests.toml", "test_*.toml"])
True
>>> is_suite_file(Path("pyproject.toml"), ["*-tests.toml", "test_*.toml"])
False
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest

from normalizer.errors import DialplanError
from normalizer.quality.suites import (
    Case,
    CaseResult,
    load_suite,
    rule_coverage,
    run_case,
    suite_tenant,
)
from normalizer.simulation import Simulator

DEFAULT_PATTERNS = ["*-tests.toml", "test_*.toml"]
_RUNS = pytest.StashKey[dict[str, tuple[Simulator, list[CaseResult]]]]()
"""Per tenant file: its simulator (shared by the suites naming it) and the results run."""


def is_suite_file(path: Path, patterns: list[str]) -> bool:
    """True when a file's name matches one of the suite name patterns."""
    return path.suffix == ".toml" and any(fnmatch(path.name, pattern) for pattern in patterns)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dialplan", "dialplan rule set suites")
    group.addoption(
        "--dialplan-tenant",
        metavar="FILE",
        default=None,
        help="run every dialplan suite against this tenant file",
    )
    parser.addini(
        "dialplan_suites",
        type="args",
        default=DEFAULT_PATTERNS,
        help="name patterns of dialplan suite files (default: *-tests.toml test_*.toml)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_RUNS] = {}


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> SuiteFile | None:
    if is_suite_file(file_path, parent.config.getini("dialplan_suites")):
        found: SuiteFile = SuiteFile.from_parent(parent, path=file_path)
        return found
    return None


class CaseFailed(Exception):
    """A case that missed one or more expectations."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.case.label)
        self.result = result


class SuiteFile(pytest.File):
    """A suite file: one test item per case."""

    tenant_key: str

    def collect(self) -> Iterator[pytest.Item]:
        suite = load_suite(self.path)
        override = self.config.getoption("dialplan_tenant")
        tenant = override if override is not None else suite.tenant
        self.tenant_key = str(Path(tenant).resolve()) if tenant is not None else ""
        runs = self.config.stash[_RUNS]
        if self.tenant_key not in runs:
            runs[self.tenant_key] = (Simulator(suite_tenant(suite, override)), [])
        seen: set[str] = set()
        for case in suite.cases:
            name = case.label if case.label not in seen else f"{case.label} [{case.index}]"
            seen.add(name)
            yield SuiteCase.from_parent(self, name=name, case=case)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, DialplanError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class SuiteCase(pytest.Item):
    """One case of a suite file."""

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        suite_file = self.parent
        if not isinstance(suite_file, SuiteFile):
            raise TypeError("a dialplan case belongs to a suite file")
        simulator, results = self.config.stash[_RUNS][suite_file.tenant_key]
        result = run_case(self.case, simulator, str(self.path))
        results.append(result)
        if not result.passed:
            raise CaseFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CaseFailed):
            case = excinfo.value.result.case
            lines = [f"cases[{case.index}]: {case.dialed_number} for {case.who}"]
            lines += [f"  {m.describe()}" for m in excinfo.value.result.mismatches]
            return "\n".join(lines)
        if isinstance(excinfo.value, DialplanError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"cases[{self.case.index}]: {self.case.label}"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    runs = [run for run in config.stash.get(_RUNS, {}).values() if run[1]]
    if not runs:
        return
    terminalreporter.section("dialplan rule coverage")
    for simulator, results in runs:
        for line in rule_coverage(simulator, results).describe():
            terminalreporter.write_line(line)
