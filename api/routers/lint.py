"""`POST /v1/lint`: a tenant document in, findings out (`normalizer.quality.lint`).

Lint works on the patterns' regular languages, which no regex timeout bounds,
so each plan's analysis runs in a child process (`normalizer.quality.isolation`)
within what is left of the request time limit, one of `api.isolation`'s slots
held meanwhile. A request that reaches the limit still answers 200 with the
findings so far: the plans stopped or never reached get an
`analysis-time-limit` warning (the lint ran; the server's limit is not the
client's mistake).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from api.isolation import slot
from api.responses import json_response
from api.schemas import TENANT_DOCUMENT, TENANT_DOCUMENT_EXAMPLE, LintResponse
from api.state import AppState, state_of
from normalizer import Severity, Tenant, lint, tenant_from_document

router = APIRouter(prefix="/v1/lint", tags=["lint"])


def findings_of(tenant: Tenant, seconds: float) -> list[dict[str, Any]]:
    """Every finding of a tenant as JSON, the analysis of its plans within `seconds`."""
    return [finding.to_dict() for finding in lint(tenant, time_limit=max(seconds, 1e-3))]


@router.post("", response_model=LintResponse, summary="Errors and warnings of a tenant document")
def lint_document(
    document: Annotated[
        dict[str, Any], Body(description=TENANT_DOCUMENT, examples=[TENANT_DOCUMENT_EXAMPLE])
    ],
    state: Annotated[AppState, Depends(state_of)],
) -> Response:
    """Errors are what loading would reject (limits, names, patterns that do not
    compile); warnings are rules that never fire, overlaps, emergency numbers a
    rule rewrites, outputs the service would normalize again ... each with a
    stable code and, where there is one, a witness dial string."""
    deadline = time.monotonic() + state.settings.max_request_seconds
    tenant = tenant_from_document(
        document, max_rules=state.settings.max_rules, validate=False
    )
    with slot(deadline - time.monotonic()):
        findings = findings_of(tenant, deadline - time.monotonic())
    errors = sum(1 for finding in findings if finding["severity"] == Severity.ERROR)
    return json_response(
        {
            "tenant": tenant.name,
            "errors": errors,
            "warnings": len(findings) - errors,
            "findings": findings,
        }
    )
