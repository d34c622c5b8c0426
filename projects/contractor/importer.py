"""A contractor's schedule as a portfolio project: which activities become milestones, of
which kind, with which dates, progress and links; and what changed since the last import.

Pure: takes a :class:`Schedule`, its computed rows, an :class:`ImportMap` and the project as
the portfolio file writes it (``loader.dump_portfolio`` shape) and returns the new project in
the same shape, for ``parse_portfolio`` to check like any file. The edge (``api.schedules``)
stores it.

A map (YAML or JSON) says which activities to take and their kinds; every key is optional::

    select:                      # any entry matching takes the activity (default: all)
      - milestone: true          # P6 milestones / Project milestones
      - code: {"02 type of work": "03"}   # activity code type: value (P6)
      - wbs: "L1*"               # WBS path, shell pattern
      - name: "*验收*"           # activity name, shell pattern
      - id: "A10*"
    kinds:                       # the first entry matching gives the kind
      - {kind: approval, name: "*审批*"}
      - {kind: completion, milestone: true}
    default_kind: progress

Milestones: ``id`` the activity id (``/`` written ``-``), ``due`` the baseline finish (a P6
baseline project's or MS Project's Baseline 0 when the file has one; else the planned finish), ``start``
the actual start (else the planned start), ``finished`` the actual finish, ``progress`` the
percent complete, ``after`` the links between taken activities (through activities not taken,
as FS), their lags in working days of the predecessor's calendar (negative: a lead),
``resourced`` whether a task DCMA point 10 counts carries resources or cost.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from projects.contractor.cpm import Computed
from projects.contractor.dcma import resource_loaded
from projects.contractor.model import Activity, Calendar, Schedule, ScheduleFileError

#: The kinds a map may give (the portfolio's milestone kinds, English or Chinese words).
_KINDS = {"approval": "approval", "tendering": "tendering", "contract": "contract",
          "progress": "progress", "supervision": "supervision", "safety": "safety",
          "funds": "funds", "completion": "completion", "审批": "approval", "招标": "tendering",
          "合同": "contract", "进度": "progress", "监理": "supervision", "安全": "safety",
          "资金": "funds", "竣工": "completion"}
_MATCH_KEYS = ("milestone", "code", "wbs", "name", "id")
#: Milestone fields the file gives; on re-import the office's own fields are kept.
FILE_FIELDS = ("name", "kind", "start", "due", "finished", "progress", "after", "schedule_slip",
               "forecast_slip", "float_eroded", "resourced")
NAME_MAX = 200
#: What an import measures of each milestone against the last import (project_entry).
_MEASURED = ("schedule_slip", "forecast_slip", "float_eroded")


@dataclass(frozen=True)
class Match:
    """All the given conditions hold."""

    milestone: bool | None = None
    code: Mapping[str, str] = field(default_factory=dict)
    wbs: str | None = None
    name: str | None = None
    id: str | None = None

    def __call__(self, a: Activity) -> bool:
        if self.milestone is not None and (a.kind != "task") != self.milestone:
            return False
        if any(a.codes.get(k) != v for k, v in self.code.items()):
            return False
        for pattern, value in ((self.wbs, a.wbs_path or a.wbs), (self.name, a.name), (self.id, a.id)):
            if pattern is not None and not fnmatch.fnmatchcase(value, pattern):
                return False
        return True


@dataclass(frozen=True)
class ImportMap:
    """Which activities to take (``select``; empty: all) and their kinds."""

    select: tuple[Match, ...] = ()
    kinds: tuple[tuple[str, Match], ...] = ()
    default_kind: str = "progress"

    def takes(self, a: Activity) -> bool:
        return not self.select or any(m(a) for m in self.select)

    def kind(self, a: Activity) -> str:
        return next((k for k, m in self.kinds if m(a)), self.default_kind)


def _map_error(name: str, where: str, zh: str, en: str) -> ScheduleFileError:
    return ScheduleFileError(f"{name}: {where}" if where else name, zh, en)


def _match(entry: object, name: str, where: str, extra: Sequence[str] = ()) -> Match:
    if not isinstance(entry, Mapping):
        raise _map_error(name, where, "应为映射（如 {name: \"*验收*\"}）",
                         'should be a mapping (such as {name: "*验收*"})')
    for key in entry:
        if key not in _MATCH_KEYS and key not in extra:
            raise _map_error(name, f"{where}.{key}", f"未知的条件 {key!r}（可用 {', '.join(_MATCH_KEYS)}）",
                             f"unknown condition {key!r} (use {', '.join(_MATCH_KEYS)})")
    code = entry.get("code", {})
    if not isinstance(code, Mapping) or not all(isinstance(v, str | int) for v in code.values()):
        raise _map_error(name, f"{where}.code", "应为“代码类型: 代码值”的映射",
                         "should map an activity code type to a value")
    milestone = entry.get("milestone")
    if milestone is not None and not isinstance(milestone, bool):
        raise _map_error(name, f"{where}.milestone", "应为 true 或 false", "should be true or false")
    texts = {}
    for key in ("wbs", "name", "id"):
        value = entry.get(key)
        if value is not None and not isinstance(value, str | int):
            raise _map_error(name, f"{where}.{key}", "应为文本模式（如 \"L1*\"）", 'should be a text pattern (such as "L1*")')
        texts[key] = None if value is None else str(value)
    return Match(milestone, {str(k): str(v) for k, v in code.items()}, texts["wbs"], texts["name"], texts["id"])


def parse_map(data: object, name: str = "map.yaml") -> ImportMap:
    """An :class:`ImportMap` from a map file's parsed data; refusals name the entry."""
    if data is None:
        return ImportMap()
    if not isinstance(data, Mapping):
        raise _map_error(name, "", "映射文件应为包含 select、kinds、default_kind 的映射",
                         "a map file is a mapping with select, kinds and default_kind")
    for key in data:
        if key not in ("select", "kinds", "default_kind"):
            raise _map_error(name, str(key), f"未知的键 {key!r}（可用 select、kinds、default_kind）",
                             f"unknown key {key!r} (select, kinds, default_kind)")

    def kind_word(value: object, where: str) -> str:
        got = _KINDS.get(str(value).strip().lower()) if isinstance(value, str) else None
        if got is None:
            raise _map_error(name, where, f"未知的节点类型 {value!r}（可用 {', '.join(sorted(set(_KINDS.values())))}）",
                             f"unknown milestone kind {value!r} ({', '.join(sorted(set(_KINDS.values())))})")
        return got

    def entries(key: str) -> list[object]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise _map_error(name, key, "应为列表", "should be a list")
        return value

    select = tuple(_match(e, name, f"select[{i}]") for i, e in enumerate(entries("select")))
    kinds = []
    for i, e in enumerate(entries("kinds")):
        where = f"kinds[{i}]"
        if not isinstance(e, Mapping) or "kind" not in e:
            raise _map_error(name, where, "每项应给出 kind 及条件", "each entry gives a kind and its conditions")
        kinds.append((kind_word(e["kind"], f"{where}.kind"), _match(e, name, where, ("kind",))))
    default = kind_word(data.get("default_kind", "progress"), "default_kind")
    return ImportMap(select, tuple(kinds), default)


