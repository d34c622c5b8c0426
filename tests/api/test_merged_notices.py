"""``api.reports.merged_notices``: a snapshot's notices with those a report group issued or
closed, a known one replaced in place and a new one appended, from an index it changes in
place (``Positions.take``) — always what a merge by code from scratch gives."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from api import reports
from api.reports import merged_notices
from notifier.lifecycle import NoticeState
from notifier.store import StoredNotice, to_model
from projects.model import Level, Notice

DAY = dt.date(2026, 5, 6)


def _stored(code: str, rng: random.Random) -> StoredNotice:
    state = rng.choice([NoticeState.ISSUED, NoticeState.RECTIFIED, NoticeState.ESCALATED])
    return StoredNotice(code, "r", f"milestone:P{rng.randrange(5)}/m{rng.randrange(3)}", "u1", Level.YELLOW, state,
                        "t", "m", DAY, DAY, closed=DAY if state is not NoticeState.ISSUED else None)


def _by_code(held: tuple[Notice, ...], stored: list[StoredNotice]) -> tuple[Notice, ...]:
    out = {n.id: n for n in held}
    for s in stored:
        out[s.code] = to_model(s)
    return tuple(out.values())


def test_merges_follow_one_another_and_equal_a_merge_from_scratch() -> None:
    rng = random.Random(4)
    held = tuple(to_model(_stored(f"N-{i}", rng)) for i in range(30))
    chain = [held]
    for step in range(300):
        known = [n.id for n in held]
        stored = [_stored(rng.choice(known), rng) for _ in range(rng.randrange(0, 4))]
        stored += [_stored(f"N-new-{step}-{k}", rng) for k in range(rng.randrange(0, 3))]
        if stored and rng.random() < 0.1:
            stored.append(_stored(stored[0].code, rng))  # one code twice in a group: the last wins
        base = held if rng.random() < 0.9 else rng.choice(chain)  # now and then an older snapshot
        made = merged_notices(base, stored)
        assert made == _by_code(base, stored)
        assert reports._NOTICE_AT.of(made) == {n.id: i for i, n in enumerate(made)}
        chain.append(made)
        held = made
    # every snapshot made on the way still reads as it was made (none changed in place)
    assert all(len({n.id for n in t}) == len(t) for t in chain)


def test_a_merge_that_fails_leaves_no_half_changed_index() -> None:
    rng = random.Random(9)
    held = tuple(to_model(_stored(f"N-{i}", rng)) for i in range(10))
    merged_notices(held, [])
    with pytest.raises(AttributeError):  # the second is no notice: refused after the first was indexed
        merged_notices(held, [_stored("N-new-0", rng), object()])  # type: ignore[list-item]
    assert reports._NOTICE_AT.of(held) == {n.id: i for i, n in enumerate(held)}
