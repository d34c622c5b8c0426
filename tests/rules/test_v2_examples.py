"""The contract's version 2 examples, read in place: every example of ``supervision.md`` and of
the "Version 2 additions" of ``rule-language.md`` loads, compiles and runs as written (issue 13 made
the last three, ``complaint_unanswered``, ``efficiency`` and ``duty``, compile)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from dsl import compile_rulebook
from projects.loader import parse_portfolio
from projects.model import Level
from rules.engine import evaluate

DESIGN = Path("/work/shared/design")


def _v2_blocks() -> list[str]:
    text = (DESIGN / "rule-language.md").read_text(encoding="utf-8")
    v2 = text.split("# Version 2 additions", 1)[1]
    return re.findall(r"```\n(.*?)```", v2, re.S)


def _items(block: str) -> dict[str, str]:
    """The block split at its top-level ``rule`` / ``score`` / ``const`` lines, by name."""
    out: dict[str, str] = {}
    for raw in re.split(r"\n(?=(?:rule|score|const) )", "\n" + block):
        chunk = raw.strip("\n")
        if chunk:
            out[chunk.split()[1]] = chunk + "\n"
    return out


def _supervision_portfolio() -> Any:
    text = (DESIGN / "supervision.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    data = yaml.safe_load(blocks[0])
    data.pop("accountability")  # its cause, notice N-2026-0001, is not in the example
    data["complaints"][0]["project"] = "T001"  # the example names a P001 it does not hold
    data["units"] = [{"id": u, "name": u} for u in ("dev-reform", "transport", "housing")]
    data["people"].append({"id": "li", "name": "李某", "unit": "housing"})
    return parse_portfolio(data, today=dt.date(2026, 12, 31))


ITEMS = {name: text for block in _v2_blocks() for name, text in _items(block).items()}


def test_the_v2_section_has_its_example() -> None:
    assert {"report_due", "behind_schedule", "complaint_unanswered", "efficiency", "duty"} <= set(ITEMS)


@pytest.mark.parametrize("name", sorted(ITEMS))
def test_each_v2_example_compiles_as_written(name: str) -> None:
    compile_rulebook({"example.rules": ITEMS[name]})


def test_the_v2_rules_run_on_the_supervision_example() -> None:
    p = _supervision_portfolio()
    book = compile_rulebook({"example.rules": "\n".join(ITEMS[n] for n in sorted(ITEMS))})
    # 2026-06-22: m1 (start 03-02, every 2 weeks, never reported) last reported at its start:
    # 03-02 + 2 weeks = 03-16, long overdue; the pending request is decided on 06-23
    before = evaluate(book, p, dt.date(2026, 6, 22))
    got = {(f.rule, f.subject): f for f in before.findings}
    report = got[("report_due", "milestone:T001/m1")]
    assert report.level is Level.RED and report.notify == ("dev-reform",)
    assert "应于 2026-03-16 前报送进度" in report.message
    # the extension approved on 06-23 moves m1's due to 07-31: as of 07-15 it is not overdue
    # and its planned progress is counted to the new due
    after = evaluate(compile_rulebook({"t.rules": 'rule v "v":\n    for milestone m\n    light blue when true\n'
                                                 '    message "{m.due} {m.original_due} {m.extensions}"\n'}),
                     p, dt.date(2026, 7, 15))
    assert [f.message for f in after.findings] == ["2026-07-31 2026-06-30 1"]


def test_behind_schedule_notifies_the_lead_and_co_units_of_the_example() -> None:
    p = _supervision_portfolio()
    m1 = p.projects[0].milestones[0]
    low = replace(p, projects=(replace(p.projects[0], milestones=(replace(m1, progress=0.1),)),))
    book = compile_rulebook({"example.rules": ITEMS["behind_schedule"]})
    (finding,) = evaluate(book, low, dt.date(2026, 5, 15)).findings
    assert finding.level is Level.RED  # about 52% planned by 05-15, 10% done
    assert finding.notify == ("dev-reform", "housing")  # m1's own co-units replace the project's


def test_complaint_unanswered_on_the_example_complaint() -> None:
    """The example's complaint, answered on 05-12 before its deadline 05-13, never lights; the
    same complaint left unanswered lights yellow the day after its deadline and red two working
    days later, notifying its unit within a working day."""
    p = _supervision_portfolio()
    book = compile_rulebook({"example.rules": ITEMS["complaint_unanswered"]})
    for day in (dt.date(2026, 5, 11), dt.date(2026, 5, 14), dt.date(2026, 6, 30)):
        assert evaluate(book, p, day).findings == ()
    silent = replace(p, complaints=(replace(p.complaints[0], responded=None, rating=None, rated=None),))
    assert evaluate(book, silent, dt.date(2026, 5, 13)).findings == ()  # the deadline day itself
    (yellow,) = evaluate(book, silent, dt.date(2026, 5, 14)).findings
    assert (yellow.subject, yellow.level, yellow.notify, yellow.project, yellow.unit) == (
        "complaint:C-2026-0001", Level.YELLOW, ("transport",), "T001", "transport")
    assert yellow.respond_by == dt.date(2026, 5, 15)
    assert evaluate(book, silent, dt.date(2026, 5, 15)).findings[0].level is Level.YELLOW
    assert evaluate(book, silent, dt.date(2026, 5, 18)).findings[0].level is Level.RED  # 05-13 + 2 workdays < 05-18
    assert evaluate(book, silent, dt.date(2026, 5, 5)).findings == ()  # not received yet
