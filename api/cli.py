"""The `duban` command line.

Each group of commands lives in its own module under ``api/commands`` and registers its
sub-commands with ``register(subparsers)``; this module only builds the parser and
dispatches. A handler returns the exit status: 0 ran, 1 input refused, 2 usage,
3 findings at or above ``--fail-on``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: The modules that contribute commands, in the order `duban --help` lists them.
COMMAND_MODULES = (
    "api.commands.check",  # duban check, duban rules lint|test|fmt
    "api.commands.server",  # duban serve, db, users, audit, import, export
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duban", description="督办 key-project supervision and milestone tracker"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return int(handler(args))


if __name__ == "__main__":
    sys.exit(main())
