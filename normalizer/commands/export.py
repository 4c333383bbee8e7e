"""`dialplan export --format powershell|toml|json`: a tenant in any format."""

from __future__ import annotations

import argparse
from pathlib import Path

from normalizer.commands.common import add_tenant_option, write_output
from normalizer.errors import DialplanInputError
from normalizer.formats import TenantFormat


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "export", help="write a tenant as a PowerShell script, a TOML tenant file or Teams JSON"
    )
    add_tenant_option(parser)
    parser.add_argument(
        "--format",
        choices=[str(fmt) for fmt in TenantFormat],
        help="the format to write (default: the one -o's extension names)",
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT", help="the file to write (default: standard output)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from normalizer.formats import dump_tenant, load_tenant

    fmt = TenantFormat(args.format) if args.format else None
    named = TenantFormat.of_path(args.output) if args.output else None
    if fmt is not None and named is not None and named is not fmt:
        raise DialplanInputError(
            f"the file name is for {named}, not --format {fmt}", file=args.output
        )
    if args.output and args.tenant and Path(args.output).resolve() == Path(args.tenant).resolve():
        raise DialplanInputError("the output would overwrite the input", file=args.output)
    if fmt is None:
        fmt = named
    if fmt is None:
        raise DialplanInputError(
            "give --format powershell, toml or json (or -o with a .ps1, .toml or .json name)"
        )
    text = dump_tenant(load_tenant(args.tenant, max_rules=args.max_rules), fmt)
    # Windows PowerShell 5.1 reads a script without a byte order mark as ANSI:
    # the mark keeps descriptions such as "Président" intact there.
    write_output(text, args.output, byte_order_mark=fmt is TenantFormat.POWERSHELL)
    return 0
