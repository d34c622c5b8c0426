"""One validator per catalogued field: the same check, and the same words, for a portfolio file,
a model milestone sent through the API and the owner's report form."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from api.web.forms import parse_report
from projects.catalogue import MILESTONE, field
from projects.checks import parse_portfolio
from projects.errors import PortfolioError
from projects.fields import Fields
from projects.model import Kind, Milestone
from projects.validation import CHECKS, compiled, field_check, milestone_problems, record_reader

TODAY = dt.date(2026, 6, 15)


def _file(**fields: Any) -> dict[str, Any]:
    return {"units": [{"id": "u", "name": "单位"}],
            "projects": [{"id": "P1", "name": "项目", "unit": "u",
                          "milestones": [{"id": "m", "kind": "approval", **fields}]}]}


def _file_problems(**fields: Any) -> list[str]:
    try:
        parse_portfolio(_file(**fields), today=TODAY)
    except PortfolioError as exc:
        return [f"{p.where}: {p.message}" for p in exc.problems]
    return []


def _api_problems(**fields: Any) -> list[str]:
    m = replace(Milestone("P1", "m", "节点", Kind.APPROVAL), **fields)
    return [f"{p.where}: {p.message}" for p in milestone_problems(m, TODAY, {"u": object()})]


@pytest.mark.parametrize(("fields", "message"), [
    ({"due": dt.date(1926, 4, 30)}, "1926-04-30 is not a plausible date; give one in 1990..2100"),
    ({"finished": dt.date(2101, 1, 1)}, "2101-01-01 is not a plausible date; give one in 1990..2100"),
    ({"name": "x" * 201}, "is 201 characters long; at most 200 are kept"),
    ({"name": "   "}, "a name cannot be blank; give the name people read"),
    ({"note": "付款 \u202e00001 元"}, "contains the bidirectional control character U+202E at position 4"),
    ({"name": "a\x00b"}, "contains the control character U+0000 at position 2"),
    ({"paid": float("inf")}, "inf is not a finite amount; write yuan as a number"),
    ({"amount": -5.0}, "-5.0 is negative; amounts are yuan, 0 or more"),
    ({"paid": 1e20}, "1e+20 is more than any real amount; amounts are yuan, below 10^15"),
    ({"amount": 10 ** 15}, "1000000000000000 is more than any real amount"),
    ({"progress": 35.0}, "35.0 is outside 0..1; write 35% or 0.35"),
    ({"start": dt.date(2026, 5, 2), "finished": dt.date(2026, 5, 1)},
     "start 2026-05-02 is after finished 2026-05-01; a milestone cannot finish before it starts"),
    ({"finished": dt.date(2026, 6, 16)}, "2026-06-16 is later than today (2026-06-15); a milestone cannot be finished"),
])
def test_a_file_and_the_api_refuse_the_same_value_with_the_same_words(fields: dict[str, Any], message: str) -> None:
    """The file loader and the API's report check run the same compiled field check."""
    (in_file,) = _file_problems(**fields)
    (in_api,) = _api_problems(**fields)
    assert in_file.startswith("projects[0].milestones[0].") and message in in_file
    assert in_api.startswith("milestone P1/m.") and message in in_api
    assert in_file.split(": ", 1)[1] == in_api.split(": ", 1)[1]


def test_an_integer_too_large_for_a_float_is_a_problem_not_a_crash() -> None:
    (problem,) = _file_problems(amount=10 ** 400)
    assert "is not a finite amount" in problem and problem.startswith("projects[0].milestones[0].amount")


def test_the_largest_amount_below_the_bound_is_kept_whole() -> None:
    """Just below ``AMOUNT_MAX`` an amount is still kept, to the yuan; the bound itself is not."""
    assert _file_problems(amount=999_999_999_999_999) == []
    assert _file_problems(amount=999_999_999_999_999.0) == []
    (problem,) = _file_problems(amount=1e15)
    assert problem.startswith("projects[0].milestones[0].amount: 1000000000000000.0 is more than any real amount")


def test_an_id_longer_than_its_column_is_refused() -> None:
    (problem,) = _file_problems(after=None, id="m" * 65)
    assert problem == "projects[0].milestones[0].id: id is 65 characters long; at most 64"


def test_every_problem_of_a_report_is_collected_with_its_place() -> None:
    found = _api_problems(name="", paid=-1.0, due=dt.date(3026, 1, 1), unit="uu")
    assert [p.split(":", 1)[0] for p in found] == [
        "milestone P1/m.name", "milestone P1/m.due", "milestone P1/m.paid", "milestone P1/m.unit"]


def test_problems_carry_chinese_first() -> None:
    m = replace(Milestone("P1", "m", "节点", Kind.APPROVAL), finished=dt.date(2026, 7, 1))
    (p,) = milestone_problems(m, TODAY, {})
    assert p.zh and "晚于今天" in p.zh and p.bilingual().startswith(p.zh + " — ")


