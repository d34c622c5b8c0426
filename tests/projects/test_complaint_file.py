"""Complaints in portfolio files (issue 13): the contract's example loads, every load-time check
of ``supervision.md`` gives one message at its place with what would be right, the file is
refused whole, the dump round-trips, and as-of replay follows the complaint's days."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from projects.errors import PortfolioError
from projects.loader import dump_portfolio, parse_portfolio
from projects.model import Complaint, ComplaintKind, Rating
from projects.replay import as_of

TODAY = dt.date(2026, 7, 1)
CONTRACT = Path("/work/shared/design/supervision.md")


def base() -> dict[str, Any]:
    return {
        "units": [{"id": "transport", "name": "市交通运输局"}, {"id": "water", "name": "市水务局"}],
        "projects": [{"id": "P001", "name": "海东大道改造工程", "unit": "transport",
                      "milestones": [{"id": "m1", "kind": "progress", "due": "2026-09-30"}]}],
        "complaints": [
            {"id": "C-2026-0001", "title": "道路施工夜间噪音扰民", "kind": "complaint", "unit": "transport",
             "project": "P001", "received": "2026-05-06", "due": "2026-05-13", "responded": "2026-05-12",
             "rating": "satisfied", "rated": "2026-05-14"},
            {"id": "C-2026-0002", "title": "停水安排", "kind": "咨询", "unit": "water",
             "received": "2026-05-07", "due": "2026-05-11"},
        ],
    }


def test_the_contracts_example_complaint_loads_as_written() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", CONTRACT.read_text(encoding="utf-8"), re.S)
    (entry,) = yaml.safe_load(blocks[0])["complaints"]
    data = base()
    data["complaints"] = [entry]
    (c,) = parse_portfolio(data, today=TODAY).complaints
    assert c == Complaint("C-2026-0001", "道路施工夜间噪音扰民", "transport", dt.date(2026, 5, 6),
                          dt.date(2026, 5, 13), ComplaintKind.COMPLAINT, "P001", dt.date(2026, 5, 12),
                          Rating.SATISFIED, dt.date(2026, 5, 14))


def test_every_field_loads_and_the_kind_defaults_to_a_complaint() -> None:
    data = base()
    del data["complaints"][0]["kind"]
    a, b = parse_portfolio(data, today=TODAY).complaints
    assert a.kind is ComplaintKind.COMPLAINT and b.kind is ComplaintKind.CONSULTATION
    assert (b.project, b.responded, b.rating, b.rated) == (None, None, None, None)


def test_dump_round_trips_every_field() -> None:
    p = parse_portfolio(base(), today=TODAY)
    dumped = dump_portfolio(p)["complaints"]
    assert dumped[1] == {"id": "C-2026-0002", "title": "停水安排", "kind": "consultation", "unit": "water",
                         "received": dt.date(2026, 5, 7), "due": dt.date(2026, 5, 11)}
    assert parse_portfolio(dump_portfolio(p), today=TODAY) == p


def _set(path: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        item = data["complaints"][0]
        if value is None:
            del item[path]
        else:
            item[path] = value
    return change


@pytest.mark.parametrize(("change", "where", "words"), [
    (_set("unit", "transprt"), "complaints[0].unit", 'no unit "transprt"; did you mean "transport"?'),
    (_set("project", "P01"), "complaints[0].project", 'no project "P01"; did you mean "P001"?'),
    (_set("unit", None), "complaints[0]", 'missing field "unit"'),
    (_set("received", None), "complaints[0]", 'missing field "received": the day the complaint was received'),
    (_set("due", None), "complaints[0]", 'missing field "due"'),
    (_set("title", "  "), "complaints[0].title", "a title cannot be blank"),
    (_set("kind", "complain"), "complaints[0].kind", 'unknown complaint kind "complain"; did you mean "complaint"?'),
    (_set("rating", "good"), "complaints[0].rating", "write one of satisfied (满意), basically_satisfied (基本满意), dissatisfied (不满意)"),
    (_set("responded", "2026-05-05"), "complaints[0].responded", "a complaint cannot be answered before it was received"),
    (_set("due", "2026-05-01"), "complaints[0].due", "the response deadline (due) cannot come before the complaint was received"),
    (_set("rated", "2026-05-11"), "complaints[0].rated", "rated cannot come before responded"),
    (_set("rated", None), "complaints[0].rated", "a rating needs the day it was given: add rated"),
    (_set("rating", None), "complaints[0].rating", "a rated day needs its rating"),
    (_set("received", "2026-07-02"), "complaints[0].received", "a complaint cannot be received in the future"),
    (_set("mood", "angry"), "complaints[0]", 'unknown field "mood"'),
])
def test_each_mistake_gives_one_message_with_its_place_and_nothing_loads(change: Any, where: str, words: str) -> None:
    data = copy.deepcopy(base())
    change(data)
    with pytest.raises(PortfolioError) as err:
        parse_portfolio(data, today=TODAY)
    (problem,) = err.value.problems
    assert problem.where == where and words in problem.message, problem
    assert problem.zh  # said in Chinese too


def test_a_rating_of_an_unanswered_complaint_and_a_repeated_id_are_refused_together() -> None:
    data = base()
    data["complaints"][1].update(rating="不满意", rated="2026-05-12")
    data["complaints"].append(dict(data["complaints"][0]))
    with pytest.raises(PortfolioError) as err:
        parse_portfolio(data, today=TODAY)
    assert [(p.where, p.message.split(";")[0]) for p in err.value.problems] == [
        ("complaints[1].rated", "only an answered complaint can be rated: add responded (the day it was answered) or leave rating and rated out"),
        ("complaints[2].id", 'duplicate complaint id "C-2026-0001" (first at complaints[0])'),
    ]


def test_a_file_without_units_reports_no_complaint_unit_as_unknown() -> None:
    """One mistake, one message: a units list that cannot be read does not make every
    complaint's unit unknown."""
    data = base()
    data["units"] = "transport"
    with pytest.raises(PortfolioError) as err:
        parse_portfolio(data, today=TODAY)
    assert [p.where for p in err.value.problems if p.where.startswith("complaints")] == []


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2026, 5, 5), []),  # received after the day: it does not exist
    (dt.date(2026, 5, 6), [("C-2026-0001", None, None, None)]),
    (dt.date(2026, 5, 12), [("C-2026-0001", dt.date(2026, 5, 12), None, None),
                            ("C-2026-0002", None, None, None)]),
    (dt.date(2026, 5, 14), [("C-2026-0001", dt.date(2026, 5, 12), Rating.SATISFIED, dt.date(2026, 5, 14)),
                            ("C-2026-0002", None, None, None)]),
])
def test_as_of_a_day_only_what_was_known_then(day: dt.date, expected: list[tuple[Any, ...]]) -> None:
    p = parse_portfolio(base(), today=TODAY)
    assert [(c.id, c.responded, c.rating, c.rated) for c in as_of(p, day).complaints] == expected
    assert as_of(p, TODAY) is p  # nothing to undo: the same portfolio
