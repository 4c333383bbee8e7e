"""JSON answers written straight from the core's `to_dict()` shapes.

The core already gives plain JSON data, so the service encodes it once with
the standard library instead of validating it again through a response model
(the models in `api.schemas` document it, and a test checks they agree).

>>> json_response({"final_number": "+33199997123"}).body
b'{"final_number":"+33199997123"}'
>>> json_response({"x": float("nan")})
Traceback (most recent call last):
...
ValueError: Out of range float values are not JSON compliant...
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse, Response


class JSONBody(JSONResponse):
    """`application/json`, compact, UTF-8, no NaN."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode("utf-8")


def json_response(
    content: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """One JSON answer."""
    return JSONBody(content, status_code=status, headers=headers)
