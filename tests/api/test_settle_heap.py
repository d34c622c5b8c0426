"""The serving process settles its heap after loading a large portfolio (``api.service.settle_heap``:
the loaded objects frozen out of the cyclic collector's reach, the young generation collected
less often), and only then: a small portfolio's load leaves the collector as it was, since the
full collection before the freeze walks the whole process, whatever the portfolio's size."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from api.service import SETTLE_MILESTONES, YOUNG_THRESHOLD, Server, settle_heap, settles

from .conftest import Api


class _Cycle:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def collector() -> Iterator[None]:
    """The collector's state put back after the test (the rest of the run shares the process)."""
    threshold = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settling_collects_first_then_freezes_and_a_second_settle_frees_what_the_first_kept(
        collector: None) -> None:
    garbage = _Cycle()
    gone = weakref.ref(garbage)
    del garbage
    kept = _Cycle()
    held = weakref.ref(kept)

    settle_heap()

    assert gone() is None  # collected before the freeze: no garbage frozen
    assert gc.get_freeze_count() > 0 and held() is kept
    assert gc.get_threshold()[0] >= YOUNG_THRESHOLD
    del kept  # what the previous load froze becomes garbage ...
    gc.collect()
    assert held() is not None  # ... out of the collector's reach while frozen
    settle_heap()  # the next load unfreezes it and collects it first
    assert held() is None


def test_only_a_portfolio_of_many_milestones_settles() -> None:
    assert not settles(SETTLE_MILESTONES - 1)
    assert settles(SETTLE_MILESTONES) and settles(40_000)


async def test_a_small_portfolio_loads_without_touching_the_collector(api: Api, collector: None) -> None:
    threshold = gc.get_threshold()
    other = Server(api.server.settings, api.server.engine)  # a process that has loaded nothing yet
    snapshot = await other.snapshot()

    assert 0 < len(snapshot.versions) < SETTLE_MILESTONES
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
