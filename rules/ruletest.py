"""Rule tests: ``*.test.yaml`` cases beside a rulebook, and how they pass or fail.

Owns the test-file format, ``load_test_file``, ``run_case`` and ``CaseResult``. A file is::

    portfolio: {...}            # optional: shared by every case (inline, or a path)
    cases:
      - name: 招标逾期超过宽限期亮红
        as_of: 2026-05-25
        today: 2026-06-30       # optional: the day the portfolio was recorded (default: any)
        portfolio: {...}        # optional: overrides the shared one
        rules: [tender_overdue] # optional: more rules the case is about (expected silent)
        expect:
          - {rule: tender_overdue, subject: "milestone:P001/tender", level: red}
        scores:                 # optional: a score's value for units or people (null: missing)
          efficiency: {transport: 52.5, water: null}

A case passes when exactly the expected findings light for the rules it names (in ``expect``
or ``rules``) and each score named in ``scores`` has the value given (to 1e-9) for each unit
or person named. Bad files raise ``RuleTestError`` with every problem located as
``FILE:LINE: cases[2].expect[0].rule: ...; did you mean ...?``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dsl import CompiledRulebook
from projects.errors import ProjectsError
from projects.model import Level, Portfolio
from rules.engine import evaluate
from rules.errors import RuleTestError

_LEVELS = {"blue": Level.BLUE, "yellow": Level.YELLOW, "red": Level.RED}
_SUBJECT_KINDS = ("milestone", "project", "unit", "notice", "person", "complaint")


@dataclass(frozen=True, slots=True, order=True)
class Expected:
    rule: str
    subject: str
    level: Level

    def __str__(self) -> str:
        return f"{self.rule} {self.subject} {self.level.value}"


@dataclass(frozen=True, slots=True)
class RuleCase:
    file: str
    line: int
    name: str
    as_of: dt.date
    portfolio: Portfolio
    expect: tuple[Expected, ...]
    rules: frozenset[str]
    scores: tuple[tuple[str, str, float | None], ...] = ()  # (score, unit or person id, value)

    @property
    def label(self) -> str:
        return f"{self.file}:{self.line}: {self.name}"


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: RuleCase
    lit: tuple[Expected, ...]
    missing: tuple[Expected, ...] = ()
    unexpected: tuple[Expected, ...] = ()
    wrong_level: tuple[tuple[Expected, Level], ...] = ()  # (expected, level that lit)
    errors: tuple[str, ...] = field(default=())
    wrong_scores: tuple[tuple[str, str, float | None, float | None], ...] = ()  # (score, id, expected, got)

    @property
    def passed(self) -> bool:
        return not (self.missing or self.unexpected or self.wrong_level or self.errors or self.wrong_scores)

    def render(self) -> str:
        """What differed: expected findings, lit findings and each difference."""
        if self.passed:
            return f"ok    {self.case.label}"
        lines = [f"FAIL  {self.case.label} (as of {self.case.as_of.isoformat()})"]
        lines += ["      expected: " + (", ".join(map(str, self.case.expect)) or "nothing")]
        lines += ["      lit:      " + (", ".join(map(str, self.lit)) or "nothing")]
        lines += [f"      missing:    {e}" for e in self.missing]
        lines += [f"      unexpected: {e}" for e in self.unexpected]
        lines += [f"      wrong level: {e.rule} {e.subject} expected {e.level.value}, lit "
                  f"{got.value}" for e, got in self.wrong_level]
        lines += [f"      error: {e}" for e in self.errors]
        lines += [f"      score {name} of {who}: expected {_shown(want)}, got {_shown(got)}"
                  for name, who, want, got in self.wrong_scores]
        return "\n".join(lines)


def _shown(value: float | None) -> str:
    return "missing" if value is None else f"{value:g}"


# --- loading ------------------------------------------------------------------------------------

def _lines(text: str) -> Any:
    """The YAML node tree, for line numbers of a path."""
    try:
        return yaml.compose(text)
    except yaml.YAMLError:
        return None


def _line_of(root: Any, path: Sequence[str | int]) -> int:
    node, line = root, 1
    for part in path:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and part < len(node.value):
            node = node.value[part]
        else:
            node = None
    return node.start_mark.line + 1 if node is not None else line


def _where(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _suggest(word: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _parse_portfolio(data: Any, *, today: dt.date, source: str) -> Portfolio:
    from projects.loader import parse_portfolio  # noqa: PLC0415

    return parse_portfolio(data, today=today, source=source)


def _portfolio_data(value: Any, base: Path) -> tuple[Any, str | None]:
    """Inline data, or a path relative to the test file read as YAML."""
    if isinstance(value, str):
        path = base / value
        if not path.is_file():
            return None, f"no portfolio file {path}"
        return yaml.safe_load(path.read_text(encoding="utf-8")), None
    if isinstance(value, dict):
        return value, None
    return None, "portfolio must be a mapping (inline) or a file path"


def load_test_file(path: Path, rule_names: Collection[str],
                   score_names: Collection[str] | None = None) -> list[RuleCase]:
    """Every case of one test file; raises ``RuleTestError`` listing every problem
    (``score_names``: the rulebook's scores, when ``scores`` expectations are to be checked
    against them)."""
    text = path.read_text(encoding="utf-8")
    name = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise RuleTestError([f"{name}:{line}: not valid YAML: {exc}"]) from exc
    root = _lines(text)
    problems: list[str] = []

    def problem(where: Sequence[str | int], message: str) -> None:
        problems.append(f"{name}:{_line_of(root, where)}: {_where(where)}: {message}")

    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise RuleTestError([f"{name}:1: a rule-test file is a mapping with a list `cases` "
                             "(and optionally a shared `portfolio`)"])
    shared = data.get("portfolio")
    cases: list[RuleCase] = []
    for i, raw in enumerate(data["cases"]):
        at: list[str | int] = ["cases", i]
        if not isinstance(raw, dict):
            problem(at, "a case is a mapping with `name`, `as_of` and `expect`")
            continue
        keys = ["name", "as_of", "today", "portfolio", "rules", "expect", "scores"]
        unknown = set(raw) - set(keys)
        for key in sorted(unknown):
            problem([*at, key], f"unknown key `{key}`" + _suggest(key, keys))
        as_of = _date(raw.get("as_of"))
        if as_of is None:
            problem([*at, "as_of"], f"`as_of` must be an ISO date such as 2026-05-25, "
                                    f"not {raw.get('as_of')!r}")
            continue
        # The loader refuses facts later than "today"; a replay case knows later facts.
        today = _date(raw.get("today", dt.date.max))
        if today is None:
            problem([*at, "today"], "`today` must be an ISO date")
            continue
        expect: list[Expected] = []
        for j, e in enumerate(raw.get("expect") or ()):
            where = [*at, "expect", j]
            if not isinstance(e, dict) or set(e) != {"rule", "subject", "level"}:
                problem(where, "an expected finding is {rule, subject, level}")
                continue
            rule, subject, level = str(e["rule"]), str(e["subject"]), str(e["level"])
            if rule not in rule_names:
                problem([*where, "rule"], f"no rule `{rule}` in the rulebook"
                        + _suggest(rule, rule_names))
            if subject.partition(":")[0] not in _SUBJECT_KINDS or ":" not in subject:
                problem([*where, "subject"], f"subject `{subject}` must look like "
                        "milestone:P001/tender, project:P001, unit:transport or notice:N-1")
            if level not in _LEVELS:
                problem([*where, "level"], f"level `{level}` must be yellow or red"
                        + _suggest(level, _LEVELS))
                continue
            expect.append(Expected(rule, subject, _LEVELS[level]))
        named = {e.rule for e in expect}
        for j, rule in enumerate(raw.get("rules") or ()):
            if str(rule) not in rule_names:
                problem([*at, "rules", j], f"no rule `{rule}` in the rulebook"
                        + _suggest(str(rule), rule_names))
            named.add(str(rule))
        scores = _scores(raw.get("scores"), [*at, "scores"], score_names, problem)
        if not named and not scores:
            problem(at, "a case names no rule: give `expect` findings, a `rules` list or `scores`")
        value = raw.get("portfolio", shared)
        if value is None:
            problem([*at, "portfolio"], "no portfolio: give one in the case or at the top")
            continue
        pdata, error = _portfolio_data(value, path.parent)
        if error:
            problem([*at, "portfolio"], error)
            continue
        try:
            portfolio = _parse_portfolio(pdata, today=today, source=f"{name} cases[{i}]")
        except (ProjectsError, ValueError) as exc:  # PortfolioError and the stand-in's error
            for p in getattr(exc, "problems", (exc,)):
                problem([*at, "portfolio"], str(p))
            continue
        cases.append(RuleCase(name, _line_of(root, at), str(raw.get("name", f"case {i + 1}")),
                              as_of, portfolio, tuple(sorted(expect)), frozenset(named), scores))
    if problems:
        raise RuleTestError(problems)
    return cases


def _scores(value: Any, at: list[str | int], known: Collection[str] | None,
            problem: Any) -> tuple[tuple[str, str, float | None], ...]:
    """A case's ``scores``: ``{score: {id: value or null}}``."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        problem(at, "`scores` is a mapping {score: {unit or person id: value}}")
        return ()
    out: list[tuple[str, str, float | None]] = []
    for name, values in value.items():
        if known is not None and str(name) not in known:
            problem([*at, str(name)], f"no score `{name}` in the rulebook" + _suggest(str(name), known))
            continue
        if not isinstance(values, dict) or not values:
            problem([*at, str(name)], "give the expected value of each unit or person, e.g. {transport: 52.5}")
            continue
        for who, number in values.items():
            if number is not None and (isinstance(number, bool) or not isinstance(number, int | float)):
                problem([*at, str(name), str(who)], f"expected a number or null (missing), not {number!r}")
                continue
            out.append((str(name), str(who), None if number is None else float(number)))
    return tuple(out)


