"""Any text gives a rulebook or located diagnostics; hostile text cannot run anything."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl import RulebookError, compile_rulebook, format_rulebook
from tests.dsl.helpers import FIRST_RULEBOOK, TinyEnv, milestone

TOKENS = [
    "rule", "const", "score", "for", "where", "light", "when", "notify", "within", "message",
    "and", "or", "not", "in", "is", "missing", "any(", "sum(", "(", ")", "[", "]", ",", ".",
    ":", "==", ">", "<=", "+", "-", "*", "/", "%", "3", "2026-03-01", '"x{m.due}"', "m", "m.due",
    "today", "招标", "workdays", "#", "\n", "{", "}", "\\", '"', "：", "__import__", ">>",
]


def outcome(text: str) -> None:
    """Compile and format; only success or RulebookError with located diagnostics may happen."""
    lines = text.splitlines()
    for action in (lambda: compile_rulebook({"f.rules": text}), lambda: format_rulebook(text)):
        try:
            action()
        except RulebookError as exc:
            assert exc.diagnostics
            for d in exc.diagnostics:
                assert d.file in ("f.rules", "<text>")
                assert 1 <= d.line <= max(len(lines), 1) + 1
                assert d.column >= 1 and d.message
                d.render()


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = FIRST_RULEBOOK
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        choice = draw(st.integers(0, 3))
        if choice == 0:
            text = text[:pos] + text[pos + draw(st.integers(1, 8)):]
        elif choice == 1:
            text = text[:pos] + draw(st.sampled_from(TOKENS)) + text[pos:]
        elif choice == 2:
            end = pos + draw(st.integers(1, 20))
            text = text[:end] + text[pos:end] + text[end:]
        else:
            text = text[:pos] + draw(st.text(max_size=3)) + text[pos:]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_spec_rulebook(text):
    """Deleting, inserting and duplicating pieces of the spec rulebook never crashes."""
    outcome(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join))
def test_random_token_soup(text):
    """Random sequences of the language's tokens never crash."""
    outcome(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_random_unicode(text):
    """Random unicode never crashes."""
    outcome("rule a: for milestone m light red when " + text)
    outcome(text)


def test_deep_nesting_is_a_diagnostic():
    """Hundreds of nested parentheses give a diagnostic, not a RecursionError."""
    outcome("rule a: for milestone m light red when " + "(" * 500 + "m.done" + ")" * 500)
    outcome("rule a: for milestone m light red when " + " and ".join(["m.done"] * 300))


HOSTILE = [
    'rule a: for milestone m light red when __import__("os").system("touch /tmp/pwned")',
    "rule a: for milestone m light red when m.__class__ == m",
    "rule a: for milestone __class__ light red when __class__.done",
    'rule a "\\"); import os; os.system(\\"x\\")": for milestone m light red when m.done',
    'rule a: for milestone m light red when m.done message "{m.name}\\"); os.system(\\"x\\") #"',
    'rule a: for milestone m light red when m.done message "}}{{__import__}}\\\\{m.id}"',
    'rule os: for milestone env light red when env.done',
    'rule a: for milestone x light red when x.name == "\'\'\'\\\\" and not x.done',
    "const __builtins__ = 3 rule a: for milestone m light red when __builtins__ > 2",
    "rule a: for milestone m light red when any(env in m.project.milestones where env.done)",
]


def test_hostile_text_runs_nothing(tmp_path):
    """Code-looking rule text is refused or compiled to plain data access, never executed."""
    env = TinyEnv(dt.date(2026, 3, 9))
    for text in HOSTILE:
        try:
            book = compile_rulebook({"h.rules": text})
        except RulebookError:
            continue
        for rule in book.rules:
            m = milestone(done=True, name="x")
            rule.where(env, m)
            for light in rule.lights:
                light.test(env, m)
                light.explain(env, m)
            rule.message(env, m)
            assert "import" not in book.python.replace("'", "").split("return")[0]
    assert not (tmp_path / "pwned").exists()


def test_hostile_strings_stay_strings():
    """Quotes, backslashes and braces in titles and messages come out as text."""
    book = compile_rulebook({"h.rules": (
        'rule a "t\\"it\\\\le": for milestone m light red when m.done '
        'message "a\\"b\\\\c {{d}} {m.name}"'
    )})
    rule = book.rules[0]
    assert rule.title == 't"it\\le'
    assert rule.message(TinyEnv(dt.date(2026, 3, 9)), milestone(name="__import__('os')")) == (
        "a\"b\\c {d} __import__('os')"
    )
