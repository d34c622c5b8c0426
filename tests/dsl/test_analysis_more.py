"""Static analysis, the last two warning kinds (issue 18, item 2): two rules that always light
the same subjects at the same level, and a message hole or `notify` target missing whenever
the rule lights. Each shows on a rulebook made to show it, not on its fixed twin; the example
subject it prints, fed to the compiled rules, behaves as the warning says."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from api.cli import main
from dsl import analyse_rulebook, compile_rulebook
from dsl.analysis import FromToday
from dsl.runtime import MISSING_TEXT
from projects.model import Kind
from tests.dsl.helpers import TinyEnv, milestone, notice, unit

ENV = TinyEnv(dt.date(2026, 3, 2))


def warnings(text: str, kind: str) -> list[Any]:
    return [w for w in analyse_rulebook({"t.rules": text}) if w.kind == kind]


def levels(text: str, subject: Any) -> dict[str, str | None]:
    """Each rule's level for ``subject`` as the engine's compiled loop lights it."""
    out: dict[str, str | None] = {}
    for rule in compile_rulebook({"t.rules": text}).rules:
        got: list[int] = []
        rule.run(ENV, [subject], lambda _x, j, got=got: got.append(j), lambda _x, exc: None)
        out[rule.name] = rule.lights[got[0]].level.value if got else None
    return out


def build(example: dict[str, object], make: Any) -> Any:
    """A subject with the example's field values (dates from today, paths such as
    ``n.unit.parent`` set on the unit)."""
    own: dict[str, object] = {}
    nested: dict[str, dict[str, object]] = {}
    for key, given in example.items():
        path = key.split(".")[1:]
        value = given.on(ENV.today) if isinstance(given, FromToday) else given
        if len(path) == 1:
            own[path[0]] = value
        else:
            nested.setdefault(path[0], {})[".".join(path[1:])] = value
    if "unit" in nested:
        own["unit"] = unit(**nested.pop("unit"))
    assert not nested, nested
    return make(**own)


SAME = """\
rule tender_slow "招标进度滞后":
    for milestone m where m.kind == tendering and not m.done
    light yellow when m.progress < 30%
    light red when m.progress < 10%

规则 招标慢 "招标进度滞后（重复）":
    对 节点 x 满足 非 x.已完成
    亮 红灯 当 x.类型 == 招标 且 x.进度 < 10%
    亮 黄灯 当 x.进度 < 30% 且 x.类型 == 招标
"""
NOT_SAME = SAME.replace("x.进度 < 10%", "x.进度 < 20%")


def test_two_rules_that_always_light_the_same_subjects_at_the_same_level():
    """The second rule, written in Chinese with its conditions in another order and its
    kind test moved from `where` to the lights, lights exactly as the first: warned at its
    name, in Chinese, with an example both light red; over a grid of subjects both always
    give the same level. Its twin (red below 20%) differs at 15% and is not warned."""
    [w] = warnings(SAME, "same")
    assert (w.line, w.column, w.rule) == (6, 4, "招标慢")
    assert w.render() == (
        "警告：t.rules:6:4: 规则 `招标慢` 与规则 `tender_slow`（t.rules:1）总是对同样的对象亮同样的灯"
        "（例如 x.已完成 = 假, x.类型 = 招标, x.进度 = 5%, x.实际完成 = 为空）")
    assert w.render("en").startswith("warning: t.rules:6:4: rule `招标慢` always lights the same "
                                     "subjects at the same level as rule `tender_slow` (t.rules:1)")
    assert levels(SAME, build(w.example, milestone)) == {"tender_slow": "red", "招标慢": "red"}
    for progress, kind, done in itertools.product(
            (None, 0.0, 0.05, 0.1, 0.2, 0.3, 0.9), (Kind.TENDERING, Kind.CONTRACT), (False, True)):
        subject = milestone(progress=progress, kind=kind, done=done,
                            finished=dt.date(2026, 3, 1) if done else None)
        a, b = levels(SAME, subject).values()
        assert a == b, (progress, kind, done)
    assert warnings(NOT_SAME, "same") == []
    assert levels(NOT_SAME, milestone(progress=0.15)) == {"tender_slow": "yellow", "招标慢": "red"}


def test_rules_over_other_subjects_or_with_other_opaque_parts_are_not_the_same():
    """The same constraints over projects and milestones, or an `any` that differs in its
    text, are different rules."""
    a = "rule a: for milestone m light red when m.progress < 10%\n"
    b = "rule b: for project m light red when m.progress < 10%\n"
    assert warnings(a + b, "same") == []
    up = "rule c: for milestone m light red when any(p in upstream(m) where p.done)\n"
    assert len(warnings(up + up.replace("rule c", "rule d"), "same")) == 1
    assert warnings(up + up.replace("rule c", "rule d").replace("p.done", "not p.done"),
                    "same") == []


HOLE = """\
rule open_late "未完成节点":
    for milestone m where not m.done
    light red when m.progress < 50%
    notify m.unit within 3 workdays
    message "「{m.name}」已于 {m.finished} 完成，进度 {m.progress}"
