"""The critical path of a contractor's schedule in working time of each activity's calendar.

Forward pass from the data date (started activities keep their actual start and finish their
remaining duration from the data date, as P6's progress override does), backward pass from the
project's finish (or its must-finish-by date), links FS/SS/FF/SF with lags counted on the
calendar the file names, and total float as P6 computes it by default: late finish minus early
finish in working hours of the activity's own calendar; free float the least room before a
successor's early date moves (the project's finish for an activity without successors). An
unstarted activity "as late as possible" uses up its free float (its early dates move by it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass

from projects.contractor.model import Activity, Calendar, Link, Schedule, ScheduleFileError

_ALWAYS = Calendar("24h", "24 hours", (((0, 24 * 60),),) * 7, {}, 24.0)


@dataclass(frozen=True)
class Computed:
    """One activity's computed dates, total float (working hours) and criticality."""

    activity: Activity
    early_start: dt.datetime
    early_finish: dt.datetime
    late_start: dt.datetime
    late_finish: dt.datetime
    total_float_hours: float
    critical: bool
    free_float_hours: float = 0.0


def _constraints(a: Activity) -> list[tuple[str, dt.datetime]]:
    """The activity's constraints with their dates: the primary and P6's secondary (the
    reader lets only the pairings P6 allows through, so they never contradict in kind)."""
    out = []
    if a.constraint and a.constraint_date:
        out.append((a.constraint, a.constraint_date))
    if a.constraint2 and a.constraint2_date:
        out.append((a.constraint2, a.constraint2_date))
    return out


def _order(sched: Schedule) -> list[str]:
    """Activities (and the summaries links start from, after their leaves) in an order where
    every node comes after all it depends on; a cycle is refused with the links' places."""
    ids = [a.id for a in sched.activities] + list(sched.summaries)
    indeg = dict.fromkeys(ids, 0)
    succs: dict[str, list[str]] = defaultdict(list)
    for link in sched.links:
        indeg[link.succ] += 1
        succs[link.pred].append(link.succ)
    for summary, leaves in sched.summaries.items():  # a summary's start waits for its leaves
        for leaf in leaves:
            indeg[summary] += 1
            succs[leaf].append(summary)
    queue = deque(i for i in ids if indeg[i] == 0)
    order = []
    while queue:
        node = queue.popleft()
        order.append(node)
        for s in succs[node]:
            indeg[s] -= 1
            if indeg[s] == 0:
                queue.append(s)
    if len(order) < len(ids):
        stuck = sorted(i for i in ids if indeg[i] > 0)
        places = sorted({lk.where for lk in sched.links
                         if lk.where and indeg[lk.pred] > 0 and indeg[lk.succ] > 0})[:5]
        table = "TASKPRED" if sched.format == "xer" else "PredecessorLink"
        at = f"；逻辑关系见 {'、'.join(places)}" if places else ""
        at_en = f"; links at {', '.join(places)}" if places else ""
        raise ScheduleFileError(f"{sched.name} ({table})",
                                f"逻辑关系成环，涉及作业：{', '.join(stuck[:10])}{at}",
                                f"the links form a cycle through: {', '.join(stuck[:10])}{at_en}")
    return order


