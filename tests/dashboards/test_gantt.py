"""Tests of the project Gantt: bars, lights with explanations, dependencies, critical path, today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dashboards.figures import LEVEL_COLOURS
from dashboards.gantt import CRITICAL_OUTLINE, DAY_MS, milestone_lights, project_gantt
from projects.model import Category, Dependency, Kind, Level, Milestone, Project
from rules.findings import Finding

AS_OF = dt.date(2026, 5, 6)


@dataclass(frozen=True)
class Sched:
    """A literal schedule row with the fields the Gantt reads."""

    start: dt.date | None
    forecast: dt.date | None
    critical: bool


@dataclass(frozen=True)
class LiteralSchedule:
    """A literal schedule: milestone key -> row, as ``projects.schedule.Schedule.milestone``."""

    rows: dict[tuple[str, str], Sched]

    def milestone(self, key: tuple[str, str]) -> Sched:
        return self.rows[key]


PROJECT = Project("P1", "海东大道", Category.PROJECT, "transport", milestones=(
    Milestone("P1", "approval", "立项", Kind.APPROVAL, start=dt.date(2026, 1, 5),
              due=dt.date(2026, 2, 10), finished=dt.date(2026, 2, 8)),
    Milestone("P1", "tender", "招标", Kind.TENDERING, start=dt.date(2026, 3, 2),
              due=dt.date(2026, 4, 30), progress=0.6, after=(Dependency("approval"),)),
    Milestone("P1", "design", "设计", Kind.PROGRESS, due=dt.date(2026, 6, 30),
              after=(Dependency("approval"),)),
    Milestone("P1", "build", "施工", Kind.PROGRESS, due=dt.date(2026, 12, 31),
              after=(Dependency("tender"), Dependency("design"),
                     Dependency("x", project="P9"))),
))

SCHEDULE = LiteralSchedule({
    ("P1", "approval"): Sched(dt.date(2026, 1, 5), dt.date(2026, 2, 8), True),
    ("P1", "tender"): Sched(dt.date(2026, 3, 2), dt.date(2026, 5, 20), True),
    ("P1", "design"): Sched(dt.date(2026, 5, 7), dt.date(2026, 6, 30), False),
    ("P1", "build"): Sched(dt.date(2026, 5, 21), dt.date(2027, 1, 20), True),
})

FINDINGS = (
    Finding("overdue", "逾期", "milestone:P1/tender", Level.RED, "招标已逾期 6 天", ("transport",),
            None, (("黄 when today > m.due", "成立：today = 2026-05-06；m.due = 2026-04-30"),),
            "P1", "transport"),
    Finding("slow", "进度慢", "milestone:P1/tender", Level.YELLOW, "进度落后", (), None,
            (("黄 when m.progress < 80%", "成立：m.progress = 60%"),), "P1", "transport"),
    Finding("late", "预测延误", "milestone:P1/build", Level.YELLOW, "预测晚于计划", (), None, (),
            "P1", "transport"),
    Finding("other", "其他", "milestone:P2/tender", Level.RED, "别的项目", (), None, (), "P2", "w"),
)


def trace(fig, meta):
    return next(t for t in fig.data if t.meta == meta)


def test_each_milestone_takes_its_worst_light_and_keeps_its_findings():
    """A milestone's light is its worst finding's level; findings of other projects are ignored."""
    lights = milestone_lights(PROJECT, FINDINGS)
    assert lights["tender"][0] is Level.RED
    assert [f.rule for f in lights["tender"][1]] == ["overdue", "slow"]
    assert lights["build"][0] is Level.YELLOW
    assert lights["approval"] == (Level.GREEN, [])


def test_planned_bars_run_from_start_to_due_coloured_by_light_with_critical_outlined():
    """Planned bars start at the planned (else scheduled) start, end at the due date, take the light's colour, and critical ones are outlined."""
    fig = project_gantt(PROJECT, SCHEDULE, FINDINGS, AS_OF)
    planned = trace(fig, "planned")
    assert list(planned.y) == ["立项", "招标", "设计", "施工"]
    assert list(planned.base) == ["2026-01-05", "2026-03-02", "2026-05-07", "2026-05-21"]
    assert planned.x[1] == (dt.date(2026, 4, 30) - dt.date(2026, 3, 2)).days * DAY_MS
    assert list(planned.marker.color) == [LEVEL_COLOURS[Level.GREEN], LEVEL_COLOURS[Level.RED],
                                          LEVEL_COLOURS[Level.GREEN], LEVEL_COLOURS[Level.YELLOW]]
    assert list(planned.marker.line.width) == [4, 4, 0, 4]
    assert planned.marker.line.color == CRITICAL_OUTLINE


