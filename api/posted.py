"""What a worker process of `api.pool` runs for a request with a posted tenant.

Each job returns the answer (status and JSON body) rather than raising, so
that no exception has to cross the process boundary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.errors import ItemError, RequestLimitError, answer_for, item_answer, limit_answer
from api.limits import Deadline
from api.schemas import NormalizeRequest, ReplayRequest
from api.settings import Settings
from api.state import posted_simulator, read_posted_tenant, run_cases
from normalizer import DialplanError, default_catalog


def warm_worker() -> None:
    """Load what every job needs (the service plans' catalog)."""
    default_catalog()


def simulate(
    settings: Settings, document: dict[str, Any], cases: list[dict[str, Any]], end: float
) -> tuple[int, dict[str, Any]]:
    """`POST /v1/simulate`: read the tenant and run the cases, within the request's deadline `end`."""
    deadline = Deadline(seconds=settings.max_request_seconds, regex_timeout=settings.regex_timeout, end=end)

    def work() -> tuple[int, dict[str, Any]]:
        tenant = read_posted_tenant(document, settings, deadline)
        simulator = posted_simulator(tenant, settings, default_catalog())
        requests = [NormalizeRequest.model_validate(case) for case in cases]
        results = run_cases(simulator, requests, "cases", settings, deadline)
        return 200, {"tenant": tenant.name, "results": results}

    return _answered(work)


def replay(settings: Settings, request: ReplayRequest, end: float) -> tuple[int, dict[str, Any]]:
    """`POST /v1/calls/replay` with a posted tenant, within the request's deadline `end`."""
    from api.routers.calls import replay_answer

    deadline = Deadline(seconds=settings.max_request_seconds, regex_timeout=settings.regex_timeout, end=end)
    assert request.tenant is not None  # the router sends only these
    tenant_document = request.tenant

    def work() -> tuple[int, dict[str, Any]]:
        tenant = read_posted_tenant(tenant_document, settings, deadline)
        simulator = posted_simulator(tenant, settings, default_catalog())
        return 200, replay_answer(simulator, request, settings, deadline)

    return _answered(work)


def _answered(work: Callable[[], tuple[int, dict[str, Any]]]) -> tuple[int, dict[str, Any]]:
    """`work()`'s answer, or the answer of the error it raised (nothing crosses the process boundary)."""
    try:
        return work()
    except DialplanError as exc:
        return answer_for(exc)
    except ItemError as exc:
        return item_answer(exc)
    except RequestLimitError as exc:
        return limit_answer(exc)
