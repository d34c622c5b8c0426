"""Notice wording in Chinese and English."""

from __future__ import annotations

import datetime as dt

import pytest

from notifier.text import Message, MessageKind, format_value, render
from projects.model import Level

BASE = Message(
    kind=MessageKind.ISSUED, code="N-2026-0007", title="海东大道改造工程：招标节点逾期",
    message="「海东大道改造工程」招标节点已逾期 3 个工作日", level=Level.YELLOW,
    unit_name="市交通运输局", issued=dt.date(2026, 5, 6), due=dt.date(2026, 5, 11),
    project_name="海东大道改造工程", milestone_name="施工招标",
    explain=(("m.due", dt.date(2026, 4, 30)), ("m.overdue", 3), ("p.ratio", 0.123456)),
)


def test_chinese_notice_says_what_where_values_deadline_and_how() -> None:
    """The default Chinese notice carries every element a unit needs to act."""
    title, body = render(BASE)
    assert title == "【督办通知·黄色】海东大道改造工程：招标节点逾期"
    for part in ("致：市交通运输局", "通知编号：N-2026-0007", "项目：海东大道改造工程",
                 "节点：施工招标", "招标节点已逾期 3 个工作日",
                 "触发依据：计划完成 2026-04-30，逾期工作日 3", "回复期限：2026-05-11",
                 "POST /api/notices/N-2026-0007/responses"):
        assert part in body
    assert "m.due" not in body and "p.ratio" not in body  # no rule code in what a unit reads


def test_the_values_of_an_engine_explanation_read_as_a_sentence() -> None:
    """The engine's clause lines become words: the clause's code is not in the notice."""
    lines = (("红 when today > m.due + grace", "成立：today = 2026-05-06；m.due + grace = 2026-05-01"),)
    msg = Message(**{**{f: getattr(BASE, f) for f in BASE.__slots__}, "explain": lines})
    _, body = render(msg)
    assert "触发依据：计划完成加宽限 2026-05-01，今天 2026-05-06" in body
    assert " when " not in body


def test_english_is_available() -> None:
    """The same notice renders in English on request."""
    title, body = render(BASE, "en")
    assert title == "[Supervision notice, yellow] 海东大道改造工程：招标节点逾期"
    assert "Respond by: 2026-05-11" in body and "Notice: N-2026-0007" in body


def test_escalation_refers_to_the_first_notice() -> None:
    """An escalated notice names the notice it escalates."""
    msg = Message(**{**{f: getattr(BASE, f) for f in BASE.__slots__},
                     "kind": MessageKind.ESCALATED, "level": Level.RED, "escalates": "N-2026-0001"})
    title, body = render(msg)
    assert title.startswith("【督办升级·红色】")
    assert "升级自此前的通知 N-2026-0001" in body


def test_rectified_message_closes_without_deadline() -> None:
    """A rectification says 整改完成 and asks for no reply."""
    msg = Message(**{**{f: getattr(BASE, f) for f in BASE.__slots__},
                     "kind": MessageKind.RECTIFIED, "day": dt.date(2026, 5, 20)})
    title, body = render(msg)
    assert title.startswith("【整改完成】")
    assert "已于 2026-05-20 整改完成" in body and "回复期限" not in body


def test_unknown_language_is_refused_with_the_choices() -> None:
    """Asking for French names the languages there are."""
    with pytest.raises(ValueError, match="use one of zh, en"):
        render(BASE, "fr")


def test_format_value() -> None:
    """Missing prints as a dash, booleans in Chinese, tuples joined."""
    assert format_value(None) == "—"
    assert format_value(True) == "是"
    assert format_value(("a", 2)) == "a, 2"
