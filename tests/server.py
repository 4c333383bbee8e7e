"""Running the real service in a child process, for the browser test and the load benchmark."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

URL = re.compile(r"tester page: (http://\S+/)")


class ServerURL(str):
    """The tester page URL of a running server, and the server's process id (`pid`)."""

    pid: int


def resident_bytes(pid: int) -> int:
    """A process's resident memory and its descendants' (Linux: /proc): the server's
    worker processes (`api.pool`, `api.isolation`) count as the server."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry))
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            continue
        pending += children.get(current, [])
    return total


@contextmanager
def serving(
    command: Sequence[str],
    announced: re.Pattern[str],
    *,
    timeout: float = 60.0,
    env: Mapping[str, str] | None = None,
) -> Iterator[ServerURL]:
    """Run a service that prints its URL (group 1 of `announced`); yield the URL; stop it.

    `env`: variables added to this process's environment.
    """
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )
        lines: queue.Queue[str] = queue.Queue()

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                lines.put(line)
            lines.put("")

        threading.Thread(target=read, daemon=True).start()
        try:
            while True:
                try:
                    line = lines.get(timeout=timeout)
                except queue.Empty:
                    raise RuntimeError(f"the server did not announce itself in {timeout} s") from None
                found = announced.search(line)
                if found:
                    break
                if not line:
                    errors.seek(0)
                    raise RuntimeError(f"the server stopped: {errors.read()[-2000:]}")
            url = ServerURL(found.group(1))
            url.pid = process.pid
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def running_server(
    args: Sequence[str] = (), *, timeout: float = 60.0, env: Mapping[str, str] | None = None
) -> Iterator[ServerURL]:
    """Start `dialplan serve --port 0 ARGS` on loopback; yield the tester page URL; stop it.

    `env`: variables (`DIALPLAN_*` settings) added to this process's environment.
    """
    command = [
        sys.executable,
        "-c",
        "from normalizer.cli import entry_point; entry_point()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        *args,
    ]
    with serving(command, URL, timeout=timeout, env=env) as url:
        yield url
