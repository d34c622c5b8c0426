"""The leaders' big screen (领导驾驶舱 / 大屏): the headline figures, the worst, the trend.

Owns ``screen_view`` and ``ScreenView``. Pure: the portfolio, the day's evaluation, the stored
notices and the month-end rates come in; the numbers, the two short lists and two figures
(lights per unit, the portfolio's rates month by month) go out. The page lays them out on one
1920x1080 screen without scrolling and refreshes itself.

Headline figures: projects by light; 按时办结率 (the portfolio's on-time rate); notices open
(not accepted, rectified or closed) and of those overdue; red cards this month (red notices
issued since the first of the month). Worst units: most red projects, then most yellow;
worst projects: the red ones with their main warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dashboards.embed import Embedded, embed
from dashboards.figures import (
    Figure,
    figure,
    light_counts,
    month_label,
    no_data_figure,
    project_lights,
)
from dashboards.i18n import text
from projects.model import Level, Portfolio
from rules.findings import Evaluation, EvaluationRates

OPEN_STATES = frozenset({"issued", "responded", "reopened", "escalated"})
LIST_SIZE = 6


@dataclass(frozen=True, slots=True)
class ScreenView:
    """What the big screen shows (see the module docstring)."""

    lights: dict[str, int]
    total: int
    on_time_rate: float | None
    notices_open: int
    notices_overdue: int
    red_this_month: int
    worst_units: list[dict[str, Any]] = field(default_factory=list)
    worst_projects: list[dict[str, Any]] = field(default_factory=list)
    figures: list[Embedded] = field(default_factory=list)


def _trend(monthly: Mapping[str, EvaluationRates], lang: str) -> Figure:
    months = sorted(monthly)
    title = text("rates_trend", lang)
    series = {k: [getattr(monthly[m].portfolio, k) for m in months]
              for k in ("on_time_rate", "completion_rate")}
    if not any(v is not None for values in series.values() for v in values):
        return no_data_figure(title, text("no_rates", lang))
    traces = []
    # 按期完成率 can never pass 完成率 and often equals it (every finished milestone on time):
    # then one line lay exactly on the other and only one showed. 完成率 is drawn first, wide
    # and pale; 按期完成率 on top of it, narrow and dashed, its value written below the point
    # and 完成率's above, so both read even where they are equal.
    styles = (("completion_rate", {"width": 10, "color": "rgba(31,119,180,0.45)"},
               {"size": 16, "symbol": "circle"}, "top center"),
              ("on_time_rate", {"width": 4, "color": "#d62728", "dash": "dash"},
               {"size": 11, "symbol": "diamond"}, "bottom center"))
    for key, line, marker, position in styles:
        traces.append({
            "type": "scatter", "x": [month_label(m, lang) for m in months],
            "y": [None if v is None else round(100 * v, 1) for v in series[key]],
            "name": text(key, lang), "meta": key, "mode": "lines+markers+text", "line": line,
            "marker": marker,
            "text": [None if v is None or i < len(months) - 1 else f"{100 * v:.0f}%"
                     for i, v in enumerate(series[key])],
            "textposition": position, "textfont": {"size": 14}})
    return figure(traces, {
        "yaxis": {"range": [-8, 115], "title": {"text": "%"}, "tickvals": [0, 25, 50, 75, 100]},
        "xaxis": {"type": "category", "automargin": True, "tickangle": 0},
        "margin": {"t": 10, "b": 10, "l": 50, "r": 30},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "font": {"size": 16}},
        "font": {"size": 14}})


def screen_view(portfolio: Portfolio, evaluation: Evaluation, notices: Iterable[Any],
                monthly: Mapping[str, EvaluationRates], *, lang: str = "zh") -> ScreenView:
    """The big screen's content for the day ``evaluation.as_of``."""
    as_of = evaluation.as_of
    lights = project_lights(portfolio, evaluation.findings)
    counts = {level.value: 0 for level in Level}
    for level in lights.values():
        counts[level.value] += 1
    first = as_of.replace(day=1)
    open_, overdue, red_month = 0, 0, 0
    for n in notices:
        state = str(getattr(n, "state", "") or "")
        if state in OPEN_STATES:
            open_ += 1
            if n.due < as_of and n.responded is None:
                overdue += 1
        light = getattr(n, "level", None)
        if str(getattr(light, "value", light)) == "red" and first <= n.issued <= as_of:
            red_month += 1
    names = {u.id: u.name for u in portfolio.units}
    per_unit: dict[str, dict[str, int]] = {}
    for p in portfolio.projects:
        row = per_unit.setdefault(p.unit, {"red": 0, "yellow": 0, "total": 0})
        row["total"] += 1
        if lights[p.id] is not Level.GREEN:
            row[lights[p.id].value] += 1
    worst_units = [{"id": u, "name": names.get(u, u), **row} for u, row in sorted(
        per_unit.items(), key=lambda kv: (-kv[1]["red"], -kv[1]["yellow"], names.get(kv[0], kv[0])))
        if row["red"] or row["yellow"]][:LIST_SIZE]
    messages: dict[str, str] = {}
    for f in evaluation.findings:
        if f.project and f.project not in messages and f.subject.startswith(("milestone:", "project:")):
            messages[f.project] = f.message
    worst_projects = [{"id": p.id, "name": p.name, "unit": names.get(p.unit, p.unit),
                       "message": messages.get(p.id, "")}
                      for p in portfolio.projects if lights[p.id] is Level.RED][:LIST_SIZE]
    by_unit = light_counts(portfolio, evaluation, by="unit", lang=lang)
    layout = {k: v for k, v in by_unit["layout"].items() if k != "title"}
    layout["legend"] = {**layout.get("legend", {}), "orientation": "h", "y": 1.02,
                        "yanchor": "bottom", "x": 1, "xanchor": "right"}
    by_unit = {"data": by_unit["data"], "layout": {
        **layout, "margin": {"t": 10, "b": 10, "l": 50, "r": 10}, "font": {"size": 14}}}
    return ScreenView(
        lights=counts, total=len(lights), on_time_rate=evaluation.rates.portfolio.on_time_rate,
        notices_open=open_, notices_overdue=overdue, red_this_month=red_month,
        worst_units=worst_units, worst_projects=worst_projects,
        figures=[embed("screen_lights", by_unit), embed("screen_trend", _trend(monthly, lang))])

