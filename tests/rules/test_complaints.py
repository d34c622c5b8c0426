"""Complaints in the rule language (issue 13): ``for complaint c``, each of its fields and each
unit field they count towards, as of a day, at their edges: nothing rated, rated after the
day, answered late, received after the day; bare words in each field's own set."""

from __future__ import annotations

import datetime as dt

import pytest

from dsl import RulebookError, check_rulebook, compile_rulebook
from projects.model import Complaint, ComplaintKind, Portfolio, Rating
from rules.engine import evaluate
from tests.rules.helpers import D, ms, portfolio

# transport: A answered in time and rated satisfied on 05-14; B answered late (due 05-08,
# answered 05-12) and rated dissatisfied on 05-20; C received on 05-20, never answered.
# water: D, a consultation due 05-11, never answered. (calendar "weekdays": Monday-Friday)
A = Complaint("A", "夜间施工噪音", "transport", D(2026, 5, 6), D(2026, 5, 13), project="P001",
              responded=D(2026, 5, 12), rating=Rating.SATISFIED, rated=D(2026, 5, 14))
B = Complaint("B", "道路积水", "transport", D(2026, 5, 4), D(2026, 5, 8), responded=D(2026, 5, 12),
              rating=Rating.DISSATISFIED, rated=D(2026, 5, 20))
C = Complaint("C", "路灯不亮", "transport", D(2026, 5, 20), D(2026, 5, 27))
E = Complaint("D", "停水安排", "water", D(2026, 5, 7), D(2026, 5, 11), ComplaintKind.CONSULTATION)


def _portfolio(*complaints: Complaint) -> Portfolio:
    base = portfolio(ms("m1", due=D(2026, 5, 4), finished=D(2026, 5, 4)), ms("m2", due=D(2026, 6, 30)))
    return Portfolio(base.units, base.projects, calendar="weekdays", complaints=complaints)


PORTFOLIO = _portfolio(A, B, C, E)
FIELDS = ('rule f "f":\n    for complaint c\n    light blue when true\n'
          '    message "{c.id}|{c.title}|{c.kind}|{c.unit.name}|{c.project.name}|{c.received}|{c.due}|'
          '{c.responded}|{c.response_date}|{c.overdue}|{c.rating}|{c.satisfied}"\n')
UNITS = ('rule u "u":\n    for unit u\n    light blue when true\n'
         '    message "{count(x in u.complaints)}|{u.workload}|{u.complaint_response_rate}|'
         '{u.satisfaction_rate}"\n')


def _messages(rules: str, day: dt.date, p: Portfolio = PORTFOLIO) -> dict[str, str]:
    ev = evaluate(compile_rulebook({"t.rules": rules}), p, day)
    assert not ev.errors
    return {f.subject.partition(":")[2]: f.message for f in ev.findings}


def test_every_field_of_a_complaint_as_of_the_day_its_deadline_falls() -> None:
    """On 05-13: A answered in time and not rated yet (its rating of 05-14 is not known), B
    answered three working days late, C not received yet, D unanswered two days past due."""
    got = _messages(FIELDS, D(2026, 5, 13))
    assert got == {
        "A": "A|夜间施工噪音|投诉|市交通运输局|项目P001|2026-05-06|2026-05-13|是|2026-05-12|0|—|—",
        "B": "B|道路积水|投诉|市交通运输局|—|2026-05-04|2026-05-08|是|2026-05-12|2|—|—",
        "D": "D|停水安排|咨询|市水务局|—|2026-05-07|2026-05-11|否|—|2|—|—",
    }


def test_a_rating_counts_from_its_day_and_satisfied_follows_it() -> None:
    """A is rated satisfied from 05-14 on, B dissatisfied from 05-20; C exists from 05-20 and its
    overdue counts working days past its due until today."""
    on_14 = _messages(FIELDS, D(2026, 5, 14))
    assert on_14["A"].endswith("|满意|是") and on_14["B"].endswith("|—|—")
    on_20 = _messages(FIELDS, D(2026, 5, 20))
    assert on_20["B"].endswith("|2|不满意|否") and on_20["C"].endswith("|否|—|0|—|—")
    assert _messages(FIELDS, D(2026, 6, 1))["C"].split("|")[9] == "3"  # 05-28, 05-29, 06-01


def test_a_complaint_received_after_the_day_does_not_exist() -> None:
    assert _messages(FIELDS, D(2026, 5, 5)).keys() == {"B"}
    assert _messages(FIELDS, D(2026, 5, 3)) == {}


@pytest.mark.parametrize(("day", "transport", "water"), [
    # 05-03: nothing received; m1 (due 05-04) not due yet: every count 0, every rate missing
    (D(2026, 5, 3), "0|0|—|—", "0|0|—|—"),
    # 05-07: B received, not due... B's due 05-08 has not come: no response rate yet
    (D(2026, 5, 7), "2|3|—|—", "1|1|—|—"),
    # 05-08: B due and unanswered: 0%; D not due yet
    (D(2026, 5, 8), "2|3|0%|—", "1|1|—|—"),
    # 05-13: A answered in time (due that day), B late: 50%; nothing rated yet; D 0%
    (D(2026, 5, 13), "2|3|50%|—", "1|1|0%|—"),
    # 05-14: A rated satisfied: 100%; 05-20: B rated dissatisfied (50%), C received (not due)
    (D(2026, 5, 14), "2|3|50%|100%", "1|1|0%|—"),
    (D(2026, 5, 20), "3|4|50%|50%", "1|1|0%|—"),
    # 05-28: C's due has passed unanswered: 1 in 3
    (D(2026, 5, 28), "3|4|33.3%|50%", "1|1|0%|—"),
])
def test_unit_counts_and_rates_at_their_edges(day: dt.date, transport: str, water: str) -> None:
    """``u.complaints`` (received by the day), ``u.workload`` (milestones due plus complaints
    received), ``u.complaint_response_rate`` (answered by their due, over those due) and
    ``u.satisfaction_rate`` (satisfied over rated, by the day)."""
    got = _messages(UNITS, day)
    assert (got["transport"], got["water"]) == (transport, water)
    assert got["city"] == "0|0|—|—"


