"""`GET /docs`, `GET /redoc`: the API docs pages, with no asset from a CDN and no inline script.

FastAPI's own pages load Swagger UI and ReDoc from a CDN (a blank page
offline) and start them with an inline script, which the service's
Content-Security-Policy refuses. These pages load the assets that the
`fastapi-offline` package ships (Swagger UI, Apache-2.0; ReDoc, MIT; the
package itself, MIT), served at `/docs-assets/`, and start Swagger UI from
`api/static/docs.js`.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from starlette.responses import FileResponse

from api.routers.tester import STATIC

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
"""Swagger UI's and ReDoc's files, as the `fastapi-offline` package ships them."""

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui() -> FileResponse:
    return FileResponse(STATIC / "docs.html", media_type="text/html")


@router.get("/redoc")
async def redoc() -> FileResponse:
    return FileResponse(STATIC / "redoc.html", media_type="text/html")
