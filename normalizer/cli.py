"""The `dialplan` command line: `main(argv) -> int`.

User mistakes print one line to stderr and exit 2; checks that find problems
(lint errors, failing test cases) exit 1.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import threading
from collections.abc import Sequence

from normalizer.commands import COMMANDS
from normalizer.errors import DialplanError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="dialplan",
        description="Teams dial plan normalization engine and simulator.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `dialplan` command; return its exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return int(args.run(args))
    except DialplanError as exc:
        print(f"dialplan: error: {exc.message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        # Ctrl-C on a long run (cdr, lint, diff) is the user's choice, not a crash.
        print("dialplan: interrupted", file=sys.stderr)
        return 130


def _is_alone() -> bool:
    """True when no child process and no thread but daemons still runs."""
    if multiprocessing.active_children():
        return False
    main_thread = threading.main_thread()
    return all(thread is main_thread or thread.daemon for thread in threading.enumerate())


def entry_point() -> None:
    """The console script.

    Every file is written and closed when `main` returns; the process then ends
    at once instead of freeing its heap object by object (a quarter of a
    second after a million-row `cdr` run). Where work of its own still runs (a
    child process, a thread: the web service stopped during an isolated lint
    request), it ends as usual, so the child is stopped rather than left behind.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a closed pipe (`| head`) or stream
            pass
    if not _is_alone():
        sys.exit(code)
    os._exit(code)
