"""Running the service under uvicorn: `serve(settings, host=, port=)`, what `dialplan serve` does.

The tenant is loaded and the socket bound before anything is announced, so a
broken tenant file or a busy port is one clear error, and the printed URL of
the tester page is one a browser can open at once (port 0 picks a free port
and prints it).

>>> url_of("127.0.0.1", 8000)
'http://127.0.0.1:8000/'
>>> url_of("::1", 8000)
'http://[::1]:8000/'
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import uvicorn

from api import pool
from api.app import create_app
from api.isolation import warm
from api.settings import Settings
from normalizer import DialplanInputError


def url_of(host: str, port: int) -> str:
    """The URL of the tester page on `host:port`."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host:port`; a `DialplanInputError` when that fails."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as exc:
        raise DialplanInputError(f"cannot listen on {host}:{port}: {exc}", field="host") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        raise DialplanInputError(f"cannot listen on {host}:{port}: {reason}", field="port") from None
    sock.set_inheritable(True)
    return sock


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    access_log: bool = False,
    announce: Callable[[str], None] = print,
) -> None:
    """Load the tenant, listen, print the tester page's URL, serve until interrupted."""
    if not 0 <= port <= 65535:
        raise DialplanInputError(f"port must be 0 to 65535, not {port}", field="port")
    app = create_app(settings, bound_host=host)
    sock = bind(host, port)
    url = url_of(host, sock.getsockname()[1])
    tenant = app.state.dialplan.tenant
    announce(
        f"dialplan: serving tenant {tenant.name!r}; tester page: {url} (API docs: {url}docs)"
    )
    threading.Thread(target=warm, name="warm-isolation", daemon=True).start()
    threading.Thread(target=pool.warm, name="warm-pool", daemon=True).start()
    config = uvicorn.Config(app, access_log=access_log, log_level="info", lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
