"""The owner's milestone report form: from form fields to the changes a report makes.

Owns ``parse_report`` and ``form_values``. Pure. Every field a user can get wrong gives a
message in the page's language saying what was wrong and what would be right; no change is
made unless every field is right.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from dashboards.numbers import yuan_input
from projects.catalogue import NOTE_MAX
from projects.fields import control_character
from projects.model import Milestone

FIELDS = ("start", "finished", "progress", "paid", "note")


def form_values(m: Milestone) -> dict[str, str]:
    """The form's fields filled with a milestone's current values (progress in percent)."""
    return {
        "start": m.start.isoformat() if m.start else "",
        "finished": m.finished.isoformat() if m.finished else "",
        "progress": "" if m.progress is None else f"{100 * m.progress:g}",
        "paid": yuan_input(m.paid),
        "note": m.note or "",
    }


def _msg(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def parse_report(form: Mapping[str, str], today: dt.date, *, lang: str = "zh"
                 ) -> tuple[dict[str, Any], dict[str, str]]:
    """(changes, errors by field): dates ISO, progress 0-100 percent, paid yuan >= 0."""
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in ("start", "finished"):
        raw = (form.get(name) or "").strip()
        if not raw:
            changes[name] = None
            continue
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            errors[name] = _msg(lang, f"「{raw}」不是日期，请写成 2026-05-06",
                                f"{raw!r} is not a date; write it as 2026-05-06")
            continue
        if name == "finished" and day > today:
            errors[name] = _msg(lang, f"完成日期 {raw} 晚于今天 {today.isoformat()}，尚未发生",
                                f"finished {raw} is after today ({today.isoformat()}); report it once it happened")
            continue
        changes[name] = day
    raw = (form.get("progress") or "").strip()
    if raw:
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not 0 <= value <= 100:
            errors["progress"] = _msg(lang, f"进度「{raw}」应为 0 到 100 之间的百分数",
                                      f"progress {raw!r} must be a percent from 0 to 100")
        else:
            changes["progress"] = value / 100
    else:
        changes["progress"] = None
    raw = (form.get("paid") or "").strip().replace(",", "")
    if raw:
        try:
            paid = float(raw)
        except ValueError:
            paid = -1.0
        if not 0 <= paid < math.inf:
            errors["paid"] = _msg(lang, f"已支付「{raw}」应为不小于 0 的金额（元）",
                                  f"paid {raw!r} must be an amount in yuan, 0 or more")
        else:
            changes["paid"] = paid
    else:
        changes["paid"] = None
    note = (form.get("note") or "").strip()
    bad = control_character(note)
    if bad is not None:
        errors["note"] = _msg(lang, "备注含有不可见的控制字符，请删除后再提交", f"note {bad}")
    elif len(note) > NOTE_MAX:
        errors["note"] = _msg(lang, f"备注共 {len(note)} 个字符，最多 {NOTE_MAX} 个",
                              f"note is {len(note)} characters long; at most {NOTE_MAX} are kept")
    else:
        changes["note"] = note or None
    if "finished" in changes and changes["finished"] is not None and "start" in changes \
            and changes["start"] is not None and changes["finished"] < changes["start"]:
        errors["finished"] = _msg(lang, "完成日期早于开始日期", "finished is before start")
    if errors:
        return {}, errors
    return changes, {}
