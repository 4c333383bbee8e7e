"""`GET /v1/service-dial-plans/{region}`: a region's service country dial plan."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.responses import json_response
from api.schemas import ServiceDialPlanOut
from api.state import AppState, state_of
from normalizer import EffectiveRule

router = APIRouter(prefix="/v1/service-dial-plans", tags=["service dial plans"])


@router.get("/{region}", response_model=ServiceDialPlanOut, summary="A region's service plan")
async def get_service_dial_plan(
    region: str, state: Annotated[AppState, Depends(state_of)]
) -> Response:
    """Built from the rule template and the region's facts (IDD prefix, trunk prefix,
    calling code), corrected by the region's override file where there is one."""
    plan = state.catalog.service_plan(region)
    return json_response(
        {
            "identity": plan.identity,
            "region": region.upper(),
            "description": plan.description,
            "rules": [
                EffectiveRule(rule, plan.identity, plan.scope, priority).to_dict()
                for priority, rule in enumerate(plan.rules)
            ],
        }
    )
