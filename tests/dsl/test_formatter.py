"""The formatter: canonical layout, comments kept, idempotent, same meaning."""

from __future__ import annotations

import pytest

from dsl import RulebookError, compile_rulebook, format_rulebook
from tests.dsl.helpers import FIRST_RULEBOOK

UGLY = '''# head
rule   a "t" :   for milestone m   # c1
  where ((m.kind == 招标)) and (not m.done)   light red when (today > m.due + 3 days) or m.due - (3 - 1) * 2 days > today
# before notify
 notify m.unit within 3 workdays message "x{ m.name }{{y}}\\"z" const k = 2 # tail
# end'''

EXPECTED = '''# head
rule a "t":
    for milestone m where m.kind == tendering and not m.done  # c1
    light red when today > m.due + 3 days or m.due - (3 - 1) * 2 days > today
    # before notify
    notify m.unit within 3 workdays
    message "x{m.name}{{y}}\\"z"

const k = 2  # tail

# end
'''


def test_spec_rulebook_is_already_canonical_but_for_comment_spacing():
    """The spec's example keeps its layout; a trailing comment gets two spaces before `#`."""
    assert format_rulebook(FIRST_RULEBOOK) == FIRST_RULEBOOK.replace(":   #", ":  #")


def test_ugly_text_gets_canonical_layout():
    """Clauses go on their own lines, parentheses are minimal, comments stay attached, a kind
    word takes the file's spelling (招标 in an English file: tendering)."""
    assert format_rulebook(UGLY) == EXPECTED


@pytest.mark.parametrize("text", [FIRST_RULEBOOK, UGLY, "", "# only a comment\n"])
def test_idempotent(text):
    """Formatting formatted text changes nothing."""
    once = format_rulebook(text)
    assert format_rulebook(once) == once


def test_formatted_text_compiles_to_the_same_rules():
    """Format, compile: same names, levels, conditions and generated code."""
    before = compile_rulebook({"t.rules": FIRST_RULEBOOK})
    after = compile_rulebook({"t.rules": format_rulebook(FIRST_RULEBOOK)})
    assert [(r.name, r.title, [lt.level for lt in r.lights], [lt.text for lt in r.lights], r.within)
            for r in before.rules] == [
        (r.name, r.title, [lt.level for lt in r.lights], [lt.text for lt in r.lights], r.within)
        for r in after.rules]
    assert before.python == after.python


def test_text_that_does_not_parse_is_refused():
    """The formatter will not rewrite a file with syntax errors."""
    with pytest.raises(RulebookError):
        format_rulebook("rule a: for milestone m light red when")
