"""Excel workbooks: the template, all-or-nothing imports, and exports.

A workbook has one sheet each for units, projects, milestones and dependencies. The columns of
the first three are the catalogue's file keys (``projects.catalogue``), in its order, headed
Chinese first (``计划完成（due）``); an import reads a column by that header, by the key alone
or by the Chinese label alone. An import reads every sheet into the portfolio-file shape and
checks it with ``projects.loader.parse_portfolio`` (the fields' one validator each); every
problem is reported by sheet, row and column (``milestones!F7: ...``), and nothing is stored
unless there are none.

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
from enum import Enum
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from api.values import ApiError
from dashboards.cells import plain_row
from projects import catalogue
from projects.cadence import Cadence
from projects.catalogue import Field
from projects.errors import PortfolioError
from projects.loader import parse_portfolio
from projects.model import Portfolio


def _columns(fields: tuple[Field, ...], skip: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(f.file_key for f in fields if f.file_key is not None and f.name not in skip)


#: The dependency sheet (one row per ``after`` entry): the milestone, then what it follows
#: (``catalogue.DEPENDENCY``; its ``project`` is the ``on_project`` column, the sheet's own
#: ``project`` being the milestone's).
_DEPENDENCY_LABELS = {"milestone": ("节点", "milestone")} | {
    "on_project" if f.name == "project" else f.name: (f.zh, f.en) for f in catalogue.DEPENDENCY}
SHEETS: dict[str, tuple[str, ...]] = {
    "units": _columns(catalogue.UNIT),
    "projects": _columns(catalogue.PROJECT, skip=("milestones",)),
    "milestones": ("project", *_columns(catalogue.MILESTONE, skip=("after",))),
    "dependencies": ("project", *_DEPENDENCY_LABELS),
    "people": _columns(catalogue.PERSON),  # version 2 (issue 12)
    "extensions": _columns(catalogue.EXTENSION),
}
#: Sheets a workbook may leave out (those of version 2: a version 1 workbook still imports).
OPTIONAL_SHEETS = frozenset({"people", "extensions"})
_RECORDS = {"units": catalogue.UNIT, "projects": catalogue.PROJECT, "milestones": catalogue.MILESTONE,
            "people": catalogue.PERSON, "extensions": catalogue.EXTENSION}
#: Columns a sheet cannot do without.
_REQUIRED = {sheet: {"project"} | {f.file_key for f in fields if f.required and f.file_key is not None}
             for sheet, fields in _RECORDS.items()} | {"dependencies": {"project", "milestone", "on"}}
for _sheet in ("projects", "people", "extensions"):
    _REQUIRED[_sheet].discard("project")
#: Cells holding several unit ids (comma- or 、-separated) and yes/no words.
_LISTS = frozenset({"co_units"})
#: A milestone's co-units cell saying "explicitly none" (an empty cell means "the project's").
NO_CO_UNITS = "无"
_NONE_WORDS = frozenset({NO_CO_UNITS, "none", "-"})
_YES = {"true": True, "yes": True, "是": True, "false": False, "no": False, "否": False}
#: Bounds of an uploaded workbook (``read_workbook``): bytes once unzipped, parts, rows a sheet.
MAX_UNCOMPRESSED = 64 * 1024 * 1024
MAX_MEMBERS = 200
MAX_ROWS = 20_000
MAX_COLUMNS = 64


def _labels(sheet: str) -> dict[str, str]:
    """Column -> its Chinese label."""
    if sheet == "dependencies":
        return {"project": "项目", **{c: zh for c, (zh, _) in _DEPENDENCY_LABELS.items()}}
    labels = {f.file_key: f.zh for f in _RECORDS[sheet] if f.file_key is not None}
    return {"project": "项目", **labels}


def headers(sheet: str) -> list[str]:
    """The header row of ``sheet``: Chinese first, the column's key in brackets."""
    labels = _labels(sheet)
    return [f"{labels[c]}（{c}）" for c in SHEETS[sheet]]


