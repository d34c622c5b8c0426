"""``parse_portfolio``: the whole check of a portfolio's data, from plain values to the model.

Owns the portfolio-file contract (``/work/shared/design/portfolio-format.md``): which fields
exist, which are required, what each reference must name, and that dependencies and unit
parents have no cycles. Invariants:

- Every problem is collected with its place (``projects[3].milestones[2].after``) before one
  ``PortfolioError`` is raised; a portfolio with any problem produces nothing.
- One mistake gives one message: a value that is wrong is left out of every later check
  (an unknown milestone in ``after`` is no edge, so it makes no cycle; a duplicate id is not
  a second node; when some item has no usable id, references that may have meant it are not
  reported as unknown).
- Linear time: ids are indexed once; suggestions (``difflib``) are computed only for problems.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Mapping
from typing import Any

from projects import catalogue
from projects.catalogue import ID_MAX
from projects.errors import PortfolioError
from projects.fields import BAD, Fields, field_set, type_name
from projects.graph import find_cycles, format_cycle
from projects.model import (
    CalendarYear,
    Category,
    Dependency,
    Milestone,
    Notice,
    Portfolio,
    Project,
    Unit,
)
from projects.validation import CATEGORY_WORDS, CHECKS, LEVEL_WORDS, read_milestone

TOP_FIELDS = field_set(("calendar", "timezone", "calendar_years", "units", "projects", "notices"))
UNIT_FIELDS = field_set(("id", "name", "parent", "level", "contacts"))
PROJECT_FIELDS = field_set(("id", "name", "category", "unit", "budget", "milestones"))
MILESTONE_FIELDS = field_set(tuple(f.file_key for f in catalogue.MILESTONE if f.file_key is not None))
NOTICE_FIELDS = field_set(("id", "title", "unit", "rule", "level", "issued", "due", "responded", "subject"))
DEPENDENCY_FIELDS = field_set(("id", "project", "lag"))
YEAR_FIELDS = field_set(("year", "holidays", "workdays"))

CALENDARS = {"cn": "cn", "weekdays": "weekdays"}
_MILESTONE_SET = frozenset(MILESTONE_FIELDS)
_NAME = CHECKS["name"]
_UNIT = CHECKS["unit"]
_ID = CHECKS["id"]


def parse_portfolio(data: object, *, today: dt.date, source: str = "<portfolio>") -> Portfolio:
    """Check ``data`` (the file's shape: dicts, lists, strings, numbers, dates) completely.

    ``today`` is the real today: nothing may be finished, updated or answered after it.
    Raises ``PortfolioError`` with every problem found; returns the portfolio otherwise.
    """
    check = _Check(today)
    paused = gc.isenabled()
    gc.disable()  # tens of thousands of new values, none of them garbage: skip the collector
    try:
        portfolio = check.portfolio(data)
    finally:
        if paused:
            gc.enable()
    if check.f.problems or portfolio is None:
        raise PortfolioError(check.f.problems, source)
    return portfolio


class _Check:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.f = Fields()
        self.unit_ids: dict[str, int] = {}  # first occurrence
        self.units_complete = True  # every unit has a usable id
        self.project_ids: dict[str, int] = {}
        self.projects_complete = True
        self.milestone_ids: dict[str, dict[str, int]] = {}  # project id -> milestone id -> index
        self.incomplete_projects: set[str] = set()  # projects with a milestone lacking an id
        self.edges: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.places: dict[tuple[str, str], str] = {}
        self._by_milestone: dict[str, str] | None = None
        self.plain_dependencies: dict[str, Dependency] = {}

    # -- the whole ----------------------------------------------------------------------------

    def portfolio(self, data: object) -> Portfolio | None:
        f = self.f
        if data is None:
            f.add("", "the portfolio is empty; it needs units and projects")
            return None
        if not isinstance(data, Mapping):
            f.add("", f"a portfolio is a mapping with units and projects, not {type_name(data)}")
            return None
        extra = data.keys() - TOP_FIELDS
        for key in (k for k in data if k in extra):
            from projects.errors import suggest  # noqa: PLC0415 - error path only

            hint = suggest(str(key), TOP_FIELDS)
            f.add("", f'unknown top-level field "{key}"' + (f'; did you mean "{hint}"?' if hint
                                                            else f"; the fields are {', '.join(TOP_FIELDS)}"))
        calendar = f.choice(data.get("calendar", "cn"), CALENDARS, "calendar", "calendar", CALENDARS)
        timezone = self.timezone(data.get("timezone", "Asia/Shanghai"))
        years = self.calendar_years(data.get("calendar_years"))
        raw_units = f.items(data.get("units"), "units", "units")
        raw_projects = f.items(data.get("projects"), "projects", "projects")
        raw_notices = f.items(data.get("notices"), "notices", "notices")
        units: tuple[Unit, ...] = ()
        projects: tuple[Project, ...] = ()
        notices: tuple[Notice, ...] = ()
        if raw_units is not BAD:
            assert isinstance(raw_units, list)
            units = self.units(raw_units)
        if raw_projects is not BAD:
            assert isinstance(raw_projects, list)
            self.index_projects(raw_projects)
            projects = tuple(p for i, item in enumerate(raw_projects) if (p := self.project(item, i)))
            self.dependency_cycles()
        if raw_notices is not BAD:
            assert isinstance(raw_notices, list)
            notices = self.notices(raw_notices)
        if f.problems:
            return None
        return Portfolio(units, projects, notices, calendar, timezone, years)

    def timezone(self, value: object) -> str:
        if isinstance(value, str):
            import zoneinfo  # noqa: PLC0415

            try:
                zoneinfo.ZoneInfo(value)
                return value
            except (ValueError, zoneinfo.ZoneInfoNotFoundError):
                known = zoneinfo.available_timezones()
                self.f.reference(value, known, "timezone", "time zone")
                return ""
        self.f.add("timezone", f"{type_name(value)} is not a time zone; write e.g. Asia/Shanghai")
        return ""

    def calendar_years(self, value: object) -> tuple[CalendarYear, ...]:
        f = self.f
        items = f.items(value, "calendar_years", "years (year, holidays, workdays)")
        out = []
        for i, item in enumerate(items if isinstance(items, list) else ()):
            where = f"calendar_years[{i}]"
            m = f.mapping(item, where, "calendar year")
            if m is BAD:
                continue
            assert isinstance(m, Mapping)
            f.unknown_keys(m, YEAR_FIELDS, where)
            year = f.required(m, "year", where)
            if year is not BAD and (not isinstance(year, int) or isinstance(year, bool)):
                year = f.add(f"{where}.year", f"{type_name(year)} is not a year; write e.g. 2027")
            sets = []
            for field in ("holidays", "workdays"):
                days = f.items(m.get(field), f"{where}.{field}", "dates")
                got = set()
                for j, d in enumerate(days if isinstance(days, list) else ()):
                    day = f.date(d, f"{where}.{field}[{j}]")
                    if isinstance(day, dt.date):
                        if isinstance(year, int) and day.year != year:
                            f.add(f"{where}.{field}[{j}]", f"{day.isoformat()} is not in {year}; move it to that year's entry")
                        got.add(day)
                sets.append(frozenset(got))
            if isinstance(year, int):
                out.append(CalendarYear(year, sets[0], sets[1]))
        return tuple(out)

    # -- units --------------------------------------------------------------------------------

    def units(self, items: list[Any]) -> tuple[Unit, ...]:
        f = self.f
        for i, item in enumerate(items):
            uid = _plain_id(item.get("id")) if isinstance(item, Mapping) else None
            if uid is not None:
                self.unit_ids.setdefault(uid, i)
            else:
                self.units_complete = False
        out: list[Unit] = []
        parents: dict[str, list[str]] = {}
        for i, item in enumerate(items):
            where = f"units[{i}]"
            m = f.mapping(item, where, "unit")
            if m is BAD:
                continue
            assert isinstance(m, Mapping)
            f.unknown_keys(m, UNIT_FIELDS, where)
            uid = self.id_field(m, where, self.unit_ids, i, "unit")
            name = f.required(m, "name", where)
            if name is not BAD:
                name = f.text(name, where, "name")
            parent = m.get("parent")
            if parent is not None:
                parent = f.ident(parent, where, "parent")
                if isinstance(parent, str):
                    parent = self.unit_ref(parent, where, "parent")
            level = m.get("level")
            if level is not None:
                level = f.text(level, where, "level")
            contacts = self.contacts(m.get("contacts"), f"{where}.contacts")
            if isinstance(uid, str) and self.unit_ids[uid] == i:
                parents[uid] = [parent] if isinstance(parent, str) else []
            if all(v is not BAD for v in (uid, name, parent, level, contacts)):
                out.append(Unit(uid, name, parent, level, contacts))  # type: ignore[arg-type]
        for cycle in find_cycles(parents):
            f.add(f"units[{self.unit_ids[cycle[0]]}].parent",
                  f"unit parent cycle {format_cycle(cycle)}; a unit cannot be above itself")
        return tuple(out)

    def contacts(self, value: object, where: str) -> Any:
        f = self.f
        if isinstance(value, str):
            value = [value]
        items = f.items(value, where, "Apprise URLs")
        if items is BAD:
            return BAD
        out = []
        for j, url in enumerate(items):  # type: ignore[arg-type]
            # contact URLs are secrets: the message never repeats them
            if not isinstance(url, str) or "://" not in url:
                return f.add(f"{where}[{j}]", "not an Apprise URL (scheme://...); write e.g. mailto://jt@transport.example")
            out.append(url.strip())
        return tuple(out)

    def unit_ref(self, uid: str, where: str, field: str) -> str | Any:
        if uid in self.unit_ids:
            return uid
        if not self.units_complete:
            return BAD
        return self.f.reference(uid, self.unit_ids, f"{where}.{field}", "unit")

    def id_field(self, m: Mapping[str, Any], where: str, index: dict[str, int], i: int, what: str) -> Any:
        value = self.f.required(m, "id", where)
        if value is BAD:
            return BAD
        value = _ID(value, self.f, where)
        if isinstance(value, str) and index.get(value, i) != i:
            first = index[value]
            section = where.rsplit("[", 1)[0]
            return self.f.add(f"{where}.id", f'duplicate {what} id "{value}" (first at {section}[{first}]); give each {what} its own id')
        return value

    # -- projects -----------------------------------------------------------------------------

    def index_projects(self, items: list[Any]) -> None:
        """Project and milestone ids first, so references may point forward."""
        for i, item in enumerate(items):
            pid = _plain_id(item.get("id")) if isinstance(item, Mapping) else None
            if pid is None:
                self.projects_complete = False
                continue
            if pid in self.project_ids:
                continue
            self.project_ids[pid] = i
            ids: dict[str, int] = {}
            raw = item.get("milestones")
            for j, ms in enumerate(raw if isinstance(raw, list) else ()):
                mid = _plain_id(ms.get("id")) if type(ms) is dict or isinstance(ms, Mapping) else None
                if mid is None:
                    self.incomplete_projects.add(pid)
                elif mid not in ids:
                    ids[mid] = j
                    self.edges[(pid, mid)] = []
            self.milestone_ids[pid] = ids

    def project(self, item: object, i: int) -> Project | None:
        f = self.f
        where = f"projects[{i}]"
        m = f.mapping(item, where, "project")
        if m is BAD:
            return None
        assert isinstance(m, Mapping)
        f.unknown_keys(m, PROJECT_FIELDS, where)
        pid = self.id_field(m, where, self.project_ids, i, "project")
        name = f.required(m, "name", where)
        if name is not BAD:
            name = f.text(name, where, "name")
        category = m.get("category")  # optional (version 2): a project by default
        if category is None:
            category = Category.PROJECT
        else:
            category = f.choice(category, CATEGORY_WORDS, f"{where}.category", "category", ("project", "task"))
        unit = f.required(m, "unit", where)
        if unit is not BAD:
            unit = f.ident(unit, where, "unit")
            if isinstance(unit, str):
                unit = self.unit_ref(unit, where, "unit")
        budget = f.amount(m.get("budget"), where, "budget")
        raw = f.items(m.get("milestones"), f"{where}.milestones", "milestones")
        own = isinstance(pid, str) and self.project_ids.get(pid) == i
        milestones = []
        if isinstance(raw, list):
            ids = self.milestone_ids.get(pid, {}) if own else {}
            for j, ms in enumerate(raw):
                milestone = self.milestone(ms, f"{where}.milestones[{j}]", pid if own else None, ids, j)
                if milestone is not None:
                    milestones.append(milestone)
        if any(v is BAD for v in (pid, name, category, unit, budget, raw)):
            return None
        return Project(pid, name, category, unit, budget, tuple(milestones))  # type: ignore[arg-type]

    def milestone(self, item: object, where: str, pid: str | None, ids: dict[str, int],
                  j: int) -> Milestone | None:
        # The hot path of a 40,000-milestone file. The fields with an identity or a reference
        # (id, name, unit, after) are taken here; every other field goes through its compiled
        # catalogue check (``projects.validation``), which takes a valid value inline.
        f = self.f
        m = item if type(item) is dict else f.mapping(item, where, "milestone")
        if m is BAD:
            return None
        assert isinstance(m, Mapping)
        if not m.keys() <= _MILESTONE_SET:
            f.unknown_keys(m, MILESTONE_FIELDS, where)
        get = m.get
        mid = get("id")
        if not (type(mid) is str and ids.get(mid, j) == j and _clean(mid) and len(mid) <= ID_MAX and mid.isprintable()):
            mid = self.id_field(m, where, ids, j, "milestone")
        first = pid is not None and isinstance(mid, str) and ids.get(mid) == j
        name = get("name")
        name = mid if name is None else _NAME(name, f, where)
        before = len(f.problems)
        values = read_milestone(get, f, where, self.today)
        unit = get("unit")
        if unit is not None:
            unit = _UNIT(unit, f, where)
            if isinstance(unit, str):
                unit = self.unit_ref(unit, where, "unit")
        after: Any = ()
        raw_after = get("after")
        if raw_after is not None:
            plain = self.plain_dependencies
            if type(raw_after) is list and pid is not None and all(type(a) is str and a in ids for a in raw_after):
                # ids of this project: one shared Dependency value per id
                after = tuple(plain.get(a) or plain.setdefault(a, Dependency(a)) for a in raw_after)
            else:
                after = self.after(raw_after, f"{where}.after", pid)
        if first:
            assert pid is not None and isinstance(mid, str)
            key = (pid, mid)
            self.places[key] = where
            if after is not BAD:
                edges = self.edges
                for dep in after:
                    pred = (dep.project or pid, dep.on)
                    if pred in edges:
                        edges[pred].append(key)
        if pid is None or len(f.problems) != before or BAD in (mid, name, unit, after):
            return None
        return Milestone(project=pid, id=mid, name=name, unit=unit, after=after, **values)

    def after(self, value: object, where: str, pid: str | None) -> Any:
        f = self.f
        if type(value) is not list and isinstance(value, str | Mapping):
            value = [value]
        items = f.items(value, where, "milestone ids")
        if items is BAD:
            return BAD
        out: list[Dependency] = []
        bad = False
        for entry in items:  # type: ignore[union-attr]
            dep = self.dependency(entry, where, pid)
            if dep is BAD:
                bad = True
                continue
            assert isinstance(dep, Dependency)
            out.append(dep)
        return BAD if bad else tuple(out)

    def dependency(self, entry: object, where: str, pid: str | None) -> Dependency | Any:
        f = self.f
        other: object = None
        lag: object = 0
        is_map = False
        if type(entry) is str and "/" not in entry:  # the common case: an id of this project
            on: Any = entry
        elif isinstance(entry, Mapping):
            is_map = True
            f.unknown_keys(entry, DEPENDENCY_FIELDS, where)
            on = f.required(entry, "id", where)
            other, lag = entry.get("project"), entry.get("lag")
        elif isinstance(entry, str) and "/" in entry:
            other, _, on = entry.partition("/")
        else:
            on = entry
        if on is BAD:
            return BAD
        on = f.ident(on, where)
        days = 0 if lag == 0 and type(lag) is int else f.lag(lag, where, "lag" if is_map else "")
        if other is not None:
            other = f.ident(other, where, "project" if is_map else "")
        if BAD in (on, days, other):
            return BAD
        assert isinstance(on, str) and isinstance(days, int)
        if other == pid:
            other = None
        if pid is None:
            return Dependency(on, days, other)  # type: ignore[arg-type]
        if other is None:
            ids = self.milestone_ids.get(pid, {})
            if on in ids:
                return Dependency(on, days)
            if pid in self.incomplete_projects:
                return BAD
            home = self.home_of(on, pid)
            if home is not None:
                return f.add(where, f'milestone {on} is in project {home}; declare a cross-project dependency as {{project: {home}, id: {on}}}')
            return f.reference(on, ids, where, "milestone", f" in {pid}")
        assert isinstance(other, str)
        if other not in self.project_ids:
            return BAD if not self.projects_complete else f.reference(other, self.project_ids, where, "project")
        ids = self.milestone_ids.get(other, {})
        if on not in ids:
            return BAD if other in self.incomplete_projects else f.reference(on, ids, where, "milestone", f" in {other}")
        return Dependency(on, days, other)

    def home_of(self, mid: str, pid: str) -> str | None:
        """The first other project with a milestone ``mid`` (index built on first need)."""
        if self._by_milestone is None:
            self._by_milestone = {}
            for p, ids in self.milestone_ids.items():
                for m in ids:
                    self._by_milestone.setdefault(m, p)
        home = self._by_milestone.get(mid)
        return home if home != pid else None

    def dependency_cycles(self) -> None:
        for cycle in find_cycles(self.edges):
            start = cycle[0]
            where = self.places.get(start, f"projects[{self.project_ids[start[0]]}]")
            self.f.add(f"{where}.after", f"dependency cycle {format_cycle(cycle)}; remove one of these after entries")

    # -- notices ------------------------------------------------------------------------------

    def notices(self, items: list[Any]) -> tuple[Notice, ...]:
        f = self.f
        index: dict[str, int] = {}
        for i, item in enumerate(items):
            nid = _plain_id(item.get("id")) if isinstance(item, Mapping) else None
            if nid is not None:
                index.setdefault(nid, i)
        out = []
        for i, item in enumerate(items):
            where = f"notices[{i}]"
            m = f.mapping(item, where, "notice")
            if m is BAD:
                continue
            assert isinstance(m, Mapping)
            f.unknown_keys(m, NOTICE_FIELDS, where)
            nid = self.id_field(m, where, index, i, "notice")
            title = f.required(m, "title", where)
            if title is not BAD:
                title = f.text(title, where, "title")
            unit = f.required(m, "unit", where)
            if unit is not BAD:
                unit = f.ident(unit, where, "unit")
                if isinstance(unit, str):
                    unit = self.unit_ref(unit, where, "unit")
            issued = f.required(m, "issued", where)
            if issued is not BAD:
                issued = f.date(issued, where, "issued")
                f.not_after_today(issued, self.today, where, "issued", "a notice cannot be issued in the future")
            due = f.required(m, "due", where)
            if due is not BAD:
                due = f.date(due, where, "due")
            if isinstance(issued, dt.date) and isinstance(due, dt.date) and due < issued:
                f.add(f"{where}.due", f"due {due.isoformat()} is before issued {issued.isoformat()}; a response is due on or after the day the notice is issued")
            responded = f.date(m.get("responded"), where, "responded")
            f.not_after_today(responded, self.today, where, "responded", "a response cannot come from the future; leave responded out until it comes")
            if isinstance(issued, dt.date) and isinstance(responded, dt.date) and responded < issued:
                f.add(f"{where}.responded", f"responded {responded.isoformat()} is before issued {issued.isoformat()}")
            level = m.get("level")
            if level is not None:
                level = f.choice(level, LEVEL_WORDS, f"{where}.level", "level", ("green", "blue", "yellow", "red"))
            rule, subject = m.get("rule"), m.get("subject")
            if rule is not None:
                rule = f.text(rule, where, "rule")
            if subject is not None:
                subject = f.text(subject, where, "subject")
            values = (nid, title, unit, issued, due, rule, level, responded, subject)
            if not any(v is BAD for v in values):
                out.append(Notice(*values))  # type: ignore[arg-type]
        return tuple(out)


def _clean(value: str) -> bool:
    """A usable id as written: not blank, no surrounding spaces, no ``/``."""
    return bool(value) and "/" not in value and not value[0].isspace() and not value[-1].isspace()


def _plain_id(value: object) -> str | None:
    """The id as the checks will read it, or ``None`` when it is unusable (no messages)."""
    if type(value) is str and _clean(value):
        return value
    if isinstance(value, dt.date):
        value = value.isoformat()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        value = value.strip()
        if value and "/" not in value:
            return value
    return None
