"""`POST /v1/normalize` and `POST /v1/normalize/batch`: dial strings of the served tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from api.responses import json_response
from api.schemas import BatchRequest, BatchResponse, NormalizeRequest, NormalizeResult
from api.state import AppState, normalize_case, run_cases, state_of

router = APIRouter(prefix="/v1/normalize", tags=["normalize"])

State = Annotated[AppState, Depends(state_of)]


@router.post("", response_model=NormalizeResult, summary="What one dial string becomes")
async def normalize(case: NormalizeRequest, request: Request) -> Response:
    """The same fields as `dialplan normalize --json`: the test-cmdlet view
    (`translated_number`, `matching_rule`) and the service view (`final_number`)."""
    # The state straight from the request, not as a dependency: solving one costs
    # a tenth of this endpoint's time (bench: API against a minimal endpoint).
    state = await state_of(request)
    settings = state.settings
    result = normalize_case(
        state.simulator,
        case,
        timeout=settings.regex_timeout,
        max_dialed_length=settings.max_dialed_length,
    )
    return json_response(result)


@router.post("/batch", response_model=BatchResponse, summary="Many dial strings, answered in order")
def normalize_batch(batch: BatchRequest, state: State) -> Response:
    """Each item as in `POST /v1/normalize`; the first item in error fails the request
    and the answer names it (`items[3]: ...`)."""
    return json_response(
        {"results": run_cases(state.simulator, batch.items, "items", state.settings)}
    )
