"""The workbook's columns come from the field catalogue, headed Chinese first, and its cells go
through the same field validators as a portfolio file."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from api.excel import SHEETS, WorkbookError, headers, read_workbook, template_workbook
from projects import catalogue

TODAY = dt.date(2026, 6, 15)


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_milestone_columns_are_the_catalogue_file_keys_with_chinese_headers() -> None:
    keys = [f.file_key for f in catalogue.MILESTONE if f.file_key is not None and f.name != "after"]
    assert SHEETS["milestones"] == ("project", *keys)
    assert headers("milestones")[4] == "计划完成（due）"
    wb = load_workbook(io.BytesIO(template_workbook()))
    assert [c.value for c in wb["milestones"][1]] == headers("milestones")


@pytest.mark.parametrize("style", ["key", "label", "both"])
def test_a_header_may_be_the_key_the_chinese_label_or_both(style: str) -> None:
    wb = load_workbook(io.BytesIO(template_workbook()))
    for ws in wb.worksheets:
        for cell in ws[1]:
            text = str(cell.value)
            key, label = text[text.index("（") + 1:-1], text[:text.index("（")]
            cell.value = {"key": key, "label": label, "both": text}[style]
    portfolio = read_workbook(_save(wb), today=TODAY, source="t.xlsx")
    tender = portfolio.project_by_id["P001"].milestones[1]
    assert (tender.start, tender.progress, tender.after[0].on) == (dt.date(2026, 3, 2), 0.35, "approval")


def test_cells_are_judged_by_the_field_validators_and_every_problem_is_listed() -> None:
    """A date out of range, a percentage over 100 and an unknown project are all reported, each
    at its sheet, row and column, in one answer."""
    wb = load_workbook(io.BytesIO(template_workbook()))
    wb["milestones"]["E2"] = "1926-02-10"
    wb["milestones"]["I3"] = "135%"
    wb["milestones"]["A3"] = "P00l"
    wb["milestones"].append(["P001", "contract", "合同", "contract", "2026-05-30", None, None, None, "135%"])
    with pytest.raises(WorkbookError) as caught:
        read_workbook(_save(wb), today=TODAY, source="t.xlsx")
    places = {(p.sheet, p.row, p.column): p.message for p in caught.value.problems}
    assert "plausible date" in places[("milestones", 2, "E")]
    assert "outside 0..100%" in places[("milestones", 4, "I")]
    assert "no project" in places[("milestones", 3, "A")]


def test_a_missing_column_is_named_in_chinese_first() -> None:
    wb = load_workbook(io.BytesIO(template_workbook()))
    wb["milestones"]["D1"] = "colour"
    with pytest.raises(WorkbookError) as caught:
        read_workbook(_save(wb), today=TODAY, source="t.xlsx")
    (problem,) = caught.value.problems
    assert problem.message.startswith("缺少「类型」列 — no column 'kind'")
