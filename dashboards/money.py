"""Funds (planned vs paid S-curves) and supervision notices (by state, unit and age).

Owns ``funds_points``, ``funds_curve``, ``notice_state``, ``notice_counts`` and
``notices_figure``. Pure; ``as_of`` is passed in. Definitions:

- planned money of a milestone (``amount``) counts on its due date; money paid (``paid``)
  counts on the day it was reported (``updated``), else its finish, else ``as_of``. Curves are
  cumulative, one point per day on which something changed; nothing after ``as_of`` is paid.
- a notice is *escalated* when its state says so; else *answered* once it has a response date;
  else *overdue* after its due date; else *issued*. Its age is ``as_of - issued`` in days.
  Notices are anything with ``unit``, ``issued``, ``due``, ``responded`` and optionally
  ``state`` (``projects.model.Notice`` and ``notifier.store.StoredNotice`` both fit).

Figures are plain data (``dashboards.figures.Figure``), as the portfolio figures are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from itertools import accumulate
from typing import Any

from dashboards.figures import Figure, figure, no_data_figure
from dashboards.i18n import text
from dashboards.numbers import date_axis, money_scale, money_text
from projects.model import Project

NOTICE_STATES = ("issued", "answered", "overdue", "escalated")
NOTICE_COLOURS = {"issued": "#1f77b4", "answered": "#2ca02c", "overdue": "#d62728",
                  "escalated": "#7f3c8d"}
AGE_BUCKETS = ((0, 7, "0-7"), (8, 30, "8-30"), (31, 90, "31-90"), (91, None, ">90"))


def funds_points(projects: Iterable[Project], as_of: dt.date
                 ) -> tuple[list[str], list[float], list[str], list[float]]:
    """(planned days, cumulative planned, paid days, cumulative paid), days as ISO strings."""
    planned: dict[dt.date, float] = {}
    paid: dict[dt.date, float] = {}
    for p in projects:
        for m in p.milestones:
            if m.amount and m.due is not None:
                planned[m.due] = planned.get(m.due, 0.0) + m.amount
            if m.paid:
                day = min(m.updated or m.finished or as_of, as_of)
                paid[day] = paid.get(day, 0.0) + m.paid
    pdays = sorted(planned)
    sdays = sorted(paid)
    return ([d.isoformat() for d in pdays], list(accumulate(planned[d] for d in pdays)),
            [d.isoformat() for d in sdays], list(accumulate(paid[d] for d in sdays)))


def funds_curve(projects: Iterable[Project], as_of: dt.date, *, title: str | None = None,
                lang: str = "zh") -> Figure:
    """The S-curves of planned and paid money (one project, or the whole portfolio).

    Money is drawn in 元, 万元 or 亿元 (``dashboards.numbers.money_scale``) and dates read in
    Chinese. With fewer than two days on which money was planned or paid there is no curve to
    draw: the figure says so, and names what is known (``no_data_figure``).
    """
    pdays, pvalues, sdays, svalues = funds_points(projects, as_of)
    title = title or text("funds", lang)
    if len(set(pdays) | set(sdays)) < 2:
        known = []
        if pvalues:
            known.append(f"{text('funds_planned_total', lang)} {money_text(pvalues[-1], lang)}"
                         f"（{pdays[-1]}）")
        if svalues:
            known.append(f"{text('funds_paid_total', lang)} {money_text(svalues[-1], lang)}"
                         f"（{sdays[-1]}）")
        detail = "；".join(known) if lang != "en" else "; ".join(known)
        return no_data_figure(title, text("funds_too_little", lang), detail)
    divisor, unit = money_scale(max([*pvalues, *svalues, 0.0]), lang)
    traces = [{
        "type": "scatter", "x": days, "y": [v / divisor for v in values], "name": text(key, lang),
        "meta": meta, "mode": mode, "line": {"shape": "hv", "color": colour},
        "customdata": [money_text(v, lang) for v in values],
        "hovertemplate": "%{x}<br>" + text(key, lang) + "：%{customdata}<extra></extra>",
    } for meta, key, days, values, mode, colour in (
        ("planned", "funds_planned", pdays, pvalues, "lines", "#1f77b4"),
        ("paid", "funds_paid", sdays, svalues, "lines+markers", "#ff7f0e"))]
    return figure(traces, {
        "xaxis": date_axis(lang),
        "yaxis": {"title": {"text": unit}, "tickformat": ",~r", "rangemode": "tozero"},
        "margin": {"t": 50},
        "shapes": [{"type": "line", "x0": as_of.isoformat(), "x1": as_of.isoformat(), "y0": 0,
                    "y1": 1, "xref": "x", "yref": "paper", "name": "today",
                    "line": {"color": "#d62728", "dash": "dash"}}],
    }, title)


def notice_state(notice: Any, as_of: dt.date) -> str:
    """``escalated``, ``answered``, ``overdue`` or ``issued`` (see the module docstring)."""
    state = str(getattr(notice, "state", "") or "")
    if state == "escalated":
        return "escalated"
    if notice.responded is not None or state in {"responded", "accepted", "rectified"}:
        return "answered"
    if notice.due < as_of:
        return "overdue"
    return "issued"


def age_bucket(days: int) -> str:
    for low, high, label in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGE_BUCKETS[0][2]  # issued after as_of: counts as new


def notice_counts(notices: Iterable[Any], as_of: dt.date
                  ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """(per unit: state -> count, per age bucket: state -> count for notices not answered)."""
    by_unit: dict[str, dict[str, int]] = {}
    by_age: dict[str, dict[str, int]] = {label: dict.fromkeys(NOTICE_STATES, 0)
                                         for _, _, label in AGE_BUCKETS}
    for n in notices:
        state = notice_state(n, as_of)
        by_unit.setdefault(n.unit, dict.fromkeys(NOTICE_STATES, 0))[state] += 1
        if state != "answered":
            by_age[age_bucket((as_of - n.issued).days)][state] += 1
    return by_unit, by_age


def notices_figure(notices: Iterable[Any], as_of: dt.date, *,
                   unit_names: Mapping[str, str] | None = None, lang: str = "zh") -> Figure:
    """Two panels of stacked bars: notices per unit by state, and open notices by age.

    The panels are laid out as ``plotly.subplots.make_subplots(rows=1, cols=2,
    column_widths=[0.65, 0.35])`` lays them out (``_panels``)."""
    names = unit_names or {}
    by_unit, by_age = notice_counts(notices, as_of)
    if not by_unit:
        return no_data_figure(text("notices", lang), text("no_notices", lang))
    units = sorted(by_unit, key=lambda u: (-by_unit[u]["overdue"] - by_unit[u]["escalated"], u))
    ages = [label for _, _, label in AGE_BUCKETS]
    traces: list[dict[str, Any]] = []
    for state in NOTICE_STATES:
        traces.append({"type": "bar", "name": text(state, lang), "meta": state, "legendgroup": state,
                       "x": [names.get(u, u) for u in units], "y": [by_unit[u][state] for u in units],
                       "customdata": [[f"/projects?unit={u}"] for u in units],
                       "hovertemplate": "%{x}<br>" + text(state, lang) + "：%{y}<extra></extra>",
                       "marker": {"color": NOTICE_COLOURS[state]}, "xaxis": "x", "yaxis": "y"})
        if state != "answered":
            traces.append({"type": "bar", "name": text(state, lang), "meta": f"age:{state}",
                           "legendgroup": state, "showlegend": False,
                           "x": [text(f"age_{a}", lang) for a in ages],
                           "y": [by_age[a][state] for a in ages],
                           "hovertemplate": "%{x}<br>" + text(state, lang) + "：%{y}<extra></extra>",
                           "marker": {"color": NOTICE_COLOURS[state]}, "xaxis": "x2", "yaxis": "y2"})
    layout = {"barmode": "stack", "margin": {"t": 70},
              **_panels((0.65, 0.35), (text("notices_by_unit", lang), text("notices_by_age", lang)))}
    layout["xaxis"]["automargin"] = True
    layout["xaxis2"]["title"] = {"text": text("age_days", lang)}
    return figure(traces, layout, text("notices", lang))


def _panels(widths: tuple[float, ...], titles: tuple[str, ...], spacing: float = 0.2
            ) -> dict[str, Any]:
    """The axes and panel titles of one row of panels side by side, of relative ``widths``, as
    ``make_subplots(rows=1, cols=len(widths), column_widths=widths, subplot_titles=titles)``
    writes them (``horizontal_spacing`` is ``spacing / cols``, its default)."""
    gap = spacing / len(widths)
    room = 1 - gap * (len(widths) - 1)
    total = sum(widths)
    layout: dict[str, Any] = {"annotations": []}
    left = 0.0
    for i, (width, title) in enumerate(zip(widths, titles, strict=True), start=1):
        right = left + room * width / total
        x, y = ("x", "y") if i == 1 else (f"x{i}", f"y{i}")
        layout["xaxis" if i == 1 else f"xaxis{i}"] = {"anchor": y, "domain": [left, right]}
        layout["yaxis" if i == 1 else f"yaxis{i}"] = {"anchor": x, "domain": [0.0, 1.0]}
        layout["annotations"].append({"font": {"size": 16}, "showarrow": False, "text": title,
                                      "x": (left + right) / 2, "xanchor": "center", "xref": "paper",
                                      "y": 1.0, "yanchor": "bottom", "yref": "paper"})
        left = right + gap
    return layout
