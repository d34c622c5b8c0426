"""Notices in the database: the evaluation hook, responses, history (real SQLite files)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from notifier import outbox, store
from notifier.channels import CapturingChannel
from notifier.errors import NoticeInputError, NoticeNotFoundError, NoticeStateError
from notifier.lifecycle import NoticeState
from notifier.worker import DeliveryWorker
from projects.model import Level

from .conftest import portfolio, tender

DAY = dt.date(2026, 5, 6)
PF = portfolio({"transport": ("json://127.0.0.1:9/a", "mailto://127.0.0.1:9?to=jt@gov.example"),
                "city": ("json://127.0.0.1:9/city",)})


async def test_same_day_ten_times_sends_each_notice_once(engine: SQLiteEngine) -> None:
    """Evaluating the same day ten times issues one notice, delivered once per contact."""
    for _ in range(10):
        async with engine.transaction():
            await store.record_evaluation(engine, [tender()], DAY, portfolio=PF)
    channel = CapturingChannel()
    worker = DeliveryWorker(engine, channel, lease_seconds=100, timeout=5)
    while await worker.run_once():
        pass
    assert [n.code for n in await store.list_notices(engine)] == ["N-2026-0001"]
    assert sorted(s.target for s in channel.sent) == sorted(PF.unit_by_id["transport"].contacts)


async def test_escalation_issues_a_new_notice_referring_to_the_first(engine: SQLiteEngine) -> None:
    """Yellow then red: the red notice escalates the yellow one, which is closed as escalated."""
    await store.record_evaluation(engine, [tender()], DAY, portfolio=PF)
    applied = await store.record_evaluation(engine, [tender(Level.RED)], dt.date(2026, 5, 20),
                                            portfolio=PF)
    assert applied.issued == ("N-2026-0002",) and applied.escalated == ("N-2026-0001",)
    first, second = await store.list_notices(engine)
    assert (first.state, first.closed) == (NoticeState.ESCALATED, dt.date(2026, 5, 20))
    assert (second.level, second.escalates, second.state) == (Level.RED, "N-2026-0001", NoticeState.ISSUED)
    log = await outbox.delivery_log(engine, "N-2026-0002")
    assert {d.kind for d in log} == {"escalated"}
    assert all(d.title.startswith("【督办升级·红色】") for d in log)
    assert [e.event for e in await store.notice_history(engine, "N-2026-0001")] == ["issue", "escalate"]


async def test_cleared_finding_rectifies_and_tells_the_unit(engine: SQLiteEngine) -> None:
    """A finding gone marks the notice rectified and enqueues a 整改完成 message to its unit."""
    await store.record_evaluation(engine, [tender()], DAY, portfolio=PF)
    applied = await store.record_evaluation(engine, [], dt.date(2026, 5, 8), portfolio=PF)
    assert applied.rectified == ("N-2026-0001",)
    (n,) = await store.list_notices(engine)
    assert n.state is NoticeState.RECTIFIED and n.closed == dt.date(2026, 5, 8)
    rect = [d for d in await outbox.delivery_log(engine, "N-2026-0001") if d.kind == "rectified"]
    assert len(rect) == 2 and all(d.title.startswith("【整改完成】") for d in rect)
    model = (await store.notices_for_engine(engine))[0]
    assert model.responded == dt.date(2026, 5, 8)  # closed: notice rules stop lighting


async def test_respond_then_accept(engine: SQLiteEngine) -> None:
    """The unit responds with text and an attachment reference; the office accepts."""
    await store.record_evaluation(engine, [tender()], DAY, portfolio=PF)
    n = await store.respond(engine, "N-2026-0001", dt.date(2026, 5, 8), "已完成招标公告发布",
                            attachment="file:42", actor="transport")
    assert (n.state, n.responded, n.attachment) == (NoticeState.RESPONDED, dt.date(2026, 5, 8), "file:42")
    assert (await store.notices_for_engine(engine))[0].responded == dt.date(2026, 5, 8)
    n = await store.accept(engine, "N-2026-0001", dt.date(2026, 5, 9), actor="office")
    assert n.state is NoticeState.ACCEPTED
    events = await store.notice_history(engine, "N-2026-0001")
    assert [(e.event, e.to_state, e.actor) for e in events] == [
        ("issue", "issued", None), ("respond", "responded", "transport"),
        ("accept", "accepted", "office")]


async def test_reject_reopens_with_a_new_deadline_and_tells_the_unit(engine: SQLiteEngine) -> None:
    """A rejection reopens the notice, gives the original working days again, and says why."""
    await store.record_evaluation(engine, [tender()], DAY, portfolio=PF)
    await store.respond(engine, "N-2026-0001", dt.date(2026, 5, 8), "正在准备")
    n = await store.reject(engine, "N-2026-0001", dt.date(2026, 5, 13), reason="未附招标公告",
                           portfolio=PF)
    assert (n.state, n.due, n.responded) == (NoticeState.REOPENED, dt.date(2026, 5, 18), None)
    assert (await store.notices_for_engine(engine))[0].responded is None
    reopened = [d for d in await outbox.delivery_log(engine, "N-2026-0001") if d.kind == "reopened"]
    assert len(reopened) == 2 and reopened[0].title.startswith("【督办退回重办】")
    n = await store.respond(engine, "N-2026-0001", dt.date(2026, 5, 14), "已补充公告")
    assert n.state is NoticeState.RESPONDED


async def test_refused_actions_write_nothing(engine: SQLiteEngine) -> None:
    """Accepting an unanswered notice, an empty response, a past deadline: refused, unchanged."""
    await store.record_evaluation(engine, [tender()], DAY, portfolio=PF)
    with pytest.raises(NoticeStateError, match="allowed now: respond, rectify, escalate"):
        await store.accept(engine, "N-2026-0001", DAY)
    with pytest.raises(NoticeInputError, match="text"):
        await store.respond(engine, "N-2026-0001", DAY, "  ")
    await store.respond(engine, "N-2026-0001", DAY, "好")
    with pytest.raises(NoticeInputError, match="2026-05-01 is not after today"):
        await store.reject(engine, "N-2026-0001", DAY, reason="不够", new_due=dt.date(2026, 5, 1))
    n = await store.get_notice(engine, "N-2026-0001")
    assert n.state is NoticeState.RESPONDED
    assert len(await store.notice_history(engine, "N-2026-0001")) == 2


async def test_unknown_code_suggests_the_nearest(engine: SQLiteEngine) -> None:
    """A mistyped code is not found, and the message names the code meant."""
    await store.record_evaluation(engine, [tender()], DAY, portfolio=PF)
    with pytest.raises(NoticeNotFoundError, match="did you mean 'N-2026-0001'"):
        await store.respond(engine, "N-2026-001", DAY, "x")


async def test_rolled_back_evaluation_leaves_no_notice_and_no_outbox_row(engine: SQLiteEngine) -> None:
    """Notices and outbox rows commit or vanish with the caller's transaction."""
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with engine.transaction():
            applied = await store.record_evaluation(engine, [tender()], DAY, portfolio=PF)
            assert applied.deliveries == 2
            raise Boom
    assert await store.list_notices(engine) == []
    assert await outbox.deliveries(engine) == []


