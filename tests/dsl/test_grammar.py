"""The grammar: conflict-free LALR, named terminals, CJK names, keywords as field names."""

from __future__ import annotations

import datetime as dt
import re

from dsl import compile_rulebook
from dsl.parser import GRAMMAR_PATH, build_parser, split_items
from tests.dsl.helpers import FIRST_RULEBOOK, TinyEnv, condition, milestone, notice


def test_grammar_has_no_conflicts_under_strict():
    """Built with strict=True (conflicts and terminal collisions fail) the grammar loads."""
    parser = build_parser(strict=True)
    assert parser.parse("m.due + 3 workdays > today", start="expr") is not None


def test_every_terminal_is_named():
    """No anonymous terminal exists, so no `__ANON_n` can reach a user."""
    p = build_parser()
    assert not [t.name for t in p.terminals if t.name.startswith("__")]
    grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
    rules = grammar.split("RULE:")[0]
    assert not re.findall(r'(?<![A-Z_]: )"[^"]+"', rules)


def test_cjk_names_and_words():
    """Rule, const and variable names may be Chinese, and so may kind words."""
    book = compile_rulebook({"t.rules": (
        "const 宽限 = 3 workdays\n"
        "rule 招标逾期 \"招标节点逾期\": for milestone 节点 where 节点.kind == 招标 "
        "light red when today > 节点.due + 宽限"
    )})
    rule = book.rules[0]
    assert rule.name == "招标逾期"
    env = TinyEnv(dt.date(2026, 3, 12))
    assert rule.lights[0].test(env, milestone(due=dt.date(2026, 3, 6))) is True


def test_keywords_may_be_field_names():
    """`n.rule` and `n.level` read notice fields even though `rule` starts an item."""
    text = 'rule a: for notice n light red when n.rule == "rule" rule b:'
    assert split_items(text) == [0, text.index("rule b")]
    assert condition('n.rule == "tender_overdue"', "notice", "n")(
        TinyEnv(dt.date(2026, 3, 9)), notice(rule="tender_overdue")) is True


def test_comments_and_layout_carry_no_meaning():
    """The spec rulebook on one line, comments removed, compiles to the same rules."""
    one_line = " ".join(
        line.split("#")[0] for line in FIRST_RULEBOOK.splitlines()
    )
    a = compile_rulebook({"a.rules": FIRST_RULEBOOK})
    b = compile_rulebook({"b.rules": one_line})
    assert [(r.name, len(r.lights), r.within) for r in a.rules] == [
        (r.name, len(r.lights), r.within) for r in b.rules
    ]


def test_operator_precedence():
    """`or` < `and` < `not` < comparisons < `+ -` < `* /` < unary minus."""
    env = TinyEnv(dt.date(2026, 3, 9))
    m = milestone(paid=2.0, amount=3.0)
    assert condition("m.paid + m.amount * 2 == 8")(env, m) is True
    assert condition("-m.paid * 2 == -4")(env, m) is True
    assert condition("m.done or m.paid == 2 and not m.done")(env, m) is True
    assert condition("(m.done or m.paid == 2) and m.done")(env, m) is False
    assert condition("not m.done and m.done")(env, m) is False
    assert condition("m.paid - m.amount - 1 == -2")(env, m) is True
