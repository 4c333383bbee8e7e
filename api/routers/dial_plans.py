"""`GET /v1/dial-plans` and `GET /v1/dial-plans/{identity}`: the served tenant's dial plans."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.responses import json_response
from api.schemas import DialPlanOut, DialPlanSummary
from api.state import AppState, state_of
from normalizer import DialPlan

router = APIRouter(prefix="/v1/dial-plans", tags=["dial plans"])

State = Annotated[AppState, Depends(state_of)]


def plan_to_dict(plan: DialPlan) -> dict[str, Any]:
    """A tenant dial plan with its rules in order."""
    return {
        "identity": plan.identity,
        "scope": str(plan.scope),
        "description": plan.description,
        "simple_name": plan.simple_name,
        "external_access_prefix": plan.external_access_prefix,
        "optimize_device_dialing": plan.optimize_device_dialing,
        "rules": [
            {
                "name": rule.name,
                "description": rule.description,
                "pattern": rule.pattern,
                "translation": rule.translation,
                "is_internal_extension": rule.is_internal_extension,
                "priority": priority,
            }
            for priority, rule in enumerate(plan.rules)
        ],
    }


@router.get("", response_model=list[DialPlanSummary], summary="The tenant's dial plans")
async def list_dial_plans(state: State) -> Response:
    return json_response(
        [
            {
                "identity": plan.identity,
                "scope": str(plan.scope),
                "description": plan.description,
                "rule_count": len(plan.rules),
            }
            for plan in state.tenant.dial_plans
        ]
    )


@router.get("/{identity}", response_model=DialPlanOut, summary="One tenant dial plan")
async def get_dial_plan(identity: str, state: State) -> Response:
    """By identity, case-insensitive; `Tag:` allowed."""
    return json_response(plan_to_dict(state.tenant.plan(identity)))
