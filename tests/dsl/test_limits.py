"""Rule text that once stalled or crashed the compiler (issue 15, items 8 and 9): each is
either compiled cheaply or refused with a located diagnostic, never an exception."""

from __future__ import annotations

import datetime as dt

import pytest

from dsl import MAX_SOURCE, RulebookError, compile_rulebook
from dsl.compiler import MAX_ITEM_CODE
from tests.dsl.helpers import TinyEnv, errors, milestone

RULE = "rule a: for milestone m light red when m.overdue > {}\n"


def doubling(depth: int) -> str:
    consts = ["const c0 = 1"] + [f"const c{i} = c{i - 1} + c{i - 1}" for i in range(1, depth + 1)]
    return "\n".join(consts) + "\n" + RULE.format(f"c{depth}")


def lit(rule, env, x) -> bool:
    out: list[int] = []
    rule.run(env, [x], lambda _x, j: out.append(j), lambda _x, exc: (_ for _ in ()).throw(exc))
    return bool(out)


def test_doubling_consts_compile_once():
    """`const c1 = c0 + c0` ... 19 deep compiles to code of its own size (each const once,
    not 2**19 copies) and still means 2**19."""
    book = compile_rulebook({"t.rules": doubling(19)})
    assert len(book.python) < 20_000
    rule = book.rules[0]
    env = TinyEnv(dt.date(2026, 3, 2))
    assert lit(rule, env, milestone(overdue=2**19 + 1))
    assert not lit(rule, env, milestone(overdue=2**19))
    assert rule.lights[0].test(env, milestone(overdue=2**19 + 1)) is True
    deeper = compile_rulebook({"t.rules": doubling(60)})
    assert len(deeper.python) < 40_000


def test_a_const_on_today_is_computed_per_evaluation():
    """A const that reads `today` is kept for one evaluation only: another day, another value."""
    text = "const soon = today + 3 days\nconst later = soon + 1 days\n" + \
        "rule a: for milestone m light red when m.due < later\n"
    rule = compile_rulebook({"t.rules": text}).rules[0]
    m = milestone(due=dt.date(2026, 3, 5))
    assert lit(rule, TinyEnv(dt.date(2026, 3, 2)), m)  # later = 03-06
    assert not lit(rule, TinyEnv(dt.date(2026, 3, 1)), m)  # later = 03-05
    assert lit(rule, TinyEnv(dt.date(2026, 3, 2)), m)


def test_a_5000_digit_number_is_a_diagnostic():
    """A number too long for int() is refused where it stands."""
    assert errors(RULE.format("9" * 5000)) == [(1, 52, "the number `9999999999...999999 "
                                                "(5000 characters)` is too large; a number has "
                                                "at most 15 digits before the decimal point")]


def test_a_400_digit_float_is_a_diagnostic_not_inf():
    """A float literal that would be `inf` is refused (it used to compile to the name `inf`)."""
    found = errors(RULE.format("9" * 400 + ".5"))
    assert [(line, col) for line, col, _ in found] == [(1, 52)]
    assert "too large" in found[0][2]
    assert errors(RULE.format(f"{'9' * 400}%"))[0][1] == 52
    assert errors(RULE.format("999999999999999")) == []


def test_a_huge_duration_is_a_diagnostic():
    """`m.due + 99999999999 days` (OverflowError once) is out of range, with the bound."""
    text = "rule a: for milestone m light red when today > m.due + 99999999999 days\n"
    assert errors(text) == [
        (1, 56, "`99999999999 days` is out of range; a duration is at most 36600 days")]
    assert errors(text.replace("99999999999 days", "6000 weeks")) == [
        (1, 56, "`6000 weeks` is out of range; a duration is at most 5228 weeks")]
    assert errors(text.replace("99999999999 days", "36600 days")) == []


def test_three_hundred_chained_consts_are_a_diagnostic():
    """300 consts each built on the last (RecursionError once) stop at the bound, located at
    the first const past it, once."""
    consts = ["const c0 = 1"] + [f"const c{i} = c{i - 1} + 1" for i in range(1, 300)]
    text = "\n".join(consts) + "\n" + RULE.format("c299")
    assert errors(text) == [(65, 7, "const `c64` is built on a chain of 64 other consts; at "
                                    "most 63 may be chained; write the value directly, or "
                                    "shorten the chain")]
    assert errors("\n".join(consts[:64]) + "\n" + RULE.format("c63")) == []


def test_a_long_cycle_of_consts_is_one_diagnostic():
    """A cycle through 500 consts is found without recursion and reported once."""
    consts = [f"const c{i} = c{(i + 1) % 500} + 1" for i in range(500)]
    found = errors("\n".join(consts) + "\n" + RULE.format("c7"))
    assert len(found) == 1
    assert found[0][:2] == (1, 7)
    assert found[0][2].startswith("const `c0` is defined by itself; through c0 -> c1 -> c2")


def test_a_rulebook_over_the_size_bound_is_refused_at_the_line():
    """Past MAX_SOURCE characters the rulebook is refused, at the line that crosses it."""
    line = "# " + "x" * 98 + "\n"
    first = line * (MAX_SOURCE // len(line) // 2)
    second = RULE.format(1) + line * (MAX_SOURCE // len(line))
    with pytest.raises(RulebookError) as caught:
        compile_rulebook({"a.rules": first, "b.rules": second})
    [d] = caught.value.diagnostics
    assert d.file == "b.rules"
    assert d.line == (MAX_SOURCE - len(first) - len(RULE.format(1))) // len(line) + 2
    assert d.message == f"the rulebook is longer than {MAX_SOURCE} characters"


def test_a_rule_whose_code_passes_the_bound_is_refused_at_its_name():
    """A rule that compiles to more than MAX_ITEM_CODE characters is refused, at its name."""
    lights = "".join(f"    light red when m.overdue > {i} and m.progress < {i}%\n"
                     for i in range(1500))
    text = "rule small: for milestone m light red when m.late\n" + \
        "rule huge: for milestone m\n" + lights
    with pytest.raises(RulebookError) as caught:
        compile_rulebook({"t.rules": text})
    [d] = caught.value.diagnostics
    assert (d.line, d.column) == (2, 6)
    assert d.message.startswith("rule `huge` compiles to ")
    assert f"more than the {MAX_ITEM_CODE} allowed" in d.message
