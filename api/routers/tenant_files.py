r"""`POST /v1/tenant-files/read` and `/v1/tenant-files/write`: tenant files in and out as text.

The workbench page opens a `.toml`, `.ps1` or Teams `.json` file the user picks
and saves the edited tenant: the service reads and writes the text and keeps
nothing. Reading a script runs its statements (loops included), which no regex
timeout bounds, so it runs in a child process under the request time limit
(`api.isolation`), as lint does; the body limit bounds the text.

>>> read_document("t.toml", "[tenant]\nname = 'Fabrikam'\n", None)["tenant"]["tenant"]["name"]
'Fabrikam'
>>> read_document("t.xlsx", "", None)
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: t.xlsx: field 'file_name': unsupported tenant file type (use .json, .ps1, .toml)
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import Field
from starlette.responses import Response

from api.isolation import run_isolated
from api.limits import Deadline
from api.responses import json_response
from api.schemas import TENANT_DOCUMENT, Answer, Request
from api.state import AppState, state_of
from normalizer import (
    TenantFileError,
    TenantFormat,
    dump_tenant,
    tenant_from_powershell,
    tenant_from_teams_json,
    tenant_from_toml,
    tenant_to_document,
)

router = APIRouter(prefix="/v1/tenant-files", tags=["tenant files"])

State = Annotated[AppState, Depends(state_of)]


class ReadRequest(Request):
    file_name: str = Field(description="The file's name: its extension (.toml, .ps1, .json) says its format.")
    text: str = Field(description="The file's text.")


class ReadResponse(Answer):
    format: str = Field(description="toml, powershell or json")
    tenant: dict[str, Any] = Field(description=TENANT_DOCUMENT)


class WriteRequest(Request):
    tenant: dict[str, Any] = Field(description=TENANT_DOCUMENT)
    format: Literal["toml", "powershell", "json"] = Field(
        description="toml, powershell (the idempotent script) or json (Teams JSON)"
    )


class WriteResponse(Answer):
    file_name: str
    text: str


def read_document(file_name: str, text: str, max_rules: int | None) -> dict[str, Any]:
    """A tenant file's text as a tenant document (runs in the child process).

    Not validated: the workbench shows what breaks a limit as lint errors.
    """
    fmt = TenantFormat.of_path(file_name)
    stem = PurePath(file_name).stem
    if fmt is TenantFormat.POWERSHELL:
        tenant = tenant_from_powershell(text, file_name, stem, max_rules=max_rules, validate=False)
    elif fmt is TenantFormat.JSON:
        tenant = tenant_from_teams_json(text, file_name, stem, max_rules=max_rules, validate=False)
    elif fmt is TenantFormat.TOML:
        tenant = tenant_from_toml(text, file_name, max_rules=max_rules, validate=False)
    else:
        raise TenantFileError(
            "unsupported tenant file type (use .json, .ps1, .toml)", file=file_name, field="file_name"
        )
    return {"format": str(fmt), "tenant": tenant_to_document(tenant)}


@router.post("/read", response_model=ReadResponse, summary="A tenant file's text as a tenant document")
def read_tenant_file(request: ReadRequest, state: State) -> Response:
    """Errors name the file, line, plan, rule and field, as `dialplan import` does."""
    answer = run_isolated(
        read_document,
        (request.file_name, request.text, state.settings.max_rules),
        seconds=state.settings.max_request_seconds,
    )
    return json_response(answer)


@router.post("/write", response_model=WriteResponse, summary="A tenant document as a tenant file")
def write_tenant_file(request: WriteRequest, state: State) -> Response:
    """TOML, the idempotent PowerShell script of `dialplan export`, or Teams JSON."""
    deadline = Deadline(
        seconds=state.settings.max_request_seconds, regex_timeout=state.settings.regex_timeout
    )
    # Within the server's ceilings (plans, users, rules per plan), as every posted tenant.
    tenant = state.posted_tenant(request.tenant, deadline, validate=False)
    name = "".join(c if c.isalnum() or c in "-_." else "-" for c in tenant.name) or "tenant"
    fmt = TenantFormat(request.format)
    return json_response({"file_name": f"{name}{fmt.suffix}", "text": dump_tenant(tenant, fmt)})


@router.get("/served", response_model=ReadResponse, summary="The served tenant as a tenant document")
async def served_tenant(state: State) -> Response:
    """What the workbench starts from when no file is opened."""
    return json_response({"format": "toml", "tenant": tenant_to_document(state.tenant)})
