"""Static analysis with counterexamples (issue 18, item 2): each warning kind shows on a
rulebook made to show it, not on its fixed twin, and its example, fed to the compiled rule,
behaves as the warning says."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.cli import main
from dsl import analyse_rulebook, compile_rulebook
from projects.model import Kind
from rules.standard import standard_sources
from tests.dsl.helpers import TinyEnv, milestone, unit

ENV = TinyEnv(dt.date(2026, 3, 2))


def warnings(text: str) -> list[Any]:
    return list(analyse_rulebook({"t.rules": text}))


def lit(text: str, subject: Any) -> str | None:
    """The level the rule lights for ``subject`` (None: no light)."""
    rule = compile_rulebook({"t.rules": text}).rules[0]
    got: list[int] = []
    rule.run(ENV, [subject], lambda _x, j: got.append(j), lambda _x, exc: None)
    return rule.lights[got[0]].level.value if got else None


def subject_of(example: dict[str, object], make: Any = milestone) -> Any:
    return make(**{k.split(".", 1)[1]: v for k, v in example.items()})


SHADOWED = ("rule a: for milestone m where m.kind == tendering\n"
            "    light yellow when m.progress < 30%\n    light red when m.progress < 50%\n")
FIXED = SHADOWED.replace("m.progress < 50%", "m.progress < 10%")


def test_shadowed_light():
    """yellow (< 30%) can never show under red (< 50%); the example lights red."""
    [w] = warnings(SHADOWED)
    assert (w.kind, w.line, w.column) == ("shadowed", 2, 11)
    assert w.render() == ("warning: t.rules:2:11: light `yellow` can never show: whenever it "
                          "holds, `red` holds too (e.g. m.kind = tendering, m.progress = 15%)")
    assert w.example["m.kind"] is Kind.TENDERING
    assert lit(SHADOWED, subject_of(w.example)) == "red"
    assert warnings(FIXED) == []
    assert lit(FIXED, milestone(progress=0.2)) == "yellow"


def test_condition_that_never_holds():
    """A ratio above 100% never holds; nor `not m.done` under `where m.done`; the example
    subject (any at all) never lights."""
    never = "rule b: for milestone m light red when m.progress > 120%\n"
    [w] = warnings(never)
    assert (w.kind, w.message) == ("never", "light `red` can never hold")
    for value in (0.0, 0.5, 1.0, None):
        assert lit(never, milestone(progress=value)) is None
    assert warnings(never.replace("120%", "90%")) == []
    given = "rule d: for milestone m where m.done light red when not m.done\n"
    [w] = warnings(given)
    assert w.message == "light `red` can never hold given `where`"
    assert lit(given, milestone(done=True)) is None and lit(given, milestone(done=False)) is None
    both = "rule e: for milestone m light red when m.progress > 50% and m.progress < 40%\n"
    assert [w.kind for w in warnings(both)] == ["never"]


def test_condition_that_always_holds():
    """A count that is never missing is never negative: `u.red_cards >= 0` always holds and
    the example unit lights; a field that may be missing is never "always"."""
    always = "rule c: for unit u light red when u.red_cards >= 0\n"
    [w] = warnings(always)
    assert w.kind == "always" and w.example == {"u.red_cards": 0.0}
    assert lit(always, subject_of(w.example, unit)) == "red"
    assert warnings(always.replace(">= 0", ">= 1")) == []
    assert warnings("rule c: for milestone m light red when m.progress >= 0%\n") == []
    assert lit("rule c: for milestone m light red when m.progress >= 0%\n",
               milestone(progress=None)) is None


def test_the_standard_rulebook_has_no_warnings_and_lint_prints_them(tmp_path, capsys):
    """The standard rulebook is clean; lint prints warnings but still passes."""
    assert analyse_rulebook(standard_sources()) == ()
    f = tmp_path / "t.rules"
    f.write_text(SHADOWED, encoding="utf-8")
    assert main(["rules", "lint", str(f)]) == 0
    out = capsys.readouterr().out
    assert f"warning: {f}:2:11: light `yellow` can never show" in out
    assert main(["rules", "lint", "--no-analysis", str(f)]) == 0
    assert "warning" not in capsys.readouterr().out


PORTFOLIO = """
calendar: weekdays
units:
  - {id: transport, name: 市交通运输局}
projects:
  - id: P001
    name: 海东大道改造工程
    unit: transport
    category: project
    milestones:
      - {id: a, name: 甲, kind: tendering, due: 2026-03-02}
"""
TWO = ("rule late: for milestone m light red when today > m.due\n"
       "rule never: for milestone m light red when m.kind == contract\n")


def test_against_a_portfolio_warns_of_rules_that_never_lit(tmp_path, capsys):
    """`lint --against` replays the days of the portfolio: the rule that lit after the due
    date is quiet, the rule for contracts (there are none) is reported."""
    (tmp_path / "p.yaml").write_text(PORTFOLIO, encoding="utf-8")
    (tmp_path / "t.rules").write_text(TWO, encoding="utf-8")
    assert main(["rules", "lint", str(tmp_path / "t.rules"), "--against",
                 str(tmp_path / "p.yaml"), "--as-of", "2026-03-10"]) == 0
    out = [line for line in capsys.readouterr().out.splitlines() if "never lit" in line]
    assert out == [f"warning: {tmp_path / 't.rules'}:2: rule `never` never lit over the 9 days "
                   f"replayed (2026-03-02 to 2026-03-10) of {tmp_path / 'p.yaml'}"]
    assert main(["rules", "lint", str(tmp_path / "t.rules"), "--against",
                 str(tmp_path / "p.yaml"), "--as-of", "2026-03-02"]) == 0
    assert "rule `late` never lit over the 1 days" in capsys.readouterr().out
    assert main(["rules", "lint", str(tmp_path / "t.rules"), "--against",
                 str(tmp_path / "missing.yaml")]) == 1
