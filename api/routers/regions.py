"""`GET /v1/regions` and `GET /v1/regions/{region}/effective-dial-plan`: usage locations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from api.responses import json_response
from api.schemas import EffectiveDialPlanOut, RegionOut
from api.state import AppState, state_of

router = APIRouter(prefix="/v1/regions", tags=["regions"])

State = Annotated[AppState, Depends(state_of)]


@router.get("", response_model=list[RegionOut], summary="Every region with a service plan")
async def list_regions(state: State) -> Response:
    return json_response(state.regions)


@router.get(
    "/{region}/effective-dial-plan",
    response_model=EffectiveDialPlanOut,
    summary="The effective plan of a usage location and tenant plan",
)
async def effective_dial_plan(
    region: str,
    state: State,
    dial_plan: Annotated[
        str | None, Query(description="A tenant dial plan (default: Global, if any).")
    ] = None,
) -> Response:
    """What a user of that usage location, assigned that plan, would get."""
    return json_response(state.effective(usage_location=region, dial_plan=dial_plan).to_dict())
