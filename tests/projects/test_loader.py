"""Loading and checking portfolio files: every kind of problem, with its place and its fix."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from projects.errors import PortfolioError, Problem
from projects.loader import dump_portfolio, load_portfolio, parse_portfolio
from projects.model import Category, Dependency, Kind, Level

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 6, 15)


def base() -> dict[str, Any]:
    """A small valid portfolio in the file's shape."""
    return {
        "units": [
            {"id": "city", "name": "市人民政府"},
            {"id": "transport", "name": "市交通运输局", "parent": "city"},
            {"id": "water", "name": "市水务局", "parent": "city"},
        ],
        "projects": [
            {"id": "P001", "name": "海东大道改造工程", "category": "project", "unit": "transport",
             "milestones": [
                 {"id": "approval", "kind": "approval", "due": "2026-02-10"},
                 {"id": "tender", "kind": "tendering", "due": "2026-04-30", "after": ["approval"]},
                 {"id": "contract", "kind": "contract", "due": "2026-05-20", "after": ["tender"]},
             ]},
            {"id": "P002", "name": "城北水厂", "category": "project", "unit": "water",
             "milestones": [
                 {"id": "design", "kind": "approval", "due": "2026-03-01"},
                 {"id": "pipes", "kind": "progress", "due": "2026-09-01", "after": ["design"]},
             ]},
        ],
        "notices": [
            {"id": "N1", "title": "招标逾期督办", "unit": "transport", "issued": "2026-05-06",
             "due": "2026-05-11"},
        ],
    }


def problems(data: Any) -> list[str]:
    with pytest.raises(PortfolioError) as info:
        parse_portfolio(data, today=TODAY)
    return [str(p) for p in info.value.problems]


def one(data: Any) -> str:
    found = problems(data)
    assert len(found) == 1, found
    return found[0]


def milestone(data: dict[str, Any], i: int, j: int) -> dict[str, Any]:
    return data["projects"][i]["milestones"][j]  # type: ignore[no-any-return]


# -- what loads -----------------------------------------------------------------------------------


def test_the_format_example_loads_with_its_values() -> None:
    """The example of portfolio-format.md loads: dates, 35% as 0.35, amounts as floats, names."""
    p = load_portfolio(DATA / "example.yaml", today=TODAY)
    build = p.project_by_id["P001"].milestones[4]
    assert build.progress == 0.35
    assert build.unit == "contractor-x"
    assert build.name == "build"  # the id when no name is given
    assert build.after == (Dependency("contract"),)
    assert p.project_by_id["P001"].budget == 120000000.0
    assert p.project_by_id["P001"].milestones[0].finished == dt.date(2026, 2, 8)
    assert p.unit_by_id["transport"].contacts == ("mailto://jt@gov.example", "wecombot://KEY")
    assert p.notices[0].level is Level.YELLOW
    assert p.notices[0].responded == dt.date(2026, 5, 12)
    assert p.unit_by_id["city"].name == "市人民政府"


def test_json_and_yaml_files_load_the_same_portfolio(tmp_path: Path) -> None:
    """A JSON file with the same data loads to the same portfolio as the YAML file."""
    p = load_portfolio(DATA / "example.yaml", today=TODAY)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(dump_portfolio(p), ensure_ascii=False, default=str), encoding="utf-8")
    assert load_portfolio(path, today=TODAY) == p


def test_dump_round_trips_through_parse() -> None:
    """``dump_portfolio`` is the inverse of ``parse_portfolio``, lags and cross edges included."""
    data = base()
    milestone(data, 1, 1)["after"] = ["design", {"project": "P001", "id": "contract", "lag": "5 workdays"}]
    milestone(data, 0, 0).update(finished="2026-02-08", progress="100%", amount=3.5, paid=1)
    data["calendar_years"] = [{"year": 2031, "holidays": ["2031-01-01"], "workdays": []}]
    p = parse_portfolio(data, today=TODAY)
    assert parse_portfolio(dump_portfolio(p), today=TODAY) == p
    assert dump_portfolio(p)["projects"][1]["milestones"][1]["after"] == [
        "design", {"project": "P001", "id": "contract", "lag": "5 workdays"}]