def _column_of(header: str, sheet: str) -> str:
    """The column a header names: ``计划完成（due）``, ``due`` or ``计划完成``."""
    for open_, close in (("（", "）"), ("(", ")")):
        if header.endswith(close) and open_ in header:
            return header[header.rindex(open_) + 1:-1].strip()
    by_label = {zh: c for c, zh in _labels(sheet).items()}
    return by_label.get(header, header)


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
    wb.remove(wb.active)
    examples: dict[str, list[dict[str, Any]]] = {
        "units": [{"id": "city", "name": "市人民政府", "level": "city"},
                  {"id": "transport", "name": "市交通运输局", "parent": "city", "level": "city",
                   "contacts": "mailto://jt@transport.example"}],
        "projects": [{"id": "P001", "name": "海东大道改造工程", "category": "project", "unit": "transport",
                      "budget": 120000000, "person": "wang", "report_every": "1 months"}],
        "milestones": [{"project": "P001", "id": "approval", "name": "立项批复", "kind": "approval",
                        "due": dt.date(2026, 2, 10)},
                       {"project": "P001", "id": "tender", "name": "施工招标", "kind": "tendering",
                        "due": dt.date(2026, 4, 30), "start": dt.date(2026, 3, 2), "progress": 0.35}],
        "dependencies": [{"project": "P001", "milestone": "tender", "on": "approval", "lag": 0, "type": "FS"}],
        "people": [{"id": "wang", "name": "王某", "unit": "transport", "post": "副局长"}],
        "extensions": [],
    }
    for name, columns in SHEETS.items():
        ws = wb.create_sheet(name)
        ws.append(headers(name))
        for row in examples[name]:
            ws.append([row.get(c) for c in columns])
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: Any, column: str) -> Any:
    """A cell as the portfolio file would hold it: text stripped (empty is absent), dates as
    dates. Everything else is the field validators' to judge, with the file's words; only a
    dependency's lag, a whole number of working days, is read here."""
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if column == "lag" and value is not None:
        number = float(value)
        if not number.is_integer():
            raise ValueError(value)
        return int(number)
    if column in _LISTS and isinstance(value, str):
        if value.lower() in _NONE_WORDS:
            return []
        return [u.strip() for u in re.split(r"[,，、\n]", value) if u.strip()]
    if column == "urgent" and isinstance(value, str):
        return _YES.get(value.lower(), value)  # another word: the validator says what is right
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
            if sheet in OPTIONAL_SHEETS:
                continue
            problems.append(CellProblem(sheet, 0, "", f"the sheet {sheet!r} is missing; the template has "
                                        f"{', '.join(SHEETS)}"))
            continue
        ws = wb[sheet]
        declared = max((ws.max_row or 1) - 1, 0)
        if bounded and declared > MAX_ROWS:  # the sheet says so itself: refuse before reading a row
            raise _too_many_rows(sheet)
        # Read every row the sheet holds, not only those its declared dimension admits (which
        # may be wrong: openpyxl would silently drop the rest); rows are counted as they come.
        ws.reset_dimensions()
        # Never wider than our columns: a sheet that declares XFD as its last column would
        # otherwise pad every row to 16,384 cells.
        it = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header = [_column_of(str(h).strip(), sheet) if h is not None else "" for h in next(it, ())]
        index = {}
        for c in columns:
            if c in header:
                index[c] = header.index(c)
            elif c in _REQUIRED[sheet]:
                problems.append(CellProblem(sheet, 1, "", f"缺少「{_labels(sheet)[c]}」列 — no column {c!r}; "
                                            f"the columns are {', '.join(columns)}"))
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
                    problems.append(CellProblem(sheet, r, get_column_letter(i + 1),
                                                f"间隔应为整数个工作日 — {c} {raw!r} is not a whole number of working days"))
            out.append((r, record))
            if progress is not None and r % 500 == 0:
                progress(sheet, r - 1, total)
        if progress is not None:
            progress(sheet, len(out), len(out))
        rows[sheet] = out
    if problems:  # a sheet or a column is missing: the rows cannot be read as records
        raise WorkbookError(problems)
    problems.extend(_orphans(rows))  # rows left out of the portfolio; the rest is still checked
    data, places = _assemble(rows)
    try:
        portfolio = parse_portfolio(data, today=today, source=source)
    except PortfolioError as exc:
        problems.extend(_locate(p.where, p.bilingual(), places) for p in exc.problems)
    if problems:
        raise WorkbookError(problems)
    return portfolio


