"""`dialplan serve`: run the web service and its tester page under uvicorn.

The core never imports the web layer when it is imported: this module imports
`api` inside `run` only, so `import normalizer` (and every other command) works
without FastAPI, and the import direction stays `api` -> `normalizer`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from normalizer.commands.common import add_tenant_option
from normalizer.errors import DialplanInputError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "serve", help="run the web service and the tester page (default http://127.0.0.1:8000/)"
    )
    add_tenant_option(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default 8000; 0 picks a free one)"
    )
    parser.add_argument(
        "--access-log", action="store_true", help="log every request (off by default)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        # The one lazy import of the web layer from the core (see the module docstring).
        from api import Settings, serve
    except ImportError as exc:
        raise DialplanInputError(f"the web service cannot start: {exc}") from None

    def announce(line: str) -> None:
        print(line, flush=True)

    try:
        tenant = Path(args.tenant) if args.tenant else None
        serve(
            Settings.from_env(tenant=tenant, max_rules=args.max_rules),
            host=args.host,
            port=args.port,
            access_log=args.access_log,
            announce=announce,
        )
    except KeyboardInterrupt:
        print(file=sys.stderr)
    return 0
