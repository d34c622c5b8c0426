"""The board and the month-end trend on the real app (SQLite): one schedule per board, past
month-ends reused after a report made today, and recomputed when what they depend on changes,
always equal to a fresh evaluation."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from dashboards.data import EMPTY_RULEBOOK, build_board, current_board, month_end_rates
from notifier import store
from projects import repository as repo
from projects.calendar import calendar_for
from projects.model import Level
from projects.schedule import compute_schedule
from rules.engine import evaluate
from rules.findings import Finding
from rules.standard import load_standard
from tests.site import PORTFOLIO, TODAY

MARCH, APRIL, MAY = "2026-03", "2026-04", "2026-05"


async def fresh(server, day):
    """The rates of ``day`` computed from scratch, the way the trend did before any cache."""
    published = await server.published_rulebook()
    rulebook = published[1] if published is not None else EMPTY_RULEBOOK
    return evaluate(rulebook, await server.portfolio_as_of(day), day).rates


async def assert_all_fresh(server, trend):
    """Every point of ``trend`` equals a fresh evaluation of its day."""
    days = {f"{d.year:04d}-{d.month:02d}": d for d in
            (dt.date(2025, 12, 31), dt.date(2026, 1, 31), dt.date(2026, 2, 28),
             dt.date(2026, 3, 31), dt.date(2026, 4, 30), TODAY)}
    assert set(trend) == set(days)
    for month, day in days.items():
        assert trend[month] == await fresh(server, day), month


async def report(server, pid, mid, **changes):
    """An owner's report made today through the server (the path the pages take)."""
    version = (await server.snapshot()).versions[(pid, mid)]
    await server.report_milestone("owner", pid, mid, changes, version)


def test_board_schedules_once_and_evaluates_as_the_engine_alone_would():
    """The board's evaluation equals the engine's own (which schedules itself), and its
    schedule is the portfolio's schedule of the day."""
    rulebook = load_standard()
    calendar = calendar_for(PORTFOLIO)
    board = build_board(PORTFOLIO, calendar, rulebook, TODAY, version=3, revision=9)
    alone = evaluate(rulebook, PORTFOLIO, TODAY, calendar=calendar)
    assert board.evaluation.findings == alone.findings
    assert board.evaluation.rates == alone.rates
    assert board.evaluation.scores == alone.scores
    assert {f.subject for f in board.evaluation.findings} >= {"milestone:P001/tender"}
    expected = compute_schedule(PORTFOLIO, calendar, TODAY)
    assert sorted(board.schedule) == sorted(expected)
    for key in expected:
        assert board.schedule.milestone(key) == expected.milestone(key)
    assert (board.as_of, board.rulebook_version, board.revision) == (TODAY, 3, 9)


async def test_a_report_today_reuses_past_months_and_matches_fresh_figures(site):
    """After a report made today the past month-ends are the cached objects, the current
    month moves, and every point equals a fresh evaluation."""
    server = site.server
    before = await month_end_rates(server)
    await assert_all_fresh(server, before)
    await report(server, "P001", "tender", finished=dt.date(2026, 5, 4), progress=1.0)
    after = await month_end_rates(server)
    await assert_all_fresh(server, after)
    for month in ("2025-12", "2026-01", "2026-02", MARCH, APRIL):
        assert after[month] is before[month], month
    assert after[MAY] != before[MAY]  # the tender (due 04-30) is finished now
    assert after[MAY] == (await current_board(server)).evaluation.rates


async def test_a_report_known_on_a_past_day_recomputes_that_month(site):
    """A report written as known on a past day (a seed or an import can) changes the months
    from that day on; the figures equal fresh ones and earlier months stay cached."""
    server = site.server
    before = await month_end_rates(server)
    async with server.writing():
        old, version = await repo.get_milestone("P001", "tender")
        done = replace(old, finished=dt.date(2026, 4, 28), updated=dt.date(2026, 4, 28),
                       progress=1.0)
        await repo.update_milestone(done, expected_version=version, actor="import",
                                    known_on=dt.date(2026, 4, 28), recorded_at="2026-05-06T00:00:00")
        await repo.bump_revision()
    after = await month_end_rates(server)
    await assert_all_fresh(server, after)
    assert after[APRIL] != before[APRIL]
    assert after[APRIL].portfolio.completion_rate == 1.0
    assert after[MARCH] is before[MARCH]


