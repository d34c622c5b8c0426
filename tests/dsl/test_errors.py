"""Every kind of error a rule writer can make is reported at its place, in words."""

from __future__ import annotations

import pytest

from dsl import RulebookError, compile_rulebook
from tests.dsl.helpers import FIRST_RULEBOOK, errors

R = "rule t: for milestone m light red when "


def test_spec_dew_example_renders_exactly():
    """The spec's example: unknown field `dew`, column at the field, caret under it."""
    text = FIRST_RULEBOOK.replace("light red when today > m.due + grace",
                                  "light red when m.dew + grace < today")
    with pytest.raises(RulebookError) as info:
        compile_rulebook({"standard/tender.rules": text})
    (d,) = info.value.diagnostics
    assert d.render() == (
        "standard/tender.rules:7:22: unknown field `dew` of milestone; did you mean `due`?\n"
        "    light red when m.dew + grace < today\n"
        "                     ^^^"
    )


def test_caret_after_chinese_text_is_padded_by_display_width():
    """After Chinese text the caret moves two columns per character."""
    text = 'rule 招标逾期 "招标": for milestone m light red when m.kind == 招彪'
    with pytest.raises(RulebookError) as info:
        compile_rulebook({"t.rules": text})
    (d,) = info.value.diagnostics
    assert (d.line, d.column, d.text) == (1, 58, "unknown kind `招彪`; did you mean `招标`?")
    line, caret = d.render().splitlines()[1:]
    assert line == text
    assert caret == " " * (57 + 6) + "^^^^"  # six wide characters before, one wide word


@pytest.mark.parametrize(("text", "expected"), [
    (R + "today > 3", (1, 40, "cannot compare a date with a number")),
    (R + "m.due + m.progress > today",
     (1, 40, "cannot add a ratio to a date; add a duration, such as `3 days` or `3 workdays`")),
    (R + "m.done and 5", (1, 40, "`and` needs conditions on both sides; the right side is a number")),
    (R + "today - m.due > 10",
     (1, 40, "cannot compare a duration with a number; write the number as a duration, such as `10 days`")),
    (R + "m.kind < tendering", (1, 40, "kinds can only be compared with `==` and `!=`")),
    (R + "m.kind == tenderng", (1, 50, "unknown kind `tenderng`; did you mean `tendering`?")),
    (R + "dayz(m.start, today) > 3", (1, 40, "unknown function `dayz`; did you mean `days`?")),
    (R + "days(m.start) > 3", (1, 40, "`days` takes 2 arguments (date, date), not 1")),
    (R + "days(m.start, 3) > 3", (1, 54, "`days` needs a date here; this is a number")),
    (R + "any(p in m.project where p.done)",
     (1, 49, "`any` goes over a collection; this is a project; for example `p.milestones` or `upstream(m)`")),
    (R + "m.due > tody", (1, 48, "unknown name `tody`; did you mean `today`?")),
    (R + "m.due + 3 wrokdays > today",
     (1, 50, "unknown duration unit `wrokdays`; did you mean `workdays`?")),
    (R + "m.project.milestones.due > today",
     (1, 61, "a collection of milestones has no field `due`; use any/all/count/sum over it, e.g. `count(x in m.project.milestones)`")),
    (R + "2026-13-01 > today", (1, 40, "`2026-13-01` is not a date; write YYYY-MM-DD")),
    (R + "m.due", (1, 40, "`when` needs a condition; this is a date")),
    ("rule t: for milestone m light amber when m.done",
     (1, 31, "unknown light `amber`; a light is `blue` (a reminder), `yellow` or `red`")),
    ("rule t: for milestones m light red when m.done",
     (1, 13, "unknown subject `milestones`; did you mean `milestone`?")),
    ("rule t: for milestone m light red when m.done notify m.project within 3 days",
     (1, 54, "`notify` needs a unit or a collection of units; this is a project; notify its unit: `m.project.unit`")),
    ("rule t: for milestone m light red when m.done notify m.unit within 3",
     (1, 68, "`within` needs a duration such as `3 workdays`; this is a number")),
    ('rule t: for milestone m light red when m.done message "late by {m.dew}"',
     (1, 67, "unknown field `dew` of milestone; did you mean `due`?")),
    ('rule t: for project p light red when p.done message "{p.milestones}"',
     (1, 55, "a message cannot show a collection; show how many with `count(x in ...)`")),
    ("score s for unit u: u.name", (1, 21, "a score must be a number; this is a text")),
    ("score s for project p: p.budget",
     (1, 13, "a score ranks units or people, not projects; write `for unit p` or `for person p`")),
    ("const c = m.due\nrule t: for milestone m light red when m.done",
     (1, 11, "a const cannot use the subject variable `m`; constants hold fixed values such as `10 workdays`")),
    (R + "m.due > today >> 3",
     (1, 54, "`>>` is not an operator; comparisons are `<`, `<=`, `>`, `>=`, `==`, `!=`")),
    (R + "m.due = today", (1, 46, "`=` is not a comparison; write `==`")),
    (R + "0 < m.progress < 1",
     (1, 55, "comparisons do not chain; join them with `and`: `a < b and b < c`")),
    (R, (1, 39, "expected a condition after `when`")),
    ("rule t: for milestone m light red today > m.due",
     (1, 35, "unexpected `today`; expected `when` after `red`")),
    ("rule t：for milestone m light red when m.done", (1, 7, "full-width `：`; write `:`")),
    (R + '"abc', (1, 40, 'text is not closed; end it with `"` on the same line')),
    ('rule t: for milestone m light red when m.done message "a \\n b"',
     (1, 58, 'unknown escape `\\n`; only `\\"` and `\\\\` are escapes; write `\\\\` for a backslash')),
    ('rule t: for milestone m light red when m.done message "a {m.due"',
     (1, 58, "`{` opens a hole that is not closed; close it with `}`, or write `{{` for a brace")),
    ("rule t: for milestone m light red when any(x in m.project.milestones where)",
     (1, 75, "unexpected `)`; expected a condition after `where`")),
    ("hello rule t: for milestone m light red when m.done",
     (1, 1, "unexpected `hello`; a rule file holds only `rule`, `const` and `score`")),
])
def test_error_kinds(text, expected):
    """Each mistake gives exactly one diagnostic with its line, column and words."""
    assert errors(text) == [expected]