def test_the_report_form_uses_the_same_checks_in_both_languages() -> None:
    zh = parse_report({"progress": "150", "finished": "2026-06-16", "start": "1980-01-01"}, TODAY)[1]
    en = parse_report({"progress": "150", "finished": "2026-06-16", "start": "1980-01-01"}, TODAY, lang="en")[1]
    assert set(zh) == set(en) == {"progress", "finished", "start"}
    assert "0 到 100" in zh["progress"] and "晚于今天" in zh["finished"] and "1990" in zh["start"]
    assert "0..100%" in en["progress"] and "later than today" in en["finished"]


def test_the_fast_test_and_the_slow_check_agree_on_valid_values() -> None:
    """A value the inline test keeps is one the slow check would keep unchanged."""
    samples = {"date": dt.date(2026, 1, 1), "ratio": 0.5, "yuan": 12.5, "text": "好", "id": "P-1", "workdays": 6, "flag": False}
    for f in MILESTONE:
        c = compiled(f)
        if c is None or c.fast is None:
            continue
        value = samples[f.type]
        assert eval(c.fast.format(v="value"), {"_Date": dt.date, "_EARLIEST": dt.date(1990, 1, 1),
                                               "_LATEST": dt.date(2100, 12, 31), "_INF": float("inf"),
                                               "_AMOUNT_MAX": 1e15,
                                               "value": value}), f.name
        problems = Fields()
        assert c.slow(value, problems, "w") == value and not problems.problems


def test_a_record_reader_skips_rules_about_fields_it_does_not_read() -> None:
    read = record_reader((field("milestone", "finished"),), ())
    f = Fields()
    assert read({"finished": "2026-06-01"}.get, f, "w", TODAY) == {"finished": dt.date(2026, 6, 1)}
    assert field_check(field("milestone", "after")) is None
    assert CHECKS["kind"]("招标", f, "w") is Kind.TENDERING and not f.problems


@pytest.mark.parametrize(("change", "where", "message"), [
    (lambda d: d["units"][0].update(name="单" * 201), "units[0].name", "is 201 characters long; at most 200"),
    (lambda d: d["projects"][0].update(budget=float("nan")), "projects[0].budget", "is not a finite amount"),
    (lambda d: d["projects"][0].update(name="  "), "projects[0].name", "a name cannot be blank"),
    (lambda d: d.update(notices=[{"id": "N1", "title": "通知", "unit": "u", "issued": dt.date(1989, 12, 31),
                                  "due": dt.date(2026, 5, 1)}]),
     "notices[0].issued", "1989-12-31 is not a plausible date; give one in 1990..2100"),
])
def test_units_projects_and_notices_use_the_same_field_checks(change: Any, where: str, message: str) -> None:
    data = _file()
    change(data)
    with pytest.raises(PortfolioError) as caught:
        parse_portfolio(data, today=TODAY)
    (problem,) = caught.value.problems
    assert problem.where == where and message in problem.message


@pytest.mark.parametrize("value", [-3, 2.5, True, "6", 100_001, float("nan")])
def test_a_schedule_slip_is_a_whole_number_of_working_days(value: object) -> None:
    """计划推迟 is set by a schedule import; a file that writes one by hand must give 0..100000."""
    c = compiled(field("milestone", "schedule_slip"))
    assert c is not None
    f = Fields()
    c.closure()(value, f, "projects[0].milestones[0]")
    assert [p.where for p in f.problems] == ["projects[0].milestones[0].schedule_slip"]
    assert "工作日" in (f.problems[0].zh or "") and "whole number from 0 to 100000" in f.problems[0].message
    ok = Fields()
    assert c.closure()(7.0, ok, "w") == 7 and c.closure()(0, ok, "w") == 0 and not ok.problems


def test_a_choice_declared_in_the_catalogue_reads_either_spelling_and_lists_both() -> None:
    """An accountability record's kind is the catalogue's ``choices``: its one check reads the
    word or its Chinese, in a file, a form or the API alike, and a wrong one lists them."""
    kind = field("accountability", "kind")
    check = field_check(kind)
    assert check is not None
    f = Fields()
    assert check("问责", f, "w") == "accountability" and check(" Criticism ", f, "w") == "criticism"
    assert not f.problems
    check("warning", f, "accountability[0]")
    (problem,) = f.problems
    assert problem.where == "accountability[0].kind"
    assert problem.message == 'unknown kind "warning"; write one of criticism (通报批评), accountability (问责)'
    assert problem.zh == "没有「warning」这一项，请写 criticism (通报批评)、accountability (问责) 之一"
    read = record_reader((kind,))
    assert read({"kind": "通报批评"}.get, Fields(), "w", TODAY) == {"kind": "criticism"}
