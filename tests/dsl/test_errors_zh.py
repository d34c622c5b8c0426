"""Every diagnostic is said in zh-CN first, with the English alternative (issue 18): one bad
rulebook per kind of mistake of the parser, the checker, the operators and the compiler's
bounds; each diagnostic carries Chinese words outside its quoted names, the English text,
and a Chinese suggestion wherever there is an English one."""

from __future__ import annotations

import re

import pytest

from dsl import check_rulebook

R = "rule a: for milestone m light red when "
BAD = [
    "lights", R + "m.due >", R + "m.due >> today", R + "m.due => today", R + 'm.name == "x',
    R + "m.progress ＞ 10%", R + "m.progress ! 10%", R + "\\m", R + "1 < m.progress < 2",
    R + "m.progress = 1", R + "m.done and rule", "rule a: for milestone m light red when m.done\n"
    "rule a: for milestone m light red when m.done", "const g = 1\nconst g = 2",
    "const g = g + 1", "const g = h\nconst h = g", "rule a: for milestne m light red when true",
    R + "m.progress", "rule a: for milestone m light purple when true",
    R + "true notify m.project within 3 workdays", R + "true notify m.unit within 3",
    R + 'true notify m.unit within m.due - m.due message "x"',
    R + 'true message "{m.project.milestones}"', "score s for milestone m: 1",
    'score s for unit u: "x"', R + "m.progress > 9999999999999999", R + "m.due > 2026-02-30",
    R + "m.due > today + 3 fortnights", R + "m.due > today + 1.5 days",
    R + "m.due > today + 99999999 days", R + "m.kind == banana", "const c = 1\n"
    "rule a: for milestone m light red when m.done\nconst d = m.due",
    R + "upstream > 1", R + "m.dew > today", R + "m.project.milestones.name == 1",
    R + "m.progress.x == 1", R + "not m.progress", R + "-m.due > today",
    R + "m.due + 1 > today", R + "m.due + m.due > today", R + "m.progress * m.due > 1",
    R + "m.due > 1", R + "m.kind > m.kind", R + "m.done and 1", R + "m.kind in [1]",
    R + "frobnicate(m) > 1", R + "days(m.due) > 1", R + "days(m.due, 1) > 1",
    R + "default(m.progress) > 1", R + "default(m.progress, today) > 1",
    R + "any(x in m.due where x.done)", R + "sum(x.name for x in upstream(m)) > 1",
    R + 'true message "\\q"', R + 'true message "{m.name"', R + 'true message "{}"',
    R + 'true message "x}"', R + "grace > 1", R + "tendering", R + "any > 1",
]
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _outside_quotes(text: str) -> str:
    return re.sub(r"`[^`]*`", "", text)


@pytest.mark.parametrize("source", BAD)
def test_every_diagnostic_is_said_in_chinese_and_english(source):
    diagnostics = check_rulebook({"t.rules": source})
    assert diagnostics, source
    for d in diagnostics:
        assert _CJK.search(_outside_quotes(d.message_zh)), d
        assert d.message and not _CJK.search(_outside_quotes(d.message)), d
        assert (d.suggestion is None) == (d.suggestion_zh is None), d
        if d.suggestion_zh is not None:
            assert _CJK.search(_outside_quotes(d.suggestion_zh)), d
        assert d.lang == "en" and d.text == d.text_in("en") != d.text_in("zh")


def test_a_cost_refusal_and_an_over_long_rulebook_are_said_in_chinese():
    """The compiler's bound and the rulebook's length bound speak Chinese too."""
    nested = ("规则 deep: 对 项目 p 亮 红灯 当 存在(q 属于 p.milestones 满足 存在(r 属于 上游(q) 满足 "
              "存在(s 属于 上游(r) 满足 存在(t 属于 上游(s) 满足 t.done))))\n")
    [d] = check_rulebook({"t.rules": nested})
    assert d.lang == "zh" and d.text.startswith("规则 `deep` 对每个项目约需 50,765,202 次运算")
    assert d.text.endswith("；请把一个集合移出另一个集合，或用 `满足` 缩小范围")
    [d] = check_rulebook({"t.rules": "#" * 500_001})
    assert d.text_in("zh") == "规则库超过 500000 个字符；请拆分为较小的规则库"
