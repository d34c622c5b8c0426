"""The rule language front end: text -> checked, compiled rulebook (see rule-language.md).

``compile_rulebook({file name: text})`` parses, checks and compiles every file, or raises
``RulebookError`` with every diagnostic of every file; ``format_rulebook(text)`` prints the
canonical layout. Importing this package does not build the parser.
"""

from __future__ import annotations

from collections.abc import Mapping

from dsl.checker import check
from dsl.compiler import compile_checked
from dsl.diagnostics import Diagnostic, Reporter, RulebookError, Span
from dsl.formatter import format_text
from dsl.parser import parse_file
from dsl.runtime import CompiledRule, CompiledRulebook, CompiledScore, Env, Light
from dsl.values import Duration

#: The longest rulebook accepted, in characters over all its files (the standard one is
#: about 7,000): the editor checks on every keystroke, so a check must stay cheap.
MAX_SOURCE = 500_000


def check_rulebook(sources: Mapping[str, str]) -> tuple[Diagnostic, ...]:
    """Every diagnostic of the rulebook (empty when it compiles)."""
    try:
        compile_rulebook(sources)
    except RulebookError as exc:
        return exc.diagnostics
    return ()


def compile_rulebook(sources: Mapping[str, str]) -> CompiledRulebook:
    """Parse, check and compile a rulebook given as ``{file name: text}``."""
    reporters = {name: Reporter(name, text) for name, text in sources.items()}
    total = 0
    for name, text in sources.items():
        total += len(text)
        if total > MAX_SOURCE:
            over = MAX_SOURCE - (total - len(text))  # offset in this file past the bound
            line = text.count("\n", 0, over) + 1
            reporters[name].error(Span(line, 1, line, 2),
                                  f"the rulebook is longer than {MAX_SOURCE} characters",
                                  "split it into smaller rulebooks")
            raise RulebookError(reporters[name].diagnostics)
    files = [parse_file(name, text, reporters[name]) for name, text in sources.items()]
    checked = check(files, reporters)
    diagnostics = [d for r in reporters.values() for d in r.diagnostics]
    if diagnostics:
        raise RulebookError(diagnostics)
    return compile_checked(checked)


def format_rulebook(text: str) -> str:
    """The canonical layout of a rule file (idempotent); raises ``RulebookError`` if it
    does not parse."""
    return format_text(text)


__all__ = [
    "MAX_SOURCE", "CompiledRule", "CompiledRulebook", "CompiledScore", "Diagnostic", "Duration",
    "Env", "Light", "RulebookError", "Span", "check_rulebook", "compile_rulebook",
    "format_rulebook",
]
