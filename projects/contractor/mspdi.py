"""Read an MS Project XML file (MSPDI, Project 2003 to 2019) into a :class:`Schedule`.

Pure: bytes or text in, values out. The XML is parsed with expat (no DTD, no entities: a file
that declares one is refused) into a small tree that remembers each element's line, so every
refusal says the element and its line (:class:`ScheduleFileError`).

MS Project's conventions, as this reader maps them:

- calendars: ``WeekDays`` (DayType 1 = Sunday ... 7 = Saturday; DayType 0 the exceptions of
  Project 2003), ``WorkWeeks`` for date ranges, ``Exceptions`` (one-off and daily, weekly,
  monthly and yearly recurrences), base calendars inherited by derived ones; a working day
  without ``WorkingTimes`` is Project's default 08:00-12:00, 13:00-17:00;
- durations are ISO 8601 working time (``PT8H0M0S``); an elapsed duration format puts the task
  on a 24-hour calendar; lags (``LinkLag``) are tenths of a minute counted on the successor's
  calendar (elapsed formats on 24 hours), or percent of the predecessor's duration;
- link types 0 FF, 1 FS, 2 SF, 3 SS; constraints 0 ASAP ... 7 FNLT;
- a task with an actual finish is finished, with an actual start started (its remaining work
  resumes at ``Resume``); unstarted tasks start no earlier than the project start; summary and
  null tasks are not scheduled: a summary starts with its earliest leaf task and finishes with
  its latest, a link into a summary constrains every leaf task under it, a link from a summary
  is driven by its finish (FS, FF: a link from every leaf) or its start (SS, SF: a link from the
  summary, whose leaves ``Schedule.summaries`` lists; the CPM starts it with its earliest leaf);
  a percent lag from a summary is a percent of the summary's duration;
- slack (``TotalSlack``, ``FreeSlack``) is in tenths of a minute of working time;
- the baseline is ``Task/Baseline`` with ``Number`` 0 (its Start, Finish and Duration);
- resources are the ``Assignments`` that name a ``Resources`` entry; cost is the task's ``Cost``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from xml.parsers import expat

from projects.contractor.model import Activity, Calendar, Link, Schedule, ScheduleFileError

_NS = "http://schemas.microsoft.com/project"
_LINK_TYPES = {"0": "FF", "1": "FS", "2": "SF", "3": "SS"}
_CONSTRAINTS = {"0": None, "1": "as late as possible", "2": "mandatory start",
                "3": "mandatory finish", "4": "start on or after", "5": "start on or before",
                "6": "finish on or after", "7": "finish on or before"}
#: Duration and lag formats that count elapsed (24-hour) time, and those that are percents.
_ELAPSED = {"4", "6", "8", "10", "12", "20", "36", "38", "40", "42", "44", "52"}
_PERCENT = {"19", "20", "51", "52"}
_DEFAULT_DAY = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))
_DURATION = re.compile(r"^(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?"
                       r"(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
ALWAYS_ID = "24h"
_ALWAYS = Calendar(ALWAYS_ID, "24 小时 / 24 hours", (((0, 24 * 60),),) * 7, {}, 24.0)


@dataclass
class _El:
    tag: str
    line: int
    children: list[_El] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> _El | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list[_El]:
        return [c for c in self.children if c.tag == tag]

    def get(self, tag: str, default: str = "") -> str:
        got = self.find(tag)
        return got.text.strip() if got is not None else default


def _parse(data: bytes, name: str) -> _El:
    parser = expat.ParserCreate(namespace_separator="}")
    stack: list[_El] = []
    root: list[_El] = []

    def start(tag: str, _attrs: dict[str, str]) -> None:
        el = _El(tag.rpartition("}")[2], parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(el)
        else:
            root.append(el)
        stack.append(el)

    def end(_tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        if stack:
            stack[-1].text += text

    def doctype(*_args: object) -> None:
        raise ScheduleFileError(f"{name}:{parser.CurrentLineNumber} (<!DOCTYPE>)",
                                "MSPDI 文件不应声明 DTD 或实体，已拒绝",
                                "an MSPDI file declares no DTD or entities; refused")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        line = exc.lineno
        # truncated: the error lies in the last, unfinished token (nothing complete after it)
        at_end = b">" not in data[max(parser.ErrorByteIndex, 0):] and bool(stack)
        if root and at_end:
            raise ScheduleFileError(f"{name}:{line} (<{stack[-1].tag if stack else '?'}>)",
                                    "文件被截断（XML 在元素结束之前中断）",
                                    "the file is truncated (the XML ends inside an element)") from None
        raise ScheduleFileError(f"{name}:{line}",
                                f"不是格式正确的 XML（第 {line} 行第 {exc.offset + 1} 列：{expat.errors.messages[exc.code]}）",
                                f"not well-formed XML (line {line}, column {exc.offset + 1}: "
                                f"{expat.errors.messages[exc.code]})") from None
    if not root or root[0].tag != "Project":
        got = root[0].tag if root else "?"
        raise ScheduleFileError(f"{name}:{root[0].line if root else 1} (<{got}>)",
                                f"不是 MS Project XML（根元素应为 <Project>，实为 <{got}>）",
                                f"not MS Project XML (the root element should be <Project>, not <{got}>)")
    return root[0]


def _where(name: str, el: _El) -> str:
    return f"{name}:{el.line} (<{el.tag}>)"


def _time(el: _El, tag: str, name: str) -> dt.datetime | None:
    value = el.get(tag)
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        where = _where(name, el.find(tag) or el)
        raise ScheduleFileError(where, f"{tag} 不是日期时间 YYYY-MM-DDTHH:MM:SS：{value!r}",
                                f"{tag} is not a date and time YYYY-MM-DDTHH:MM:SS: {value!r}") from None


def _clock(value: str, where: str) -> int:
    try:
        t = dt.time.fromisoformat(value)
    except ValueError:
        raise ScheduleFileError(where, f"不是时刻 HH:MM:SS：{value!r}",
                                f"not a time of day HH:MM:SS: {value!r}") from None
    return t.hour * 60 + t.minute


def _number(el: _El, tag: str, name: str, default: float = 0.0) -> float:
    value = el.get(tag)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ScheduleFileError(_where(name, el.find(tag) or el), f"{tag} 不是数字：{value!r}",
                                f"{tag} is not a number: {value!r}") from None


def _hours(el: _El, tag: str, name: str) -> float | None:
    """An ISO 8601 duration element in hours (a day counts 24 hours, as Project writes it)."""
    value = el.get(tag)
    if not value:
        return None
    m = _DURATION.match(value)
    if not m:
        raise ScheduleFileError(_where(name, el.find(tag) or el),
                                f"{tag} 不是 ISO 8601 时长（如 PT8H0M0S）：{value!r}",
                                f"{tag} is not an ISO 8601 duration (such as PT8H0M0S): {value!r}")
    sign, d, h, mi, se = m.groups()
    hours = float(d or 0) * 24 + float(h or 0) + float(mi or 0) / 60 + float(se or 0) / 3600
    return -hours if sign else hours


def _ranges(day: _El, name: str) -> tuple[tuple[int, int], ...] | None:
    """A day's working ranges; None when the element leaves them to the base calendar."""
    working = day.get("DayWorking")
    if working == "0":
        return ()
    times = day.find("WorkingTimes")
    out = []
    for wt in times.all("WorkingTime") if times is not None else []:
        lo, hi = wt.get("FromTime"), wt.get("ToTime")
        if not lo or not hi:
            continue
        s, e = _clock(lo, _where(name, wt)), _clock(hi, _where(name, wt))
        out.append((s, e if e > s else 24 * 60))
    if out:
        return tuple(sorted(out))
    return _DEFAULT_DAY if working == "1" else None


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    n = (end - start).days
    if n < 0 or n > 366 * 30:
        return []
    return [start + dt.timedelta(days=i) for i in range(n + 1)]


