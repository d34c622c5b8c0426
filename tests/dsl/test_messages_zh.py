"""Diagnostics said in Chinese: every shape the parser, checker and compiler raise for a corpus
of broken rulebooks comes out in Chinese, keeping the author's quoted words."""

from __future__ import annotations

import re

import pytest

from dsl import RulebookError, compile_rulebook
from dsl.messages_zh import is_translated, message_zh, suggestion_zh, warning_zh

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
    """English words left outside the author's quoted words (date formats aside)."""
    return re.findall(r"[A-Za-z]{3,}", re.sub(r"`[^`]*`|YYYY-MM-DD|\S+\.rules", "", text))


@pytest.mark.parametrize("text", BROKEN)
def test_each_diagnostic_reads_in_chinese(text):
    """Each diagnostic of a broken rulebook has a Chinese message and suggestion."""
    with pytest.raises(RulebookError) as info:
        compile_rulebook({"t.rules": text})
    for d in info.value.diagnostics:
        message, suggestion = message_zh(d.message), suggestion_zh(d.suggestion) or ""
        assert is_translated(d.message), d.message
        assert not english(message), (d.message, message)
        assert not english(suggestion), (d.suggestion, suggestion)


def test_quoted_words_stay_as_written_and_unknown_shapes_are_kept():
    """The author's words in backticks are kept; a message of no known shape is kept in
    English behind a Chinese lead, so nothing is lost."""
    assert message_zh("unknown field `dnoe` of milestone") == "节点没有字段 `dnoe`"
    assert suggestion_zh("did you mean `done`?") == "是不是 `done`？"
    assert message_zh("duplicate rule name `late`") == "规则名 `late` 已被使用"
    assert suggestion_zh("the first is at units.rules:3; give this one another name") == \
        "第一个在 units.rules 第 3 行，请给这一个换个名字"
    assert message_zh("something new") == "规则有误：something new"
    assert suggestion_zh(None) is None


def test_a_rule_over_the_cost_bound_and_the_warnings_read_in_chinese():
    """The refusal of a rule over the cost bound names the nesting outermost first; each static
    analysis warning of a rulebook that shows it reads in Chinese."""
    nested = ("rule deep: for project p light red when any(q in p.milestones where any(r in upstream(q) "
              "where any(s in upstream(r) where any(t in upstream(s) where t.done))))\n")
    with pytest.raises(RulebookError) as info:
        compile_rulebook({"t.rules": nested})
    [d] = info.value.diagnostics
    said = message_zh(d.message)
    assert said.startswith("规则 `deep` 对每个项目约需 50,765,202 次运算（`any` 遍历 `p.milestones`（约 100 个），其中又")
    assert said.endswith("超过上限 2,000,000")
    from dsl import inspect_rulebook  # noqa: PLC0415

    shadowed = "rule a: for milestone m\n    light yellow when m.progress < 30%\n    light red when m.progress < 50%\n"
    never = "rule b: for milestone m where m.progress > 50% and m.progress < 10%\n    light red when m.done\n"
    always = "rule c: for milestone m\n    light red when m.progress >= 0%\n"
    warned = [warning_zh(w.message) for w in inspect_rulebook(
        {"a.rules": shadowed, "b.rules": never, "c.rules": always}).warnings]
    assert "黄灯 永远显示不出来：它成立时，红灯 也成立（更高的灯号优先）" in warned
    assert "规则 `b` 的 `where` 条件永远不成立：没有对象能满足，这条规则永远不会亮灯" in warned
    assert not [w for w in warned if w.startswith("提示：")], warned