def test_kinds_and_categories_accept_chinese_words() -> None:
    """``kind: 招标`` and ``category: 重点工作`` read as the same kinds as the English words."""
    data = base()
    milestone(data, 0, 1)["kind"] = "招标"
    data["projects"][1]["category"] = "重点工作"
    p = parse_portfolio(data, today=TODAY)
    assert p.projects[0].milestones[1].kind is Kind.TENDERING
    assert p.projects[1].category is Category.TASK


def test_category_is_optional_and_defaults_to_project() -> None:
    """Version 2: a project without ``category`` is a 重点项目; a wrong one is still refused."""
    data = base()
    del data["projects"][0]["category"]
    data["projects"][1]["category"] = "task"
    p = parse_portfolio(data, today=TODAY)
    assert (p.projects[0].category, p.projects[1].category) == (Category.PROJECT, Category.TASK)
    data["projects"][1]["category"] = None
    assert parse_portfolio(data, today=TODAY).projects[1].category is Category.PROJECT


@pytest.mark.parametrize(("written", "ratio"), [("35%", 0.35), (0.35, 0.35), (1, 1.0), (0, 0.0), ("0.5", 0.5)])
def test_progress_forms(written: object, ratio: float) -> None:
    """Progress may be written as 35%, 0.35 or a number from 0 to 1; it becomes a ratio."""
    data = base()
    milestone(data, 0, 0)["progress"] = written
    assert parse_portfolio(data, today=TODAY).projects[0].milestones[0].progress == pytest.approx(ratio)


@pytest.mark.parametrize(("written", "dep"), [
    ({"id": "approval", "lag": 5}, Dependency("approval", 5)),
    ({"id": "approval", "lag": "3 workdays"}, Dependency("approval", 3)),
    ("P002/design", Dependency("design", 0, "P002")),
    ({"project": "P002", "id": "design"}, Dependency("design", 0, "P002")),
    ("P001/approval", Dependency("approval")),
])
def test_after_forms(written: object, dep: Dependency) -> None:
    """An ``after`` entry is an id, a mapping with a lag in workdays, or a cross-project reference."""
    data = base()
    milestone(data, 0, 1)["after"] = [written]
    assert parse_portfolio(data, today=TODAY).projects[0].milestones[1].after == (dep,)


def test_date_objects_and_iso_strings_both_read_as_dates() -> None:
    """A ``datetime.date`` (from a YAML reader) and an ISO string are both dates."""
    data = base()
    milestone(data, 0, 0)["due"] = dt.date(2026, 2, 10)
    milestone(data, 0, 1)["due"] = "2026-04-30"
    ms = parse_portfolio(data, today=TODAY).projects[0].milestones
    assert (ms[0].due, ms[1].due) == (dt.date(2026, 2, 10), dt.date(2026, 4, 30))


