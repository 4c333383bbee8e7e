"""Load on the real service: `POST /v1/normalize` against `GET /health`, over loopback.

`dialplan serve` runs in a child process (uvicorn, one worker); this process is
the client: an asyncio loop of keep-alive HTTP/1.1 connections, each sending its
next request as soon as the last answer is in (a closed loop), so latency is
what one request waits with `CONCURRENCY` in flight. Each run is bounded in
count and time and stops by itself. Target on the 2-core machine, client and
server sharing it: >= 1,500 requests/s with p99 < 20 ms for `POST /v1/normalize`.

The client speaks HTTP/1.1 on raw asyncio streams rather than through an HTTP
library: a library's per-request cost on the shared cores would be measured as
the server's.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from tests.server import running_server

REQUESTS = 20_000
WARMUP = 1_000
MAX_SECONDS = 60.0
CONCURRENCY = 8

USERS = [
    "marcel.beauchamp@contoso.com",
    "rachelle.cormier@contoso.com",
    "emily.braun@contoso.com",
    "lidia.holloway@contoso.com",
]


def dial_strings(count: int, seed: int = 7) -> list[str]:
    """Dial strings of every kind a user types: extensions, national, international, short."""
    rng = random.Random(seed)
    kinds = [
        lambda: f"7{rng.randint(0, 999):03d}",
        lambda: f"0{rng.choice('1234567')}{rng.randint(0, 99_999_999):08d}",
        lambda: f"0800{rng.randint(0, 999_999):06d}",
        lambda: f"00{rng.choice(['1', '44', '49', '33', '61'])}{rng.randint(10**8, 10**10)}",
        lambda: f"+{rng.choice(['1', '44', '49', '33'])}{rng.randint(10**8, 10**10)}",
        lambda: rng.choice(["3949", "112", "15", "999", "118218"]),
    ]
    return [rng.choice(kinds)() for _ in range(count)]


def normalize_bodies(count: int) -> list[bytes]:
    rng = random.Random(11)
    bodies = []
    for dialed in dial_strings(count):
        if rng.random() < 0.75:
            case: dict[str, str] = {"dialed_number": dialed, "user": rng.choice(USERS)}
        else:
            case = {"dialed_number": dialed, "usage_location": rng.choice(["FR", "GB", "US", "DE"])}
        bodies.append(json.dumps(case).encode())
    return bodies


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    latencies: list[float]
    failures: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def report(self) -> str:
        return (
            f"{self.requests} requests in {self.seconds:.2f} s: {self.per_second:,.0f} requests/s, "
            f"p50 {self.percentile(0.50) * 1000:.2f} ms, p99 {self.percentile(0.99) * 1000:.2f} ms, "
            f"max {max(self.latencies) * 1000:.2f} ms, {self.failures} failures"
        )


def request_bytes(method: str, host: str, path: str, body: bytes | None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + (body or b"")


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response with a Content-Length; return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def load(url: str, method: str, path: str, bodies: list[bytes | None], count: int) -> Load:
    """`count` requests (bodies taken in turn) over `CONCURRENCY` keep-alive connections."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    payloads = [request_bytes(method, f"{host}:{port}", path, body) for body in bodies]
    latencies: list[float] = []
    failures = 0
    next_index = 0
    deadline = time.perf_counter() + MAX_SECONDS

    def take() -> Iterator[int]:
        nonlocal next_index
        while next_index < count and time.perf_counter() < deadline:
            next_index += 1
            yield next_index - 1

    async def worker() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for index in take():
                started = time.perf_counter()
                writer.write(payloads[index % len(payloads)])
                status = await read_response(reader)
                latencies.append(time.perf_counter() - started)
                failures += status != 200
        finally:
            writer.close()
            await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return Load(len(latencies), time.perf_counter() - started, latencies, failures)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with running_server() as url:
        bodies: list[bytes | None] = list(normalize_bodies(WARMUP))
        asyncio.run(load(url, "POST", "/v1/normalize", bodies, WARMUP))
        yield url


def run_load(url: str, method: str, path: str, bodies: list[bytes | None]) -> Load:
    return asyncio.run(load(url, method, path, bodies, REQUESTS))


def record(benchmark, result: Load, role: str) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info.update(
        role=role,
        items=result.requests,
        requests_per_second=round(result.per_second),
        p50_ms=round(result.percentile(0.50) * 1000, 2),
        p99_ms=round(result.percentile(0.99) * 1000, 2),
        report=result.report(),
    )
    assert result.failures == 0, result.report()


@pytest.mark.benchmark(group="api-load")
def test_health_load(benchmark, server_url: str) -> None:  # type: ignore[no-untyped-def]
    result = benchmark.pedantic(
        run_load, args=(server_url, "GET", "/health", [None]), rounds=1, iterations=1
    )
    record(benchmark, result, "baseline")


@pytest.mark.benchmark(group="api-load")
def test_normalize_load(benchmark, server_url: str) -> None:  # type: ignore[no-untyped-def]
    bodies: list[bytes | None] = list(normalize_bodies(5_000))
    result = benchmark.pedantic(
        run_load, args=(server_url, "POST", "/v1/normalize", bodies), rounds=1, iterations=1
    )
    record(benchmark, result, "candidate")
