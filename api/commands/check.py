"""`duban check` and `duban rules ...`: run rulebooks over portfolio files, no server."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Placeholder until the rule engine lands; registers nothing yet."""
