"""An evaluation as JSON (``duban check --json``, the stored payload) and as a text table.

Owns ``evaluation_json`` and ``evaluation_text``. The JSON shape is fixed::

    {"as_of", "findings": [{"rule", "subject", "level", "message", "notify", "respond_by",
     "explain"}], "rates": {"portfolio": {...}, "units": {id: {...}}, "projects": {id: {...}}},
     "scores": {name: [{"unit", "value", "rank"}]}}

plus ``"errors": [...]`` only when a rule failed at run time. Rates are floats or null.
The text table groups findings by level, red first, and aligns Chinese text by display width
(a CJK character takes two columns).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any, TextIO

from projects.model import Level, Portfolio
from projects.subjects import subject_name
from rules.findings import Evaluation, Finding

LEVEL_HEADING = {Level.RED: "红灯 red", Level.YELLOW: "黄灯 yellow", Level.BLUE: "蓝灯 blue",
                 Level.GREEN: "绿灯 green"}


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "subject": f.subject,
        "level": f.level.value,
        "message": f.message,
        "notify": list(f.notify),
        "respond_by": f.respond_by.isoformat() if f.respond_by is not None else None,
        "explain": [[clause, str(detail)] for clause, detail in f.explain],
    }


def evaluation_json(ev: Evaluation, *, with_findings: bool = True) -> dict[str, Any]:
    """The evaluation as plain JSON values (``with_findings=False``: all but the findings)."""
    out: dict[str, Any] = {
        "as_of": ev.as_of.isoformat(),
        "findings": [_finding_json(f) for f in ev.findings] if with_findings else [],
        "rates": {
            "portfolio": ev.rates.portfolio.as_dict(),
            "units": {uid: r.as_dict() for uid, r in ev.rates.units.items()},
            "projects": {pid: r.as_dict() for pid, r in ev.rates.projects.items()},
        },
        "scores": {
            name: [{"unit": row.unit, "value": row.value, "rank": row.rank} for row in rows]
            for name, rows in ev.scores.items()
        },
    }
    if ev.errors:
        out["errors"] = [{"rule": e.rule, "subject": e.subject, "error": e.error,
                          "file": e.file, "line": e.line} for e in ev.errors]
    return out


def write_evaluation_json(ev: Evaluation, out: TextIO) -> None:
    """``evaluation_json(ev)`` written to ``out`` as it is encoded, one finding a line (what
    ``duban check --json`` prints): the C encoder of ``json`` encodes each finding compactly
    (an ``indent`` would switch it to the pure-Python one), no document of every finding is
    held in memory. ``json.loads`` of the text equals ``evaluation_json(ev)``."""
    rest = evaluation_json(ev, with_findings=False)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    write = out.write
    write(f'{{"as_of": {dumps(rest.pop("as_of"))},\n"findings": [')
    rest.pop("findings")
    sep = "\n"
    for f in ev.findings:
        write(sep)
        write(dumps(_finding_json(f)))
        sep = ",\n"
    write("\n]")
    for key, value in rest.items():
        write(f",\n{dumps(key)}: {dumps(value)}")
    write("}\n")


def display_width(text: str) -> int:
    """Terminal columns: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def table(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as lines, every column but the last padded to its widest cell."""
    if not rows:
        return []
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(pad(cell, widths[i]) if i < len(row) - 1 else cell
                      for i, cell in enumerate(row)).rstrip() for row in rows]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


RATE_WORDS = {"on_time_rate": ("按期完成率", "on-time rate"), "completion_rate": ("完成率", "completion rate"),
              "early_rate": ("提前完成率", "early rate"), "response_rate": ("按时回复率", "response rate")}


def evaluation_text(ev: Evaluation, *, explain: bool = False, lang: str = "zh",
                    portfolio: Portfolio | None = None) -> str:
    """A readable report: findings by level (red first, blue reminders last), rates, rankings;
    in Chinese, or English with ``lang="en"``. Given the portfolio, subjects and units read by
    their names (``滨江大桥建设工程 / 招标``) rather than the engine's ids."""
    en = lang == "en"

    def named(subject: str) -> str:
        return subject if portfolio is None else subject_name(portfolio, subject)

    def unit_name(unit: str) -> str:
        return named(f"unit:{unit}")
    count = {level: sum(f.level is level for f in ev.findings) for level in (Level.RED, Level.YELLOW, Level.BLUE)}
    if en:
        lines = [f"duban check as of {ev.as_of.isoformat()}: {count[Level.RED]} red, "
                 f"{count[Level.YELLOW]} yellow, {count[Level.BLUE]} blue (reminders)"]
    else:
        lines = [f"督办检查（截至 {ev.as_of.isoformat()}）：红灯 {count[Level.RED]} 个，"
                 f"黄灯 {count[Level.YELLOW]} 个，蓝灯（提醒）{count[Level.BLUE]} 个"]
    for level in (Level.RED, Level.YELLOW, Level.BLUE):
        found = [f for f in ev.findings if f.level is level]
        if not found:
            continue
        heading = LEVEL_HEADING[level].split(" ")[1 if en else 0]
        lines += ["", f"{heading} ({len(found)})"]
        rows = [("rule", "subject", "notify", "respond by", "message") if en
                else ("规则", "对象", "通知", "回复期限", "说明")]
        rows += [(f.title, named(f.subject), ("," if en else "、").join(unit_name(u) for u in f.notify) or "—",
                  f.respond_by.isoformat() if f.respond_by else "—", f.message) for f in found]
        lines += ["  " + line for line in table(rows)]
        if explain:
            for f in found:
                lines.append(f"  · {f.rule} {named(f.subject)}")
                lines += [f"      {clause}: {detail}" for clause, detail in f.explain]
    rates = ev.rates.portfolio
    lines += ["", ("rates: " if en else "办结率：") + "  ".join(
        f"{RATE_WORDS[name][1 if en else 0]} {_percent(getattr(rates, name))}"
        for name in ("on_time_rate", "completion_rate", "early_rate", "response_rate"))]
    for name, rows_ in ev.scores.items():
        lines += ["", f"{'ranking' if en else '排名'} {name}"]
        lines += ["  " + line for line in table(
            [("rank", "unit", "score") if en else ("名次", "单位", "得分")]
            + [(str(r.rank) if r.rank else "—", unit_name(r.unit), "—" if r.value is None else f"{r.value:.1f}")
               for r in rows_])]
    if ev.errors:
        lines += ["", "errors:" if en else "运行错误："] + [f"  {e}" for e in ev.errors]
    return "\n".join(lines) + "\n"