async def test_moving_a_project_to_another_unit_changes_past_unit_rates(site):
    """A past month's portfolio takes units and projects as they are now, so moving a project
    to another unit changes the past unit rates; the trend follows and equals fresh figures."""
    server = site.server
    before = await month_end_rates(server)
    assert before[APRIL].units["transport"].on_time_rate is not None
    async with server.writing():
        moved = replace(PORTFOLIO.project_by_id["P001"], unit="water", milestones=())
        await repo.save_project(moved, create=False)
        await server.changed("office", "project.update", "project:P001", {"unit": "transport"},
                             {"unit": "water"})
    after = await month_end_rates(server)
    await assert_all_fresh(server, after)
    assert after[APRIL].units["transport"] != before[APRIL].units["transport"]
    assert after[APRIL].units["water"] != before[APRIL].units["water"]


async def test_rejecting_an_answer_given_in_a_past_month_changes_that_month(site):
    """A notice issued and answered in March and rejected today is unanswered with a new due
    day as of March's end: March's response rate changes and equals a fresh figure."""
    server = site.server
    snap = await server.snapshot()
    published = await server.published_rulebook()
    standard_rules = [r.name for r in published[1].rules]
    march = dt.date(2026, 3, 20)
    finding = Finding("manual_check", "督办核查", "milestone:P001/tender", Level.YELLOW,
                      "请说明招标进度", ("transport",), dt.date(2026, 3, 25), (), "P001",
                      "transport")
    applied = await store.record_evaluation(server.engine, [finding], march,
                                            portfolio=snap.portfolio, calendar=snap.calendar,
                                            failed_rules=standard_rules)
    (code,) = applied.issued
    await store.respond(server.engine, code, dt.date(2026, 3, 23), "已完成招标文件编制")
    async with server.writing():
        await server.changed("unit", "notice.respond", f"notice:{code}", None, None)
    before = await month_end_rates(server)
    await assert_all_fresh(server, before)
    assert before[MARCH].portfolio.response_rate == 1.0
    async with server.writing():
        await store.reject(server.engine, code, TODAY, reason="材料不全", calendar=snap.calendar)
        await server.changed("office", "notice.reject", f"notice:{code}", None, None)
    after = await month_end_rates(server)
    await assert_all_fresh(server, after)
    assert after[MARCH].portfolio.response_rate is None  # due moved past March's end
    assert after[MARCH] != before[MARCH]
    assert after["2026-02"] is before["2026-02"]


async def test_a_new_rulebook_version_recomputes_every_month(site):
    """Publishing another rulebook version keys the past months anew (nothing of the old
    version's trend is served) and the figures equal fresh ones."""
    from rules.standard import standard_sources  # noqa: PLC0415
    from tests.site import publish  # noqa: PLC0415

    server = site.server
    before = await month_end_rates(server)
    await publish(server, {**standard_sources(), "extra.rules": "# no rules\n"})
    after = await month_end_rates(server)
    await assert_all_fresh(server, after)
    assert after[MARCH] is not before[MARCH]
    assert after[MARCH] == before[MARCH]  # same rules: same figures, computed again


async def test_the_board_after_reports_is_advanced_and_equals_a_fresh_one(site):
    """Random reports through the server (seeded): each board after a report is advanced from
    the one before (``rules.incremental``: the held unit views are patched, not rebuilt) and
    equals a board built from scratch on that snapshot: findings with explanations, rates,
    scores, and the schedule of every milestone and project."""
    import random  # noqa: PLC0415

    server = site.server
    rng = random.Random(16)
    board = await current_board(server)
    advanced = 0
    for _ in range(12):
        snap = await server.snapshot()
        m = rng.choice([m for m in snap.portfolio.milestones() if m.finished is None])
        changes = rng.choice([{"progress": round(rng.random(), 2)},
                              {"finished": TODAY, "progress": 1.0},
                              {"note": f"第{rng.randrange(100)}次"}])
        if m.start is not None and m.start > TODAY:  # it cannot finish before it starts
            changes = {"progress": 0.1}
        await report(server, m.project, m.id, **changes)
        before, board = board, await current_board(server)
        assert board.revision > before.revision
        if board.held is not None and before.held is not None and before.held.spent and \
                board.held.views.units[0] is before.held.views.units[0]:
            advanced += 1
        snap = await server.snapshot()
        published = await server.published_rulebook()
        fresh_board = build_board(snap.portfolio, snap.calendar,
                                  published[1] if published else None, TODAY)
        assert board.evaluation.findings == fresh_board.evaluation.findings
        assert board.evaluation.rates == fresh_board.evaluation.rates
        assert board.evaluation.scores == fresh_board.evaluation.scores
        assert board.evaluation.errors == fresh_board.evaluation.errors
        assert sorted(board.schedule) == sorted(fresh_board.schedule)
        for key in fresh_board.schedule:
            assert board.schedule.milestone(key) == fresh_board.schedule.milestone(key)
        for p in snap.portfolio.projects:
            assert board.schedule.project(p.id) == fresh_board.schedule.project(p.id)
    assert advanced == 12  # every board after a report took the shortcut
