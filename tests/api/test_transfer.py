"""Imports and exports: portfolio data through the loader, Excel workbooks with located problems."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.api.conftest import Api

NEW = {
    "units": [{"id": "finance", "name": "市财政局"}],
    "projects": [{"id": "P010", "name": "智慧城市", "category": "task", "unit": "finance",
                  "milestones": [{"id": "plan", "name": "方案", "kind": "approval", "due": "2026-06-30"}]}],
}


async def test_import_adds_projects_and_export_returns_them(api: Api) -> None:
    """An imported portfolio is stored, audited, and comes back in the export."""
    r = await api.client.post("/api/portfolio", headers=api.auth("office"), json=NEW)
    assert r.status_code == 201, r.text
    assert r.json() == {"units": 1, "projects": 1, "milestones": 1, "people": 0, "extensions": 0,
                        "complaints": 0, "accountability": 0, "calendar_years": 0}
    exported = (await api.client.get("/api/portfolio", headers=api.auth("leader"))).json()
    assert "P010" in [p["id"] for p in exported["projects"]]
    audit = (await api.client.get("/api/audit?action=portfolio.import", headers=api.auth("office"))).json()
    assert audit["total"] == 1


async def test_bad_import_lists_every_problem_and_changes_nothing(api: Api) -> None:
    """A portfolio with an unknown unit and a bad date is refused whole, with each place named."""
    bad = {"units": [], "projects": [{"id": "P011", "name": "x", "category": "task", "unit": "financ",
                                      "milestones": [{"id": "a", "name": "a", "kind": "approval", "due": "soon"}]}]}
    r = await api.client.post("/api/portfolio", headers=api.auth("office"), json=bad)
    assert r.status_code == 422, r.text
    wheres = [p["where"] for p in r.json()["problems"]]
    assert any(w.startswith("projects[0].unit") for w in wheres)
    assert any("milestones[0].due" in w for w in wheres)
    projects = (await api.client.get("/api/projects", headers=api.auth("office"))).json()
    assert projects["total"] == 2


async def test_excel_template_imports_and_export_has_every_sheet(api: Api) -> None:
    """The downloadable template imports as is; the export carries portfolio, findings and rankings."""
    template = await api.client.get("/api/portfolio/template.xlsx", headers=api.auth("office"))
    assert template.status_code == 200
    r = await api.client.post("/api/portfolio.xlsx", headers=api.auth("office"),
                              files={"data": ("template.xlsx", template.content)})
    assert r.status_code == 201, r.text
    assert r.json()["projects"] == 1
    exported = await api.client.get("/api/portfolio.xlsx", headers=api.auth("leader"))
    wb = load_workbook(io.BytesIO(exported.content))
    assert wb.sheetnames == ["units", "projects", "milestones", "dependencies", "people", "extensions",
                             "findings", "rankings"]
    assert wb["projects"].max_row == 3  # header, P001 (updated by the template) and P002


async def test_excel_problems_name_sheet_row_and_column(api: Api) -> None:
    """A workbook with a bad date and an unknown project lists both by sheet, row and column."""
    template = await api.client.get("/api/portfolio/template.xlsx", headers=api.auth("office"))
    wb = load_workbook(io.BytesIO(template.content))
    wb["milestones"]["E2"] = "next week"
    wb["milestones"]["A3"] = "P00l"
    buf = io.BytesIO()
    wb.save(buf)
    r = await api.client.post("/api/portfolio.xlsx", headers=api.auth("office"),
                              files={"data": ("bad.xlsx", buf.getvalue())})
    assert r.status_code == 422, r.text
    places = {(p["sheet"], p["row"], p["column"]) for p in r.json()["problems"]}
    assert ("milestones", 2, "E") in places and ("milestones", 3, "A") in places
