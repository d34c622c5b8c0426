"""Coverage of rule tests (issue 18, item 3): figures checked by hand on a small rulebook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api.cli import main
from dsl import compile_rulebook
from projects.loader import load_portfolio
from rules.coverage import Coverage

RULES = """
rule late "逾期":
    for milestone m where not m.done
    light yellow when today > m.due and m.progress < 50%
    light red when today > m.due + 5 days or m.progress > 90%
"""
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
      - {id: a, name: 甲, kind: tendering, due: 2026-03-02, progress: 10%}
      - {id: b, name: 乙, kind: contract, due: 2026-03-30, progress: 80%}
      - {id: c, name: 丙, kind: funds, due: 2026-03-01, finished: 2026-03-01}
"""


@pytest.fixture
def portfolio(tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text(PORTFOLIO, encoding="utf-8")
    return load_portfolio(path, today=dt.date(2026, 3, 10))


def test_coverage_figures_by_hand(portfolio):
    """On 2026-03-04, milestones a (due 03-02, 10%) and b (due 03-30, 80%) pass `where`
    (c is done). yellow: a true, b false; its sides `today > m.due` true (a) and false (b),
    `m.progress < 50%` true (a) and false (b). red: a false (2 days late), b false; so red
    never true, `today > m.due + 5 days` never true and `m.progress > 90%` never true:
    clauses 3/4 = 75%, sides 6/8 = 75%."""
    book = compile_rulebook({"t.rules": RULES}, probes=True)
    cov = Coverage()
    cov.add(book, portfolio, dt.date(2026, 3, 4), {"late"})
    assert cov.rules["late"].outcomes(True) == (3, 4)
    assert cov.rules["late"].outcomes(False) == (6, 8)
    assert cov.percent() == 75.0
    text = cov.render()
    assert "late: light clauses 3/4 (75%), and/or sides 6/8 (75%)" in text
    assert "    light of `red`: `today > m.due + 5 days or m.progress > 90%` never true" in text
    assert "    side of `red`: `m.progress > 90%` never true" in text
    assert "never false" not in text
    # a second case on 03-10: a is 8 days late -> red and its first side true
    cov.add(book, portfolio, dt.date(2026, 3, 10), {"late"})
    assert cov.rules["late"].outcomes(True) == (4, 4)
    assert cov.rules["late"].outcomes(False) == (7, 8)
    # a case that names another rule counts nothing for this one
    other = Coverage()
    other.add(book, portfolio, dt.date(2026, 3, 10), {"something_else"})
    assert other.rules["late"].outcomes(True) == (0, 4)


def test_probes_only_when_asked():
    """A plain compile carries no probes (the editor's check stays as cheap as before)."""
    assert compile_rulebook({"t.rules": RULES}).rules[0].probes == ()
    probes = compile_rulebook({"t.rules": RULES}, probes=True).rules[0].probes
    assert [(p.light, p.clause, p.text) for p in probes] == [
        (0, True, "today > m.due and m.progress < 50%"), (0, False, "today > m.due"),
        (0, False, "m.progress < 50%"), (1, True, "today > m.due + 5 days or m.progress > 90%"),
        (1, False, "today > m.due + 5 days"), (1, False, "m.progress > 90%"),
    ]


def test_cli_coverage_and_fail_under(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """`rules test --coverage` prints the figures; `--fail-under` exits 1 below the bar;
    the standard rulebook's cases cover every light clause."""
    (tmp_path / "t.rules").write_text(RULES, encoding="utf-8")
    (tmp_path / "t.test.yaml").write_text(
        "portfolio:\n" + "".join(f"  {line}\n" for line in PORTFOLIO.strip().splitlines())
        + "cases:\n  - name: 两天逾期\n    as_of: 2026-03-04\n    expect:\n"
          "      - {rule: late, subject: \"milestone:P001/a\", level: yellow}\n",
        encoding="utf-8")
    assert main(["--lang", "en", "rules", "test", "--coverage", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert "coverage: light clauses 75.0%, and/or sides 75.0%" in out.out
    assert main(["--lang", "en", "rules", "test", "--fail-under", "80", str(tmp_path)]) == 1
    assert "light clause coverage 75.0% is under --fail-under 80%" in capsys.readouterr().err
    assert main(["--lang", "en", "rules", "test", "--fail-under", "75", str(tmp_path)]) == 0
    root = Path(__file__).resolve().parents[2]
    assert main(["--lang", "en", "rules", "test", "--fail-under", "100", str(root / "rules" / "standard")]) == 0
    assert "coverage: light clauses 100.0%" in capsys.readouterr().out
