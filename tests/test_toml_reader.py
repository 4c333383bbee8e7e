"""TOML files are read as TOML 1.0, as the standard library reads them, with its errors."""

from __future__ import annotations

import tomllib

import pytest
import tomli

from normalizer.errors import TenantFileError
from normalizer.formats.toml import tenant_from_toml

# TOML 1.1 accepts these; TOML 1.0 (tomllib on Python 3.11) refuses them.
NEWER_SYNTAX = ["a = { x = 1, }", "a = {\nx = 1 }", 'a = "\\e"', 'a = "\\x41"', "t = 07:32", "d = 1979-05-27 07:32"]
BROKEN = ["[tenant", "a = 1\na = 2", 'x = "\\q"', "a = [1,", "b = 0x", "[[dial_plans]]\nrules = 1\n[[dial_plans.rules]]"]


@pytest.mark.parametrize("text", NEWER_SYNTAX + BROKEN)
def test_the_parser_answers_as_the_standard_library(text: str) -> None:
    answers = []
    for parser in (tomli, tomllib):
        try:
            answers.append(parser.loads(text))
        except parser.TOMLDecodeError as exc:
            answers.append(str(exc))
    assert answers[0] == answers[1]


@pytest.mark.parametrize("text", NEWER_SYNTAX)
def test_a_tenant_file_in_newer_syntax_is_refused_naming_the_file(text: str) -> None:
    with pytest.raises(TenantFileError, match=r"^t\.toml: not valid TOML: "):
        tenant_from_toml(f"[tenant]\nname = 'x'\n{text}\n", "t.toml")