# -- one problem, one message ------------------------------------------------------------------


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: milestone(d, 0, 1).update(after=["tendr"]),
     'projects[0].milestones[1].after: no milestone "tendr" in P001; did you mean "tender"?'),
    (lambda d: milestone(d, 0, 1).update(dew="2026-05-01"),
     'projects[0].milestones[1]: unknown field "dew"; did you mean "due"?'),
    (lambda d: milestone(d, 0, 1).update(kind="tenderin"),
     'projects[0].milestones[1].kind: unknown kind "tenderin"; did you mean "tendering"?'),
    (lambda d: milestone(d, 0, 1).update(kind="招"),
     'projects[0].milestones[1].kind: unknown kind "招"; did you mean "招标"?'),
    (lambda d: milestone(d, 0, 1).update(kind="xyz"),
     'projects[0].milestones[1].kind: unknown kind "xyz"; write one of approval, tendering, contract, progress, supervision, safety, funds, completion'),
    (lambda d: d["projects"][0].update(category="projet"),
     'projects[0].category: unknown category "projet"; did you mean "project"?'),
    (lambda d: d["projects"][0].update(unit="transprt"),
     'projects[0].unit: no unit "transprt"; did you mean "transport"?'),
    (lambda d: milestone(d, 0, 1).update(unit="watr"),
     'projects[0].milestones[1].unit: no unit "watr"; did you mean "water"?'),
    (lambda d: d["units"][2].update(parent="citi"),
     'units[2].parent: no unit "citi"; did you mean "city"?'),
    (lambda d: d["notices"][0].update(unit="transportt"),
     'notices[0].unit: no unit "transportt"; did you mean "transport"?'),
    (lambda d: d.update(calendar="weekday"),
     'calendar: unknown calendar "weekday"; did you mean "weekdays"?'),
    (lambda d: d.update(unitz=[]),
     'unknown top-level field "unitz"; did you mean "units"?'),
    (lambda d: milestone(d, 0, 1).update(due="2026-02-30"),
     'projects[0].milestones[1].due: "2026-02-30" is not a date; 2026-02 has 28 days; write an ISO date like 2026-02-28'),
    (lambda d: milestone(d, 0, 1).update(due="next week"),
     'projects[0].milestones[1].due: "next week" is not a date; write an ISO date like 2026-04-30'),
    (lambda d: milestone(d, 0, 1).update(finished="2026-06-16"),
     "projects[0].milestones[1].finished: 2026-06-16 is later than today (2026-06-15); a milestone cannot be finished in the future; leave finished out until it is done"),
    (lambda d: milestone(d, 0, 1).update(updated="2026-07-01"),
     "projects[0].milestones[1].updated: 2026-07-01 is later than today (2026-06-15); the last report cannot come from the future"),
    (lambda d: d["notices"][0].update(responded="2026-06-20"),
     "notices[0].responded: 2026-06-20 is later than today (2026-06-15); a response cannot come from the future; leave responded out until it comes"),
    (lambda d: milestone(d, 0, 1).update(amount=-5),
     "projects[0].milestones[1].amount: -5 is negative; amounts are yuan, 0 or more"),
    (lambda d: milestone(d, 0, 1).update(paid="lots"),
     'projects[0].milestones[1].paid: "lots" is not an amount; write yuan as a number, e.g. 30000000'),
    (lambda d: d["projects"][0].update(budget=-1),
     "projects[0].budget: -1 is negative; amounts are yuan, 0 or more"),
    (lambda d: milestone(d, 0, 1).update(progress="135%"),
     "projects[0].milestones[1].progress: 135% is outside 0..100%; write a share such as 35% or 0.35"),
    (lambda d: milestone(d, 0, 1).update(progress=-0.1),
     "projects[0].milestones[1].progress: -0.1 is outside 0..100%; write a share such as 35% or 0.35"),
    (lambda d: milestone(d, 0, 1).update(progress=35),
     "projects[0].milestones[1].progress: 35 is outside 0..1; write 35% or 0.35"),
    (lambda d: milestone(d, 0, 1).update(start="2026-05-01"),
     "projects[0].milestones[1].start: start 2026-05-01 is after due 2026-04-30; a milestone must start on or before its due date"),
    (lambda d: d["units"].append({"id": "water", "name": "重复"}),
     'units[3].id: duplicate unit id "water" (first at units[2]); give each unit its own id'),
    (lambda d: d["projects"].append({"id": "P001", "name": "x", "category": "task", "unit": "city"}),
     'projects[2].id: duplicate project id "P001" (first at projects[0]); give each project its own id'),
    (lambda d: d["projects"][0]["milestones"].append({"id": "tender", "kind": "contract"}),
     'projects[0].milestones[3].id: duplicate milestone id "tender" (first at projects[0].milestones[1]); give each milestone its own id'),
    (lambda d: d["notices"].append(dict(d["notices"][0])),
     'notices[1].id: duplicate notice id "N1" (first at notices[0]); give each notice its own id'),
    (lambda d: d["projects"][0].pop("unit"),
     'projects[0]: missing field "unit": the id of the responsible unit'),
    (lambda d: d["units"][1].pop("name"),
     'units[1]: missing field "name": the name people read, e.g. 海东大道改造工程'),
    (lambda d: milestone(d, 0, 1).pop("kind"),
     'projects[0]: missing field "kind": one of approval, tendering, contract, progress, supervision, safety, funds, completion'.replace("projects[0]", "projects[0].milestones[1]")),
    (lambda d: d["notices"][0].pop("issued"),
     'notices[0]: missing field "issued": the date the notice was issued, e.g. 2026-05-06'),
    (lambda d: d["projects"][0].update(name=["a", "b"]),
     "projects[0].name: expected text, not a list"),
    (lambda d: d["projects"][0].update(milestones={"id": "x"}),
     "projects[0].milestones: milestones must be a list of milestones, not a mapping"),
    (lambda d: milestone(d, 1, 1).update(after=["contract"]),
     "projects[1].milestones[1].after: milestone contract is in project P001; declare a cross-project dependency as {project: P001, id: contract}"),
    (lambda d: milestone(d, 1, 1).update(after=["P01/contract"]),
     'projects[1].milestones[1].after: no project "P01"; did you mean "P001"?'),
    (lambda d: milestone(d, 1, 1).update(after=[{"project": "P001", "id": "contrat"}]),
     'projects[1].milestones[1].after: no milestone "contrat" in P001; did you mean "contract"?'),
    (lambda d: milestone(d, 0, 1).update(after=[{"id": "approval", "lag": "5 days"}]),
     'projects[0].milestones[1].after.lag: lag "5 days": lags count working days; write "5 workdays"'),
    (lambda d: milestone(d, 0, 1).update(after=[{"id": "approval", "lag": "2 weeks"}]),
     'projects[0].milestones[1].after.lag: lag "2 weeks" is not a number of working days; write e.g. "5 workdays"'),
    (lambda d: milestone(d, 0, 1).update(after=[{"id": "approval", "type": "FX"}]),
     'projects[0].milestones[1].after.type: unknown link type "FX"; write one of FS, SS, FF, SF'),
    (lambda d: milestone(d, 0, 1).update(after=[{"id": "approval", "type": 3}]),
     "projects[0].milestones[1].after.type: the number 3 is not a link type; write one of FS, SS, FF, SF"),
    (lambda d: milestone(d, 0, 1).update(after=[{"id": "approval", "lagg": 2}]),
     'projects[0].milestones[1].after: unknown field "lagg"; did you mean "lag"?'),
    (lambda d: milestone(d, 0, 0).update(after=["contract"]),
     "projects[0].milestones[0].after: dependency cycle approval -> tender -> contract -> approval; remove one of these after entries"),
    (lambda d: d["units"][0].update(parent="water"),
     "units[0].parent: unit parent cycle city -> water -> city; a unit cannot be above itself"),
    (lambda d: d["notices"][0].update(level="orange"),
     'notices[0].level: unknown level "orange"; write one of green, blue, yellow, red'),
    (lambda d: d["notices"][0].update(due="2026-05-01"),
     "notices[0].due: due 2026-05-01 is before issued 2026-05-06; a response is due on or after the day the notice is issued"),
    (lambda d: d["units"][1].update(contacts=["jt@gov.example"]),
     "units[1].contacts[0]: not an Apprise URL (scheme://...); write e.g. mailto://jt@transport.example"),
    (lambda d: milestone(d, 0, 1).update(id="a/b"),
     'projects[0].milestones[1].id: id "a/b" contains "/", which separates project and milestone in after; use - or _'),
    (lambda d: d.update(timezone="Asia/Shanghia"),
     'timezone: no time zone "Asia/Shanghia"; did you mean "Asia/Shanghai"?'),
])
def test_each_mistake_gives_exactly_one_message(change: Any, expected: str) -> None:
    """A single mistake is reported once, at its place, with what would be right."""
    data = base()
    change(data)
    assert one(data) == expected


