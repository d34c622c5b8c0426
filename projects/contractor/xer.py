"""Read a Primavera P6 XER export (tab-separated: ``%T`` table, ``%F`` fields, ``%R`` row).

Every refusal names the table and the row's line in the file (:class:`ScheduleFileError`).
"""

from __future__ import annotations

import datetime as dt
import re

from projects.contractor.model import Activity, Calendar, Link, Schedule, ScheduleFileError

_LINK_TYPES = {"PR_FS": "FS", "PR_SS": "SS", "PR_FF": "FF", "PR_SF": "SF"}
_KINDS = {"TT_Task": "task", "TT_Rsrc": "task", "TT_Mile": "start milestone",
          "TT_FinMile": "finish milestone"}
_STATUS = {"TK_NotStart": "not started", "TK_Active": "started", "TK_Complete": "finished"}
_LAG_CALENDARS = {"rcal_Predecessor": "predecessor", "rcal_Successor": "successor",
                  "rcal_24Hour": "24h", "rcal_ProjDefault": "project"}
_CONSTRAINTS = {"CS_MSO": "start on", "CS_MSOA": "start on or after", "CS_MSOB":
                "start on or before", "CS_MEO": "finish on", "CS_MEOA": "finish on or after",
                "CS_MEOB": "finish on or before", "CS_MANDSTART": "mandatory start",
                "CS_MANDFIN": "mandatory finish", "CS_ALAP": "as late as possible"}
#: P6's secondary constraints: which ones each primary allows (an early-date constraint, on
#: or after, pairs with a late-date one, on or before, and the other way round); the others
#: (start on, finish on, mandatory, as late as possible) take none.
_SECONDARY = {
    "start on or after": ("start on or before", "finish on or before"),
    "finish on or after": ("start on or before", "finish on or before"),
    "start on or before": ("start on or after", "finish on or after"),
    "finish on or before": ("start on or after", "finish on or after"),
}
_CODES = {v: k for k, v in _CONSTRAINTS.items()}
_DAY = re.compile(r"\(0\|\|([1-7])\(\)\(")
_RANGE = re.compile(r"s\|(\d\d):(\d\d)\|f\|(\d\d):(\d\d)")
_EXCEPTION = re.compile(r"\(0\|\|\d+\(d\|(\d+)\)\(")
_STANDARD_DAY = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))
_EPOCH = dt.date(1899, 12, 30)

Row = tuple[int, dict[str, str]]


def _tables(text: str, name: str) -> dict[str, list[Row]]:
    lines = text.splitlines()
    if not lines or not lines[0].startswith("ERMHDR"):
        raise ScheduleFileError(f"{name}:1", "不是 P6 XER 文件（首行应为 ERMHDR）",
                                "not a P6 XER file (the first line should be ERMHDR)")
    tables: dict[str, list[Row]] = {}
    table, fields = "", list[str]()
    for no, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if cells[0] == "%T":
            table, fields = cells[1].strip(), []
            tables.setdefault(table, [])
        elif cells[0] == "%F":
            fields = [c.strip() for c in cells[1:]]
        elif cells[0] == "%R":
            if not fields:
                raise ScheduleFileError(f"{name}:{no} ({table or '?'})", "数据行之前缺少 %F 字段行",
                                        "a %R row before the table's %F field line")
            values = cells[1:]
            if len(values) > len(fields):
                raise ScheduleFileError(f"{name}:{no} ({table})",
                                        f"该行有 {len(values)} 列，字段只有 {len(fields)} 个",
                                        f"the row has {len(values)} cells for {len(fields)} fields")
            tables[table].append((no, dict(zip(fields, values + [""] * (len(fields) - len(values)),
                                                strict=True))))
        elif cells[0] == "%E":
            return tables
    raise ScheduleFileError(f"{name}:{len(lines)}", "文件被截断（缺少结尾的 %E 行）",
                            "the file is truncated (no closing %E line)")


def _time(value: str, where: str, field: str) -> dt.datetime | None:
    if not value.strip():
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise ScheduleFileError(where, f"{field} 不是日期时间 YYYY-MM-DD HH:MM：{value!r}",
                                f"{field} is not a date and time YYYY-MM-DD HH:MM: {value!r}") from None


