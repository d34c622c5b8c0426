"""Bounded cost (issue 18, item 4): each rule's cost estimated from its shape, shown by lint,
and a rule over the bound refused with the rule and the reason."""

from __future__ import annotations

import pytest

from api.cli import main
from dsl import MAX_COST, RulebookError, compile_rulebook
from rules.standard import standard_sources

ONE = "rule a: for milestone m light red when any(p in upstream(m) where p.done)\n"
NESTED = ("rule deep: for project p light red when any(q in p.milestones where "
          "any(r in upstream(q) where any(s in upstream(r) where any(t in upstream(s) "
          "where t.done))))\n")


def test_cost_by_hand():
    """any over upstream(m): the call 50 + m 1, then 50 x (1 + p.done 2) = 201."""
    rule = compile_rulebook({"t.rules": ONE}).rules[0]
    assert (rule.cost, rule.cost_reason) == (201, "any over upstream(m) (~50)")
    plain = compile_rulebook({"t.rules": "rule b: for milestone m light red when m.done"})
    assert (plain.rules[0].cost, plain.rules[0].cost_reason) == (2, "no collections")


def test_four_nested_collections_are_refused_with_the_reason():
    """Four collections nested in a per-project rule pass the bound: refused at the rule's
    name, with the estimate and the nesting that made it."""
    with pytest.raises(RulebookError) as caught:
        compile_rulebook({"t.rules": NESTED + ONE})
    [d] = caught.value.diagnostics
    assert (d.line, d.column) == (1, 6)
    assert d.message == (
        "rule `deep` would cost about 50,765,202 operations per project (any over upstream(s) "
        "(~50) inside any over upstream(r) (~50) inside any over upstream(q) (~50) inside any "
        f"over p.milestones (~100)), more than the bound of {MAX_COST:,}")
    assert compile_rulebook({"t.rules": NESTED}, max_cost=None).rules[0].cost == 50_765_202


def test_the_standard_rulebook_is_well_under_the_bound():
    """No standard rule costs more than a thousand operations per subject."""
    book = compile_rulebook(standard_sources())
    assert max(r.cost for r in book.rules) < 1000
    assert all(r.cost > 0 for r in book.rules)


def test_lint_shows_costs_and_takes_a_bound(tmp_path, capsys):
    """`rules lint` prints each rule's estimate; `--max-cost` refuses a rule above it."""
    f = tmp_path / "t.rules"
    f.write_text(ONE, encoding="utf-8")
    assert main(["--lang", "en", "rules", "lint", str(f)]) == 0
    assert "  a: 201 per milestone (any over upstream(m) (~50))" in capsys.readouterr().out
    assert main(["--lang", "en", "rules", "lint", "--max-cost", "200", str(f)]) == 1
    err = capsys.readouterr().err
    assert f"{f}:1:6: rule `a` would cost about 201 operations per milestone" in err


def test_item_costs_name_every_rule_and_score_with_the_reason_in_both_languages():
    """``inspect_rulebook`` costs each item of a checked rulebook, over the bound or not, the
    nesting read outermost first in Chinese; a rulebook that does not check has none."""
    from dsl import inspect_rulebook  # noqa: PLC0415

    found = inspect_rulebook({"t.rules": NESTED + ONE})
    deep, one = found.costs
    assert (deep.name, deep.line, deep.over, one.name, one.line, one.over) == (
        "deep", 1, True, "a", 2, False)
    assert one.reason_zh == "存在遍历 上游(m)（约 50 个）"
    assert deep.reason_zh == ("存在遍历 p.节点清单（约 100 个），其中又存在遍历 上游(q)（约 50 个），"
                              "其中又存在遍历 上游(r)（约 50 个），其中又存在遍历 上游(s)（约 50 个）")
    assert [d.line for d in found.diagnostics] == [1] and found.warnings == ()
    assert inspect_rulebook({"t.rules": ONE.replace("p.done", "p.dnoe")}).costs == ()
