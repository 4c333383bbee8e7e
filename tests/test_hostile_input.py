"""Small hostile inputs, tried for real: the `dialplan` CLI's `main` and the service under uvicorn on loopback.

Each test reproduces a way a few hundred bytes could crash a command (a
traceback) or the service (a 500), and checks the located error the user gets
instead.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from normalizer.cli import main
from tests.server import running_server
from tests.test_service_limits import call

DEEP = 1000
"""Far deeper than Python's parsers, pickle or the script reader recurse safely."""
FR_USER = {"upn": "a@t.com", "usage_location": "FR"}


def deep_list(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def deep_texts() -> dict[str, str]:
    """Tenant files nested `DEEP` levels: a JSON array, a TOML array, a script's parentheses."""
    return {
        "deep.json": "[" * DEEP + "]" * DEEP,
        "deep.toml": '[tenant]\nname = "x"\n[extra]\na = ' + "[" * DEEP + "]" * DEEP + "\n",
        "deep.ps1": "$a = " + "(" * DEEP + "1" + ")" * DEEP + "\nNew-CsTenantDialPlan -Identity P\n",
    }


# The CLI ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(deep_texts()))
@pytest.mark.parametrize("command", ["import", "lint"])
def test_a_deeply_nested_tenant_file_is_one_located_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, command: str
) -> None:
    path = tmp_path / name
    path.write_text(deep_texts()[name], encoding="utf-8")
    argv = ["import", str(path), "-o", str(tmp_path / "out.toml")] if command == "import" else ["lint", "--tenant", str(path)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "RecursionError" not in err
    first = err.splitlines()[0]
    assert first.startswith(f"dialplan: error: {path}: line ")
    assert "more than 64 levels deep" in first


def test_a_script_function_calling_itself_forever_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rec.ps1"
    path.write_text("function f { f }\nf\n", encoding="utf-8")
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dialplan: error: {path}: line 1, column 14: ")
    assert "function calls nest more than 64 levels deep" in err


def test_a_long_chain_of_terms_is_not_a_deep_nesting(tmp_path: Path) -> None:
    path = tmp_path / "chain.ps1"
    terms = " + ".join(f"'{i % 10}'" for i in range(3000))
    path.write_text(
        f"$x = {terms}\n$n = New-CsVoiceNormalizationRule -Parent Global -Name N -Pattern '^(\\d{{4}})$' "
        "-Translation '+3319999$1' -InMemory -Description $x.Substring(0, 5)\n"
        "New-CsTenantDialPlan -Identity P -NormalizationRules @($n)\n",
        encoding="utf-8",
    )
    assert main(["import", str(path), "-o", str(tmp_path / "out.toml")]) == 0
    assert 'description = "01234"' in (tmp_path / "out.toml").read_text(encoding="utf-8")


def test_a_deep_suite_file_is_a_located_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "suite.toml"
    path.write_text("a = " + "[" * DEEP + "]" * DEEP + "\n", encoding="utf-8")
    assert main(["test", str(path)]) == 2
    assert "line 1, column 69: arrays and tables nest more than 64 levels deep" in capsys.readouterr().err


# The service -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server() as url:
        yield url


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/v1/simulate", "/v1/calls/replay"])
def test_a_deeply_nested_posted_tenant_is_a_422_naming_the_field(server: str, path: str) -> None:
    # 500 deep: the body's JSON parser goes that deep, pickling it for the worker did not.
    tenant = {"tenant": {"name": "x"}, "users": [FR_USER], "x": deep_list(500)}
    cases = {"cases": [{"dialed_number": "7123", "usage_location": "FR"}]}
    calls = {"calls": [{"user": "a@t.com", "dialed_number": "0145678900", "duration": 60, "start": "2024-03-01T10:00:00Z"}]}
    body = {"tenant": tenant, **(cases if path == "/v1/simulate" else calls)}
    status, _, answer = call(server, path, body)
    assert status == 422, answer
    assert answer["error"] == "invalid_tenant_document"
    assert answer["field"].startswith("tenant.x[0][0][0][0]")
    assert "nested more than 64 levels deep" in answer["detail"]
    # The same request, nested within the limit, is read (and refused for its unknown key).
    tenant["x"] = deep_list(3)
    status, _, answer = call(server, path, body)
    assert (status, answer["field"]) == (422, "x")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(deep_texts()))
