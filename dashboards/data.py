"""What a page needs to draw: the portfolio, its schedule and the evaluation of the day.

Owns ``Board`` and ``current_board(server)``, the edge between the server and the pure
figures. The board is computed from the server's snapshot with the published rulebook (an
empty one when none is published: lights all green, rates still computed) and cached per
process and server, keyed by (database revision, rulebook version, day), so that viewing a dashboard
evaluates nothing after the first view while nothing changed. ``month_end_rates`` replays
the last months (evaluation as of each month's last day, or today for the current month).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from dsl.runtime import CompiledRulebook
from projects.model import Portfolio
from rules.engine import evaluate
from rules.findings import Evaluation, EvaluationRates

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


def _schedule(portfolio: Portfolio, calendar: Any, today: dt.date) -> Any:
    from projects.schedule import compute_schedule  # noqa: PLC0415

    if calendar is None:
        from projects.calendar import calendar_for  # noqa: PLC0415

        calendar = calendar_for(portfolio)
    return compute_schedule(portfolio, calendar, today)


def build_board(portfolio: Portfolio, calendar: Any, rulebook: CompiledRulebook | None,
                as_of: dt.date, *, version: int | None = None, revision: int = 0) -> Board:
    """Evaluate and schedule ``portfolio`` as of ``as_of`` (pure; also used by the benchmark)."""
    evaluation = evaluate(rulebook or EMPTY_RULEBOOK, portfolio, as_of, calendar=calendar)
    return Board(portfolio, evaluation, _schedule(portfolio, calendar, as_of), as_of, version,
                 revision)


# Per server (one per app; tests run several apps in one process), keyed by revision etc.
_caches: weakref.WeakKeyDictionary[Any, OrderedDict[Any, Any]] = weakref.WeakKeyDictionary()
CACHE_SIZE = 4


def _cache(server: Any) -> OrderedDict[Any, Any]:
    found = _caches.get(server)
    if found is None:
        found = _caches[server] = OrderedDict()
    return found


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)


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
        board = build_board(snap.portfolio, snap.calendar, rulebook, today, version=version,
                            revision=snap.revision)
        _remember(cache, key, board)
    return board


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


async def month_end_rates(server: Any, months: int = 6) -> dict[str, EvaluationRates]:
    """Month (``2026-05``) -> rates of the evaluation as of that month's end (cached)."""
    snap = await server.snapshot()
    published = await server.published_rulebook()
    version, rulebook = published if published is not None else (None, None)
    today = server.today()
    key = ("trend", snap.revision, version, today, months)
    cache = _cache(server)
    found: dict[str, EvaluationRates] | None = cache.get(key)
    if found is None:
        found = {}
        for day in month_ends(today, months):
            portfolio = await server.portfolio_as_of(day)
            evaluation = evaluate(rulebook or EMPTY_RULEBOOK, portfolio, day)
            found[day.strftime("%Y-%m")] = evaluation.rates
        _remember(cache, key, found)
    return found