def find_test_files(paths: Iterable[Path]) -> list[Path]:
    """The ``*.test.yaml`` files named, or found under named directories, in name order."""
    found: list[Path] = []
    for p in paths:
        found += sorted(p.rglob("*.test.yaml")) if p.is_dir() else [p]
    return found


# --- running ------------------------------------------------------------------------------------

def run_case(rulebook: CompiledRulebook, case: RuleCase) -> CaseResult:
    """Evaluate the case's portfolio and compare the findings of its rules."""
    ev = evaluate(rulebook, case.portfolio, case.as_of)
    lit = tuple(sorted(Expected(f.rule, f.subject, f.level) for f in ev.findings
                       if f.rule in case.rules))
    got = {(e.rule, e.subject): e.level for e in lit}
    want = {(e.rule, e.subject): e.level for e in case.expect}
    missing = tuple(e for e in case.expect if (e.rule, e.subject) not in got)
    unexpected = tuple(e for e in lit if (e.rule, e.subject) not in want)
    wrong = tuple((e, got[(e.rule, e.subject)]) for e in case.expect
                  if (e.rule, e.subject) in got and got[(e.rule, e.subject)] is not e.level)
    errors = tuple(str(e) for e in ev.errors if e.rule in case.rules)
    values = {(name, row.unit): row.value for name, rows in ev.scores.items() for row in rows}
    wrong_scores: list[tuple[str, str, float | None, float | None]] = []
    for name, who, wanted in case.scores:
        if (name, who) not in values:
            errors += (f"score {name} has no row for {who}",)
            continue
        value = values[(name, who)]
        if (value is None) != (wanted is None) or (value is not None and wanted is not None
                                                   and abs(value - wanted) > 1e-9):
            wrong_scores.append((name, who, wanted, value))
    return CaseResult(case, lit, missing, unexpected, wrong, errors, tuple(wrong_scores))