def _hours(value: str, where: str, field: str, *, required: bool = True) -> float | None:
    if not value.strip():
        if required:
            raise ScheduleFileError(where, f"缺少 {field}", f"{field} is missing")
        return None
    try:
        return float(value)
    except ValueError:
        raise ScheduleFileError(where, f"{field} 不是数字：{value!r}",
                                f"{field} is not a number: {value!r}") from None


def _ranges(body: str) -> tuple[tuple[int, int], ...]:
    out = []
    for h1, m1, h2, m2 in _RANGE.findall(body):
        start, end = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
        out.append((start, end if end > start else 24 * 60))
    return tuple(sorted(out))


def _calendar(cid: str, row: dict[str, str]) -> Calendar:
    data = row.get("clndr_data", "")
    weekly: list[tuple[tuple[int, int], ...]] = [_STANDARD_DAY] * 5 + [()] * 2
    week_part, _, exc_part = data.partition("Exceptions()")
    week_part = week_part.partition("VIEW(")[0]
    marks = list(_DAY.finditer(week_part))
    days = [(m.group(1), week_part[m.end():(marks[i + 1].start() if i + 1 < len(marks) else None)])
            for i, m in enumerate(marks)]
    if days:
        weekly = [()] * 7
        for number, body in days:  # P6 numbers the days 1 = Sunday ... 7 = Saturday
            weekly[(int(number) + 5) % 7] = _ranges(body)
    marks = list(_EXCEPTION.finditer(exc_part))
    exceptions = {
        _EPOCH + dt.timedelta(days=int(m.group(1))):
            _ranges(exc_part[m.end():(marks[i + 1].start() if i + 1 < len(marks) else None)])
        for i, m in enumerate(marks)}
    day_hours = float(row.get("day_hr_cnt") or 8)
    return Calendar(cid, row.get("clndr_name", cid), tuple(weekly), exceptions, day_hours)


def _second_constraint(row: dict[str, str], where: str) -> str | None:
    """The secondary constraint ``cstr_type2``, refused where P6 would not allow it: without a
    primary, unknown, without its date, or in a pairing P6 does not offer."""
    code, primary = row.get("cstr_type2", "").strip(), _CONSTRAINTS.get(row.get("cstr_type", ""))
    if not code:
        return None
    second = _CONSTRAINTS.get(code)
    if second is None:
        raise ScheduleFileError(where, f"未知的次要限制条件 cstr_type2 {code!r}",
                                f"unknown secondary constraint cstr_type2 {code!r}")
    if primary is None:
        raise ScheduleFileError(where, f"有次要限制条件 {code} 却没有主要限制条件 cstr_type（P6 要求先设主要限制条件）",
                                f"a secondary constraint {code} without a primary cstr_type "
                                "(P6 sets a primary first)")
    allowed = _SECONDARY.get(primary, ())
    if second not in allowed:
        ok = "、".join(_CODES[a] for a in allowed) or "无 / none"
        raise ScheduleFileError(where, f"P6 不允许主要限制条件 {row.get('cstr_type')} 与次要限制条件 {code} 搭配（可用：{ok}）",
                                f"P6 does not pair the primary constraint {row.get('cstr_type')} with the "
                                f"secondary {code} (allowed: {ok.replace('、', ', ')})")
    if not row.get("cstr_date2", "").strip():
        raise ScheduleFileError(where, f"次要限制条件 {code} 缺少日期 cstr_date2",
                                f"the secondary constraint {code} has no date cstr_date2")
    return second


def _percent(row: dict[str, str], where: str) -> float:
    """Percent complete as the activity's percent-complete type says: physical, or by
    duration ((planned - remaining) / planned) for duration and units types."""
    if row.get("status_code") == "TK_Complete":
        return 100.0
    if row.get("complete_pct_type") == "CP_Phys":
        return _hours(row.get("phys_complete_pct", "") or "0", where, "phys_complete_pct") or 0.0
    if row.get("status_code") != "TK_Active":
        return 0.0
    planned = _hours(row.get("target_drtn_hr_cnt", "") or "0", where, "target_drtn_hr_cnt") or 0.0
    left = _hours(row.get("remain_drtn_hr_cnt", "") or "0", where, "remain_drtn_hr_cnt") or 0.0
    return round(max(0.0, min(100.0, (planned - left) / planned * 100)), 2) if planned > 0 else 0.0


