"""The supervision loop in the language and the engine (issue 12, items 2 and 3): subject
``person`` and ``score ... for person``, the new milestone, project and unit fields, ``notify``
of a collection of units, extensions moving ``due`` from their decision day for every field,
rate and schedule computation, ``next_report`` on the cadence, and as-of replay of all of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from dsl import RulebookError, compile_rulebook
from projects.cadence import Cadence
from projects.extensions import APPROVED, REJECTED, Extension
from projects.model import Category, Kind, Level, Milestone, Person, Portfolio, Project, Unit
from rules.engine import evaluate

D = dt.date
UNITS = (Unit("dev", "市发展改革委"), Unit("transport", "市交通运输局"), Unit("housing", "市住建局"))
PEOPLE = (Person("wang", "王某", "transport", "副局长"), Person("li", "李某", "housing"))


def world(*milestones: Milestone, extensions: tuple[Extension, ...] = (), calendar: str = "cn",
          **project: Any) -> Portfolio:
    fields: dict[str, Any] = {"co_units": ("transport", "housing"), "person": "wang"} | project
    p = Project("T001", "优化营商环境专项行动", Category.TASK, "dev", None, milestones, **fields)
    return Portfolio(UNITS, (p,), calendar=calendar, people=PEOPLE, extensions=extensions)


def m(mid: str, **kw: Any) -> Milestone:
    return Milestone("T001", mid, kw.pop("name", mid), Kind.PROGRESS, **kw)


def values(source: str, p: Portfolio, day: dt.date, subject: str = "milestone") -> dict[str, Any]:
    """``value`` of each subject through a message hole of a rule lit for all of them."""
    text = (f'rule v "v":\n    for {subject} x\n    light yellow when true\n'
            f'    message "{{{source}}}"\n')
    ev = evaluate(compile_rulebook({"t.rules": text}), p, day)
    return {f.subject.split(":", 1)[1]: f.message for f in ev.findings}


def lit(source: str, p: Portfolio, day: dt.date) -> dict[str, Level]:
    ev = evaluate(compile_rulebook({"t.rules": source}), p, day)
    return {f.subject: f.level for f in ev.findings}


# -- the language: types and fields -----------------------------------------------------------

@pytest.mark.parametrize(("expr", "subject"), [
    ("x.person.name", "milestone"), ("count(u in x.co_units)", "milestone"),
    ("x.report_every", "milestone"), ("x.next_report", "milestone"), ("x.report_overdue", "milestone"),
    ("x.original_due", "milestone"), ("x.extensions", "milestone"), ("x.extension_pending", "milestone"),
    ("x.planned_progress", "milestone"), ("x.person.unit.name", "project"), ("x.urgent", "project"),
    ("x.source", "project"), ("x.instruction", "project"), ("x.report_every", "project"),
    ("x.planned_progress", "project"), ("count(y in x.people)", "unit"), ("x.extensions", "unit"),
    ("x.post", "person"), ("count(y in x.milestones)", "person"), ("x.on_time_rate", "person"),
    ("x.completion_rate", "person"), ("x.early_rate", "person"), ("x.unit.name", "person"),
])
def test_every_new_field_compiles(expr: str, subject: str) -> None:
    compile_rulebook({"t.rules": f'rule v "v":\n    for {subject} x\n    light blue when true\n'
                                 f'    message "{{{expr}}}"\n'})


def test_chinese_labels_of_the_new_fields() -> None:
    compile_rulebook({"t.rules": "规则 r \"序时\":\n    对 节点 m 满足 m.序时进度 不为空 且 m.延期待批\n"
                                 "    亮 黄灯 当 m.报送逾期工作日 >= 1\n    通知 m.责任单位, m.配合单位 限 1 个工作日\n"})


@pytest.mark.parametrize(("source", "message"), [
    ('rule r "r":\n    for milestone m\n    light red when m.co_units\n', "needs a condition"),
    ('rule r "r":\n    for milestone m\n    light red when true\n    notify m.person within 1 days\n',
     "`notify` needs a unit or a collection of units; this is a person; notify its unit: `m.person.unit`"),
    ('rule r "r":\n    for milestone m\n    light red when m.urgent\n', "unknown field `urgent` of milestone"),
    ('score s "s" for notice n: 1\n', "a score ranks units or people, not notices"),
    ('rule r "r":\n    for persn x\n    light red when true\n', "unknown subject `persn`"),
])
def test_mistakes_with_the_new_fields_are_located(source: str, message: str) -> None:
    with pytest.raises(RulebookError) as info:
        compile_rulebook({"t.rules": source})
    assert message in str(info.value)


# -- inheritance and people -------------------------------------------------------------------

def test_person_co_units_and_cadence_are_the_milestones_own_else_the_projects() -> None:
    p = world(m("a", person="li", co_units=("housing",), report_every=Cadence(2, "weeks")),
              m("b"), m("c", co_units=()), report_every=Cadence(1, "months"))
    day = D(2026, 6, 1)
    assert values("x.person.name", p, day) == {"T001/a": "李某", "T001/b": "王某", "T001/c": "王某"}
    got = values("count(u in x.co_units)", p, day)
    assert got == {"T001/a": "1", "T001/b": "2", "T001/c": "0"}
    assert values("x.report_every", p, day) == {"T001/a": "2 周", "T001/b": "1 个月", "T001/c": "1 个月"}


def test_a_person_without_milestones_and_one_with_rates() -> None:
    p = world(m("a", person="li", due=D(2026, 3, 2), finished=D(2026, 3, 1)),
              m("b", person="li", due=D(2026, 3, 10)), m("c", due=D(2026, 3, 2), finished=D(2026, 3, 2)),
              person=None)
    day = D(2026, 4, 1)
    assert values("count(y in x.milestones)", p, day, "person") == {"wang": "0", "li": "2"}
    assert values("x.on_time_rate", p, day, "person") == {"wang": "—", "li": "50%"}
    assert values("x.early_rate", p, day, "person") == {"wang": "—", "li": "100%"}
    assert values("count(y in x.people)", p, day, "unit") == {"dev": "0", "transport": "1", "housing": "1"}


def test_score_for_person_ranks_people_with_missing_last() -> None:
    p = world(m("a", person="li", due=D(2026, 3, 2), finished=D(2026, 3, 1)),
              m("b", person="li", due=D(2026, 3, 10)), person=None)
    book = compile_rulebook({"t.rules": 'score duty "责任人履职" for person x:\n'
                                        '    100 * x.on_time_rate\n'
                                        'score dflt "d" for person x:\n    default(x.on_time_rate, 100%) * 10\n'})
    ev = evaluate(book, p, D(2026, 4, 1))
    assert [(r.unit, r.value, r.rank) for r in ev.scores["duty"]] == [("li", 50.0, 1), ("wang", None, None)]
    assert [(r.unit, r.value) for r in ev.scores["dflt"]] == [("wang", 10.0), ("li", 5.0)]


def test_a_person_rule_lights_people() -> None:
    p = world(m("a", person="li", due=D(2026, 3, 2)), person=None)
    got = lit('rule r "r":\n    for person x where x.completion_rate is not missing\n'
              '    light red when x.completion_rate < 50%\n    notify x.unit within 1 workdays\n', p, D(2026, 4, 1))
    assert got == {"person:li": Level.RED}


# -- notify of a collection -------------------------------------------------------------------

def test_lead_and_co_units_are_notified_together_each_once() -> None:
    p = world(m("a", due=D(2026, 3, 2), unit="transport"), m("b", due=D(2026, 3, 2), co_units=()))
    ev = evaluate(compile_rulebook({"t.rules": 'rule r "r":\n    for milestone m\n    light red when true\n'
                                               '    notify m.unit, m.co_units, m.project.unit within 3 workdays\n'}),
                  p, D(2026, 4, 1))
    got = {f.subject: f.notify for f in ev.findings}
    assert got == {"milestone:T001/a": ("transport", "housing", "dev"), "milestone:T001/b": ("dev",)}
    only = evaluate(compile_rulebook({"t.rules": 'rule r "r":\n    for milestone m\n    light red when true\n'
                                                 '    notify m.co_units within 3 workdays\n'}), p, D(2026, 4, 1))
    assert {f.subject: f.notify for f in only.findings}["milestone:T001/b"] == ()


# -- extensions: the moved due, as of a day ---------------------------------------------------

EXT = Extension("T001/a", D(2026, 6, 20), D(2026, 7, 31), "因用地报批延迟", D(2026, 6, 23), APPROVED)


@pytest.mark.parametrize(("day", "due", "original", "count", "pending"), [
    (D(2026, 6, 19), "2026-06-30", "2026-06-30", "0", "否"),  # not yet requested
    (D(2026, 6, 22), "2026-06-30", "2026-06-30", "0", "是"),  # requested, decided after the day
    (D(2026, 6, 23), "2026-07-31", "2026-06-30", "1", "否"),  # approved from its decision day
    (D(2026, 8, 3), "2026-07-31", "2026-06-30", "1", "否"),
])
def test_an_approved_extension_moves_due_from_its_decision_day(day: dt.date, due: str, original: str,
                                                                count: str, pending: str) -> None:
    p = world(m("a", start=D(2026, 3, 2), due=D(2026, 6, 30)), extensions=(EXT,))
    assert values("x.due", p, day) == {"T001/a": due}
    assert values("x.original_due", p, day)["T001/a"] == original
    assert values("x.extensions", p, day)["T001/a"] == count
    assert values("x.extension_pending", p, day)["T001/a"] == pending


def test_overdue_late_rates_and_forecast_see_the_moved_due() -> None:
    p = world(m("a", start=D(2026, 3, 2), due=D(2026, 6, 30)), m("b", due=D(2026, 8, 31), after=()),
              extensions=(EXT,))
    day = D(2026, 7, 15)
    assert values("x.overdue", p, day)["T001/a"] == "0"
    assert values("x.late", p, day)["T001/a"] == "否"
    assert values("x.forecast", p, day)["T001/a"] == "2026-07-31"
    assert values("x.extensions", p, day, "unit")["dev"] == "1"
    without = world(m("a", start=D(2026, 3, 2), due=D(2026, 6, 30)), m("b", due=D(2026, 8, 31)))
    assert values("x.overdue", without, day)["T001/a"] == "11"
    finished = world(m("a", start=D(2026, 3, 2), due=D(2026, 6, 30), finished=D(2026, 7, 20)),
                     extensions=(EXT,))
    ev = evaluate(compile_rulebook({"t.rules": 'rule r "r":\n    for milestone m\n    light red when m.late\n'}),
                  finished, D(2026, 8, 3))
    assert ev.findings == () and ev.rates.units["dev"].on_time_rate == 1.0  # finished before the new due


def test_a_rejected_extension_keeps_the_due_and_the_latest_approval_counts() -> None:
    second = Extension("T001/a", D(2026, 7, 25), D(2026, 8, 31), "再次延期", D(2026, 7, 28), APPROVED)
    no = Extension("T001/a", D(2026, 6, 1), D(2026, 9, 30), "资金", D(2026, 6, 3), REJECTED)
    p = world(m("a", due=D(2026, 6, 30)), extensions=(no, EXT, second))
    assert values("x.due", p, D(2026, 6, 10))["T001/a"] == "2026-06-30"
    assert values("x.due", p, D(2026, 7, 1))["T001/a"] == "2026-07-31"
    assert values("x.due", p, D(2026, 7, 27))["T001/a"] == "2026-07-31"
    assert values("x.extension_pending", p, D(2026, 7, 27))["T001/a"] == "是"
    assert values("x.due", p, D(2026, 7, 28))["T001/a"] == "2026-08-31"
    assert values("x.extensions", p, D(2026, 7, 28))["T001/a"] == "2"


def test_an_extension_of_a_milestone_the_portfolio_does_not_hold_is_ignored() -> None:
    p = world(m("a", due=D(2026, 6, 30)), extensions=(replace(EXT, milestone="T009/a"),))
    assert values("x.due", p, D(2026, 7, 1))["T001/a"] == "2026-06-30"


# -- cadence: next_report and report_overdue --------------------------------------------------

def test_next_report_rolls_over_the_national_day_holiday_under_cn() -> None:
    # updated 2026-09-01 + 1 months = 2026-10-01, 国庆 (holiday to 10-07 in 2026): the 8th
    p = world(m("a", start=D(2026, 3, 2), due=D(2026, 12, 31), updated=D(2026, 9, 1)),
              report_every=Cadence(1, "months"))
    assert values("x.next_report", p, D(2026, 9, 20))["T001/a"] == "2026-10-08"
    assert values("x.report_overdue", p, D(2026, 10, 9))["T001/a"] == "1"
    assert values("x.report_overdue", p, D(2026, 9, 20))["T001/a"] == "0"


def test_next_report_is_missing_without_cadence_before_start_and_when_done() -> None:
    p = world(m("none", start=D(2026, 3, 2)), m("later", start=D(2026, 9, 1), report_every=Cadence(1, "weeks")),
              m("done", start=D(2026, 3, 2), finished=D(2026, 4, 1), report_every=Cadence(1, "weeks")))
    got = values("x.next_report", p, D(2026, 5, 1))
    assert got == {"T001/none": "—", "T001/later": "—", "T001/done": "—"}


def test_a_report_after_the_as_of_day_does_not_count_yet() -> None:
    p = world(m("a", start=D(2026, 1, 30), due=D(2026, 12, 31), updated=D(2026, 3, 31)),
              report_every=Cadence(1, "months"))
    # as of 2026-03-01 the report of 03-31 is not known: start 01-30 + 1 month = 02-28 (clamped),
    # a Saturday, but a makeup working day (调休上班) of the 2026 Spring Festival under cn
    assert values("x.next_report", p, D(2026, 3, 1))["T001/a"] == "2026-02-28"
    weekdays = replace(p, calendar="weekdays")
    assert values("x.next_report", weekdays, D(2026, 3, 1))["T001/a"] == "2026-03-02"
    assert values("x.next_report", p, D(2026, 4, 1))["T001/a"] == "2026-04-30"


# -- 序时进度 ----------------------------------------------------------------------------------

def test_planned_progress_of_milestones_and_projects_over_the_moved_due() -> None:
    p = world(m("a", start=D(2026, 6, 1), due=D(2026, 6, 12)), m("b"), calendar="weekdays")
    assert values("x.planned_progress", p, D(2026, 6, 5)) == {"T001/a": "50%", "T001/b": "—"}
    assert values("x.planned_progress", p, D(2026, 6, 5), "project") == {"T001": "50%"}
    moved = world(m("a", start=D(2026, 6, 1), due=D(2026, 6, 12)), calendar="weekdays",
                  extensions=(Extension("T001/a", D(2026, 6, 2), D(2026, 6, 19), "r", D(2026, 6, 3), APPROVED),))
    assert values("x.planned_progress", moved, D(2026, 6, 5))["T001/a"] == "33.3%"
    assert values("x.planned_progress", moved, D(2026, 6, 2))["T001/a"] == "20%"  # before the decision


def test_urgent_source_and_instruction_read_on_projects() -> None:
    p = world(m("a"), urgent=True, source="市委常委会第12次会议", instruction="务必于三季度前见效")
    assert values("x.urgent", p, D(2026, 6, 1), "project") == {"T001": "是"}
    assert values("x.instruction", p, D(2026, 6, 1), "project") == {"T001": "务必于三季度前见效"}
    plain = world(m("a"), person=None, co_units=())
    assert values("x.source", plain, D(2026, 6, 1), "project") == {"T001": "—"}
    assert values("x.person", plain, D(2026, 6, 1), "project") == {"T001": "—"}


# -- the standard rulebook's supervision rules ------------------------------------------------

def test_the_standard_rules_notify_lead_and_co_units_together() -> None:
    from rules.ruletest import load_test_file  # noqa: PLC0415
    from rules.standard import STANDARD_DIR, load_standard  # noqa: PLC0415

    book = load_standard()
    case = next(c for c in load_test_file(STANDARD_DIR / "supervision.test.yaml", {r.name for r in book.rules})
                if c.as_of == D(2026, 7, 1))
    ev = evaluate(book, case.portfolio, D(2026, 7, 1))
    got = {(f.rule, f.subject): f.notify for f in ev.findings}
    assert got[("behind_schedule", "milestone:S001/b_red")] == ("transport", "housing")
    assert got[("urgent_due", "milestone:U002/u2")] == ("transport",)  # lead = project unit, once
    assert got[("report_due", "milestone:T001/r1")] == ("dev",)
    # the task's lead unit and both co-units hear of its milestones' lateness together
    late = evaluate(book, case.portfolio, D(2027, 3, 1))
    assert {(f.rule, f.subject): f.notify for f in late.findings}[
        ("works_overdue", "milestone:T001/r1")] == ("dev", "transport", "housing")
    # a blue reminder is never a card: every finding of report_due on 06-26 is blue
    early = evaluate(book, case.portfolio, D(2026, 6, 26))
    assert {f.level for f in early.findings if f.rule == "report_due"} == {Level.BLUE}


def test_late_requests_count_the_due_in_force_on_the_request_day() -> None:
    from projects.extensions import as_of  # noqa: PLC0415

    due = D(2026, 6, 10)
    first = Extension("T001/a", D(2026, 6, 5), D(2026, 6, 30), "r", D(2026, 6, 8), APPROVED)
    on_time = Extension("T001/a", D(2026, 6, 30), D(2026, 7, 31), "r")  # on the new due: in time
    late = Extension("T001/a", D(2026, 7, 1), D(2026, 7, 31), "r")
    assert as_of(due, (first, on_time), D(2026, 7, 1)).late_requests == 0
    assert as_of(due, (first, late), D(2026, 7, 1)).late_requests == 1
    assert as_of(due, (first, late), D(2026, 6, 30)).late_requests == 0  # not requested yet
    # the approval decided after the second request does not make it in time
    undecided = replace(first, decided=D(2026, 6, 12))
    assert as_of(due, (undecided, Extension("T001/a", D(2026, 6, 11), D(2026, 7, 1), "r")),
                 D(2026, 7, 1)).late_requests == 1
