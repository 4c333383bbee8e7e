"""`dialplan serve`: the real service under uvicorn, and its start-up mistakes."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from normalizer.cli import main
from tests.server import running_server

MARCEL = "marcel.beauchamp@contoso.com"


def call(url: str, path: str, body: Any = None, raw: bytes | None = None) -> tuple[int, Any]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url.rstrip("/") + path, data=data, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def answer_to_headers_only(url: str, length: int) -> bytes:
    """Send a request's headers declaring `length` body bytes; return the answer's first bytes."""
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            f"POST /v1/normalize HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n".encode()
        )
        return connection.recv(4096)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server() as url:
        yield url


@pytest.mark.slow
def test_serve_announces_the_tester_page_and_answers(server: str) -> None:
    assert server.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(server, timeout=10) as page:
        assert b"<title>dialplan tester</title>" in page.read()
    assert call(server, "/health") == (200, {"status": "ok", "tenant": "Contoso", "users": 6, "dial_plans": 1})
    status, answer = call(server, "/v1/normalize", {"dialed_number": "7123", "user": MARCEL})
    assert (status, answer["final_number"]) == (200, "+33199997123")


@pytest.mark.slow
def test_real_server_refuses_a_huge_body_and_a_catastrophic_pattern(server: str) -> None:
    # Over the limit: the whole body is read, then refused.
    status, answer = call(server, "/v1/normalize", raw=b'{"dialed_number": "' + b"1" * (5 * 1024 * 1024) + b'"}')
    assert (status, answer["error"]) == (413, "request_too_large")
    # Far over it: refused on its declared length, before any of it is read.
    head = answer_to_headers_only(server, 1024**3)
    assert head.startswith(b"HTTP/1.1 413 ")
    def evil(pattern: str) -> dict[str, Any]:
        rule = {"name": "Evil", "pattern": pattern, "translation": "+$1"}
        return {"tenant": {"dial_plans": [{"identity": "Global", "rules": [rule]}]}, "cases": [{"dialed_number": "1" * 8000 + "x", "usage_location": "FR"}]}

    # What-if work runs in a worker process that starts with the service: let it finish starting.
    call(server, "/v1/simulate", {**evil(r"^1$"), "cases": [{"dialed_number": "1", "usage_location": "FR"}]})
    # Regular: RE2 answers it in linear time (a backtracking engine takes minutes).
    started = time.monotonic()
    status, answer = call(server, "/v1/simulate", evil(r"^(\d+)+$"))
    assert (status, answer["results"][0]["final_number"]) == (200, "+33" + "1" * 8000 + "x")
    assert time.monotonic() - started < 2.0  # the margin is for a busy machine
    # With a backreference it is not regular, and nothing bounds its work: refused before it runs.
    started = time.monotonic()
    status, answer = call(server, "/v1/simulate", evil(r"^(\d+)+\1$"))
    assert (status, answer["error"], answer["rule"], answer["field"]) == (422, "regex_timeout", "Evil", "pattern")
    assert time.monotonic() - started < 2.0
    assert call(server, "/health")[0] == 200


def test_serve_with_a_missing_tenant_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--tenant", "missing.toml", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err == "dialplan: error: missing.toml: no such file\n"


def test_serve_on_a_busy_port_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dialplan: error: argument --port: cannot listen on 127.0.0.1:{port}: ")
    assert err.count("\n") == 1


def test_serve_with_an_impossible_port(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "70000"]) == 2
    assert "port must be 0 to 65535" in capsys.readouterr().err
