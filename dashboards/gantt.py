"""The project page's Gantt: planned vs actual vs forecast, dependencies, critical path, today.

Owns ``project_gantt`` and ``milestone_lights``. Pure: the project, its schedule (anything with
``milestone(key)`` returning ``start``, ``forecast``, ``critical`` as in
``projects.schedule.MilestoneSchedule``; ``None`` draws no forecast and no critical path), the
evaluation's findings and ``as_of`` come in, a ``plotly.graph_objects.Figure`` goes out.

How it reads:

- one row per milestone, first milestone on top;
- the planned bar runs from the planned start (else the scheduled start, else one day before
  the due date) to the due date, coloured by the milestone's light; a critical milestone's
  bar has a thick dark outline (``CRITICAL_OUTLINE``);
- the actual bar (thin, grey) runs from the start to the finish, or to ``as_of`` while open;
- a diamond marks the forecast finish of an open milestone;
- an arrow joins each predecessor's end to its successor's start (red between two critical
  milestones); a dashed vertical line marks ``as_of``;
- hovering a planned bar shows the light and, for each finding, its message and explanation.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from typing import Any

import plotly.graph_objects as go

from dashboards.figures import LEVEL_COLOURS
from dashboards.i18n import text
from dashboards.numbers import date_axis
from projects.model import Level, Milestone, Project
from rules.findings import Finding
from rules.sentence import explain_sentence

CRITICAL_OUTLINE = "#5a0000"
DAY_MS = 86_400_000


def milestone_lights(project: Project, findings: Iterable[Finding]
                     ) -> dict[str, tuple[Level, list[Finding]]]:
    """Each milestone's worst light and the findings about it (worst first); green if none."""
    out: dict[str, tuple[Level, list[Finding]]] = {m.id: (Level.GREEN, []) for m in project.milestones}
    prefix = f"milestone:{project.id}/"
    for f in findings:
        if f.project != project.id or not f.subject.startswith(prefix):
            continue
        mid = f.subject[len(prefix):]
        if mid not in out:
            continue
        level, found = out[mid]
        found.append(f)
        if f.level.rank > level.rank:
            out[mid] = (f.level, found)
    return out


def explanation(findings: Iterable[Finding], *, lang: str = "zh", code: bool = False) -> str:
    """The hover text of a milestone's findings: the message and the values that decided it
    in words; with ``code`` (the office) also the rule's name and each clause as written."""
    lines: list[str] = []
    for f in findings:
        lines.append(f"<b>{html.escape(f.message)}</b>")
        said = explain_sentence(f.explain, lang)
        if said:
            lines.append(f"&nbsp;&nbsp;{html.escape(said)}")
        if code:
            lines.append(f"&nbsp;&nbsp;<i>{html.escape(f.rule)}</i>")
            lines.extend(f"&nbsp;&nbsp;{html.escape(str(part))} = {html.escape(_show(value))}"
                         for part, value in f.explain)
    return "<br>".join(lines)


