"""DCMA 14-point schedule assessment of a contractor's schedule, with each check's threshold.

Pure: :func:`assess` takes a :class:`Schedule` and its computed rows and returns one
:class:`Check` per point. Counts are over the activities not finished ("incomplete") unless a
check says otherwise; working days are the activity calendar's hours per day. The baseline
(points 11, 13, 14) is the file's (``Schedule.baseline``): a P6 baseline project in the export,
else P6's planned dates (``target_start_date`` / ``target_end_date``); MS Project's Baseline 0;
a file without one lets its planned finish stand in, and the reports say so. The status date is
the file's (P6 data date; Project's StatusDate, else its start).

| # | check | passes when |
| - | ----- | ----------- |
| 1 | logic: incomplete activities without a predecessor or a successor | <= 5 % |
| 2 | leads: links with a negative lag | 0 |
| 3 | lags: links with a positive lag | <= 5 % of links |
| 4 | relationship types: finish-to-start share of links | >= 90 % |
| 5 | hard constraints (must/mandatory, no later than) on incomplete activities | <= 5 % |
| 6 | high float: total float > 44 working days | <= 5 % |
| 7 | negative float | 0 |
| 8 | high duration: planned duration > 44 working days | <= 5 % |
| 9 | invalid dates: forecast before the status date, actual after it | 0 |
| 10 | resources: incomplete tasks of a working day or more with neither resources nor cost | 0 |
| 11 | missed: baseline finish by the status date but not finished by it | <= 5 % of those due |
| 12 | critical path test: a delay on the critical path moves the finish as much | it moves |
| 13 | CPLI: (critical path length + its float to the baseline finish) / its length | >= 0.95 |
| 14 | BEI: finished by the status date / baselined to finish by it | >= 0.95 |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from projects.contractor.cpm import Computed, schedule
from projects.contractor.model import Activity, Schedule

HIGH_DAYS = 44
_HARD = {"start on", "finish on", "mandatory start", "mandatory finish", "start on or before",
         "finish on or before"}
#: A delay far longer than any float in a real schedule, for the critical path test (hours).
_PROBE_HOURS = 600 * 8.0


@dataclass(frozen=True)
class Check:
    """One DCMA point: how many of how many, the value, its threshold, whether it passes."""

    number: int
    key: str
    zh: str
    en: str
    count: int
    total: int
    value: float | None  # a share (0..1) or an index; None when there is nothing to count
    threshold: str
    passed: bool
    offenders: tuple[str, ...] = ()


def _share(n: int, total: int) -> float | None:
    return n / total if total else None


def _days(a: Activity, sched: Schedule, hours: float) -> float:
    per_day = sched.calendars[a.calendar].hours_per_day or 8.0
    return hours / per_day


def _check(number: int, key: str, label: tuple[str, str], hits: Sequence[str], total: int, *,
           at_most: float | None = None, at_least: float | None = None, zero: bool = False,
           of: int | None = None) -> Check:
    n = len(hits)
    value = _share(n if of is None else of, total)
    if zero:
        passed, threshold = n == 0, "= 0"
    elif at_most is not None:
        passed, threshold = value is None or value <= at_most, f"<= {at_most:.0%}"
    else:
        assert at_least is not None
        passed, threshold = value is None or value >= at_least, f">= {at_least:.0%}"
    return Check(number, key, *label, n if of is None else of, total, value, threshold, passed,
                 tuple(hits))


def _critical_path_test(sched: Schedule, rows: Sequence[Computed]) -> tuple[bool, str | None]:
    """Delay the first incomplete critical activity by a long probe: the project finish must
    move by exactly that much (in its calendar's working time)."""
    first = next((r for r in rows if r.critical and r.activity.status != "finished"), None)
    if first is None:
        return False, None
    a = first.activity
    longer = replace(a, duration_hours=a.duration_hours + _PROBE_HOURS,
                     remaining_hours=a.remaining_hours + _PROBE_HOURS)
    probed = replace(sched, activities=tuple(longer if x.id == a.id else x for x in sched.activities))
    before = max(r.early_finish for r in rows)
    after = max(r.early_finish for r in schedule(probed))
    cal = sched.calendars[a.calendar]
    return abs(cal.work_minutes(before, after) / 60 - _PROBE_HOURS) <= 1, a.id


def assess(sched: Schedule, rows: Sequence[Computed]) -> list[Check]:
    """The DCMA checks (module header) of ``sched`` scheduled as ``rows``."""
    status = sched.status_date or sched.data_date
    open_rows = [r for r in rows if r.activity.status != "finished"]
    n_open = len(open_rows)
    has_pred = {lk.succ for lk in sched.links}
    has_succ = {lk.pred for lk in sched.links}
    for summary in has_succ & set(sched.summaries):  # a summary's successor follows its tasks
        has_succ.update(sched.summaries[summary])
    links = sched.links
    link_names = [f"{lk.pred}->{lk.succ}" for lk in links]
    out = [
        _check(1, "logic", ("缺少逻辑关系", "missing logic"),
               [r.activity.id for r in open_rows if r.activity.id not in has_pred
                or r.activity.id not in has_succ], n_open, at_most=0.05),
        _check(2, "leads", ("负延时（提前量）", "leads"),
               [n for n, lk in zip(link_names, links, strict=True) if lk.lag_hours < 0], len(links), zero=True),
        _check(3, "lags", ("正延时", "lags"),
               [n for n, lk in zip(link_names, links, strict=True) if lk.lag_hours > 0], len(links), at_most=0.05),
    ]
    non_fs = [n for n, lk in zip(link_names, links, strict=True) if lk.type != "FS"]
    out.append(_check(4, "relationship_types", ("完成-开始关系占比", "finish-to-start share"),
                      non_fs, len(links), at_least=0.90, of=len(links) - len(non_fs)))
    out += [
        _check(5, "hard_constraints", ("硬限制条件", "hard constraints"),
               [r.activity.id for r in open_rows if r.activity.constraint in _HARD
                or r.activity.constraint2 in _HARD], n_open, at_most=0.05),
        _check(6, "high_float", (f"总浮时超过 {HIGH_DAYS} 个工作日", f"total float over {HIGH_DAYS} working days"),
               [r.activity.id for r in open_rows
                if _days(r.activity, sched, r.total_float_hours) > HIGH_DAYS], n_open, at_most=0.05),
        _check(7, "negative_float", ("负浮时", "negative float"),
               [r.activity.id for r in open_rows if r.total_float_hours < 0], n_open, zero=True),
        _check(8, "high_duration", (f"计划工期超过 {HIGH_DAYS} 个工作日", f"duration over {HIGH_DAYS} working days"),
               [r.activity.id for r in open_rows
                if _days(r.activity, sched, r.activity.duration_hours) > HIGH_DAYS], n_open, at_most=0.05),
        _check(9, "invalid_dates", ("无效日期（预测早于数据日期或实际晚于数据日期）",
                                    "invalid dates (forecast before the status date, actual after it)"),
               [r.activity.id for r in rows if _invalid(r, status)], len(rows), zero=True),
    ]
    out.append(_resources(sched, open_rows))
    finish = {r.activity.id: baseline_finish(sched, r) for r in rows}
    due_by = {r.activity.id: f for r in rows if (f := finish[r.activity.id]) is not None and f <= status}
    due = [r for r in rows if r.activity.id in due_by]
    missed = [r.activity.id for r in due
              if not (r.activity.actual_finish and r.activity.actual_finish <= due_by[r.activity.id])]
    out.append(_check(11, "missed", ("到期未完成（晚于基线完成）", "missed (not finished by the baseline finish)"),
                      missed, len(due), at_most=0.05))
    moved, probe = _critical_path_test(sched, rows)
    out.append(Check(12, "critical_path_test", "关键路径测试", "critical path test", int(moved), 1,
                     1.0 if moved else 0.0, "完成日期随之推迟 / the finish moves as much", moved, (probe,) if probe else ()))
    out.append(_cpli(sched, rows, status))
    # DCMA: every task finished by the status date (early ones too) over those due by it
    done_by = sum(1 for r in rows if finish[r.activity.id] is not None
                  and r.activity.actual_finish and r.activity.actual_finish <= status)
    bei = _share(done_by, len(due))
    out.append(Check(14, "bei", "基线执行指数 BEI", "baseline execution index (BEI)", done_by, len(due),
                     bei, ">= 0.95", bei is None or bei >= 0.95))
    return out


def resource_loaded(sched: Schedule, a: Activity) -> bool | None:
    """Whether DCMA point 10 finds the activity resource-loaded (a resource or a cost); None
    when the point does not count it: a milestone, or shorter than a working day of its
    calendar."""
    if a.kind != "task" or a.duration_hours < (sched.calendars[a.calendar].hours_per_day or 8.0):
        return None
    return bool(a.resources) or a.cost > 0


def _resources(sched: Schedule, open_rows: Sequence[Computed]) -> Check:
    """DCMA point 10: of the incomplete tasks (milestones aside) whose planned duration is a
    working day or more of their calendar, those with no resource assigned and no cost. DCMA
    asks that every one be resource-loaded: the threshold is 0."""
    loaded = {r.activity.id: resource_loaded(sched, r.activity) for r in open_rows}
    counted = [a for a, v in loaded.items() if v is not None]
    return _check(10, "resources", ("无资源无费用的作业（工期一天及以上）",
                                    "no resources or cost (a day or longer)"),
                  [a for a in counted if not loaded[a]], len(counted), zero=True)


def baseline_finish(sched: Schedule, r: Computed) -> dt.datetime | None:
    """The activity's baseline finish (``Schedule.baseline`` says whose); a file without a
    baseline lets its planned finish (else the computed one) stand in."""
    if sched.baseline == "none":
        return r.activity.planned_finish or r.early_finish
    return r.activity.baseline_finish


def _invalid(r: Computed, status: dt.datetime) -> bool:
    a = r.activity
    if a.status != "finished" and r.early_finish < status:
        return True  # a forecast in the past
    return any(t is not None and t > status for t in (a.actual_start, a.actual_finish))


def _cpli(sched: Schedule, rows: Sequence[Computed], status: dt.datetime) -> Check:
    """CPLI = (critical path length + the critical path's total float) / its length, in
    working days of the default calendar from the status date to the project's finish. The
    float is to the baseline finish (the latest baseline finish of an activity) when the file
    has a baseline; without one, the critical path's own total float."""
    cal = sched.calendars.get(sched.default_calendar) or sched.calendars[rows[0].activity.calendar]
    per_day = cal.hours_per_day or 8.0
    finish = max(r.early_finish for r in rows)
    length = cal.work_minutes(status, finish) / 60 / per_day
    ends = [a.baseline_finish for a in sched.activities if a.baseline_finish]
    if sched.baseline != "none" and ends:
        tf = cal.work_minutes(finish, max(ends)) / 60 / per_day
    else:
        open_rows = [r for r in rows if r.activity.status != "finished"]
        tf = min((r.total_float_hours for r in open_rows), default=0.0) / per_day
    value = (length + tf) / length if length > 0 else None
    return Check(13, "cpli", "关键路径长度指数 CPLI", "critical path length index (CPLI)",
                 round(length), round(length + tf), None if value is None else round(value, 3),
                 ">= 0.95", value is None or value >= 0.95)
