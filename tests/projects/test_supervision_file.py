"""Portfolio files, version 2 (issue 12): people, co-units, persons, urgency, source,
instruction, cadences and extension requests; every check with its place, the file refused
whole."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from projects.cadence import Cadence
from projects.errors import PortfolioError
from projects.extensions import APPROVED, REJECTED, Extension
from projects.loader import dump_portfolio, load_portfolio, parse_portfolio
from projects.model import Category, Person

TODAY = dt.date(2026, 7, 1)
CONTRACT = Path("/work/shared/design/supervision.md")


def base() -> dict[str, Any]:
    return {
        "units": [{"id": "dev-reform", "name": "市发展改革委"}, {"id": "transport", "name": "市交通运输局"},
                  {"id": "housing", "name": "市住房城乡建设局"}],
        "people": [{"id": "wang", "name": "王某", "unit": "transport", "post": "副局长"},
                   {"id": "li", "name": "李某", "unit": "housing"}],
        "projects": [{
            "id": "T001", "name": "优化营商环境专项行动", "category": "task", "unit": "dev-reform",
            "co_units": ["transport", "housing"], "person": "wang", "urgent": True,
            "source": "市委常委会第12次会议", "instruction": "务必于三季度前见效", "report_every": "1 months",
            "milestones": [
                {"id": "m1", "kind": "progress", "start": "2026-03-02", "due": "2026-06-30",
                 "person": "li", "co_units": ["housing"], "report_every": "2 weeks"},
                {"id": "m2", "kind": "progress", "due": "2026-09-30"},
            ]}],
        "extensions": [{"milestone": "T001/m1", "requested": "2026-06-20", "new_due": "2026-07-31",
                        "reason": "因用地报批延迟", "decided": "2026-06-23", "decision": "approved"}],
    }


def problems(data: Any) -> list[str]:
    with pytest.raises(PortfolioError) as info:
        parse_portfolio(data, today=TODAY)
    return [str(p) for p in info.value.problems]


def one(data: Any) -> str:
    found = problems(data)
    assert len(found) == 1, found
    return found[0]


def test_every_new_field_loads_with_its_value() -> None:
    p = parse_portfolio(base(), today=TODAY)
    assert p.people == (Person("wang", "王某", "transport", "副局长"), Person("li", "李某", "housing"))
    t = p.projects[0]
    assert t.category is Category.TASK
    assert (t.co_units, t.person, t.urgent) == (("transport", "housing"), "wang", True)
    assert (t.source, t.instruction, t.report_every) == ("市委常委会第12次会议", "务必于三季度前见效",
                                                        Cadence(1, "months"))
    m1, m2 = t.milestones
    assert (m1.person, m1.co_units, m1.report_every) == ("li", ("housing",), Cadence(2, "weeks"))
    # absent on the milestone: None, so the project's value applies (the views inherit it)
    assert (m2.person, m2.co_units, m2.report_every) == (None, None, None)
    assert p.extensions == (Extension("T001/m1", dt.date(2026, 6, 20), dt.date(2026, 7, 31),
                                      "因用地报批延迟", dt.date(2026, 6, 23), APPROVED),)


def test_a_version_1_file_means_what_it_meant() -> None:
    data = base()
    for key in ("people", "extensions"):
        del data[key]
    for key in ("co_units", "person", "urgent", "source", "instruction", "report_every"):
        del data["projects"][0][key]
    for m in data["projects"][0]["milestones"]:
        for key in ("person", "co_units", "report_every"):
            m.pop(key, None)
    p = parse_portfolio(data, today=TODAY)
    t = p.projects[0]
    assert (t.co_units, t.person, t.urgent, t.source, t.instruction, t.report_every) == \
        ((), None, False, None, None, None)
    assert p.people == () and p.extensions == ()


def test_dump_round_trips_every_new_field() -> None:
    data = base()
    data["projects"][0]["milestones"][1]["co_units"] = []  # explicitly none, not the project's
    data["extensions"].append({"milestone": "T001/m2", "requested": "2026-06-25",
                               "new_due": "2026-10-31", "reason": "等待资金"})
    p = parse_portfolio(data, today=TODAY)
    assert p.projects[0].milestones[1].co_units == ()
    assert parse_portfolio(dump_portfolio(p), today=TODAY) == p


def test_chinese_cadences_and_decisions_are_accepted() -> None:
    data = base()
    data["projects"][0]["report_every"] = "月报"
    data["projects"][0]["milestones"][0]["report_every"] = "周报"
    data["extensions"][0]["decision"] = "不同意"
    p = parse_portfolio(data, today=TODAY)
    assert p.projects[0].report_every == Cadence(1, "months")
    assert p.projects[0].milestones[0].report_every == Cadence(1, "weeks")
    assert p.extensions[0].decision == REJECTED


def _set(path: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        node: Any = data
        parts = re.findall(r"[^.\[\]]+", path)
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        last = parts[-1]
        if value is _DEL:
            del node[int(last) if last.isdigit() else last]
        elif last.isdigit():
            node[int(last):int(last) + 1] = [value]
        else:
            node[last] = value
    return change


_DEL = object()

MISTAKES = [
    # people
    (_set("people.1.unit", "housng"), 'people[1].unit: no unit "housng"; did you mean "housing"?'),
    (_set("people.1.unit", _DEL), 'people[1]: missing field "unit"'),
    (_set("people.2", {"id": "wang", "name": "另一个王某", "unit": "housing"}),
     'people[2].id: duplicate person id "wang" (first at people[0])'),
    (_set("people.1.name", _DEL), 'people[1]: missing field "name"'),
    (_set("people.0.phone", "123"), 'people[0]: unknown field "phone"'),
    (_set("people", "wang"), "people: people must be a list"),
    # project fields
    (_set("projects.0.person", "wong"), 'projects[0].person: no person "wong"; did you mean "wang"?'),
    (_set("projects.0.co_units", ["transport", "hosing"]), 'projects[0].co_units[1]: no unit "hosing"; did you mean "housing"?'),
    (_set("projects.0.co_units", ["transport", "transport"]), 'projects[0].co_units[1]: 配合单位「transport」重复'),
    (_set("projects.0.co_units", ["dev-reform"]), 'projects[0].co_units[0]: "dev-reform" is the lead unit here'),
    (_set("projects.0.urgent", "yes"), "projects[0].urgent: 紧急标记只能是 true 或 false"),
    (_set("projects.0.report_every", "2 fortnights"), 'projects[0].report_every: not a duration: unknown unit "fortnights"'),
    (_set("projects.0.report_every", 3), "projects[0].report_every: not a duration: 3 has no unit"),
    (_set("projects.0.report_every", "0 weeks"), "a cadence must be at least 1 week"),
    (_set("projects.0.instruction", {"text": "x"}), "projects[0].instruction: expected text"),
    # the person works in the lead unit or a co-unit (files, Excel, the API and forms alike)
    (_set("projects.0.co_units", ["housing"]),
     'projects[0].person: person "wang" works in unit "transport", which is neither the lead unit nor a co-unit here'),
    (_set("projects.0.co_units", ["housing"]),
     "projects[0].person: 责任人「wang」属于单位「transport」，不是这里的牵头单位或配合单位"),
    (_set("projects.0.milestones.0.person", "wang"),
     'projects[0].milestones[0].person: person "wang" works in unit "transport"'),  # its own co-units: housing
    (lambda d: [_set("projects.0.milestones.1.person", "li")(d), _set("projects.0.milestones.1.co_units", [])(d)],
     'projects[0].milestones[1].person: person "li" works in unit "housing"'),  # explicitly none: only the lead
    # milestone fields
    (_set("projects.0.milestones.0.person", "lii"), 'projects[0].milestones[0].person: no person "lii"; did you mean "li"?'),
    (_set("projects.0.milestones.0.co_units", ["nowhere"]), 'projects[0].milestones[0].co_units[0]: no unit "nowhere"'),
    (_set("projects.0.milestones.1.co_units", ["dev-reform"]), 'projects[0].milestones[1].co_units[0]: "dev-reform" is the responsible unit of milestone T001/m2'),
    (_set("projects.0.milestones.0.report_every", "weekley"), 'projects[0].milestones[0].report_every: not a duration: "weekley" is not a cadence; did you mean "weekly"?'),
    # extensions
    (_set("extensions.0.milestone", "T001/m9"), 'extensions[0].milestone: no milestone "m9" in T001'),
    (_set("extensions.0.milestone", "T002/m1"), 'extensions[0].milestone: no project "T002"; did you mean "T001"?'),
    (_set("extensions.0.milestone", "m1"), "extensions[0].milestone: the text \"m1\" does not name a milestone; write PROJECT/MILESTONE"),
    (_set("extensions.0.new_due", "2026-06-30"), "extensions[0].new_due: new_due 2026-06-30 is not after the milestone's due 2026-06-30"),
    (_set("extensions.0.new_due", "2026-05-01"), "is not after the milestone's due 2026-06-30"),
    (_set("extensions.0.decided", "2026-06-19"), "extensions[0].decided: decided 2026-06-19 is before requested 2026-06-20"),
    (_set("extensions.0.decided", _DEL), "extensions[0].decided: 审批结果缺少审批日期"),
    (_set("extensions.0.decision", _DEL), "extensions[0].decision: 审批日期缺少审批结果"),
    (_set("extensions.0.decision", "approve"), 'extensions[0].decision: unknown decision "approve"; did you mean "approved"?'),
    (_set("extensions.0.reason", "  "), "extensions[0].reason: 延期理由不能为空"),
    (_set("extensions.0.reason", _DEL), "extensions[0].reason: 延期理由不能为空"),
    (lambda d: [_set("extensions.0.decided", _DEL)(d), _set("extensions.0.decision", _DEL)(d),
                _set("extensions.0.requested", "2026-07-02")(d)], "extensions[0].requested: 2026-07-02 is later than today (2026-07-01)"),
    (_set("extensions.0.decided", "2026-07-02"), "extensions[0].decided: 2026-07-02 is later than today"),
    (_set("extensions.0.new_due", "2026-02-30"), 'extensions[0].new_due: "2026-02-30" is not a date'),
    (_set("extensions.0.requested", _DEL), 'extensions[0]: missing field "requested"'),
    (_set("extensions.0.when", "x"), 'extensions[0]: unknown field "when"'),
    (_set("extensions.0.milestone", "T001/m2"), None),  # m2 is due 2026-09-30: refused below
]


@pytest.mark.parametrize(("change", "expected"), [m for m in MISTAKES if m[1] is not None])
def test_each_mistake_gives_one_message_with_its_place_and_nothing_loads(change: Any, expected: str) -> None:
    """One problem, at its place, said in English with no Chinese inside it, and in Chinese."""
    data = base()
    change(data)
    with pytest.raises(PortfolioError) as info:
        parse_portfolio(data, today=TODAY)
    assert len(info.value.problems) == 1, info.value.problems
    problem = info.value.problems[0]
    assert expected in f"{problem} ‖ {problem.located('zh')}"
    # an example may be a Chinese name, and an accepted spelling may be glossed: weekly (周报)
    english = re.sub(r"e\.g\. \S+|\([^)]*\)", "", str(problem))
    assert not re.search(r"[\u4e00-\u9fff]", english), str(problem)
    assert problem.zh and re.search(r"[\u4e00-\u9fff]", problem.zh), problem


def test_an_extension_of_a_milestone_without_due_is_refused() -> None:
    data = base()
    del data["projects"][0]["milestones"][0]["due"]
    assert "milestone T001/m1 has no due date to extend" in one(data)


def test_a_person_of_the_lead_unit_or_a_co_unit_is_accepted() -> None:
    """A milestone without co-units of its own takes the project's: li (housing) may answer for
    it; a person of a co-unit answers for the project."""
    data = base()
    data["projects"][0]["milestones"][1]["person"] = "li"
    data["projects"][0]["person"] = "li"
    p = parse_portfolio(data, today=TODAY)
    assert p.projects[0].person == "li" and p.projects[0].milestones[1].person == "li"


def test_people_without_a_list_do_not_make_every_person_unknown() -> None:
    data = base()
    data["people"] = "wang"
    assert len(problems(data)) == 1  # the people field, not the persons that name it


def test_a_person_named_with_no_people_says_where_to_list_them() -> None:
    data = base()
    del data["people"]
    with pytest.raises(PortfolioError) as info:
        parse_portfolio(data, today=TODAY)
    problem = info.value.problems[0]
    assert 'projects[0].person: no person "wang": list them under people' in str(problem)
    assert problem.located("zh") == "projects[0].person: 没有责任人「wang」：请先在 people 中登记（id、name、unit）"


def test_several_extensions_and_all_their_problems_are_reported_together() -> None:
    data = base()
    data["extensions"] += [
        {"milestone": "T001/m2", "requested": "2026-06-01", "new_due": "2026-09-01", "reason": "x"},
        {"milestone": "T001/m2", "requested": "2026-06-01", "new_due": "2026-10-31", "reason": ""},
    ]
    found = problems(data)
    assert [f.split(":")[0] for f in found] == ["extensions[1].new_due", "extensions[2].reason"]


def test_leap_day_and_month_end_dates_are_dates() -> None:
    data = base()
    data["projects"][0]["milestones"][1]["due"] = "2028-02-28"
    data["extensions"].append({"milestone": "T001/m2", "requested": "2026-06-30",
                               "new_due": "2028-02-29", "reason": "闰年"})
    p = parse_portfolio(data, today=TODAY)
    assert p.extensions[1].new_due == dt.date(2028, 2, 29)
    data["extensions"][1]["new_due"] = "2027-02-29"
    assert 'extensions[1].new_due: "2027-02-29" is not a date' in one(data)


def test_the_contract_example_loads_with_its_own_people_units_and_lines(tmp_path: Path) -> None:
    """supervision.md's file example (read in place), less the records of issue 13."""
    text = CONTRACT.read_text(encoding="utf-8")
    block = text.split("## Portfolio file additions", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    data = yaml.safe_load(block)
    assert {"people", "projects", "extensions"} <= data.keys()
    data.pop("complaints"), data.pop("accountability")  # issue 13
    data["units"] = [{"id": u, "name": u} for u in ("dev-reform", "transport", "housing")]
    data["people"].append({"id": "li", "name": "李某", "unit": "housing"})
    p = parse_portfolio(data, today=TODAY)
    m1 = p.projects[0].milestones[0]
    assert m1.report_every == Cadence(2, "weeks") and p.projects[0].report_every == Cadence(1, "months")
    assert p.extensions[0].decision == APPROVED
    bad = copy.deepcopy(data)
    bad["extensions"][0]["new_due"] = "2026-06-01"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PortfolioError) as info:
        load_portfolio(path, today=TODAY)
    (problem,) = info.value.problems
    assert problem.line is not None and problem.where == "extensions[0].new_due"
