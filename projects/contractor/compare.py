"""Two updates of one schedule side by side: activities added and removed, finishes that
slipped and by how much, float eroded, and the critical path as it was and as it is.

Pure: :func:`compare` takes both schedules and their computed rows. Slips and float are in
working days of the activity's calendar in the newer file (hours / the calendar's hours a
day), positive when the newer finish is later or the float smaller.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projects.contractor.cpm import Computed
from projects.contractor.model import Schedule


def _critical(rows: Sequence[Computed]) -> list[str]:
    return [r.activity.id for r in sorted(rows, key=lambda r: (r.early_start, r.early_finish))
            if r.critical]


def compare(old: Schedule, old_rows: Sequence[Computed], new: Schedule,
            new_rows: Sequence[Computed]) -> dict[str, Any]:
    """What changed from ``old`` to ``new`` (module header), as plain JSON-ready values."""
    before = {r.activity.id: r for r in old_rows}
    after = {r.activity.id: r for r in new_rows}
    slipped: list[dict[str, Any]] = []
    eroded: list[dict[str, Any]] = []
    for aid, r in after.items():
        o = before.get(aid)
        if o is None:
            continue
        cal = new.calendars[r.activity.calendar]
        per_day = cal.hours_per_day or 8.0
        days = round(cal.work_minutes(o.early_finish, r.early_finish) / 60 / per_day, 2)
        if days:
            slipped.append({"id": aid, "name": r.activity.name, "old_finish": o.early_finish.isoformat(timespec="minutes"),
                            "new_finish": r.early_finish.isoformat(timespec="minutes"), "working_days": days})
        lost = round((o.total_float_hours - r.total_float_hours) / per_day, 2)
        if lost > 0:
            eroded.append({"id": aid, "name": r.activity.name,
                           "old_float_days": round(o.total_float_hours / per_day, 2),
                           "new_float_days": round(r.total_float_hours / per_day, 2), "eroded_days": lost})
    slipped.sort(key=lambda x: -x["working_days"])
    eroded.sort(key=lambda x: -x["eroded_days"])
    was, now = _critical(old_rows), _critical(new_rows)
    old_end = max((r.early_finish for r in old_rows), default=None)
    new_end = max((r.early_finish for r in new_rows), default=None)
    finish_slip = None
    if old_end and new_end:
        pcal = new.calendars.get(new.default_calendar) or new.calendars[new_rows[0].activity.calendar]
        finish_slip = round(pcal.work_minutes(old_end, new_end) / 60 / (pcal.hours_per_day or 8.0), 2)
    return {
        "old": {"name": old.name, "data_date": (old.status_date or old.data_date).isoformat(timespec="minutes"),
                "finish": old_end.isoformat(timespec="minutes") if old_end else None},
        "new": {"name": new.name, "data_date": (new.status_date or new.data_date).isoformat(timespec="minutes"),
                "finish": new_end.isoformat(timespec="minutes") if new_end else None},
        "finish_slip_working_days": finish_slip,
        "added": [{"id": a, "name": after[a].activity.name} for a in after if a not in before],
        "removed": [{"id": a, "name": before[a].activity.name} for a in before if a not in after],
        "slipped": slipped,
        "float_eroded": eroded,
        "critical_path": {"was": was, "is": now,
                          "joined": [a for a in now if a not in set(was)],
                          "left": [a for a in was if a not in set(now)]},
    }
