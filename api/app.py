"""`create_app(settings)`: the FastAPI application, its routers, limits and error handlers.

>>> from fastapi.testclient import TestClient
>>> client = TestClient(create_app(Settings()))
>>> client.post("/v1/normalize", json={"dialed_number": "7123", "user": "marcel.beauchamp@contoso.com"}).json()["final_number"]
'+33199997123'
>>> client.get("/v1/users/nobody@contoso.com/effective-dial-plan").json()["error"]
'unknown_user'
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from api import errors
from api.fast_path import NormalizeFastPath
from api.limits import BodyLimit
from api.responses import JSONBody
from api.routers import ROUTERS
from api.routers.docs import ASSETS
from api.routers.tester import STATIC
from api.schemas import ErrorBody
from api.security import SecurityHeaders, hosts_for
from api.settings import Settings
from api.state import AppState

DESCRIPTION = """\
What does 7123 become? Teams Phone dial plan normalization for the served tenant
(`/v1/normalize`), what-if simulation with a posted tenant (`/v1/simulate`), and
the tenant's users, dial plans and the service country plans. Errors answer
`{"error", "detail", "plan", "rule", "field"}`. The tester page is at `/`.
"""


def create_app(
    settings: Settings | None = None, *, bound_host: str | None = None, fast_path: bool = True
) -> FastAPI:
    """The service for `settings` (default: `Settings.from_env()`); loads the tenant now.

    `bound_host`: the address `serve` listens on; with it (or with
    `settings.allowed_hosts`) a request naming another `Host` is refused.
    `fast_path`: answer `POST /v1/normalize` without the framework's per-request
    machinery (`api.fast_path`: the same answers; its tests turn it off to compare).
    """
    settings = settings if settings is not None else Settings.from_env()
    state = AppState(settings)
    app = FastAPI(
        title="dialplan",
        version="0.1.0",
        description=DESCRIPTION,
        default_response_class=JSONBody,
        docs_url=None,  # api.routers.docs: no CDN, no inline script
        redoc_url=None,
        responses={
            404: {"model": ErrorBody, "description": "Something named does not exist"},
            422: {"model": ErrorBody, "description": "The request cannot be used"},
            413: {"model": ErrorBody, "description": "The request body is too large"},
        },
    )
    app.state.dialplan = state
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-assets", StaticFiles(directory=ASSETS), name="docs-assets")
    if fast_path:  # the innermost layer: the body limit and the headers apply to it too
        app.add_middleware(NormalizeFastPath, state=state)
    app.add_middleware(BodyLimit, max_body_bytes=settings.max_body_bytes)
    if bound_host is not None:
        allowed = hosts_for(bound_host, settings.allowed_hosts)
    else:
        allowed = hosts_for("::", settings.allowed_hosts)  # only the configured names, if any
    # Added last: the outermost layer, so even a 413 gets the headers.
    app.add_middleware(SecurityHeaders, allowed_hosts=allowed)
    return app