def test_hover_of_a_lit_milestone_explains_each_finding():
    """Hovering a red milestone shows its light, each finding's message and the explained values."""
    planned = trace(project_gantt(PROJECT, SCHEDULE, FINDINGS, AS_OF), "planned")
    hover = planned.hovertext[1]
    assert "红灯" in hover and "关键路径" in hover
    assert "招标已逾期 6 天" in hover and "进度落后" in hover
    assert "计划完成 2026-04-30，今天 2026-05-06" in hover
    assert "进度 60%" in hover
    assert "m.due" not in hover and "overdue" not in hover and " when " not in hover


def test_the_office_also_sees_the_rules_code_in_the_hover():
    """With code=True (the office) the hover adds each rule's name and clause as written."""
    hover = trace(project_gantt(PROJECT, SCHEDULE, FINDINGS, AS_OF, code=True), "planned").hovertext[1]
    assert "overdue" in hover and "黄 when today &gt; m.due" in hover


def test_dates_on_the_gantt_axis_read_in_chinese():
    """The time axis ticks read 2026年9月 / 9月15日 (d3 formats), never Sep 2026."""
    axis = project_gantt(PROJECT, SCHEDULE, FINDINGS, AS_OF).layout.xaxis
    assert axis.type == "date"
    assert {stop.value for stop in axis.tickformatstops} >= {"%Y年%-m月", "%-m月%-d日"}
    assert axis.hoverformat == "%Y-%m-%d"


def test_actual_bars_end_at_the_finish_or_today_and_forecasts_mark_open_milestones():
    """A finished milestone's actual bar ends at its finish, an open started one at today; only open milestones get a forecast."""
    fig = project_gantt(PROJECT, SCHEDULE, FINDINGS, AS_OF)
    actual = trace(fig, "actual")
    assert list(actual.y) == ["立项", "招标"]
    assert actual.x[0] == 34 * DAY_MS
    assert actual.x[1] == (AS_OF - dt.date(2026, 3, 2)).days * DAY_MS
    forecast = trace(fig, "forecast")
    assert list(forecast.y) == ["招标", "设计", "施工"]
    assert list(forecast.x) == ["2026-05-20", "2026-06-30", "2027-01-20"]


def test_dependencies_are_arrows_red_on_the_critical_path_and_today_is_a_line():
    """Each same-project dependency is an arrow from the predecessor's end; critical-to-critical ones are red; today is drawn."""
    fig = project_gantt(PROJECT, SCHEDULE, FINDINGS, AS_OF, lang="en")
    arrows = {a.name: a for a in fig.layout.annotations if a.name != "today"}
    assert set(arrows) == {"approval->tender", "approval->design", "tender->build",
                           "design->build"}
    assert arrows["tender->build"].arrowcolor == LEVEL_COLOURS[Level.RED]
    assert arrows["tender->build"].ax == "2026-05-20"  # the forecast, later than the due date
    assert arrows["tender->build"].x == "2026-05-21"
    assert arrows["approval->design"].arrowcolor == "#888"
    assert arrows["approval->tender"].ax == "2026-02-08"  # finished: the actual end
    today = next(s for s in fig.layout.shapes if s.name == "today")
    assert today.x0 == today.x1 == "2026-05-06"
    assert any(a.text == "today 2026-05-06" for a in fig.layout.annotations)


def test_without_a_schedule_the_gantt_still_draws_plans_and_no_forecast():
    """Without a schedule nothing is critical and there are no forecasts, but every dated milestone has a bar."""
    fig = project_gantt(PROJECT, None, (), AS_OF)
    planned = trace(fig, "planned")
    assert list(planned.base)[2] == "2026-06-29"  # no start: one day before the due date
    assert list(planned.marker.line.width) == [0, 0, 0, 0]
    assert len(trace(fig, "forecast").x or ()) == 0


def test_repeated_milestone_names_get_their_ids():
    """Two milestones with one name stay two rows, told apart by their ids."""
    p = Project("P2", "x", Category.TASK, "u", milestones=(
        Milestone("P2", "a", "检查", Kind.SAFETY, due=dt.date(2026, 3, 1)),
        Milestone("P2", "b", "检查", Kind.SAFETY, due=dt.date(2026, 6, 1)),
    ))
    assert list(trace(project_gantt(p, None, (), AS_OF), "planned").y) == ["检查 (a)", "检查 (b)"]
