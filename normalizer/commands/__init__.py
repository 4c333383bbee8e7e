"""The `dialplan` subcommands: one module each, registered in `COMMANDS` order."""

from __future__ import annotations

from normalizer.commands import (
    calling_plans,
    catalog_commands,
    cdr,
    diff,
    effective,
    export,
    import_file,
    lint,
    normalize,
    serve,
    suite,
)

COMMANDS = (normalize, effective, lint, catalog_commands, suite, diff, import_file, export, serve, cdr, calling_plans)