def test_basically_satisfied_counts_as_satisfied_and_an_answer_on_the_deadline_is_in_time() -> None:
    on_time = Complaint("X", "t", "water", D(2026, 5, 4), D(2026, 5, 8), responded=D(2026, 5, 8),
                        rating=Rating.BASICALLY_SATISFIED, rated=D(2026, 5, 8))
    got = _messages(UNITS + FIELDS, D(2026, 5, 8), _portfolio(on_time))
    assert got["water"] == "1|1|100%|100%"
    assert got["X"].endswith("|是|2026-05-08|0|基本满意|是")


def test_bare_words_resolve_in_each_fields_own_set() -> None:
    """``c.rating == 不满意`` and ``c.kind == 咨询`` (or the English words) pick from the
    complaint's sets; a word of another set is refused with the set's words."""
    book = ('rule r: for complaint c where c.rating == 不满意 light red when true\n'
            'rule k: for complaint c where c.kind == consultation light yellow when true\n'
            'rule z: for complaint c where c.kind == 咨询 and c.rating is missing light yellow when true\n'
            'rule s: for complaint c where c.rating in [满意, basically_satisfied] light blue when true\n'
            'rule n: for complaint c where not c.satisfied light red when true\n')
    ev = evaluate(compile_rulebook({"t.rules": book}), PORTFOLIO, D(2026, 5, 21))
    assert {(f.rule, f.subject) for f in ev.findings} == {
        ("r", "complaint:B"), ("k", "complaint:D"), ("z", "complaint:D"), ("s", "complaint:A"),
        ("n", "complaint:B")}
    for wrong, words in [("c.rating == 招标", "`satisfied`"), ("c.kind == tendering", "`complaint`"),
                         ("c.rating == 咨询", "`dissatisfied`")]:
        (d,) = check_rulebook({"t.rules": f"rule w: for complaint c light red when {wrong}\n"})
        assert words in d.message + d.suggestion
    with pytest.raises(RulebookError):
        compile_rulebook({"t.rules": "rule w: for milestone m light red when m.kind == 满意\n"})


def test_chinese_labels_and_the_chinese_subject_word() -> None:
    zh = ('规则 z "投诉":\n    对 投诉 c 满足 c.评价 == 不满意 且 c.受理日期 < 2026-05-10\n    亮 红灯 当 非 c.满意\n'
          '规则 u "单位": 对 单位 u 满足 u.满意率 不为空 亮 黄灯 当 u.满意率 < 60% 且 u.工作量 > 0\n')
    ev = evaluate(compile_rulebook({"t.rules": zh}), PORTFOLIO, D(2026, 5, 21))
    assert {(f.rule, f.subject) for f in ev.findings} == {("z", "complaint:B"), ("u", "unit:transport")}


def test_a_score_reads_the_complaint_rates_with_defaults() -> None:
    book = compile_rulebook({"t.rules": "score s for unit u: 100 * default(u.satisfaction_rate, 100%) "
                                        "+ u.workload\n"})
    rows = {r.unit: r.value for r in evaluate(book, PORTFOLIO, D(2026, 5, 20)).scores["s"]}
    assert rows == {"transport": 54.0, "water": 101.0, "city": 100.0}


def test_the_views_count_what_tally_by_unit_counts_on_every_day() -> None:
    """The engine's unit rates and the pages' ``tally_by_unit`` are one count, day by day."""
    from projects.complaints import tally_by_unit  # noqa: PLC0415
    from rules.views import build_views  # noqa: PLC0415

    class _Weekdays:
        def workdays(self, a: dt.date, b: dt.date) -> int:
            return sum(1 for k in range(1, (b - a).days + 1) if (a + dt.timedelta(days=k)).weekday() < 5)

        def add_workdays(self, d: dt.date, n: int) -> dt.date:
            raise NotImplementedError

        def is_workday(self, d: dt.date) -> bool:
            return d.weekday() < 5

    class _NoSchedule:
        def milestone(self, key: object) -> object:
            raise KeyError(key)

        def project(self, pid: object) -> object:
            raise KeyError(pid)

    for offset in range(0, 40, 3):
        day = D(2026, 5, 1) + dt.timedelta(days=offset)
        views = build_views(PORTFOLIO, _NoSchedule(), day, _Weekdays())
        tallies = tally_by_unit(PORTFOLIO.complaints, day)
        for u in views.units:
            t = tallies.get(u.id)
            assert (len(u.complaints), u.complaint_response_rate, u.satisfaction_rate) == (
                (0, None, None) if t is None else (t.received, t.response_rate, t.satisfaction_rate)), (day, u)
