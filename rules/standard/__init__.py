"""The standard rulebook: ``rules/standard/*.rules`` with their ``*.test.yaml`` cases.

Owns ``STANDARD_DIR``, ``standard_sources()`` (file name -> text, in name order) and
``load_standard()`` (compiled once per process).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from dsl import CompiledRulebook, compile_rulebook

STANDARD_DIR = Path(__file__).parent


def standard_sources() -> dict[str, str]:
    """Every standard rule file, keyed by its bare name (``overdue.rules``): the one key a
    rulebook file has, on the command line, in the seeded database and in the rule editor
    (which refuses folders in names). Rulebooks saved with ``standard/NAME.rules`` keys were
    renamed by the rules migration ``m0002_rulebook_file_names``."""
    return {path.name: path.read_text(encoding="utf-8")
            for path in sorted(STANDARD_DIR.glob("*.rules"))}


@cache
def load_standard() -> CompiledRulebook:
    """The standard rulebook, compiled."""
    return compile_rulebook(standard_sources())