def _assemble(rows: dict[str, list[tuple[int, dict[str, Any]]]]) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """The portfolio-file shape, and where each of its paths came from (sheet, row)."""
    places: dict[str, tuple[str, int]] = {}
    units = []
    for i, (r, u) in enumerate(rows.get("units", [])):
        contacts = [c.strip() for c in str(u.get("contacts") or "").replace("\n", ",").split(",") if c.strip()]
        units.append({k: v for k, v in {**u, "contacts": contacts}.items() if v not in (None, [])})
        places[f"units[{i}]"] = ("units", r)
    people = []
    for i, (r, x) in enumerate(rows.get("people", [])):
        people.append({k: v for k, v in x.items() if v is not None})
        places[f"people[{i}]"] = ("people", r)
    extensions = []
    for i, (r, e) in enumerate(rows.get("extensions", [])):
        extensions.append({k: v for k, v in e.items() if v is not None})
        places[f"extensions[{i}]"] = ("extensions", r)
    projects: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for i, (r, p) in enumerate(rows.get("projects", [])):
        project = {k: v for k, v in p.items() if v is not None} | {"milestones": []}
        projects.append(project)
        by_id.setdefault(str(p.get("id")), project)
        places[f"projects[{i}]"] = ("projects", r)
    milestone_at: dict[tuple[str, str], dict[str, Any]] = {}
    for r, m in rows.get("milestones", []):
        owner = by_id.get(str(m.get("project")))
        if owner is None:
            continue  # reported by _orphans
        ms = {k: v for k, v in m.items() if k != "project" and v is not None}
        owner["milestones"].append(ms)
        pi = projects.index(owner)
        places[f"projects[{pi}].milestones[{len(owner['milestones']) - 1}]"] = ("milestones", r)
        milestone_at[(str(m.get("project")), str(m.get("id")))] = ms
    for r, d in rows.get("dependencies", []):
        held = milestone_at.get((str(d.get("project")), str(d.get("milestone"))))
        if held is None:
            continue
        dep: dict[str, Any] = {"id": d.get("on")}
        if d.get("lag"):
            dep["lag"] = f"{int(d['lag'])} workdays"
        if d.get("on_project"):
            dep["project"] = d["on_project"]
        if d.get("type"):
            dep["type"] = str(d["type"])
        held.setdefault("after", []).append(dep)
        held.setdefault("_dep_rows", []).append(r)
    for ms in milestone_at.values():
        ms.pop("_dep_rows", None)
    data: dict[str, Any] = {"units": units, "projects": projects}
    if people:
        data["people"] = people
    if extensions:
        data["extensions"] = extensions
    return data, places


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


def _exported(value: Any) -> Any:
    """A model value as a cell: a choice by its word, contacts as one comma-separated text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    if isinstance(value, Cadence):
        return str(value)
    return value


def export_workbook(portfolio: Portfolio, findings: Sequence[Any], scores: Any, *,
                    anchor: str | None = None) -> bytes:
    """The portfolio, the current findings and the rankings as one workbook; ``anchor``
    (the audit chain's ``N:HEAD``) goes into its document properties."""
    wb = Workbook()
    if anchor is not None:
        from openpyxl.packaging.custom import StringProperty  # noqa: PLC0415

        wb.custom_doc_props.append(StringProperty(name="duban audit anchor", value=anchor))
    wb.remove(wb.active)
    ws = _Sheet(wb, "units")
    ws.append(headers("units"))
    for u in portfolio.units:
        ws.append([_exported(getattr(u, c)) for c in SHEETS["units"]])
    ws = _Sheet(wb, "projects")
    ws.append(headers("projects"))
    for p in portfolio.projects:
        ws.append([_exported(getattr(p, c)) for c in SHEETS["projects"]])
    ms = _Sheet(wb, "milestones")
    ms.append(headers("milestones"))
    deps = _Sheet(wb, "dependencies")
    deps.append(headers("dependencies"))
    for p in portfolio.projects:
        for m in p.milestones:
            ms.append([NO_CO_UNITS if c == "co_units" and m.co_units == () else _exported(getattr(m, c))
                       for c in SHEETS["milestones"]])
            for d in m.after:
                deps.append([p.id, m.id, d.on, d.project, d.lag, d.type])
    for sheet, records in (("people", portfolio.people), ("extensions", portfolio.extensions)):
        ws = _Sheet(wb, sheet)
        ws.append(headers(sheet))
        for x in records:
            ws.append([_exported(getattr(x, c)) for c in SHEETS[sheet]])
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
