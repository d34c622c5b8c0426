"""The Excel export survives what users type."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from api.excel import export_workbook
from projects.model import Category, Kind, Milestone, Portfolio, Project, Unit


def test_export_drops_control_characters_excel_cannot_hold() -> None:
    """A note with control characters exports (without them) instead of failing the download."""
    portfolio = Portfolio(
        units=(Unit("u1", "单位\x01一"),),
        projects=(
            Project("P1", "工程\x00", Category.PROJECT, "u1", 10.0,
                    (Milestone("P1", "m1", "招标", Kind.TENDERING, note="见附件\x07第3页"),)),
        ),
    )
    book = load_workbook(io.BytesIO(export_workbook(portfolio, [], {})))
    assert book["units"]["B2"].value == "单位一"
    assert book["projects"]["B2"].value == "工程"
    assert book["milestones"]["M2"].value == "见附件第3页"
