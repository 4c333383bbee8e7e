"""The smallest FastAPI service with a validated JSON body: the API benchmark's baseline.

It takes the body `POST /v1/normalize` takes (the same strict pydantic model
shape) and answers a small JSON object, under uvicorn configured as `dialplan
serve` configures it. It prints its URL and serves until stopped.

    python -m bench.minimal_api
"""

from __future__ import annotations

import socket

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    dialed_number: str = Field(min_length=1)
    user: str | None = None
    usage_location: str | None = None
    dial_plan: str | None = None
    tenant_scope_only: bool = False
    trace: bool = False


def create_app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/normalize")
    async def normalize(case: Case) -> dict[str, str | None]:
        return {"dialed_number": case.dialed_number, "user": case.user}

    return app


def main() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    print(f"minimal service: http://127.0.0.1:{sock.getsockname()[1]}/", flush=True)
    config = uvicorn.Config(create_app(), access_log=False, log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
