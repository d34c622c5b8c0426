"""`duban rules explain RULE SUBJECT` (issue 18, item 5): every sub-expression's value for one
subject, in the author's spelling, and the light the engine gave it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api.cli import main
from dsl import compile_rulebook, format_rulebook
from projects.loader import load_portfolio
from rules.trace import TraceError, trace

RULES = """const grace = 2 days
rule late "逾期":
    for milestone m where not m.done
    light yellow when today > m.due and m.progress < 50%
    light red when today > m.due + grace
    notify m.unit within 3 workdays
    message "{m.name} 逾期"
"""
PORTFOLIO = """
calendar: weekdays
units:
  - {id: transport, name: 市交通运输局}
projects:
  - id: P001
    name: 海东大道改造工程
    unit: transport
    category: project
    milestones:
      - {id: a, name: 甲, kind: tendering, due: 2026-03-02, progress: 10%}
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "p.yaml").write_text(PORTFOLIO, encoding="utf-8")
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "t.rules").write_text(RULES, encoding="utf-8")
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "t.rules").write_text(format_rulebook(RULES, "zh"), encoding="utf-8")
    return tmp_path


def test_trace_shows_each_value_and_the_light(files: Path):
    """On 03-03 milestone a (due 03-02, 10%) is yellow, not yet red (03-02 + 2 days = 03-04);
    the trace shows each part's value and the engine's light."""
    book = compile_rulebook({"t.rules": RULES}, traces=True)
    portfolio = load_portfolio(files / "p.yaml", today=dt.date(2026, 3, 10))
    text = trace(book, "late", "P001/a", portfolio, dt.date(2026, 3, 3))
    assert text.splitlines() == [
        "rule late (t.rules:2) for milestone:P001/a, 2026-03-03",
        "where",
        "    not m.done = true",
        "        m.done = false",
        "light yellow",
        "    today > m.due and m.progress < 50% = true",
        "        today > m.due = true",
        "            today = 2026-03-03",
        "            m.due = 2026-03-02",
        "        m.progress < 50% = true",
        "            m.progress = 10%",
        "light red",
        "    today > m.due + grace = false",
        "        today = 2026-03-03",
        "        m.due + grace = 2026-03-04",
        "            m.due = 2026-03-02",
        "notify",
        "    m.unit = 市交通运输局",
        "message",
        "    m.name = 甲",
        "=> light yellow: 甲 逾期",
    ]
    later = trace(book, "late", "milestone:P001/a", portfolio, dt.date(2026, 3, 5))
    assert "    today > m.due + grace = true" in later
    assert later.endswith("=> light red: 甲 逾期\n")
    early = trace(book, "late", "P001/a", portfolio, dt.date(2026, 3, 1))
    assert early.endswith("=> no light (green)\n")


def test_trace_refuses_unknown_rule_and_subject(files: Path):
    """An unknown rule or subject is a TraceError with the nearest name."""
    book = compile_rulebook({"t.rules": RULES}, traces=True)
    portfolio = load_portfolio(files / "p.yaml", today=dt.date(2026, 3, 10))
    with pytest.raises(TraceError, match=r"no rule `lat` .*did you mean `late`"):
        trace(book, "lat", "P001/a", portfolio, dt.date(2026, 3, 3))
    with pytest.raises(TraceError, match=r"no milestone `P001/b`.*did you mean `milestone:P001/a`"):
        trace(book, "late", "P001/b", portfolio, dt.date(2026, 3, 3))


def test_cli_explain_in_the_authors_spelling(files: Path, capsys: pytest.CaptureFixture[str]):
    """The CLI prints the trace in the spelling of the rule's file; bad input exits 1."""
    args = ["rules", "explain", "late", "P001/a", "--as-of", "2026-03-03",
            "--portfolio", str(files / "p.yaml"), "--rules"]
    assert main([*args, str(files / "zh")]) == 0
    zh = capsys.readouterr().out.splitlines()
    assert zh[1:3] == ["满足", "    非 m.已完成 = 真"]
    assert "亮 黄灯" in zh and "    今天 > m.计划完成 且 m.进度 < 50% = 真" in zh
    assert zh[-1] == "=> 亮 黄灯: 甲 逾期"
    assert main([*args, str(files / "en")]) == 0
    assert capsys.readouterr().out.splitlines()[1:3] == ["where", "    not m.done = true"]
    assert main(["rules", "explain", "late", "P001/a", "--rules", str(files / "en")]) == 1
    assert "--portfolio" in capsys.readouterr().err
    assert main(["rules", "explain", "late", "P009/a", "--portfolio", str(files / "p.yaml"),
                 "--rules", str(files / "en"), "--as-of", "2026-03-03"]) == 1
    assert "no milestone `P009/a`" in capsys.readouterr().err