def test_duplicate_rule_names_across_files():
    """A rule name used twice in a rulebook is an error at the second, naming the first."""
    text = "rule a: for milestone m light red when m.done\n"
    with pytest.raises(RulebookError) as info:
        compile_rulebook({"x.rules": text, "y.rules": "\n" + text})
    assert [(d.file, d.line, d.column, d.text) for d in info.value.diagnostics] == [
        ("y.rules", 2, 6, "duplicate rule name `a`; the first is at x.rules:1; give this one another name"),
    ]


def test_every_error_of_a_file_is_reported_once():
    """Syntax and type errors in several rules all come out, one per mistake, in order."""
    text = "\n".join([
        "rule a: for milestone m light red when m.dew > today",
        "rule b: for milestone m light red when today >",
        "rule c: for milestone m light red when m.due > 3",
        "rule d: for milestone m light red when m.done and m.kind == 招彪",
        "rule e: for milestone m light red when m.done",
    ])
    assert [(line, col) for line, col, _ in errors(text)] == [(1, 42), (2, 47), (3, 40), (4, 61)]


def test_one_typo_gives_one_error():
    """An unknown variable used thrice in a long expression is one diagnostic, not a cascade."""
    text = R + "(q.due + 3 days > today and q.progress < 50%) or days(q.start, today) > 3"
    assert errors(text) == [(1, 41, "unknown name `q`")]
    assert errors(R + "m.dew + 3 days - 2 days > today and not m.done") == [
        (1, 42, "unknown field `dew` of milestone; did you mean `due`?"),
    ]


def test_cyclic_consts():
    """A const defined through itself is reported instead of looping."""
    assert errors("const a = b\nconst b = a") == [
        (1, 7, "const `a` is defined by itself; through a -> b -> a")]
    assert errors("const a = a + 1") == [(1, 7, "const `a` is defined by itself")]
