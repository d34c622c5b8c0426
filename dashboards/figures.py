"""The portfolio figures: lights by unit and category, the map of all projects, rates, rankings.

Owns the pure functions that turn a portfolio and an evaluation into Plotly figures. No
database, HTTP or clock: everything arrives as values (``as_of`` included). Invariants:

- A project's light is the worst level of the findings about it (its own and its
  milestones'); a project with no finding is green. Unit and notice findings do not colour
  a project.
- Colours are fixed per level (``LEVEL_COLOURS``) and traces come in the order red, yellow,
  green, so a reader finds red first everywhere.
- Every label goes through ``dashboards.i18n.text``; ``lang`` is ``"zh"`` (default) or ``"en"``.

The project Gantt is in ``dashboards.gantt``, funds and notices in ``dashboards.money``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import plotly.graph_objects as go

from dashboards.i18n import text
from projects.model import Category, Level, Portfolio
from rules.findings import Evaluation, EvaluationRates, Finding

LEVEL_COLOURS: dict[Level, str] = {
    Level.RED: "#d62728",
    Level.YELLOW: "#f2b701",
    Level.GREEN: "#2ca02c",
}
LEVELS_WORST_FIRST = (Level.RED, Level.YELLOW, Level.GREEN)
RATE_KEYS = ("on_time_rate", "completion_rate", "early_rate")
MAP_COLUMNS = 40  # tiles per row of a unit in the portfolio map

UrlFor = Callable[[str], str]


def project_url(pid: str) -> str:
    """The page of one project (the default link of the map's tiles)."""
    return f"/projects/{pid}"


def project_lights(portfolio: Portfolio, findings: Iterable[Finding]) -> dict[str, Level]:
    """Each project's worst light; green when nothing was found about it."""
    lights = dict.fromkeys((p.id for p in portfolio.projects), Level.GREEN)
    for f in findings:
        pid = f.project
        if pid is None or pid not in lights or f.subject.startswith(("unit:", "notice:")):
            continue
        if f.level.rank > lights[pid].rank:
            lights[pid] = f.level
    return lights


def _count(keys: Iterable[tuple[str, Level]]) -> dict[str, dict[Level, int]]:
    out: dict[str, dict[Level, int]] = {}
    for key, level in keys:
        row = out.setdefault(key, dict.fromkeys(LEVELS_WORST_FIRST, 0))
        row[level] += 1
    return out


def light_counts(portfolio: Portfolio, evaluation: Evaluation, *, by: str = "unit",
                 lang: str = "zh") -> go.Figure:
    """Stacked bars: how many projects are red, yellow and green, per unit or per category."""
    lights = project_lights(portfolio, evaluation.findings)
    if by == "unit":
        names = {u.id: u.name for u in portfolio.units}
        counts = _count((p.unit, lights[p.id]) for p in portfolio.projects)
        order = sorted(counts, key=lambda k: (-counts[k][Level.RED], -counts[k][Level.YELLOW], k))
        labels = [names.get(k, k) for k in order]
        title = text("lights_by_unit", lang)
    elif by == "category":
        counts = _count((p.category.value, lights[p.id]) for p in portfolio.projects)
        order = [c.value for c in Category if c.value in counts]
        labels = [text(k, lang) for k in order]
        title = text("lights_by_category", lang)
    else:
        raise ValueError(f"by={by!r}: count by 'unit' or 'category'")
    fig = go.Figure()
    for level in LEVELS_WORST_FIRST:
        fig.add_trace(go.Bar(
            name=text(level.value, lang), x=labels, y=[counts[k][level] for k in order],
            marker_color=LEVEL_COLOURS[level], meta=level.value,
        ))
    fig.update_layout(barmode="stack", title=title, yaxis_title=text("projects_count", lang),
                      legend_traceorder="normal", margin={"t": 50, "b": 40})
    return fig


def _first_message(findings: Iterable[Finding]) -> dict[str, str]:
    """The message of the worst finding of each project (findings come worst first)."""
    out: dict[str, str] = {}
    for f in findings:
        if f.project is not None and f.project not in out and f.subject.startswith(
                ("milestone:", "project:")):
            out[f.project] = f.message
    return out


def portfolio_map(portfolio: Portfolio, evaluation: Evaluation, *, url_for: UrlFor = project_url,
                  lang: str = "zh") -> go.Figure:
    """Every project as a tile, grouped in rows by unit (portfolio order), coloured by its light.

    Each tile's ``customdata`` is ``[url, project name, light, worst message]``; the page's
    script opens ``customdata[0]`` on click.
    """
    lights = project_lights(portfolio, evaluation.findings)
    messages = _first_message(evaluation.findings)
    names = {u.id: u.name for u in portfolio.units}
    by_unit: dict[str, list[str]] = {}
    for p in portfolio.projects:
        by_unit.setdefault(p.unit, []).append(p.id)
    projects = portfolio.project_by_id
    points: dict[Level, tuple[list[int], list[float], list[list[str]]]] = {
        level: ([], [], []) for level in LEVELS_WORST_FIRST}
    tickvals: list[float] = []
    ticktext: list[str] = []
    row = 0.0
    order = {u.id: i for i, u in enumerate(portfolio.units)}
    for unit in sorted(by_unit, key=lambda u: (order.get(u, len(order)), u)):
        tickvals.append(-row)
        ticktext.append(names.get(unit, unit))
        for i, pid in enumerate(by_unit[unit]):
            level = lights[pid]
            xs, ys, data = points[level]
            xs.append(i % MAP_COLUMNS)
            ys.append(-(row + i // MAP_COLUMNS))
            data.append([url_for(pid), f"{pid} {projects[pid].name}", text(level.value, lang),
                         messages.get(pid, text("no_finding", lang))])
        row += math.ceil(len(by_unit[unit]) / MAP_COLUMNS) + 0.5
    fig = go.Figure()
    for level in LEVELS_WORST_FIRST:
        xs, ys, data = points[level]
        fig.add_trace(go.Scatter(
            x=xs, y=ys, customdata=data, mode="markers", name=text(level.value, lang),
            meta=level.value,
            marker={"symbol": "square", "size": 14, "color": LEVEL_COLOURS[level]},
            hovertemplate="%{customdata[1]}<br>%{customdata[2]}: %{customdata[3]}<extra></extra>",
        ))
    fig.update_layout(
        title=text("portfolio_map", lang), height=max(300, int(40 + 22 * row)),
        xaxis={"visible": False}, plot_bgcolor="white", margin={"l": 160, "t": 50},
        yaxis={"tickvals": tickvals, "ticktext": ticktext, "zeroline": False,
               "showgrid": False},
    )
    return fig


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def rates_by_unit(portfolio: Portfolio, rates: EvaluationRates, *, lang: str = "zh") -> go.Figure:
    """Grouped bars: on-time, completion and early-completion rates (percent) of each unit."""
    names = {u.id: u.name for u in portfolio.units}
    units = [u for u in sorted(rates.units, key=lambda u: names.get(u, u))
             if any(getattr(rates.units[u], k) is not None for k in RATE_KEYS)]
    fig = go.Figure()
    for key in RATE_KEYS:
        fig.add_trace(go.Bar(
            name=text(key, lang), meta=key, x=[names.get(u, u) for u in units],
            y=[_percent(getattr(rates.units[u], key)) for u in units],
            hovertemplate="%{x}: %{y}%<extra>" + text(key, lang) + "</extra>",
        ))
    fig.update_layout(barmode="group", title=text("rates_by_unit", lang),
                      yaxis={"title": "%", "range": [0, 100]}, margin={"t": 50})
    return fig


def rates_trend(portfolio: Portfolio, monthly: Mapping[str, EvaluationRates], *,
                rate: str = "on_time_rate", lang: str = "zh") -> go.Figure:
    """One line per unit (and a thick one for the portfolio): ``rate`` at each month's end.

    ``monthly`` maps a month (``"2026-01"``) to the rates of the evaluation as of its last day
    (the month-end replay); months are drawn in sorted order.
    """
    if rate not in (*RATE_KEYS, "response_rate"):
        raise ValueError(f"rate={rate!r}: choose one of {', '.join((*RATE_KEYS, 'response_rate'))}")
    months = sorted(monthly)
    names = {u.id: u.name for u in portfolio.units}
    units = sorted({u for m in months for u in monthly[m].units}, key=lambda u: names.get(u, u))
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=months, y=[_percent(getattr(monthly[m].portfolio, rate)) for m in months],
        name=text("portfolio", lang), meta="portfolio", mode="lines+markers",
        line={"width": 4, "color": "#333"},
    ))
    for u in units:
        values = [monthly[m].units.get(u) for m in months]
        fig.add_trace(go.Scatter(
            x=months, y=[None if v is None else _percent(getattr(v, rate)) for v in values],
            name=names.get(u, u), meta=u, mode="lines+markers", connectgaps=False,
        ))
    fig.update_layout(title=f"{text(rate, lang)} — {text('rates_trend', lang)}",
                      xaxis={"title": text("month", lang), "type": "category"},
                      yaxis={"title": "%", "range": [0, 100]}, margin={"t": 50})
    return fig


def unit_indicators(evaluation: Evaluation) -> dict[str, dict[str, Any]]:
    """Per unit: its rates and how many red and yellow findings it is responsible for."""
    out: dict[str, dict[str, Any]] = {}
    for uid, r in evaluation.rates.units.items():
        out[uid] = {k: getattr(r, k) for k in (*RATE_KEYS, "response_rate")} | {"red": 0,
                                                                                  "yellow": 0}
    for f in evaluation.findings:
        if f.unit in out and f.level is not Level.GREEN:
            out[f.unit][f.level.value] += 1
    return out


def _fmt_rate(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def ranking(portfolio: Portfolio, evaluation: Evaluation, score: str, *,
            lang: str = "zh") -> go.Figure:
    """Horizontal bars of one score, best unit on top, with the indicators behind it on hover.

    Units without a value are listed at the bottom without a bar.
    """
    if score not in evaluation.scores:
        import difflib  # noqa: PLC0415

        near = difflib.get_close_matches(score, list(evaluation.scores), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise KeyError(f"no score {score!r} in this evaluation{hint}")
    names = {u.id: u.name for u in portfolio.units}
    rows = evaluation.scores[score]
    indicators = unit_indicators(evaluation)
    labels, values, data = [], [], []
    for row in rows:
        ind = indicators.get(row.unit, {})
        rank = "—" if row.rank is None else str(row.rank)
        name = names.get(row.unit, row.unit)
        labels.append(name if row.rank is None else f"{rank}. {name}")
        values.append(row.value)
        data.append([rank, *(_fmt_rate(ind.get(k)) for k in RATE_KEYS),
                     str(ind.get("red", 0)), str(ind.get("yellow", 0))])
    hover = (f"%{{y}}<br>{text('score', lang)}: %{{x}}"
             + "".join(f"<br>{text(k, lang)}: %{{customdata[{i + 1}]}}"
                       for i, k in enumerate(RATE_KEYS))
             + f"<br>{text('red', lang)}: %{{customdata[4]}}"
             + f"<br>{text('yellow', lang)}: %{{customdata[5]}}<extra></extra>")
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h", customdata=data, meta=score,
                           marker_color="#1f77b4", hovertemplate=hover, text=values,
                           texttemplate="%{x:.1f}"))
    fig.update_layout(title=f"{text('ranking', lang)} — {score}",
                      yaxis={"autorange": "reversed", "type": "category"},
                      height=max(300, 60 + 26 * len(rows)), margin={"l": 200, "t": 50})
    return fig
