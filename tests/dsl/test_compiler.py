"""The generated code: one plain expression per condition, None tests only where needed."""

from __future__ import annotations

import datetime as dt
import io
import re
import tokenize

from dsl import compile_rulebook
from tests.dsl.helpers import TinyEnv, milestone


def source_of(text: str, function: str) -> str:
    python = compile_rulebook({"t.rules": text}).python
    block = python.split(f"def {function}(env, x):\n")[1].split("\n\n")[0]
    return block.strip()


def test_typical_condition_is_one_expression_with_one_none_test():
    """Kind, done and today are never missing: only `m.due` gets a None test, no calls."""
    code = source_of(
        "rule a: for milestone m light red when m.kind == tendering and not m.done and today > m.due",
        "_r0_l0",
    )
    assert code.startswith("return ")
    assert code.count("is None") == 1
    assert not re.search(r"\w\(", code)  # no calls at all
    assert "env.today" in code and "x.due" in code and "x.kind" in code


def test_user_names_never_reach_the_code():
    """Rule, variable and const names appear in the code only as text, never as names."""
    python = compile_rulebook({"t.rules": (
        "const secret_name = 3 days\n"
        "rule evil_rule \"t\": for milestone evil_var light red when evil_var.due + secret_name > today"
    )}).python
    names = {tok.string for tok in tokenize.generate_tokens(io.StringIO(python).readline)
             if tok.type == tokenize.NAME}
    assert not [n for n in names if "evil" in n or "secret" in n]
    assert "'evil_var.due + secret_name'" in python  # only as the text of an explanation


def test_generated_functions_run_without_builtins():
    """The compiled module has no builtins: nothing in it can import or open."""
    rule = compile_rulebook({"t.rules": "rule a: for milestone m light red when m.done"}).rules[0]
    assert rule.lights[0].test.__globals__["__builtins__"] == {}
    assert rule.lights[0].test(TinyEnv(dt.date(2026, 3, 9)), milestone(done=True)) is True
