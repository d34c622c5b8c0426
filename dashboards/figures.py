"""The portfolio figures: lights by unit and category, the map of all projects, rates, rankings.

Owns the pure functions that turn a portfolio and an evaluation into Plotly figures. No
database, HTTP or clock: everything arrives as values (``as_of`` included). A figure is plain
data (``Figure``: ``{"data": [traces], "layout": {...}}``, each trace with its ``type``), written
the way plotly itself writes a figure (``title`` as ``{"text": ...}``, no ``None`` attributes),
not built through ``plotly.graph_objects``: validating every array of a 2,000-project map cost
the dashboard half a second a view. The tests hand every figure to ``plotly.graph_objects.Figure``
(which validates each attribute) and check it comes back unchanged. Invariants:

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
from typing import Any, TypeAlias

from dashboards.i18n import text
from projects.model import Category, Level, Portfolio
from rules.findings import Evaluation, EvaluationRates, Finding

#: A plotly figure as plain data: ``{"data": [trace, ...], "layout": {...}}`` (module header).
Figure: TypeAlias = dict[str, Any]

LEVEL_COLOURS: dict[Level, str] = {
    Level.RED: "#d62728",
    Level.YELLOW: "#f2b701",
    Level.BLUE: "#1f77b4",
    Level.GREEN: "#2ca02c",
}
LEVELS_WORST_FIRST = (Level.RED, Level.YELLOW, Level.GREEN)
RATE_KEYS = ("on_time_rate", "completion_rate", "early_rate")
MAP_COLUMNS = 40  # tiles per row of a unit in the portfolio map (many projects: no labels)
LABEL_COLUMNS = 6  # tiles per row when each tile carries its project's name
LABELLED_MAX = 120

# Distinct line colours for the trend (24 before one repeats; plotly's ``qualitative.Dark24``,
# written out so that drawing a figure imports no plotly); the portfolio line is black.
LINE_COLOURS: tuple[str, ...] = (
    "#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#222A2A", "#B68100", "#750D86",
    "#EB663B", "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D", "#6C7C32", "#778AAE",
    "#862A16", "#A777F1", "#620042", "#1616A7", "#DA60CA", "#6C4516", "#0D2A63", "#AF0038",
)

UrlFor = Callable[[str], str]
GroupUrlFor = Callable[[str, str, str], str]  # (by, key, light) -> url


def project_url(pid: str) -> str:
    """The page of one project (the default link of the map's tiles)."""
    return f"/projects/{pid}"


def projects_url(by: str, key: str, light: str) -> str:
    """The list of the projects behind one bar: a unit's or a category's projects of a light."""
    from urllib.parse import urlencode  # noqa: PLC0415

    return "/projects?" + urlencode({by: key, "light": light})


def figure(data: list[dict[str, Any]], layout: dict[str, Any], title: str | None = None) -> Figure:
    """A figure of ``data`` (traces, each with its ``type``) and ``layout``; ``title`` is written
    as plotly writes it (``{"text": title}``) and keys whose value is ``None`` are dropped."""
    if title is not None:
        layout = {**layout, "title": {"text": title}}
    return {"data": [_set(t) for t in data], "layout": _set(layout)}


def _set(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` without the keys left unset (``None``), as plotly leaves them out."""
    return {k: v for k, v in values.items() if v is not None}


def no_data_figure(title: str, message: str, detail: str = "", *, height: int = 260) -> Figure:
    """A figure that says it has too little data to draw, instead of empty or absurd axes.

    The annotation is named ``no_data`` and ``layout.meta`` is ``{"no_data": True}`` (the pages
    and the browser tests look for them).
    """
    body = message if not detail else f"{message}<br><span style='font-size:13px'>{detail}</span>"
    return figure([], {
        "height": height, "meta": {"no_data": True}, "plot_bgcolor": "white",
        "xaxis": {"visible": False}, "yaxis": {"visible": False}, "margin": {"t": 50, "b": 20},
        "annotations": [{"text": body, "name": "no_data", "showarrow": False, "xref": "paper",
                         "yref": "paper", "x": 0.5, "y": 0.5, "font": {"size": 16, "color": "#666"}}],
    }, title)


def project_lights(portfolio: Portfolio, findings: Iterable[Finding]) -> dict[str, Level]:
    """Each project's worst light; green when nothing was found about it. A blue finding is a
    reminder (提醒), not a light on the project: it leaves the project green. Findings about
    units, notices and complaints (a unit's answering, not the project's progress) do not colour
    it either."""
    lights = dict.fromkeys((p.id for p in portfolio.projects), Level.GREEN)
    for f in findings:
        pid = f.project
        if pid is None or pid not in lights or f.subject.startswith(("unit:", "notice:", "complaint:")):
            continue
        if f.level.rank > lights[pid].rank and f.level is not Level.BLUE:
            lights[pid] = f.level
    return lights


def _count(keys: Iterable[tuple[str, Level]]) -> dict[str, dict[Level, int]]:
    out: dict[str, dict[Level, int]] = {}
    for key, level in keys:
        row = out.setdefault(key, dict.fromkeys(LEVELS_WORST_FIRST, 0))
        row[level] += 1
    return out


def light_counts(portfolio: Portfolio, evaluation: Evaluation, *, by: str = "unit",
                 lang: str = "zh", url_for: GroupUrlFor = projects_url) -> Figure:
    """Stacked bars: how many projects are red, yellow and green, per unit or per category.

    Each bar segment's ``customdata`` is ``[url]`` of the projects behind it (a click opens it).
    """
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
    if not order:
        return no_data_figure(title, text("no_projects", lang))
    traces = [{
        "type": "bar", "name": text(level.value, lang), "x": labels,
        "y": [counts[k][level] for k in order], "marker": {"color": LEVEL_COLOURS[level]},
        "meta": level.value, "customdata": [[url_for(by, k, level.value)] for k in order],
        "hovertemplate": "%{x}<br>" + text(level.value, lang) + "：%{y}<extra></extra>",
    } for level in LEVELS_WORST_FIRST]
    tallest = max(sum(counts[k].values()) for k in order)
    return figure(traces, {
        "barmode": "stack", "legend": {"traceorder": "normal"}, "margin": {"t": 50},
        "yaxis": {"title": {"text": text("projects_count", lang)}, "tickformat": "d",
                  "dtick": whole_step(tallest), "rangemode": "tozero"},
        "xaxis": {"automargin": True, "tickangle": -30 if len(order) > 6 else 0}}, title)


def whole_step(top: int) -> int:
    """A tick step of whole projects for an axis up to ``top``: about eight ticks at most, so
    a count axis never shows the same whole number twice (0, 1, 1, 2, 2 for 0.5 steps)."""
    return max(1, -(-top // 8))


def _first_message(findings: Iterable[Finding]) -> dict[str, str]:
    """The message of the worst finding of each project (findings come worst first)."""
    out: dict[str, str] = {}
    for f in findings:
        if f.project is not None and f.project not in out and f.subject.startswith(
                ("milestone:", "project:")):
            out[f.project] = f.message
    return out


def _short(name: str, size: int = 8) -> str:
    return name if len(name) <= size else name[:size - 1] + "…"


def portfolio_map(portfolio: Portfolio, evaluation: Evaluation, *, url_for: UrlFor = project_url,
                  lang: str = "zh") -> Figure:
    """Every project as a tile, grouped in rows by unit (portfolio order), coloured by its light.

    Each tile's ``customdata`` is ``[url, project name, light, worst message]``; the page's
    script opens ``customdata[0]`` on click. Up to ``LABELLED_MAX`` projects each tile carries
    its (shortened) name in ``LABEL_COLUMNS`` columns; beyond, the tiles are small and unlabelled
    (the unit rows and the legend's counts still say what is where). The legend counts the
    projects of each light.
    """
    lights = project_lights(portfolio, evaluation.findings)
    if not lights:
        return no_data_figure(text("portfolio_map", lang), text("no_projects", lang))
    messages = _first_message(evaluation.findings)
    names = {u.id: u.name for u in portfolio.units}
    by_unit: dict[str, list[str]] = {}
    for p in portfolio.projects:
        by_unit.setdefault(p.unit, []).append(p.id)
    projects = portfolio.project_by_id
    labelled = len(lights) <= LABELLED_MAX
    columns = LABEL_COLUMNS if labelled else MAP_COLUMNS
    step = 1.0  # one y unit per line of tiles
    points: dict[Level, tuple[list[int], list[float], list[list[str]], list[str]]] = {
        level: ([], [], [], []) for level in LEVELS_WORST_FIRST}
    tickvals: list[float] = []
    ticktext: list[str] = []
    row = 0.0
    order = {u.id: i for i, u in enumerate(portfolio.units)}
    for unit in sorted(by_unit, key=lambda u: (order.get(u, len(order)), u)):
        tickvals.append(-row)
        ticktext.append(_short(names.get(unit, unit), 12))
        for i, pid in enumerate(by_unit[unit]):
            level = lights[pid]
            xs, ys, data, labels = points[level]
            xs.append(i % columns)
            ys.append(-(row + step * (i // columns)))
            data.append([url_for(pid), projects[pid].name, text(level.value, lang),
                         messages.get(pid, text("no_finding", lang))])
            labels.append(_short(projects[pid].name))
        row += step * math.ceil(len(by_unit[unit]) / columns) + 0.5
    traces = []
    for level in LEVELS_WORST_FIRST:
        xs, ys, data, labels = points[level]
        traces.append({
            "type": "scatter", "x": xs, "y": ys, "customdata": data,
            "mode": "markers+text" if labelled else "markers",
            "text": labels if labelled else None, "textposition": "bottom center",
            "textfont": {"size": 12}, "name": f"{text(level.value, lang)} {len(xs)}",
            "meta": level.value,
            "marker": {"symbol": "square", "size": 20 if labelled else 14,
                       "color": LEVEL_COLOURS[level]},
            "hovertemplate": "%{customdata[1]}<br>%{customdata[2]}：%{customdata[3]}<extra></extra>",
        })
    per_row = 52 if labelled else 22
    return figure(traces, {
        "height": max(300, int(60 + per_row * row)),
        "xaxis": {"visible": False, "range": [-0.6, columns - 0.4]}, "plot_bgcolor": "white",
        "margin": {"l": 10, "t": 50, "r": 10}, "legend": {"orientation": "h", "y": 1.02, "x": 1,
                                                          "xanchor": "right", "yanchor": "bottom"},
        "yaxis": {"tickvals": tickvals, "ticktext": ticktext, "zeroline": False,
                  "showgrid": False, "automargin": True, "range": [-row + 0.2, 0.6]},
    }, text("portfolio_map", lang))


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def rates_by_unit(portfolio: Portfolio, rates: EvaluationRates, *, lang: str = "zh") -> Figure:
    """Grouped bars: on-time, completion and early-completion rates (percent) of each unit."""
    names = {u.id: u.name for u in portfolio.units}
    units = [u for u in sorted(rates.units, key=lambda u: names.get(u, u))
             if any(getattr(rates.units[u], k) is not None for k in RATE_KEYS)]
    if not units:
        return no_data_figure(text("rates_by_unit", lang), text("no_rates", lang))
    traces = [{
        "type": "bar", "name": text(key, lang), "meta": key, "x": [names.get(u, u) for u in units],
        "y": [_percent(getattr(rates.units[u], key)) for u in units],
        "customdata": [[f"/projects?unit={u}"] for u in units],
        "hovertemplate": "%{x}：%{y}%<extra>" + text(key, lang) + "</extra>",
    } for key in RATE_KEYS]
    return figure(traces, {
        "barmode": "group", "yaxis": {"title": {"text": "%"}, "range": [0, 100]},
        "margin": {"t": 50},
        "xaxis": {"automargin": True, "tickangle": -30 if len(units) > 6 else 0}},
        text("rates_by_unit", lang))


def rates_trend(portfolio: Portfolio, monthly: Mapping[str, EvaluationRates], *,
                rate: str = "on_time_rate", lang: str = "zh") -> Figure:
    """One line per unit (and a thick one for the portfolio): ``rate`` at each month's end.

    ``monthly`` maps a month (``"2026-01"``) to the rates of the evaluation as of its last day
    (the month-end replay); months are drawn in sorted order.
    """
    if rate not in (*RATE_KEYS, "response_rate"):
        raise ValueError(f"rate={rate!r}: choose one of {', '.join((*RATE_KEYS, 'response_rate'))}")
    months = sorted(monthly)
    names = {u.id: u.name for u in portfolio.units}
    units = sorted({u for m in months for u in monthly[m].units}, key=lambda u: names.get(u, u))
    title = f"{text(rate, lang)}{text('rates_trend_of', lang)}"
    portfolio_values = [_percent(getattr(monthly[m].portfolio, rate)) for m in months]
    if sum(v is not None for v in portfolio_values) < 1:
        return no_data_figure(title, text("no_rates", lang))
    labels = [month_label(m, lang) for m in months]
    traces: list[dict[str, Any]] = [{
        "type": "scatter", "x": labels, "y": portfolio_values,
        "name": text("portfolio", lang), "meta": "portfolio", "mode": "lines+markers",
        "line": {"width": 4, "color": "#222"},
    }]
    for i, u in enumerate(units):
        values = [monthly[m].units.get(u) for m in months]
        traces.append({
            "type": "scatter", "x": labels,
            "y": [None if v is None else _percent(getattr(v, rate)) for v in values],
            "name": names.get(u, u), "meta": u, "mode": "lines+markers", "connectgaps": False,
            "line": {"color": LINE_COLOURS[i % len(LINE_COLOURS)], "width": 1.5,
                     "dash": ("solid", "dot", "dash")[i // len(LINE_COLOURS) % 3]},
        })
    return figure(traces, {
        "xaxis": {"title": {"text": text("month", lang)}, "type": "category"},
        "yaxis": {"title": {"text": "%"}, "range": [0, 100]}, "margin": {"t": 50}}, title)


def month_label(month: str, lang: str = "zh") -> str:
    """``2026-09`` as a reader writes it: ``2026年9月`` (English keeps ``2026-09``)."""
    if lang == "en":
        return month
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


def unit_indicators(evaluation: Evaluation) -> dict[str, dict[str, Any]]:
    """Per unit: its rates and how many red and yellow findings it is responsible for (a blue
    finding is a reminder 提醒, counted with neither)."""
    out: dict[str, dict[str, Any]] = {}
    for uid, r in evaluation.rates.units.items():
        out[uid] = {k: getattr(r, k) for k in (*RATE_KEYS, "response_rate")} | {"red": 0,
                                                                                  "yellow": 0}
    for f in evaluation.findings:
        if f.unit in out and f.level in (Level.RED, Level.YELLOW):
            out[f.unit][f.level.value] += 1
    return out


def _fmt_rate(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def ranking(portfolio: Portfolio, evaluation: Evaluation, score: str, *,
            lang: str = "zh", title: str | None = None, subject: str | None = None) -> Figure:
    """Horizontal bars of one score, best unit on top, with the indicators behind it on hover.

    Units without a value are listed at the bottom without a bar. ``title`` is the score's
    title in the rulebook (``行政效能得分``); without it the score's name is shown. ``subject``
    is what the rulebook's score ranks (``unit`` or ``person``): with nothing to rank the figure
    still names it (责任人排名) and says why in a short box (no people in the portfolio, or none
    with a milestone due). Each bar's ``customdata[0]`` is the unit's project list.
    """
    if score not in evaluation.scores:
        import difflib  # noqa: PLC0415

        near = difflib.get_close_matches(score, list(evaluation.scores), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise KeyError(f"no score {score!r} in this evaluation{hint}")
    names = {u.id: u.name for u in portfolio.units}
    rows = evaluation.scores[score]
    # a ``score ... for person`` ranks people: their names, their unit's projects (issue 13)
    people = {x.id: x for x in portfolio.people}
    of_people = bool(rows) and all(r.unit in people and r.unit not in names for r in rows)
    indicators = unit_indicators(evaluation)
    labels, values, data = [], [], []
    for row in rows:
        person = people.get(row.unit) if of_people else None
        ind = {} if person is not None else indicators.get(row.unit, {})
        rank = "—" if row.rank is None else str(row.rank)
        name = f"{person.name}（{names.get(person.unit, person.unit)}）" if person is not None \
            else names.get(row.unit, row.unit)
        labels.append(name if row.rank is None else f"{rank}. {name}")
        values.append(row.value)
        data.append([f"/projects?unit={person.unit if person is not None else row.unit}",
                     *(_fmt_rate(ind.get(k)) for k in RATE_KEYS),
                     str(ind.get("red", 0)), str(ind.get("yellow", 0)), rank])
    label = title or score
    if not rows:
        if subject == "person":
            if not portfolio.people:
                return no_data_figure(f"{text('person_ranking', lang)}：{label}", text("rank_no_people", lang),
                                      text("rank_no_people_hint", lang), height=150)
            return no_data_figure(f"{text('person_ranking', lang)}：{label}", text("rank_no_person_due", lang),
                                  height=150)
        return no_data_figure(f"{text('ranking', lang)}：{label}", text("no_rates", lang), height=150)
    hover = (f"%{{y}}<br>{text('score', lang)}：%{{x:.1f}}"
             + "".join(f"<br>{text(k, lang)}：%{{customdata[{i + 1}]}}"
                       for i, k in enumerate(RATE_KEYS))
             + f"<br>{text('red', lang)}：%{{customdata[4]}}"
             + f"<br>{text('yellow', lang)}：%{{customdata[5]}}<extra></extra>")
    bar = {"type": "bar", "x": values, "y": labels, "orientation": "h", "customdata": data,
           "meta": score, "marker": {"color": "#1f77b4"}, "hovertemplate": hover,
           "text": [None if v is None else str(v) for v in values],
           "texttemplate": "%{x:.1f}"}
    heading = text("person_ranking" if of_people else "ranking", lang)
    return figure([bar], {
        "yaxis": {"autorange": "reversed", "type": "category", "automargin": True},
        "height": max(300, 60 + 26 * len(rows)), "margin": {"t": 50}}, f"{heading}：{label}")
