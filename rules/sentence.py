"""Why a light is lit, as a sentence a leader or a unit reads: the values that decided it.

Owns ``explain_sentence``. Pure. It reads a finding's ``explain`` lines (``rules.explain``:
``("红 when today > m.due + grace", "成立：today = 2026-12-02；m.due + grace = 2026-11-04")``),
keeps the clauses that held, and names each value in words::

    计划完成 2026-10-21，计划完成加宽限 2026-11-04，今天 2026-12-02

Fields are named from ``FIELD_WORDS``, the standard rulebook's constants from ``CONST_WORDS``;
a sum reads ``计划完成加宽限``, ``days(a, b)`` reads ``开始至实际完成天数``. A part that cannot be
named in words (a quantifier, an unknown constant) is left out rather than shown as code: the
rule's code stays one click away for the office. Durations read ``10 个工作日``.
"""

from __future__ import annotations

import datetime as dt
import re

FIELD_WORDS: dict[str, tuple[str, str]] = {
    "today": ("今天", "today"),
    "due": ("计划完成", "due"),
    "start": ("开始", "start"),
    "finished": ("实际完成", "finished"),
    "updated": ("最近报送", "last report"),
    "forecast": ("预测完成", "forecast"),
    "critical": ("关键路径节点", "on the critical path"),
    "progress": ("进度", "progress"),
    "amount": ("计划金额", "planned amount"),
    "paid": ("已支付", "paid"),
    "budget": ("总投资", "budget"),
    "overdue": ("逾期工作日", "workdays overdue"),
    "float": ("总时差", "float"),
    "links": ("前置关系", "links"),
    "fs_links": ("完成-开始关系", "finish-to-start links"),
    "leads": ("提前量关系", "leads"),
    "lags": ("延时关系", "lags"),
    "issued": ("发出", "issued"),
    "responded": ("已回复", "replied"),
    "response_date": ("回复日期", "reply date"),
    "on_time_rate": ("按时办结率", "on-time rate"),
    "completion_rate": ("办结率", "completion rate"),
    "early_rate": ("提前办结率", "early rate"),
    "response_rate": ("回复率", "response rate"),
    "red_cards": ("红牌数", "red cards"),
    "yellow_cards": ("黄牌数", "yellow cards"),
}
CONST_WORDS: dict[str, tuple[str, str]] = {
    "grace": ("宽限", "grace"),
    "short_grace": ("宽限", "grace"),
    "stale": ("报送期限", "reporting period"),
}
NOTICE_WORDS: dict[str, tuple[str, str]] = {
    "due": ("回复期限", "reply due"),
    "issued": ("发出日期", "issued"),
}
PHRASES: dict[str, tuple[str, str]] = {
    "p.paid / p.budget": ("支付比例", "share paid"),
    "m.paid / m.amount": ("支付比例", "share paid"),
}
_OPS = {"+": ("加", " plus "), "-": ("减", " minus "), "*": ("乘", " times "), "/": ("除以", " over ")}
_FIELD = re.compile(r"^(?:[a-z]\.)*([a-z_]+)$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?%?$")
_DURATION = re.compile(r"^(\d+) (?:workdays?|个工作日)$")
_DAYS_CALL = re.compile(r"^(days|workdays)\((.+), (.+)\)$")


def _word(name: str, lang: str, notice: bool = False) -> str | None:
    words = (NOTICE_WORDS.get(name) if notice else None) or FIELD_WORDS.get(name) \
        or CONST_WORDS.get(name)
    if words is None:
        return None
    return words[1] if lang == "en" else words[0]


def _term(source: str, lang: str) -> str | None:
    """Words for one expression, or None when it cannot be said without code."""
    source = source.strip()
    if source in PHRASES:
        return PHRASES[source][1 if lang == "en" else 0]
    if _NUMBER.match(source):
        return source
    m = _DURATION.match(source)
    if m:
        return f"{m.group(1)} 个工作日" if lang != "en" else f"{m.group(1)} workdays"
    m = _DAYS_CALL.match(source)
    if m:
        a, b = _term(m.group(2), lang), _term(m.group(3), lang)
        if a is None or b is None:
            return None
        unit = ("天数", "days") if m.group(1) == "days" else ("工作日数", "workdays")
        return f"{a}至{b}{unit[0]}" if lang != "en" else f"{unit[1]} from {a} to {b}"
    for op, (zh, en) in _OPS.items():
        left, sep, right = source.rpartition(f" {op} ")
        if sep:
            a, b = _term(left, lang), _term(right, lang)
            if a is None or b is None:
                return None
            if b[:1].isdigit():
                b = f" {b}"
            return f"{a}{zh}{b}" if lang != "en" else f"{a}{en}{b}"
    m = _FIELD.match(source)
    if m and m.group(1) != "missing":
        return _word(m.group(1), lang, notice=source.startswith("n."))
    return None


def _value(text: str, lang: str) -> str:
    m = _DURATION.match(text.strip())
    if m:
        return f"{m.group(1)} 个工作日" if lang != "en" else f"{m.group(1)} workdays"
    if lang == "en":
        return {"是": "yes", "否": "no", "缺失": "missing"}.get(text, text)
    return text


def _held_parts(verdict: str) -> list[tuple[str, str]]:
    if not verdict.startswith("成立"):
        return []
    _, _, rest = verdict.partition("：")
    parts = []
    for piece in rest.split("；"):
        source, sep, value = piece.partition(" = ")
        if sep:
            parts.append((source, value))
    return parts


def scalar_text(value: object) -> str | None:
    """A yes/no as 是/否, a date in ISO form, a float without noise; None for any other value.
    Shared by the finding sentences here and the notice texts (``notifier.text``)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.4g}"
    return None


def _plain(value: object) -> str:
    text = scalar_text(value)
    if text is not None:
        return text
    chinese = getattr(value, "chinese", None)
    return chinese if isinstance(chinese, str) else str(value)


def explain_sentence(explain: object, lang: str = "zh") -> str:
    """The values behind a finding as one sentence (empty when none can be said in words).

    ``explain`` is the engine's clause lines (above), or plain ``(expression, value)`` pairs.
    """
    seen: dict[str, str] = {}
    try:
        lines = list(explain)  # type: ignore[call-overload]
    except TypeError:
        return ""
    for line in lines:
        try:
            _clause, verdict = line
        except (TypeError, ValueError):
            continue
        text = str(verdict)
        pairs = _held_parts(text) if text.startswith(("成立", "不成立", "缺失")) else [
            (str(_clause), _plain(verdict))]
        for source, value in pairs:
            term = _term(source, lang)
            if term is not None and term not in seen:
                seen[term] = _value(value, lang)
    if not seen:
        return ""
    # plain fields and constants before derived values, today last: the order one reasons in
    def order(term: str) -> int:
        if term in ("今天", "today"):
            return 2
        return 1 if any(w in term for w in ("加", "减", "乘", "除以", "至", " plus ", " from ")) else 0

    words = sorted(seen, key=order)
    sep = "，" if lang != "en" else ", "
    return sep.join(f"{t} {seen[t]}" for t in words)
