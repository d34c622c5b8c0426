"""The model's small invariants."""

import datetime as dt
from functools import cached_property

from projects.model import (
    _LOOKUPS,
    KIND_WORDS,
    Category,
    Kind,
    Level,
    Milestone,
    Notice,
    Portfolio,
    Project,
    Unit,
)


def test_every_kind_has_an_english_and_a_chinese_word() -> None:
    """Both words of the spec's kind table resolve to the same kind."""
    assert KIND_WORDS["招标"] is Kind.TENDERING
    assert KIND_WORDS["tendering"] is Kind.TENDERING
    assert len(KIND_WORDS) == 2 * len(Kind)


def test_levels_order_green_yellow_red() -> None:
    """The highest level wins, so levels must order."""
    assert Level.GREEN.rank < Level.YELLOW.rank < Level.RED.rank


def _portfolio() -> Portfolio:
    return Portfolio(
        units=(Unit("u1", "市水务局"),),
        projects=(Project("P1", "水厂", Category.PROJECT, "u1", 1.0, (Milestone("P1", "a", "立项", Kind.APPROVAL),)),),
        notices=(Notice("N1", "逾期", "u1", dt.date(2026, 5, 1), dt.date(2026, 5, 8), subject="milestone:P1/a"),),
    )


def test_replaced_keeps_the_look_ups_of_the_fields_it_does_not_change() -> None:
    """``replaced(notices=...)`` keeps ``project_by_id`` (the same dict) and makes
    ``notice_by_id`` again from the new notices; every look-up equals a fresh one's."""
    p = _portfolio()
    made = {name: getattr(p, name) for name in _LOOKUPS}
    fresh = (Notice("N2", "再次逾期", "u1", dt.date(2026, 5, 2), dt.date(2026, 5, 9), subject="milestone:P1/a"),)
    q = p.replaced(notices=fresh)
    assert q.project_by_id is made["project_by_id"] and q.unit_by_id is made["unit_by_id"]
    assert q.notice_by_id == {"N2": fresh[0]}
    r = q.replaced(projects=())
    assert r.project_by_id == {} and r.notice_by_id is q.notice_by_id
    for x in (q, r):
        assert {name: getattr(x, name) for name in _LOOKUPS} == {
            name: getattr(Portfolio(**{f: getattr(x, f) for f in Portfolio.__dataclass_fields__}), name)
            for name in _LOOKUPS}


def test_every_cached_look_up_is_known_to_replaced() -> None:
    """A new cached look-up on ``Portfolio`` must say which field it is made from."""
    cached = {n for n, v in vars(Portfolio).items() if isinstance(v, cached_property)}
    assert cached == set(_LOOKUPS)
    assert set(_LOOKUPS.values()) <= set(Portfolio.__dataclass_fields__)