def schedule(sched: Schedule) -> list[Computed]:
    """Every activity's early and late dates and total float, in file order."""
    acts = {a.id: a for a in sched.activities}
    cals = sched.calendars
    order = _order(sched)
    preds: dict[str, list[Link]] = defaultdict(list)
    succs: dict[str, list[Link]] = defaultdict(list)
    for link in sched.links:
        preds[link.succ].append(link)
        succs[link.pred].append(link)

    summaries = sched.summaries

    def lag_cal(link: Link) -> Calendar:
        if link.lag_calendar is not None:
            return _ALWAYS if link.lag_calendar == "24h" else cals[link.lag_calendar]
        which = sched.lag_calendar
        if which == "24h":
            return _ALWAYS
        if which == "project" and sched.default_calendar in cals:
            return cals[sched.default_calendar]
        end = link.succ if which == "successor" else link.pred
        return cals[acts[summaries[end][0] if end in summaries else end].calendar]

    def shift(cal: Calendar, t: dt.datetime, hours: float) -> dt.datetime:
        return cal.add(t, hours * 60) if hours >= 0 else cal.sub(t, -hours * 60)

    def left(a: Activity) -> float:
        return (a.remaining_hours if a.status != "not started" else a.duration_hours) * 60

    es: dict[str, dt.datetime] = {}
    ef: dict[str, dt.datetime] = {}
    #: a summary's driving leaf: the first, in file order, of those that start earliest
    driver: dict[str, str] = {}
    for aid in order:
        if aid in summaries:  # MS Project: from its earliest leaf's start to its latest's finish
            leaves = summaries[aid]
            driver[aid] = min(leaves, key=lambda x: es[x])
            es[aid], ef[aid] = es[driver[aid]], max(ef[x] for x in leaves)
            continue
        a = acts[aid]
        cal = cals[a.calendar]
        if a.status == "finished" and a.actual_start and a.actual_finish:
            es[aid], ef[aid] = a.actual_start, a.actual_finish
            continue
        if a.manual and a.planned_start and a.planned_finish and a.status != "started":
            es[aid], ef[aid] = a.planned_start, a.planned_finish  # MS Project leaves them be
            continue
        if a.status == "started" and a.actual_start:
            # retained logic: the remaining work still waits for unfinished predecessors'
            # finishes; progress override lets it run from the data date
            resume = max(sched.data_date, a.resume) if a.resume else sched.data_date
            end_bound = None
            for link in preds[aid] if sched.retained_logic else ():
                t = shift(lag_cal(link), ef[link.pred], link.lag_hours)
                if link.type == "FS":
                    resume = max(resume, t)
                elif link.type == "FF":
                    end_bound = t if end_bound is None else max(end_bound, t)
            es[aid] = a.actual_start
            ef[aid] = cal.add(cal.next_work(resume), left(a))
            if end_bound is not None and end_bound > ef[aid]:
                ef[aid] = cal.prev_work(end_bound)
            continue
        start = sched.data_date
        finish: dt.datetime | None = None
        for link in preds[aid]:
            lc = lag_cal(link)
            base = ef[link.pred] if link.type in {"FS", "FF"} else es[link.pred]
            t = shift(lc, base, link.lag_hours)
            if link.type in {"FS", "SS"}:
                start = max(start, t)
            else:
                finish = t if finish is None else max(finish, t)
        cons = _constraints(a) if a.constraint or a.constraint2 else ()
        for kind, date in cons:
            if kind in {"start on or after", "start on", "mandatory start"}:
                start = date if kind == "mandatory start" else max(start, date)
        s = cal.next_work(start)
        f = cal.add(s, left(a))
        if finish is not None and finish > f:
            f = cal.prev_work(finish)
            s = cal.sub(f, left(a))
        for kind, date in cons:
            if kind in {"finish on or after", "finish on"} and date > f:
                f = cal.prev_work(date)
                s = cal.sub(f, left(a))
        es[aid], ef[aid] = s, f

    # backwards a summary's start-driven links (SS, SF) bind the leaf that drives its start
    for link in sched.links:
        if link.pred in summaries:
            succs[link.pred].remove(link)
            succs[driver[link.pred]].append(link)
    project_end = max(ef.values()) if ef else sched.data_date
    if sched.must_finish_by is not None:
        project_end = sched.must_finish_by
    ls: dict[str, dt.datetime] = {}
    lf: dict[str, dt.datetime] = {}
    for aid in reversed(order):
        if aid in summaries:
            continue
        a = acts[aid]
        cal = cals[a.calendar]
        finish = project_end
        for link in succs[aid]:
            if a.manual and link.type in {"SS", "SF"}:
                continue  # MS Project: start-driven links leave a manual task's late dates be
            lc = lag_cal(link)
            base = ls[link.succ] if link.type in {"FS", "SS"} else lf[link.succ]
            t = shift(lc, base, -link.lag_hours)
            if link.type in {"FS", "FF"}:
                finish = min(finish, t)
            else:
                finish = min(finish, cal.add(cal.next_work(t), left(a)))
        for kind, date in _constraints(a) if a.constraint or a.constraint2 else ():
            if kind in {"finish on or before", "finish on", "mandatory finish"}:
                finish = date if kind == "mandatory finish" else min(finish, date)
            elif kind in {"start on or before", "start on"}:
                finish = min(finish, cal.add(cal.next_work(date), left(a)))
        f = cal.prev_work(finish)
        lf[aid] = f
        ls[aid] = cal.sub(f, left(a)) if left(a) else f
    out = []
    for a in sched.activities:
        cal = cals[a.calendar]
        tf = round(cal.work_minutes(ef[a.id], lf[a.id]) / 60, 2)
        free = cal.work_minutes(ef[a.id], project_end)
        for link in succs[a.id]:
            # how far this end may move before the successor's early date moves
            base = es[link.succ] if link.type in {"FS", "SS"} else ef[link.succ]
            limit = shift(lag_cal(link), base, -link.lag_hours)
            mine = ef[a.id] if link.type in {"FS", "FF"} else es[a.id]
            free = min(free, cal.work_minutes(mine, limit))
        start, end = es[a.id], ef[a.id]
        if a.constraint == "as late as possible" and a.status == "not started" and free > 0:
            # P6: as late as possible without delaying a successor: its free float is used up
            start, end = cal.add(start, free), cal.add(end, free)
            tf, free = round(cal.work_minutes(end, lf[a.id]) / 60, 2), 0.0
        out.append(Computed(a, start, end, ls[a.id], lf[a.id], tf,
                            a.status != "finished" and tf <= 0, round(free / 60, 2)))
    return out
