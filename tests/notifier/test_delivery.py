"""Delivery through Apprise to real local receivers: SMTP, JSON webhooks, dead targets."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import email
import email.header
import logging
import socket
import time

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from notifier import outbox, store
from notifier.backoff import RetryPolicy
from notifier.channels import AppriseChannel
from notifier.errors import DeliveryConfigError
from notifier.worker import DeliveryWorker

from .conftest import Hook, Mailbox, free_port, portfolio, tender

DAY = dt.date(2026, 5, 6)
FAST = RetryPolicy(max_attempts=4, base=0.05, cap=0.2)


async def drain(worker: DeliveryWorker, engine: SQLiteEngine, *, within: float = 20) -> None:
    """Run the worker until nothing is pending (retries included)."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        await worker.run_once()
        if not await outbox.deliveries(engine, states=(outbox.PENDING,)):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("deliveries still pending")


def _subject(raw: str) -> str:
    msg = email.message_from_string(raw)
    return str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def _text(raw: str) -> str:
    msg = email.message_from_string(raw)
    part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]


@pytest.mark.slow
async def test_email_reaches_a_local_smtp_server(engine: SQLiteEngine, smtp: Mailbox) -> None:
    """A notice to a unit with a mailto contact arrives by SMTP: subject, body, recipient."""
    pf = portfolio({"transport": (smtp.url("jt@gov.example"),)})
    await store.record_evaluation(engine, [tender()], DAY, portfolio=pf)
    await drain(DeliveryWorker(engine, AppriseChannel(), lease_seconds=60, timeout=5), engine)
    ((sender, rcpts, raw),) = smtp.messages
    assert sender == "duban@gov.example" and rcpts == ["jt@gov.example"]
    assert _subject(raw) == "【督办通知·黄色】海东大道改造工程：招标节点逾期"
    body = _text(raw)
    assert "通知编号：N-2026-0001" in body and "回复期限：2026-05-11" in body
    assert "逾期工作日 3" in body and "m.overdue" not in body


async def test_webhook_receives_json(engine: SQLiteEngine, hook: Hook) -> None:
    """A json:// contact receives the title and body as a JSON POST."""
    pf = portfolio({"transport": (hook.url(),)})
    await store.record_evaluation(engine, [tender()], DAY, portfolio=pf, lang="en")
    await drain(DeliveryWorker(engine, AppriseChannel(), lease_seconds=60, timeout=5), engine)
    (msg,) = hook.received
    assert msg["title"] == "[Supervision notice, yellow] 海东大道改造工程：招标节点逾期"
    assert hook.codes() == ["N-2026-0001"]


async def test_receiver_down_then_back_every_notice_arrives_attempts_recorded(
    engine: SQLiteEngine, hook: Hook
) -> None:
    """The receiver refuses the first three posts: all notices arrive, every try is recorded."""
    hook.down = 3
    pf = portfolio({"transport": (hook.url("t"),), "water": (hook.url("w"),)})
    water = tender(notify=("water",))
    water = type(water)(**{**{f: getattr(water, f) for f in water.__slots__},
                           "subject": "milestone:P002/design", "project": "P002"})
    await store.record_evaluation(engine, [tender(), water], DAY, portfolio=pf)
    worker = DeliveryWorker(engine, AppriseChannel(), lease_seconds=60, timeout=5, policy=FAST)
    await drain(worker, engine)
    assert sorted(hook.codes()) == ["N-2026-0001", "N-2026-0002"]
    views = await outbox.deliveries(engine)
    assert all(v.state == "delivered" for v in views)
    tries = [t for v in views for t in v.tries]
    assert len(tries) == hook.refused + len(hook.received) == 5
    assert sum(t.ok is False for t in tries) == 3 and sum(t.ok is True for t in tries) == 2
    assert all(t.finished_at is not None for t in tries)


async def test_dead_target_fails_for_good_and_is_shown(engine: SQLiteEngine) -> None:
    """Nobody listening: after max_attempts tries the delivery is failed and listed, redacted."""
    port = free_port()
    url = f"json://user:s3cretPW@127.0.0.1:{port}/hook/T0KEN123456"
    pf = portfolio({"transport": (url,)})
    await store.record_evaluation(engine, [tender()], DAY, portfolio=pf)
    worker = DeliveryWorker(engine, AppriseChannel(), lease_seconds=60, timeout=5,
                            policy=RetryPolicy(max_attempts=3, base=0.02, cap=0.05))
    await drain(worker, engine)
    (failed,) = await outbox.failed_deliveries(engine)
    assert failed.state == "failed" and failed.attempts == 3 and len(failed.tries) == 3
    assert failed.target == f"json://***@127.0.0.1:{port}/***"
    assert failed.last_error and "s3cretPW" not in failed.last_error
    assert "T0KEN123456" not in repr(failed)
    assert await outbox.retry_failed(engine, failed.id, now=time.time())
    assert [d.state for d in await outbox.deliveries(engine)] == ["pending"]


