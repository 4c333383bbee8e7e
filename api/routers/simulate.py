"""`POST /v1/simulate`: a what-if tenant document and cases, never touching the served tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api import pool, posted
from api.limits import Deadline, check_count
from api.responses import json_response
from api.schemas import SimulateRequest, SimulateResponse
from api.state import AppState, state_of
from normalizer import check_data

router = APIRouter(prefix="/v1/simulate", tags=["simulate"])


@router.post("", response_model=SimulateResponse, summary="Normalize with a posted tenant")
def simulate(request: SimulateRequest, state: Annotated[AppState, Depends(state_of)]) -> Response:
    """The tenant document is read as a tenant file would be (errors name the plan,
    rule and field); its patterns run within the regex work budget, so a
    catastrophic pattern gets its answer in linear time (RE2) when regular, or
    `regex_timeout` before it runs, never holding the worker."""
    settings = state.settings
    # One budget for the whole request: reading the tenant counts, not only the cases.
    deadline = Deadline(seconds=settings.max_request_seconds, regex_timeout=settings.regex_timeout)
    check_count(len(request.cases), settings.max_batch_items, "cases")
    # In a worker process (`api.pool`): the client's patterns never hold the server's.
    cases = [case.model_dump() for case in request.cases]
    # The worker gets the request by pickle, which recurses once per level.
    check_data(request.tenant, "<request>", field="tenant")
    status, answer = pool.run(posted.simulate, settings, request.tenant, cases, deadline.end)
    return json_response(answer, status)