def _day(t: dt.datetime | None) -> dt.date | None:
    return None if t is None else t.date()


def milestone_id(activity_id: str) -> str:
    """The portfolio id of an activity: its id with ``/`` (the project separator) as ``-``."""
    return activity_id.strip().replace("/", "-") or "_"


def _lag_days(sched: Schedule, pred: Activity, hours: float) -> int:
    cal = sched.calendars.get(pred.calendar)
    per_day = cal.hours_per_day if cal and cal.hours_per_day > 0 else 8.0
    return round(hours / per_day)


def slip_workdays(cal: Calendar | None, old: object, new: object) -> int:
    """Working days of ``cal`` (Monday to Friday without one) from finish ``old`` to the later
    finish ``new``: the days after ``old`` up to ``new`` that have working time, its exceptions
    counted; 0 when the finish did not move later or either is missing. Whole weeks are
    counted at once, so a century's move costs no more than a week's."""
    if not isinstance(old, dt.date) or not isinstance(new, dt.date) or new <= old:
        return 0
    works = [bool(cal.weekly[d]) for d in range(7)] if cal is not None else [d < 5 for d in range(7)]
    days = (new - old).days
    count = days // 7 * sum(works)
    count += sum(works[(old.weekday() + n) % 7] for n in range(days // 7 * 7 + 1, days + 1))
    for day, ranges in (cal.exceptions.items() if cal is not None else ()):
        if old < day <= new:
            count += bool(ranges) - works[day.weekday()]
    return max(count, 0)


def _links(sched: Schedule, taken: set[str], starts: Mapping[str, dt.datetime]) -> dict[str, list[Any]]:
    """Per taken activity its ``after`` entries: direct links between taken activities keep
    their type and lag; a path through activities not taken becomes an FS link. A link from an
    MS Project summary (SS, SF: driven by its start) comes from the leaf that starts it, the
    earliest by ``starts`` (the portfolio has no summaries)."""
    acts = {a.id: a for a in sched.activities}
    preds: dict[str, list[Any]] = {}
    for given in sched.links:
        link = given if given.pred not in sched.summaries else \
            replace(given, pred=min(sched.summaries[given.pred], key=lambda x: starts[x]))
        preds.setdefault(link.succ, []).append(link)
    out: dict[str, list[Any]] = {}
    for aid in taken:
        entries: dict[tuple[str, str], Any] = {}
        stack = [(lk, True) for lk in preds.get(aid, [])]
        seen: set[str] = set()
        while stack:
            link, direct = stack.pop()
            if link.pred in taken:
                mid = milestone_id(link.pred)
                kind = link.type if direct else "FS"
                lag = _lag_days(sched, acts[link.pred], link.lag_hours) if direct else 0
                entry: dict[str, Any] = {"id": mid}  # written as dump_portfolio writes it
                if kind != "FS":
                    entry["type"] = kind
                if lag:
                    entry["lag"] = f"{lag} workdays"
                entries.setdefault((mid, kind), mid if len(entry) == 1 else entry)
            elif link.pred not in seen:
                seen.add(link.pred)
                stack.extend((lk, False) for lk in preds.get(link.pred, []))
        out[aid] = [entries[k] for k in sorted(entries)]
    return out


def _entry(a: Activity, c: Computed, kind: str, after: list[Any], notes: list[str]) -> dict[str, Any]:
    due = _day(a.baseline_finish or a.planned_finish) or _day(c.early_finish)  # the baseline's
    start = _day(a.actual_start) or _day(a.planned_start) or _day(c.early_start)
    if start and due and start > due:
        notes.append(f"{a.id}: start {start} after planned finish {due}; start left out")
        start = None
    finished = _day(a.actual_finish) if a.status == "finished" else None
    progress = 1.0 if finished else round(min(max(a.percent_complete, 0.0), 100.0) / 100, 4)
    entry: dict[str, Any] = {"id": milestone_id(a.id), "name": (a.name.strip() or a.id)[:NAME_MAX],
                             "kind": kind, "due": due}
    if start:
        entry["start"] = start
    if finished:
        entry["finished"] = finished
    if progress:
        entry["progress"] = progress
    if after:
        entry["after"] = after
    return entry


def project_entry(sched: Schedule, rows: Sequence[Computed], *, pid: str, unit: str,
                  mapping: ImportMap, existing: Mapping[str, Any] | None,
                  name: str | None = None, previous: Mapping[str, Any] | None = None,
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The project ``pid`` in the portfolio file's shape, from the schedule, and a record of
    what changed against ``existing`` (the project as stored, file shape; None: a new one)
    and, with ``previous`` (the last import's record), the two imports side by side
    (``record["compare"]``, :func:`compare_imports`).

    Each milestone gets ``schedule_slip`` (its planned finish, from the stored ``due``),
    ``forecast_slip`` (its computed forecast finish, the CPM early finish, from the last
    record's ``forecast``) and ``float_eroded`` (its total float, from the last record's
    ``float_days``): whole working days of the activity's calendar later or less, set only
    when positive (float: whole days lost, a part of a day not counted).

    On re-import the project's own fields and each milestone's office fields (unit, amounts,
    notes ...) are kept; milestones no longer in the file are kept too (their reports stay)
    and listed as removed."""
    by_id = {r.activity.id: r for r in rows}
    taken = [a for a in sched.activities if mapping.takes(a)]
    if not taken:
        raise ScheduleFileError(sched.name, "映射没有选中任何作业", "the map selects no activity")
    ids: dict[str, str] = {}
    for a in taken:
        mid = milestone_id(a.id)
        if mid in ids:
            raise ScheduleFileError(sched.name, f"作业 {ids[mid]!r} 与 {a.id!r} 的编号相同（{mid}）",
                                    f"activities {ids[mid]!r} and {a.id!r} share the id {mid}")
        ids[mid] = a.id
    links = _links(sched, {a.id for a in taken}, {r.activity.id: r.early_start for r in rows})
    notes: list[str] = []
    old_ms = {m["id"]: m for m in (existing or {}).get("milestones", [])}
    milestones = []
    for a in taken:
        new = _entry(a, by_id[a.id], mapping.kind(a), links[a.id], notes)
        loaded = resource_loaded(sched, a)
        if loaded is not None:
            new["resourced"] = loaded
        old = old_ms.get(new["id"])
        if old is not None:  # keep what the office added; the file's fields win
            slip = slip_workdays(sched.calendars.get(a.calendar), old.get("due"), new.get("due"))
            if slip:
                new["schedule_slip"] = slip
            kept = {k: v for k, v in old.items() if k not in FILE_FIELDS}
            if not mapping.kinds and "kind" in old:
                new["kind"] = old["kind"]
            new = {**kept, **new}
        milestones.append(new)
    in_file = {m["id"] for m in milestones}
    #: dropped from the file: kept, but no longer measured by it
    removed = [{k: v for k, v in m.items() if k not in _MEASURED} for mid, m in old_ms.items()
               if mid not in in_file]
    project: dict[str, Any] = dict(existing) if existing else {
        "id": pid, "name": name or sched.name or pid, "category": "project", "unit": unit}
    if name:
        project["name"] = name
    cals = sched.calendars
    ours = [r for r in rows if milestone_id(r.activity.id) in in_file]
    measured: dict[str, Any] = {
        "forecast": {milestone_id(r.activity.id): _day(r.early_finish) for r in ours},
        "float_days": {milestone_id(r.activity.id): round(r.total_float_hours / _per_day(cals.get(r.activity.calendar)), 2)
                       for r in ours},
        "critical": [milestone_id(r.activity.id) for r in sorted(ours, key=lambda r: (r.early_start, r.early_finish))
                     if r.critical]}
    cal_of = {milestone_id(a.id): cals.get(a.calendar) for a in taken}
    compared = compare_imports(previous, {**measured, "forecast": {k: _plain(v) for k, v in measured["forecast"].items()},
                                          "removed": [m["id"] for m in removed]},
                               {m["id"]: m["name"] for m in milestones},
                               lambda mid, old, new: slip_workdays(cal_of.get(mid), old, new))
    if compared is not None:  # the forecast's slip and the float eroded, per milestone
        slips = {x["id"]: x["working_days"] for x in compared["slipped"]}
        lost = {x["id"]: math.floor(x["eroded"] + 1e-9) for x in compared["eroded"]}
        for m in milestones:
            if slips.get(m["id"]):
                m["forecast_slip"] = slips[m["id"]]
            if lost.get(m["id"]):
                m["float_eroded"] = lost[m["id"]]
    project["milestones"] = milestones + removed
    record = changes(existing, project, removed=[m["id"] for m in removed], notes=notes,
                     forecast=measured["forecast"])
    record["float_days"], record["critical"] = measured["float_days"], measured["critical"]
    if compared is not None:
        compared["added"] = list(record["added"])
        record["compare"] = compared
    return project, record


def _per_day(cal: Calendar | None) -> float:
    return cal.hours_per_day if cal is not None and cal.hours_per_day > 0 else 8.0


def compare_imports(previous: Mapping[str, Any] | None, record: Mapping[str, Any],
                    names: Mapping[str, str], workdays: Callable[[str, dt.date, dt.date], int],
                    ) -> dict[str, Any] | None:
    """The last two imports side by side, from their records (``project_entry``'s): forecast
    finishes that moved later (``workdays(milestone, old, new)``: working days of the
    activity's calendar at an import, of the office's calendar on a page reading older
    records), float eroded (working days), milestones added and removed, the critical path
    as it was and as it is. None on a first import or when the previous record has no
    forecast. Records of imports older than float and the critical path in them say so
    (``float_recorded``, ``critical_recorded`` false) rather than show nothing lost."""
    if not previous or not previous.get("forecast"):
        return None
    old_fc, new_fc = previous.get("forecast") or {}, record.get("forecast") or {}
    old_fl, new_fl = previous.get("float_days") or {}, record.get("float_days") or {}
    slipped, eroded = [], []
    for mid, new in new_fc.items():
        old = old_fc.get(mid)
        if isinstance(old, str) and isinstance(new, str):
            days = workdays(mid, dt.date.fromisoformat(old), dt.date.fromisoformat(new))
            if days:
                slipped.append({"id": mid, "name": names.get(mid, mid), "old": old, "new": new, "working_days": days})
        if isinstance(old_fl.get(mid), int | float) and isinstance(new_fl.get(mid), int | float):
            lost = round(old_fl[mid] - new_fl[mid], 2)
            if lost > 0:
                eroded.append({"id": mid, "name": names.get(mid, mid), "old": old_fl[mid], "new": new_fl[mid],
                               "eroded": lost})
    slipped.sort(key=lambda x: (-x["working_days"], x["id"]))
    eroded.sort(key=lambda x: (-x["eroded"], x["id"]))
    return {"slipped": slipped, "eroded": eroded, "added": list(record.get("added", [])),
            # an import older than float and critical path in its record: not measured
            "float_recorded": "float_days" in previous and "float_days" in record,
            "critical_recorded": "critical" in previous and "critical" in record,
            "removed": list(record.get("removed", [])),
            "critical_was": list(previous.get("critical") or []), "critical_now": list(record.get("critical") or [])}


def changes(old: Mapping[str, Any] | None, new: Mapping[str, Any], *, removed: Sequence[str] = (),
            notes: Sequence[str] = (), forecast: Mapping[str, dt.date | None] | None = None,
            ) -> dict[str, Any]:
    """What an import changed: milestones added, removed from the file (kept), fields changed
    (old, new) and due dates that moved (working-day-free: calendar days)."""
    before = {m["id"]: m for m in (old or {}).get("milestones", [])}
    added: list[str] = []
    changed: dict[str, dict[str, list[object]]] = {}
    moved: dict[str, int] = {}
    for m in new["milestones"]:
        prev = before.get(m["id"])
        if prev is None:
            added.append(m["id"])
            continue
        diff = {k: [_plain(prev.get(k)), _plain(m.get(k))] for k in FILE_FIELDS if prev.get(k) != m.get(k)}
        if diff:
            changed[m["id"]] = diff
        if isinstance(prev.get("due"), dt.date) and isinstance(m.get("due"), dt.date) and prev["due"] != m["due"]:
            moved[m["id"]] = (m["due"] - prev["due"]).days
    return {"created": old is None, "added": added, "removed": list(removed), "changed": changed,
            "due_moved_days": moved, "notes": list(notes),
            "forecast": {k: _plain(v) for k, v in (forecast or {}).items()}}


def _plain(v: object) -> object:
    return v.isoformat() if isinstance(v, dt.date) else v