def test_a_deeply_nested_tenant_file_read_by_the_service_is_a_422(server: str, name: str) -> None:
    status, _, answer = call(server, "/v1/tenant-files/read", {"file_name": name, "text": deep_texts()[name]})
    assert status == 422, answer
    assert answer["error"] == "invalid_tenant_document"
    assert "more than 64 levels deep" in answer["detail"] and "line " in answer["detail"]


@pytest.mark.slow
def test_a_deeply_nested_suite_parsed_by_the_service_is_a_422(server: str) -> None:
    status, _, answer = call(server, "/v1/suites/parse", {"text": "a = " + "[" * DEEP + "]" * DEEP})
    assert status == 422, answer
    assert "line 1, column 69: arrays and tables nest more than 64 levels deep" in answer["detail"]


@pytest.mark.slow
def test_an_items_error_counts_the_characters_it_leaves_out_of_the_whole_detail(server: str) -> None:
    user = "a" * 3_000_000
    status, _, alone = call(server, "/v1/normalize", {"dialed_number": "7123", "user": user})
    assert status == 404
    status, _, item = call(
        server,
        "/v1/calls/replay",
        {"calls": [{"user": user, "dialed_number": "7123", "duration": 60, "start": "2024-03-01T10:00:00Z"}]},
    )
    assert status == 404

    def left_out(detail: str) -> int:
        return int(detail.split(" [")[1].split(" characters left out]")[0].replace(",", ""))

    # The item's detail is the same with `calls[0]: ` before it: ten characters more left out.
    assert left_out(alone["detail"]) > 2_999_000
    assert left_out(item["detail"]) == left_out(alone["detail"]) + len("calls[0]: ")
    assert item["detail"].startswith("calls[0]: user 'aaaa")


def _strict_json(line: str) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON (RFC 8259)")

    return json.loads(line, parse_constant=refuse)