async def test_unparsable_contact_is_given_up_at_once(engine: SQLiteEngine) -> None:
    """A contact Apprise cannot read is failed after one try, with a hint how to write it."""
    pf = portfolio({"transport": ("nosuchscheme://abc",)})
    await store.record_evaluation(engine, [tender()], DAY, portfolio=pf)
    await drain(DeliveryWorker(engine, AppriseChannel(), lease_seconds=60, timeout=5), engine)
    (failed,) = await outbox.failed_deliveries(engine)
    assert failed.attempts == 1 and "not a URL Apprise can deliver to" in (failed.last_error or "")


async def test_dead_target_does_not_hold_up_the_others(engine: SQLiteEngine, hook: Hook) -> None:
    """A target that accepts connections and never answers delays only itself."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        port = silent.getsockname()[1]
        pf = portfolio({"transport": (f"json://127.0.0.1:{port}/dead", hook.url())})
        await store.record_evaluation(engine, [tender()], DAY, portfolio=pf)
        worker = DeliveryWorker(engine, AppriseChannel(), lease_seconds=60, timeout=1,
                                policy=FAST)
        start = time.monotonic()
        await worker.run_once()
        assert time.monotonic() - start < 15
        states = {v.target: v.state for v in await outbox.deliveries(engine)}
        assert len(hook.received) == 1
        assert states == {hook.url().replace("/hook", "/***"): "delivered",
                          f"json://127.0.0.1:{port}/***": "pending"}
    finally:
        silent.close()


async def test_logs_never_show_a_contact_secret(engine: SQLiteEngine, smtp: Mailbox,
                                                caplog: pytest.LogCaptureFixture) -> None:
    """Neither the worker's log nor Apprise's, nor the stored errors, show a password."""
    url = f"mailto://jt:s3cretPW@127.0.0.1:{smtp.port}?from=d@gov.example&to=x@gov.example&mode=insecure"
    pf = portfolio({"transport": (url,)})
    await store.record_evaluation(engine, [tender()], DAY, portfolio=pf)
    caplog.set_level(logging.DEBUG)
    worker = DeliveryWorker(engine, AppriseChannel(), lease_seconds=60, timeout=5,
                            policy=RetryPolicy(max_attempts=2, base=0.01, cap=0.02))
    await drain(worker, engine)
    assert "s3cretPW" not in caplog.text
    assert all("s3cretPW" not in repr(v) for v in await outbox.deliveries(engine))


def test_lease_shorter_than_a_batch_is_refused(engine: SQLiteEngine) -> None:
    """A lease that a slow batch could outlive would let a row be sent twice: refused."""
    with pytest.raises(DeliveryConfigError, match="lease_seconds"):
        DeliveryWorker(engine, AppriseChannel(), batch_size=50, concurrency=5, timeout=10,
                       lease_seconds=30)


async def test_many_hung_targets_do_not_starve_the_live_ones(engine: SQLiteEngine, hook: Hook) -> None:
    """Twelve notices each to a hung target and to a live one, eight sends at a time: every
    live copy arrives in the first round (the hung sends hold their own threads, not Apprise's
    small shared pool), and the hung ones wait for their retry."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    try:
        port = silent.getsockname()[1]
        pf = portfolio({"transport": (f"json://127.0.0.1:{port}/dead", hook.url())})
        findings = [dataclasses.replace(tender(), subject=f"milestone:P001/m{i}") for i in range(12)]
        await store.record_evaluation(engine, findings, DAY, portfolio=pf)
        worker = DeliveryWorker(engine, AppriseChannel(), lease_seconds=60, timeout=1,
                                concurrency=8, policy=FAST)
        await worker.run_once()
        states = [v.state for v in await outbox.deliveries(engine) if f":{port}/" not in v.target]
        assert len(hook.received) == 12 and states == ["delivered"] * 12
        hung = [v for v in await outbox.deliveries(engine) if f":{port}/" in v.target]
        assert len(hung) == 12 and all(v.state == "pending" and v.attempts == 1 for v in hung)
    finally:
        silent.close()
