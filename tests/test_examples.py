"""The example portfolio shipped in ``examples/`` loads, checks and runs the standard rulebook,
showing the supervision loop as far as the language carries it: a blue reminder, yellow and
red lights with notices, an approved extension that moves a deadline, a report overdue on its
cadence, money read in 万元."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api.cli import main
from projects.loader import load_portfolio
from rules.engine import evaluate
from rules.standard import load_standard

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "portfolio.yaml"
DAY = dt.date(2026, 6, 15)


@pytest.mark.filterwarnings("ignore::projects.calendar.CalendarFallbackWarning")
def test_the_example_portfolio_runs_the_supervision_loop() -> None:
    """Each step of the loop the file shows lights as its comments say."""
    portfolio = load_portfolio(EXAMPLE, today=DAY)
    assert {p.id for p in portfolio.projects} == {"P001", "P002", "T001"}
    assert {u.id for u in portfolio.units} >= {"city", "dev-reform", "transport", "housing", "water"}
    assert all(c.endswith(".example") for u in portfolio.units for c in u.contacts)
    found = {(f.rule, f.subject): f for f in evaluate(load_standard(), portfolio, DAY).findings}
    levels = {(rule, subject): f.level.value for (rule, subject), f in found.items()}
    assert levels[("due_soon", "milestone:P001/pay1")] == "blue"  # 临近提醒
    assert levels[("contract_overdue", "milestone:P001/contract")] == "red"  # 逾期督办
    assert levels[("report_due", "milestone:P001/contract")] == "red"  # 催报
    assert levels[("urgent_due", "milestone:T001/m1")] == "yellow"  # 紧急事项临期即提级
    # the approved extension moved 用地预审's deadline from 2026-05-31 to 2026-07-15: not overdue
    assert not [key for key in found if key[1] == "milestone:P002/land"]
    assert "已拨付资金 1,250 万元" in found[("payment_before_contract", "milestone:P001/pay1")].message
    assert found[("contract_overdue", "milestone:P001/contract")].notify == ("transport", "housing")
    # 群众投诉: unanswered past its deadline red, on its deadline day yellow, rated dissatisfied
    assert levels[("complaint_unanswered", "complaint:C-2026-0002")] == "red"
    assert levels[("complaint_unanswered", "complaint:C-2026-0003")] == "yellow"
    assert levels[("complaint_dissatisfied", "complaint:C-2026-0004")] == "yellow"
    assert found[("complaint_unanswered", "complaint:C-2026-0002")].notify == ("water",)
    assert not [key for key in found if key[1] == "complaint:C-2026-0001"]  # answered in time, satisfied


def test_duban_check_runs_the_example_as_the_readme_says(capsys: pytest.CaptureFixture[str]) -> None:
    """``duban check examples/portfolio.yaml --as-of 2026-06-15`` prints the report in Chinese."""
    assert main(["check", str(EXAMPLE), "--as-of", "2026-06-15"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("督办检查（截至 2026-06-15）：红灯 ") and "蓝灯（提醒）1 个" in out
    assert "「海东大道改造工程」首期工程款拨付将于 2026-06-17 到期，请按期办结" in out


def test_the_text_report_names_subjects_and_units_as_people_do(capsys: pytest.CaptureFixture[str]) -> None:
    """The report reads 「项目 / 节点」 and unit names, not the engine's ``milestone:P001/contract``."""
    assert main(["check", str(EXAMPLE), "--as-of", "2026-06-15"]) == 0
    out = capsys.readouterr().out
    assert "海东大道改造工程 / 施工合同签订" in out and "市交通运输局、市住房城乡建设局" in out
    assert "milestone:" not in out and "project:" not in out and "complaint:" not in out
    assert "群众投诉 C-2026-0002" in out
