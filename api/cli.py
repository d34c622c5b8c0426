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
import warnings
from collections.abc import Sequence
from typing import TextIO

#: The modules that contribute commands, in the order `duban --help` lists them.
COMMAND_MODULES = (
    "api.commands.check",  # duban check, duban rules lint|test|fmt
    "api.commands.server",  # duban serve, db, users, audit, import, export
    "api.commands.schedule",  # duban schedule
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duban", description="督办 key-project supervision and milestone tracker"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,  # noqa: PLR0917 (warnings.showwarning's signature)
                  file: TextIO | None = None, line: str | None = None) -> None:
    """A warning as one line a user can read (``warning: ...``), not a source location and a
    line of code: they are meant for people running the command, not for its developers."""
    print(f"warning: {message}", file=file or sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    warnings.showwarning = _show_warning
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return int(handler(args))


if __name__ == "__main__":
    sys.exit(main())
