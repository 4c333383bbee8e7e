r"""`POST /v1/suites/parse`: a suite file's text as its cases, to run through `/v1/simulate`.

The workbench page loads a suite, runs its dial strings against the edited
tenant with `/v1/simulate` (bounded as any simulation) and compares each
result with the case's expectations. Nothing is stored. A suite holds at most
as many cases as one simulation takes (`max_batch_items`): the page could not
run more.

>>> from fastapi.testclient import TestClient
>>> from api import Settings, create_app
>>> client = TestClient(create_app(Settings()))
>>> suite = '[[cases]]\ndialed_number = "7123"\nusage_location = "FR"\nexpect.call_type = "unknown"\n'
>>> client.post("/v1/suites/parse", json={"text": suite}).json()["cases"][0]["expect"]
{'call_type': 'unknown'}
>>> client.post("/v1/suites/parse", json={"text": "[[cases]"}).json()["error"]
'invalid_input'
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field
from starlette.responses import Response

from api.limits import check_count
from api.responses import json_response
from api.schemas import Answer, Request
from api.state import AppState, state_of
from normalizer import suite_from_toml

router = APIRouter(prefix="/v1/suites", tags=["suites"])


class ParseRequest(Request):
    file_name: str = Field(default="suite.toml", description="Named in errors.")
    text: str = Field(description="The suite file's TOML text.")


class ParseResponse(Answer):
    name: str
    cases: list[dict[str, Any]] = Field(
        description="Each case: index, name, dialed_number, user or usage_location (+ dial_plan), "
        'tenant_scope_only, and expect ({key: value}; "" for no number or no rule).'
    )


@router.post("/parse", response_model=ParseResponse, summary="A suite file's cases")
def parse_suite(request: ParseRequest, state: Annotated[AppState, Depends(state_of)]) -> Response:
    """Errors name the file, case and key (`cases[3]: field 'expect.call_type'`); more
    cases than one simulation takes is 422 `too_many_items`."""
    suite = suite_from_toml(request.text, request.file_name)
    check_count(len(suite.cases), state.settings.max_batch_items, "cases")
    cases = [
        {
            "index": case.index,
            "name": case.label,
            "dialed_number": case.dialed_number,
            "user": case.user,
            "usage_location": case.usage_location,
            "dial_plan": case.dial_plan,
            "tenant_scope_only": case.tenant_scope_only,
            "expect": {str(key): value for key, value in case.expect},
        }
        for case in suite.cases
    ]
    return json_response({"name": suite.name, "cases": cases})
