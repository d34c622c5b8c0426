"""The rule language front end: text -> checked, compiled rulebook (see rule-language.md).

``compile_rulebook({file name: text})`` parses, checks and compiles every file, or raises
``RulebookError`` with every diagnostic of every file; ``format_rulebook(text)`` prints the
canonical layout. Importing this package does not build the parser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from dsl.checker import Checked, check
from dsl.compiler import compile_checked
from dsl.cost import MAX_COST, ItemCost, item_costs
from dsl.diagnostics import Diagnostic, Reporter, RulebookError, Said, Span
from dsl.parser import parse_file
from dsl.runtime import CompiledRule, CompiledRulebook, CompiledScore, Env, Light
from dsl.values import Duration
from dsl.words import file_language, speak

if TYPE_CHECKING:  # imported when first used: `duban check` needs neither (about 40 ms)
    from dsl.analysis import AnalysisWarning


def __getattr__(name: str) -> Any:
    if name == "AnalysisWarning":
        from dsl.analysis import AnalysisWarning  # noqa: PLC0415

        return AnalysisWarning
    raise AttributeError(f"module 'dsl' has no attribute {name!r}")


def analyse(checked: Checked, sources: dict[str, str]) -> tuple[AnalysisWarning, ...]:
    """``dsl.analysis.analyse``, imported on first use."""
    from dsl.analysis import analyse as run  # noqa: PLC0415

    return run(checked, sources)


def format_text(text: str, lang: str | None) -> str:
    """``dsl.formatter.format_text``, imported on first use."""
    from dsl.formatter import format_text as run  # noqa: PLC0415

    return run(text, lang)

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


def compile_rulebook(sources: Mapping[str, str], *, probes: bool = False,
                     traces: bool = False, max_cost: int | None = MAX_COST,
                     analysis: bool = False) -> CompiledRulebook:
    """Parse, check and compile a rulebook given as ``{file name: text}``; ``probes`` adds
    the coverage probes of every rule (``CompiledRule.probes``), ``traces`` the steps that
    ``duban rules explain`` shows (``CompiledRule.steps``). A rule or score whose estimated
    cost per subject (``dsl.cost``) passes ``max_cost`` is refused, with the reason;
    ``analysis`` adds the static analysis warnings (``CompiledRulebook.warnings``)."""
    checked = _checked(sources)
    try:
        book = compile_checked(checked, probes=probes, traces=traces, max_cost=max_cost)
    except RulebookError as exc:  # a bound: said in the author's language too
        raise RulebookError(in_authors_spelling(exc.diagnostics, sources)) from None
    return replace(book, warnings=analyse(checked, dict(sources))) if analysis else book


def _bound_source(sources: Mapping[str, str], reporters: Mapping[str, Reporter]) -> None:
    total = 0
    for name, text in sources.items():
        total += len(text)
        if total > MAX_SOURCE:
            over = MAX_SOURCE - (total - len(text))  # offset in this file past the bound
            line = text.count("\n", 0, over) + 1
            reporters[name].error(Span(line, 1, line, 2),
                                  Said(f"规则库超过 {MAX_SOURCE} 个字符",
                                       f"the rulebook is longer than {MAX_SOURCE} characters"),
                                  Said("请拆分为较小的规则库", "split it into smaller rulebooks"))
            raise RulebookError(reporters[name].diagnostics)


@dataclass(frozen=True, slots=True)
class Inspection:
    """What the rule editor shows as the author types: every diagnostic (the rulebook is
    refused when there is one), each rule's estimated cost (when it checks, even if a cost
    passes the bound) and the static analysis warnings (when it compiles)."""

    diagnostics: tuple[Diagnostic, ...]
    costs: tuple[ItemCost, ...]
    warnings: tuple[AnalysisWarning, ...]


def inspect_rulebook(sources: Mapping[str, str], *,
                     max_cost: int | None = MAX_COST) -> Inspection:
    """Check, cost and analyse a rulebook in one pass (``check_rulebook``, ``dsl.cost``,
    ``analyse_rulebook``)."""
    try:
        checked = _checked(sources)
    except RulebookError as exc:
        return Inspection(exc.diagnostics, (), ())
    costs = item_costs(checked, max_cost)
    try:
        compile_checked(checked, max_cost=max_cost)
    except RulebookError as exc:
        return Inspection(tuple(in_authors_spelling(exc.diagnostics, sources)), costs, ())
    return Inspection((), costs, analyse(checked, dict(sources)))


def _checked(sources: Mapping[str, str]) -> Checked:
    reporters = {name: Reporter(name, text) for name, text in sources.items()}
    _bound_source(sources, reporters)
    files = [parse_file(name, text, reporters[name]) for name, text in sources.items()]
    checked = check(files, reporters)
    diagnostics = [d for r in reporters.values() for d in r.diagnostics]
    if diagnostics:
        raise RulebookError(in_authors_spelling(diagnostics, sources))
    return checked


def analyse_rulebook(sources: Mapping[str, str]) -> tuple[AnalysisWarning, ...]:
    """The static analysis warnings of a rulebook (``dsl.analysis``); none when it does not
    check (its errors come first)."""
    try:
        return analyse(_checked(sources), dict(sources))
    except RulebookError:
        return ()


def in_authors_spelling(diagnostics: Sequence[Diagnostic],
                        sources: Mapping[str, str]) -> list[Diagnostic]:
    """Diagnostics in the language of the spelling each file mostly uses (``lang``), the
    language's words in that spelling in both texts."""
    langs = {name: file_language(text) for name, text in sources.items()}
    out: list[Diagnostic] = []
    for d in diagnostics:
        lang = langs.get(d.file, "en")
        out.append(d if lang == "en" else replace(
            d, message=speak(d.message, lang),
            suggestion=None if d.suggestion is None else speak(d.suggestion, lang),
            message_zh=speak(d.message_zh, lang),
            suggestion_zh=None if d.suggestion_zh is None else speak(d.suggestion_zh, lang),
            lang=lang))
    return out


def format_rulebook(text: str, lang: str | None = None) -> str:
    """The canonical layout of a rule file (idempotent), its keywords in ``lang`` ("en" |
    "zh"; by default the spelling the file mostly uses); raises ``RulebookError`` if it
    does not parse."""
    try:
        return format_text(text, lang)
    except RulebookError as exc:
        raise RulebookError(in_authors_spelling(exc.diagnostics, {"<text>": text})) from None


__all__ = [
    "MAX_COST", "MAX_SOURCE", "AnalysisWarning", "CompiledRule", "CompiledRulebook", "CompiledScore", "Diagnostic", "Duration",
    "Env", "Inspection", "ItemCost", "Light", "RulebookError", "Said", "Span", "analyse_rulebook", "check_rulebook", "compile_rulebook",
    "format_rulebook", "inspect_rulebook",
]
