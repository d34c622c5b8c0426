"""The slip rules (rules/contractor/slip.rules: planned finish, forecast finish, float eroded): it compiles without a diagnostic and
its cases (rules/contractor/slip.test.yaml) light exactly what they expect, lit and not lit."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsl import check_rulebook, compile_rulebook
from rules.ruletest import load_test_file, run_case

DIR = Path(__file__).resolve().parents[2] / "rules" / "contractor"
SOURCE = (DIR / "slip.rules").read_text(encoding="utf-8")
BOOK = compile_rulebook({"slip.rules": SOURCE})
CASES = load_test_file(DIR / "slip.test.yaml", {r.name for r in BOOK.rules})


def test_the_rule_compiles_cleanly() -> None:
    assert list(check_rulebook({"slip.rules": SOURCE})) == []
    assert [r.name for r in BOOK.rules] == ["schedule_slip", "forecast_slip", "float_eroded"]


@pytest.mark.parametrize("case", CASES, ids=[str(c.line) for c in CASES])
def test_slip_case(case) -> None:  # type: ignore[no-untyped-def]
    result = run_case(BOOK, case)
    assert result.passed, result.render()


@pytest.mark.parametrize("rule", ["schedule_slip", "forecast_slip", "float_eroded"])
def test_each_rule_is_tested_lit_and_not_lit(rule: str) -> None:
    assert {e.level for c in CASES for e in c.expect if e.rule == rule} == {"yellow", "red"}
    assert any(rule in c.rules and not c.expect for c in CASES)
