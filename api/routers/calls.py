"""`POST /v1/calls/replay`: a batch of calls replayed against Calling Plans, with the monthly report."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends
from starlette.responses import Response

from api import pool, posted
from api.errors import ItemError
from api.limits import Deadline, check_count
from api.responses import json_response
from api.schemas import ReplayRequest, ReplayResponse
from api.settings import Settings
from api.state import AppState, state_of
from normalizer import (
    CallLedger,
    DialplanError,
    DialplanInputError,
    PlanCatalog,
    PriceList,
    RateCard,
    Simulator,
    check_data,
    outcome_columns,
    plan_problem,
    price_problem,
    rate_problem,
    read_durations,
    read_starts,
)

router = APIRouter(prefix="/v1/calls", tags=["calling plans"])


@router.post("/replay", response_model=ReplayResponse, summary="Would these calls be allowed, and who pays?")
def replay(request: ReplayRequest, state: Annotated[AppState, Depends(state_of)]) -> Response:
    """Each call (user, dialed number, start, duration) is normalized for its user
    and replayed in time order against the pools and credits of the served tenant,
    or of a posted one; bounded like `/v1/simulate` (number of calls and of rate
    lines, dial string length, the request's time budget, which the parsing,
    replay and report count against too)."""
    settings = state.settings
    deadline = Deadline(seconds=settings.max_request_seconds, regex_timeout=settings.regex_timeout)
    if request.tenant is not None:
        # A posted tenant's work runs in a worker process (`api.pool`), apart from the served tenant.
        check_count(len(request.calls), settings.max_batch_items, "calls")
        # The worker gets the request by pickle, which recurses once per level.
        check_data(request.tenant, "<request>", field="tenant")
        status, answer = pool.run(posted.replay, settings, request, deadline.end)
        return json_response(answer, status)
    return json_response(replay_answer(state.simulator, request, settings, deadline))


def replay_answer(
    simulator: Simulator, request: ReplayRequest, settings: Settings, deadline: Deadline
) -> dict[str, Any]:
    """The replay of `request`'s calls with `simulator`: each call's outcome and the report."""
    calls = request.calls
    check_count(len(calls), settings.max_batch_items, "calls")
    rates = None
    check_count(len(request.rates or ()), settings.max_batch_items, "rates")
    first: dict[str, int] = {}
    for index, line in enumerate(request.rates or ()):
        problem = rate_problem(line.rate)
        if problem:
            raise ItemError(f"rates[{index}]", DialplanInputError(f"{line.rate!r} {problem}", field="rate"))
        if line.prefix in first:
            raise ItemError(
                f"rates[{index}]",
                DialplanInputError(f"{line.prefix!r} repeats the prefix of rates[{first[line.prefix]}]", field="prefix"),
            )
        first[line.prefix] = index
    if request.rates:
        currencies = {rate.currency for rate in request.rates}
        if len(currencies) > 1:
            raise DialplanInputError(f"rates in more than one currency: {', '.join(sorted(currencies))}", field="rates")
        rates = RateCard({rate.prefix: rate.rate for rate in request.rates}, currencies.pop(), "rates")
    prices = price_list(request, simulator.billing.catalog)
    done: dict[tuple[str, str], Any] = {}
    results = []
    for index, call in enumerate(calls):
        where = f"calls[{index}]"
        try:
            if len(call.dialed_number) > settings.max_dialed_length:
                raise DialplanInputError(
                    f"the dial string has {len(call.dialed_number)} characters, more than the "
                    f"limit of {settings.max_dialed_length}",
                    field="dialed_number",
                )
            key = (call.user.lower(), call.dialed_number)
            if key not in done:
                simulator.tenant.user(call.user)
                done[key] = simulator.normalize(
                    call.dialed_number, user=call.user, timeout=deadline.timeout(where)
                )
            results.append(done[key])
        except DialplanError as exc:
            raise ItemError(where, exc) from None
    starts = read_starts([call.start for call in calls], "start")
    durations = read_durations(
        [call.duration for call in calls], "duration", simulator.billing.catalog.billing.max_call_seconds
    )
    for parsed in (starts, durations):
        if len(parsed.bad):
            index = int(parsed.bad[0])
            raise ItemError(f"calls[{index}]", parsed.error(0)) from None
    deadline.check("calls")
    ledger = CallLedger(simulator, rates=rates, prices=prices, increment_seconds=request.minute_rounding)
    out = ledger.feed_results(
        [call.user for call in calls],
        results,
        starts.values,
        durations.values,
        np.array([call.direction == "inbound" for call in calls], bool),
    )
    deadline.check("calls")
    columns = {name: column.to_pylist() for name, column in outcome_columns(out).items()}
    answers = [
        {
            "user": call.user,
            "dialed_number": call.dialed_number,
            "final_number": result.final_number,
            "call_type": str(result.call_type),
            **{name: values[index] for name, values in columns.items()},
        }
        for index, (call, result) in enumerate(zip(calls, results, strict=True))
    ]
    report = ledger.summary()
    deadline.check("calls")
    return {"tenant": simulator.tenant.name, "results": answers, "calling_plans": report}


def price_list(request: ReplayRequest, catalog: PlanCatalog) -> PriceList | None:
    """The request's licence prices (None: none given), checked line by line as a price file is
    (each a plan sold in its region)."""
    if not request.prices:
        return None
    seen: dict[tuple[str, str], int] = {}
    for index, line in enumerate(request.prices):
        problem = price_problem(line.price)
        if problem:
            raise ItemError(f"prices[{index}]", DialplanInputError(f"{line.price!r} {problem}", field="price"))
        key = (line.region.upper(), line.plan)
        if key in seen:
            raise ItemError(
                f"prices[{index}]",
                DialplanInputError(f"{line.region} {line.plan} repeats prices[{seen[key]}]", field="plan"),
            )
        unsold = plan_problem(catalog, line.region, line.plan)
        if unsold is not None:
            raise ItemError(f"prices[{index}]", DialplanInputError(unsold[1], field=unsold[0]))
        seen[key] = index
    currencies = {line.currency for line in request.prices}
    if len(currencies) > 1:
        raise DialplanInputError(f"prices in more than one currency: {', '.join(sorted(currencies))}", field="prices")
    return PriceList({key: request.prices[index].price for key, index in seen.items()}, currencies.pop(), "prices")