def _show(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _labels(milestones: tuple[Milestone, ...]) -> dict[str, str]:
    """Row labels: the names, with the id added where two milestones share a name."""
    seen: dict[str, int] = {}
    for m in milestones:
        seen[m.name] = seen.get(m.name, 0) + 1
    return {m.id: m.name if seen[m.name] == 1 else f"{m.name} ({m.id})" for m in milestones}


def _sched(schedule: Any, key: tuple[str, str]) -> Any:
    if schedule is None:
        return None
    try:
        return schedule.milestone(key)
    except KeyError:
        return None


def _span(a: dt.date, b: dt.date) -> int:
    return max(b - a, dt.timedelta(days=1)).days * DAY_MS


def project_gantt(project: Project, schedule: Any, findings: Iterable[Finding], as_of: dt.date,
                  *, lang: str = "zh", code: bool = False) -> go.Figure:
    """The Gantt of one project's milestones as of ``as_of`` (see the module docstring);
    ``code`` adds the rules' code to the hover (the office's view)."""
    lights = milestone_lights(project, findings)
    labels = _labels(project.milestones)
    planned: dict[str, list[Any]] = {k: [] for k in ("y", "base", "x", "colour", "width", "hover")}
    actual: dict[str, list[Any]] = {k: [] for k in ("y", "base", "x", "hover")}
    forecast: dict[str, list[Any]] = {k: [] for k in ("y", "x", "hover")}
    ends: dict[str, tuple[dt.date, str]] = {}
    starts: dict[str, dt.date] = {}
    critical: set[str] = set()
    for m in project.milestones:
        label = labels[m.id]
        s = _sched(schedule, m.key)
        if s is not None and getattr(s, "critical", False):
            critical.add(m.id)
        level, found = lights[m.id]
        start = m.start or (getattr(s, "start", None) if s is not None else None)
        if m.due is not None:
            begin = start if start is not None and start < m.due else m.due - dt.timedelta(days=1)
            planned["y"].append(label)
            planned["base"].append(begin.isoformat())
            planned["x"].append(_span(begin, m.due))
            planned["colour"].append(LEVEL_COLOURS[level])
            planned["width"].append(4 if m.id in critical else 0)
            planned["hover"].append(
                f"{html.escape(m.name)}: {begin.isoformat()} → {m.due.isoformat()}<br>"
                f"{text('light', lang)}: {text(level.value, lang)}"
                + (f" · {text('critical', lang)}" if m.id in critical else "")
                + ("<br>" + explanation(found, lang=lang, code=code) if found else ""))
            starts[m.id] = begin
            ends[m.id] = (m.due, label)
        if m.start is not None and (m.finished is not None or m.start <= as_of):
            stop = m.finished or as_of
            actual["y"].append(label)
            actual["base"].append(m.start.isoformat())
            actual["x"].append(_span(m.start, stop))
            done = f"{text('finished', lang)} {m.finished.isoformat()}" if m.finished else (
                f"{text('progress', lang)} {round(100 * (m.progress or 0))}")
            actual["hover"].append(f"{html.escape(m.name)}: {m.start.isoformat()} → {done}")
        fc = getattr(s, "forecast", None) if s is not None else None
        if m.finished is None and fc is not None:
            forecast["y"].append(label)
            forecast["x"].append(fc.isoformat())
            forecast["hover"].append(f"{html.escape(m.name)}: {text('forecast', lang)} {fc.isoformat()}")
            if m.id in ends:
                ends[m.id] = (max(fc, ends[m.id][0]), label)
        if m.finished is not None and m.id in ends:
            ends[m.id] = (m.finished, label)
    fig = go.Figure()
    fig.add_trace(go.Bar(
        name=text("planned", lang), meta="planned", orientation="h", y=planned["y"],
        base=planned["base"], x=planned["x"], hovertext=planned["hover"], hoverinfo="text",
        marker={"color": planned["colour"],
                "line": {"color": CRITICAL_OUTLINE, "width": planned["width"]}},
        width=0.6,
    ))
    fig.add_trace(go.Bar(
        name=text("actual", lang), meta="actual", orientation="h", y=actual["y"],
        base=actual["base"], x=actual["x"], hovertext=actual["hover"], hoverinfo="text",
        marker_color="#555", width=0.2,
    ))
    fig.add_trace(go.Scatter(
        name=text("forecast", lang), meta="forecast", y=forecast["y"], x=forecast["x"],
        mode="markers", marker={"symbol": "diamond", "size": 12, "color": "#1f77b4"},
        hovertext=forecast["hover"], hoverinfo="text",
    ))
    annotations: list[dict[str, Any]] = []
    for m in project.milestones:
        for dep in m.after:
            if dep.project not in (None, project.id) or dep.on not in ends or m.id not in starts:
                continue
            on_critical = dep.on in critical and m.id in critical
            annotations.append({
                "x": starts[m.id].isoformat(), "y": labels[m.id],
                "ax": ends[dep.on][0].isoformat(), "ay": ends[dep.on][1],
                "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "text": "",
                "showarrow": True, "arrowhead": 2, "arrowsize": 1,
                "arrowwidth": 2.5 if on_critical else 1,
                "arrowcolor": LEVEL_COLOURS[Level.RED] if on_critical else "#888",
                "name": f"{dep.on}->{m.id}",
            })
    annotations.append({"x": as_of.isoformat(), "y": 1.02, "xref": "x", "yref": "paper",
                        "text": f"{text('today', lang)} {as_of.isoformat()}", "showarrow": False,
                        "name": "today"})
    fig.update_layout(
        title=f"{html.escape(project.name)} — {text('gantt', lang)}",
        barmode="overlay", annotations=annotations,
        shapes=[{"type": "line", "x0": as_of.isoformat(), "x1": as_of.isoformat(), "y0": 0,
                 "y1": 1, "xref": "x", "yref": "paper", "name": "today",
                 "line": {"color": "#d62728", "dash": "dash", "width": 2}}],
        xaxis=date_axis(lang),
        yaxis={"type": "category", "autorange": "reversed", "automargin": True,
               "categoryorder": "array", "categoryarray": [labels[m.id] for m in project.milestones]},
        height=max(320, 110 + 40 * len(project.milestones)), margin={"t": 60},
    )
    return fig
