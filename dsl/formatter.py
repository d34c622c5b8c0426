"""The formatter: a rule file in canonical layout, comments kept.

Layout of the spec's examples: an item header at column 0, one clause per line indented four
spaces, one blank line between items, single spaces, minimal parentheses. A comment on a line
of its own stays before the clause or item that follows it; a comment at the end of a line
stays at the end of the clause that line belongs to. The result parses to the same items and
formatting it again changes nothing. Either spelling (``lang``) round-trips: a file formatted
in Chinese and back is the file formatted in English.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dsl import syntax as s
from dsl.diagnostics import Reporter, RulebookError
from dsl.parser import _SCAN, parse_file
from dsl.printer import expr_text, message_text
from dsl.words import file_language, keyword, word

INDENT = "    "


@dataclass
class _Unit:
    line: int  # the source line the printed line starts at
    text: str
    indent: str
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)


def _comments(text: str) -> list[tuple[int, str, bool]]:
    """(line, comment, on a line of its own) for every comment of the file."""
    found: list[tuple[int, str, bool]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _SCAN.finditer(line):
            if match.group().startswith("#"):
                own = not line[: match.start()].strip()
                found.append((number, match.group().rstrip(), own))
                break
    return found


def _item_units(item: s.Item, lang: str) -> list[_Unit]:
    def kw(word_: str) -> str:
        return keyword(word_, lang)

    scope = {} if isinstance(item, s.Const) else {item.var: item.subject}

    def ex(e: s.Expr) -> str:
        return expr_text(e, lang=lang, scope=scope)

    if isinstance(item, s.Const):
        return [_Unit(item.span.line, f"{kw('const')} {item.name} = {ex(item.expr)}", "")]
    title = f" {item.title.raw}" if item.title is not None else ""
    subject = word(item.subject, lang)
    if isinstance(item, s.Score):
        return [
            _Unit(item.span.line,
                  f"{kw('score')} {item.name}{title} {kw('for')} {subject} {item.var}:", ""),
            _Unit(item.expr.span.line, INDENT + ex(item.expr), INDENT),
        ]
    where = f" {kw('where')} {ex(item.where)}" if item.where is not None else ""
    units = [
        _Unit(item.span.line, f"{kw('rule')} {item.name}{title}:", ""),
        _Unit(item.for_span.line, f"{INDENT}{kw('for')} {subject} {item.var}{where}", INDENT),
    ]
    units += [
        _Unit(light.span.line, f"{INDENT}{kw('light')} {word(light.level, lang)} "
              f"{kw('when')} {ex(light.condition)}", INDENT)
        for light in item.lights
    ]
    if item.notify is not None:
        targets = ", ".join(ex(target) for target in item.notify.targets)
        units.append(_Unit(item.notify.span.line,
                           f"{INDENT}{kw('notify')} {targets} {kw('within')} "
                           f"{ex(item.notify.within)}", INDENT))
    if item.message is not None:
        units.append(_Unit(item.message.span.line,
                           f"{INDENT}{kw('message')} {message_text(item.message, lang, scope)}", INDENT))
    return units


def format_text(text: str, lang: str | None = None) -> str:
    """Canonical layout of one rule file; raises ``RulebookError`` if it does not parse.

    ``lang`` ("en" | "zh") chooses the spelling of keywords and words; by default the one
    the file mostly uses."""
    lang = lang or file_language(text)
    reporter = Reporter("<text>", text)
    parsed = parse_file("<text>", text, reporter)
    if reporter.diagnostics:
        raise RulebookError(reporter.diagnostics)
    items = [_item_units(item, lang) for item in parsed.items]
    units = [u for group in items for u in group]
    trailing: list[str] = []
    for line, comment, own in _comments(text):
        if own:
            target = next((u for u in units if u.line > line), None)
            if target is None:
                trailing.append(comment)
            else:
                target.before.append(target.indent + comment)
        else:
            owner = [u for u in units if u.line <= line]
            if owner:
                owner[-1].after.append(comment)
            else:
                units[0].before.append(comment)
    out: list[str] = []
    for index, group in enumerate(items):
        if index:
            out.append("")
        for u in group:
            out += u.before
            out.append(u.text + "".join(f"  {c}" for c in u.after))
    if trailing:
        if out:
            out.append("")
        out += trailing
    return "\n".join(out) + "\n" if out else ""