def test_a_dependency_cycle_across_projects_is_printed_with_project_ids() -> None:
    """A cycle through two projects prints as P001/a -> P002/b -> P001/a, at its smallest key."""
    data = base()
    milestone(data, 0, 0)["after"] = [{"project": "P002", "id": "pipes"}]
    milestone(data, 1, 0)["after"] = ["P001/contract"]
    assert one(data) == ("projects[0].milestones[0].after: dependency cycle P001/approval -> P001/tender"
                         " -> P001/contract -> P002/design -> P002/pipes -> P001/approval;"
                         " remove one of these after entries")


def test_a_milestone_after_itself_is_a_cycle() -> None:
    """``after: [tender]`` on tender itself is reported as the cycle tender -> tender."""
    data = base()
    milestone(data, 0, 1)["after"] = ["tender"]
    assert one(data) == ("projects[0].milestones[1].after: dependency cycle tender -> tender;"
                         " remove one of these after entries")


def test_an_unknown_milestone_in_after_makes_no_cycle_message() -> None:
    """A typo in ``after`` is reported once and does not also count as an edge of a cycle."""
    data = base()
    milestone(data, 0, 0)["after"] = ["contrct"]
    assert one(data).endswith('no milestone "contrct" in P001; did you mean "contract"?')


def test_a_duplicate_milestone_does_not_add_edges_that_would_close_a_cycle() -> None:
    """Only the duplicate id is reported, not a cycle through the duplicate's ``after``."""
    data = base()
    data["projects"][0]["milestones"].append({"id": "approval", "kind": "approval", "after": ["contract"]})
    assert one(data).startswith('projects[0].milestones[3].id: duplicate milestone id "approval"')


