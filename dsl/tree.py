"""Lark parse tree to the syntax tree of ``dsl.syntax``, with spans, escapes and holes.

Owns the shape of each grammar alternative and the reading of text literals: only ``\\"``
and ``\\\\`` escape; in messages ``{EXPR}`` is a hole and ``{{`` / ``}}`` are literal braces.
Problems found here (a bad escape, an unclosed hole) are reported, never raised. Chinese
spellings of subjects, levels, ``today``, functions, quantifiers and duration units become the
English ones here (``dsl.words``), so the checker and compiler see one language.
"""

from __future__ import annotations

from collections.abc import Callable

from lark import Token, Tree

from dsl import syntax as s
from dsl.diagnostics import Reporter, Said, Span
from dsl.words import UNIT_WORDS_ZH, field_en, keyword_en, name_en, word_en

HoleParser = Callable[[str, int, int], "s.Expr | None"]


def _tspan(tok: Token) -> Span:
    line = tok.line or 1
    col = tok.column or 1
    return Span(line, col, tok.end_line or line, tok.end_column or col + len(str(tok)))


def _span(tree: Tree[Token]) -> Span:
    m = tree.meta
    return Span(m.line, m.column, m.end_line, m.end_column)


def _toks(tree: Tree[Token], kind: str) -> list[Token]:
    return [c for c in tree.children if isinstance(c, Token) and c.type == kind]


def _trees(tree: Tree[Token]) -> list[Tree[Token]]:
    return [c for c in tree.children if isinstance(c, Tree)]


