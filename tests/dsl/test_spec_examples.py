"""Every example of the language spec (/work/shared/design/rule-language.md, read in place)
in both spellings gives the same findings (issue 18): each rulebook example, formatted in
Chinese and back, compiles to the same code and lights the same findings on the demo
portfolio. Examples that need language not there yet are listed by name in ``PENDING``; the
list must shrink: an item that compiles but is still listed fails, as does one that does not
compile and is not listed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from dsl import check_rulebook, compile_rulebook, format_rulebook
from projects.demo import demo_portfolio
from rules.engine import evaluate

SPEC = Path("/work/shared/design/rule-language.md")
#: Items of the spec's examples that do not compile yet, with what they wait for.
#: (``tests/rules/test_v2_examples.py`` keeps the same list for the English spelling alone.)
PENDING: dict[str, str] = {}  # issue 13 made the last ones compile
#: Blocks that are not rulebooks: the outline of a rule, and an error as `rules lint` prints it.
OUTLINE = 'rule NAME ["TITLE"]:'
ERROR = "standard/tender.rules:4:22: "
DAYS = (dt.date(2026, 3, 23), dt.date(2026, 6, 30))


def blocks() -> list[str]:
    return re.findall(r"```\n(.*?)```", SPEC.read_text(encoding="utf-8"), re.S)


def items(block: str) -> list[tuple[str, str]]:
    """(name, text) of each rule, const and score of a block, in order."""
    chunks = re.split(r"(?m)^(?=rule |const |score )", block)
    return [(re.match(r"\w+ (\w+)", c).group(1), c)  # type: ignore[union-attr]
            for c in chunks if re.match(r"(rule|const|score) ", c)]


def examples() -> tuple[list[str], set[str]]:
    """The rulebooks to compare (whole blocks that compile; else their items that compile,
    together) and the names of the items that do not compile (``name@N`` when an earlier
    block has an item of the same name)."""
    books: list[str] = []
    failing: set[str] = set()
    seen: set[str] = set()
    for block in blocks():
        if block.startswith((OUTLINE, ERROR)):
            continue
        named = items(block)
        assert named, block[:60]
        keys = []
        for name, _ in named:
            key = name if name not in seen else f"{name}@{sum(k.split('@')[0] == name for k in seen) + 1}"
            seen.add(key)
            keys.append(key)
        if not check_rulebook({"x.rules": block}):
            books.append(block)
            continue
        consts = "".join(text for name, text in named if text.startswith("const "))
        good = []
        for key, (_, text) in zip(keys, named, strict=True):
            if check_rulebook({"x.rules": consts + text if not text.startswith("const ") else text}):
                failing.add(key)
            elif not text.startswith("const "):
                good.append(text)
        if good:
            books.append(consts + "\n".join(good))
    return books, failing


def findings(source: str) -> list[tuple[str, str, str, str]]:
    book = compile_rulebook({"x.rules": source})
    out = []
    for day in DAYS:
        ev = evaluate(book, demo_portfolio(DAYS[0]), day)
        out += [(f.rule, f.subject, f.level.value, f.message) for f in ev.findings]
    return out


def test_the_pending_list_is_exactly_what_does_not_compile_yet():
    """Each listed item fails to compile today and each item that fails is listed: an
    example that starts compiling must leave the list."""
    _, failing = examples()
    assert failing == set(PENDING)


def test_every_example_gives_the_same_code_and_findings_in_both_spellings():
    """Formatted in Chinese and back, every example compiles to the same code, reads back as
    itself, and lights the same findings on the demo portfolio on two days; some light."""
    books, _ = examples()
    assert len(books) >= 2 and any("tender_overdue" in b for b in books)
    assert any("report_due" in b for b in books)
    lit = 0
    for source in books:
        zh = format_rulebook(source, "zh")
        en = format_rulebook(zh, "en")
        assert zh != en and "规则 " in zh
        assert en == format_rulebook(source, "en")
        python = compile_rulebook({"x.rules": source}).python
        assert compile_rulebook({"x.rules": zh}).python == python
        assert compile_rulebook({"x.rules": en}).python == python
        got = findings(source)
        assert findings(zh) == got == findings(en)
        lit += len(got)
    assert lit > 0


def test_the_error_example_is_what_the_checker_says():
    """The spec's error display is, character for character, the diagnostic of a rulebook
    whose fourth line is the one shown."""
    [shown] = [b for b in blocks() if b.startswith(ERROR)]
    line = shown.splitlines()[1]
    text = ("const grace = 10 workdays\nrule tender_late:\n    for milestone m\n" + line + "\n")
    [d] = check_rulebook({"standard/tender.rules": text})
    assert d.render("en") == shown.rstrip("\n")
