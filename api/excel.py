"""Excel workbooks: the template, all-or-nothing imports, and exports.

A workbook has one sheet each for units, projects, milestones and dependencies, with the
columns of the portfolio file. An import reads every sheet into the portfolio-file shape and
checks it with ``projects.loader.parse_portfolio``; every problem is reported by sheet, row and
column (``milestones!F7: ...``), and nothing is stored unless there are none.

An upload is bounded before it is parsed (issue 15.8): at most ``MAX_UNCOMPRESSED`` bytes once
unzipped (the sizes the archive declares; Python's ``zipfile`` never yields more than a member
declares, so a zip bomb cannot lie its way past) in at most ``MAX_MEMBERS`` parts, and at most
``MAX_ROWS`` rows a sheet, counted while reading (a sheet's declared dimension may lie).
``duban import`` on the server reads larger files (``bounded=False``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from api.values import ApiError
from dashboards.cells import plain_row
from projects.model import Portfolio

SHEETS: dict[str, tuple[str, ...]] = {
    "units": ("id", "name", "parent", "level", "contacts"),
    "projects": ("id", "name", "category", "unit", "budget"),
    "milestones": ("project", "id", "name", "kind", "due", "start", "finished", "unit", "progress",
                   "amount", "paid", "updated", "note"),
    "dependencies": ("project", "milestone", "on", "on_project", "lag", "type"),
}
#: Bounds of an uploaded workbook (``read_workbook``): bytes once unzipped, parts, rows a sheet.
MAX_UNCOMPRESSED = 64 * 1024 * 1024
MAX_MEMBERS = 200
MAX_ROWS = 20_000
MAX_COLUMNS = 64
_DATES = {"due", "start", "finished", "updated"}
_NUMBERS = {"budget", "amount", "paid", "lag", "progress"}


@dataclass(frozen=True, slots=True)
class CellProblem:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.column}{self.row}: {self.message}"


class WorkbookError(ApiError, ValueError):
    """Every problem of an uploaded workbook, each with its sheet, row and column."""

    def __init__(self, problems: Sequence[CellProblem]) -> None:
        self.problems = tuple(problems)
        n = len(self.problems)
        super().__init__(f"the workbook has {n} problem{'s' if n != 1 else ''}; nothing was imported:\n"
                         + "\n".join(f"  {p}" for p in self.problems))

    def summary(self) -> str:
        return str(self).splitlines()[0]

    def details(self) -> dict[str, Any]:
        return {"problems": [{"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.message}
                             for p in self.problems]}


def template_workbook() -> bytes:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    examples = {
        "units": [("city", "市人民政府", None, "city", None),
                  ("transport", "市交通运输局", "city", "city", "mailto://jt@transport.example")],
        "projects": [("P001", "海东大道改造工程", "project", "transport", 120000000)],
        "milestones": [("P001", "approval", "立项批复", "approval", dt.date(2026, 2, 10), None, None, None, None, None, None, None, None),
                       ("P001", "tender", "施工招标", "tendering", dt.date(2026, 4, 30), dt.date(2026, 3, 2), None, None, 0.35, None, None, None, None)],
        "dependencies": [("P001", "tender", "approval", None, 0, "FS")],
    }
    for name, columns in SHEETS.items():
        ws = wb.create_sheet(name)
        ws.append(list(columns))
        for row in examples[name]:
            ws.append(list(row))
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: Any, column: str) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if column in _DATES and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if column == "progress" and isinstance(value, str) and value.endswith("%"):
        return float(value[:-1]) / 100
    if column in _NUMBERS and isinstance(value, str):
        return float(value)
    if column == "lag" and value is not None:
        return int(value)
    return value


_NOT_XLSX = "不是 .xlsx 工作簿 — not an .xlsx workbook"
_TEMPLATE = "请下载模板 /api/portfolio/template.xlsx — download the template at /api/portfolio/template.xlsx"
_LARGER = "更大的文件请在服务器上用 `duban import FILE` 导入 — import larger files on the server with `duban import FILE`"


def _check_archive(content: bytes, source: str) -> None:
    """Refuse, before anything is parsed, a file that is no zip or unzips beyond the bounds."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise WorkbookError([CellProblem(source, 0, "", f"{_NOT_XLSX} ({exc.__class__.__name__}); {_TEMPLATE}")]) from None
    if len(parts) > MAX_MEMBERS:
        raise WorkbookError([CellProblem(source, 0, "", f"工作簿包含 {len(parts)} 个部件，最多 {MAX_MEMBERS} 个 — "
                                         f"the workbook has {len(parts)} parts, at most {MAX_MEMBERS} are read; {_TEMPLATE}")])
    size = sum(p.file_size for p in parts)
    if size > MAX_UNCOMPRESSED:
        mb, limit = size / 2**20, MAX_UNCOMPRESSED // 2**20
        raise WorkbookError([CellProblem(source, 0, "", f"工作簿解压后 {mb:,.0f} MB，超过上限 {limit} MB，未导入 — "
                                         f"the workbook unzips to {mb:,.0f} MB, more than the {limit} MB allowed; "
                                         f"nothing was imported; {_LARGER}")])


