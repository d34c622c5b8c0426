"""The standard rulebook: it compiles, its cases pass, and every rule is tested lit and not lit."""

from __future__ import annotations

import pytest

from rules.ruletest import find_test_files, load_test_file, run_case
from rules.standard import STANDARD_DIR, load_standard

RULEBOOK = load_standard()
NAMES = {r.name for r in RULEBOOK.rules}
SCORES = {s.name for s in RULEBOOK.scores}
CASES = [c for f in find_test_files([STANDARD_DIR]) for c in load_test_file(f, NAMES, SCORES)]


@pytest.mark.filterwarnings("ignore:the cn calendar has no statutory holiday data")
@pytest.mark.parametrize("case", CASES, ids=[f"{c.file.rsplit('/', 1)[-1]}:{c.line}" for c in CASES])
def test_standard_case(case) -> None:  # type: ignore[no-untyped-def]
    """Each standard rule-test case lights exactly its expected findings."""
    result = run_case(RULEBOOK, case)
    assert result.passed, result.render()


def test_every_rule_is_tested_lit_and_not_lit() -> None:
    """Every standard rule is expected to light in some case and named with no finding in another."""
    lit = {e.rule for c in CASES for e in c.expect}
    silent = {r for c in CASES for r in c.rules if r not in {e.rule for e in c.expect}}
    assert NAMES - lit == set()
    assert NAMES - silent == set()


def test_standard_rulebook_has_themes_and_a_score() -> None:
    """The standard rulebook spans several files and ranks units by an efficiency score."""
    assert len({r.file for r in RULEBOOK.rules}) >= 5
    assert [s.name for s in RULEBOOK.scores] == ["efficiency", "duty"]
