"""The `duban` command line.

Each group of commands lives in its own module under ``api/commands`` and registers its
sub-commands with ``register(subparsers)``; this module only builds the parser and
dispatches. A handler returns the exit status: 0 ran, 1 input refused, 2 usage,
3 findings at or above ``--fail-on``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

from api.commands.lang import LANGS, argparse_zh, choose, say, split, use, warning_text

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
        prog="duban", description=say("督办：重点项目督办与节点跟踪", "duban: key-project supervision and milestone tracker")
    )
    parser.add_argument("--lang", choices=LANGS, help=say(
        "输出语言：zh（中文，默认）或 en（英文）；也可用 DUBAN_LANG 或 LANG 指定",
        "the language spoken: zh (Chinese, the default) or en; DUBAN_LANG or LANG also choose"))
    subparsers = parser.add_subparsers(dest="command", metavar=say("命令", "COMMAND"))
    owners = [name for name, commands in COMMAND_MODULES.items() if command in commands]
    for name in owners or COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,  # noqa: PLR0917 (warnings.showwarning's signature)
                  file: TextIO | None = None, line: str | None = None) -> None:
    """A warning as one line a user can read (``警告：...``), not a source location and a
    line of code: they are meant for people running the command, not for its developers."""
    print(warning_text(message), file=file or sys.stderr, flush=True)


#: Commands that read their files, print and end: run as the process itself (``duban check``,
#: ``argv`` not given), they run without the cyclic collector and end the process without
#: tearing down its heap (``_end``).
ONE_SHOT = frozenset({"check"})


def _end(status: int) -> None:
    """End the process with ``status`` once stdout and stderr are flushed, skipping the
    interpreter's teardown: freeing a large portfolio's objects one by one took longer than a
    small check itself (0.3 s of 1.8 s over 40,000 milestones), and a one-shot command holds
    nothing else that needs closing (no files open for writing, no database, no atexit work)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader that stopped early (``| head``)
            status = status or 1
    os._exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    entry = argv is None  # the process itself, not a caller in the same process
    warnings.showwarning = _show_warning
    # a year without holiday data is said once per process, however many calendars meet it
    warnings.filterwarnings("once", message=r"the \w+ calendar has no statutory holiday data")
    argv = sys.argv[1:] if argv is None else list(argv)
    use(choose(argv))
    argparse._ = argparse_zh  # type: ignore[attr-defined]  # argparse's own words, in the language spoken
    command = split(argv)[1]
    parser = build_parser(command)
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    if entry and command in ONE_SHOT:
        gc.disable()  # the run allocates and keeps; no cycle becomes garbage before the end
        _end(int(handler(args)))
    return int(handler(args))


if __name__ == "__main__":
    sys.exit(main())
