"""JUnit XML reports of suite runs, for CI systems.

The widely read shape (Jenkins, GitLab, Azure Pipelines): `<testsuites>` holding
one `<testsuite>` per suite file and one `<testcase>` per case; a case that
missed an expectation has a `<failure>` naming each key with expected and
actual values. The rule coverage of the suite's tenant goes to `<system-out>`.

>>> from normalizer.quality.suites import run_suite, suite_from_document
>>> suite = suite_from_document({"cases": [{"dialed_number": "7123", "usage_location": "GB",
...     "expect": {"matching_rule": "GB Long Distance"}}]}, "gb-tests.toml")
>>> xml = junit_xml([run_suite(suite)])
>>> '<testsuites name="dialplan" tests="1" failures="1"' in xml
True
>>> "matching_rule: expected 'GB Long Distance', got no rule matches" in xml
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.etree import ElementTree

from normalizer.quality.suites import Coverage, SuiteResult

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry at all, even escaped: a dial string or name may hold them."""


def _xml_safe(text: str) -> str:
    """`text` with each character XML cannot carry written as its Python escape (`\\x07`)."""
    return _NOT_XML.sub(lambda found: repr(found.group())[1:-1], text)


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def junit_xml(results: Sequence[SuiteResult], *, coverage: Sequence[Coverage] = ()) -> str:
    """The JUnit XML document of suite results (coverage matched to suites by tenant file)."""
    root = ElementTree.Element(
        "testsuites",
        {
            "name": "dialplan",
            "tests": str(sum(len(result.cases) for result in results)),
            "failures": str(sum(result.failed for result in results)),
            "errors": "0",
            "time": _seconds(sum(result.seconds for result in results)),
        },
    )
    for result in results:
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            {
                "name": result.suite.name,
                "tests": str(len(result.cases)),
                "failures": str(result.failed),
                "errors": "0",
                "skipped": "0",
                "time": _seconds(result.seconds),
                **({"file": result.suite.file} if result.suite.file else {}),
            },
        )
        properties = ElementTree.SubElement(suite, "properties")
        ElementTree.SubElement(
            properties, "property", {"name": "tenant", "value": result.tenant.source or ""}
        )
        for case in result.cases:
            element = ElementTree.SubElement(
                suite,
                "testcase",
                {
                    "classname": result.suite.name,
                    "name": case.case.label,
                    "time": _seconds(case.seconds),
                    **({"file": result.suite.file} if result.suite.file else {}),
                },
            )
            if case.mismatches:
                failure = ElementTree.SubElement(
                    element,
                    "failure",
                    {
                        "type": "mismatch",
                        "message": "; ".join(m.describe() for m in case.mismatches),
                    },
                )
                failure.text = "\n".join(
                    [f"cases[{case.case.index}]: {case.case.dialed_number} for {case.case.who}"]
                    + [f"  {m.describe()}" for m in case.mismatches]
                )
        lines = [
            line
            for found in coverage
            if found.source == result.tenant.source
            for line in found.describe()
        ]
        if lines:
            ElementTree.SubElement(suite, "system-out").text = "\n".join(lines)
    ElementTree.indent(root)
    body = _xml_safe(ElementTree.tostring(root, encoding="unicode"))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"
