"""Five weeks replayed working day by working day on the real engine and the standard rules.

The rules are the standard rulebook's (``rules/standard``), compiled by ``dsl.compile_rulebook``
through ``rules.standard.load_standard`` and run by ``rules.engine.evaluate``:

    rule tender_overdue (overdue.rules, grace = 10 workdays):
        light yellow when today > m.due;  light red when today > m.due + grace
        notify m.unit within 3 workdays
    rule notice_unanswered (units.rules):
        for notice n where not n.responded
        light yellow when today > n.due;  light red when today > n.due + 3 workdays
        notify n.unit within 2 workdays
    rule notice_escalated (units.rules):
        for notice n where not n.responded and n.unit.parent is not missing
        light red when today > n.due + 5 workdays
        notify n.unit.parent within 3 workdays

Each working day the stored notices are read back (``store.notices_for_engine``) into the
portfolio, as the server does, the engine runs, and ``store.record_evaluation`` stores what it
found — again and again until an evaluation changes nothing, since a notice closed by one
evaluation only stops notice rules lighting on the next.

The ``cn`` calendar of May 2026: 05-01..05-05 are the Labour Day holiday, Saturday 05-09 is a
makeup working day, other weekends are rest days. Working days: 04-27..04-30, 05-06..05-09,
05-11..05-15, 05-18..05-22, 05-25..05-29, 06-01..06-05.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt

from piccolo.engine.sqlite import SQLiteEngine

from notifier import outbox, store
from projects.calendar import calendar_for
from projects.model import Category, Kind, Milestone, Portfolio, Project, Unit
from rules.engine import evaluate
from rules.standard import load_standard

NOTICE_RULES = ("tender_overdue", "notice_unanswered", "notice_escalated")
STANDARD = load_standard()
BOOK = dataclasses.replace(
    STANDARD, rules=tuple(r for r in STANDARD.rules if r.name in NOTICE_RULES), scores=()
)
PF = Portfolio(
    units=(
        Unit("city", "市人民政府", contacts=("json://127.0.0.1:9/city",)),
        Unit("transport", "市交通运输局", parent="city", contacts=("json://127.0.0.1:9/jt",)),
    ),
    projects=(
        Project("P001", "海东大道改造工程", Category.PROJECT, "transport", milestones=(
            Milestone("P001", "tender", "施工招标", Kind.TENDERING, due=dt.date(2026, 4, 30),
                      finished=dt.date(2026, 5, 28), updated=dt.date(2026, 5, 28)),
        )),
    ),
)
CAL = calendar_for(PF)
RESPONSE = (dt.date(2026, 5, 26), "N-2026-0006", "招标公告已发布，5月28日开标")


def test_the_standard_rules_are_the_ones_this_replay_reads() -> None:
    """The three rules replayed are in the standard rulebook with the text quoted above."""
    assert {r.name for r in BOOK.rules} == set(NOTICE_RULES)
    by_name = {r.name: r for r in BOOK.rules}
    assert [str(light.level) for light in by_name["notice_unanswered"].lights] == ["yellow", "red"]
    assert [str(light.level) for light in by_name["notice_escalated"].lights] == ["red"]
    assert by_name["notice_escalated"].within is not None
    assert by_name["notice_escalated"].within.amount == 3


async def test_five_weeks_yellow_red_parent_and_a_response_on_the_rules_days(
    engine: SQLiteEngine,
) -> None:
    """Every notice is issued, escalated and closed on exactly the working day the rules say."""
    log: dict[str, list[str]] = {}
    passes: dict[str, int] = {}
    day = dt.date(2026, 4, 27)
    while day <= dt.date(2026, 6, 5):
        if not CAL.is_workday(day):
            day += dt.timedelta(days=1)
            continue
        if day == RESPONSE[0]:
            await store.respond(engine, RESPONSE[1], day, RESPONSE[2])
        for n in range(1, 6):
            pf = dataclasses.replace(PF, notices=await store.notices_for_engine(engine))
            evaluation = evaluate(BOOK, pf, day, calendar=CAL)
            assert not evaluation.errors
            async with engine.transaction():
                applied = await store.record_evaluation(
                    engine, evaluation.findings, day, portfolio=pf, calendar=CAL,
                    failed_rules=tuple(evaluation.errors),
                )
            if not applied.actions:
                passes[day.isoformat()] = n - 1  # evaluations that changed something
                break
            for code in applied.issued:
                s = await store.get_notice(engine, code)
                log.setdefault(day.isoformat(), []).append(
                    f"issue {code} {s.rule} {s.subject} -> {s.unit} {s.level} due {s.due}"
                    + (f" escalates {s.escalates}" if s.escalates else ""))
            log.setdefault(day.isoformat(), []).extend(f"rectify {c}" for c in applied.rectified)
        else:
            raise AssertionError(f"{day}: five evaluations in a row still changed notices")
        day += dt.timedelta(days=1)

    assert log == {
        # 黄牌. tender due 04-30; today > 04-30 first on a working day 05-06 (05-01..05-05 are
        # holidays). respond by 05-06 + 3 workdays = 05-07, 05-08, 05-09 (makeup Saturday).
        "2026-05-06": [
            "issue N-2026-0001 tender_overdue milestone:P001/tender -> transport yellow due 2026-05-09",
        ],
        # N-1 unanswered: today > 05-09 first on 05-11 (05-10 is Sunday); due 05-11 + 2 = 05-13.
        "2026-05-11": [
            "issue N-2026-0002 notice_unanswered notice:N-2026-0001 -> transport yellow due 2026-05-13",
        ],
        # 红牌 on N-1: today > 05-09 + 3 workdays (05-11, 05-12, 05-13) = 05-13, so 05-14; due
        # 05-14 + 2 = 05-15, 05-18. N-2 (due 05-13) is itself unanswered on 05-14, so N-4
        # lights — and N-2, closed by the escalation, shows as answered on the next pass.
        "2026-05-14": [
            "issue N-2026-0003 notice_unanswered notice:N-2026-0001 -> transport red due 2026-05-18"
            " escalates N-2026-0002",
            "issue N-2026-0004 notice_unanswered notice:N-2026-0002 -> transport yellow due 2026-05-18",
            "rectify N-2026-0004",
        ],
        # To the parent unit: today > 05-09 + 5 workdays (05-11..05-15) = 05-15, so 05-18;
        # notify city within 3 workdays: 05-19, 05-20, 05-21.
        "2026-05-18": [
            "issue N-2026-0005 notice_escalated notice:N-2026-0001 -> city red due 2026-05-21",
        ],
        # tender red: today > 04-30 + 10 workdays (05-06, 07, 08, 09, 11, 12, 13, 14, 15, 18) =
        # 05-18, so 05-19; due 05-19 + 3 = 05-22. It closes N-1 (escalated), so on the next
        # passes the notices about N-1 (N-3, N-5) and then about N-3 (N-7, lit on the first
        # pass because N-3, due 05-18, was unanswered) are rectified.
        "2026-05-19": [
            "issue N-2026-0006 tender_overdue milestone:P001/tender -> transport red due 2026-05-22"
            " escalates N-2026-0001",
            "issue N-2026-0007 notice_unanswered notice:N-2026-0003 -> transport yellow due 2026-05-21",
            "rectify N-2026-0003",
            "rectify N-2026-0005",
            "rectify N-2026-0007",
        ],
        # N-6 unanswered: today > 05-22 first on 05-25 (weekend between); due 05-25 + 2 = 05-27.
        "2026-05-25": [
            "issue N-2026-0008 notice_unanswered notice:N-2026-0006 -> transport yellow due 2026-05-27",
        ],
        # transport responds to N-6: notice_unanswered stops lighting, so N-8 is rectified, and
        # neither its red (> 05-22 + 3 = 05-27, 05-28) nor the parent's notice
        # (> 05-22 + 5 = 05-29, 06-01) ever comes.
        "2026-05-26": ["rectify N-2026-0008"],
        # the tender is finished: tender_overdue clears, the answered red card is rectified.
        "2026-05-28": ["rectify N-2026-0006"],
    }
    # A day's last evaluation changed nothing: at most three passes settle a day (05-19:
    # escalate N-1; rectify what was about N-1; rectify what was about N-3).
    assert max(passes.values()) == 3
    assert [d for d, n in passes.items() if n] == list(log)

    notices = await store.list_notices(engine)
    keys = collections.Counter((n.rule, n.subject, n.unit, str(n.level)) for n in notices)
    assert max(keys.values()) == 1  # nothing issued twice
    assert {n.code: str(n.state) for n in notices} == {
        "N-2026-0001": "escalated", "N-2026-0002": "escalated", "N-2026-0003": "rectified",
        "N-2026-0004": "rectified", "N-2026-0005": "rectified", "N-2026-0006": "rectified",
        "N-2026-0007": "rectified", "N-2026-0008": "rectified",
    }
    six = await store.get_notice(engine, "N-2026-0006")
    assert (six.responded, six.closed) == (dt.date(2026, 5, 26), dt.date(2026, 5, 28))
    # One outbox row per issue and per rectification (each unit has one contact).
    kinds = collections.Counter(d.kind for d in await outbox.deliveries(engine))
    assert kinds == {"issued": 6, "escalated": 2, "rectified": 6}
