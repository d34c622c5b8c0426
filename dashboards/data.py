"""What a page needs to draw: the portfolio, its schedule and the evaluation of the day.

Owns ``Board`` and ``current_board(server)``, the edge between the server and the pure
figures. The board is computed from the server's snapshot with the published rulebook (an
empty one when none is published: lights all green, rates still computed) and cached per
process and server, keyed by (database revision, rulebook version, day), so that viewing a dashboard
evaluates nothing after the first view while nothing changed. The schedule is computed once
per board and handed to the engine (``evaluate(schedule=)``): it is the schedule of the
portfolio replayed to the day, which is what the engine would have computed itself. The first
view after a change advances the newest cached board of the same rulebook and day
(``advance_board``, ``rules.incremental``): only the changed projects' dependency component is
evaluated again, and the board is the one ``build_board`` would give.

``month_end_rates`` replays the last months (evaluation as of each month's last day, or today
for the current month). The current month's point is the board's own evaluation (the server's
``portfolio_as_of(today)`` is the snapshot). A past month's point is cached by what a fresh
one is computed from, so it is recomputed only when one of these changed:

- the rulebook version and the day;
- the units and the projects' own fields and milestone order (``load_portfolio_as_of`` takes
  them as they are now: renaming a project or moving it to another unit changes the past);
- the milestone reports known on the day: the history is append-only, so the count and the
  highest id of the report rows with ``known_on <= day`` change exactly when one is added
  (a report today is known today, but a seed, an import or another process with its own
  ``DUBAN_TODAY`` can write one known on a past day);
- the notices as replayed to the day (the notifier's current state of those issued by then:
  a rejection reopens a notice answered long ago and moves its due day).

A cached past point therefore equals a freshly computed one; a report made today only costs
the current month's point (the board) plus two small queries.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from typing import Any

from dsl.runtime import CompiledRulebook
from projects.model import Notice, Portfolio, Project
from projects.replay import as_of as replay_as_of
from projects.replay import known_on
from rules.engine import evaluate
from rules.findings import Evaluation, EvaluationRates
from rules.incremental import Held, advance, start

EMPTY_RULEBOOK = CompiledRulebook(rules=(), scores=())


@dataclass(frozen=True, slots=True)
class Board:
    """One day's view of the portfolio, ready for the figures."""

    portfolio: Portfolio
    evaluation: Evaluation
    schedule: Any
    as_of: dt.date
    rulebook_version: int | None
    revision: int
    #: what ``advance_board`` starts from (``rules.incremental.Held``; consumed once)
    held: Held | None = field(default=None, compare=False, repr=False)


def build_board(portfolio: Portfolio, calendar: Any, rulebook: CompiledRulebook | None,
                as_of: dt.date, *, version: int | None = None, revision: int = 0) -> Board:
    """Schedule and evaluate ``portfolio`` as of ``as_of``, scheduling once (pure; also used by
    the benchmark). The schedule is of the portfolio replayed to ``as_of`` (the one the engine
    evaluates; for today's snapshot it is the portfolio itself)."""
    from projects.schedule import compute_schedule  # noqa: PLC0415

    known, _ = known_on(portfolio, as_of)  # dues moved by approved extensions, as evaluated
    if calendar is None:
        from projects.calendar import calendar_for  # noqa: PLC0415

        calendar = calendar_for(known)
    schedule = compute_schedule(known, calendar, as_of)
    held = start(rulebook or EMPTY_RULEBOOK, portfolio, as_of, calendar=calendar,
                 schedule=schedule)
    return Board(portfolio, held.evaluation, schedule, as_of, version, revision, held)


def advance_board(board: Board, portfolio: Portfolio, *, revision: int) -> Board:
    """The board of a changed ``portfolio`` (same day and rulebook) from ``board``: only what
    the change touches is evaluated again (``rules.incremental.advance``), and the result is
    the one ``build_board`` gives. ``board`` stays valid for its own revision but cannot be
    advanced again."""
    if board.held is None:
        raise ValueError("this board holds no evaluation to advance; build it with build_board")
    held = advance(board.held, portfolio, with_schedule=True)
    return Board(portfolio, held.evaluation, held.schedule, board.as_of, board.rulebook_version,
                 revision, held)


# Per server (one per app; tests run several apps in one process), keyed by revision etc.
_caches: weakref.WeakKeyDictionary[Any, OrderedDict[Any, Any]] = weakref.WeakKeyDictionary()
# Per server: (rulebook version, day) -> _PastPoint, for the months before today's.
_past: weakref.WeakKeyDictionary[Any, OrderedDict[Any, _PastPoint]] = weakref.WeakKeyDictionary()
CACHE_SIZE = 4
PAST_SIZE = 64


@dataclass(frozen=True, slots=True)
class _PastPoint:
    """A past month-end's rates and everything they were computed from (module header)."""

    structure: tuple[Any, ...]
    mark: tuple[int, int]
    notices: tuple[Notice, ...]
    rates: EvaluationRates


