"""The `dialplan` subcommands: one module each, registered in `COMMANDS` order."""

from __future__ import annotations

from normalizer.commands import catalog_commands, effective, normalize

COMMANDS = (normalize, effective, catalog_commands)
