"""`POST /v1/simulate`: a what-if tenant document and cases, never touching the served tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.limits import Deadline
from api.responses import json_response
from api.schemas import SimulateRequest, SimulateResponse
from api.state import AppState, run_cases, state_of

router = APIRouter(prefix="/v1/simulate", tags=["simulate"])


@router.post("", response_model=SimulateResponse, summary="Normalize with a posted tenant")
def simulate(request: SimulateRequest, state: Annotated[AppState, Depends(state_of)]) -> Response:
    """The tenant document is read as a tenant file would be (errors name the plan,
    rule and field); its patterns run under the regex timeout, so a catastrophic
    pattern answers `regex_timeout` instead of holding the worker."""
    settings = state.settings
    # One budget for the whole request: reading the tenant counts, not only the cases.
    deadline = Deadline(seconds=settings.max_request_seconds, regex_timeout=settings.regex_timeout)
    simulator = state.what_if(request.tenant, deadline)
    results = run_cases(simulator, request.cases, "cases", settings, deadline)
    return json_response({"tenant": simulator.tenant.name, "results": results})
