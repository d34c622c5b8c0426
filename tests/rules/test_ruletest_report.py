"""Rule-test files (failures shown, bad files located) and the JSON / text reports."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from rules.engine import evaluate
from rules.report import display_width, evaluation_json, evaluation_text, write_evaluation_json
from rules.ruletest import RuleTestError, load_test_file, run_case
from tests.rules.helpers import D, ms, portfolio, rulebook

RULES = """
rule late "逾期":
    for milestone m where not m.done
    light yellow when today > m.due
    light red when today > m.due + 3 workdays
    notify m.unit within 2 workdays
"""

PORTFOLIO = """
portfolio:
  units: [{id: transport, name: 市交通运输局}]
  projects:
    - {id: P001, name: 海东大道, category: project, unit: transport,
       milestones: [{id: a, kind: progress, due: 2026-03-02}, {id: b, kind: progress, due: 2026-03-18}]}
"""


def test_failing_case_shows_missing_unexpected_and_wrong_level(tmp_path: Path) -> None:
    """A failing case says which findings were missing, unexpected, or at the wrong level."""
    f = tmp_path / "t.test.yaml"
    f.write_text(PORTFOLIO + """
cases:
  - name: wrong
    as_of: 2026-03-20
    expect:
      - {rule: late, subject: "milestone:P001/a", level: yellow}
      - {rule: late, subject: "milestone:P001/zzz", level: red}
""", encoding="utf-8")
    [case] = load_test_file(f, {"late"})
    result = run_case(rulebook(RULES), case)
    assert not result.passed
    text = result.render()
    assert "missing:    late milestone:P001/zzz red" in text
    assert "unexpected: late milestone:P001/b yellow" in text
    assert "wrong level: late milestone:P001/a expected yellow, lit red" in text


def test_a_case_checks_score_values_and_says_which_differ(tmp_path: Path) -> None:
    """``scores`` expectations: the right value passes, a wrong one and a wrong missing are
    shown with what was expected and what came; an unknown score or unit is refused or said."""
    rules = RULES + "\nscore ontime for unit u: 100 * u.on_time_rate\n"
    f = tmp_path / "s.test.yaml"
    f.write_text(PORTFOLIO + """
cases:
  - name: right
    as_of: 2026-03-20
    scores: {ontime: {transport: 0}}
  - name: wrong
    as_of: 2026-03-20
    scores: {ontime: {transport: 50, nowhere: 1}}
  - name: nothing due yet
    as_of: 2026-03-01
    scores: {ontime: {transport: 10}}
""", encoding="utf-8")
    book = rulebook(rules)
    right, wrong, early = load_test_file(f, {"late"}, {"ontime"})
    assert run_case(book, right).passed
    result = run_case(book, wrong)
    assert not result.passed
    assert "score ontime of transport: expected 50, got 0" in result.render()
    assert "score ontime has no row for nowhere" in result.render()
    assert "expected 10, got missing" in run_case(book, early).render()
    with pytest.raises(RuleTestError) as info:
        load_test_file(f, {"late"}, {"on_time"})
    assert "cases[0].scores.ontime: no score `ontime` in the rulebook; did you mean `on_time`?" \
        in "\n".join(info.value.problems)


def test_bad_test_file_errors_are_located(tmp_path: Path) -> None:
    """Unknown rules, levels, keys and bad dates are reported with file, line and suggestion."""
    f = tmp_path / "bad.test.yaml"
    f.write_text(PORTFOLIO + """
cases:
  - name: bad
    as_of: 2026-03-20
    expcet: []
    expect:
      - {rule: lat, subject: "milestone:P001/a", level: rde}
  - name: bad date
    as_of: March
    expect: []
""", encoding="utf-8")
    with pytest.raises(RuleTestError) as info:
        load_test_file(f, {"late"})
    problems = "\n".join(info.value.problems)
    assert f"{f}:11: cases[0].expcet: unknown key `expcet`; did you mean `expect`?" in problems
    assert "cases[0].expect[0].rule: no rule `lat` in the rulebook; did you mean `late`?" in problems
    assert "cases[0].expect[0].level: level `rde` must be yellow or red; did you mean `red`?" in problems
    assert "cases[1].as_of: `as_of` must be an ISO date" in problems


def test_evaluation_json_shape() -> None:
    """The JSON has exactly the documented keys, dates ISO, rates floats or null."""
    ev = evaluate(rulebook(RULES + "\nscore s for unit u: count(m in u.milestones)\n"),
                  portfolio(ms("a", due=D(2026, 3, 2))), D(2026, 3, 20))
    out = evaluation_json(ev)
    assert set(out) == {"as_of", "findings", "rates", "scores"}
    assert out["as_of"] == "2026-03-20"
    assert out["findings"][0] == {
        "rule": "late", "subject": "milestone:P001/a", "level": "red", "message": "逾期",
        "notify": ["transport"], "respond_by": "2026-03-24",
        "explain": [["红 when today > m.due + 3 workdays",
                     "成立：today = 2026-03-20；m.due + 3 workdays = 2026-03-05"],
                    ["黄 when today > m.due", "成立：today = 2026-03-20；m.due = 2026-03-02"]]}
    assert out["rates"]["portfolio"] == {"on_time_rate": 0.0, "completion_rate": 0.0,
                                         "early_rate": None, "response_rate": None}
    assert out["scores"]["s"][0] == {"unit": "transport", "value": 1.0, "rank": 1}


def test_streamed_json_equals_the_evaluation_json() -> None:
    """What ``duban check --json`` streams, a finding a line, parses to ``evaluation_json``:
    findings (none, one, several), rates, scores and run-time errors alike."""
    text = RULES + "\nscore s for unit u: count(m in u.milestones)\n"
    broken = "\nrule boom: for milestone m\n    light red when m.progress / 0 > 1\n"
    cases = [
        (rulebook(text), portfolio(ms("a", due=D(2026, 3, 2)), ms("b", due=D(2026, 3, 3)))),
        (rulebook(text), portfolio(ms("a", due=D(2026, 9, 2)))),
        (rulebook(text + broken), portfolio(ms("a", due=D(2026, 3, 2), progress=0.5))),
    ]
    for rb, p in cases:
        ev = evaluate(rb, p, D(2026, 3, 20))
        out = io.StringIO()
        write_evaluation_json(ev, out)
        assert json.loads(out.getvalue()) == evaluation_json(ev)
        assert out.getvalue().count("\n") == len(ev.findings) + 5 + bool(ev.errors)


def test_text_report_aligns_chinese_by_display_width() -> None:
    """Columns line up in terminal columns, counting a Chinese character as two."""
    ev = evaluate(rulebook(RULES), portfolio(ms("a", due=D(2026, 3, 2)), ms("b", due=D(2026, 3, 18))),
                  D(2026, 3, 20))
    lines = evaluation_text(ev).splitlines()
    rows = [line for line in lines if "milestone:" in line]
    assert len(rows) == 2
    header = next(line for line in lines if "对象" in line)
    col = display_width(header[: header.index("对象")])
    assert all(display_width(r[: r.index("milestone:")]) == col for r in rows)
    assert lines.index(next(x for x in lines if x.startswith("红灯"))) < lines.index(
        next(x for x in lines if x.startswith("黄灯")))
