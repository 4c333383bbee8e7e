"""`api.fast_path`: `POST /v1/normalize` answers exactly as the route does, byte for byte.

Every request goes to two services built from the same settings, one with the
fast path and one without, as raw ASGI calls; the messages each sends back
(status, every header in order, the body) must be equal. A recording inner app
shows which requests the fast path answered itself and that the others reach
the app with their body intact.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.types import Message, Receive, Scope, Send

from api import Settings, create_app
from api.fast_path import NormalizeFastPath
from api.state import AppState

MARCEL = "marcel.beauchamp@contoso.com"
EMILY = "emily.braun@contoso.com"
PLAN = "FR-Paris-Issy-39qdPR"
JSON = [(b"content-type", b"application/json")]

SETTINGS = Settings(max_body_bytes=4_096, max_dialed_length=40)


@pytest.fixture(scope="module")
def apps() -> tuple[Any, Any]:
    """The service with the fast path and without, same settings, bound to loopback."""
    return (
        create_app(SETTINGS, bound_host="127.0.0.1"),
        create_app(SETTINGS, bound_host="127.0.0.1", fast_path=False),
    )


def scope_of(
    body_size: int,
    headers: Sequence[tuple[bytes, bytes]],
    *,
    method: str = "POST",
    path: str = "/v1/normalize",
    host: bytes = b"127.0.0.1:8000",
) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", host), *headers, (b"content-length", str(body_size).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


def call(app: Any, scope: Scope, chunks: Sequence[bytes]) -> list[Message]:
    """The messages `app` sends for one request whose body arrives in `chunks`."""
    incoming: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks or [b""])
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def both(
    apps: tuple[Any, Any],
    body: bytes,
    headers: Sequence[tuple[bytes, bytes]] = JSON,
    *,
    chunks: int = 1,
    **where: Any,
) -> list[Message]:
    """Send one request to both services; assert the answers are identical; return them."""
    size = max(1, -(-len(body) // chunks))
    pieces = [body[start : start + size] for start in range(0, len(body), size)] or [b""]
    fast, plain = (call(app, scope_of(len(body), headers, **where), pieces) for app in apps)
    assert fast == plain
    return fast


def status_of(sent: list[Message]) -> int:
    return int(sent[0]["status"])


def answer_of(sent: list[Message]) -> Any:
    return json.loads(b"".join(message.get("body", b"") for message in sent[1:]))


@pytest.mark.parametrize(
    ("case", "status"),
    [
        pytest.param({"dialed_number": "7123", "user": MARCEL}, 200, id="extension"),
        pytest.param({"dialed_number": "0800123456", "user": MARCEL.upper()}, 200, id="upn-any-case"),
        pytest.param({"dialed_number": "3949", "usage_location": "fr", "dial_plan": PLAN, "trace": True}, 200, id="trace"),
        pytest.param({"dialed_number": "0145678900", "user": MARCEL, "tenant_scope_only": True}, 200, id="tenant-scope-only"),
        pytest.param({"dialed_number": "2079460034", "user": EMILY}, 200, id="no-match"),
        pytest.param({"dialed_number": "911", "usage_location": "US"}, 200, id="emergency"),
        pytest.param({"dialed_number": "+44 (20) 7946-0034", "user": EMILY, "usage_location": None}, 200, id="separators-and-null"),
        pytest.param({"dialed_number": "1-800-FLOWERS", "usage_location": "US"}, 200, id="letters"),
        pytest.param({"dialed_number": "Ünïcode", "user": MARCEL}, 422, id="non-ascii-letter"),
        pytest.param({"dialed_number": "1", "user": "nobody@contoso.com"}, 404, id="unknown-user"),
        pytest.param({"dialed_number": "1", "usage_location": "XX"}, 404, id="unknown-region"),
        pytest.param({"dialed_number": "1", "usage_location": "FR", "dial_plan": "Nope"}, 404, id="unknown-plan"),
        pytest.param({"dialed_number": "1", "user": MARCEL, "usage_location": "FR"}, 422, id="user-and-location"),
        pytest.param({"dialed_number": "1"}, 422, id="no-target"),
        pytest.param({"dialed_number": "1" * 41, "user": MARCEL}, 422, id="longer-than-the-limit"),
        pytest.param({"dialed_number": " - ", "user": MARCEL}, 422, id="only-separators"),
        pytest.param({"dialed_number": 7123, "user": MARCEL}, 422, id="number-not-text"),
        pytest.param({"dialed_number": "", "user": MARCEL}, 422, id="empty-number"),
        pytest.param({"dialed_number": "1", "user": MARCEL, "trace": "yes"}, 422, id="trace-not-bool"),
        pytest.param({"dialed_number": "1", "user": MARCEL, "trace": 1}, 422, id="trace-one"),
        pytest.param({"dialled_number": "1", "user": MARCEL}, 422, id="misspelt-key"),
        pytest.param({"dialed_number": "1", "user": MARCEL, "extra": None}, 422, id="extra-key"),
        pytest.param([], 422, id="array-body"),
        pytest.param("7123", 422, id="string-body"),
        pytest.param(None, 422, id="null-body"),
    ],
)
def test_answers_and_errors_are_identical(apps: tuple[Any, Any], case: Any, status: int) -> None:
    sent = both(apps, json.dumps(case, ensure_ascii=False).encode())
    assert status_of(sent) == status
    assert answer_of(sent)  # a real answer, not an empty one


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        pytest.param(b'{"dialed_number": "7123",', JSON, 422, id="truncated"),
        pytest.param(b'{"dialed_number": NaN, "user": "x"}', JSON, 422, id="nan"),
        pytest.param(b"\xff\xfe\x00junk", JSON, 422, id="not-utf8"),
        pytest.param(b"[" * 3_000 + b"]" * 3_000, [(b"content-type", b"application/json")], 413, id="over-the-body-limit"),
        pytest.param(b"[" * 2_000 + b"]" * 2_000, JSON, 422, id="deeply-nested"),
        pytest.param(b"", JSON, 422, id="empty-body"),
        pytest.param(b'{"dialed_number": "7123", "user": "%s"}' % MARCEL.encode(), [(b"content-type", b"text/plain")], 422, id="text-plain"),
        pytest.param(b'{"dialed_number": "7123", "user": "%s"}' % MARCEL.encode(), [], 422, id="no-content-type"),
        pytest.param(
            b'{"dialed_number": "7123", "user": "%s"}' % MARCEL.encode(),
            [(b"content-type", b"application/json; charset=utf-8")],
            200,
            id="json-with-charset",
        ),
        pytest.param(
            b'{"dialed_number": "7123", "user": "%s"}' % MARCEL.encode(),
            [(b"content-type", b"application/problem+json")],
            200,
            id="json-suffix",
        ),
        pytest.param(b'{"dialed_number": "1", "dialed_number": "7123", "user": "%s"}' % MARCEL.encode(), JSON, 200, id="duplicate-key"),
        pytest.param(json.dumps({"dialed_number": "7123", "user": MARCEL}).encode("utf-16"), JSON, 200, id="utf-16"),
    ],
)
def test_unusual_requests_are_identical(apps: tuple[Any, Any], body: bytes, headers: Any, status: int) -> None:
    assert status_of(both(apps, body, headers)) == status


def test_a_host_not_allowed_is_identical(apps: tuple[Any, Any]) -> None:
    body = json.dumps({"dialed_number": "7123", "user": MARCEL}).encode()
    assert status_of(both(apps, body, host=b"evil.example")) == 400


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/normalize"), ("POST", "/v1/normalize/"), ("POST", "/v1/normalize/batch"), ("PUT", "/v1/normalize")],
)
def test_other_routes_and_methods_are_identical(apps: tuple[Any, Any], method: str, path: str) -> None:
    body = json.dumps({"dialed_number": "7123", "user": MARCEL}).encode()
    both(apps, body, method=method, path=path)


def test_a_body_in_pieces_is_identical(apps: tuple[Any, Any]) -> None:
    body = json.dumps({"dialed_number": "+33 1 45 67 89 00", "user": MARCEL, "trace": True}).encode()
    sent = both(apps, body, chunks=7)
    assert status_of(sent) == 200
    assert answer_of(sent)["final_number"] == "+33145678900"


_VALUES = st.one_of(
    st.sampled_from(["7123", "0800123456", "911", "112", "+14165550100", "0044 20 7946 0034", "3949", "x", "", "00"]),
    st.sampled_from([MARCEL, EMILY, "nobody@contoso.com", "FR", "gb", "US", "XX", PLAN, "Global"]),
    st.text(max_size=12),
    st.booleans(),
    st.none(),
    st.integers(-5, 10_000),
    st.lists(st.integers(0, 3), max_size=2),
)
_KEYS = st.sampled_from(
    ["dialed_number", "dialed_number", "user", "usage_location", "dial_plan", "trace", "tenant_scope_only", "extra"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.dictionaries(_KEYS, _VALUES, max_size=5))
def test_any_body_is_answered_identically(apps: tuple[Any, Any], case: dict[str, Any]) -> None:
    both(apps, json.dumps(case).encode())


class Recorder:
    """An inner app that answers 418 and keeps the body it was handed."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.mark.parametrize(
    ("body", "headers", "answered"),
    [
        pytest.param(b'{"dialed_number": "7123", "user": "%s"}' % MARCEL.encode(), JSON, True, id="valid"),
        pytest.param(b'{"dialed_number": "1", "user": "nobody@contoso.com"}', JSON, True, id="core-error"),
        pytest.param(b'{"dialed_number": 1, "user": "nobody@contoso.com"}', JSON, False, id="does-not-validate"),
        pytest.param(b'{"dialed_number": "1",', JSON, False, id="not-json"),
        pytest.param(b'{"dialed_number": "7123", "user": "%s"}' % MARCEL.encode(), [(b"content-type", b"text/plain")], False, id="not-json-type"),
    ],
)
def test_the_fast_path_answers_what_it_can_and_hands_on_the_rest_whole(
    body: bytes, headers: Any, answered: bool
) -> None:
    inner = Recorder()
    fast = NormalizeFastPath(inner, state=AppState(SETTINGS))
    sent = call(fast, scope_of(len(body), headers), [body[:5], body[5:]])
    if answered:
        assert inner.bodies == []
        assert status_of(sent) in (200, 404)
    else:
        assert inner.bodies == [body]
        assert status_of(sent) == 418