def _wbs_paths(rows: list[Row]) -> dict[str, str]:
    """Each WBS node's path of short names below the project node (``L1.Wall``)."""
    nodes = {r["wbs_id"]: r for _, r in rows if r.get("wbs_id")}
    out: dict[str, str] = {}
    for wid in nodes:
        parts, at, seen = [], wid, set()
        while at in nodes and at not in seen and nodes[at].get("proj_node_flag") != "Y":
            seen.add(at)
            parts.append(nodes[at].get("wbs_short_name", at))
            at = nodes[at].get("parent_wbs_id", "")
        out[wid] = ".".join(reversed(parts))
    return out


def _codes(tables: dict[str, list[Row]]) -> dict[str, dict[str, str]]:
    """Per task_id, its activity codes as code type name -> code value (short name)."""
    types = {r.get("actv_code_type_id", ""): r.get("actv_code_type", "") for _, r in tables.get("ACTVTYPE", [])}
    values = {r.get("actv_code_id", ""): r.get("short_name", "") for _, r in tables.get("ACTVCODE", [])}
    out: dict[str, dict[str, str]] = {}
    for _, r in tables.get("TASKACTV", []):
        kind, value = types.get(r.get("actv_code_type_id", "")), values.get(r.get("actv_code_id", ""))
        if kind and value is not None:
            out.setdefault(r.get("task_id", ""), {})[kind] = value
    return out


def _money(row: dict[str, str], field: str, where: str) -> float:
    return _hours(row.get(field, "") or "0", where, field) or 0.0


def _assignments(tables: dict[str, list[Row]], name: str, task_ids: set[str]
                 ) -> tuple[dict[str, list[str]], dict[str, float]]:
    """Per task_id, the names of its resources (TASKRSRC with RSRC) and its budgeted cost
    (the assignments' ``target_cost`` and the expenses' ``target_cost`` in PROJCOST)."""
    names = {r.get("rsrc_id", ""): r.get("rsrc_short_name") or r.get("rsrc_name") or r.get("rsrc_id", "")
             for _, r in tables.get("RSRC", [])}
    resources: dict[str, list[str]] = {}
    cost: dict[str, float] = {}
    for table in ("TASKRSRC", "PROJCOST"):
        for no, r in tables.get(table, []):
            key = r.get("taskrsrc_id" if table == "TASKRSRC" else "cost_item_id", "?")
            where = f"{name}:{no} ({table} {key})"
            tid = r.get("task_id", "")
            if tid not in task_ids:
                raise ScheduleFileError(where, f"task_id {tid!r} 指向不存在的作业",
                                        f"task_id {tid!r} names no activity in TASK")
            cost[tid] = cost.get(tid, 0.0) + _money(r, "target_cost", where)
            if table == "PROJCOST":
                continue
            rid = r.get("rsrc_id", "")
            if rid and rid not in names:
                raise ScheduleFileError(where, f"rsrc_id {rid!r} 不在 RSRC 表中",
                                        f"rsrc_id {rid!r} is not in the RSRC table")
            _money(r, "target_qty", where)  # a quantity that is not a number is refused
            if rid or r.get("role_id"):  # a role stands for the resource it will be
                resources.setdefault(tid, []).append(names[rid] if rid else f"role {r['role_id']}")
    return resources, cost


def _projects(rows: list[Row]) -> tuple[Row, Row | None]:
    """The project (the first that is not a baseline of another in the export) and its
    baseline project, if the export holds one: the one its ``sum_base_proj_id`` names, else
    one whose ``orig_proj_id`` names it (P6 marks a baseline with its original's id)."""
    ids = {r.get("proj_id", "") for _, r in rows}
    current = next(((no, r) for no, r in rows if r.get("orig_proj_id", "") not in ids), rows[0])
    cid, bid = current[1].get("proj_id", ""), current[1].get("sum_base_proj_id", "")
    baseline = (next(((no, r) for no, r in rows if bid and r.get("proj_id") == bid and bid != cid), None)
                or next(((no, r) for no, r in rows if cid and r.get("orig_proj_id") == cid
                         and r.get("proj_id") != cid), None))
    return current, baseline


