"""Heavy requests beside light ones on the real service, and its memory after distinct heavy patterns.

`dialplan serve` runs in a child process. Light requests are `POST /v1/normalize`
on the served tenant, one client sending the next as soon as the last answer
is in; heavy requests are `POST /v1/simulate` with a posted tenant and 480
dial strings of 8,001 digits, sent by `HEAVY` clients in closed loops. The
light requests' p50/p99 are measured alone and with the heavy ones in flight
(target on the 2-core machine: p99 < 300 ms with 8 heavy requests in flight);
every heavy answer must be 200 or a 503 refusal with `Retry-After`, never an
error that depends on the load. Then 40 requests each with a distinct
16 MB pattern (`^<n>\\d{99990}$`), and the server's resident memory (its worker
processes included) before and after (target: < 250 MB more).
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.server import resident_bytes, running_server

LIGHT = 300
"""Light requests per measurement."""
HEAVY = 8
"""Heavy requests in flight."""
PATTERNS = 40

MARCEL = "marcel.beauchamp@contoso.com"


class Client:
    """One keep-alive HTTP/1.1 connection to the service."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)

    def post(self, path: str, body: Any) -> tuple[int, dict[str, str]]:
        self.connection.request("POST", path, json.dumps(body), {"content-type": "application/json"})
        answer = self.connection.getresponse()
        answer.read()
        return answer.status, {name.lower(): value for name, value in answer.getheaders()}


def heavy_body() -> dict[str, Any]:
    rules = [{"name": f"R{n}", "pattern": f"^{n}(\\d+)$", "translation": "+14255550100"} for n in range(1, 10)]
    return {
        "tenant": {"dial_plans": [{"identity": "Global", "rules": rules}]},
        "cases": [{"dialed_number": f"{n % 9 + 1}" + "5" * 8000, "usage_location": "US"} for n in range(480)],
    }


def light_latencies(url: str, count: int) -> list[float]:
    client = Client(url)
    body = {"dialed_number": "7123", "user": MARCEL}
    times = []
    for _ in range(count):
        started = time.perf_counter()
        status, _ = client.post("/v1/normalize", body)
        times.append(time.perf_counter() - started)
        assert status == 200
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server() as url:
        yield url


def test_light_requests_beside_heavy_ones_and_memory_after_distinct_patterns(server: str, benchmark: Any) -> None:
    light_latencies(server, 50)  # warm-up
    alone = light_latencies(server, LIGHT)

    stop = threading.Event()
    answers: Counter[str] = Counter()
    lock = threading.Lock()
    body = heavy_body()

    def heavy() -> None:
        client = Client(server)
        while not stop.is_set():
            status, headers = client.post("/v1/simulate", body)
            kind = f"{status}" + (" with Retry-After" if status == 503 and "retry-after" in headers else "")
            with lock:
                answers[kind] += 1
            if status == 503:
                time.sleep(float(headers.get("retry-after", "1")) / 4)

    threads = [threading.Thread(target=heavy, daemon=True) for _ in range(HEAVY)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    loaded = benchmark.pedantic(light_latencies, args=(server, LIGHT), rounds=1, iterations=1)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)

    client = Client(server)
    before = resident_bytes(server.pid)  # type: ignore[attr-defined]
    for n in range(PATTERNS):
        rule = {"name": "Long", "pattern": f"^{n}\\d{{99990}}$", "translation": "+1$0"}
        document = {"dial_plans": [{"identity": "Global", "rules": [rule]}]}
        status, _ = client.post("/v1/simulate", {"tenant": document, "cases": [{"dialed_number": "1", "usage_location": "US"}]})
        assert status == 200
    after = resident_bytes(server.pid)  # type: ignore[attr-defined]

    def ms(value: float) -> str:
        return f"{value * 1000:.1f} ms"

    report = (
        f"light p50 {ms(statistics.median(alone))} p99 {ms(percentile(alone, 0.99))} alone; "
        f"with {HEAVY} heavy in flight p50 {ms(statistics.median(loaded))} p99 {ms(percentile(loaded, 0.99))} "
        f"(target < 300 ms); heavy answers {dict(answers)}; "
        f"RSS {before / 2**20:.0f} MB before {PATTERNS} distinct 16 MB patterns, {after / 2**20:.0f} MB after "
        f"(+{(after - before) / 2**20:.0f} MB, target < 250)"
    )
    benchmark.extra_info.update(role="measure", report=report)
    assert set(answers) <= {"200", "503 with Retry-After"}, answers
    assert percentile(loaded, 0.99) < 0.3, report
    assert after - before < 250 * 2**20, report
