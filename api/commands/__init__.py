"""Sub-commands of `duban`, one module per group; see ``api.cli``."""
