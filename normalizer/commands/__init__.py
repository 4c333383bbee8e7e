"""The `dialplan` subcommands: one module each, registered in `COMMANDS` order."""

from __future__ import annotations

from normalizer.commands import catalog_commands, diff, effective, normalize, suite

COMMANDS = (normalize, effective, catalog_commands, suite, diff)
