"""Diagnostics in Chinese: the parser's, checker's and compiler's messages, said in zh-CN.

Owns ``message_zh``, ``suggestion_zh`` and ``warning_zh``. Pure. The diagnostics are written in English where
they are raised (``dsl.parser``, ``dsl.checker``, ``dsl.operators``, ``dsl.compiler``); this
table says each of their shapes in Chinese, keeping what is quoted in backticks (the author's
words) as it is. A message of no known shape comes back in English behind ``规则有误：`` so
nothing is lost; ``tests/dsl/test_messages_zh.py`` makes each shipped shape a translated one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_TYPES = {
    "number": "数值", "ratio": "比例", "text": "文字", "bool": "条件（真/假）", "date": "日期",
    "duration": "时长", "kind": "节点类型", "category": "类别", "level": "灯号",
    "milestone": "节点", "project": "项目", "unit": "单位", "notice": "督办单",
    "person": "责任人", "complaint": "投诉", "condition": "条件", "error": "错误",
    "name": "名称", "function": "函数", "field": "字段", "escape": "转义", "subject": "对象",
}
_VERBS = {"add": "加", "subtract": "减", "multiply": "乘", "divide": "除"}
_WHAT = {"rule": "规则", "score": "评分", "const": "常量"}


def _type(phrase: str) -> str:
    """``a collection of milestones`` -> ``节点的集合``; ``a date`` -> ``日期``."""
    phrase = re.sub(r"^an? ", "", phrase.strip())
    m = re.fullmatch(r"collection of (\w+?)s", phrase)
    if m:
        return f"{_TYPES.get(m.group(1), m.group(1))}的集合"
    return _TYPES.get(phrase, phrase)


def _what(phrase: str) -> str:
    """``rule `late``` -> ``规则 `late```."""
    word, _, rest = phrase.partition(" ")
    return f"{_WHAT.get(word, word)} {rest}".strip()


_Q = r"(`[^`]*`)"  # a quoted word of the author's, kept as written
_T = r"(an? (?:collection of \w+|\w+))"  # a type phrase
Rewrite = Callable[[re.Match[str]], str]

_MESSAGES: tuple[tuple[str, Rewrite], ...] = (
    (r"the rulebook is longer than (\d+) characters", lambda m: f"规则集超过 {m[1]} 个字符"),
    (rf"duplicate const {_Q}", lambda m: f"常量 {m[1]} 重复定义"),
    (rf"duplicate (rule|score) name {_Q}", lambda m: f"{_WHAT[m[1]]}名 {m[2]} 已被使用"),
    (rf"const {_Q} is defined by itself", lambda m: f"常量 {m[1]} 引用了自身"),
    (rf"const {_Q} is built on a chain of (\d+) other consts; at most (\d+) may be chained",
     lambda m: f"常量 {m[1]} 依赖一串 {m[2]} 个其他常量，最多只能串联 {m[3]} 个"),
    (rf"unknown subject {_Q}", lambda m: f"未知的对象 {m[1]}"),
    (rf"unknown light {_Q}", lambda m: f"未知的灯号 {m[1]}"),
    (rf"{_Q} needs a condition; this is {_T}", lambda m: f"{m[1]} 后面需要一个条件，这里是{_type(m[2])}"),
    (rf"{_Q} needs (an? (?:unit|collection of units)(?: or an? (?:unit|collection of units))*); this is {_T}",
     lambda m: f"{m[1]} 后面需要{'或'.join(_type(x) for x in m[2].split(' or '))}，这里是{_type(m[3])}"),
    (rf"{_Q} needs a duration such as {_Q}; this is {_T}",
     lambda m: f"{m[1]} 后面需要一个时长（如 {m[2]}），这里是{_type(m[3])}"),
    (rf"{_Q} needs a fixed duration", lambda m: f"{m[1]} 后面需要一个固定的时长"),
    (r"a message cannot show a collection", lambda m: "消息里不能直接显示一个集合"),
    (r"a score ranks units, not (\w+?)s", lambda m: f"评分只对单位排名，不能对{_type(m[1])}"),
    (rf"a score must be a number; this is {_T}", lambda m: f"评分必须是数值，这里是{_type(m[1])}"),
    (rf"the number {_Q} is too large", lambda m: f"数字 {m[1]} 太大"),
    (rf"{_Q} is not a date", lambda m: f"{m[1]} 不是日期"),
    (rf"unknown duration unit {_Q}", lambda m: f"未知的时长单位 {m[1]}"),
    (r"a duration counts whole days", lambda m: "时长只能是整数天"),
    (rf"{_Q} is out of range", lambda m: f"{m[1]} 超出范围"),
    (rf"a const cannot use the subject variable {_Q}", lambda m: f"常量不能使用规则对象的变量 {m[1]}"),
    (rf"{_Q} is a function", lambda m: f"{m[1]} 是一个函数"),
    (rf"a collection of (\w+?)s has no field {_Q}", lambda m: f"{_type(m[1])}的集合没有字段 {m[2]}"),
    (rf"{_T} has no fields", lambda m: f"{_type(m[1])}没有字段"),
    (rf"unknown field {_Q} of (\w+)", lambda m: f"{_type(m[2])}没有字段 {m[1]}"),
    (rf"cannot negate {_T}", lambda m: f"不能对{_type(m[1])}取负"),
    (rf"cannot look for {_T} among (\w+?)s", lambda m: f"不能在{_type(m[2])}中查找{_type(m[1])}"),
    (rf"unknown function {_Q}", lambda m: f"未知的函数 {m[1]}"),
    (rf"{_Q} takes (\d+) arguments? \(a value and the value to use when it is missing\), not (\d+)",
     lambda m: f"{m[1]} 需要 {m[2]} 个参数（一个值，以及它为空时用的值），这里有 {m[3]} 个"),
    (rf"{_Q} takes (\d+) arguments? \((.*)\), not (\d+)",
     lambda m: f"{m[1]} 需要 {m[2]} 个参数（{'、'.join(_type(x) for x in m[3].split(', '))}），这里有 {m[4]} 个"),
    (rf"{_Q} needs {_T} here, like its first argument; this is {_T}",
     lambda m: f"{m[1]} 这里需要{_type(m[2])}（与第一个参数相同），这里是{_type(m[3])}"),
    (rf"{_Q} needs {_T} here; this is {_T}",
     lambda m: f"{m[1]} 这里需要{_type(m[2])}，这里是{_type(m[3])}"),
    (rf"{_Q} goes over a collection; this is {_T}", lambda m: f"{m[1]} 需要作用于一个集合，这里是{_type(m[2])}"),
    (r"cannot take the (\w+) of (\w+?)s", lambda m: f"不能对{_type(m[2])}求 {m[1]}"),
    (rf"{_Q} needs conditions on both sides; the (left|right) side is {_T}",
     lambda m: f"{m[1]} 两边都需要条件，{'左' if m[2] == 'left' else '右'}边是{_type(m[3])}"),
    (r"(\w+)s can only be compared with `==` and `!=`", lambda m: f"{_type(m[1])}只能用 `==` 和 `!=` 比较"),
    (rf"cannot compare {_T} with {_T}", lambda m: f"不能把{_type(m[1])}和{_type(m[2])}比较"),
    (rf"cannot (add|subtract) {_T} (?:to|from) {_T}",
     lambda m: f"不能{'给' if m[1] == 'add' else '从'}{_type(m[3])}{_VERBS[m[1]]}{_type(m[2])}"),
    (rf"cannot (multiply|divide) {_T} by {_T}", lambda m: f"不能用{_type(m[3])}{_VERBS[m[1]]}{_type(m[2])}"),
    (r"(rule|score|const) (`[^`]*`) is too complex to compile", lambda m: f"{_WHAT[m[1]]} {m[2]} 太复杂，无法编译"),
    (r"(rule|score) (`[^`]*`) would cost about ([\d,]+) operations per (\w+) \((.*)\), more than the bound of ([\d,]+)",
     lambda m: f"{_WHAT[m[1]]} {m[2]} 对每个{_type(m[4])}约需 {m[3]} 次运算（{_nesting(m[5])}），超过上限 {m[6]}"),
    (r"(rule|score|const) (`[^`]*`) compiles to (\d+) characters of code, more than the (\d+) allowed",
     lambda m: f"{_WHAT[m[1]]} {m[2]} 编译后有 {m[3]} 个字符的代码，超过允许的 {m[4]}"),
    (r"the rulebook compiles to (\d+) characters of code, more than the (\d+) allowed",
     lambda m: f"规则集编译后有 {m[1]} 个字符的代码，超过允许的 {m[2]}"),
    (rf"unexpected {_Q}; a rule file holds only `rule`, `const` and `score`",
     lambda m: f"意外的 {m[1]}：规则文件只能包含 `rule`（规则）、`const`（常量）和 `score`（评分）"),
    (r"expression nested more than (\d+) levels deep", lambda m: f"表达式嵌套超过 {m[1]} 层"),
    (rf"unknown escape {_Q}", lambda m: f"未知的转义 {m[1]}"),
    (r"`\{` opens a hole that is not closed", lambda m: "`{` 开始的填空没有闭合"),
    (r"empty hole `\{\}`", lambda m: "空的填空 `{}`"),
    (r"`\}` closes no hole", lambda m: "`}` 前面没有对应的 `{`"),
    (rf"{_Q} is not an operator", lambda m: f"{m[1]} 不是运算符"),
    (r"text is not closed", lambda m: "文字的引号没有闭合"),
    (rf"full-width {_Q}", lambda m: f"全角字符 {m[1]}"),
    (r"a backslash belongs only inside text in quotes", lambda m: "反斜杠只能出现在引号内的文字里"),
    (rf"unexpected character {_Q}", lambda m: f"意外的字符 {m[1]}"),
    (r"expected (.*) after (`.*`)", lambda m: f"{m[2]} 后面应为{_expected(m[1])}"),
    (r"comparisons do not chain", lambda m: "比较不能连写"),
    (r"`=` is not a comparison", lambda m: "`=` 不是比较运算"),
    (rf"{_Q} is a reserved word and cannot be used as a name", lambda m: f"{m[1]} 是保留字，不能用作名称"),
    (r"unexpected (`.*`); expected (.*) after (`.*`)", lambda m: f"意外的 {m[1]}：{m[3]} 后面应为{_expected(m[2])}"),
    (r"cannot parse this", lambda m: "无法解析此处"),
    (rf"unknown (\w+) {_Q}", lambda m: f"未知的{_TYPES.get(m[1], m[1])} {m[2]}"),
)

_SUGGESTIONS: tuple[tuple[str, Rewrite], ...] = (
    (rf"did you mean {_Q}\?", lambda m: f"是不是 {m[1]}？"),
    (rf"notify its unit: {_Q}", lambda m: f"请通知它的单位：{m[1]}"),
    (r"split it into smaller rulebooks", lambda m: "请拆成几个较小的规则集"),
    (r"it is already defined at (.+):(\d+)", lambda m: f"它已在 {m[1]} 第 {m[2]} 行定义"),
    (r"the first is at (.+):(\d+); give this one another name",
     lambda m: f"第一个在 {m[1]} 第 {m[2]} 行，请给这一个换个名字"),
    (r"a rule is for milestone, project, unit or notice", lambda m: "规则的对象是节点、项目、单位或督办单"),
    (r"a light is `blue` \(a reminder\), `yellow` or `red`", lambda m: "灯号为 `blue`（蓝灯，提醒）、`yellow`（黄灯）或 `red`（红灯）"),
    (rf"write it as {_Q} or name it with {_Q}", lambda m: f"写成 {m[1]}，或用 {m[2]} 命名"),
    (rf"show how many with {_Q}", lambda m: f"用 {m[1]} 显示数量"),
    (rf"write {_Q}", lambda m: f"请写 {m[1]}"),
    (r"a number has at most 15 digits before the decimal point", lambda m: "数字的整数部分最多 15 位"),
    (r"write YYYY-MM-DD", lambda m: "日期写作 YYYY-MM-DD"),
    (r"write `days`, `workdays`, `weeks` or `months`", lambda m: "请写 `days`（天）、`workdays`（工作日）、`weeks`（周）或 `months`（个月）"),
    (r"a duration is at most (\d+) (\w+)", lambda m: f"时长最多 {m[1]} {_units(m[2])}"),
    (r"one of (.*)", lambda m: f"可用：{m[1]}"),
    (rf"constants hold fixed values such as {_Q}", lambda m: f"常量只能是固定的值，如 {m[1]}"),
    (rf"call it: {_Q}", lambda m: f"请调用它：{m[1]}"),
    (rf"kind words are compared with a kind, as in {_Q}", lambda m: f"节点类型词要与类型比较，如 {m[1]}"),
    (rf"use any/all/count/sum over it, e\.g\. {_Q}", lambda m: f"请对它用 `any`、`all`、`count` 或 `sum`，如 {m[1]}"),
    (rf"for example {_Q}(?: or {_Q})?", lambda m: "例如 " + m[1] + (f" 或 {m[2]}" if m[2] else "")),
    (r"write the value directly, or shorten the chain", lambda m: "请直接写出值，或缩短串联"),
    (r"split it into smaller consts", lambda m: "请拆成几个较小的常量"),
    (r"split it into smaller rules or consts", lambda m: "请拆成几个较小的规则或常量"),
    (rf"split it up, or name repeated parts with {_Q}", lambda m: f"请拆开，或用 {m[1]} 命名重复的部分"),
    (r"split it up", lambda m: "请拆开"),
    (r"write the number as a duration, such as (`[^`]*`)", lambda m: f"请把数字写成时长，如 {m[1]}"),
    (r"add a duration, such as (`[^`]*`) or (`[^`]*`)", lambda m: f"请加一个时长，如 {m[1]} 或 {m[2]}"),
    (r"subtract dates to get the days between them", lambda m: "两个日期相减得到相隔的天数"),
    (r"close it with `\}`, or write `\{\{` for a brace", lambda m: "请用 `}` 闭合，或写 `{{` 表示花括号本身"),
    (r"put an expression inside, or write `\{\{` for a brace", lambda m: "请在里面写一个表达式，或写 `{{` 表示花括号本身"),
    (r"write `\}\}` for a brace", lambda m: "写 `}}` 表示花括号本身"),
    (r"only `\\\"` and `\\\\` are escapes; write `\\\\` for a backslash",
     lambda m: "只有 `\\\"` 和 `\\\\` 是转义；反斜杠请写 `\\\\`"),
    (r"comparisons are (.*)", lambda m: f"比较运算有 {m[1]}"),
    (rf"write {_Q}, or {_Q} to compare", lambda m: f"请写 {m[1]}，比较请写 {m[2]}"),
    (r"end it with `\"` on the same line", lambda m: "请在同一行用 `\"` 结束"),
    (rf"join them with {_Q}: {_Q}", lambda m: f"请用 {m[1]} 连接：{m[2]}"),
    (r"write nothing \(no `;` needed\)", lambda m: "不需要 `;`，删去即可"),
)

_EXPECTED = {
    "a condition": "条件", "a duration such as `3 workdays`": "时长（如 `3 workdays`）",
    "a unit": "单位", "a value": "值", "an operator": "运算符",
    "an operator or the next clause": "运算符或下一个子句", "a name": "名称", "a number": "数字",
    "a text in quotes": "引号中的文字", "a date": "日期", "the end": "结尾",
    "`rule`, `const` or `score`": "`rule`、`const` 或 `score`", "something else": "其他内容",
}
_UNITS = {"days": "天", "workdays": "个工作日", "weeks": "周", "months": "个月"}


def _units(word: str) -> str:
    return _UNITS.get(word, word)


def _expected(phrase: str) -> str:
    if phrase in _EXPECTED:
        return _EXPECTED[phrase]
    parts = re.split(r", | or ", phrase)
    return "、".join(_EXPECTED.get(p, p) for p in parts) if len(parts) > 1 else phrase


def _nesting(reason: str) -> str:
    """A cost's reason (``count over upstream(m) (~50) inside any over p.milestones (~100)``)
    in Chinese, outermost first, as ``dsl.cost.Cost.reason_zh`` says it."""
    if reason in ("", "no collections"):
        return "无集合遍历"
    parts = []
    for part in reversed(reason.split(" inside ")):
        m = re.fullmatch(r"(\w+) over (.+) \(~(\d+)\)", part)
        parts.append(f"`{m[1]}` 遍历 `{m[2]}`（约 {m[3]} 个）" if m else part)
    return "，其中又".join(parts)


def _rewrite(text: str, table: tuple[tuple[str, Rewrite], ...]) -> str | None:
    for pattern, rewrite in table:
        m = re.fullmatch(pattern, text, re.S)
        if m:
            return rewrite(m)
    return None


def message_zh(message: str) -> str:
    """A diagnostic's message in Chinese (the English one behind ``规则有误：`` if unknown)."""
    said = _rewrite(message, _MESSAGES)
    return said if said is not None else f"规则有误：{message}"


