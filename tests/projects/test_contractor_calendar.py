"""The contractor calendar's bisect index answers exactly as walking the calendar day by day
does: random work weeks, exceptions, moments and amounts of working time."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from projects.contractor import Calendar, ScheduleFileError

MINUTE = dt.timedelta(minutes=1)


def _periods(cal: Calendar, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    base = dt.datetime.combine(day, dt.time())
    return [(base + s * MINUTE, base + e * MINUTE) for s, e in cal.ranges(day)]


def walk_add(cal: Calendar, t: dt.datetime, minutes: float) -> dt.datetime:
    """The reference: step through the days from ``t``, period by period."""
    left, day = dt.timedelta(minutes=minutes), t.date()
    for _ in range(4000):
        for lo, e in _periods(cal, day):
            if e <= t:
                continue
            s = max(lo, t)
            if left < e - s or (left == e - s and left > dt.timedelta(0)):
                return s + left
            left -= e - s
        day += dt.timedelta(days=1)
    raise AssertionError("no working time")


def walk_sub(cal: Calendar, t: dt.datetime, minutes: float) -> dt.datetime:
    left, day = dt.timedelta(minutes=minutes), t.date()
    for _ in range(4000):
        for s, hi in reversed(_periods(cal, day)):
            if s >= t:
                continue
            e = min(hi, t)
            if left < e - s or (left == e - s and left > dt.timedelta(0)):
                return e - left
            left -= e - s
        day -= dt.timedelta(days=1)
    raise AssertionError("no working time")


def walk_minutes(cal: Calendar, a: dt.datetime, b: dt.datetime) -> float:
    total, day = dt.timedelta(0), a.date()
    while day <= b.date():
        for s, e in _periods(cal, day):
            lo, hi = max(s, a), min(e, b)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total / MINUTE


def _calendar(rng: random.Random) -> Calendar:
    def day_ranges() -> tuple[tuple[int, int], ...]:
        if rng.random() < 0.3:
            return ()
        if rng.random() < 0.2:
            return ((0, 24 * 60),)  # touches the next day's 00:00
        a = rng.randrange(0, 12) * 60
        b = a + rng.randrange(1, 5) * 60 + rng.choice([0, 30])
        c = b + rng.randrange(0, 3) * 60
        return ((a, b), (c, min(c + 240, 24 * 60))) if c < 24 * 60 - 60 else ((a, b),)
    weekly = tuple(day_ranges() for _ in range(7))
    if not any(weekly):
        weekly = ((8 * 60, 17 * 60),) * 5 + ((), ())
    start = dt.date(2024, 1, 1)
    exceptions = {start + dt.timedelta(days=rng.randrange(0, 900)): day_ranges()
                  for _ in range(rng.randrange(0, 60))}
    return Calendar("r", "random", weekly, exceptions, 8.0)


@pytest.mark.parametrize("seed", range(12))
def test_index_equals_walking(seed: int) -> None:
    rng = random.Random(seed)
    cal = _calendar(rng)
    for _ in range(150):
        t = dt.datetime(2024, 1, 1) + dt.timedelta(minutes=rng.randrange(0, 900 * 24 * 4) * 15)
        m = rng.choice([0, 0, 30, 60, 480, 2400, 7.5, rng.randrange(0, 100_000)])
        assert cal.add(t, m) == walk_add(cal, t, m), (seed, t, m)
        assert cal.sub(t, m) == walk_sub(cal, t, m), (seed, t, m)
        u = t + dt.timedelta(minutes=rng.randrange(0, 400 * 24 * 60))
        assert cal.work_minutes(t, u) == walk_minutes(cal, t, u), (seed, t, u)
        assert cal.work_minutes(u, t) == -walk_minutes(cal, t, u)


def test_far_moves_grow_the_index_both_ways() -> None:
    """Six years forward and back from a fresh calendar, then a count across the whole span."""
    cal = Calendar("s", "standard", (((8 * 60, 17 * 60),),) * 5 + ((), ()), {}, 9.0)
    t = dt.datetime(2025, 3, 5, 10, 0)
    far = cal.add(t, 9 * 60 * 260 * 6)
    back = cal.sub(t, 9 * 60 * 260 * 6)
    assert far == walk_add(cal, t, 9 * 60 * 260 * 6)
    assert back == walk_sub(cal, t, 9 * 60 * 260 * 6)
    assert cal.work_minutes(back, far) == 2 * 9 * 60 * 260 * 6


def test_a_calendar_without_working_time_is_refused() -> None:
    cal = Calendar("none", "never", ((),) * 7, {}, 8.0)
    with pytest.raises(ScheduleFileError) as err:
        cal.add(dt.datetime(2025, 1, 1), 60)
    assert "calendar none" in str(err.value) and "没有工作时间" in str(err.value)
    with pytest.raises(ScheduleFileError):
        cal.sub(dt.datetime(2025, 1, 1), 0)


def test_a_calendar_of_exceptions_only_starts_at_its_first_period() -> None:
    """Backing up exactly to the first working moment there is must not call it empty."""
    day = dt.date(2025, 6, 2)
    cal = Calendar("x", "one day", ((),) * 7, {day: ((8 * 60, 16 * 60),)}, 8.0)
    end = dt.datetime(2025, 6, 2, 16, 0)
    assert cal.sub(end, 8 * 60) == dt.datetime(2025, 6, 2, 8, 0)
    assert cal.add(dt.datetime(2025, 1, 1), 0) == dt.datetime(2025, 6, 2, 8, 0)


def test_working_time_years_away_is_found() -> None:
    """A calendar whose only working days lie three years either side of the question."""
    before, after = dt.date(2022, 3, 1), dt.date(2028, 3, 1)
    cal = Calendar("y", "rare", ((),) * 7, {before: ((8 * 60, 9 * 60),), after: ((8 * 60, 9 * 60),)})
    t = dt.datetime(2025, 3, 1, 12, 0)
    assert cal.sub(t, 0) == dt.datetime(2022, 3, 1, 9, 0)
    assert cal.add(t, 30) == dt.datetime(2028, 3, 1, 8, 30)
    assert cal.work_minutes(dt.datetime(2022, 1, 1), dt.datetime(2029, 1, 1)) == 120