def _baseline_dates(rows: list[Row], name: str) -> dict[str, tuple[dt.datetime | None, dt.datetime | None, float | None]]:
    """Per task_code of a baseline project, its start and finish as P6's baseline columns
    show them (actual, else early, else planned) and its planned duration."""
    out = {}
    for no, r in rows:
        where = f"{name}:{no} (TASK {r.get('task_code', '?')})"
        start = next((t for f in ("act_start_date", "early_start_date", "target_start_date")
                      if (t := _time(r.get(f, ""), where, f))), None)
        finish = next((t for f in ("act_end_date", "early_end_date", "target_end_date")
                       if (t := _time(r.get(f, ""), where, f))), None)
        out[r.get("task_code", "")] = (start, finish, _hours(r.get("target_drtn_hr_cnt", ""), where,
                                                             "target_drtn_hr_cnt", required=False))
    return out


def read_xer(text: str, name: str = "file.xer") -> Schedule:
    """The schedule of the first project in an XER export's text (a baseline project in the
    same export gives its activities' baseline dates instead of their planned dates)."""
    tables = _tables(text, name)
    for needed in ("PROJECT", "CALENDAR", "TASK"):
        if not tables.get(needed):
            raise ScheduleFileError(name, f"缺少 {needed} 表", f"the {needed} table is missing")
    (pline, project), base_project = _projects(tables["PROJECT"])
    base_id = base_project[1].get("proj_id", "") if base_project else None
    base_rows = [(no, r) for no, r in tables["TASK"] if base_id is not None and r.get("proj_id") == base_id]
    base_tasks = {r.get("task_id", "") for _, r in base_rows}
    if base_tasks:  # the baseline's own rows are not the project's activities or links
        tables = {t: [(no, r) for no, r in rows if r.get("task_id") not in base_tasks]
                  if t in {"TASK", "TASKPRED", "TASKRSRC", "PROJCOST", "TASKACTV"} else rows
                  for t, rows in tables.items()}
    baseline = _baseline_dates(base_rows, name)
    pwhere = f"{name}:{pline} (PROJECT)"
    data_date = (_time(project.get("last_recalc_date", ""), pwhere, "last_recalc_date")
                 or _time(project.get("plan_start_date", ""), pwhere, "plan_start_date"))
    if data_date is None:
        raise ScheduleFileError(pwhere, "缺少数据日期 last_recalc_date", "no data date (last_recalc_date)")
    calendars = {row["clndr_id"]: _calendar(row["clndr_id"], row)
                 for _, row in tables["CALENDAR"]}
    options = dict(tables.get("SCHEDOPTIONS", [(0, {})])[0][1])
    lag_calendar = _LAG_CALENDARS.get(options.get("sched_calendar_on_relationship_lag", ""),
                                      "predecessor")
    by_task_id: dict[str, str] = {}
    activities = []
    wbs_paths = _wbs_paths(tables.get("PROJWBS", []))
    codes = _codes(tables)
    resources, cost = _assignments(tables, name, {r.get("task_id", "") for _, r in tables["TASK"]})
    for no, row in tables["TASK"]:
        where = f"{name}:{no} (TASK {row.get('task_code', '?')})"
        kind = _KINDS.get(row.get("task_type", ""))
        if kind is None:
            raise ScheduleFileError(where, f"不支持的作业类型 {row.get('task_type')!r}",
                                    f"unsupported activity type {row.get('task_type')!r}")
        cal = row.get("clndr_id", "")
        if cal not in calendars:
            raise ScheduleFileError(where, f"日历 {cal!r} 不在 CALENDAR 表中",
                                    f"calendar {cal!r} is not in the CALENDAR table")
        status = _STATUS.get(row.get("status_code", ""), "not started")
        code = row.get("task_code", "")
        planned_start = _time(row.get("target_start_date", ""), where, "target_start_date")
        planned_finish = _time(row.get("target_end_date", ""), where, "target_end_date")
        duration = _hours(row.get("target_drtn_hr_cnt", ""), where, "target_drtn_hr_cnt") or 0.0
        base = (baseline.get(code, (None, None, None)) if base_project else
                (planned_start, planned_finish, duration))
        act = Activity(
            id=code, name=row.get("task_name", ""), calendar=cal, duration_hours=duration,
            remaining_hours=_hours(row.get("remain_drtn_hr_cnt", ""), where, "remain_drtn_hr_cnt") or 0.0,
            kind=kind, status=status,
            actual_start=_time(row.get("act_start_date", ""), where, "act_start_date"),
            actual_finish=_time(row.get("act_end_date", ""), where, "act_end_date"),
            constraint=_CONSTRAINTS.get(row.get("cstr_type", "")),
            constraint_date=_time(row.get("cstr_date", ""), where, "cstr_date"),
            constraint2=_second_constraint(row, where) if row.get("cstr_type2") else None,
            constraint2_date=_time(row.get("cstr_date2", ""), where, "cstr_date2") if row.get("cstr_type2") else None,
            file_early_start=_time(row.get("early_start_date", ""), where, "early_start_date"),
            file_early_finish=_time(row.get("early_end_date", ""), where, "early_end_date"),
            file_late_start=_time(row.get("late_start_date", ""), where, "late_start_date"),
            file_late_finish=_time(row.get("late_end_date", ""), where, "late_end_date"),
            file_total_float_hours=_hours(row.get("total_float_hr_cnt", ""), where,
                                          "total_float_hr_cnt", required=False),
            wbs=row.get("wbs_id", ""), wbs_path=wbs_paths.get(row.get("wbs_id", ""), ""),
            codes=codes.get(row.get("task_id", ""), {}),
            file_free_float_hours=_hours(row.get("free_float_hr_cnt", ""), where,
                                         "free_float_hr_cnt", required=False),
            planned_start=planned_start, planned_finish=planned_finish,
            percent_complete=_percent(row, where),
            resources=tuple(resources.get(row.get("task_id", ""), ())),
            cost=cost.get(row.get("task_id", ""), 0.0),
            baseline_start=base[0], baseline_finish=base[1], baseline_duration_hours=base[2])
        by_task_id[row.get("task_id", "")] = act.id
        activities.append(act)
    links = []
    for no, row in tables.get("TASKPRED", []):
        where = f"{name}:{no} (TASKPRED {row.get('task_pred_id', '?')})"
        ends = []
        for field in ("pred_task_id", "task_id"):
            if row.get(field) not in by_task_id:
                raise ScheduleFileError(where, f"{field} {row.get(field)!r} 指向不存在的作业",
                                        f"{field} {row.get(field)!r} names no activity in TASK")
            ends.append(by_task_id[row[field]])
        kind = _LINK_TYPES.get(row.get("pred_type", ""))
        if kind is None:
            raise ScheduleFileError(where, f"未知的逻辑关系类型 {row.get('pred_type')!r}（应为 PR_FS、PR_SS、PR_FF 或 PR_SF）",
                                    f"unknown link type {row.get('pred_type')!r} (PR_FS, PR_SS, PR_FF or PR_SF)")
        links.append(Link(ends[0], ends[1], kind,
                          _hours(row.get("lag_hr_cnt", "") or "0", where, "lag_hr_cnt") or 0.0,
                          where=f"{name}:{no}"))
    return Schedule(name=project.get("proj_short_name", name), data_date=data_date,
                    activities=tuple(activities), links=tuple(links), calendars=calendars,
                    lag_calendar=lag_calendar, default_calendar=project.get("clndr_id", ""),
                    retained_logic=options.get("sched_progress_override", "N") != "Y",
                    must_finish_by=_time(project.get("scd_end_date", ""), pwhere, "scd_end_date"),
                    baseline="p6 project" if base_project else "p6 planned",
                    baseline_name=base_project[1].get("proj_short_name", "") if base_project else "")
