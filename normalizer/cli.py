"""The `dialplan` command line: `main(argv) -> int`.

User mistakes print one line to stderr and exit 2; checks that find problems
(lint errors, failing test cases) exit 1.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from normalizer.commands import COMMANDS
from normalizer.errors import DialplanError


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is, as Ctrl-C's KeyboardInterrupt is.

    So `kill`, `timeout` and a closed terminal stop a run the way Ctrl-C does:
    temporary files removed, helper processes stopped, exit code 128 + the signal.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


def handle_stop_signals() -> None:
    """SIGTERM and SIGHUP raise `Stopped`, unless they are ignored (`nohup`) or handled already.

    A forked child (a `cdr` helper, a `lint` analysis) gets the default action
    back, so that `terminate()` ends it at once. The signals are blocked around
    the fork: one that reaches the child before it has reset its handlers
    would otherwise be lost (Python clears signals caught in that window).
    """
    handled = []
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, _stop)
            handled.append(signal.Signals(number))
    if not handled or not hasattr(os, "register_at_fork") or not hasattr(signal, "pthread_sigmask"):
        return

    def block() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, handled)

    def unblock() -> None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, handled)

    def reset_in_child() -> None:
        for number in handled:
            signal.signal(number, signal.SIG_DFL)
        unblock()  # a signal that came meanwhile takes its default action now

    os.register_at_fork(before=block, after_in_parent=unblock, after_in_child=reset_in_child)


class _Version(argparse.Action):
    """`--version`: the installed package's version, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("dialplan")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "unknown (not installed)"
        print(f"dialplan {number}")
        parser.exit()


class _Inert:
    """Takes a subcommand's option definitions and keeps none of them."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self


class _OnlyOne:
    """Subparsers that configure one subcommand fully and list the others by name and help.

    Building every subcommand's options costs more than running `normalize`
    itself; a run needs only its own command's, and `--help` only the list.
    """

    def __init__(self, subparsers: Any, command: str) -> None:
        self.subparsers = subparsers
        self.command = command

    def add_parser(self, name: str, **options: Any) -> Any:
        if name == self.command:
            return self.subparsers.add_parser(name, **options)
        self.subparsers.add_parser(name, help=options.get("help"), add_help=False)
        return _Inert()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every subcommand's options, or only `command`'s (the others listed)."""
    parser = argparse.ArgumentParser(
        prog="dialplan",
        description="Teams dial plan normalization engine and simulator.",
    )
    parser.add_argument("--version", action=_Version)
    subparsers: Any = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    if command is not None:
        subparsers = _OnlyOne(subparsers, command)
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def _command_of(argv: Sequence[str]) -> str:
    """The subcommand an argument list names: its first word that is not an option."""
    return next((word for word in argv if not word.startswith("-")), "")


# Fields the core names that a command takes under another option name.
_OPTION_ALIASES = {"usage_location": ("location", "usage_location"), "dialed_number": ("dialed_number", "items")}


def _option_named(parser: argparse.ArgumentParser, command: str, field: str) -> str | None:
    """The option (`--port`) or argument (`DIALED`) of `command` that sets `field`, if any."""
    commands = next(
        (action.choices for action in parser._actions if isinstance(action, argparse._SubParsersAction)),
        None,
    )
    subparser = commands.get(command) if commands else None
    if subparser is None:
        return None
    for dest in _OPTION_ALIASES.get(field, (field,)):
        for action in subparser._actions:
            if action.dest != dest:
                continue
            if action.option_strings:
                return str(max(action.option_strings, key=len))
            return str(action.metavar or action.dest)
    return None


def error_line(exc: DialplanError, parser: argparse.ArgumentParser, command: str) -> str:
    """The one line a user mistake prints; a value given on the command line is named
    by its option (`argument --port: ...`), not by the field the core calls it."""
    if exc.field and exc.file is None and exc.plan is None and exc.rule is None:
        option = _option_named(parser, command, exc.field)
        if option is not None:
            return f"dialplan: error: argument {option}: {exc.detail}"
    return f"dialplan: error: {exc.message}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `dialplan` command; return its exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    command = _command_of(words)
    parser = build_parser(command)
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return int(args.run(args))
    except DialplanError as exc:
        print(error_line(exc, parser, command), file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Stopped as exc:
        print(f"dialplan: stopped by {signal.Signals(exc.signum).name}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        # Ctrl-C on a long run (cdr, lint, diff) is the user's choice, not a crash.
        print("dialplan: interrupted", file=sys.stderr)
        return 130


def _is_alone() -> bool:
    """True when no child process and no thread but daemons still runs."""
    # A process that never imported multiprocessing started no child through it.
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is not None and multiprocessing.active_children():
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
    # numpy's OpenBLAS starts a thread per core that spins at import, 40 ms of
    # CPU a run (a fifth of a one-row `cdr`); no command does linear algebra.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    handle_stop_signals()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a closed pipe (`| head`) or stream
            pass
    if not _is_alone():
        sys.exit(code)
    os._exit(code)