async def test_unit_without_contacts_is_reported(engine: SQLiteEngine) -> None:
    """A notice to a unit with no contact URL is stored and the unit is named in the result."""
    applied = await store.record_evaluation(engine, [tender(notify=("water",))], DAY, portfolio=PF)
    assert applied.issued == ("N-2026-0001",) and applied.deliveries == 0
    assert applied.no_contacts == ("water",)


async def test_partial_evaluation_of_another_project_keeps_notices(engine: SQLiteEngine) -> None:
    """Re-evaluating only P002 does not rectify the notice about P001."""
    await store.record_evaluation(engine, [tender()], DAY, portfolio=PF)
    applied = await store.record_evaluation(engine, [], DAY, portfolio=PF, projects={"P002"})
    assert applied.rectified == ()
    assert (await store.get_notice(engine, "N-2026-0001")).state is NoticeState.ISSUED


async def test_one_evaluation_escalates_and_rectifies_many_notices_each_as_alone(engine: SQLiteEngine) -> None:
    """Dozens of notices closed by one evaluation (escalated and rectified, from issued and from
    responded) are each moved, dated and logged as one closed alone would be; the others stay."""
    both = ("transport", "city")
    subjects = [f"milestone:P001/m{i}" for i in range(12)]
    first = [dataclasses.replace(tender(notify=both), subject=s) for s in subjects]
    applied = await store.record_evaluation(engine, first, DAY, portfolio=PF)
    assert len(applied.issued) == 24
    stored_ids = {n.code: i for i, n in await store.every_notice(engine)}
    assert [(i, n.code) for i, n in applied.opened] == [(stored_ids[c], c) for c in applied.issued]
    by_key = {(n.subject, n.unit): n.code for n in await store.list_notices(engine)}
    answered = by_key[(subjects[4], "city")]
    await store.respond(engine, answered, dt.date(2026, 5, 7), "已整改", actor="city")
    later = dt.date(2026, 5, 12)
    # m0-m3 turn red (their 8 notices escalated), m4-m8 are cleared (10 rectified), m9-m11 stay
    second = [dataclasses.replace(f, level=Level.RED) for f in first[:4]] + first[9:]
    applied = await store.record_evaluation(engine, second, later, portfolio=PF)
    escalated = {by_key[(s, u)] for s in subjects[:4] for u in both}
    rectified = {by_key[(s, u)] for s in subjects[4:9] for u in both}
    assert set(applied.escalated) == escalated and set(applied.rectified) == rectified
    assert len(applied.issued) == 8
    notices = {n.code: n for n in await store.list_notices(engine)}
    for code in escalated:
        assert (notices[code].state, notices[code].closed) == (NoticeState.ESCALATED, later)
    for code in rectified:
        assert (notices[code].state, notices[code].closed) == (NoticeState.RECTIFIED, later)
    for code in {by_key[(s, u)] for s in subjects[9:] for u in both}:
        assert (notices[code].state, notices[code].closed) == (NoticeState.ISSUED, None)
    for code in escalated | rectified:
        last = (await store.notice_history(engine, code))[-1]
        before = "responded" if code == answered else "issued"
        event = "escalate" if code in escalated else "rectify"
        assert (last.event, last.from_state, last.to_state, last.day) == (
            event, before, str(notices[code].state), later), code
    told = {d.notice for c in rectified for d in await outbox.delivery_log(engine, c) if d.kind == "rectified"}
    assert told == rectified
