"""`GET /health`: the service is up and serving a tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.responses import json_response
from api.schemas import Health
from api.state import AppState, state_of

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Liveness, and which tenant is served")
async def health(state: Annotated[AppState, Depends(state_of)]) -> Response:
    tenant = state.tenant
    return json_response(
        {
            "status": "ok",
            "tenant": tenant.name,
            "users": len(tenant.users),
            "dial_plans": len(tenant.dial_plans),
        }
    )
