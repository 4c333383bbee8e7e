"""Web hygiene: security headers on every answer, and the Host allow-list.

`SecurityHeaders` is plain ASGI middleware. Every answer gets a
Content-Security-Policy that allows no inline script and no framing
(`frame-ancestors 'none'`), `X-Content-Type-Options: nosniff`, a
`Referrer-Policy` and `X-Frame-Options`. The API docs pages (`/docs`,
`/redoc`) keep scripts to the service's own files too; only their styles may
be inline, since Swagger UI and ReDoc write style attributes as they render.

With `allowed_hosts`, a request whose `Host` header names another host is
refused (400, `host_not_allowed`) before the app sees it: a page on another
site that a DNS rebinding points at 127.0.0.1 then cannot use a service bound
to loopback. `dialplan serve` allows the bound address (and `localhost` for a
loopback address) plus the names in `DIALPLAN_ALLOWED_HOSTS`.

>>> host_name("127.0.0.1:8000"), host_name("[::1]:8000"), host_name("Example.COM")
('127.0.0.1', '[::1]', 'example.com')
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import body

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""The policy of every answer: the service's own files only, no inline script, never framed."""

DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""The API docs pages: the same, but Swagger UI and ReDoc set inline styles (ReDoc also runs a blob worker)."""

DOCS_PATHS = ("/docs", "/redoc")

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def host_name(header: str) -> str:
    """The host of a `Host` header, lower-case, without its port (`[::1]` keeps its brackets)."""
    text = header.strip().lower()
    if text.startswith("["):
        return text[: text.find("]") + 1] if "]" in text else text
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def hosts_for(bound: str, configured: Iterable[str]) -> frozenset[str] | None:
    """The `Host` names a service bound to `bound` answers (None: any).

    A wildcard address (`0.0.0.0`, `::`) answers any name unless names are
    configured; a loopback address also answers `localhost`.
    """
    names = {host_name(name) for name in configured if name.strip()}
    try:
        address = ipaddress.ip_address(bound)
    except ValueError:
        names.add(host_name(bound))  # a name such as `localhost`
        if bound.lower() == "localhost":
            names |= {"127.0.0.1", "[::1]"}
        return frozenset(names)
    if address.is_unspecified:
        return frozenset(names) if names else None
    names.add(f"[{address}]" if address.version == 6 else str(address))
    if address.is_loopback:
        names.add("localhost")
    return frozenset(names)


class SecurityHeaders:
    """ASGI middleware: security headers on every answer; 400 for a `Host` not allowed."""

    def __init__(self, app: ASGIApp, allowed_hosts: frozenset[str] | None = None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        policy = DOCS_CSP if path in DOCS_PATHS else CSP
        extra = [(b"content-security-policy", policy.encode()), *_HEADERS]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        if self.allowed_hosts is not None:
            header = next((value for name, value in scope["headers"] if name == b"host"), b"")
            host = host_name(header.decode("latin-1"))
            if host not in self.allowed_hosts:
                payload = json.dumps(
                    body(
                        "host_not_allowed",
                        f"the Host header names {host[:100]!r}, which this service does not "
                        "answer to (set DIALPLAN_ALLOWED_HOSTS to add a name)",
                    )
                ).encode()
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 400,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode()),
                        ],
                    }
                )
                await send_with_headers({"type": "http.response.body", "body": payload})
                return
        await self.app(scope, receive, send_with_headers)
