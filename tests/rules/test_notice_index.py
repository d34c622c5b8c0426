"""The scoped evaluation's index of a portfolio's notices by project (``rules.engine``): made by
a scan, derived by comparing a tuple with the one before, or carried over by the caller that
replaced and appended notices (``notices_followed``) — every way gives the scan's index."""

from __future__ import annotations

import datetime as dt
import random

from projects.model import Notice
from projects.subjects import subject_project
from rules import engine
from rules.engine import notices_followed

DAY = dt.date(2026, 5, 6)


def _subject(rng: random.Random) -> str | None:
    p = f"P{rng.randrange(6)}"
    return rng.choice([f"milestone:{p}/m{rng.randrange(4)}", f"project:{p}", f"unit:u{rng.randrange(3)}", None])


def _notice(rng: random.Random, code: str) -> Notice:
    return Notice(code, "督办", "u1", DAY, DAY, subject=_subject(rng))


def _scanned(notices: tuple[Notice, ...]) -> dict[str | None, list[int]]:
    index: dict[str | None, list[int]] = {}
    for i, n in enumerate(notices):
        index.setdefault(subject_project(n.subject), []).append(i)
    return index


def test_an_index_carried_over_is_the_scan_of_the_new_notices() -> None:
    rng = random.Random(11)
    for _ in range(200):
        old = tuple(_notice(rng, f"N{i}") for i in range(rng.randrange(0, 40)))
        held = engine._notices_by_project(old)
        assert held == _scanned(old)
        out, replaced = list(old), []
        for _ in range(rng.randrange(0, 8)):
            if out and rng.random() < 0.6:  # replaced in place, perhaps about another project
                i = rng.randrange(len(out))
                out[i] = _notice(rng, out[i].id)
                replaced.append(i)
            else:
                out.append(_notice(rng, f"N{len(out)}"))
                if rng.random() < 0.3:  # an appended one replaced again in the same group
                    out[-1] = _notice(rng, out[-1].id)
                    replaced.append(len(out) - 1)
        new = tuple(out)
        notices_followed(old, new, replaced + replaced[:1])  # (a position named twice)
        assert engine._NOTICE_INDEX[0][0] is new  # carried over: the next scope scans nothing
        assert engine._notices_by_project(new) == _scanned(new)
        assert held == _scanned(old)  # the old index is left as it was (evaluations share it)


def test_a_tuple_that_does_not_follow_the_held_one_is_left_to_the_scan() -> None:
    rng = random.Random(5)
    a = tuple(_notice(rng, f"A{i}") for i in range(20))
    b = tuple(_notice(rng, f"B{i}") for i in range(20))
    engine._notices_by_project(a)
    notices_followed(b, (*b, _notice(rng, "B20")), [])  # b is not the held tuple
    assert engine._NOTICE_INDEX[0][0] is a
    shorter = a[:5]
    notices_followed(a, shorter, [])  # not a follower: the next scope compares or scans
    assert engine._NOTICE_INDEX[0][0] is a
    assert engine._notices_by_project(shorter) == _scanned(shorter)
