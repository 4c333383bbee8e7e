"""The service's request limits: body size, items per request, time per request.

`BodyLimit` is plain ASGI middleware: it answers 413 before the app sees a body
larger than the limit, whether the client declared its length or streams it
in chunks. `Deadline` is one request's time limit, checked between its items
and passes; each normalization gets the regex timeout setting whole, as a
budget of work (`normalizer.dotnet.budget`), never what is left of the time,
so an item's answer does not depend on the machine's load.

>>> deadline = Deadline(seconds=10.0, regex_timeout=0.1)
>>> deadline.timeout("items[0]")
0.1
>>> Deadline(seconds=0.0, regex_timeout=0.1).timeout("items[7]")
Traceback (most recent call last):
...
api.errors.RequestLimitError: items[7]: the request ran past its limit of 0.0 s of normalization
>>> check_count(10_001, 10_000, "items")
Traceback (most recent call last):
...
api.errors.RequestLimitError: 'items' holds 10001 entries, more than the limit of 10000
"""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import RequestLimitError, body


class Deadline:
    """A request's time limit, and the regex timeout (a work budget) each call gets."""

    def __init__(self, *, seconds: float, regex_timeout: float, end: float | None = None) -> None:
        """`end`: the `time.monotonic()` instant the budget ends (default: `seconds` from now),
        for work handed to another process of this machine (the clock is the system's)."""
        self.seconds = seconds
        self.regex_timeout = regex_timeout
        self.end = time.monotonic() + seconds if end is None else end

    def left(self) -> float:
        """Seconds left of the budget (0 when it is spent)."""
        return max(0.0, self.end - time.monotonic())

    def timeout(self, where: str) -> float:
        """The regex timeout for the next normalization; raise once the time is spent.

        Always the setting itself: what is left of the request's time would make
        the answer depend on the load.
        """
        if self.end - time.monotonic() <= 0:
            raise RequestLimitError(
                422,
                "time_limit_exceeded",
                f"{where}: the request ran past its limit of {self.seconds} s of normalization",
            )
        return self.regex_timeout

    def check(self, where: str) -> None:
        """Raise once the budget is spent (between the steps of a request)."""
        if self.end - time.monotonic() <= 0:
            raise RequestLimitError(
                422,
                "time_limit_exceeded",
                f"{where}: the request ran past its limit of {self.seconds} s",
            )


POSTED_MAX_RULES = 50
"""Rules per plan a posted tenant may ask for when `DIALPLAN_MAX_RULES` is not set (Teams' limit)."""


def rules_ceiling(max_rules: int | None) -> int:
    """The most rules per plan a posted tenant document may have, whatever it asks for."""
    return max_rules if max_rules is not None else POSTED_MAX_RULES


def check_tenant_size(document: Any, *, max_plans: int, max_users: int, max_rules: int) -> None:
    """Refuse a posted tenant document past the server's ceilings, before reading it.

    The counts are read from the raw structure (a malformed one is left to the
    reader, which names what is wrong), so a 45,000-rule plan is refused at once
    instead of being compiled rule by rule.
    """
    if not isinstance(document, dict):
        return
    plans = document.get("dial_plans")
    if isinstance(plans, list):
        check_count(len(plans), max_plans, "dial_plans")
        for index, plan in enumerate(plans):
            rules = plan.get("rules") if isinstance(plan, dict) else None
            if isinstance(rules, list):
                check_count(len(rules), max_rules, f"dial_plans[{index}].rules")
    users = document.get("users")
    if isinstance(users, list):
        check_count(len(users), max_users, "users")


def check_count(count: int, limit: int, field: str) -> None:
    """Reject a list longer than the limit."""
    if count > limit:
        raise RequestLimitError(
            422,
            "too_many_items",
            f"{field!r} holds {count} entries, more than the limit of {limit}",
            field=field,
        )


_DRAIN_FACTOR = 4
"""A body up to this many times the limit is read to its end before the 413."""


class BodyLimit:
    """ASGI middleware: 413 for a request body over `max_body_bytes`."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
                break
        if declared is not None:
            if not declared.isdigit():
                await self._refuse(send, 400, "bad_request", "the Content-Length header is not a number")
                return
            if int(declared) > self.max_body_bytes * _DRAIN_FACTOR:
                await self._too_large(send)
                return
        # Read the body here (the app reads it whole anyway), counting as it
        # streams in, then hand the app the same messages.
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                messages.append(message)
                break
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
            if size > self.max_body_bytes:
                await self._drain(receive, size, more)
                await self._too_large(send)
                return
            messages.append(message)
            if not more:
                break
        queue = iter(messages)

        async def replay() -> Message:
            for message in queue:
                return message
            return await receive()

        await self.app(scope, replay, send)

    async def _drain(self, receive: Receive, size: int, more: bool) -> None:
        """Read and drop the rest of a body that is not too far over the limit.

        A client that is still sending when the server closes gets a connection
        reset instead of the 413; reading a bounded rest first lets it see the
        answer. Past the bound the connection is closed at once.
        """
        while more and size <= self.max_body_bytes * _DRAIN_FACTOR:
            message = await receive()
            if message["type"] != "http.request":
                return
            size += len(message.get("body", b""))
            more = message.get("more_body", False)

    async def _too_large(self, send: Send) -> None:
        await self._refuse(
            send,
            413,
            "request_too_large",
            f"the request body is larger than the limit of {self.max_body_bytes} bytes",
        )

    async def _refuse(self, send: Send, status: int, error: str, detail: str) -> None:
        content = json.dumps(body(error, detail)).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(content)).encode("ascii")),
                    # The rest of the body is never read: the connection cannot be reused.
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})
