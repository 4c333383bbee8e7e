"""The pytest plugin, loaded through its `pytest11` entry point, runs suite files."""

from __future__ import annotations

import shutil

import pytest

from normalizer.data import rules_dir
from normalizer.quality.suites import load_suite

pytest_plugins = ["pytester"]

EXAMPLES = rules_dir() / "examples"


@pytest.fixture()
def repository(pytester: pytest.Pytester) -> pytest.Pytester:
    """A repository of rule files: the Contoso tenant and its example suite."""
    shutil.copy(EXAMPLES / "contoso.toml", pytester.path / "contoso.toml")
    shutil.copy(EXAMPLES / "contoso-tests.toml", pytester.path / "contoso-tests.toml")
    return pytester


def test_plain_pytest_runs_the_example_suite(repository: pytest.Pytester) -> None:
    result = repository.runpytest("-v", "-p", "no:cacheprovider")
    cases = load_suite(EXAMPLES / "contoso-tests.toml").cases
    result.assert_outcomes(passed=len(cases))
    result.stdout.fnmatch_lines(
        [
            "*contoso-tests.toml::internal extension PASSED*",
            "*dialplan rule coverage*",
            "Rule coverage, tenant Contoso (*contoso.toml): 3 of 3 tenant rules, 6 of 6 service rules exercised",
        ]
    )


def test_failing_case_shows_expected_and_actual_and_malformed_suite_is_a_collection_error(
    repository: pytest.Pytester,
) -> None:
    repository.makefile(
        ".toml",
        **{
            "test_london": """
[suite]
tenant = "contoso.toml"

[[cases]]
name = "wrong on purpose"
dialed_number = "0123456789"
user = "emily.braun@contoso.com"
expect.translated_number = "+44123456780"
""",
            "broken-tests": """
[[cases]]
dialed_number = "1"
user = "emily.braun@contoso.com"
expect.call_typ = "unknown"
""",
            "settings": "[not]\nsuite = true\n",
        },
    )
    result = repository.runpytest("-p", "no:cacheprovider", "--continue-on-collection-errors")
    passed = len(load_suite(EXAMPLES / "contoso-tests.toml").cases)
    result.assert_outcomes(passed=passed, failed=1, errors=1)
    out = result.stdout.str()
    assert "broken-tests.toml: cases[0]: field 'expect.call_typ': unknown key" in out
    assert "cases[0]: 0123456789 for emily.braun@contoso.com\n" in out
    assert "  translated_number: expected '+44123456780', got '+44123456789'\n" in out
    assert "FAILED test_london.toml::wrong on purpose" in out
    # One tenant, one coverage summary for both suites that name it.
    assert out.count("Rule coverage, tenant Contoso") == 1
    assert "Traceback" not in out


def test_tenant_option_runs_every_suite_against_one_tenant(repository: pytest.Pytester) -> None:
    text = (EXAMPLES / "contoso.toml").read_text(encoding="utf-8")
    repository.makefile(".toml", other=text.replace("'^0?(80\\d{7})\\d*$'", "'^(80\\d{7})$'"))
    result = repository.runpytest("-p", "no:cacheprovider", "--dialplan-tenant", "other.toml", "contoso-tests.toml")
    result.assert_outcomes(passed=len(load_suite(EXAMPLES / "contoso-tests.toml").cases) - 1, failed=1)
    result.stdout.fnmatch_lines(["*toll-free number - *"])
