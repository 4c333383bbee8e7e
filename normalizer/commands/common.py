"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from normalizer.errors import DialplanInputError
from normalizer.models import Scope

if TYPE_CHECKING:
    from normalizer.simulation import Simulator

# Each command imports what it uses when it runs: `dialplan --help` and
# `dialplan normalize` stay fast (tests/test_startup.py keeps them so).

_COMMENT = re.compile(r"(?:^|\s)#")

REGEX_TIMEOUT = 1.0
"""The work budget of one pattern on one dial string in `dialplan normalize`
(`normalizer.dotnet.budget`): a pattern no engine is proven to finish within it is
an error naming its rule, not a command that never ends."""


def rule_limit(text: str) -> int:
    """`--max-rules N`: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_tenant_option(parser: argparse.ArgumentParser) -> None:
    """`--tenant FILE` (default: the built-in Contoso example) and `--max-rules N`."""
    parser.add_argument(
        "--tenant",
        metavar="FILE",
        help="tenant file: .toml, a .ps1 dial plan script or Teams .json; default: the built-in Contoso example tenant",
    )
    parser.add_argument(
        "--max-rules",
        metavar="N",
        type=rule_limit,
        help="rules allowed per tenant dial plan (default: the file's [tenant] max_rules, or 25)",
    )


DIAL_STRINGS_FILE = "one a line (a # at the start of a line or after a space starts a comment)"
"""How a file of dial strings (`read_dial_strings`) is written, for option help."""


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """`--user UPN | --location REGION [--dial-plan IDENTITY]`."""
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--user", metavar="UPN", help="a user of the tenant")
    target.add_argument("--location", metavar="REGION", help="a usage location (ISO 3166 alpha-2)")
    parser.add_argument(
        "--dial-plan",
        metavar="IDENTITY",
        help="with --location: the tenant dial plan to use (default: Global, if any)",
    )


def check_target(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Reject `--dial-plan` without `--location`."""
    if args.dial_plan and not args.location:
        raise DialplanInputError("--dial-plan needs --location", field="dial_plan")


def simulator_for(args: argparse.Namespace) -> Simulator:
    """The simulator of the tenant named by `--tenant`, checked on load (`--max-rules`)."""
    from normalizer.formats import load_tenant
    from normalizer.simulation import Simulator

    return Simulator(load_tenant(args.tenant, max_rules=args.max_rules))


class Target(TypedDict):
    """Whose effective plan: a user, or a usage location and optional tenant plan."""

    user: str | None
    usage_location: str | None
    dial_plan: str | None


def target_of(args: argparse.Namespace) -> Target:
    """The user / usage location / plan keyword arguments of the options."""
    if args.user:
        return Target(user=args.user, usage_location=None, dial_plan=None)
    return Target(user=None, usage_location=args.location, dial_plan=args.dial_plan)


def scope_label(scope: Scope) -> str:
    """How a scope reads in a sentence."""
    return {
        Scope.SERVICE: "service plan",
        Scope.TENANT_GLOBAL: "tenant-global plan",
        Scope.TENANT_USER: "tenant plan",
    }[scope]


def read_dial_strings(path: str) -> list[str]:
    """Dial strings of a file, one a line; blank lines and `#` comments skipped.

    A comment starts a line or follows a space: a `#` inside a dial string
    (`*31#7123`, a feature code) is part of it.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DialplanInputError(f"cannot read: {exc.strerror}", file=path) from None
    except UnicodeDecodeError as exc:
        raise DialplanInputError(f"not valid UTF-8: {exc.reason}", file=path) from None
    lines = (_COMMENT.split(line, 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def print_json(data: Any) -> None:
    """Print one JSON document."""
    import json

    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def write_output(text: str, output: str | None, *, byte_order_mark: bool = False) -> None:
    """Write `text` to the file `output`, or to standard output when it is None."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8-sig" if byte_order_mark else "utf-8", newline="\n")
    except OSError as exc:
        raise DialplanInputError(f"cannot write: {exc.strerror}", file=output) from None