def test_a_unit_without_id_hides_references_that_may_mean_it() -> None:
    """The missing id is the one message; projects naming that unit are not flagged as well."""
    data = base()
    del data["units"][2]["id"]
    assert one(data) == 'units[2]: missing field "id": a short stable id such as P001 or tender'


def test_several_problems_are_all_reported_in_file_order_and_nothing_loads() -> None:
    """A file with many mistakes raises one error listing all of them with file and line."""
    with pytest.raises(PortfolioError) as info:
        load_portfolio(DATA / "many_problems.yaml", today=TODAY)
    found = info.value.problems
    assert len(found) == 9
    text = str(info.value)
    assert text.startswith(f"9 problems in {DATA / 'many_problems.yaml'}:\n")
    assert len(text.splitlines()) == 10
    assert [p.line for p in found] == [2, 8, 17, 21, 19, 20, 24, 33, 34]
    assert str(found[5]) == (f"{DATA / 'many_problems.yaml'}:20: projects[0].milestones[1].after:"
                             ' no milestone "tendr" in P001; did you mean "tender"?')


def test_yaml_syntax_errors_have_file_line_and_column(tmp_path: Path) -> None:
    """A YAML syntax error is one problem with its file, line and column."""
    path = tmp_path / "bad.yaml"
    path.write_text("units:\n  - id: a\n   name: b\n", encoding="utf-8")
    with pytest.raises(PortfolioError) as info:
        load_portfolio(path, today=TODAY)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column) == (str(path), 3, 4)
    assert str(problem).startswith(f"{path}:3:4: YAML syntax error: ")


def test_a_duplicate_key_in_yaml_is_located(tmp_path: Path) -> None:
    """A field written twice in one mapping is a syntax error at the second key."""
    path = tmp_path / "dup.yml"
    path.write_text("units:\n  - id: a\n    name: b\n    name: c\n", encoding="utf-8")
    with pytest.raises(PortfolioError) as info:
        load_portfolio(path, today=TODAY)
    (problem,) = info.value.problems
    assert (problem.line, problem.column) == (4, 5)
    assert "duplicate mapping key" in problem.message


