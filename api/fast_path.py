"""`POST /v1/normalize` answered without FastAPI's per-request machinery, with the same answers.

The service's busiest route does little work of its own (about 20 us), so the
framework's routing, dependency solving and body handling would cost more than
the answer. `NormalizeFastPath` is plain ASGI middleware, the innermost of the
service's layers (inside the security headers, the Host check and the body
limit): for a request to exactly that route with a JSON body that the route's
own model (`NormalizeRequest`) accepts, it validates the body with that model,
calls `normalize_case` as the route does, and answers as the route and its
error handler do (`json_response`, `core_error_response`). Anything else (another
route, another content type, a body that is not JSON or does not validate) goes
on to the app unchanged, body included, so every error answer about the request
itself is the framework's. tests/test_fast_path.py compares both ways, answers,
headers and error bodies byte for byte.

>>> from api.settings import Settings
>>> from api.state import AppState
>>> fast = NormalizeFastPath(app=None, state=AppState(Settings()))  # type: ignore[arg-type]
>>> fast.handles({"type": "http", "method": "POST", "path": "/v1/normalize", "root_path": ""})
True
>>> fast.handles({"type": "http", "method": "POST", "path": "/v1/normalize/batch", "root_path": ""})
False
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import core_error_response
from api.responses import json_response
from api.schemas import NormalizeRequest
from api.state import AppState, normalize_case
from normalizer import DialplanError

PATH = "/v1/normalize"
"""The one route this layer answers (its OpenAPI entry stays the router's)."""

_JSON = b"application/json"


class NormalizeFastPath:
    """ASGI middleware: `POST /v1/normalize` with a valid JSON body, answered directly."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    @staticmethod
    def handles(scope: Scope) -> bool:
        """True for a request this layer may answer (it still hands on any it cannot read)."""
        return (
            scope["type"] == "http"
            and scope["path"] == PATH
            and scope["method"] == "POST"
            and not scope.get("root_path")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.handles(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        case = None
        if _content_type(scope) == _JSON:
            chunks: list[bytes] = []
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    case = _case_of(b"".join(chunks))
                    break
        if case is None:
            await self.app(scope, _replaying(messages, receive), send)
            return
        settings = self.state.settings
        try:
            result = normalize_case(
                self.state.simulator,
                case,
                timeout=settings.regex_timeout,
                max_dialed_length=settings.max_dialed_length,
            )
        except DialplanError as exc:
            response = core_error_response(exc)
        else:
            response = json_response(result)
        await response(scope, receive, send)


def _content_type(scope: Scope) -> bytes | None:
    """The first `Content-Type` header, as the framework reads it (None when absent)."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bytes(value)
    return None


def _case_of(body: bytes) -> NormalizeRequest | None:
    """The body as the route's model, read as the framework reads it; None where it would refuse it."""
    if not body:
        return None
    try:
        document: Any = json.loads(body)
    except (ValueError, RecursionError):
        return None
    try:
        return NormalizeRequest.model_validate(document)
    except ValidationError:
        return None


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that gives the messages already read, then the connection's."""
    queue = iter(messages)

    async def replay() -> Message:
        for message in queue:
            return message
        return await receive()

    return replay