def suggestion_zh(suggestion: str | None) -> str | None:
    """A diagnostic's suggestion in Chinese (as it was if of no known shape)."""
    if not suggestion:
        return suggestion
    said = _rewrite(suggestion, _SUGGESTIONS)
    return said if said is not None else suggestion


_WARNINGS: tuple[tuple[str, Rewrite], ...] = (
    (rf"`where` of rule {_Q} can never hold: no subject can meet it, so the rule never lights",
     lambda m: f"规则 {m[1]} 的 `where` 条件永远不成立：没有对象能满足，这条规则永远不会亮灯"),
    (rf"`where` of rule {_Q} always holds: every subject meets it",
     lambda m: f"规则 {m[1]} 的 `where` 条件总是成立：每个对象都满足"),
    (rf"light {_Q} can never hold given `where`", lambda m: f"在 `where` 条件下，{_level(m[1])} 永远不会亮"),
    (rf"light {_Q} can never hold", lambda m: f"{_level(m[1])} 的条件永远不成立"),
    (rf"light {_Q} always holds: {_Q} is true of every subject",
     lambda m: f"{_level(m[1])} 总是亮：{m[2]} 对每个对象都成立"),
    (rf"light {_Q} can never show: whenever it holds, {_Q} holds too",
     lambda m: f"{_level(m[1])} 永远显示不出来：它成立时，{_level(m[2])} 也成立（更高的灯号优先）"),
)
_LEVELS = {"`red`": "红灯", "`yellow`": "黄灯", "`blue`": "蓝灯"}


def _level(quoted: str) -> str:
    return _LEVELS.get(quoted, quoted)


def warning_zh(message: str) -> str:
    """A static analysis warning (``dsl.analysis``) in Chinese (English behind ``提示：``
    if of no known shape)."""
    said = _rewrite(message, _WARNINGS)
    return said if said is not None else f"提示：{message}"


def is_translated(message: str) -> bool:
    """Whether ``message`` has a known shape (for the tests of the table)."""
    return _rewrite(message, _MESSAGES) is not None
