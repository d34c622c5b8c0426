"""Stand-ins for ``projects.graph``, ``projects.replay``, ``projects.calendar`` and
``projects.schedule`` while those modules are not in the tree.

Owns nothing permanent: ``rules.engine`` uses the real modules whenever they import, and this
file goes away once they have landed. Monday-Friday calendar, plain replay, adjacency without
caching and a schedule that forecasts the due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from projects.model import Portfolio

Key = tuple[str, str]


class WeekdayCalendar:
    """Monday to Friday, no holidays."""

    def is_workday(self, d: dt.date) -> bool:
        return d.weekday() < 5

    def add_workdays(self, d: dt.date, n: int) -> dt.date:
        step = 1 if n >= 0 else -1
        while n:
            d += dt.timedelta(days=step)
            if d.weekday() < 5:
                n -= step
        return d

    def workdays(self, a: dt.date, b: dt.date) -> int:
        sign, lo, hi = (1, a, b) if a <= b else (-1, b, a)
        days = (hi - lo).days
        weeks, rest = divmod(days, 7)
        count = weeks * 5
        d = lo + dt.timedelta(days=weeks * 7)
        for _ in range(rest):
            d += dt.timedelta(days=1)
            count += d.weekday() < 5
        return sign * count


def calendar_for(portfolio: Portfolio) -> WeekdayCalendar:
    return WeekdayCalendar()


def as_of(portfolio: Portfolio, day: dt.date) -> Portfolio:
    projects = tuple(
        replace(p, milestones=tuple(
            replace(m, finished=None) if m.finished is not None and m.finished > day else m
            for m in p.milestones))
        for p in portfolio.projects)
    notices = tuple(
        replace(n, responded=None) if n.responded is not None and n.responded > day else n
        for n in portfolio.notices if n.issued <= day)
    return replace(portfolio, projects=projects, notices=notices)


class Adjacency:
    def __init__(self, preds: dict[Key, tuple[Key, ...]]) -> None:
        self._preds = preds
        succ: dict[Key, list[Key]] = {k: [] for k in preds}
        for k, ps in preds.items():
            for p in ps:
                succ.setdefault(p, []).append(k)
        self._succ = {k: tuple(v) for k, v in succ.items()}

    @classmethod
    def of(cls, portfolio: Portfolio) -> Adjacency:
        return cls({m.key: tuple((d.project or m.project, d.on) for d in m.after)
                    for m in portfolio.milestones()})

    def predecessors(self, key: Key) -> tuple[Key, ...]:
        return self._preds.get(key, ())

    def successors(self, key: Key) -> tuple[Key, ...]:
        return self._succ.get(key, ())

    def _walk(self, key: Key, step: Any) -> tuple[Key, ...]:
        seen: dict[Key, None] = {}
        todo = list(step(key))
        while todo:
            k = todo.pop()
            if k not in seen:
                seen[k] = None
                todo.extend(step(k))
        return tuple(seen)

    def upstream(self, key: Key) -> tuple[Key, ...]:
        return self._walk(key, self.predecessors)

    def downstream(self, key: Key) -> tuple[Key, ...]:
        return self._walk(key, self.successors)


@dataclass(frozen=True, slots=True)
class MilestoneSchedule:
    start: dt.date | None
    duration: int
    forecast: dt.date | None
    latest: dt.date | None
    float: int | None
    critical: bool


@dataclass(frozen=True, slots=True)
class ProjectSchedule:
    due: dt.date | None
    forecast: dt.date | None
    critical_path: tuple[str, ...] = ()


class Schedule:
    def __init__(self, milestones: dict[Key, MilestoneSchedule],
                 projects: dict[str, ProjectSchedule]) -> None:
        self._m, self._p = milestones, projects

    def milestone(self, key: Key) -> MilestoneSchedule:
        return self._m[key]

    def project(self, pid: str) -> ProjectSchedule:
        return self._p[pid]


def compute_schedule(portfolio: Portfolio, calendar: Any, today: dt.date) -> Schedule:
    """Forward pass only: forecast per the portfolio-format conventions; float against the
    milestone's own due; critical when the float is not positive."""
    ms: dict[Key, MilestoneSchedule] = {}
    ps: dict[str, ProjectSchedule] = {}
    forecasts: dict[Key, dt.date | None] = {}
    for p in portfolio.projects:
        by_key = {m.key: m for m in p.milestones}
        pending = list(p.milestones)
        while pending:  # dependencies first; the loader refuses cycles
            m = pending.pop(0)
            preds = [(d.project or m.project, d.on) for d in m.after]
            if any(k in by_key and k not in forecasts for k in preds):
                pending.append(m)
                continue
            pred_due = [by_key[k].due for k in preds if k in by_key and by_key[k].due]
            start = m.start or (calendar.add_workdays(max(pred_due), 1) if pred_due else None)  # type: ignore[type-var]
            duration = (calendar.workdays(start, m.due) + 1
                        if start is not None and m.due is not None and start <= m.due else 0)
            done = m.finished is not None and m.finished <= today
            if done:
                forecast: dt.date | None = m.finished
            else:
                options = [d for d in (m.due,) if d is not None]
                for k in preds:
                    f = forecasts.get(k)
                    if f is not None:
                        options.append(calendar.add_workdays(f, duration))
                if start is not None and start <= today:
                    rest = -(-duration * (1 - (m.progress or 0)) // 1)
                    options.append(calendar.add_workdays(today, int(rest)))
                forecast = max(options) if options else None
            forecasts[m.key] = forecast
            slack = (calendar.workdays(forecast, m.due)
                     if forecast is not None and m.due is not None else None)
            ms[m.key] = MilestoneSchedule(start, duration, forecast, m.due, slack,
                                          not done and slack is not None and slack <= 0)
        dues = [m.due for m in p.milestones if m.due is not None]
        known = [f for f in (forecasts[m.key] for m in p.milestones) if f is not None]
        ps[p.id] = ProjectSchedule(max(dues) if dues else None, max(known) if known else None)
    return Schedule(ms, ps)


class FallbackPortfolioError(ValueError):
    """A portfolio the stand-in loader cannot read (``problems`` as ``where: what``)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(problems))


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _ratio(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, str) and value.endswith("%"):
        return float(value[:-1]) / 100
    return float(value)


def parse_portfolio(data: Any, *, today: dt.date, source: str = "") -> Portfolio:
    """A portfolio from parsed YAML, without the real loader's checks."""
    from projects.model import (  # noqa: PLC0415
        Category,
        Dependency,
        Kind,
        Milestone,
        Notice,
        Project,
        Unit,
    )

    try:
        units = tuple(Unit(u["id"], u.get("name", u["id"]), u.get("parent"), u.get("level"),
                           tuple(u.get("contacts", ()))) for u in data.get("units", ()))
        projects = []
        for p in data.get("projects", ()):
            milestones = []
            for m in p.get("milestones", ()):
                after = tuple(Dependency(a) if isinstance(a, str) else
                              Dependency(a["id"], int(str(a.get("lag", 0)).split()[0]),
                                         a.get("project"))
                              for a in m.get("after", ()))
                milestones.append(Milestone(
                    p["id"], m["id"], m.get("name", m["id"]), Kind(m["kind"]),
                    due=_date(m.get("due")), start=_date(m.get("start")),
                    finished=_date(m.get("finished")), unit=m.get("unit"),
                    progress=_ratio(m.get("progress")), amount=m.get("amount"),
                    paid=m.get("paid"), updated=_date(m.get("updated")), after=after))
            projects.append(Project(p["id"], p.get("name", p["id"]),
                                    Category(p.get("category", "project")), p["unit"],
                                    p.get("budget"), tuple(milestones)))
        notices = tuple(Notice(n["id"], n.get("title", n["id"]), n["unit"], _date(n["issued"]),
                               _date(n["due"]), n.get("rule"), n.get("level"),
                               _date(n.get("responded")), n.get("subject"))
                        for n in data.get("notices", ()))
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise FallbackPortfolioError([f"{source}: {type(exc).__name__}: {exc}"]) from exc
    return Portfolio(units, tuple(projects), notices, data.get("calendar", "cn"))  # type: ignore[arg-type]


def load_portfolio(path: Any, *, today: dt.date) -> Portfolio:
    import yaml  # noqa: PLC0415

    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FallbackPortfolioError([f"not valid YAML: {exc}"]) from exc
    return parse_portfolio(data, today=today, source=str(path))
