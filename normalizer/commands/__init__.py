"""The `dialplan` subcommands: one module each, registered in `COMMANDS` order."""

from __future__ import annotations

from normalizer.commands import catalog_commands, effective, lint, normalize

COMMANDS = (normalize, effective, lint, catalog_commands)
