"""Excel import and export carry the supervision loop (issue 12): people, a project's
assignment, a milestone's own person, co-units and cadence, and extension requests; a version 1
workbook without the new sheets still imports; a wrong cell names its sheet, row and column."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from api import excel
from projects.loader import parse_portfolio

TODAY = dt.date(2026, 7, 1)
DATA = {
    "units": [{"id": "dev", "name": "市发展改革委"}, {"id": "transport", "name": "市交通运输局"},
              {"id": "housing", "name": "市住建局"}],
    "people": [{"id": "wang", "name": "王某", "unit": "transport", "post": "副局长"}],
    "projects": [{"id": "T001", "name": "优化营商环境专项行动", "category": "task", "unit": "dev",
                  "co_units": ["transport", "housing"], "person": "wang", "urgent": True,
                  "source": "市委常委会第12次会议", "instruction": "务必于三季度前见效", "report_every": "1 months",
                  "milestones": [{"id": "m1", "kind": "progress", "start": "2026-03-02", "due": "2026-06-30",
                                  "person": "wang", "co_units": ["transport"], "report_every": "2 weeks"},
                                 {"id": "m2", "kind": "progress", "due": "2026-09-30"}]}],
    "extensions": [{"milestone": "T001/m1", "requested": "2026-06-20", "new_due": "2026-07-31",
                    "reason": "因用地报批延迟", "decided": "2026-06-23", "decision": "approved",
                    "decision_reason": "理由充分"},
                   {"milestone": "T001/m2", "requested": "2026-06-25", "new_due": "2026-10-31", "reason": "资金"}],
}


def test_export_then_import_gives_the_same_portfolio() -> None:
    p = parse_portfolio(DATA, today=TODAY)
    content = excel.export_workbook(p, [], {})
    back = excel.read_workbook(content, today=TODAY, source="t.xlsx")
    assert back.people == p.people and back.extensions == p.extensions
    assert back.projects == p.projects
    sheet = load_workbook(io.BytesIO(content))["projects"]
    at = excel.SHEETS["projects"].index("co_units")
    assert sheet[1][at].value == "配合单位（co_units）" and sheet[2][at].value == "transport, housing"


def test_a_milestones_explicit_empty_co_units_round_trip_as_empty() -> None:
    """A milestone with ``co_units: []`` (none, not the project's) is written 无 and read back
    empty; one without co-units of its own stays blank and takes the project's."""
    data = {**DATA, "projects": [{**DATA["projects"][0], "milestones": [
        {**DATA["projects"][0]["milestones"][0], "co_units": [], "person": None},
        DATA["projects"][0]["milestones"][1]]}]}
    p = parse_portfolio(data, today=TODAY)
    assert p.projects[0].milestones[0].co_units == () and p.projects[0].milestones[1].co_units is None
    content = excel.export_workbook(p, [], {})
    sheet = load_workbook(io.BytesIO(content))["milestones"]
    at = excel.SHEETS["milestones"].index("co_units")
    assert [sheet[r][at].value for r in (2, 3)] == ["无", None]
    back = excel.read_workbook(content, today=TODAY, source="t.xlsx")
    assert back.projects == p.projects
    assert back.projects[0].milestones[0].co_units == ()
    assert back.projects[0].milestones[1].co_units is None


def _drop_sheets(content: bytes, *names: str) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    for name in names:
        del wb[name]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_workbook_without_the_version_2_sheets_still_imports() -> None:
    plain = {"units": DATA["units"], "projects": [{"id": "P1", "name": "项目", "unit": "dev", "milestones": [
        {"id": "a", "kind": "approval", "due": "2026-05-01"}]}]}
    content = _drop_sheets(excel.export_workbook(parse_portfolio(plain, today=TODAY), [], {}), "people", "extensions")
    assert excel.read_workbook(content, today=TODAY, source="t.xlsx").projects[0].id == "P1"


@pytest.mark.parametrize(("sheet", "column", "value", "expected"), [
    ("projects", "report_every", "2 fortnights", 'projects!K2: 报送周期不是时长，请写如 周报、月报、2 周、3 个月、10 个工作日 — not a duration: unknown unit "fortnights"'),
    ("projects", "urgent", "maybe", "projects!H2: 紧急标记只能是 true 或 false，不能是文字「maybe」 — urgent is true or false"),
    ("people", "unit", "nowhere", 'people!C2: 找不到「nowhere」 — no unit "nowhere"'),
    ("extensions", "new_due", "2026-06-01", "extensions!C2: 延期至 2026-06-01 不晚于原计划完成日期 2026-06-30，延期后的日期须更晚 — new_due 2026-06-01 is not after the milestone's due"),
    ("milestones", "person", "lii", 'milestones!N2: 没有责任人「lii」，责任人须先在人员中登记 — no person "lii"; a person is one of those listed under people'),
])
def test_a_wrong_cell_is_named_by_sheet_row_and_column(sheet: str, column: str, value: str, expected: str) -> None:
    content = excel.export_workbook(parse_portfolio(DATA, today=TODAY), [], {})
    wb = load_workbook(io.BytesIO(content))
    ws = wb[sheet]
    col = excel.SHEETS[sheet].index(column)
    ws.cell(row=2, column=col + 1, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(excel.WorkbookError) as info:
        excel.read_workbook(buf.getvalue(), today=TODAY, source="t.xlsx")
    assert any(expected in str(p) for p in info.value.problems), info.value.problems
