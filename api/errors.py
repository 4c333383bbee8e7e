"""Every error answer of the service: one table from core errors to HTTP, one body shape.

Each error answers `{"error", "detail", "plan", "rule", "field"}`: a stable code,
one readable line (the core's message without the server's file path), and the
location parts the core keeps as attributes. `ERRORS` maps the core's hierarchy
(`normalizer.errors`) to a status and code, found by walking the exception's
classes, so a subclass added later inherits its parent's answer. Request
problems (malformed JSON, wrong types, limits, unknown routes) get the same
shape; anything unexpected gets it too, with 500, and is logged: the tests make
sure no input reaches that handler.

>>> from normalizer import UnknownUserError
>>> answer_for(UnknownUserError("user 'x' does not exist", file="/srv/t.toml"))
(404, {'error': 'unknown_user', 'detail': "user 'x' does not exist", 'plan': None, 'rule': None, 'field': None})
>>> answer_for(ValueError("not ours"))
Traceback (most recent call last):
...
TypeError: not a DialplanError: ValueError
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from api.responses import json_response
from normalizer import (
    DialplanError,
    DialplanInputError,
    DialplanLookupError,
    MemoryLimitError,
    PatternError,
    RegexTimeoutError,
    TenantFileError,
    TenantValidationError,
    TimeLimitError,
    TranslationError,
    UnknownPlanError,
    UnknownRegionError,
    UnknownUserError,
)

logger = logging.getLogger("api")

ERRORS: dict[type[DialplanError], tuple[int, str]] = {
    UnknownUserError: (404, "unknown_user"),
    UnknownPlanError: (404, "unknown_dial_plan"),
    UnknownRegionError: (404, "unknown_region"),
    DialplanLookupError: (404, "not_found"),
    RegexTimeoutError: (422, "regex_timeout"),
    TimeLimitError: (422, "time_limit_exceeded"),
    MemoryLimitError: (422, "too_complex"),
    PatternError: (422, "invalid_pattern"),
    TranslationError: (422, "invalid_translation"),
    TenantValidationError: (422, "invalid_tenant"),
    TenantFileError: (422, "invalid_tenant_document"),
    DialplanInputError: (422, "invalid_input"),
    DialplanError: (422, "invalid_input"),
}
"""Core error class -> (HTTP status, error code); the nearest class in the MRO wins."""


class RequestLimitError(Exception):
    """A request past one of the service's limits (body size, items, time)."""

    def __init__(
        self,
        status: int,
        error: str,
        detail: str,
        field: str | None = None,
        *,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.field = field
        self.retry_after = retry_after
        """Seconds after which the client may try again (a 503's `Retry-After`)."""


class ItemError(Exception):
    """A core error in one item of a batch or simulation; the answer names the item."""

    def __init__(self, where: str, error: DialplanError) -> None:
        super().__init__(f"{where}: {error}")
        self.where = where
        self.error = error


def body(
    error: str,
    detail: str,
    *,
    plan: str | None = None,
    rule: str | None = None,
    field: str | None = None,
) -> dict[str, Any]:
    """The one error body shape; no part longer than `MAX_ECHO` characters (`shortened`)."""
    return {
        "error": error,
        "detail": shortened(detail),
        "plan": shortened(plan),
        "rule": shortened(rule),
        "field": shortened(field),
    }


MAX_ECHO = 300
"""The most characters of one error part: the input it quotes is cut (a 3 MB user name)."""


def shortened(text: str | None) -> str | None:
    """`text`, or its start and end around a note of how much was left out.

    >>> shortened("user '" + "x" * 5000 + "' does not exist")[190:240]
    'xxxxxxxxxx [4,762 characters left out] xxxxxxxxxxx'
    >>> shortened("user '" + "x" * 5000 + "' does not exist")[-20:]
    "xxxx' does not exist"
    """
    if text is None or len(text) <= MAX_ECHO:
        return text
    head, tail = text[:200], text[-60:]
    return f"{head} [{len(text) - 260:,} characters left out] {tail}"


def answer_for(exc: BaseException, where: str | None = None) -> tuple[int, dict[str, Any]]:
    """The status and body of a core error, from the `ERRORS` table; `where` (`items[3]`)
    goes before the detail, which is then shortened once, so its count of the
    characters left out is the whole detail's."""
    if not isinstance(exc, DialplanError):
        raise TypeError(f"not a DialplanError: {type(exc).__name__}")
    for cls in type(exc).__mro__:
        if cls in ERRORS:
            status, code = ERRORS[cls]
            break
    # The message without the file: the client did not send it, and the
    # server's paths are none of its business.
    located = DialplanError(
        exc.detail, plan=exc.plan, rule=exc.rule, rule_index=exc.rule_index, field=exc.field
    )
    detail = located.message if where is None else f"{where}: {located.message}"
    return status, body(code, detail, plan=exc.plan, rule=exc.rule, field=exc.field)


def _field_of(location: tuple[Any, ...]) -> str | None:
    """`("body", "items", 3, "user")` -> `items[3].user`."""
    parts = [part for part in location if part not in ("body", "path", "query")]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or None


def describe_validation(exc: RequestValidationError) -> tuple[str, str, str | None]:
    """The code, one-line detail and field of a request that did not validate."""
    errors = list(exc.errors())
    if not errors:
        return "invalid_request", "the request is not valid", None
    first = errors[0]
    if first.get("type") == "json_invalid":
        reason = first.get("ctx", {}).get("error", "not JSON")
        location = first.get("loc", ())
        position = location[1] if len(location) > 1 else "?"
        return "malformed_json", f"the body is not valid JSON: {reason} (at position {position})", None
    field = _field_of(tuple(first.get("loc", ())))
    message = str(first.get("msg", "not valid"))
    detail = f"field {field!r}: {message}" if field else message
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return "invalid_request", detail, field


def limit_answer(exc: RequestLimitError) -> tuple[int, dict[str, Any]]:
    """The status and body of a request past a limit."""
    return exc.status, body(exc.error, exc.detail, field=exc.field)


def item_answer(exc: ItemError) -> tuple[int, dict[str, Any]]:
    """The status and body of a failing item: the core error's, its detail naming the item."""
    return answer_for(exc.error, exc.where)


def core_error_response(exc: DialplanError) -> Response:
    """The answer to a core error (the route's handler, and `api.fast_path`'s)."""
    status, content = answer_for(exc)
    return json_response(content, status)


async def _core_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DialplanError)
    return core_error_response(exc)


async def _item_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ItemError)
    status, content = item_answer(exc)
    return json_response(content, status)


async def _limit_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestLimitError)
    status, content = limit_answer(exc)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return json_response(content, status, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    code, detail, field = describe_validation(exc)
    return json_response(body(code, detail, field=field), 422)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}


def _unreadable(cause: BaseException) -> str:
    if isinstance(cause, UnicodeDecodeError):
        return "not UTF-8"
    if isinstance(cause, RecursionError):
        return "nested too deeply"
    return type(cause).__name__


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.__cause__ is not None:
        # FastAPI's answer to a body it could not decode (bad UTF-8, nesting
        # deeper than the JSON parser goes): malformed JSON, like any other.
        detail = f"the body is not valid JSON: {_unreadable(exc.__cause__)}"
        return json_response(body("malformed_json", detail), 422)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no such resource: {request.method} {request.url.path}"
    return json_response(body(code, detail), exc.status_code, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return json_response(
        body("internal_error", "an unexpected error; the server log has the details"), 500
    )


def install(app: FastAPI) -> None:
    """Register every handler on the app."""
    app.add_exception_handler(DialplanError, _core_error)
    app.add_exception_handler(ItemError, _item_error)
    app.add_exception_handler(RequestLimitError, _limit_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
