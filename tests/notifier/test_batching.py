"""The worker's bookkeeping is batched: one claim begins the tries of a whole batch, outcomes
are written in groups, and ``drain`` claims the next rows while the last ones are sent —
with every delivery still made once and every try on record (issue 16, item 7)."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
from typing import Any

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from notifier import outbox, store
from notifier.channels import AppriseChannel, CapturingChannel
from notifier.worker import DeliveryWorker

from .conftest import Hook, portfolio, tender

DAY = dt.date(2026, 5, 6)


def _findings(n: int) -> list[Any]:
    return [dataclasses.replace(tender(), subject=f"milestone:P001/m{i:03d}") for i in range(n)]


class _Calls:
    """Counts the calls of a real outbox function (it still runs)."""

    def __init__(self, fn: Any) -> None:
        self.fn, self.calls, self.sizes = fn, 0, []

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        result = await self.fn(*args, **kwargs)
        self.sizes.append(len(args[1]) if len(args) > 1 else len(result))
        return result


async def test_outcomes_are_written_in_groups_not_one_transaction_each(
        engine: SQLiteEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """60 notices, batches of 20: three claims begin every try and a handful of writes record
    the 60 outcomes (two transactions a notice before); each delivery is made once and its
    one try is complete."""
    await store.record_evaluation(engine, _findings(60), DAY, portfolio=portfolio(
        {"transport": ("json://127.0.0.1:9/x",)}))
    claims, finishes = _Calls(outbox.claim), _Calls(outbox.finish_attempts)
    monkeypatch.setattr(outbox, "claim", claims)
    monkeypatch.setattr(outbox, "finish_attempts", finishes)
    channel = CapturingChannel()
    worker = DeliveryWorker(engine, channel, batch_size=20, concurrency=4, lease_seconds=120,
                            timeout=5)
    assert await worker.drain() == 60

    assert len(channel.sent) == 60 and len({m.body for m in channel.sent}) == 60
    assert claims.calls <= 4  # three batches, and the claim that finds nothing
    assert finishes.calls <= 6 and sum(finishes.sizes) == 60
    views = await outbox.deliveries(engine)
    assert [v.state for v in views] == ["delivered"] * 60
    assert all(v.attempts == 1 and len(v.tries) == 1 and v.tries[0].ok is True
               and v.tries[0].finished_at is not None and v.delivered_at is not None for v in views)
    assert await worker.drain() == 0


async def test_drain_claims_the_next_rows_while_the_last_are_being_sent(
        engine: SQLiteEngine, hook: Hook) -> None:
    """With a slow receiver, a later claim begins its tries before the tries of the first
    claim have all finished: the sends never wait for the database between batches."""
    hook.delay = 0.05
    await store.record_evaluation(engine, _findings(24), DAY, portfolio=portfolio(
        {"transport": (hook.url(),)}))
    worker = DeliveryWorker(engine, AppriseChannel(), batch_size=8, concurrency=4,
                            lease_seconds=60, timeout=5)
    assert await worker.drain() == 24

    counts = collections.Counter(hook.codes())
    assert len(counts) == 24 and set(counts.values()) == {1}
    tries = [t for v in await outbox.deliveries(engine) for t in v.tries]
    assert len(tries) == 24 and all(t.ok is True for t in tries)
    claimed_at = sorted({t.started_at for t in tries})
    assert len(claimed_at) >= 3  # several claims
    first = [t for t in tries if t.started_at == claimed_at[0]]
    assert any(t.started_at < max(f.finished_at for f in first if f.finished_at)
               for t in tries if t.started_at > claimed_at[0])


async def test_a_failed_try_is_recorded_with_its_retry_beside_the_sent_ones(
        engine: SQLiteEngine, hook: Hook) -> None:
    """One live and one refusing target per notice in the same groups: the live copies are
    delivered, the refused ones wait for their retry with the error recorded on their try."""
    await store.record_evaluation(engine, _findings(6), DAY, portfolio=portfolio(
        {"transport": (hook.url(), "json://127.0.0.1:9/dead")}))
    channel = CapturingChannel(failing={"json://127.0.0.1:9/dead"})
    worker = DeliveryWorker(engine, channel, batch_size=50, concurrency=4, lease_seconds=300,
                            timeout=5)
    assert await worker.run_once() == 12
    views = await outbox.deliveries(engine)
    live = [v for v in views if v.target != "json://127.0.0.1:9/***"]
    dead = [v for v in views if v.target == "json://127.0.0.1:9/***"]
    assert len(live) == len(dead) == 6
    assert {v.state for v in live} == {"delivered"}
    assert all(v.state == "pending" and v.attempts == 1 and v.next_at is not None
               and v.tries[0].ok is False and "capturing channel" in (v.tries[0].error or "")
               and v.last_error == v.tries[0].error for v in dead)
    assert await worker.run_once() == 0  # not due yet: nothing claimed twice
