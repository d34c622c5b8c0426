"""When a report group starts (``api.reports.Pacing``): at once for a lone report or after a
pause, after waiting for the last group's reporters under a steady load; and, on both
backends, a group that waited still answers every report, in one transaction, whether all the
reports it waited for came or only some did."""

from __future__ import annotations

import asyncio
import math

import pytest

from api.reports import GATHER_MAX, REPORT_GROUP, Pacing
from api.service import Server
from projects import repository as repo
from tests.api.conftest import Api

# ------------------------------------------------------------------ the plan (pure)


def test_a_fresh_writer_and_a_lone_report_start_at_once() -> None:
    assert Pacing().plan(1, 100.0) == (1, 100.0)
    after_one = Pacing()
    after_one.finished(1, 0, 99.97, 100.0)
    assert after_one.plan(1, 100.001) == (1, 100.001)


def test_after_a_steady_group_the_next_waits_for_as_many_for_half_its_time() -> None:
    pacing = Pacing()
    pacing.finished(20, 0, 10.0, 10.040)
    target, deadline = pacing.plan(1, 10.041)
    assert target == 20
    assert math.isclose(deadline, 10.041 + 0.020)  # half of 40 ms (= GATHER_MAX)
    quick = Pacing()
    quick.finished(20, 0, 10.0, 10.010)
    assert math.isclose(quick.plan(3, 10.011)[1], 10.011 + 0.005)  # half of 10 ms
    slow = Pacing()
    slow.finished(20, 0, 10.0, 11.0)
    assert math.isclose(slow.plan(3, 11.001)[1], 11.001 + GATHER_MAX)  # never longer than GATHER_MAX


def test_two_halves_taking_turns_are_waited_for_together() -> None:
    """A group of 10 that ended with 10 more queued: the next waits for 20 (the load that
    alternated 10, 10 merges), and never for more than a group holds."""
    pacing = Pacing()
    pacing.finished(10, 10, 5.0, 5.03)
    assert pacing.plan(10, 5.031)[0] == 20
    pacing.finished(REPORT_GROUP, REPORT_GROUP, 5.0, 5.03)
    assert pacing.plan(10, 5.031)[0] == REPORT_GROUP


def test_enough_queued_or_a_pause_longer_than_a_group_starts_at_once() -> None:
    pacing = Pacing()
    pacing.finished(20, 0, 10.0, 10.040)
    assert pacing.plan(20, 10.041) == (20, 10.041)
    assert pacing.plan(25, 10.041) == (25, 10.041)
    assert pacing.plan(1, 10.081) == (1, 10.081)  # idle 41 ms > the group's 40 ms


# ------------------------------------------------------------------ the writer (both backends)


async def _versions(server: Server, keys: list[tuple[str, str]]) -> list[int]:
    snap = await server.snapshot()
    return [snap.versions[k] for k in keys]


KEYS = [("P001", "tender"), ("P001", "build"), ("P002", "approval")]


@pytest.mark.parametrize("arriving", [3, 2])
async def test_a_group_that_waits_answers_every_report_in_one_transaction(api: Api, arriving: int) -> None:
    """The last group (3 reports) ended just now: the next waits for 3. The reports come one
    loop turn apart; all 3 (or only 2, then the wait runs out) go into one group: one
    revision, every report answered with its new version."""
    server = api.server
    keys = KEYS[:arriving]
    versions = await _versions(server, keys)
    before = await repo.revision()
    loop = asyncio.get_running_loop()
    server._pacing.finished(3, 0, loop.time() - 10.0, loop.time())  # a long group, just ended
    calls = []
    for (pid, mid), version in zip(keys, versions, strict=True):
        calls.append(asyncio.ensure_future(server.report_milestone("office", pid, mid, {"note": "已核实"}, version)))
        await asyncio.sleep(0)
    answers = await asyncio.gather(*calls)
    assert [v for _, v, _ in answers] == [v + 1 for v in versions]
    assert [m.note for m, _, _ in answers] == ["已核实"] * arriving
    assert await repo.revision() == before + 1
    assert await _versions(server, keys) == [v + 1 for v in versions]
    assert server._gathering is None and not server._reports


async def test_a_report_after_a_pause_is_its_own_group(api: Api) -> None:
    """After a group of 3 that ended long ago, one report is answered alone, not held back."""
    server = api.server
    (version,) = await _versions(server, KEYS[:1])
    before = await repo.revision()
    loop = asyncio.get_running_loop()
    server._pacing.finished(3, 0, loop.time() - 20.0, loop.time() - 10.0)
    _, new_version, _ = await server.report_milestone("office", *KEYS[0], {"note": "单独"}, version)
    assert new_version == version + 1
    assert await repo.revision() == before + 1
