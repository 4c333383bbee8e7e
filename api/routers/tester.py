"""`GET /`: the web tester page, and `GET /workbench`: the rule-set workbench (plain HTML,
CSS and JavaScript in `api/static/`, no inline script)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse

STATIC = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
async def tester_page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/workbench")
async def workbench_page() -> FileResponse:
    return FileResponse(STATIC / "workbench.html", media_type="text/html")
