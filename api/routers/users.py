"""`GET /v1/users` and `GET /v1/users/{upn}/effective-dial-plan`: the served tenant's users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.responses import json_response
from api.schemas import EffectiveDialPlanOut, UserOut
from api.state import AppState, state_of

router = APIRouter(prefix="/v1/users", tags=["users"])

State = Annotated[AppState, Depends(state_of)]


@router.get("", response_model=list[UserOut], summary="The tenant's users")
async def list_users(state: State) -> Response:
    return json_response(
        [
            {"upn": user.upn, "usage_location": user.usage_location, "dial_plan": user.dial_plan}
            for user in state.tenant.users
        ]
    )


@router.get(
    "/{upn}/effective-dial-plan",
    response_model=EffectiveDialPlanOut,
    summary="A user's effective dial plan",
)
async def effective_dial_plan(upn: str, state: State) -> Response:
    """Tenant rules first (the user's plan, else Global), then the service plan's, in order."""
    return json_response(state.effective(user=upn).to_dict())
