"""The rule editor's endpoints on the real app: the whole rulebook is checked as the user types,
errors point at the file and line being edited, in Chinese, with the place said once; a
refused publish stores nothing; a dry run lists what would light by name; a new file can be
added; each rule's cost is shown; and each refusal says what the user did wrong."""

from __future__ import annotations

from typing import Any

from rules import repository as rules_repo
from rules.standard import standard_sources

DUPLICATE = ('\n\nrule notice_unanswered "重名的规则":\n    for milestone m\n'
             "    light red when not m.done\n")


async def post(site: Any, path: str, body: Any, lang: str = "zh") -> Any:
    return await site.client.post(f"{path}?lang={lang}", json=body, headers={"x-csrftoken": site.csrf()})


async def office(site: Any) -> None:
    await site.sign_in("office")
    await site.client.get("/rules")  # the CSRF cookie


async def test_check_sees_the_whole_rulebook_and_points_at_the_new_rule(site):
    """A rule named like one in another file fails the as-you-type check of one file, at the
    new rule's line in the file being edited, in Chinese, naming where the first one is."""
    await office(site)
    overdue = standard_sources()["overdue.rules"] + DUPLICATE
    line = overdue.count("\n", 0, overdue.index("rule notice_unanswered")) + 1
    r = await post(site, "/rules/check", {"sources": {"overdue.rules": overdue}})
    body = r.json()
    assert r.status_code == 200 and body["ok"] is False
    [d] = body["diagnostics"]
    assert (d["file"], d["line"], d["column"]) == ("overdue.rules", line, 6)
    assert d["place"] == f"overdue.rules 第 {line} 行第 6 列"
    assert d["text"].startswith("规则名 `notice_unanswered` 重复；第一个在 units.rules:")
    assert "overdue.rules" not in d["text"]  # the place is said once, in ``place``
    assert body["message"] == "1 处错误"


async def test_a_publish_that_fails_saves_nothing_and_says_so(site):
    """Publishing a rulebook with an error answers 422 with the marked error and a message in
    Chinese that nothing was saved; no draft version appears."""
    await office(site)
    before = len(await rules_repo.list_versions())
    overdue = standard_sources()["overdue.rules"] + DUPLICATE
    r = await post(site, "/rules/publish", {"sources": {"overdue.rules": overdue}})
    assert r.status_code == 422
    assert r.json()["message"] == "规则有 1 处错误，未保存，也未发布：请按标红处修改"
    assert r.json()["diagnostics"][0]["file"] == "overdue.rules"
    assert len(await rules_repo.list_versions()) == before


async def test_a_fixed_rulebook_checks_clean_with_costs_and_publishes_every_file(site):
    """The fixed rule checks clean, each rule's cost comes with the answer, and publishing it
    keeps the other files of the rulebook."""
    await office(site)
    overdue = standard_sources()["overdue.rules"] + DUPLICATE.replace("notice_unanswered", "all_open")
    r = await post(site, "/rules/check", {"sources": {"overdue.rules": overdue}})
    body = r.json()
    assert body["ok"] is True and body["diagnostics"] == [] and body["message"] == "规则无误"
    costs = {c["name"]: c for c in body["costs"]}
    assert costs["all_open"]["file"] == "overdue.rules" and costs["all_open"]["cost"] > 0
    assert set(costs) >= {"tender_overdue", "notice_unanswered"}
    dearest = body["costs"][0]
    assert dearest["cost"] == max(c["cost"] for c in body["costs"]) and dearest["because"] == dearest["reason_zh"] == "存在遍历 p.节点清单（约 100 个）"
    r = await post(site, "/rules/publish", {"sources": {"overdue.rules": overdue}})
    assert r.status_code == 200
    assert r.json()["message"] == f"已发布版本 v{r.json()['version']}，已按新规则重新评估全部项目"
    published = await rules_repo.latest_published()
    assert published.number == r.json()["version"]
    assert set(published.sources) == set(standard_sources())
    assert "all_open" in published.sources["overdue.rules"]


