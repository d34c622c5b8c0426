"""The words of a notice: title and body of every message sent to a unit.

Owns the wording, in Chinese (default) and English. Pure: a ``Message`` value in, a
``(title, body)`` pair out. A body always says which notice it is, what lit it (the rule's
message and the values that lit it), for which project and milestone, by when to respond and
how. Values print as the rule language prints them: dates ISO, ratios as given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from projects.model import Level
from rules.sentence import explain_sentence, scalar_text


class MessageKind(StrEnum):
    ISSUED = "issued"  # a new notice
    ESCALATED = "escalated"  # a new notice at a higher level, replacing an earlier one
    REOPENED = "reopened"  # the response was rejected; new deadline
    RECTIFIED = "rectified"  # the finding cleared: 整改完成


LANGS = ("zh", "en")

_LEVEL_WORDS = {
    "zh": {Level.GREEN: "绿色", Level.BLUE: "蓝色", Level.YELLOW: "黄色", Level.RED: "红色"},
    "en": {Level.GREEN: "green", Level.BLUE: "blue", Level.YELLOW: "yellow", Level.RED: "red"},
}

_HEAD = {
    "zh": {
        MessageKind.ISSUED: "【督办通知·{level}】{title}",
        MessageKind.ESCALATED: "【督办升级·{level}】{title}",
        MessageKind.REOPENED: "【督办退回重办】{title}",
        MessageKind.RECTIFIED: "【整改完成】{title}",
    },
    "en": {
        MessageKind.ISSUED: "[Supervision notice, {level}] {title}",
        MessageKind.ESCALATED: "[Supervision notice escalated to {level}] {title}",
        MessageKind.REOPENED: "[Supervision notice reopened] {title}",
        MessageKind.RECTIFIED: "[Rectified] {title}",
    },
}

# A blue finding is a reminder (提醒函 / 催报), never a card: its own heading, no colour.
_REMINDER_HEAD = {
    "zh": {MessageKind.ISSUED: "【提醒函】{title}", MessageKind.ESCALATED: "【提醒函】{title}",
           MessageKind.REOPENED: "【提醒函·退回重办】{title}",
           MessageKind.RECTIFIED: "【提醒事项已办结】{title}"},
    "en": {MessageKind.ISSUED: "[Reminder] {title}", MessageKind.ESCALATED: "[Reminder] {title}",
           MessageKind.REOPENED: "[Reminder reopened] {title}",
           MessageKind.RECTIFIED: "[Reminder closed] {title}"},
}

_LABELS = {
    "zh": {
        "to": "致",
        "code": "通知编号",
        "project": "项目",
        "milestone": "节点",
        "issued": "下发日期",
        "finding": "督办事项",
        "reminder": "提醒事项（提醒函，不计黄牌、红牌）",
        "values": "触发依据",
        "due": "回复期限",
        "escalates": "本通知升级自此前的通知 {code}，该事项至今仍未整改。",
        "reason": "退回理由",
        "rectified": "经系统复核，该事项已于 {day} 整改完成，本通知办结，无需再回复。",
        "how": "请于 {due} 前登录督办系统「督办通知」页面回复通知 {code}（可附整改材料），"
        "或调用接口 POST /api/notices/{code}/responses。",
    },
    "en": {
        "to": "To",
        "code": "Notice",
        "project": "Project",
        "milestone": "Milestone",
        "issued": "Issued",
        "finding": "Finding",
        "reminder": "Reminder (not a yellow or red card)",
        "values": "Values that lit it",
        "due": "Respond by",
        "escalates": "This notice escalates notice {code}, which is still not rectified.",
        "reason": "Reason for rejection",
        "rectified": "The finding cleared on {day}: this notice is closed and needs no reply.",
        "how": "Please respond to notice {code} by {due} on the duban notices page "
        "(attachments welcome) or with POST /api/notices/{code}/responses.",
    },
}


@dataclass(frozen=True, slots=True)
class Message:
    """Everything a message about one notice says."""

    kind: MessageKind
    code: str
    title: str
    message: str
    level: Level
    unit_name: str
    issued: dt.date
    due: dt.date
    project_name: str | None = None
    milestone_name: str | None = None
    explain: tuple[tuple[str, object], ...] = ()
    escalates: str | None = None
    reason: str | None = None  # why a response was rejected
    day: dt.date | None = None  # the day of a rectification or reopening


def format_value(value: object) -> str:
    """A value as a notice prints it: dates ISO, floats without noise, missing as ``—``."""
    if value is None:
        return "—"
    text = scalar_text(value)
    if text is not None:
        return text
    if isinstance(value, tuple | list):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def render(msg: Message, lang: str = "zh") -> tuple[str, str]:
    """Title and plain-text body of ``msg`` in ``lang`` (``"zh"`` or ``"en"``)."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} is not available; use one of {', '.join(LANGS)}")
    words = _LABELS[lang]
    level = _LEVEL_WORDS[lang][msg.level]
    heads = _REMINDER_HEAD if msg.level is Level.BLUE else _HEAD
    title = heads[lang][msg.kind].format(level=level, title=msg.title)
    sep = "：" if lang == "zh" else ": "
    lines = [f"{words['to']}{sep}{msg.unit_name}", f"{words['code']}{sep}{msg.code}"]
    if msg.project_name:
        lines.append(f"{words['project']}{sep}{msg.project_name}")
    if msg.milestone_name:
        lines.append(f"{words['milestone']}{sep}{msg.milestone_name}")
    lines.append(f"{words['issued']}{sep}{msg.issued.isoformat()}")
    lines.append("")
    finding = words["reminder"] if msg.level is Level.BLUE else words["finding"]
    lines.append(f"{finding}{sep}{msg.message}")
    said = explain_sentence(msg.explain, lang)
    if said:
        lines.append(f"{words['values']}{sep}{said}")
    if msg.kind is MessageKind.ESCALATED and msg.escalates:
        lines.append(words["escalates"].format(code=msg.escalates))
    if msg.kind is MessageKind.REOPENED and msg.reason:
        lines.append(f"{words['reason']}{sep}{msg.reason}")
    lines.append("")
    if msg.kind is MessageKind.RECTIFIED:
        day = msg.day or msg.issued
        lines.append(words["rectified"].format(day=day.isoformat()))
    else:
        lines.append(f"{words['due']}{sep}{msg.due.isoformat()}")
        lines.append(words["how"].format(code=msg.code, due=msg.due.isoformat()))
    return title, "\n".join(lines)
