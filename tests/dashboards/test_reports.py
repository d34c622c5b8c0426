"""Tests of the downloadable findings workbook: Chinese headers, names not ids, no rule code."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from dashboards.reports import findings_workbook, subject_name
from projects.model import Category, Kind, Level, Milestone, Portfolio, Project, Unit
from rules.findings import Evaluation, EvaluationRates, Finding
from rules.views import Rates

AS_OF = dt.date(2026, 12, 2)
PORTFOLIO = Portfolio(
    units=(Unit("transport", "市交通局"),),
    projects=(Project("P002", "滨江大桥建设工程", Category.PROJECT, "transport", milestones=(
        Milestone("P002", "contract", "合同签订", Kind.CONTRACT, due=dt.date(2026, 10, 21)),)),),
)
FINDING = Finding("contract_overdue", "合同节点逾期", "milestone:P002/contract", Level.RED,
                  "「滨江大桥建设工程」合同签订已逾期 30 个工作日", ("transport",), None,
                  (("红 when today > m.due + grace", "成立：today = 2026-12-02；m.due + grace = 2026-11-04"),),
                  "P002", "transport")


def test_findings_workbook_speaks_chinese_and_names_things():
    """Headers are Chinese; the subject is the project and milestone name; the reason is a sentence."""
    body = findings_workbook(PORTFOLIO, Evaluation(AS_OF, (FINDING,), EvaluationRates(Rates(None), {}, {}), {}))
    ws = load_workbook(io.BytesIO(body)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("灯号", "规则", "对象", "项目", "单位", "预警内容", "回复期限", "判定依据")
    assert rows[1][:5] == ("红灯", "合同节点逾期", "滨江大桥建设工程 / 合同签订", "滨江大桥建设工程", "市交通局")
    assert rows[1][7] == "计划完成加宽限 2026-11-04，今天 2026-12-02"
    assert not any("contract_overdue" in str(v) or "milestone:" in str(v) for v in rows[1])


def test_subject_names_fall_back_to_the_key_when_unknown():
    """An unknown project or unit keeps its key; a notice keeps its number."""
    assert subject_name(PORTFOLIO, "unit:transport") == "市交通局"
    assert subject_name(PORTFOLIO, "project:P404") == "P404"
    assert subject_name(PORTFOLIO, "notice:DB-2026-0001") == "DB-2026-0001"


def test_findings_workbook_writes_a_blue_reminder_with_its_own_fill():
    """A blue finding (提醒) gets a row of its own light and fill (it raised KeyError 'blue',
    so findings.xlsx could not be downloaded once any reminder was lit)."""
    blue = Finding("due_soon", "临期提醒", "milestone:P002/contract", Level.BLUE, "即将到期", (), None,
                   (), "P002", "transport")
    body = findings_workbook(PORTFOLIO, Evaluation(AS_OF, (FINDING, blue),
                                                   EvaluationRates(Rates(None), {}, {}), {}))
    ws = load_workbook(io.BytesIO(body)).worksheets[0]
    assert [r[0].value for r in ws.iter_rows(min_row=2)] == ["红灯", "蓝灯（提醒）"]
    fills = [r[0].fill.fgColor.rgb for r in ws.iter_rows(min_row=2)]
    assert fills[0].endswith("FFC7CE") and fills[1].endswith("BDD7EE")
