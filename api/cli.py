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

#: The modules that contribute commands, in the order `duban --help` lists them, each with
#: the commands it registers (so that ``duban check`` imports neither the server nor the
#: database layer: building the server's sub-parsers imports both, about half a second).
COMMAND_MODULES = {
    "api.commands.check": ("check", "rules"),
    "api.commands.server": ("serve", "db", "users", "audit", "import", "export"),
    "api.commands.schedule": ("schedule",),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command``, only the module that registers that command contributes
    (every module when no module claims it, so that usage errors still list every command)."""
    parser = argparse.ArgumentParser(
        prog="duban", description="督办 key-project supervision and milestone tracker"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    owners = [name for name, commands in COMMAND_MODULES.items() if command in commands]
    for name in owners or COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,  # noqa: PLR0917 (warnings.showwarning's signature)
                  file: TextIO | None = None, line: str | None = None) -> None:
    """A warning as one line a user can read (``warning: ...``), not a source location and a
    line of code: they are meant for people running the command, not for its developers."""
    print(f"warning: {message}", file=file or sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    warnings.showwarning = _show_warning
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return int(handler(args))


if __name__ == "__main__":
    sys.exit(main())
