"""One router per resource, included by `create_app` in `ROUTERS` order."""

from __future__ import annotations

from api.routers import (
    calls,
    dial_plans,
    docs,
    health,
    lint,
    normalize,
    regions,
    service_dial_plans,
    simulate,
    suites,
    tenant_files,
    tester,
    users,
)

ROUTERS = (
    normalize.router,
    simulate.router,
    calls.router,
    lint.router,
    tenant_files.router,
    suites.router,
    users.router,
    dial_plans.router,
    service_dial_plans.router,
    regions.router,
    health.router,
    tester.router,
    docs.router,
)