def test_cdr_writes_only_standard_json_lines_and_keeps_every_row(tmp_path: Path) -> None:
    tenant = tmp_path / "fr.toml"
    tenant.write_text('[tenant]\nname = "t"\n[[users]]\nupn = "a@t.com"\nusage_location = "FR"\n', encoding="utf-8")
    lines = [
        '{"user": "a@t.com", "dialed": 1e400}',
        '{"user": "a@t.com", "dialed": NaN}',
        '{"user": "a@t.com", "dialed": "0145678900", "cost": -1e999}',
        '{"user": "a@t.com", "dialed": "0145678900", "x": ' + "[" * 1500 + "]" * 1500 + "}",
        '{"user": "a@t.com", "dialed": "0145678900", "x": ' + "[" * 3000 + "]" * 3000 + "}",
        '{"user": "a@t.com", "dialed": "0145678900", "x": [[1]]}',
    ]
    source = tmp_path / "calls.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    argv = ["cdr", str(source), "--tenant", str(tenant), "--dialed-column", "dialed", "--user-column", "user", "-o", str(out)]
    assert main(argv) == 0
    rows = [_strict_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(lines)
    assert rows[0]["dialed"] == "Infinity" and "not float inf" in rows[0]["error"]
    assert rows[1]["dialed"] == "NaN" and rows[1]["error"]
    assert rows[2]["cost"] == "-Infinity" and rows[2]["final_number"] == "+33145678900"
    for row in rows[3:5]:
        assert row["error"].startswith("line nests more than 64 levels deep (column ")
    assert rows[5]["x"] == [[1]] and rows[5]["error"] is None


@pytest.mark.slow
def test_a_suite_holds_no_more_cases_than_a_simulation_takes(server: str) -> None:
    case = '[[cases]]\ndialed_number = "7123"\nusage_location = "FR"\nexpect.call_type = "unknown"\n'
    status, _, answer = call(server, "/v1/suites/parse", {"text": case * 10_001})
    assert status == 422, answer
    assert (answer["error"], answer["field"]) == ("too_many_items", "cases")
    assert "10001 entries, more than the limit of 10000" in answer["detail"]
    status, _, answer = call(server, "/v1/suites/parse", {"text": case * 10_000})
    assert status == 200 and len(answer["cases"]) == 10_000
    # What the page does next: one simulation of every case, within its limit.
    cases = [{"dialed_number": c["dialed_number"], "usage_location": c["usage_location"]} for c in answer["cases"]]
    tenant = {"tenant": {"name": "t"}, "users": [FR_USER]}
    status, _, answer = call(server, "/v1/simulate", {"tenant": tenant, "cases": cases})
    assert status == 200 and len(answer["results"]) == 10_000


@pytest.mark.slow
def test_an_extension_typed_without_its_digits_is_no_vanity_number(server: str) -> None:
    status, _, answer = call(server, "/v1/normalize", {"dialed_number": "+19115550100;ext=", "usage_location": "US"})
    assert status == 200, answer
    assert answer["has_vanity_letters"] is False
    status, _, answer = call(server, "/v1/normalize", {"dialed_number": "1-800-FLOWERS", "usage_location": "US"})
    assert answer["has_vanity_letters"] is True


def test_a_utf16_log_is_refused_saying_so_and_how_to_convert_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = tmp_path / "fr.toml"
    tenant.write_text('[tenant]\nname = "t"\n[[users]]\nupn = "a@t.com"\nusage_location = "FR"\n', encoding="utf-8")
    log = tmp_path / "calls.tsv"
    # Excel's "Unicode Text": UTF-16 LE with a byte order mark, tab-separated.
    log.write_bytes("user\tdialed\na@t.com\t0145678900\n".encode("utf-16"))
    argv = ["cdr", str(log), "--tenant", str(tenant), "--dialed-column", "dialed", "--user-column", "user"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dialplan: error: {log}: the file is UTF-16 text")
    assert "iconv -f UTF-16 -t UTF-8 calls.tsv > calls-utf8.tsv" in err
    log.write_bytes("user\tdialed\na@t.com\t0145678900\n".encode("utf-16-le"))  # no mark
    assert main(argv) == 2
    assert "the file is UTF-16 text" in capsys.readouterr().err


GROWS = {
    "doubling": ("$a = 'x'\nfor ($i = 0; $i -lt 40; $i++) { $a = $a + $a }\n", "line 2, column 38: this would build text of 1,048,576 characters"),
    "repeating": ("$a = 'x' * 1000000000000\n", "line 1, column 6: this would build text of 1,000,000,000,000 characters"),
    "replacing": ("$a = 'x' * 600000\n$b = $a.Replace('x', 'yy')\n", "line 2, column 6: this would build text of 1,200,000 characters"),
    "padding": ("$a = 'x'.PadLeft(2000000)\n", "line 1, column 6: this would build text of 2,000,000 characters"),
    "formatting": ("$t = 'x' * 500000\n$u = '{0}{0}{0}' -f $t\n", "line 2, column 6: this would build text of 1,000,003 characters"),
    "joining": ("$a = @(1)\nfor ($i = 0; $i -lt 40; $i++) { $a = $a, $a }\n$s = \"$a\"\n", "line 3, column 6: this would build text of 1,048,575 characters"),
    "appending": ("$a = @(1..99999)\n$b = @()\nforeach ($i in 1..20) { $b += $a }\n", "line 3, column 25: this would build a list of 1,099,989 items"),
    "wrapping": ("$a = 1\nfor ($i = 0; $i -lt 100; $i++) { $a = ,$a }\n", "line 2, column 39: lists and hashtables nest more than 64 levels deep"),
}
PLAN = "New-CsTenantDialPlan -Identity P1 -NormalizationRules @(New-CsVoiceNormalizationRule -Parent Global -Name R -Pattern '^1$' -Translation '+1' -InMemory)\n"


@pytest.mark.parametrize("name", sorted(GROWS))
def test_a_script_value_past_the_size_limit_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    script, error = GROWS[name]
    path = tmp_path / "grow.ps1"
    path.write_text(script + PLAN, encoding="utf-8")
    assert main(["import", str(path), "-o", str(tmp_path / "out.toml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dialplan: error: {path}: {error}"), err
    assert "Traceback" not in err and not (tmp_path / "out.toml").exists()


def test_a_script_within_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.ps1"
    path.write_text("$a = 'x' * 999999\n$b = $a.Length\n" + PLAN, encoding="utf-8")
    assert main(["import", str(path), "-o", str(tmp_path / "out.toml")]) == 0


@pytest.mark.slow
def test_a_growing_script_read_by_the_service_is_refused_at_once(server: str) -> None:
    script = GROWS["doubling"][0] + PLAN  # about 250 bytes
    started = time.monotonic()
    status, _, answer = call(server, "/v1/tenant-files/read", {"file_name": "grow.ps1", "text": script})
    assert status == 422, answer
    assert answer["error"] == "invalid_tenant_document"
    assert "line 2, column 38: this would build text of 1,048,576 characters" in answer["detail"]
    # Refused when the limit is passed, not when the request's 10 s run out.
    assert time.monotonic() - started < 5
