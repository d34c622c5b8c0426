"""Text to syntax tree: the Lark parser, error recovery and parse errors in words.

Owns building the LALR parser (cached on disk: with ``interegular`` installed a build takes
seconds, a cached load milliseconds), splitting a file into items at the top-level keywords
``rule`` / ``const`` / ``score`` so that one syntax error costs one item and the rest of the
file is still parsed, and translating Lark's exceptions into ``Diagnostic`` s that say what
was expected where.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from dsl import syntax as s
from dsl.diagnostics import Reporter, Said, Span
from dsl.tree import TreeConverter

GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")
ITEM_KEYWORDS = frozenset({"rule", "const", "score", "规则", "常量", "评分"})
MAX_DEPTH = 48


def _cache_file(grammar: str) -> str | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    digest = hashlib.sha256(grammar.encode()).hexdigest()[:16]
    directory = os.path.join(base, "duban")
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return None
    return os.path.join(directory, f"rules-grammar-{digest}.lark-cache")


def build_parser(*, strict: bool = False, cache: bool = True) -> Lark:
    """Build the LALR parser; ``strict=True`` makes grammar conflicts fail loudly."""
    grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
    cache_file = _cache_file(grammar) if cache and not strict else None
    options: dict[str, Any] = {
        "parser": "lalr",
        "lexer": "contextual",
        "start": ["item", "expr"],
        "propagate_positions": True,
        "strict": strict,
    }
    if cache_file is not None:
        try:
            return Lark(grammar, cache=cache_file, **options)
        except OSError:
            pass  # an unreadable or unwritable cache: build in memory
    return Lark(grammar, **options)


@functools.cache
def parser() -> Lark:
    """The shared parser, built on first use (importing ``dsl`` stays fast)."""
    return build_parser()


# --- splitting a file into items -------------------------------------------------------------

_SCAN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[^\W\d]\w*|\S', re.UNICODE)


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_SCAN.finditer(text))


def split_items(text: str) -> list[int]:
    """Offsets where items begin: a top-level keyword not written as a field (``n.rule``)."""
    starts: list[int] = []
    previous = ""
    for match in _tokens(text):
        word = match.group()
        if word.startswith("#"):
            continue
        if word in ITEM_KEYWORDS and previous != ".":
            starts.append(match.start())
        previous = word
    return starts


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def parse_file(name: str, text: str, reporter: Reporter) -> s.SourceFile:
    """Parse every item of a file; syntax errors go to ``reporter``, good items are kept."""
    starts = split_items(text)
    first = starts[0] if starts else len(text)
    for match in _tokens(text[:first]):
        if not match.group().startswith("#"):
            line, col = _line_col(text, match.start())
            reporter.error(
                Span(line, col, line, col + len(match.group())),
                Said(f"意外的 `{match.group()}`；规则文件只能包含 `rule`、`const` 和 `score`",
                     f"unexpected `{match.group()}`; a rule file holds only `rule`, `const` "
                     "and `score`"),
            )
            break
    items: list[s.Item] = []
    bounds = [*starts, len(text)]
    for start, end in itertools.pairwise(bounds):
        line, col = _line_col(text, start)
        padded = "\n" * (line - 1) + " " * (col - 1) + text[start:end]
        item = parse_text(padded, "item", reporter)
        if item is not None:
            items.append(item)
    return s.SourceFile(name, text, tuple(items))


def parse_text(padded: str, start: str, reporter: Reporter) -> Any:
    """Parse ``padded`` (positions already those of the file) from ``start``; None on error."""
    try:
        tree = parser().parse(padded, start=start)
    except UnexpectedInput as exc:
        span, message, suggestion = explain_error(padded, exc)
        reporter.error(span, message, suggestion)
        return None
    deep = _too_deep(tree)
    if deep is not None:
        reporter.error(deep, Said(f"表达式嵌套超过 {MAX_DEPTH} 层", f"expression nested more than "
                                  f"{MAX_DEPTH} levels deep"), Said("请拆分", "split it up"))
        return None
    converter = TreeConverter(reporter, lambda text, line, col: _hole(text, line, col, reporter))
    return converter.item(tree) if start == "item" else converter.expr(tree)


def _hole(text: str, line: int, col: int, reporter: Reporter) -> s.Expr | None:
    return parse_text("\n" * (line - 1) + " " * (col - 1) + text, "expr", reporter)  # type: ignore[no-any-return]


def _too_deep(tree: Tree[Token]) -> Span | None:
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            m = node.meta
            return Span(m.line, m.column, m.end_line, m.end_column)
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return None


# --- parse errors in words ---------------------------------------------------------------------

_WORDS = {
    "NAME": ("名称", "a name"), "NUMBER": ("数字", "a number"),
    "STRING": ("带引号的文本", "a text in quotes"), "DATE": ("日期", "a date"),
    "COLON": ("`:`", "`:`"), "COMMA": ("`,`", "`,`"), "EQUAL": ("`=`", "`=`"),
    "LPAR": ("`(`", "`(`"), "RPAR": ("`)`", "`)`"), "LSQB": ("`[`", "`[`"),
    "RSQB": ("`]`", "`]`"), "MISSING": ("`missing`", "`missing`"), "IN": ("`in`", "`in`"),
    "FOR": ("`for`", "`for`"), "WHERE": ("`where`", "`where`"), "WHEN": ("`when`", "`when`"),
    "LIGHT": ("`light`", "`light`"), "NOTIFY": ("`notify`", "`notify`"),
    "WITHIN": ("`within`", "`within`"), "MESSAGE": ("`message`", "`message`"),
    "NOT": ("`not`", "`not`"), "$END": ("结尾", "the end"),
}
_OPERATORS = frozenset({
    "AND", "OR", "PLUS", "MINUS", "STAR", "SLASH", "EQ", "NE", "LT", "LE", "GT", "GE", "IN",
    "IS", "DOT", "PERCENT",
})
_CLAUSES = frozenset({"LIGHT", "NOTIFY", "MESSAGE", "WITHIN", "$END", "WHERE"})
_COMPARISONS = frozenset({"EQ", "NE", "LT", "LE", "GT", "GE"})
_VALUE_START = frozenset({"NAME", "NUMBER", "LPAR"})
_CONDITION_AFTER = frozenset({"when", "where", "and", "or", "not", "当", "满足", "且", "或", "非"})
_FULL_WIDTH = {
    "：": ":", "，": ",", "（": "(", "）": ")", "“": '"', "”": '"', "＝": "=", "＞": ">",
    "＜": "<", "％": "%", "【": "[", "】": "]", "。": ".", "；": "nothing (no `;` needed)",
}
_BAD_OPERATORS = {op: Said(f"`{op}` 不是运算符", f"`{op}` is not an operator")
                  for op in (">>", "<<", "=>", "=<", "&&", "||", "<>")}
_COMPARE = Said("比较运算符为 `<`、`<=`、`>`、`>=`、`==`、`!=`",
                "comparisons are `<`, `<=`, `>`, `>=`, `==`, `!=`")
_BAD_HINTS = {
    ">>": _COMPARE, "<<": _COMPARE,
    "=>": Said("请写 `>=`", "write `>=`"), "=<": Said("请写 `<=`", "write `<=`"),
    "&&": Said("请写 `and`", "write `and`"), "||": Said("请写 `or`", "write `or`"),
    "<>": Said("请写 `!=`", "write `!=`"),
}


def _previous_word(text: str, offset: int) -> str:
    previous = ""
    for match in _SCAN.finditer(text, 0, offset):
        if not match.group().startswith("#"):
            previous = match.group()
    return previous


def _describe(expected: Sequence[str], previous: str) -> Said:
    # a keyword's Chinese terminal says the same as its English one
    names = {n.removesuffix("_ZH") for n in expected} - {"IS_MISSING", "IS_NOT_MISSING"}
    words: list[tuple[str, str]] = []
    if names >= _VALUE_START:
        if previous in _CONDITION_AFTER:
            words.append(("条件", "a condition"))
        elif previous in ("within", "限"):
            words.append(("时长，例如 `3 workdays`", "a duration such as `3 workdays`"))
        elif previous in ("notify", ",", "通知"):
            words.append(("单位", "a unit"))
        else:
            words.append(("值", "a value"))
        names -= {"NAME", "NUMBER", "LPAR", "MINUS", "NOT", "DATE", "STRING", "TRUE", "FALSE",
                  "ANY", "ALL", "COUNT", "SUM", "MIN", "MAX"}
    if names & _OPERATORS:
        # After a complete expression the parser would accept many things; say it short.
        clause = names & _CLAUSES
        return Said("运算符" + ("或下一个子句" if clause else ""),
                    "an operator" + (" or the next clause" if clause else ""))
    if "RULE" in names or "CONST" in names or "SCORE" in names:
        words.append(("`rule`、`const` 或 `score`", "`rule`, `const` or `score`"))
        names -= {"RULE", "CONST", "SCORE"}
    words += sorted(_WORDS.get(n, (f"`{n.lower()}`", f"`{n.lower()}`")) for n in names)
    if not words:
        return Said("其他内容", "something else")
    zh, en = [w[0] for w in words], [w[1] for w in words]
    if len(words) == 1:
        return Said(zh[0], en[0])
    return Said("、".join(zh[:-1]) + "或" + zh[-1], ", ".join(en[:-1]) + " or " + en[-1])


def _after(what: Said, previous: str) -> Said:
    return Said(f"`{previous}` 之后应为{what.zh}", f"expected {what.en} after `{previous}`")


def explain_error(text: str, exc: UnexpectedInput) -> tuple[Span, Said, Said | None]:
    """Turn a Lark error into (span, message, suggestion)."""
    if isinstance(exc, UnexpectedCharacters):
        pos: int = exc.pos_in_stream or 0
        line: int = exc.line or 1
        column: int = exc.column or 1
        ch = text[pos]
        span = Span(line, column, line, column + 1)
        pair = text[pos : pos + 2]
        if pair in _BAD_OPERATORS:
            return (Span(line, column, line, column + 2),
                    _BAD_OPERATORS[pair], _BAD_HINTS[pair])
        if text[pos - 1 : pos + 1] in _BAD_OPERATORS:
            pair = text[pos - 1 : pos + 1]
            return (Span(line, column - 1, line, column + 1),
                    _BAD_OPERATORS[pair], _BAD_HINTS[pair])
        if ch == '"':
            return (span, Said("文本的引号没有闭合", "text is not closed"),
                    Said('请在同一行用 `"` 结束', 'end it with `"` on the same line'))
        if ch in _FULL_WIDTH:
            return span, Said(f"全角的 `{ch}`", f"full-width `{ch}`"), _fw(ch)
        if ch == "!":
            return (span, Said("`!` 不是运算符", "`!` is not an operator"),
                    Said("请写 `not`，比较时写 `!=`", "write `not`, or `!=` to compare"))
        if ch == "\\":
            return span, Said("反斜杠只能出现在引号内的文本中",
                              "a backslash belongs only inside text in quotes"), None
        return span, Said(f"意外的字符 `{ch}`", f"unexpected character `{ch}`"), None
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        previous = _previous_word(text, token.start_pos if token.type != "$END" else len(text))
        if token.type == "$END":
            end = text.rstrip()
            line = end.count("\n") + 1
            col = len(end) - (end.rfind("\n") + 1) + 1
            span = Span(line, col, line, col + 1)
            return span, _after(_describe(sorted(exc.expected), previous), previous), None
        value = str(token.value)
        span = Span(token.line or 1, token.column or 1, token.end_line or token.line or 1,
                    token.end_column or (token.column or 1) + len(value))
        pair = previous + value
        if pair in _BAD_OPERATORS:
            col = (token.column or 1) - 1
            return (Span(span.line, col, span.line, col + 2), _BAD_OPERATORS[pair],
                    _BAD_HINTS[pair])
        ahead = text[token.start_pos : token.start_pos + 2]
        if ahead in _BAD_OPERATORS:
            return (Span(span.line, span.column, span.line, span.column + 2),
                    _BAD_OPERATORS[ahead], _BAD_HINTS[ahead])
        if token.type in _COMPARISONS and names_after_expression(
                {n.removesuffix("_ZH") for n in exc.expected}):
            return (span, Said("比较不能连写", "comparisons do not chain"),
                    Said("请用 `and` 连接：`a < b and b < c`",
                         "join them with `and`: `a < b and b < c`"))
        if token.type == "EQUAL":
            return (span, Said("`=` 不是比较运算符", "`=` is not a comparison"),
                    Said("请写 `==`", "write `==`"))
        what = _describe(sorted(exc.expected), previous)
        if token.type not in ("NAME", "NUMBER", "STRING", "DATE") and value.isidentifier() and (
            "NAME" in exc.expected
        ):
            return span, Said(f"`{value}` 是保留字，不能用作名称",
                              f"`{value}` is a reserved word and cannot be used as a name"), None
        return span, Said(f"意外的 `{value}`；`{previous}` 之后应为{what.zh}",
                          f"unexpected `{value}`; expected {what.en} after `{previous}`"), None
    line = getattr(exc, "line", 1) or 1
    column = getattr(exc, "column", 1) or 1
    return Span(line, column, line, column + 1), Said("无法解析这里", "cannot parse this"), None


def names_after_expression(expected: set[str] | frozenset[str]) -> bool:
    return bool(set(expected) & (_OPERATORS - _COMPARISONS))


def _fw(ch: str) -> Said:
    ascii_ = _FULL_WIDTH[ch]
    if ascii_.startswith("nothing"):
        return Said("请删去（不需要 `;`）", "write nothing (no `;` needed)")
    return Said(f"请写 `{ascii_}`", f"write `{ascii_}`")
