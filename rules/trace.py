"""Traces (issue 18, item 5): every sub-expression of one rule with its value for one subject,
in the author's spelling, and the light the engine gave that subject.

Pure: ``trace(rulebook, rule, subject, portfolio, as_of, lang)`` takes a rulebook compiled with
``traces=True`` and returns the text ``duban rules explain`` prints, or raises ``TraceError``
naming what is unknown and what would be right. Each value is computed by the compiled code
of that sub-expression on the same views and env as ``rules.engine.evaluate``; a side that
the engine skips by short-circuit is shown all the same (its value does not change the
outcome).
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

from dsl import CompiledRulebook
from dsl.runtime import fmt_date, fmt_number, fmt_ratio, fmt_value
from dsl.words import keyword, word
from projects.calendar import calendar_for
from projects.graph import Adjacency
from projects.model import Portfolio
from projects.replay import known_on
from projects.schedule import compute_schedule
from rules.engine import RuleEnv, evaluate, subject_id
from rules.errors import TraceError
from rules.views import build_views, subjects_of


def _value(value: object, typ: str, lang: str) -> str:
    if value is None:
        return "空" if lang == "zh" else "missing"
    if isinstance(value, bool):
        return keyword("true" if value else "false", lang)
    if typ == "ratio":
        return fmt_ratio(value)  # type: ignore[arg-type]
    if typ == "number":
        return fmt_number(value)  # type: ignore[arg-type]
    if typ == "date":
        return fmt_date(value)  # type: ignore[arg-type]
    if typ.startswith("collection"):
        return f"{len(value)} 个" if lang == "zh" else f"{len(value)} items"  # type: ignore[arg-type]
    return fmt_value(value)


def _part(part: str, lang: str) -> str:
    if part.startswith("light "):
        return f"{keyword('light', lang)} {word(part[6:], lang)}"
    return keyword(part, lang)


def _near(wanted: str, names: list[str]) -> str:
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.5)
    return f"; did you mean `{close[0]}`?" if close else ""


def trace(rulebook: CompiledRulebook, rule_name: str, subject: str, portfolio: Portfolio,
          as_of: dt.date, *, lang: str = "en") -> str:
    """The trace of ``rule_name`` for ``subject`` (``milestone:P001/tender`` or just
    ``P001/tender``) on the portfolio as known on ``as_of``."""
    rule = next((r for r in rulebook.rules if r.name == rule_name), None)
    if rule is None:
        names = [r.name for r in rulebook.rules]
        raise TraceError(f"no rule `{rule_name}` in this rulebook{_near(rule_name, names)}")
    known, dues = known_on(portfolio, as_of)
    calendar = calendar_for(known)
    views = build_views(known, compute_schedule(known, calendar, as_of), as_of, calendar, dues)
    env = RuleEnv(as_of, calendar, Adjacency.of(known), views)
    found: Any = None
    ids: list[str] = []
    for x in subjects_of(views, rule.subject):
        sid = subject_id(x)
        ids.append(sid)
        if subject in (sid, sid.split(":", 1)[1]):
            found = x
            break
    if found is None:
        full = subject if ":" in subject else f"{rule.subject}:{subject}"
        raise TraceError(f"no {rule.subject} `{subject}` on {as_of.isoformat()} for rule "
                         f"`{rule_name}`{_near(full, ids)}")
    sid = subject_id(found)
    lines = [f"{keyword('rule', lang)} {rule.name} ({rule.file}:{rule.line}) "
             f"{keyword('for', lang)} {sid}, {as_of.isoformat()}"]
    part = ""
    for step in rule.steps:
        if step.part != part:
            part = step.part
            lines.append(_part(part, lang))
        try:
            shown = _value(step.value(env, found), step.type, lang)
        except Exception as exc:  # the trace shows the failure where it happens
            shown = f"{type(exc).__name__}: {exc}"
        text = step.text_zh if lang == "zh" else step.text
        lines.append(f"{'    ' * (step.depth + 1)}{text} = {shown}")
    lit = [f for f in evaluate(rulebook, portfolio, as_of).findings
           if f.rule == rule.name and f.subject == sid]
    if lit:
        level = lit[0].level.value
        lines.append(f"=> {keyword('light', lang)} {word(level, lang)}: {lit[0].message}")
    else:
        lines.append("=> 不亮灯 (green)" if lang == "zh" else "=> no light (green)")
    return "\n".join(lines) + "\n"
