"""Diagnostics said in Chinese, as the rule editor shows them: each diagnostic of a corpus of
broken rulebooks (English spelling) has a Chinese message and suggestion, with no English
left outside the author's quoted words."""

from __future__ import annotations

import re

import pytest

from dsl import RulebookError, compile_rulebook

R = "rule t: for milestone m light red when "
BROKEN = [
    R + "today > 3", R + "m.due + m.progress > today", R + "m.done and 5", R + "today - m.due > 10",
    R + "m.kind < tendering", R + "m.kind == tenderng", R + "dayz(m.start, today) > 3",
    R + "days(m.start) > 3", R + "days(m.start, 3) > 3", R + "any(p in m.project where p.done)",
    R + "m.due > tody", R + "m.due + 3 wrokdays > today", R + "m.project.milestones.due > today",
    R + "2026-13-01 > today", R + "m.due", R + "m.dnoe", R + "today >> m.due", R + "m.done && m.done",
    R + "m.due = today", R + "m.start < m.due < today", R + "!m.done", R + "m.due > today）",
    R + "m.due > today:", R + "(m.done", R + "m.due + 1.5 days > today", R + "-m.done",
    R + "m.done\n    message \"{m.name\"", R + "m.done\n    message \"{}\"", R + "m.done\n    message \"}\"",
    R + "m.done\n    message \"a\\q\"", R + "m.done\n    message \"{m.project.milestones}\"",
    R + "m.done\n    notify m.project within 3 workdays", R + "m.done\n    notify m.unit within 3",
    R + "m.due > \"2026-01-01", R + "m.kind in [3]", R + "default(m.progress) > 1",
    R + "default(m.progress, today) > 1", R + "m.due * 2 > today", R + "m.progress > 999999999999999999",
    "rule t: for milestone m light amber when m.done", "rule t: for milestne m light red when m.done",
    "rule t: for milestone m light red when m.done\nrule t: for milestone m light red when m.done",
    "const a = a\nrule t: for milestone m light red when m.done", "const a = 1\nconst a = 2",
    "score s: for milestone m m.progress", "score s: for unit u u.name", "hello world",
    "rule t: for milestone m light red when",
    "const c = m.due", "rule t: for milestone m light red when m.done\n    notify m.unit within m.due - today",
    "rule t: for milestone m light red when min(x in m.project.milestones: x.name) > 1",
]


def english(text: str) -> list[str]:
    """English words left outside the author's quoted words (date formats, file names and the
    language's own keywords aside)."""
    return re.findall(r"[A-Za-z]{3,}", re.sub(r"`[^`]*`|YYYY-MM-DD|\S+\.rules|any/all/count/sum", "", text))


@pytest.mark.parametrize("text", BROKEN)
def test_each_diagnostic_reads_in_chinese(text):
    """Each diagnostic of a broken rulebook has a Chinese message and suggestion."""
    with pytest.raises(RulebookError) as info:
        compile_rulebook({"t.rules": text})
    for d in info.value.diagnostics:
        message, suggestion = d.message_zh, d.suggestion_zh or ""
        assert message, d.message
        assert not english(message), (d.message, message)
        assert not english(suggestion), (d.suggestion, suggestion)


