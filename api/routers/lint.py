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

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from api.isolation import slot
from api.limits import Deadline
from api.responses import json_response
from api.schemas import (
    TENANT_DOCUMENT,
    TENANT_DOCUMENT_EXAMPLE,
    TENANT_DOCUMENT_SCHEMA,
    LintResponse,
)
from api.state import AppState, state_of
from normalizer import Severity, Tenant, lint

router = APIRouter(prefix="/v1/lint", tags=["lint"])


def findings_of(tenant: Tenant, seconds: float) -> list[dict[str, Any]]:
    """Every finding of a tenant as JSON, the analysis of its plans within `seconds`."""
    found = lint(tenant, max_rules=tenant.max_rules, time_limit=max(seconds, 1e-3))
    return [finding.to_dict() for finding in found]


@router.post("", response_model=LintResponse, summary="Errors and warnings of a tenant document")
def lint_document(
    document: Annotated[
        dict[str, Any],
        Body(
            description=TENANT_DOCUMENT,
            examples=[TENANT_DOCUMENT_EXAMPLE],
            json_schema_extra=TENANT_DOCUMENT_SCHEMA,
        ),
    ],
    state: Annotated[AppState, Depends(state_of)],
) -> Response:
    """Errors are what loading would reject (limits, names, patterns that do not
    compile); warnings are rules that never fire, overlaps, emergency numbers a
    rule rewrites, outputs the service would normalize again ... each with a
    stable code and, where there is one, a witness dial string."""
    settings = state.settings
    deadline = Deadline(seconds=settings.max_request_seconds, regex_timeout=settings.regex_timeout)
    tenant = state.posted_tenant(document, deadline, validate=False)
    with slot(deadline.left()):
        findings = findings_of(tenant, deadline.left())
    errors = sum(1 for finding in findings if finding["severity"] == Severity.ERROR)
    return json_response(
        {
            "tenant": tenant.name,
            "errors": errors,
            "warnings": len(findings) - errors,
            "findings": findings,
        }
    )
