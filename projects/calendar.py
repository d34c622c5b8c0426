"""The working-day calendar: PRC statutory holidays and makeup workdays, or Monday-Friday.

Owns ``WorkCalendar``, ``load_calendar_file``, ``calendar_for`` and ``CalendarFallbackWarning``.
Invariants:

- Working-day index: ``index(d)`` is the number of working days on or before ``d``, counted
  from a fixed origin, so it is the same for every calendar of the same kind and years.
  A working day ``w`` has ``date_at(index(w)) == w``; a rest day shares the index of the working
  day before it. Hence ``workdays(a, b) == index(b) - index(a)`` counts the working days ``d``
  with ``a < d <= b`` (negative when ``b < a``) and ``add_workdays(d, n) == date_at(index(d) +
  n)`` counts only days after ``d`` (Friday + 1 = Monday, or the Saturday when it is a makeup
  workday). The schedule works in this integer space.
- Speed: the working days of 1990..2099 (wider when a calendar file names other years) are one
  sorted list of date ordinals built at construction; every query is a ``bisect`` or a list
  lookup, plus one set lookup of the year. Days outside that span are Monday-Friday, counted in
  closed form, so no date ever raises.
- ``cn`` reads the holiday and makeup-workday tables of the ``chinese_calendar`` package once
  (years 2004..2026 in version 1.11). A year with no data falls back to Monday-Friday and emits
  one ``CalendarFallbackWarning`` per calendar the first time a query touches it; it never
  raises. A year given in a calendar file (``extra_years``) is the whole truth for that year:
  it replaces the package's data for that year and is covered (no warning).
- ``weekdays`` is Monday-Friday for every year, with ``extra_years`` applied on top.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from projects.errors import CalendarError, suggest
from projects.model import CalendarYear

if TYPE_CHECKING:
    from projects.model import Portfolio

KINDS = ("cn", "weekdays")
_SPAN = (1990, 2099)  # years held in the sorted list; outside, Monday-Friday in closed form
YEARS = (1900, 2200)  # the years a calendar file may give


class CalendarFallbackWarning(UserWarning):
    """A year the calendar has no holiday data for: Monday-Friday was used instead."""

    def __init__(self, year: int, kind: str = "cn") -> None:
        self.year = year
        self.kind = kind
        # The arguments are the year and the kind, not the text, so a copy made from them
        # (pickle; pytest-xdist sending a worker's warnings on) words the same message.
        super().__init__(year, kind)

    def __str__(self) -> str:
        year = self.year
        return (f"the {self.kind} calendar has no statutory holiday data for {year}; "
                f"Monday-Friday is used for {year}. Add the year with a calendar file "
                f"(- year: {year}, holidays: [...], workdays: [...]) to count its holidays")


def _mf(o: int) -> int:
    """Monday-Friday days with ordinal in ``1..o`` (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(o, 7)
    return weeks * 5 + min(rest, 5)


def _mf_inv(j: int) -> int:
    """The ordinal of the ``j``-th Monday-Friday day: the working day ``o`` with ``_mf(o) == j``."""
    weeks, rest = divmod(j - 1, 5)
    return weeks * 7 + rest + 1


def _package_years() -> dict[int, tuple[frozenset[dt.date], frozenset[dt.date]]]:
    """The ``chinese_calendar`` tables, read once: year -> (holidays, makeup workdays)."""
    from chinese_calendar import constants  # noqa: PLC0415 - only the cn calendar needs it

    years: dict[int, tuple[set[dt.date], set[dt.date]]] = {}
    for d in constants.holidays:
        years.setdefault(d.year, (set(), set()))[0].add(d)
    for d in constants.workdays:
        years.setdefault(d.year, (set(), set()))[1].add(d)
    # a year is covered from its first to its last listed year, even a year with no entry
    for y in range(min(years), max(years) + 1):
        years.setdefault(y, (set(), set()))
    return {y: (frozenset(h), frozenset(w)) for y, (h, w) in years.items()}


_PACKAGE: dict[int, tuple[frozenset[dt.date], frozenset[dt.date]]] | None = None


def _package() -> dict[int, tuple[frozenset[dt.date], frozenset[dt.date]]]:
    global _PACKAGE  # noqa: PLW0603 - read the package's tables once per process
    if _PACKAGE is None:
        _PACKAGE = _package_years()
    return _PACKAGE


class WorkCalendar:
    """Working days of one calendar kind (``cn`` or ``weekdays``) plus years a file adds."""

    __slots__ = ("_covered", "_dates", "_fallback", "_hi", "_lo", "_memo", "_n", "_ok", "_spans",
                 "_usable", "_w", "_wset", "kind")

    def __init__(self, kind: str = "cn", extra_years: Iterable[CalendarYear] = ()) -> None:
        if kind not in KINDS:
            hint = suggest(str(kind), KINDS)
            raise CalendarError(
                f'unknown calendar "{kind}"; ' + (f'did you mean "{hint}"?' if hint else
                                                  'expected "cn" or "weekdays"'))
        self.kind = kind
        exceptions: dict[int, tuple[frozenset[dt.date], frozenset[dt.date]]] = (
            dict(_package()) if kind == "cn" else {})
        for cy in extra_years:
            _check_year(cy)
            exceptions[cy.year] = (frozenset(cy.holidays), frozenset(cy.workdays))
        lo_year = min([_SPAN[0], *exceptions])
        hi_year = max([_SPAN[1], *exceptions])
        self._lo = dt.date(lo_year, 1, 1).toordinal()
        self._hi = dt.date(hi_year, 12, 31).toordinal() + 1
        work = {o for o in range(self._lo, self._hi) if (o - 1) % 7 < 5}
        for holidays, makeup in exceptions.values():
            work.difference_update(d.toordinal() for d in holidays)
            work.update(d.toordinal() for d in makeup)
        self._w: list[int] = sorted(work)
        self._wset = frozenset(work)
        self._n = len(self._w)
        self._dates = [dt.date.fromordinal(o) for o in self._w]
        self._memo: dict[dt.date, int] = {}  # index of dates already asked for (year checked)
        self._covered = frozenset(exceptions) if kind == "cn" else frozenset(range(1, 10000))
        self._ok: set[int] = set(self._covered)  # covered years + fallback years already warned
        self._fallback: set[int] = set()
        self._spans: set[tuple[int, int]] = set()  # year pairs whose years between are checked
        #: ``dates_at``'s column: by index (from 1), each held working day whose year needs no
        #: warning, else ``None``; made on first need, made again after a warning (``_warn``).
        self._usable: list[dt.date | None] | None = None

    @property
    def fallback_years(self) -> frozenset[int]:
        """Years used so far that had no data (Monday-Friday was used, one warning each)."""
        return frozenset(self._fallback)

    @property
    def covered_years(self) -> frozenset[int]:
        """Years with holiday data (the package's and the calendar file's); all for weekdays."""
        return self._covered

    def missing_years(self, first: dt.date, last: dt.date) -> tuple[int, ...]:
        """The years from ``first``'s to ``last``'s with no holiday data (Monday-Friday is used
        for them), without warning: what the office is told to add before deadlines reach them."""
        return tuple(y for y in range(first.year, last.year + 1) if y not in self._covered)

    def _warn(self, year: int) -> None:
        self._ok.add(year)
        self._usable = None  # that year's days need no warning from now on
        self._fallback.add(year)
        warnings.warn(CalendarFallbackWarning(year, self.kind), stacklevel=3)

    def is_workday(self, d: dt.date) -> bool:
        """Whether ``d`` is a working day."""
        if d.year not in self._ok:
            self._warn(d.year)
        o = d.toordinal()
        if self._lo <= o < self._hi:
            return o in self._wset
        return (o - 1) % 7 < 5

    def index(self, d: dt.date) -> int:
        """Working days on or before ``d`` from the calendar's origin (see the module header)."""
        try:
            return self._memo[d]
        except KeyError:
            pass
        if d.year not in self._ok:
            self._warn(d.year)
        o = d.toordinal()
        if o < self._lo:
            i = _mf(o) - _mf(self._lo - 1)
        elif o >= self._hi:
            i = self._n + _mf(o) - _mf(self._hi - 1)
        else:
            i = bisect_right(self._w, o)
        self._memo[d] = i
        return i

    def date_at(self, i: int) -> dt.date:
        """The working day whose index is ``i``."""
        if 0 < i <= self._n:
            d = self._dates[i - 1]
            if d.year not in self._ok:
                self._warn(d.year)
            return d
        if i > self._n:
            o = _mf_inv(i - self._n + _mf(self._hi - 1))
        else:
            o = _mf_inv(i + _mf(self._lo - 1))
        d = dt.date.fromordinal(o)
        if d.year not in self._ok:
            self._warn(d.year)
        return d

    def indices(self, days: Iterable[dt.date | None]) -> list[int | None]:
        """``index`` of each day (``None`` stays ``None``): one call for a whole column."""
        memo, index = self._memo, self.index
        return [None if d is None else memo[d] if d in memo else index(d) for d in days]

    def dates_at(self, indices: Iterable[int | None]) -> list[dt.date | None]:
        """``date_at`` of each index (``None`` stays ``None``): one call for a whole column."""
        usable = self._usable
        if usable is None:  # (a day of a year that still needs its warning goes to ``date_at``)
            ok = self._ok
            usable = self._usable = [None, *(d if d.year in ok else None for d in self._dates)]
        n, date_at = self._n, self.date_at
        return [None if i is None else d if 0 < i <= n and (d := usable[i]) is not None
                else date_at(i) for i in indices]

    def add_workdays(self, d: dt.date, n: int) -> dt.date:
        """``n`` working days after ``d`` (only days after ``d`` count); ``n`` may be 0 or < 0."""
        if n == 0:
            return d
        i = self._memo.get(d)
        if i is None:
            i = self.index(d)
        i += n
        if 0 < i <= self._n:
            r = self._dates[i - 1]
            if r.year in self._ok:
                return r
        return self.date_at(i)

    def workdays(self, a: dt.date, b: dt.date) -> int:
        """Working days ``d`` with ``a < d <= b``; negative when ``b < a``."""
        memo = self._memo
        ia, ib = memo.get(a), memo.get(b)
        if ia is not None and ib is not None:  # the hot path: both dates seen before
            gap = b.year - a.year
            if -1 <= gap <= 1 or (a.year, b.year) in self._spans:
                return ib - ia
        ya, yb = a.year, b.year
        if (yb - ya > 1 or ya - yb > 1) and (ya, yb) not in self._spans:
            for y in range(min(ya, yb) + 1, max(ya, yb)):  # the years between are used too
                if y not in self._ok:
                    self._warn(y)
            self._spans.add((ya, yb))
        return self.index(b) - self.index(a)

    def __repr__(self) -> str:
        return f"WorkCalendar({self.kind!r})"


def _check_year(cy: CalendarYear) -> None:
    if not YEARS[0] <= cy.year <= YEARS[1]:
        raise CalendarError(f"calendar year {cy.year} is outside {YEARS[0]}..{YEARS[1]}")
    both = cy.holidays & cy.workdays
    if both:
        day = min(both)
        raise CalendarError(f"calendar year {cy.year}: {day} is both a holiday and a workday; "
                            "list it once")
    for d in (*cy.holidays, *cy.workdays):
        if d.year != cy.year:
            raise CalendarError(f"calendar year {cy.year}: {d} is not in {cy.year}; "
                                f"put it under year {d.year}")


@lru_cache(maxsize=32)
def _cached(kind: str, years: tuple[CalendarYear, ...]) -> WorkCalendar:
    return WorkCalendar(kind, years)


def calendar_for(portfolio: Portfolio) -> WorkCalendar:
    """The portfolio's calendar (its kind and the years its calendar file adds), cached."""
    return _cached(portfolio.calendar, tuple(portfolio.calendar_years))


# -- calendar files -----------------------------------------------------------------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR_KEYS = ("year", "holidays", "workdays")


def load_calendar_file(path: str | Path) -> tuple[CalendarYear, ...]:
    """Years read from a YAML calendar file; raises ``CalendarError`` listing every problem.

    The file is a list of ``{year, holidays, workdays}`` (or a mapping ``{years: [...]}``);
    dates are ``YYYY-MM-DD``. Each problem is printed with its place:
    ``calendar.yaml: years[0].holidays[2]: "2027-13-01" is not a date (YYYY-MM-DD)``.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarError(f"{name}: cannot read the calendar file: {exc.strerror}") from exc
    try:
        data = _load_yaml(text)
    except Exception as exc:  # yaml.YAMLError, and anything the scanner raises on odd input
        raise CalendarError(f"{name}: not valid YAML: {exc}") from exc
    years, problems = parse_calendar(data)
    if problems:
        raise CalendarError("\n".join(f"{name}: {p}" for p in problems))
    return years


def _load_yaml(text: str) -> Any:
    import yaml  # noqa: PLC0415

    class _Loader(yaml.SafeLoader):  # type: ignore[misc]
        """Safe loading with dates left as text, so a bad date is ours to report."""

    _Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: safe


def parse_calendar(data: Any) -> tuple[tuple[CalendarYear, ...], list[str]]:
    """Years and problems (``where: what``) of calendar data already read from YAML or JSON."""
    problems: list[str] = []
    if isinstance(data, dict):
        unknown = [k for k in data if k != "years"]
        for k in unknown:
            problems.append(_unknown_key("", k, ("years",)))
        data = data.get("years")
    if data is None:
        return (), [*problems, "the file has no years; expected a list like "
                    "- year: 2027\n  holidays: [2027-01-01]\n  workdays: [2027-02-07]"]
    if not isinstance(data, list):
        return (), [*problems, f"years: expected a list of years, found {_what(data)}"]
    out: list[CalendarYear] = []
    seen: dict[int, int] = {}
    for i, entry in enumerate(data):
        where = f"years[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping with year, holidays, workdays; "
                            f"found {_what(entry)}")
            continue
        for k in entry:
            if k not in _YEAR_KEYS:
                problems.append(_unknown_key(where, k, _YEAR_KEYS))
        year = entry.get("year")
        if isinstance(year, str) and year.isdigit():
            year = int(year)
        if not isinstance(year, int) or isinstance(year, bool):
            problems.append(f"{where}.year: expected a year such as 2027, found {_what(year)}")
            continue
        if not YEARS[0] <= year <= YEARS[1]:
            problems.append(f"{where}.year: {year} is outside {YEARS[0]}..{YEARS[1]}; "
                            "give a year such as 2027")
            continue
        if year in seen:
            problems.append(f"{where}.year: {year} is given twice (also years[{seen[year]}]); "
                            "merge the two entries")
        seen[year] = i
        days: dict[str, set[dt.date]] = {}
        for field in ("holidays", "workdays"):
            days[field] = _dates(entry.get(field), f"{where}.{field}", year, problems)
        for d in sorted(days["holidays"] & days["workdays"]):
            problems.append(f"{where}: {d} is both a holiday and a workday; list it once")
        out.append(CalendarYear(year, frozenset(days["holidays"]), frozenset(days["workdays"])))
    return tuple(out), problems


def _dates(value: Any, where: str, year: int, problems: list[str]) -> set[dt.date]:
    if value is None:
        return set()
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list of dates (YYYY-MM-DD), found {_what(value)}")
        return set()
    out: set[dt.date] = set()
    for j, item in enumerate(value):
        here = f"{where}[{j}]"
        d = _date(item)
        if d is None:
            problems.append(f"{here}: {_what(item)} is not a date (YYYY-MM-DD)")
        elif d.year != year:
            problems.append(f"{here}: {d} is not in {year}; put it under year {d.year}")
        else:
            out.add(d)
    return out


def _date(item: Any) -> dt.date | None:
    if isinstance(item, dt.datetime):
        return None
    if isinstance(item, dt.date):
        return item
    if isinstance(item, str) and _DATE.fullmatch(item.strip()):
        try:
            return dt.date.fromisoformat(item.strip())
        except ValueError:
            return None
    return None


def _unknown_key(where: str, key: object, known: tuple[str, ...]) -> str:
    hint = suggest(str(key), known)
    place = f"{where}: " if where else ""
    return (f'{place}unknown key "{key}"; '
            + (f'did you mean "{hint}"?' if hint else "expected " + ", ".join(known)))


def _what(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "nothing"
    if isinstance(value, list | dict):
        return f"a {type(value).__name__}"
    return repr(value)