async def test_a_dry_run_lists_projects_and_milestones_by_name_today_and_on_a_past_day(site):
    """The dry run names what would light, with its level, over the whole rulebook: today the
    overdue tender of 海东大道 is yellow; on 2026-04-06 it was not yet due, only unreported."""
    await office(site)
    r = await post(site, "/rules/dry-run", {"sources": {"overdue.rules": standard_sources()["overdue.rules"]},
                                            "past": "2026-04-06"})
    assert r.status_code == 200
    today, past = r.json()["days"]
    assert (today["day"], past["day"]) == ("2026-05-06", "2026-04-06")
    tender = [f for f in today["findings"] if f["subject"] == "milestone:P001/tender"]
    assert [(f["name"], f["level"], f["level_text"], f["title"]) for f in tender] == [
        ("海东大道改造工程 / 施工招标", "yellow", "黄灯", "招标节点逾期")]
    assert [f["rule"] for f in past["findings"] if f["subject"] == "milestone:P001/tender"] == ["stale_report"]
    # rules of the other files (units.rules, reporting.rules...) ran too
    assert {f["rule"] for f in today["findings"]} - {"tender_overdue"}
    assert today["summary"] == (f"2026-05-06：将亮红灯 {today['red']} 个、黄灯 {today['yellow']} 个、"
                                f"蓝灯（提醒） {today['blue']} 个")
    assert today["yellow"] == sum(f["level"] == "yellow" for f in today["findings"])
    assert len(await rules_repo.list_versions()) == 1  # a dry run stores nothing


async def test_a_new_rule_file_is_checked_with_the_others_and_published(site):
    """A file added from the page (a Chinese name) is checked with the rest, so a clash with
    another file shows in the new file; fixed, it is published beside the others."""
    await office(site)
    new = '规则 late_plan "方案逾期":\n    对 节点 m 满足 非 m.done\n    亮 黄灯 当 今天 > m.due\n'
    r = await post(site, "/rules/check", {"sources": {"督办.rules": new.replace("late_plan", "tender_overdue")}})
    [d] = r.json()["diagnostics"]
    assert (d["file"], d["line"]) == ("督办.rules", 1)
    assert "第一个在 overdue.rules:" in d["text"]
    r = await post(site, "/rules/publish", {"sources": {"督办.rules": new}})
    assert r.status_code == 200, r.json()
    published = await rules_repo.latest_published()
    assert published.sources["督办.rules"] == new and "overdue.rules" in published.sources


async def test_errors_in_english_when_the_page_is_english(site):
    """With ?lang=en the same error reads in English, its place said once."""
    await office(site)
    overdue = standard_sources()["overdue.rules"] + DUPLICATE
    r = await post(site, "/rules/check", {"sources": {"overdue.rules": overdue}}, lang="en")
    [d] = r.json()["diagnostics"]
    assert d["text"].startswith("duplicate rule name `notice_unanswered`; the first is at units.rules:")
    assert d["place"].startswith("overdue.rules, line ")


async def test_each_refusal_says_what_is_wrong(site):
    """A bad file name, a text too long, a control character, a bad or future past day, no
    sources, and a dry run of a broken rulebook: each answers 422 with its message."""
    await office(site)
    good = {"overdue.rules": standard_sources()["overdue.rules"]}
    cases = [
        ("/rules/check", {"sources": {"../x.rules": "rule"}},
         "文件名“../x.rules”不可用：应以 .rules 结尾，只含文字、数字、- 和 _，不含文件夹，最长 64 个字符"),
        ("/rules/check", {"sources": {"notes.txt": ""}}, "文件名“notes.txt”不可用"),
        ("/rules/publish", {"sources": {"a.rules": "x" * 200_001}}, "文件 a.rules 太长：最多 200,000 个字符"),
        ("/rules/publish", {"sources": {"a.rules": "rule a \u202e"}},
         "文件 a.rules 第 8 个字符是不可见的控制字符 U+202E，请删去"),
        ("/rules/check", {"sources": {"a.rules": 3}}, "文件 a.rules：请发送规则文本"),
        ("/rules/check", {"files": {}}, '请求应为 {"sources": {"文件名.rules": "规则文本"}}'),
        ("/rules/dry-run", {"sources": good, "past": "06/04/2026"},
         "过去某日“06/04/2026”不是日期，请写成 2026-04-06 这样的形式"),
        ("/rules/dry-run", {"sources": good, "past": "2026-06-01"},
         "过去某日 2026-06-01 晚于今天（2026-05-06），请选今天或更早的日子"),
        ("/rules/dry-run", {"sources": {"overdue.rules": good["overdue.rules"] + DUPLICATE}},
         "规则有 1 处错误，无法试运行：请按标红处修改"),
    ]
    before = len(await rules_repo.list_versions())
    for path, body, message in cases:
        r = await post(site, path, body)
        assert r.status_code == 422, (path, body, r.text)
        assert r.json()["message"].startswith(message), (r.json()["message"], message)
    assert len(await rules_repo.list_versions()) == before


async def test_only_the_office_reaches_the_editor(site):
    """A unit's account gets the Chinese 403 page and cannot check or publish rules."""
    await site.sign_in("unit")
    r = await site.client.get("/rules")
    assert r.status_code == 403 and "无权查看此页面" in r.text
    r = await post(site, "/rules/publish", {"sources": {"a.rules": ""}})
    assert r.status_code == 403
    assert len(await rules_repo.list_versions()) == 1
