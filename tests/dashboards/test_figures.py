"""Tests of the portfolio figures: lights by unit and category, the map, rates and rankings."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboards import figures
from dashboards.embed import embed, figure_json
from dashboards.figures import (
    LABEL_COLUMNS,
    LABELLED_MAX,
    LEVEL_COLOURS,
    MAP_COLUMNS,
    project_lights,
    whole_step,
)
from projects.model import Category, Kind, Level, Milestone, Portfolio, Project, Unit
from rules.findings import Evaluation, EvaluationRates, Finding, ScoreRow
from rules.views import Rates
from tests.dashboards.plain import checked

# the builders return plain figures; each result is validated by plotly and read through it
light_counts = checked(figures.light_counts)
portfolio_map = checked(figures.portfolio_map)
ranking = checked(figures.ranking)
rates_by_unit = checked(figures.rates_by_unit)
rates_trend = checked(figures.rates_trend)

AS_OF = dt.date(2026, 5, 6)

PORTFOLIO = Portfolio(
    units=(Unit("transport", "交通局"), Unit("water", "水务局"), Unit("city", "市政府")),
    projects=(
        Project("P1", "大道改造", Category.PROJECT, "transport", milestones=(
            Milestone("P1", "a", "立项", Kind.APPROVAL, due=dt.date(2026, 2, 1)),)),
        Project("P2", "桥梁", Category.PROJECT, "transport"),
        Project("P3", "水厂", Category.PROJECT, "water"),
        Project("P4", "河道整治", Category.TASK, "water"),
        Project("P5", "营商环境", Category.TASK, "transport"),
    ),
)


def finding(subject: str, level: Level, project: str | None, unit: str | None,
            message: str = "逾期") -> Finding:
    return Finding("overdue", "逾期", subject, level, message, (), None, (), project, unit)


FINDINGS = (
    finding("milestone:P1/a", Level.RED, "P1", "transport", "立项逾期 10 天"),
    finding("project:P1", Level.YELLOW, "P1", "transport"),
    finding("milestone:P3/x", Level.YELLOW, "P3", "water", "水厂临期"),
    finding("unit:water", Level.RED, None, "water"),
    finding("notice:N-1", Level.RED, "P4", "water"),
)

RATES = EvaluationRates(
    Rates(0.5, 0.6, 0.1, 1.0),
    {"transport": Rates(0.25, 0.5, None, None), "water": Rates(1.0, 1.0, 0.5, None),
     "city": Rates(None, None, None, None)},
    {},
)

EVALUATION = Evaluation(AS_OF, FINDINGS, RATES, {
    "综合得分": (ScoreRow("water", 92.5, 1), ScoreRow("transport", 70.0, 2),
                 ScoreRow("city", None, None)),
})


def by_meta(fig, meta):
    return next(t for t in fig.data if t.meta == meta)


def test_project_light_is_the_worst_of_its_milestone_and_project_findings():
    """A project takes its worst milestone or project finding; unit, notice and complaint
    findings do not colour it."""
    lights = project_lights(PORTFOLIO, (*FINDINGS, finding("complaint:C-1", Level.RED, "P5", "transport")))
    assert lights == {"P1": Level.RED, "P2": Level.GREEN, "P3": Level.YELLOW,
                      "P4": Level.GREEN, "P5": Level.GREEN}


def test_counts_by_unit_stack_red_yellow_green_per_unit_worst_first():
    """Counting by unit gives one stacked bar per light, units with red first, in the level colours."""
    fig = light_counts(PORTFOLIO, EVALUATION, by="unit")
    assert [t.meta for t in fig.data] == ["red", "yellow", "green"]
    assert list(by_meta(fig, "red").x) == ["交通局", "水务局"]
    assert list(by_meta(fig, "red").y) == [1, 0]
    assert list(by_meta(fig, "yellow").y) == [0, 1]
    assert list(by_meta(fig, "green").y) == [2, 1]
    assert by_meta(fig, "red").marker.color == LEVEL_COLOURS[Level.RED]
    assert fig.layout.barmode == "stack"


def test_a_count_axis_steps_in_whole_projects_never_repeating_a_number():
    """The light counts' axis steps by whole projects (a 0.5 step printed as whole numbers read
    0, 1, 1, 2, 2 on the big screen) and keeps to about eight ticks on a tall axis."""
    fig = light_counts(PORTFOLIO, EVALUATION, by="unit")
    assert fig.layout.yaxis.dtick == 1
    assert [whole_step(n) for n in (0, 1, 2, 8, 9, 80, 1000)] == [1, 1, 1, 1, 2, 10, 125]


def test_counts_by_category_in_english():
    """Counting by category labels the categories in the chosen language."""
    fig = light_counts(PORTFOLIO, EVALUATION, by="category", lang="en")
    assert list(by_meta(fig, "red").x) == ["key project", "key task"]
    assert list(by_meta(fig, "green").y) == [1, 2]
    assert fig.layout.title.text == "Projects by light, per category"


def test_counting_by_something_else_is_refused_with_the_choices():
    """An unknown grouping names the two that exist."""
    with pytest.raises(ValueError, match="'unit' or 'category'"):
        light_counts(PORTFOLIO, EVALUATION, by="region")


def test_map_has_one_clickable_tile_per_project_with_its_url_and_worst_message():
    """Every project is one tile, in the trace of its light, whose customdata starts with its page URL."""
    fig = portfolio_map(PORTFOLIO, EVALUATION)
    red, yellow, green = (by_meta(fig, m) for m in ("red", "yellow", "green"))
    assert sum(len(t.x) for t in fig.data) == 5
    assert [c[0] for c in red.customdata] == ["/projects/P1"]
    assert red.customdata[0][3] == "立项逾期 10 天"
    assert [c[0] for c in yellow.customdata] == ["/projects/P3"]
    assert sorted(c[0] for c in green.customdata) == ["/projects/P2", "/projects/P4", "/projects/P5"]
    assert red.marker.color == LEVEL_COLOURS[Level.RED]
    assert list(fig.layout.yaxis.ticktext) == ["交通局", "水务局"]


def test_map_wraps_a_large_unit_into_rows_and_keeps_units_apart():
    """A unit with more projects than a row holds wraps, and the next unit starts below it."""
    size = LABELLED_MAX + 5
    many = Portfolio(units=(Unit("a", "甲"), Unit("b", "乙")), projects=(*tuple(Project(f"A{i}", f"项目{i}", Category.PROJECT, "a") for i in range(size)), Project("B0", "乙项目", Category.PROJECT, "b")))
    fig = portfolio_map(many, Evaluation(AS_OF, (), RATES, {}), url_for=lambda p: f"/x/{p}")
    green = by_meta(fig, "green")
    ys = dict(zip((c[0] for c in green.customdata), green.y, strict=True))
    last = MAP_COLUMNS - 1
    assert ys["/x/A0"] == 0 and ys[f"/x/A{last}"] == 0 and ys[f"/x/A{last + 1}"] == -1
    rows = -(-size // MAP_COLUMNS)
    assert ys["/x/B0"] == -(rows + 0.5)
    assert list(fig.layout.yaxis.tickvals) == [0, -(rows + 0.5)]
    assert green.mode == "markers"  # too many to label


def test_a_small_map_labels_each_tile_with_its_project_name_and_counts_the_lights():
    """Up to LABELLED_MAX projects, each tile carries its (shortened) name, rows of LABEL_COLUMNS."""
    fig = portfolio_map(PORTFOLIO, EVALUATION)
    green = by_meta(fig, "green")
    assert green.mode == "markers+text"
    assert sorted(green.text) == ["桥梁", "河道整治", "营商环境"]
    assert by_meta(fig, "red").name == "红灯 1" and green.name == "绿灯 3"
    long = Portfolio(units=(Unit("a", "甲"),), projects=tuple(
        Project(f"A{i}", "一二三四五六七八九十", Category.PROJECT, "a") for i in range(LABEL_COLUMNS + 1)))
    tiles = by_meta(portfolio_map(long, Evaluation(AS_OF, (), RATES, {})), "green")
    assert tiles.text[0] == "一二三四五六七…"
    assert list(tiles.y).count(-1) == 1


def test_every_bar_of_the_light_counts_opens_the_projects_behind_it():
    """A bar segment's customdata is the list of that unit's (or category's) projects of that light."""
    fig = light_counts(PORTFOLIO, EVALUATION, by="unit")
    red = by_meta(fig, "red")
    assert [c[0] for c in red.customdata] == ["/projects?unit=transport&light=red",
                                             "/projects?unit=water&light=red"]
    cat = by_meta(light_counts(PORTFOLIO, EVALUATION, by="category"), "green")
    assert cat.customdata[0][0] == "/projects?category=project&light=green"
    assert fig.layout.xaxis.automargin is True


def test_figures_with_nothing_to_draw_say_so():
    """No projects, no rates, no score rows: each figure is a 'no data' message, not empty axes."""
    empty = Portfolio()
    nothing = Evaluation(AS_OF, (), EvaluationRates(Rates(None), {}, {}), {"综合得分": ()})
    for fig in (light_counts(empty, nothing), portfolio_map(empty, nothing),
                rates_by_unit(empty, nothing.rates), ranking(empty, nothing, "综合得分"),
                rates_trend(empty, {"2026-01": nothing.rates})):
        assert fig.layout.meta == {"no_data": True}
        assert fig.layout.annotations[0].name == "no_data"
        assert "暂无" in fig.layout.annotations[0].text or "不足" in fig.layout.annotations[0].text


def test_the_trend_gives_every_unit_its_own_colour():
    """Eleven units (and more) draw in as many different colours; months read 2026年1月."""
    units = tuple(Unit(f"u{i}", f"单位{i}") for i in range(13))
    many = Portfolio(units=units)
    monthly = {"2026-01": EvaluationRates(Rates(0.5), {u.id: Rates(0.5) for u in units}, {}),
               "2026-02": EvaluationRates(Rates(0.6), {u.id: Rates(0.4) for u in units}, {})}
    fig = rates_trend(many, monthly)
    colours = [t.line.color for t in fig.data]
    assert len(colours) == 14 and len(set(colours)) == 14
    assert list(fig.data[0].x) == ["2026年1月", "2026年2月"]


def test_rates_by_unit_are_percent_and_skip_units_without_any_rate():
    """Rates show as percents per unit; a unit with no rate at all is left out, a missing rate is a gap."""
    fig = rates_by_unit(PORTFOLIO, RATES)
    on_time = by_meta(fig, "on_time_rate")
    assert list(on_time.x) == ["交通局", "水务局"]
    assert list(on_time.y) == [25.0, 100.0]
    assert list(by_meta(fig, "early_rate").y) == [None, 50.0]


def test_trend_draws_months_in_order_with_a_portfolio_line_and_one_line_per_unit():
    """The trend sorts the months, puts the portfolio first and leaves gaps where a unit had no rate."""
    monthly = {
        "2026-02": EvaluationRates(Rates(0.8), {"water": Rates(0.5)}, {}),
        "2026-01": EvaluationRates(Rates(0.9), {"water": Rates(None), "transport": Rates(1.0)}, {}),
    }
    fig = rates_trend(PORTFOLIO, monthly)
    assert [t.meta for t in fig.data] == ["portfolio", "transport", "water"]
    assert list(fig.data[0].x) == ["2026年1月", "2026年2月"]
    assert list(fig.data[0].y) == [90.0, 80.0]
    assert list(by_meta(fig, "water").y) == [None, 50.0]
    assert list(by_meta(fig, "transport").y) == [100.0, None]


def test_trend_of_an_unknown_rate_names_the_rates():
    """Asking for a rate that does not exist lists the ones that do."""
    with pytest.raises(ValueError, match="on_time_rate"):
        rates_trend(PORTFOLIO, {}, rate="ontime")


def test_ranking_puts_the_best_first_and_shows_the_indicators_behind_it():
    """The ranking lists units by rank with rates and the red/yellow findings they answer for; no value comes last."""
    fig = ranking(PORTFOLIO, EVALUATION, "综合得分", title="综合评价")
    bar = fig.data[0]
    assert list(bar.y) == ["1. 水务局", "2. 交通局", "市政府"]
    assert list(bar.x) == [92.5, 70.0, None]
    assert list(bar.customdata[0]) == ["/projects?unit=water", "100.0%", "100.0%", "50.0%", "2", "1", "1"]
    assert list(bar.customdata[1]) == ["/projects?unit=transport", "25.0%", "50.0%", "—", "1", "1", "2"]
    assert "红灯" in bar.hovertemplate
    assert fig.layout.title.text == "单位排名：综合评价"


def test_a_ranking_of_people_names_them_with_their_unit():
    """A ``score ... for person`` ranks people: their names and units, their unit's projects,
    no unit's cards on them, and the heading says 责任人排名."""
    from dataclasses import replace  # noqa: PLC0415

    from projects.model import Person  # noqa: PLC0415

    portfolio = replace(PORTFOLIO, people=(Person("wang", "王某", "transport"), Person("li", "李某", "water")))
    evaluation = replace(EVALUATION, scores={"duty": (ScoreRow("li", 100.0, 1), ScoreRow("wang", 30.0, 2))})
    fig = ranking(portfolio, evaluation, "duty", title="责任人履职")
    bar = fig.data[0]
    assert list(bar.y) == ["1. 李某（水务局）", "2. 王某（交通局）"]
    assert list(bar.customdata[1]) == ["/projects?unit=transport", "—", "—", "—", "0", "0", "2"]
    assert fig.layout.title.text == "责任人排名：责任人履职"


def test_a_ranking_of_people_with_nobody_to_rank_says_why_in_a_short_box():
    """A person score with no rows (a portfolio that names no people) is headed 责任人排名, not 单位排名,
    and says why in a box half a chart's height: no people in the portfolio (and how to name
    them), or people none of whom has a milestone due; zh and en."""
    from dataclasses import replace  # noqa: PLC0415

    from projects.model import Person  # noqa: PLC0415

    nobody = replace(EVALUATION, scores={"duty": ()})
    fig = ranking(replace(PORTFOLIO, people=()), nobody, "duty", title="责任人履职", subject="person")
    assert fig.layout.title.text == "责任人排名：责任人履职"
    assert fig.layout.meta == {"no_data": True}
    assert "未登记责任人" in fig.layout.annotations[0].text and "people" in fig.layout.annotations[0].text
    assert fig.layout.height < 200
    en = ranking(replace(PORTFOLIO, people=()), nobody, "duty", subject="person", lang="en")
    assert en.layout.title.text.startswith("Ranking of the responsible")
    assert "names no responsible people" in en.layout.annotations[0].text
    some = replace(PORTFOLIO, people=(Person("wang", "王某", "transport"),))
    fig = ranking(some, nobody, "duty", title="责任人履职", subject="person")
    assert "名下尚无到期节点" in fig.layout.annotations[0].text
    unit = ranking(PORTFOLIO, replace(EVALUATION, scores={"综合得分": ()}), "综合得分", subject="unit")
    assert unit.layout.title.text == "单位排名：综合得分" and "数据不足" in unit.layout.annotations[0].text


def test_the_ranking_workbook_names_people_not_ids():
    """The ranking download of a ``score ... for person`` reads 责任人 李某（水务局）, the id
    beside it, and no unit's rates on a person's row."""
    import io  # noqa: PLC0415
    from dataclasses import replace  # noqa: PLC0415

    from openpyxl import load_workbook  # noqa: PLC0415

    from dashboards.reports import ranking_workbook  # noqa: PLC0415
    from projects.model import Person  # noqa: PLC0415

    portfolio = replace(PORTFOLIO, people=(Person("wang", "王某", "transport"), Person("li", "李某", "water")))
    evaluation = replace(EVALUATION, scores={"duty": (ScoreRow("li", 100.0, 1), ScoreRow("wang", 30.0, 2)),
                                             "综合得分": EVALUATION.scores["综合得分"]})
    wb = load_workbook(io.BytesIO(ranking_workbook(portfolio, evaluation)))
    rows = list(wb["duty"].iter_rows(values_only=True))
    assert rows[0][:4] == ("名次", "责任人", "编号", "得分")
    assert [r[:4] for r in rows[1:]] == [(1, "李某（水务局）", "li", 100.0), (2, "王某（交通局）", "wang", 30.0)]
    assert all(r[4] is None and r[8] == 0 for r in rows[1:])
    units = list(wb["综合得分"].iter_rows(values_only=True))
    assert units[0][1] == "单位" and units[1][1] == "水务局"


def test_ranking_of_an_unknown_score_suggests_the_nearest():
    """A misspelt score name is refused with the nearest existing one."""
    with pytest.raises(KeyError, match="did you mean '综合得分'"):
        ranking(PORTFOLIO, EVALUATION, "综合得")


def test_figures_serialise_to_json():
    """Each figure serialises to JSON (what the page embeds) without dates or objects left
    over, and reads back as the same figure."""
    for fig in (figures.light_counts(PORTFOLIO, EVALUATION), figures.portfolio_map(PORTFOLIO, EVALUATION),
                figures.rates_by_unit(PORTFOLIO, RATES), figures.ranking(PORTFOLIO, EVALUATION, "综合得分")):
        assert json.loads(figure_json(fig)) == fig


def test_figure_json_is_utf8_and_cannot_close_its_script_element():
    """The embedded JSON keeps Chinese as it is (a third of the bytes of ``\\uXXXX``), writes a
    number that is not finite as null (JSON has none; plotly writes null) and no ``<`` at all,
    so a project named ``</script><script>…`` or ``<!--`` stays text inside the JSON."""
    hostile = "</script><script>alert(1)</script><!--"
    fig = figures.figure([{"type": "bar", "x": [hostile, "红灯"], "y": [float("nan"), float("inf")]}],
                         {}, hostile)
    raw = embed("x", fig).json
    assert "<" not in raw and "红灯" in raw and "\\u7ea2" not in raw
    back = json.loads(raw)
    assert back["data"][0]["x"] == [hostile, "红灯"] and back["layout"]["title"]["text"] == hostile
    assert back["data"][0]["y"] == [None, None]
    # a plotly figure object (the project Gantt) is written the same way, without its template
    import plotly.graph_objects as go  # noqa: PLC0415

    raw = figure_json(go.Figure(go.Bar(x=[hostile], y=[1])))
    assert "<" not in raw and json.loads(raw)["data"][0]["x"] == [hostile]
    assert "template" not in json.loads(raw)["layout"]


def test_line_colours_are_plotlys_dark24():
    """The trend's line colours are plotly's ``qualitative.Dark24``, written out (drawing a
    figure imports no plotly)."""
    from plotly.colors import qualitative  # noqa: PLC0415

    assert tuple(qualitative.Dark24) == figures.LINE_COLOURS


def test_the_big_screen_trend_shows_both_rates_even_where_they_are_equal():
    """按期完成率 equals 完成率 when every finished milestone was on time (the test site's months:
    100%, 50%, 50%): both lines carry their data, 按期完成率 is drawn last (on top), narrower
    and dashed, so the wide 完成率 line under it still shows; their end labels sit apart."""
    from dashboards import screen  # noqa: PLC0415

    _trend = checked(screen._trend)

    monthly = {m: EvaluationRates(Rates(v, v), {}, {}) for m, v in
               (("2026-03", 1.0), ("2026-04", 0.5), ("2026-05", 0.5))}
    fig = _trend(monthly, "zh")
    completion, on_time = fig.data
    assert (completion.meta, on_time.meta) == ("completion_rate", "on_time_rate")
    assert list(on_time.y) == list(completion.y) == [100.0, 50.0, 50.0]
    assert (completion.name, on_time.name) == ("完成率", "按期完成率")
    assert on_time.line.width < completion.line.width and on_time.line.dash == "dash"
    assert on_time.line.color != completion.line.color
    assert on_time.textposition != completion.textposition
    assert list(on_time.text) == [None, None, "50%"] == list(completion.text)
    assert fig.layout.yaxis.range[0] < 0  # a 0% point's label below it is not cut off


def test_ranking_counts_no_blue_reminder_as_a_card():
    """A blue finding (提醒, a reminder) counts as neither red nor yellow: the ranking of a unit
    with one is drawn (it raised KeyError 'blue') with the same counts as without it."""
    from dashboards.figures import unit_indicators  # noqa: PLC0415

    blue = Finding("remind", "提醒", "milestone:P1/m", Level.BLUE, "快到期", (), None, (), "P1",
                   "water")
    with_blue = Evaluation(EVALUATION.as_of, (*EVALUATION.findings, blue), EVALUATION.rates,
                           EVALUATION.scores)
    assert unit_indicators(with_blue) == unit_indicators(EVALUATION)
    fig = ranking(PORTFOLIO, with_blue, "综合得分")
    assert list(fig.data[0].customdata[0]) == ["/projects?unit=water", "100.0%", "100.0%", "50.0%",
                                               "2", "1", "1"]


def test_the_dashboard_heads_an_empty_person_ranking_by_what_the_rulebook_ranks():
    """dashboard_figures passes each score's subject on: an empty ``score ... for person``
    reads 责任人排名 in the leader's dashboard, an empty unit score 单位排名."""
    from dataclasses import replace  # noqa: PLC0415

    from dashboards.reports import dashboard_figures  # noqa: PLC0415

    evaluation = replace(EVALUATION, scores={"duty": (), "综合得分": ()})
    figures = {e.id: json.loads(e.json) for e in dashboard_figures(
        replace(PORTFOLIO, people=()), evaluation, (), score_titles={"duty": "责任人履职"},
        score_subjects={"duty": "person", "综合得分": "unit"})}
    assert figures["ranking_1"]["layout"]["title"]["text"] == "责任人排名：责任人履职"
    assert figures["ranking_2"]["layout"]["title"]["text"] == "单位排名：综合得分"
    assert figures["ranking_1"]["layout"]["meta"] == {"no_data": True}