def _recurring(exc: _El, first: dt.date, last: dt.date, name: str) -> list[dt.date]:
    kind = exc.get("Type", "1")
    period = max(1, int(_number(exc, "Period", name, 1)))
    days = _days(first, last)
    if kind == "1":  # daily, every ``period`` days
        return days[::period]
    if kind == "6":  # weekly on the DaysOfWeek bit mask (1 = Sunday ... 64 = Saturday)
        mask = int(_number(exc, "DaysOfWeek", name, 0))
        return [d for d in days if mask & (1 << ((d.weekday() + 1) % 7))
                and ((d - first).days // 7) % period == 0]
    if kind in {"2", "4"}:  # yearly (Month 0..11, MonthDay) or monthly on a day of the month
        month_day = int(_number(exc, "MonthDay", name, first.day))
        month = int(_number(exc, "Month", name, first.month - 1)) + 1
        return [d for d in days if d.day == month_day and (kind == "4" or d.month == month)]
    raise ScheduleFileError(_where(name, exc),
                            f"不支持的日历例外重复方式 Type={kind}（支持 1 每天、2 每年、4 每月、6 每周）",
                            f"unsupported recurring calendar exception Type={kind} "
                            "(1 daily, 2 yearly, 4 monthly and 6 weekly are read)")


@dataclass
class _RawCalendar:
    uid: str
    name: str
    base: str
    weekly: list[tuple[tuple[int, int], ...] | None]
    exceptions: dict[dt.date, tuple[tuple[int, int], ...]]


def _raw_calendar(cal: _El, name: str) -> _RawCalendar:
    weekly: list[tuple[tuple[int, int], ...] | None] = [None] * 7
    exceptions: dict[dt.date, tuple[tuple[int, int], ...]] = {}
    days = cal.find("WeekDays")
    for wd in days.all("WeekDay") if days is not None else []:
        kind = wd.get("DayType")
        if kind == "0":  # Project 2003: an exception over a period
            tp = wd.find("TimePeriod")
            lo = _time(tp, "FromDate", name) if tp is not None else None
            hi = _time(tp, "ToDate", name) if tp is not None else None
            if lo and hi:
                for d in _days(lo.date(), hi.date()):
                    exceptions[d] = _ranges(wd, name) or ()
            continue
        if kind not in {"1", "2", "3", "4", "5", "6", "7"}:
            raise ScheduleFileError(_where(name, wd), f"DayType 应为 0 到 7，实为 {kind!r}",
                                    f"DayType should be 0 to 7, not {kind!r}")
        weekly[(int(kind) + 5) % 7] = _ranges(wd, name)
    weeks = cal.find("WorkWeeks")
    for ww in weeks.all("WorkWeek") if weeks is not None else []:
        tp = ww.find("TimePeriod")
        lo = _time(tp, "FromDate", name) if tp is not None else None
        hi = _time(tp, "ToDate", name) if tp is not None else None
        wds = ww.find("WeekDays")
        pattern: dict[int, tuple[tuple[int, int], ...]] = {}
        for wd in wds.all("WeekDay") if wds is not None else []:
            got = _ranges(wd, name)
            if got is not None and wd.get("DayType") in {"1", "2", "3", "4", "5", "6", "7"}:
                pattern[(int(wd.get("DayType")) + 5) % 7] = got
        if lo and hi:
            for d in _days(lo.date(), hi.date()):
                if d.weekday() in pattern:
                    exceptions.setdefault(d, pattern[d.weekday()])
    excs = cal.find("Exceptions")
    for exc in excs.all("Exception") if excs is not None else []:
        tp = exc.find("TimePeriod")
        lo = _time(tp, "FromDate", name) if tp is not None else None
        hi = _time(tp, "ToDate", name) if tp is not None else None
        if not lo or not hi:
            continue
        ranges = _ranges(exc, name) or ()
        dates = (_recurring(exc, lo.date(), hi.date(), name) if exc.find("Occurrences") is not None
                 and exc.get("Type", "1") != "1" else _days(lo.date(), hi.date()))
        for d in dates:
            exceptions[d] = ranges  # exceptions win over work weeks
    return _RawCalendar(cal.get("UID"), cal.get("Name"), cal.get("BaseCalendarUID"), weekly, exceptions)


def _calendars(project: _El, name: str, hours_per_day: float) -> dict[str, Calendar]:
    raws: dict[str, _RawCalendar] = {}
    lines: dict[str, _El] = {}
    cals = project.find("Calendars")
    for cal in cals.all("Calendar") if cals is not None else []:
        raw = _raw_calendar(cal, name)
        raws[raw.uid], lines[raw.uid] = raw, cal
    out: dict[str, Calendar] = {}

    def build(uid: str, seen: tuple[str, ...] = ()) -> Calendar:
        if uid in out:
            return out[uid]
        raw = raws[uid]
        base: Calendar | None = None
        if raw.base in raws and raw.base != uid:
            if raw.base in seen:
                raise ScheduleFileError(_where(name, lines[uid]), "日历的基准日历成环",
                                        "the calendar's base calendars form a cycle")
            base = build(raw.base, (*seen, uid))
        weekly = tuple(w if w is not None else (base.weekly[i] if base else
                                                (_DEFAULT_DAY if i < 5 else ()))
                       for i, w in enumerate(raw.weekly))
        exceptions = {**(base.exceptions if base else {}), **raw.exceptions}
        out[uid] = Calendar(uid, raw.name or uid, weekly, exceptions, hours_per_day)
        return out[uid]

    for uid in raws:
        build(uid)
    out[ALWAYS_ID] = _ALWAYS
    return out


#: The resource UID Project writes on the assignment of a task that has none.
_NO_RESOURCE = "-65535"


def _assignments(project: _El, name: str, task_uids: set[str]) -> dict[str, list[str]]:
    """Per task UID, the names of the resources its ``Assignments`` name (Project's
    placeholder for none, -65535, and its null resource, UID 0, are not resources)."""
    res_el = project.find("Resources")
    names = {r.get("UID"): r.get("Name") or f"resource {r.get('UID')}"
             for r in (res_el.all("Resource") if res_el is not None else [])
             if r.get("UID") and r.get("IsNull") != "1"}
    out: dict[str, list[str]] = {}
    asg_el = project.find("Assignments")
    for a in asg_el.all("Assignment") if asg_el is not None else []:
        task, rid = a.get("TaskUID"), a.get("ResourceUID")
        if task not in task_uids:
            raise ScheduleFileError(_where(name, a.find("TaskUID") or a),
                                    f"资源分配的任务 {task!r} 不存在",
                                    f"the assignment's task {task!r} is not a task of the file")
        if rid in {_NO_RESOURCE, "0", ""}:
            continue
        if rid not in names:
            raise ScheduleFileError(_where(name, a.find("ResourceUID") or a),
                                    f"资源分配的资源 {rid!r} 不在 <Resources> 中",
                                    f"the assignment's resource {rid!r} is not in <Resources>")
        out.setdefault(task, []).append(names[rid])
    return out


def read_mspdi(data: bytes | str, name: str = "file.xml") -> Schedule:
    """The schedule in an MS Project XML file's bytes (or text)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    project = _parse(raw, name)
    start = _time(project, "StartDate", name)
    if start is None:
        raise ScheduleFileError(_where(name, project), "缺少项目开始日期 <StartDate>",
                                "the project start date <StartDate> is missing")
    hours_per_day = _number(project, "MinutesPerDay", name, 480) / 60
    calendars = _calendars(project, name, hours_per_day)
    default_cal = project.get("CalendarUID")
    if default_cal not in calendars:
        where = _where(name, project.find("CalendarUID") or project)
        raise ScheduleFileError(where, f"项目日历 {default_cal!r} 不在 <Calendars> 中",
                                f"the project calendar {default_cal!r} is not in <Calendars>")
    tasks_el = project.find("Tasks")
    tasks = tasks_el.all("Task") if tasks_el is not None else []
    # the outline: a summary task's leaves, for links that name a summary
    leaves: dict[str, list[str]] = {}
    summary_hours: dict[str, float] = {}
    stack: list[tuple[int, str]] = []
    kept: list[tuple[_El, str]] = []
    for t in tasks:
        uid = t.get("UID")
        if not uid:
            raise ScheduleFileError(_where(name, t), "任务缺少 <UID>", "the task has no <UID>")
        if t.get("IsNull") == "1":
            continue
        level = int(_number(t, "OutlineLevel", name, 1))
        while stack and stack[-1][0] >= level:
            stack.pop()
        if t.get("Summary") == "1":
            leaves.setdefault(uid, [])
            summary_hours[uid] = _hours(t, "Duration", name) or 0.0
            stack.append((level, uid))
            continue
        for _, parent in stack:
            leaves[parent].append(uid)
        kept.append((t, uid))
    if not kept:
        raise ScheduleFileError(_where(name, tasks_el or project), "文件中没有可排程的任务",
                                "the file holds no task to schedule")
    activities: list[Activity] = []
    ids = {uid for _, uid in kept}
    resources = _assignments(project, name, {t.get("UID") for t in tasks})
    for t, uid in kept:
        where = _where(name, t)
        cal = t.get("CalendarUID", "-1")
        if cal in {"-1", ""}:
            cal = default_cal
        if cal not in calendars:
            raise ScheduleFileError(where, f"任务 {uid} 的日历 {cal!r} 不在 <Calendars> 中",
                                    f"task {uid}'s calendar {cal!r} is not in <Calendars>")
        if t.get("DurationFormat") in _ELAPSED:
            cal = ALWAYS_ID
        duration = _hours(t, "Duration", name) or 0.0
        remaining = _hours(t, "RemainingDuration", name)
        actual_start, actual_finish = _time(t, "ActualStart", name), _time(t, "ActualFinish", name)
        status = "finished" if actual_finish else "started" if actual_start else "not started"
        total, free = t.get("TotalSlack"), t.get("FreeSlack")
        base = next((b for b in t.all("Baseline") if b.get("Number") == "0"), None)
        activities.append(Activity(
            id=uid, name=t.get("Name"), calendar=cal, duration_hours=duration,
            remaining_hours=duration if remaining is None else remaining,
            kind="finish milestone" if t.get("Milestone") == "1" else "task",
            status=status, actual_start=actual_start, actual_finish=actual_finish,
            constraint=_CONSTRAINTS.get(t.get("ConstraintType", "0")),
            constraint_date=_time(t, "ConstraintDate", name),
            file_early_start=_time(t, "EarlyStart", name),
            file_early_finish=_time(t, "EarlyFinish", name),
            file_late_start=_time(t, "LateStart", name),
            file_late_finish=_time(t, "LateFinish", name),
            file_total_float_hours=_number(t, "TotalSlack", name) / 600 if total else None,
            file_free_float_hours=_number(t, "FreeSlack", name) / 600 if free else None,
            file_critical=(t.get("Critical") == "1") if t.get("Critical") else None,
            wbs=t.get("WBS"), wbs_path=t.get("OutlineNumber"),
            planned_start=_time(t, "Start", name), planned_finish=_time(t, "Finish", name),
            percent_complete=_number(t, "PercentComplete", name),
            resume=_time(t, "Resume", name), manual=t.get("Manual") == "1",
            resources=tuple(resources.get(uid, ())), cost=_number(t, "Cost", name),
            baseline_start=_time(base, "Start", name) if base is not None else None,
            baseline_finish=_time(base, "Finish", name) if base is not None else None,
            baseline_duration_hours=_hours(base, "Duration", name) if base is not None else None))
    by_id = {a.id: a for a in activities}
    links: list[Link] = []
    for t in tasks:
        uid = t.get("UID")
        if t.get("IsNull") == "1":
            continue
        succs = leaves.get(uid, [uid])  # a summary's links reach its leaves
        for pl in t.all("PredecessorLink"):
            where = _where(name, pl)
            pred = pl.get("PredecessorUID")
            if pl.get("CrossProject") == "1":
                continue  # a task of another project: not in this file's network
            if pred not in ids and pred not in leaves:
                raise ScheduleFileError(where, f"任务 {uid} 的前置任务 {pred!r} 不存在",
                                        f"task {uid}'s predecessor {pred!r} is not a task of the file")
            kind = _LINK_TYPES.get(pl.get("Type", "1"))
            if kind is None:
                raise ScheduleFileError(where, f"未知的逻辑关系类型 {pl.get('Type')!r}（应为 0 FF、1 FS、2 SF 或 3 SS）",
                                        f"unknown link type {pl.get('Type')!r} (0 FF, 1 FS, 2 SF or 3 SS)")
            lag_format = pl.get("LagFormat", "7")
            lag = _number(pl, "LinkLag", name)
            # from a summary: its finish is its latest leaf's (FS, FF: a link from every leaf);
            # its start its earliest leaf's (SS, SF: a link from the summary, ``summaries``)
            froms = [pred] if pred not in leaves or kind in {"SS", "SF"} else leaves[pred]
            if pred in leaves and not leaves[pred]:
                froms = []  # a summary without tasks drives nothing
            # a percent lag is of the predecessor's duration: a summary's own
            whole = summary_hours[pred] if pred in leaves else by_id[pred].duration_hours
            hours = lag / 100 * whole if lag_format in _PERCENT else lag / 600
            for p in froms:
                links.extend(Link(p, s, kind, hours, where=f"{name}:{pl.line}",
                                  lag_calendar=ALWAYS_ID if lag_format in _ELAPSED else None)
                             for s in succs)
    status_date = _time(project, "StatusDate", name)
    return Schedule(name=project.get("Name") or name, data_date=start,
                    activities=tuple(activities), links=tuple(links), calendars=calendars,
                    lag_calendar="successor", default_calendar=default_cal,
                    retained_logic=True, format="mspdi", status_date=status_date,
                    baseline="mspdi 0" if any(a.baseline_finish for a in activities) else "none",
                    summaries={p: tuple(leaves[p]) for p in sorted({lk.pred for lk in links} & set(leaves))})
