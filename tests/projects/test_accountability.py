"""Accountability records (通报批评 / 问责): the load-time checks, what they count as of a day,
and their replay."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from dsl import compile_rulebook
from projects import accountability
from projects.accountability import Accountability, check_new, counts
from projects.errors import PortfolioError
from projects.loader import dump_portfolio, parse_portfolio
from projects.replay import as_of
from rules.engine import evaluate

TODAY = dt.date(2026, 12, 1)
BASE: dict[str, Any] = {
    "units": [{"id": "transport", "name": "市交通运输局"}, {"id": "housing", "name": "市住房城乡建设局"}],
    "people": [{"id": "wang", "name": "王某", "unit": "transport"},
               {"id": "li", "name": "李某", "unit": "housing"}],
    "projects": [{"id": "P1", "name": "海东大道改造", "category": "project", "unit": "transport",
                  "milestones": [{"id": "m1", "name": "招标", "kind": "tendering", "due": "2026-05-01"}]}],
    "notices": [{"id": "N-1", "title": "招标逾期", "unit": "transport", "issued": "2026-05-06",
                 "due": "2026-05-11", "level": "red"}],
    "complaints": [{"id": "C-1", "title": "夜间施工噪音", "unit": "transport", "received": "2026-05-20",
                    "due": "2026-05-27"}],
}


def _with(*records: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["accountability"] = list(records)
    return data


def _record(**over: Any) -> dict[str, Any]:
    return {"id": "A-1", "kind": "criticism", "unit": "transport", "date": "2026-06-01",
            "reason": "督办通知逾期未回复", **over}


def _problems(*records: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(PortfolioError) as caught:
        parse_portfolio(_with(*records), today=TODAY)
    return {p.where: p.message for p in caught.value.problems}


def test_a_good_record_loads_with_both_spellings_of_its_kind_and_dumps_back() -> None:
    """criticism / 通报批评 and accountability / 问责 load; the dump reads back as the same."""
    p = parse_portfolio(_with(_record(notice="N-1"), _record(id="A-2", kind="问责", person="wang",
                                                             complaint="C-1")),
                        today=TODAY)
    assert p.accountability == (
        Accountability("A-1", "criticism", "transport", dt.date(2026, 6, 1), "督办通知逾期未回复", None, "N-1"),
        Accountability("A-2", "accountability", "transport", dt.date(2026, 6, 1), "督办通知逾期未回复", "wang",
                       complaint="C-1"))
    assert parse_portfolio(dump_portfolio(p), today=TODAY) == p


@pytest.mark.parametrize(("record", "where", "says"), [
    (_record(unit="transprt"), "accountability[0].unit", 'did you mean "transport"'),
    (_record(kind="accountability"), "accountability[0].person", "names the official"),
    (_record(kind="warning"), "accountability[0].kind", "unknown kind"),
    (_record(person="zhao"), "accountability[0].person", 'no person "zhao"'),
    (_record(person="li"), "accountability[0].person", "works in housing, not transport"),
    (_record(notice="N-2"), "accountability[0].notice", 'no notice "N-2"'),
    (_record(unit="housing", person="li", notice="N-1"), "accountability[0].notice",
     "addressed to transport, not housing"),
    (_record(date="2026-05-01", notice="N-1"), "accountability[0].notice", "a cause comes before"),
    (_record(reason="   "), "accountability[0].reason", 'missing field "reason"'),
    (_record(reason=None), "accountability[0].reason", 'missing field "reason"'),
    (_record(date="2026-12-02"), "accountability[0].date", "later than today"),
    (_record(date="2026-02-30"), "accountability[0].date", "has 28 days"),
    (_record(date=None), "accountability[0].date", 'missing field "date"'),
    (_record(id=""), "accountability[0].id", 'missing field "id"'),
    (_record(cause="N-1"), "accountability[0]", 'unknown field "cause"'),
    (_record(reason="事由\u202e"), "accountability[0].reason", "bidirectional"),
    (_record(complaint="C-9"), "accountability[0].complaint", 'no complaint "C-9"'),
    (_record(unit="housing", complaint="C-1"), "accountability[0].complaint", "routed to transport, not housing"),
    (_record(date="2026-05-19", complaint="C-1"), "accountability[0].complaint", "a cause comes before"),
])
def test_each_bad_record_is_refused_at_its_place(record: dict[str, Any], where: str, says: str) -> None:
    """Every load-time check of the contract, each at its field with what would be right."""
    found = _problems(record)
    assert where in found, found
    assert says in found[where]


def test_a_repeated_id_is_refused_at_the_second_record() -> None:
    """Two records with one id: the second is the problem."""
    found = _problems(_record(), _record(reason="另一事由"))
    assert list(found) == ["accountability[1].id"]
    assert "already used" in found["accountability[1].id"]


def test_records_count_from_their_date_and_a_criticism_naming_a_person_is_no_accountability() -> None:
    """Dated after the as-of day: not counted; on the day: counted; a criticism naming a person
    counts for the unit only; a 问责 counts for the person and their unit once."""
    records = (
        Accountability("A-1", "criticism", "transport", dt.date(2026, 6, 1), "r"),
        Accountability("A-2", "criticism", "housing", dt.date(2026, 6, 1), "r", person="li"),
        Accountability("A-3", "accountability", "transport", dt.date(2026, 6, 10), "r", person="wang"),
        Accountability("A-4", "accountability", "housing", dt.date(2026, 7, 1), "r", person="li"),
    )
    people = {"wang": "transport", "li": "housing"}
    before = counts(records, people, dt.date(2026, 5, 31))
    assert (dict(before.criticisms), dict(before.unit_accountabilities), dict(before.person_accountabilities)) \
        == ({}, {}, {})
    on = counts(records, people, dt.date(2026, 6, 10))
    assert dict(on.criticisms) == {"transport": 1, "housing": 1}
    assert dict(on.unit_accountabilities) == {"transport": 1}
    assert dict(on.person_accountabilities) == {"wang": 1}
    later = counts(records, people, dt.date(2026, 7, 1))
    assert dict(later.unit_accountabilities) == {"transport": 1, "housing": 1}
    assert dict(later.person_accountabilities) == {"wang": 1, "li": 1}


def test_a_person_moved_to_another_unit_counts_for_the_unit_named_and_their_unit_once_each() -> None:
    """A 问责 of a person now of another unit counts for the record's unit and the person's."""
    records = (Accountability("A-1", "accountability", "transport", dt.date(2026, 6, 1), "r", person="li"),)
    got = counts(records, {"li": "housing"}, TODAY)
    assert dict(got.unit_accountabilities) == {"transport": 1, "housing": 1}


def test_the_language_counts_them_as_of_the_day() -> None:
    """u.criticisms, u.accountabilities and x.accountabilities through the engine, replayed."""
    p = parse_portfolio(_with(_record(), _record(id="A-2", kind="问责", person="wang", date="2026-06-10"),
                              _record(id="A-3", unit="housing", person="li", date="2026-07-01")),
                        today=TODAY)
    book = compile_rulebook({"s.rules": "score c for unit u: u.criticisms\n"
                                        "score a for unit u: u.accountabilities\n"
                                        "score x for person x: x.accountabilities\n"
                                        "score 中 for unit u: u.通报批评次数 + u.问责次数\n"})

    def scores(day: dt.date) -> dict[str, dict[str, float | None]]:
        ev = evaluate(book, p, day)
        return {name: {r.unit: r.value for r in rows} for name, rows in ev.scores.items()}

    assert scores(dt.date(2026, 5, 31)) == {"c": {"transport": 0, "housing": 0}, "a": {"transport": 0, "housing": 0},
                                            "x": {"wang": 0, "li": 0}, "中": {"transport": 0, "housing": 0}}
    assert scores(dt.date(2026, 6, 10)) == {"c": {"transport": 1, "housing": 0}, "a": {"transport": 1, "housing": 0},
                                            "x": {"wang": 1, "li": 0}, "中": {"transport": 2, "housing": 0}}
    assert scores(TODAY)["c"] == {"transport": 1, "housing": 1}
    assert scores(TODAY)["x"] == {"wang": 1, "li": 0}  # A-3 is a criticism that names li


def test_replay_drops_the_records_made_after_the_day() -> None:
    """as_of keeps the records dated by the day, and the portfolio itself when all are."""
    p = parse_portfolio(_with(_record(), _record(id="A-2", date="2026-07-01")), today=TODAY)
    assert [r.id for r in as_of(p, dt.date(2026, 6, 30)).accountability] == ["A-1"]
    assert as_of(p, TODAY) is p


def test_a_new_record_gets_the_next_id_and_every_problem_at_its_key() -> None:
    """The server's check: an id is made when none is given; problems come at plain keys."""
    p = parse_portfolio(_with(_record(id="A-2026-001")), today=TODAY)
    made = check_new(p, {"kind": "问责", "unit": "transport", "person": "wang", "date": "2026-11-30",
                         "reason": "红牌未整改", "notice": "N-1"}, TODAY)
    assert made.id == "A-2026-002" and made.kind == accountability.ACCOUNTABILITY
    with pytest.raises(PortfolioError) as caught:
        check_new(p, {"kind": "accountability", "unit": "nowhere", "date": "2027-01-01", "reason": ""}, TODAY)
    assert {x.where for x in caught.value.problems} == {"unit", "person", "date", "reason"}
    assert all(x.zh for x in caught.value.problems)
