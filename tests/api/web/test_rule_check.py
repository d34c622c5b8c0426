"""The rule editor's check endpoint gives, as JSON, each rule's estimated cost (issue 18,
item 4) and the static analysis warnings (item 2) beside the diagnostics, for the editor to
show as the author types."""

from __future__ import annotations

from dsl import MAX_COST

CHEAP = 'rule late "逾期":\n    for milestone m\n    light red when today > m.due\n'
NESTED = ('rule deep: for project p light red when any(q in p.milestones where '
          'any(r in upstream(q) where any(s in upstream(r) where any(t in upstream(s) '
          'where t.done))))\n')
SHADOWED = ("rule a: for milestone m\n"
            "    light yellow when m.progress < 30%\n    light red when m.progress < 50%\n")


async def _check(site, sources):
    r = await site.client.post("/rules/check", json={"sources": sources},
                               headers={"x-csrftoken": site.csrf()})
    assert r.status_code == 200
    return r.json()


async def test_rule_check_gives_each_rules_cost_and_the_warnings(site):
    """A cheap rule costs 4 per milestone (today, m, .due, >), no collections; a rule over the
    bound is named with its cost, the bound and the nesting (in zh and en), and the
    shadowed light comes back as a warning with its example subject."""
    await site.sign_in("office")
    await site.client.get("/rules")
    body = await _check(site, {"a.rules": CHEAP, "b.rules": SHADOWED})
    assert body["ok"] and body["diagnostics"] == []
    # the published standard rulebook is checked with them: its rules are costed too
    late, a = sorted((c for c in body["costs"] if c["file"] in ("a.rules", "b.rules")),
                     key=lambda c: c["file"])
    assert {"tender_overdue", "notice_unanswered"} <= {c["name"] for c in body["costs"]}
    assert late == {"file": "a.rules", "line": 1, "name": "late", "kind": "rule", "title": "逾期",
                    "subject": "milestone", "cost": 4, "bound": MAX_COST, "over": False,
                    "reason": "no collections", "reason_zh": "无集合遍历", "because": "无集合遍历"}
    assert a["name"] == "a" and a["cost"] > 0
    [w] = [w for w in body["warnings"] if w["file"] == "b.rules"]
    assert w["text"] == "`light yellow` 永远不会显示：它成立时 `light red` 也成立（例如 m.进度 = 15%）"
    assert (w["file"], w["line"], w["kind"], w["rule"]) == ("b.rules", 2, "shadowed", "a")
    assert w["example"] == {"m.progress": "15%"} and w["lang"] == "en"
    assert w["text_zh"] == ("警告：b.rules:2:11: `light yellow` 永远不会显示：它成立时 `light red` 也成立"
                            "（例如 m.progress = 15%）")

    body = await _check(site, {"deep.rules": NESTED})
    assert not body["ok"] and body["warnings"] == []
    [deep] = [c for c in body["costs"] if c["file"] == "deep.rules"]
    assert deep["over"] and deep["cost"] == 50_765_202 and deep["bound"] == MAX_COST
    assert deep["reason"].endswith("inside any over p.milestones (~100)")
    assert deep["reason_zh"].startswith("存在遍历 p.节点清单（约 100 个）")
    assert [d["line"] for d in body["diagnostics"]] == [1]


async def test_rule_check_of_a_rulebook_that_does_not_check_has_no_costs(site):
    """Costs come from a checked rulebook only: a typo gives its diagnostic and no costs; a
    diagnostic of a Chinese file is said in Chinese, with the English alternative."""
    await site.sign_in("office")
    await site.client.get("/rules")
    body = await _check(site, {"a.rules": CHEAP.replace("m.due", "m.deu")})
    assert not body["ok"] and body["costs"] == [] and body["warnings"] == []
    zh = "规则 late:\n    对 节点 m\n    亮 红灯 当 今天 > m.计划完从\n"
    [d] = (await _check(site, {"a.rules": zh}))["diagnostics"]
    assert (d["lang"], d["line"]) == ("zh", 3)
    assert d["text"] == d["text_zh"] == "节点没有字段 `计划完从`；是否想写 `计划完成`？"
    assert d["text_en"] == "unknown field `计划完从` of 节点; did you mean `计划完成`?"