class TreeConverter:
    """Converts one item or expression; reports literal problems to ``reporter``."""

    def __init__(self, reporter: Reporter, hole: HoleParser) -> None:
        self.reporter = reporter
        self.hole = hole
        self.ok = True

    def error(self, span: Span, message: Said, suggestion: Said | None = None) -> None:
        self.ok = False
        self.reporter.error(span, message, suggestion)

    # --- items ---------------------------------------------------------------------------

    def item(self, tree: Tree[Token]) -> s.Item | None:
        node = tree.children[0]
        assert isinstance(node, Tree)
        result: s.Item
        if node.data == "rule":
            result = self.rule(node)
        elif node.data == "const":
            name = _toks(node, "NAME")[0]
            result = s.Const(_span(node), str(name), _tspan(name), self.expr(_trees(node)[0]))
        else:
            names = _toks(node, "NAME")
            title = self.title(node)
            result = s.Score(
                _span(node), str(names[0]), _tspan(names[0]), title, word_en(str(names[1])),
                _tspan(names[1]), str(names[2]), _tspan(names[2]), self.expr(_trees(node)[-1]),
            )
        return result if self.ok else None

    def title(self, node: Tree[Token]) -> s.String | None:
        for child in _trees(node):
            if child.data == "title":
                tok = child.children[0]
                assert isinstance(tok, Token)
                return self.string(tok)
        return None

    def rule(self, node: Tree[Token]) -> s.Rule:
        name = _toks(node, "NAME")[0]
        parts = {c.data: c for c in _trees(node)}
        for_clause = parts["for_clause"]
        subject, var = _toks(for_clause, "NAME")
        where = [c for c in _trees(for_clause) if c.data == "where"]
        lights = tuple(self.light(c) for c in _trees(node) if c.data == "light_clause")
        notify = None
        if "notify_clause" in parts:
            exprs = [self.expr(c) for c in _trees(parts["notify_clause"])]
            notify = s.Notify(_span(parts["notify_clause"]), tuple(exprs[:-1]), exprs[-1])
        message = None
        if "message_clause" in parts:
            tok = _toks(parts["message_clause"], "STRING")[0]
            message = self.message(tok)
        return s.Rule(
            _span(node), str(name), _tspan(name), self.title(node), word_en(str(subject)),
            _tspan(subject), str(var), _tspan(var), _span(for_clause),
            self.expr(_trees(where[0])[0]) if where else None, lights, notify, message,
        )

    def light(self, node: Tree[Token]) -> s.Light:
        level = _toks(node, "NAME")[0]
        return s.Light(_span(node), word_en(str(level)), _tspan(level),
                       self.expr(_trees(node)[0]))

    # --- expressions -----------------------------------------------------------------------

    def expr(self, tree: Tree[Token] | Token) -> s.Expr:
        assert isinstance(tree, Tree)
        kind = str(tree.data)
        span = _span(tree)
        kids = _trees(tree)
        if kind in ("or_op", "and_op"):
            return s.Binary(span, kind[:-3], self.expr(kids[0]), self.expr(kids[1]))
        if kind == "not_op":
            return s.Unary(span, "not", self.expr(kids[0]))
        if kind == "compare":
            op = kids[1].children[0]
            return s.Binary(span, str(op), self.expr(kids[0]), self.expr(kids[2]))
        if kind == "in_list":
            return s.InList(span, self.expr(kids[0]), tuple(self.expr(k) for k in kids[1:]))
        if kind in ("is_missing", "is_not_missing"):
            return s.IsMissing(span, self.expr(kids[0]), kind == "is_not_missing")
        if kind == "binary":
            op = tree.children[1]
            return s.Binary(span, str(op), self.expr(kids[0]), self.expr(kids[1]))
        if kind == "neg":
            return s.Unary(span, "-", self.expr(kids[0]))
        if kind == "field":
            name = _toks(tree, "NAME")[-1]
            return s.Field(span, self.expr(kids[0]), field_en(str(name)), _tspan(name))
        if kind == "name":
            return s.Name(span, name_en(str(tree.children[0])))
        if kind == "call":
            func = _toks(tree, "NAME")[0]
            return s.Call(span, word_en(str(func)), _tspan(func),
                          tuple(self.expr(k) for k in kids))
        if kind == "number":
            text = str(tree.children[0])
            # int() refuses thousands of digits; a float of them is inf, which the checker
            # reports as out of range
            whole = "." not in text and len(text) <= 18
            return s.Number(span, text, int(text) if whole else float(text))
        if kind == "percent":
            text = str(tree.children[0])
            return s.Percent(span, text, float(text) / 100)
        if kind == "duration":
            amount, unit = tree.children
            assert isinstance(unit, Token)
            unit_text = UNIT_WORDS_ZH.get(str(unit), str(unit))  # 3 工作日, 3 个工作日, 3个工作日
            return s.DurationLit(span, str(amount), unit_text, _tspan(unit))
        if kind == "date":
            return s.DateLit(span, str(tree.children[0]))
        if kind == "string":
            tok = tree.children[0]
            assert isinstance(tok, Token)
            return self.string(tok)
        if kind in ("true", "false"):
            return s.Bool(span, kind == "true")
        if kind == "paren":
            return s.Paren(span, self.expr(kids[0]))
        if kind in ("quantified", "folded"):
            return self.aggregate(tree, span, kids)
        raise AssertionError(f"unknown node {kind}")  # pragma: no cover - grammar and code agree

    def aggregate(self, tree: Tree[Token], span: Span, kids: list[Tree[Token]]) -> s.Aggregate:
        op = keyword_en(str(kids[0].children[0]))
        var = _toks(tree, "NAME")[0]
        where = [k for k in kids if k.data == "where"]
        cond = self.expr(_trees(where[0])[0]) if where else None
        rest = [k for k in kids[1:] if k.data != "where"]
        if tree.data == "quantified":
            return s.Aggregate(span, op, str(var), _tspan(var), self.expr(rest[0]), cond, None)
        return s.Aggregate(
            span, op, str(var), _tspan(var), self.expr(rest[1]), cond, self.expr(rest[0])
        )

    # --- text -------------------------------------------------------------------------------

    def string(self, tok: Token) -> s.String:
        parts = self._read(tok, holes=False)
        return s.String(_tspan(tok), str(tok), "".join(p for p in parts if isinstance(p, str)))

    def message(self, tok: Token) -> s.Message:
        parts = self._read(tok, holes=True)
        merged: list[str | s.Hole] = []
        for part in parts:
            if isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] += part
            else:
                merged.append(part)
        return s.Message(_tspan(tok), str(tok), tuple(merged))

    def _read(self, tok: Token, *, holes: bool) -> list[str | s.Hole]:
        raw = str(tok)
        line = tok.line or 1
        base = (tok.column or 1)  # column of the opening quote
        parts: list[str | s.Hole] = []
        i = 1
        end = len(raw) - 1
        while i < end:
            ch = raw[i]
            col = base + i
            if ch == "\\":
                nxt = raw[i + 1] if i + 1 < end else ""
                if nxt in ('"', "\\"):
                    parts.append(nxt)
                else:
                    self.error(Span(line, col, line, col + 2),
                               Said(f"未知的转义 `\\{nxt}`", f"unknown escape `\\{nxt}`"),
                               Said('只有 `\\"` 和 `\\\\` 是转义；反斜杠请写 `\\\\`',
                                    'only `\\"` and `\\\\` are escapes; write `\\\\` for a backslash'))
                i += 2
                continue
            if holes and ch == "{":
                if raw[i + 1 : i + 2] == "{":
                    parts.append("{")
                    i += 2
                    continue
                close = raw.find("}", i + 1, end)
                if close < 0:
                    self.error(Span(line, col, line, col + 1),
                               Said("`{` 开始的占位没有闭合", "`{` opens a hole that is not closed"),
                               Said("请用 `}` 闭合；花括号本身请写 `{{`",
                                    "close it with `}`, or write `{{` for a brace"))
                    return parts
                text = raw[i + 1 : close]
                if not text.strip():
                    self.error(Span(line, col, line, base + close + 1),
                               Said("空的占位 `{}`", "empty hole `{}`"),
                               Said("请在其中写表达式；花括号本身请写 `{{`",
                                    "put an expression inside, or write `{{` for a brace"))
                else:
                    expr = self.hole(text, line, col + 1)
                    if expr is None:
                        self.ok = False
                    else:
                        parts.append(s.Hole(Span(line, col, line, base + close + 1), expr))
                i = close + 1
                continue
            if holes and ch == "}":
                if raw[i + 1 : i + 2] == "}":
                    parts.append("}")
                    i += 2
                    continue
                self.error(Span(line, col, line, col + 1),
                           Said("`}` 没有对应的占位", "`}` closes no hole"),
                           Said("花括号本身请写 `}}`", "write `}}` for a brace"))
                i += 1
                continue
            parts.append(ch)
            i += 1
        return parts