def test_json_syntax_errors_have_line_and_column(tmp_path: Path) -> None:
    """A JSON syntax error is one problem with its line and column."""
    path = tmp_path / "bad.json"
    path.write_text('{"units": [\n  {"id": "a",}\n]}', encoding="utf-8")
    with pytest.raises(PortfolioError) as info:
        load_portfolio(path, today=TODAY)
    (problem,) = info.value.problems
    assert (problem.line, problem.column) == (2, 14)
    assert problem.message.startswith("JSON syntax error: ")


def test_json_problems_carry_lines(tmp_path: Path) -> None:
    """Problems in a JSON file are located at their line too."""
    data = base()
    milestone(data, 0, 1)["kind"] = "tenderin"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    with pytest.raises(PortfolioError) as info:
        load_portfolio(path, today=TODAY)
    (problem,) = info.value.problems
    assert problem.line is not None
    assert '"kind": "tenderin"' in path.read_text(encoding="utf-8").splitlines()[problem.line - 1]


def _large(tmp_path: Path, text: str, *, bom: bool = False, name: str = "big.json") -> Path:
    """``text`` as a JSON file past the size where the loader reads its bytes (whitespace after
    the document: still one document, and no problem is located past its end)."""
    from projects.loader import _DECODE_LIMIT  # noqa: PLC0415

    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8") + b" \n" * (_DECODE_LIMIT // 2 + 1))
    return path


@pytest.mark.parametrize("bom", [False, True])
def test_a_large_json_file_reads_as_json_reads_it(tmp_path: Path, bom: bool) -> None:
    """Past the size where its text is not kept, a JSON file is read from its bytes by orjson:
    the same values as ``json`` gives (texts, escapes, numbers), with or without a byte order
    mark, and the same portfolio."""
    from projects.loader import _UNREAD, _read_json_bytes, read_data  # noqa: PLC0415

    data = base()
    data["projects"][0]["name"] = "海东大道\t改造 \"一期\" é \u00e9 \U0001f6a7"
    milestone(data, 0, 0).update(progress=0.35, amount=1234567.125, paid=1e-7)
    text = json.dumps(data, ensure_ascii=True)
    path = _large(tmp_path, text, bom=bom)
    assert _read_json_bytes(path.read_bytes()) is not _UNREAD  # orjson read it
    assert read_data(path) == (json.loads(text), "")
    assert load_portfolio(path, today=TODAY) == parse_portfolio(json.loads(text), today=TODAY)


@pytest.mark.parametrize("text", [
    '{"units": [], "projects": [], "n": 123456789012345678901234567890}',  # orjson: a float
    '{"units": [], "projects": [], "n": -9223372036854775809}',
    '{"units": [], "projects": [], "n": NaN, "m": -Infinity, "o": 1e400}',
    '{"units": [], "projects": [], "s": "\\ud800"}',  # a lone surrogate
    '{"units": [], "projects": [], "n": 0.1234567890123456789}',
])
def test_a_large_json_file_that_orjson_reads_otherwise_is_read_by_json(tmp_path: Path, text: str) -> None:
    """A number of 19 digits or more, NaN, an infinity or a lone surrogate: read by ``json``,
    so the values are exactly the ones a small file of the same document gives."""
    from projects.loader import _UNREAD, _read_json_bytes, read_data  # noqa: PLC0415

    path = _large(tmp_path, text)
    assert _read_json_bytes(path.read_bytes()) is _UNREAD
    got, expected = read_data(path)[0], json.loads(text)
    assert repr(got) == repr(expected)  # NaN is not equal to itself; its repr is
    assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]