def _too_many_rows(sheet: str) -> WorkbookError:
    return WorkbookError([CellProblem(sheet, MAX_ROWS + 2, "", f"工作表 {sheet} 超过 {MAX_ROWS} 行，未导入 — "
                                      f"the sheet {sheet!r} has more than {MAX_ROWS} rows, the most an upload may "
                                      f"have; nothing was imported; {_LARGER}")])


def read_workbook(content: bytes, *, today: dt.date, source: str, bounded: bool = True,
                  progress: Callable[[str, int, int], None] | None = None) -> Portfolio:
    """A checked portfolio from an uploaded workbook, or ``WorkbookError`` listing every problem.

    ``bounded`` (uploads): refuse a workbook beyond ``MAX_UNCOMPRESSED``, ``MAX_MEMBERS`` or
    ``MAX_ROWS`` before reading what lies beyond (``duban import`` on the server passes False).
    """
    if bounded:
        _check_archive(content, source)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookError([CellProblem(source, 0, "", f"{_NOT_XLSX} ({exc.__class__.__name__}); {_TEMPLATE}")]) from None
    problems: list[CellProblem] = []
    rows: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for sheet, columns in SHEETS.items():
        if sheet not in wb.sheetnames:
            problems.append(CellProblem(sheet, 0, "", f"the sheet {sheet!r} is missing; the template has "
                                        f"{', '.join(SHEETS)}"))
            continue
        ws = wb[sheet]
        declared = max((ws.max_row or 1) - 1, 0)
        if bounded and declared > MAX_ROWS:  # the sheet says so itself: refuse before reading a row
            raise _too_many_rows(sheet)
        # Read every row the sheet holds, not only those its declared dimension admits (which
        # may be wrong: openpyxl would silently drop the rest); rows are counted as they come.
        ws.reset_dimensions()  # type: ignore[union-attr]
        # Never wider than our columns: a sheet that declares XFD as its last column would
        # otherwise pad every row to 16,384 cells.
        it = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header = [str(h).strip() if h is not None else "" for h in next(it, ())]
        index = {}
        for c in columns:
            if c in header:
                index[c] = header.index(c)
            elif c in {"id", "name", "project", "milestone", "on", "kind", "category", "unit"} and not (sheet == "milestones" and c == "unit"):
                problems.append(CellProblem(sheet, 1, "", f"no column {c!r}; the columns are {', '.join(columns)}"))
        out = []
        total = declared
        for r, values in enumerate(it, start=2):
            if bounded and r > MAX_ROWS + 1:  # the declared size was wrong (or absent)
                raise _too_many_rows(sheet)
            if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            record: dict[str, Any] = {}
            for c, i in index.items():
                raw = values[i] if i < len(values) else None
                try:
                    record[c] = _cell(raw, c)
                except ValueError:
                    want = "an ISO date like 2026-04-30" if c in _DATES else "a number"
                    problems.append(CellProblem(sheet, r, get_column_letter(i + 1), f"{c} {raw!r} is not {want}"))
            out.append((r, record))
            if progress is not None and r % 500 == 0:
                progress(sheet, r - 1, total)
        if progress is not None:
            progress(sheet, len(out), len(out))
        rows[sheet] = out
    problems.extend(_orphans(rows))
    if problems:
        raise WorkbookError(problems)
    data, places = _assemble(rows)
    loader = __import__("projects.loader", fromlist=["parse_portfolio"])
    errors = __import__("projects.errors", fromlist=["PortfolioError"])
    try:
        return loader.parse_portfolio(data, today=today, source=source)  # type: ignore[no-any-return]
    except errors.PortfolioError as exc:
        raise WorkbookError([_locate(p.where, p.message, places) for p in exc.problems]) from None


def _assemble(rows: dict[str, list[tuple[int, dict[str, Any]]]]) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """The portfolio-file shape, and where each of its paths came from (sheet, row)."""
    places: dict[str, tuple[str, int]] = {}
    units = []
    for i, (r, u) in enumerate(rows.get("units", [])):
        contacts = [c.strip() for c in str(u.get("contacts") or "").replace("\n", ",").split(",") if c.strip()]
        units.append({k: v for k, v in {**u, "contacts": contacts}.items() if v not in (None, [])})
        places[f"units[{i}]"] = ("units", r)
    projects: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for i, (r, p) in enumerate(rows.get("projects", [])):
        project = {k: v for k, v in p.items() if v is not None} | {"milestones": []}
        projects.append(project)
        by_id.setdefault(str(p.get("id")), project)
        places[f"projects[{i}]"] = ("projects", r)
    milestone_at: dict[tuple[str, str], dict[str, Any]] = {}
    for r, m in rows.get("milestones", []):
        project = by_id.get(str(m.get("project")))
        if project is None:
            continue  # reported by _orphans
        ms = {k: v for k, v in m.items() if k != "project" and v is not None}
        project["milestones"].append(ms)
        pi = projects.index(project)
        places[f"projects[{pi}].milestones[{len(project['milestones']) - 1}]"] = ("milestones", r)
        milestone_at[(str(m.get("project")), str(m.get("id")))] = ms
    for r, d in rows.get("dependencies", []):
        ms = milestone_at.get((str(d.get("project")), str(d.get("milestone"))))
        if ms is None:
            continue
        dep: dict[str, Any] = {"id": d.get("on")}
        if d.get("lag"):
            dep["lag"] = f"{int(d['lag'])} workdays"
        if d.get("on_project"):
            dep["project"] = d["on_project"]
        if d.get("type"):
            dep["type"] = str(d["type"])
        ms.setdefault("after", []).append(dep)
        ms.setdefault("_dep_rows", []).append(r)
    for ms in milestone_at.values():
        ms.pop("_dep_rows", None)
    return {"units": units, "projects": projects}, places