def _cache(server: Any, store: weakref.WeakKeyDictionary[Any, OrderedDict[Any, Any]] = _caches,
           ) -> OrderedDict[Any, Any]:
    found = store.get(server)
    if found is None:
        found = store[server] = OrderedDict()
    return found


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any, size: int = CACHE_SIZE) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)


def forget(server: Any) -> None:
    """Drop the server's cached boards, trends and past month-ends (benchmarks: a cold view)."""
    _caches.pop(server, None)
    _past.pop(server, None)


async def current_board(server: Any) -> Board:
    """Today's board for the server's current portfolio and published rulebook (cached)."""
    snap = await server.snapshot()
    published = await server.published_rulebook()
    version, rulebook = published if published is not None else (None, None)
    today = server.today()
    key = ("board", snap.revision, version, today)
    cache = _cache(server)
    board = cache.get(key)
    if board is None:
        previous = _advanceable(cache, version, today, snap.revision)
        if previous is not None:  # a change since: evaluate what it touched (same result)
            board = advance_board(previous, snap.portfolio, revision=snap.revision)
        else:
            board = build_board(snap.portfolio, snap.calendar, rulebook, today, version=version,
                                revision=snap.revision)
        _remember(cache, key, board)
    return board


def _advanceable(cache: OrderedDict[Any, Any], version: int | None, today: dt.date,
                 revision: int) -> Board | None:
    """The newest cached board of this rulebook and day, older than ``revision``, that can
    still be advanced."""
    best: Board | None = None
    for key, board in cache.items():
        if key[0] == "board" and key[2:] == (version, today) and key[1] < revision \
                and board.held is not None and not board.held.spent \
                and (best is None or board.revision > best.revision):
            best = board
    return best


def month_ends(today: dt.date, months: int) -> list[dt.date]:
    """The last day of each of the ``months`` months up to today's (today for this month)."""
    out = [today]
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(_last_day(first))
    return sorted(out)


def _last_day(first: dt.date) -> dt.date:
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


_PROJECT_FIELDS = tuple(f.name for f in fields(Project) if f.name != "milestones")


def structure(portfolio: Portfolio) -> tuple[Any, ...]:
    """What a past day's portfolio takes from the current one: the units, each project's own
    fields and its milestones' order (their states come from the report history)."""
    return (portfolio.units, portfolio.calendar, portfolio.calendar_years, tuple(
        (*(getattr(p, name) for name in _PROJECT_FIELDS), tuple(m.id for m in p.milestones))
        for p in portfolio.projects))


async def _current_notices(server: Any) -> tuple[Notice, ...]:
    """Every stored notice as the engine sees it (what ``server.portfolio_as_of`` attaches)."""
    return tuple(await server.notices())


def _holds(point: _PastPoint | None, mark: tuple[int, int], shape: Any,
           notices: tuple[Notice, ...]) -> bool:
    """Whether a cached past point was computed from exactly these inputs."""
    return point is not None and (point.mark, point.notices, point.structure) == (mark, notices, shape)


async def month_end_rates(server: Any, months: int = 6) -> dict[str, EvaluationRates]:
    """Month (``2026-05``) -> rates of the evaluation as of that month's end (cached; past
    months by what they are computed from, see the module header)."""
    from projects import repository as projects_repo  # noqa: PLC0415

    snap = await server.snapshot()
    published = await server.published_rulebook()
    version, rulebook = published if published is not None else (None, None)
    today = server.today()
    key = ("trend", snap.revision, version, today, months)
    cache = _cache(server)
    found: dict[str, EvaluationRates] | None = cache.get(key)
    if found is not None:
        return found
    days = month_ends(today, months)
    past = [d for d in days if d < today]
    marks = await projects_repo.report_marks(past)
    notices = await _current_notices(server) if past else ()
    shape = structure(snap.portfolio) if past else ()
    points = _cache(server, _past)
    stale = [day for day in past if not _holds(points.get((version, day)), marks[day], shape,
                                                  replay_as_of(Portfolio(notices=notices), day).notices)]
    rebuilt = await server.portfolios_as_of(stale) if stale else {}
    found, fresh = {}, []
    for day in days:
        if day >= today:
            rates = (await current_board(server)).evaluation.rates
        elif day in rebuilt:
            portfolio = rebuilt[day]
            evaluation = evaluate(rulebook or EMPTY_RULEBOOK, portfolio, day)
            point = _PastPoint(shape, marks[day], portfolio.notices, evaluation.rates)
            fresh.append(((version, day), point))
            rates = point.rates
        else:
            rates = points[(version, day)].rates
        found[day.strftime("%Y-%m")] = rates
    # A change that landed while we computed would make the structure read above stale:
    # keep the past points only if the revision did not move.
    if await projects_repo.revision() == snap.revision:
        for past_key, point in fresh:
            _remember(points, past_key, point, PAST_SIZE)
    _remember(cache, key, found)
    return found
