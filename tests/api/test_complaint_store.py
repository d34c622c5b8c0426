"""Complaints in the database (issue 13), on both backends: the steps of
``projects.complaint_store`` write what they should and nothing when refused, the server's
snapshot carries routed complaints, and a past day replays them."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from projects import complaint_store as store
from projects import repository as repo
from projects.calendar import WorkCalendar
from projects.complaints import secret_hash
from projects.errors import (
    ComplaintError,
    ComplaintLimitError,
    ComplaintLinkError,
    ComplaintStateError,
    RecordNotFoundError,
)
from projects.model import Complaint, ComplaintKind, Rating
from projects.storage import raw
from tests.api.conftest import TODAY, Api

NOW = dt.datetime(2026, 5, 6, 9, 30, tzinfo=dt.UTC)
CAL = WorkCalendar("cn")


async def _file(api: Api, **extra: object) -> store.Submitted:
    return await store.submit(api.server.engine, title="道路施工夜间噪音扰民", text="每晚十一点后仍在施工。\n请处理。",
                              today=TODAY, now=NOW, contact="mailto://zhang@resident.example", **extra)


async def _rows(api: Api) -> list[dict[str, object]]:
    return await raw(api.server.engine, "SELECT * FROM projects_complaint ORDER BY id")


async def test_a_complaint_goes_from_the_form_to_a_rating_and_the_snapshot_follows(api: Api) -> None:
    engine = api.server.engine
    filed = await _file(api, kind="投诉")
    assert re.fullmatch(r"C-2026-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", filed.code)
    (row,) = await _rows(api)
    assert row["rating_secret"] == secret_hash(filed.secret) and filed.secret not in str(row)
    assert row["text"] == "每晚十一点后仍在施工。\n请处理。" and row["unit"] is None
    assert (await api.server.snapshot()).portfolio.complaints == ()  # not routed yet
    revision = (await api.server.snapshot()).revision

    routed = await store.route(engine, filed.code, unit="transport", project="P001", today=TODAY,
                               calendar=CAL, actor="office")
    assert routed.due == dt.date(2026, 5, 12)  # Wednesday + 5 working days (Saturday 05-09 works: 调休)
    snap = await api.server.snapshot()
    assert snap.revision > revision
    assert snap.portfolio.complaints == (Complaint(filed.code, "道路施工夜间噪音扰民", "transport", TODAY,
                                                   dt.date(2026, 5, 12), ComplaintKind.COMPLAINT, "P001"),)

    with pytest.raises(ComplaintStateError, match="another unit"):
        await store.answer(engine, filed.code, unit="water", text="已处理", today=TODAY)
    with pytest.raises(ComplaintStateError, match="not been answered"):
        await store.rate(engine, filed.secret, "满意", TODAY)
    answered_on = dt.date(2026, 5, 8)
    await store.answer(engine, filed.code, unit="transport", text="已责令停工整改", today=answered_on,
                       actor="owner")
    with pytest.raises(ComplaintStateError, match="answered on 2026-05-08"):
        await store.answer(engine, filed.code, unit="transport", text="again", today=answered_on)
    with pytest.raises(ComplaintStateError, match="cannot be routed again"):
        await store.route(engine, filed.code, unit="water", today=answered_on, calendar=CAL)

    with pytest.raises(ComplaintLinkError, match="not valid"):
        await store.rate(engine, filed.secret + "x", "满意", answered_on)
    with pytest.raises(ComplaintError, match="unknown rating"):
        await store.rate(engine, filed.secret, "good", answered_on)
    rated = await store.rate(engine, filed.secret, "基本满意", dt.date(2026, 5, 9))
    assert rated.rating is Rating.BASICALLY_SATISFIED
    with pytest.raises(ComplaintStateError, match="rated once"):
        await store.rate(engine, filed.secret, "不满意", dt.date(2026, 5, 9))
    (row,) = await _rows(api)
    assert (row["rating"], str(row["rated"])[:10], row["response"]) == ("basically_satisfied", "2026-05-09",
                                                                         "已责令停工整改")
    (c,) = (await api.server.snapshot()).portfolio.complaints
    assert (c.responded, c.rating, c.rated) == (answered_on, Rating.BASICALLY_SATISFIED, dt.date(2026, 5, 9))
    # the contact is in the table for the office, never in the portfolio
    assert "resident.example" not in repr((await api.server.snapshot()).portfolio)
    assert (await repo.get_complaint(filed.code)).contact == "mailto://zhang@resident.example"


async def test_refused_steps_write_nothing(api: Api) -> None:
    engine = api.server.engine
    for bad, where in [({"title": "  "}, "title"), ({"text": "x" * 5001}, "text"),
                       ({"title": "a\u202eb"}, "title"), ({"kind": "complain"}, "kind")]:
        args = {"title": "标题", "text": "内容", **bad}
        with pytest.raises(ComplaintError) as err:
            await store.submit(engine, today=TODAY, now=NOW, **args)  # type: ignore[arg-type]
        assert err.value.where == where
    assert await _rows(api) == []
    filed = await _file(api)
    before = await _rows(api)
    for kwargs, where in [({"unit": "watr"}, "unit"), ({"unit": "water", "due": TODAY - dt.timedelta(days=1)}, "due"),
                          ({"unit": "water", "project": "P404"}, "project")]:
        with pytest.raises(ComplaintError) as err:
            await store.route(engine, filed.code, today=TODAY, calendar=CAL, **kwargs)  # type: ignore[arg-type]
        assert err.value.where == where
    with pytest.raises(ComplaintStateError, match="not been routed"):
        await store.answer(engine, filed.code, unit=None, text="答复", today=TODAY)
    with pytest.raises(RecordNotFoundError):
        await store.route(engine, "C-2026-NOPE-NOPE", unit="water", today=TODAY, calendar=CAL)
    assert await _rows(api) == before


async def test_one_address_files_at_most_its_bound_an_hour(api: Api) -> None:
    engine = api.server.engine
    for minute in range(3):
        await store.submit(engine, title="t", text="x", today=TODAY, now=NOW + dt.timedelta(minutes=minute),
                           address="203.0.113.7", per_hour=3)
    with pytest.raises(ComplaintLimitError) as err:
        await store.submit(engine, title="t", text="x", today=TODAY, now=NOW + dt.timedelta(minutes=5),
                           address="203.0.113.7", per_hour=3)
    assert err.value.retry_after > 0 and "一小时内最多提交 3 条" in str(err.value)
    assert len(await _rows(api)) == 3
    # another address, and the same one an hour later, may file
    await store.submit(engine, title="t", text="x", today=TODAY, now=NOW, address="198.51.100.2", per_hour=3)
    await store.submit(engine, title="t", text="x", today=TODAY, now=NOW + dt.timedelta(minutes=61),
                       address="203.0.113.7", per_hour=3)
    assert len(await _rows(api)) == 5


async def test_a_past_day_replays_complaints_and_files_import_them(api: Api) -> None:
    engine = api.server.engine
    filed = await _file(api)
    await store.route(engine, filed.code, unit="water", today=TODAY, calendar=CAL)
    assert (await api.server.portfolio_as_of(TODAY - dt.timedelta(days=1))).complaints == ()
    assert len((await api.server.portfolio_as_of(TODAY)).complaints) == 1
    imported = Complaint("C-2026-0001", "咨询停水安排", "water", dt.date(2026, 4, 1), dt.date(2026, 4, 8),
                         ComplaintKind.CONSULTATION, responded=dt.date(2026, 4, 3),
                         rating=Rating.DISSATISFIED, rated=dt.date(2026, 4, 5))
    async with api.server.writing():
        assert await repo.import_complaints([imported]) == 1
        assert await repo.import_complaints([imported]) == 0  # the same again: nothing written
        await repo.bump_revision()
    codes = [c.id for c in (await api.server.snapshot()).portfolio.complaints]
    assert codes == [filed.code, "C-2026-0001"]
    earlier = await api.server.portfolio_as_of(dt.date(2026, 4, 4))
    assert [(c.id, c.responded, c.rating) for c in earlier.complaints] == [
        ("C-2026-0001", dt.date(2026, 4, 3), None)]


async def test_an_export_carries_a_units_own_complaints_only(api: Api) -> None:
    """A unit's export holds its own complaints (never the complainant's contact or the text,
    and no project it cannot see); another unit's export holds none of them; the office's holds
    every routed one."""
    engine = api.server.engine
    filed = await _file(api)
    await store.route(engine, filed.code, unit="transport", project="P001", today=TODAY, calendar=CAL)
    other = await _file(api)
    await store.route(engine, other.code, unit="transport", project="P002", today=TODAY, calendar=CAL)

    async def exported(role: str) -> list[dict[str, object]]:
        r = await api.client.get("/api/portfolio", headers=api.auth(role))
        assert r.status_code == 200, r.text
        assert "resident.example" not in r.text and "每晚十一点" not in r.text
        return r.json().get("complaints", [])  # type: ignore[no-any-return]

    assert {c["id"] for c in await exported("office")} == {filed.code, other.code}
    # transport sees its own complaints, but not water's project P002 the second one names
    assert [(c["id"], c.get("project")) for c in await exported("owner")] == [(filed.code, "P001"),
                                                                              (other.code, None)]
    assert await exported("unit") == []  # water: none of them is its own


async def test_two_ratings_through_one_link_at_once_make_one_rating(api: Api) -> None:
    """A link used twice at the same moment (two tabs, a replayed request) rates once; the
    other is refused, and the stored rating is the one that won."""
    import asyncio  # noqa: PLC0415

    engine = api.server.engine
    filed = await _file(api)
    await store.route(engine, filed.code, unit="water", today=TODAY, calendar=CAL)
    await store.answer(engine, filed.code, unit="water", text="已安排", today=TODAY)
    results = await asyncio.gather(store.rate(engine, filed.secret, "满意", TODAY),
                                   store.rate(engine, filed.secret, "不满意", TODAY), return_exceptions=True)
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], ComplaintStateError), results
    assert (await repo.get_complaint(filed.code)).rating is won[0].rating
