"""`POST /v1/lint`: a tenant document in, findings out (`normalizer.quality.lint`).

Lint works on the patterns' regular languages, which no regex timeout bounds,
so it runs in a child process under the request time limit (`api.isolation`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from api.isolation import run_isolated
from api.responses import json_response
from api.schemas import TENANT_DOCUMENT, TENANT_DOCUMENT_EXAMPLE, LintResponse
from api.state import AppState, state_of
from normalizer import Severity, Tenant, lint, tenant_from_document

router = APIRouter(prefix="/v1/lint", tags=["lint"])


def findings_of(tenant: Tenant) -> list[dict[str, Any]]:
    """Every finding of a tenant as JSON (runs in the child process)."""
    return [finding.to_dict() for finding in lint(tenant)]


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
    tenant = tenant_from_document(
        document, max_rules=state.settings.max_rules, validate=False
    )
    findings = run_isolated(
        findings_of, (tenant,), seconds=state.settings.max_request_seconds
    )
    errors = sum(1 for finding in findings if finding["severity"] == Severity.ERROR)
    return json_response(
        {
            "tenant": tenant.name,
            "errors": errors,
            "warnings": len(findings) - errors,
            "findings": findings,
        }
    )