def _orphans(rows: dict[str, list[tuple[int, dict[str, Any]]]]) -> list[CellProblem]:
    """Milestones of unknown projects and dependencies of unknown milestones."""
    import difflib  # noqa: PLC0415

    pids = [str(p.get("id")) for _, p in rows.get("projects", [])]
    keys = {(str(m.get("project")), str(m.get("id"))) for _, m in rows.get("milestones", [])}
    out = []
    for r, m in rows.get("milestones", []):
        if str(m.get("project")) not in pids:
            near = difflib.get_close_matches(str(m.get("project")), pids, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            out.append(CellProblem("milestones", r, "A", f"no project {m.get('project')!r} on the projects sheet{hint}"))
    for r, d in rows.get("dependencies", []):
        if (str(d.get("project")), str(d.get("milestone"))) not in keys:
            out.append(CellProblem("dependencies", r, "B",
                                   f"no milestone {d.get('milestone')!r} of {d.get('project')!r} on the milestones sheet"))
    return out


_FIELD_SHEET = {"after": "dependencies"}


def _locate(where: str, message: str, places: dict[str, tuple[str, int]]) -> CellProblem:
    """``projects[3].milestones[2].due`` -> the milestones sheet, its row, the ``due`` column."""
    best = ""
    for path in places:
        if (where == path or where.startswith((path + ".", path + "["))) and len(path) > len(best):
            best = path
    if not best:
        return CellProblem("portfolio", 0, "", f"{where}: {message}")
    sheet, row = places[best]
    rest = where[len(best):].lstrip(".")
    field = re.split(r"[.\[]", rest)[0] if rest else ""
    columns = SHEETS[sheet]
    column = get_column_letter(columns.index(field) + 1) if field in columns else ""
    if field in _FIELD_SHEET:
        return CellProblem(_FIELD_SHEET[field], 0, "", f"for {sheet} row {row}: {message}")
    return CellProblem(sheet, row, column, message)


class _Sheet:
    """Appends rows to a worksheet as plain values (``dashboards.cells.plain_row``): texts are
    string cells, never formulas, without the control characters Excel cannot hold.

    Notes and names typed by users (or pasted from other systems) may carry them; a cell with
    one would make openpyxl refuse the whole export.
    """

    __slots__ = ("_ws",)

    def __init__(self, wb: Workbook, title: str) -> None:
        self._ws = wb.create_sheet(title)

    def append(self, row: Sequence[Any]) -> None:
        self._ws.append(plain_row(self._ws, row))  # text stays text: no formula injection


def export_workbook(portfolio: Portfolio, findings: Sequence[Any], scores: Any) -> bytes:
    """The portfolio, the current findings and the rankings as one workbook."""
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    ws = _Sheet(wb, "units")
    ws.append(list(SHEETS["units"]))
    for u in portfolio.units:
        ws.append([u.id, u.name, u.parent, u.level, ", ".join(u.contacts)])
    ws = _Sheet(wb, "projects")
    ws.append(list(SHEETS["projects"]))
    for p in portfolio.projects:
        ws.append([p.id, p.name, p.category.value, p.unit, p.budget])
    ms = _Sheet(wb, "milestones")
    ms.append(list(SHEETS["milestones"]))
    deps = _Sheet(wb, "dependencies")
    deps.append(list(SHEETS["dependencies"]))
    for p in portfolio.projects:
        for m in p.milestones:
            ms.append([p.id, m.id, m.name, m.kind.value, m.due, m.start, m.finished, m.unit, m.progress,
                       m.amount, m.paid, m.updated, m.note])
            for d in m.after:
                deps.append([p.id, m.id, d.on, d.project, d.lag, d.type])
    ws = _Sheet(wb, "findings")
    ws.append(["level", "rule", "subject", "project", "unit", "message", "respond_by"])
    for f in findings:
        ws.append([f.level, f.rule, f.subject, f.project, f.unit, f.message, f.respond_by])
    ws = _Sheet(wb, "rankings")
    ws.append(["score", "rank", "unit", "value"])
    for name, table in (scores or {}).items():
        for i, row in enumerate(table if isinstance(table, list) else [], start=1):
            if isinstance(row, dict):
                ws.append([name, row.get("rank", i), row.get("unit") or row.get("id"), row.get("value")])
    return _save(wb)
