"""A month of history replayed day by day: yellow card, red card, the parent unit's notice.

The rules are the spec's ``tender_overdue`` (shortened grace) and ``notice_unanswered``:

    rule tender_overdue "招标节点逾期":
        for milestone m where m.kind == tendering and not m.done
        light yellow when today > m.due
        light red when today > m.due + 5 workdays
        notify m.unit within 3 workdays
    rule notice_unanswered "督办通知逾期未回复":
        for notice n where not n.responded
        light yellow when today > n.due
        light red when today > n.due + 5 workdays
        notify n.unit.parent within 3 workdays

``evaluate`` below computes exactly what the engine computes for these two rules on a
Monday-Friday calendar, reading the notices back from the database as ``projects.model.Notice``
values each day, as the server does.
"""

from __future__ import annotations

import datetime as dt

from piccolo.engine.sqlite import SQLiteEngine

from notifier import store
from notifier.lifecycle import MondayToFriday
from projects.model import Level, Notice

from .conftest import Finding, portfolio

CAL = MondayToFriday()
DUE = dt.date(2026, 5, 4)
PF = portfolio({"transport": ("json://127.0.0.1:9/t",), "city": ("json://127.0.0.1:9/c",)})


def _level(today: dt.date, due: dt.date) -> Level | None:
    if today > CAL.add_workdays(due, 5):
        return Level.RED
    if today > due:
        return Level.YELLOW
    return None


def evaluate(today: dt.date, finished: dt.date | None, notices: tuple[Notice, ...]) -> list[Finding]:
    out = []
    done = finished is not None and finished <= today
    level = _level(today, DUE)
    if not done and level:
        out.append(Finding("tender_overdue", "招标节点逾期", "milestone:P001/tender", level,
                           "「海东大道改造工程」招标节点已逾期", ("transport",),
                           CAL.add_workdays(today, 3), (("m.due", DUE),), "P001", "transport"))
    for n in notices:
        answered = n.responded is not None and n.responded <= today
        level = _level(today, n.due)
        parent = PF.unit_by_id[n.unit].parent
        if not answered and level:
            out.append(Finding("notice_unanswered", "督办通知逾期未回复", f"notice:{n.id}", level,
                               f"{PF.unit_by_id[n.unit].name} 未在期限内回复督办通知《{n.title}》",
                               (parent,) if parent else (), CAL.add_workdays(today, 3),
                               (("n.due", n.due),), None, n.unit))
    return out


async def test_month_replay_issues_and_closes_on_the_rules_days(engine: SQLiteEngine) -> None:
    """Each notice appears, escalates and is rectified on exactly the day the rules say."""
    log: dict[dt.date, list[str]] = {}
    day = dt.date(2026, 5, 1)
    while day <= dt.date(2026, 5, 31):
        if day == dt.date(2026, 5, 26):
            await store.respond(engine, "N-2026-0003", day, "招标公告已发布，预计5月28日开标")
        finished = dt.date(2026, 5, 28) if day >= dt.date(2026, 5, 28) else None
        for _ in range(2):  # the server may evaluate a day more than once
            findings = evaluate(day, finished, await store.notices_for_engine(engine))
            async with engine.transaction():
                applied = await store.record_evaluation(engine, findings, day, portfolio=PF,
                                                        calendar=CAL)
            for code in applied.issued:
                n = await store.get_notice(engine, code)
                log.setdefault(day, []).append(
                    f"issue {code} {n.unit} {n.level}" + (f" escalates {n.escalates}" if n.escalates else ""))
            log.setdefault(day, []).extend(f"rectify {c}" for c in applied.rectified)
        day += dt.timedelta(days=1)

    assert {d.isoformat(): v for d, v in log.items() if v} == {
        "2026-05-05": ["issue N-2026-0001 transport yellow"],             # 黄牌: due passed
        "2026-05-09": ["issue N-2026-0002 city yellow"],                  # unanswered by 05-08
        # 红牌; and, on the next evaluation that day, N-1 (closed by the escalation) no longer
        # counts as unanswered, so the parent's notice about it is closed
        "2026-05-12": ["issue N-2026-0003 transport red escalates N-2026-0001", "rectify N-2026-0002"],
        "2026-05-16": ["issue N-2026-0004 city yellow"],                  # N-3 unanswered by 05-15
        "2026-05-23": ["issue N-2026-0005 city red escalates N-2026-0004"],  # 05-15 + 5 workdays
        "2026-05-26": ["rectify N-2026-0005"],                            # transport responded
        "2026-05-28": ["rectify N-2026-0003"],                            # tender finished
    }
    notices = {n.code: n for n in await store.list_notices(engine)}
    assert notices["N-2026-0002"].due == dt.date(2026, 5, 13)
    assert notices["N-2026-0002"].closed == dt.date(2026, 5, 12)
    assert notices["N-2026-0005"].due == dt.date(2026, 5, 27)
    assert {str(n.state) for n in notices.values()} == {"escalated", "rectified"}