def test_large_json_files_with_bad_syntax_or_encoding_say_so_as_small_ones_do(tmp_path: Path) -> None:
    """A syntax error or bytes that are not UTF-8 in a large file: the same one problem, line
    and column as in a small file."""
    for text in ('{"units": [\n  {"id": "a",}\n]}', '{"units": [\n  {"id": "\xff"}]}'):
        raw = text.encode("latin-1") if "\xff" in text else text.encode("utf-8")
        small, large = tmp_path / "small.json", _large(tmp_path, "")
        small.write_bytes(raw)
        large.write_bytes(raw + large.read_bytes())
        said = []
        for path in (small, large):
            with pytest.raises(PortfolioError) as info:
                load_portfolio(path, today=TODAY)
            said.append([(p.message, p.line, p.column) for p in info.value.problems])
        assert said[0] == said[1]
        assert len(said[0]) == 1 and said[0][0][1] == 2, said


@pytest.mark.parametrize(("name", "content", "message"), [
    ("p.txt", b"units: []", "unknown file type '.txt'; a portfolio file ends in .yaml, .yml or .json"),
    ("p.yaml", "units: [{id: a, name: \xe5\xb8\x82}]".encode("gbk", "replace") + b"\xff\xfe", "the file is not UTF-8; save it as UTF-8"),
    ("p.yaml", b"- a\n- b\n", "a portfolio is a mapping with units and projects, not a list"),
    ("p.yaml", b"", "the portfolio is empty; it needs units and projects"),
])
def test_files_that_are_not_portfolios(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    """Wrong suffix, wrong encoding, a list or an empty file: one clear problem."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PortfolioError) as info:
        load_portfolio(path, today=TODAY)
    assert [p.message for p in info.value.problems] == [message]


def test_a_missing_file_is_a_portfolio_error(tmp_path: Path) -> None:
    """A path that does not exist says so, rather than a traceback."""
    with pytest.raises(PortfolioError, match="cannot read the file"):
        load_portfolio(tmp_path / "nope.yaml", today=TODAY)


def test_problem_prints_with_and_without_a_line() -> None:
    """A problem prints ``where: message``, with ``file:line:`` in front when known."""
    assert str(Problem("units[0].id", "x")) == "units[0].id: x"
    assert str(Problem("units[0].id", "x", 7, file="p.yaml")) == "p.yaml:7: units[0].id: x"
    assert str(Problem("", "YAML syntax error: y", 3, 4, "p.yaml")) == "p.yaml:3:4: YAML syntax error: y"


def test_parse_does_not_change_its_input() -> None:
    """Checking reads the data without modifying it."""
    data = base()
    before = copy.deepcopy(data)
    parse_portfolio(data, today=TODAY)
    assert data == before


def test_a_large_portfolio_loads_and_round_trips() -> None:
    """200 projects x 20 milestones with cross-project edges load and dump back unchanged."""
    data = big(200, 20)
    p = parse_portfolio(data, today=TODAY)
    assert len(p.milestones()) == 4000
    assert parse_portfolio(dump_portfolio(p), today=TODAY) == p


def big(n_projects: int, n_milestones: int) -> dict[str, Any]:
    """A generated portfolio of chains with a cross-project edge every tenth project."""
    kinds = ["approval", "tendering", "contract", "progress", "funds", "supervision", "safety", "completion"]
    projects = []
    for i in range(n_projects):
        ms: list[dict[str, Any]] = []
        for j in range(n_milestones):
            due = dt.date(2026, 1, 5) + dt.timedelta(days=7 * j + i % 30)
            m: dict[str, Any] = {"id": f"m{j:02d}", "name": f"节点{j}", "kind": kinds[j % 8], "due": due.isoformat()}
            if j:
                m["after"] = [f"m{j - 1:02d}"]
            if due < TODAY:
                m["finished"] = due.isoformat()
            if j % 8 == 3:
                m["progress"] = f"{(i * 7 + j) % 100}%"
            if j % 8 == 4:
                m |= {"amount": 1_000_000 * (j + 1), "paid": 500_000}
            ms.append(m)
        if i % 10 == 1:
            ms[0]["after"] = [{"project": f"P{i - 1:04d}", "id": "m05", "lag": "2 workdays"}]
        projects.append({"id": f"P{i:04d}", "name": f"项目{i}", "category": "project",
                         "unit": f"u{i % 20}", "budget": 1e8, "milestones": ms})
    units = [{"id": f"u{k}", "name": f"单位{k}"} for k in range(20)]
    return {"calendar": "cn", "units": units, "projects": projects}


def test_text_with_a_control_character_is_a_located_problem() -> None:
    """A NUL in a project name is refused at its place, naming the character and its position."""
    data = base()
    data["projects"][1]["name"] = "城北\x00水厂"
    found = one(data)
    assert "projects[1]" in found and "name" in found
    assert "U+0000 at position 3" in found


@pytest.mark.parametrize("seed", range(40))
def test_dependency_cycles_are_those_of_the_whole_graph_in_any_file_order(seed: int) -> None:
    """The loader settles a graph whose dependencies all point to earlier milestones in the
    file without a search; any other graph, with or without a cycle, gets the full search.
    Over random graphs of three projects (dependencies on earlier and later milestones, within
    and across projects, some on the milestone itself) the cycle problems are exactly those
    ``find_cycles`` gives over the graph written out here, and a graph without one loads."""
    import random  # noqa: PLC0415

    from projects.graph import find_cycles, format_cycle  # noqa: PLC0415

    rng = random.Random(seed)
    sizes = [rng.randint(1, 6) for _ in range(3)]
    pids = [f"P{k}" for k in range(3)]
    edges: dict[tuple[str, str], list[tuple[str, str]]] = {
        (pid, f"m{j}"): [] for pid, n in zip(pids, sizes, strict=True) for j in range(n)}
    earlier_only = seed % 3 == 0  # then the file order is an order of the graph
    projects = []
    for k, (pid, n) in enumerate(zip(pids, sizes, strict=True)):
        milestones = []
        for j in range(n):
            after: list[Any] = []
            for _ in range(rng.randint(0, 2)):
                q = rng.randrange(3)
                i = rng.randrange(sizes[q])
                if earlier_only and (q, i) >= (k, j):
                    continue
                entry: Any = f"m{i}" if q == k else {"project": pids[q], "id": f"m{i}"}
                if entry not in after:
                    after.append(entry)
                    edges[(pids[q], f"m{i}")].append((pid, f"m{j}"))
            milestones.append({"id": f"m{j}", "kind": "progress", "due": "2026-05-01",
                               **({"after": after} if after else {})})
        projects.append({"id": pid, "name": f"项目{k}", "unit": "city", "milestones": milestones})
    data = {"units": [{"id": "city", "name": "市人民政府"}], "projects": projects}
    expected = [f"projects[{pids.index(c[0][0])}].milestones[{c[0][1][1:]}].after: dependency "
                f"cycle {format_cycle(c)}; remove one of these after entries"
                for c in find_cycles(edges)]
    if earlier_only:
        assert expected == []
    if expected:
        assert problems(data) == expected
    else:
        assert len(parse_portfolio(data, today=TODAY).projects) == 3


def test_long_numbers_finds_a_run_of_19_digits_wherever_the_slices_cut() -> None:
    """``_long_numbers`` reads a slice at a time: a run of 19 digits or more is found however
    the slices cut it (runs of 18, 19 and more placed across and beside every cut), and a run
    of 18 is not, as a search of the whole bytes says."""
    import random  # noqa: PLC0415
    import re  # noqa: PLC0415

    from projects.loader import _SLICE, _long_numbers  # noqa: PLC0415

    rng = random.Random(19)
    long = re.compile(rb"[0-9]{19}")
    for _ in range(60):
        raw = bytearray(b'{"a": "x", "b": 1.5}, ' * (3 * _SLICE // 22 + 1))
        for _ in range(rng.randint(0, 3)):
            run = rng.choice([18, 19, 20, 40])
            cut = rng.randint(1, 3) * _SLICE + rng.randint(-45, 25)
            at = max(0, min(len(raw) - run, cut))
            raw[at:at + run] = bytes(rng.choice(b"0123456789") for _ in range(run))
        assert _long_numbers(bytes(raw)) == (long.search(raw) is not None)