"""
HOLE_FIXED = HOLE.replace("已于 {m.finished} 完成", "计划 {m.due} 完成")


def test_a_message_hole_missing_whenever_the_rule_lights():
    """`not m.done` means no finished date: the hole `{m.finished}` always prints the
    missing mark when the rule lights (the example lights red and its message shows it);
    `{m.progress}` is read by the light, so it is there. The fixed twin is quiet."""
    [w] = warnings(HOLE, "missing")
    assert (w.line, w.column) == (5, 28)
    assert w.render() == (
        "warning: t.rules:5:28: message hole `{m.finished}` is missing whenever rule "
        f"`open_late` lights (`m.finished` is missing then): it prints {MISSING_TEXT} "
        "(e.g. m.done = false, m.progress = 25%, m.finished = missing)")
    subject = build(w.example, milestone)
    rule = compile_rulebook({"t.rules": HOLE}).rules[0]
    assert levels(HOLE, subject) == {"open_late": "red"}
    assert rule.message(ENV, subject) == f"「施工招标」已于 {MISSING_TEXT} 完成，进度 25%"
    assert warnings(HOLE_FIXED, "missing") == []


TARGET = """\
rule unanswered "督办通知逾期未回复":
    for notice n where n.unit.parent is missing
    light red when not n.responded and today > n.due
    notify n.unit.parent within 3 workdays
"""


def test_a_notify_target_missing_whenever_the_rule_lights():
    """A rule for notices of units without a parent notifies the parent: nobody. The
    example (due yesterday, no reply, no parent) lights red and notifies no unit; the
    standard form of the rule (every notice) is quiet, and its notice to a unit with a
    parent notifies that parent."""
    [w] = warnings(TARGET, "missing")
    assert (w.line, w.column, w.rule) == (4, 12, "unanswered")
    assert w.example == {"n.due": FromToday(-1), "n.responded": False, "n.response_date": None,
                         "n.unit.parent": None}
    assert w.example_text["n.due"] == "today - 1 days"
    subject = build(w.example, notice)
    rule = compile_rulebook({"t.rules": TARGET}).rules[0]
    assert subject.due == dt.date(2026, 3, 1)
    assert levels(TARGET, subject) == {"unanswered": "red"}
    assert rule.notify(ENV, subject) == ()
    fixed = TARGET.replace(" where n.unit.parent is missing", "")
    assert warnings(fixed, "missing") == []
    city = unit("city", "市政府")
    parented = notice(unit=unit(parent=city), due=dt.date(2026, 3, 1))
    assert compile_rulebook({"t.rules": fixed}).rules[0].notify(ENV, parented) == (city,)


def test_the_new_kinds_show_in_lint_and_never_refuse(tmp_path, capsys):
    """`duban rules lint` prints both kinds and still passes (exit 0)."""
    f = tmp_path / "t.rules"
    f.write_text(HOLE + "\n" + TARGET, encoding="utf-8")
    assert main(["rules", "lint", str(f)]) == 0
    out = capsys.readouterr().out
    assert f"warning: {f}:5:28: message hole `{{m.finished}}`" in out
    assert f"warning: {f}:10:12: `notify` target `n.unit.parent`" in out


def test_against_speaks_the_language_of_a_chinese_file(tmp_path, capsys):
    """`lint --against` of a rulebook written in Chinese says in Chinese which rule never lit."""
    (tmp_path / "p.yaml").write_text(
        "calendar: weekdays\nunits:\n  - {id: transport, name: 市交通运输局}\nprojects:\n"
        "  - id: P001\n    name: 海东大道改造工程\n    unit: transport\n    category: project\n"
        "    milestones:\n      - {id: a, name: 甲, kind: tendering, due: 2026-03-02}\n",
        encoding="utf-8")
    f = tmp_path / "t.rules"
    f.write_text("规则 合同: 对 节点 m 亮 红灯 当 m.类型 == 合同\n", encoding="utf-8")
    assert main(["rules", "lint", str(f), "--against", str(tmp_path / "p.yaml"),
                 "--as-of", "2026-03-03"]) == 0
    out = [line for line in capsys.readouterr().out.splitlines() if "从未亮灯" in line]
    assert out == [f"警告：{f}:1: 规则 `合同` 在 {tmp_path / 'p.yaml'} 回放的 2 天"
                   "（2026-03-02 至 2026-03-03）中从未亮灯"]


def test_a_finished_date_is_never_after_today(tmp_path):
    """The engine gives a finished date only when it is on or before the as-of day, so
    `m.finished > today` can never hold: warned, and a milestone finished after the day
    replayed does not light it, while `m.finished <= today` does light."""
    from projects.loader import load_portfolio  # noqa: PLC0415
    from rules.engine import evaluate  # noqa: PLC0415

    never = "rule f: for milestone m light red when m.finished > today\n"
    [w] = warnings(never, "never")
    assert (w.line, w.message) == (1, "light `red` can never hold")
    assert warnings(never.replace(">", "<="), "never") == []
    (tmp_path / "p.yaml").write_text(
        "calendar: weekdays\nunits:\n  - {id: transport, name: 市交通运输局}\nprojects:\n"
        "  - id: P001\n    name: 海东大道改造工程\n    unit: transport\n    category: project\n"
        "    milestones:\n      - {id: a, name: 甲, kind: tendering, due: 2026-03-02, "
        "finished: 2026-03-05}\n", encoding="utf-8")
    portfolio = load_portfolio(tmp_path / "p.yaml", today=dt.date(2026, 3, 6))
    for day in (dt.date(2026, 3, 4), dt.date(2026, 3, 6)):
        assert evaluate(compile_rulebook({"t.rules": never}), portfolio, day).findings == ()
    late = evaluate(compile_rulebook({"t.rules": never.replace(">", "<=")}), portfolio,
                    dt.date(2026, 3, 6)).findings
    assert [f.subject for f in late] == ["milestone:P001/a"]
