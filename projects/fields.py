"""Field-level checks of a portfolio: one value in, a clean value (or a problem) out.

Owns the conversions from what a portfolio file may hold to the model's types — ids, text,
dates, ratios, yuan amounts, lags, choices — and the wording of what is wrong with each. The
``Fields`` collector gathers problems instead of raising, so a whole file is checked at once;
``BAD`` marks a value that produced a problem (the caller then skips checks that depend on it,
so one mistake gives one message). Hot path: no regular expressions, no per-call allocations
beyond the problem text, which is only built when something is wrong.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import math
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final

from projects.errors import Problem, suggest

_NOTHING: frozenset[str] = frozenset()
_sets: dict[Collection[str], frozenset[str]] = {}


def field_set(names: tuple[str, ...]) -> tuple[str, ...]:
    """Register ``names`` (a tuple of allowed fields) for fast unknown-field checks."""
    _sets[names] = frozenset(names)
    return names


class _Bad:
    __slots__ = ()

    def __repr__(self) -> str:
        return "BAD"


BAD: Final = _Bad()

#: Every amount in yuan stays below this (一千万亿元, a thousand times a province's yearly
#: budget): above it a float no longer holds whole yuan exactly, and such a figure is a typing
#: mistake (digits pasted twice, a date typed into the amount). The rule language's number
#: literals have the same bound (``dsl.checker.MAX_NUMBER``).
AMOUNT_MAX: Final = 1e15

#: What would be right, for each required field that is missing.
HINTS: dict[str, str] = {
    "id": "a short stable id such as P001 or tender",
    "name": "the name people read, e.g. 海东大道改造工程",
    "title": "the title people read (标题), e.g. 道路施工夜间噪音扰民",
    "category": "project (重点项目) or task (重点工作)",
    "unit": "the id of the responsible unit",
    "kind": "one of approval, tendering, contract, progress, supervision, safety, funds, completion",
    "issued": "the date the notice was issued, e.g. 2026-05-06",
    "due": "the date a response is due, e.g. 2026-05-11",
    "received": "the day the complaint was received (受理日期), e.g. 2026-05-06",
    "year": "the calendar year, e.g. 2027",
}


def _at(where: str, field: str) -> str:
    """The path of ``field`` in ``where``; built only when there is something to report."""
    return f"{where}.{field}" if field else where


def type_name(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f'the text "{value}"'
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _date_hint(text: str) -> str:
    """Why ``text`` is not a date, when it looks like one (``2026-02-30``)."""
    parts = text.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        y, m, d = (int(p) for p in parts)
        if not 1 <= m <= 12:
            return f"there is no month {m}; write an ISO date like {y}-04-30"
        last = _calendar.monthrange(y, m)[1]
        if d > last or d < 1:
            return f"{y}-{m:02d} has {last} days; write an ISO date like {y}-{m:02d}-{last:02d}"
    return "write an ISO date like 2026-04-30"


#: Characters no text field may hold: C0 controls but tab, newline and carriage return, DEL,
#: the unpaired surrogates a JSON ``\\ud800`` escape can produce (no database stores them), and
#: the bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069) and
#: the direction marks (U+200E, U+200F, U+061C), which make text display in another order than
#: it is stored ("Trojan Source": a phone number or a code shown reversed).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\u061c\u200e\u200f"
                      "\u202a-\u202e\u2066-\u2069]")
_BIDI = frozenset((0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def control_character(text: str) -> str | None:
    """Why ``text`` cannot be stored (a control character, named, at its position), or None."""
    found = control_character_zh(text)
    return None if found is None else found[1]


def control_character_zh(text: str) -> tuple[str, str] | None:
    """``(zh, en)``: why ``text`` cannot be stored, or None (see ``control_character``)."""
    if text.isprintable():  # the common case, in C: nothing invisible at all
        return None
    found = _CONTROL.search(text)
    if found is None:
        return None
    code = ord(found.group())
    at = found.start() + 1
    if code in _BIDI:
        return (f"第 {at} 个字符是双向控制字符 U+{code:04X}，会让文字显示的顺序与保存的不同，请删除",
                f"contains the bidirectional control character U+{code:04X} at position "
                f"{at}, which shows text in another order than it is stored; remove it")
    return (f"第 {at} 个字符是不可见的控制字符 U+{code:04X}，请删除（可以有制表符和换行）",
            f"contains the control character U+{code:04X} at position "
            f"{at}; remove it (text may hold tabs and line breaks, nothing else invisible)")


class Fields:
    """Collects problems while converting field values; see the module header."""

    __slots__ = ("problems",)

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, message: str, zh: str | None = None) -> _Bad:
        self.problems.append(Problem(where, message, zh=zh))
        return BAD

    # -- structure -------------------------------------------------------------------------

    def unknown_keys(self, item: Mapping[Any, Any], allowed: Collection[str], where: str) -> None:
        if item.keys() <= _sets.get(allowed, _NOTHING):
            return
        extra = item.keys() - set(allowed)
        for key in item:  # file order, for stable messages
            if key not in extra:
                continue
            hint = suggest(str(key), allowed)
            more = f'; did you mean "{hint}"?' if hint else f"; the fields are {', '.join(allowed)}"
            self.add(where, f'unknown field "{key}"{more}', f"未知字段「{key}」" + (f"，是否想写「{hint}」？" if hint else f"，可用的字段：{'、'.join(allowed)}"))

    def mapping(self, value: object, where: str, what: str) -> Mapping[str, Any] | _Bad:
        if type(value) is dict or isinstance(value, Mapping):
            return value
        return self.add(where, f"a {what} is a mapping of fields (id: ..., name: ...), not {type_name(value)}", f"{what} 应为字段映射（id: ..., name: ...），而不是{type_name(value)}")

    def some(self, value: object, where: str, what: str, one: type | tuple[type, ...] = str) -> list[Any] | _Bad:
        """``items``, where one entry alone (of type ``one``: an id, a URL...) reads as a list of one."""
        return self.items([value] if isinstance(value, one) else value, where, what)

    def items(self, value: object, where: str, what: str) -> list[Any] | _Bad:
        """A list field; absent or empty is the empty list."""
        if value is None:
            return []
        if isinstance(value, list | tuple):
            return list(value)
        return self.add(where, f"{where.rsplit('.', 1)[-1]} must be a list of {what}, not {type_name(value)}", f"{where.rsplit('.', 1)[-1]} 应为{what}的列表，而不是{type_name(value)}")

    def required(self, item: Mapping[str, Any], field: str, where: str) -> Any:
        value = item.get(field)
        if value is None or value == "":
            return self.add(where, f'missing field "{field}": {HINTS.get(field, "required")}',
                            f"缺少字段「{field}」")
        return value

    # -- values ----------------------------------------------------------------------------

    def ident(self, value: object, where: str, field: str = "") -> str | _Bad:
        text = self.text(value, where, field)
        if text is BAD:
            return BAD
        assert isinstance(text, str)
        text = text.strip()
        if not text:
            return self.add(_at(where, field), "an id cannot be blank", "编号不能为空")
        if "/" in text:
            return self.add(_at(where, field), f'id "{text}" contains "/", which separates project and milestone in after; use - or _',
                            f"编号「{text}」含有“/”（它在 after 中分隔项目和节点），请改用 - 或 _")
        return text

    def text(self, value: object, where: str, field: str = "") -> str | _Bad:
        if type(value) is str or isinstance(value, str):
            bad = control_character_zh(value)
            if bad is not None:
                return self.add(_at(where, field), bad[1], bad[0])
            return value
        if isinstance(value, dt.date):  # YAML readers turn a date-like id or name into a date
            return value.isoformat()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return self.add(_at(where, field), f"expected text, not {type_name(value)}", "应为文字")

    def date(self, value: object, where: str, field: str = "") -> dt.date | _Bad | None:
        if value is None:
            return None
        kind = type(value)
        if kind is dt.date:
            return value  # type: ignore[return-value]
        if kind is str:
            try:
                return dt.date.fromisoformat(value)  # type: ignore[arg-type]
            except ValueError:
                pass
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                return self.add(_at(where, field), f'"{value}" is not a date; {_date_hint(value.strip())}',
                                f"「{value}」不是日期，请写成 2026-04-30 这样的日期")
        return self.add(_at(where, field), f"{type_name(value)} is not a date; write an ISO date like 2026-04-30",
                        "不是日期，请写成 2026-04-30 这样的日期")

    def not_after_today(self, day: dt.date | _Bad | None, today: dt.date, where: str, field: str, what: str,  # noqa: PLR0917
                        zh: str | None = None) -> None:
        if isinstance(day, dt.date) and day > today:
            self.add(_at(where, field), f"{day.isoformat()} is later than today ({today.isoformat()}); {what}",
                     f"{day.isoformat()} 晚于今天（{today.isoformat()}）：{zh}" if zh else None)

    def amount(self, value: object, where: str, field: str = "") -> float | _Bad | None:
        """Yuan, 0 or more; numbers or numeric text."""
        if value is None:
            return None
        number: float
        zh = "请写成以元为单位的数字，例如 30000000"
        try:
            if isinstance(value, int | float) and not isinstance(value, bool):
                number = float(value)
            elif isinstance(value, str):
                number = float(value.replace(",", "").replace("_", "").strip())
            else:
                return self.add(_at(where, field), f"{type_name(value)} is not an amount; write yuan as a number, e.g. 30000000",
                                f"不是金额，{zh}")
        except ValueError:
            return self.add(_at(where, field), f'"{value}" is not an amount; write yuan as a number, e.g. 30000000',
                            f"「{value}」不是金额，{zh}")
        except OverflowError:  # an integer too large for a float: no finite amount
            number = math.inf
        if not math.isfinite(number):
            return self.add(_at(where, field), f"{str(value)[:40]} is not a finite amount; write yuan as a number, e.g. 30000000",
                            f"{str(value)[:40]} 不是有限的金额，{zh}")
        if number < 0:
            return self.add(_at(where, field), f"{value} is negative; amounts are yuan, 0 or more",
                            f"{value} 是负数；金额以元计，不小于 0")
        if number >= AMOUNT_MAX:
            return self.add(_at(where, field), f"{str(value)[:40]} is more than any real amount; amounts are yuan, "
                            "below 10^15 (a thousand trillion); check the digits",
                            f"{str(value)[:40]} 超出了任何实际金额；金额以元计，应小于 10^15（一千万亿元），请核对位数")
        return number

    def ratio(self, value: object, where: str, field: str = "") -> float | _Bad | None:
        """A percentage: ``35%``, ``0.35``, or a number from 0 to 1."""
        if value is None:
            return None
        zh = "进度应为 0 到 100 之间的百分数（例如 35%）"
        if isinstance(value, str):
            text = value.strip()
            try:
                if text.endswith(("%", "％")):
                    number = float(text[:-1].strip())
                    if not 0 <= number <= 100:
                        return self.add(_at(where, field), f"{text} is outside 0..100%; write a share such as 35% or 0.35",
                                        f"{text} 超出范围；{zh}")
                    return number / 100
                value = float(text)
            except ValueError:
                return self.add(_at(where, field), f'"{value}" is not a percentage; write 35% or 0.35',
                                f"「{value}」不是百分数；{zh}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
            if 1 < number <= 100:
                return self.add(_at(where, field), f"{value} is outside 0..1; write {value:g}% or {number / 100:g}",
                                f"{value} 超出 0..1；写成 {value:g}% 或 {number / 100:g}")
            if not 0 <= number <= 1:
                return self.add(_at(where, field), f"{value} is outside 0..100%; write a share such as 35% or 0.35",
                                f"{value} 超出范围；{zh}")
            return number
        return self.add(_at(where, field), f"{type_name(value)} is not a percentage; write 35% or 0.35",
                        f"不是百分数；{zh}")

    def lag(self, value: object, where: str, field: str = "") -> int | _Bad:
        """Working days: ``5``, ``5 workdays``, ``5 个工作日``; ``-2 workdays`` is a lead.
        Calendar days are refused."""
        if value is None:
            return 0
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str):
            text = value.strip().lower()
            digits = text.rstrip("abcdefghijklmnopqrstuvwxyz个工作日天 ")
            unit = text[len(digits):].strip()
            if not digits.lstrip("-").isdigit() or unit not in ("", "workday", "workdays", "个工作日", "工作日"):
                if digits.lstrip("-").isdigit() and unit in ("day", "days", "天", "日"):
                    return self.add(_at(where, field), f'lag "{text}": lags count working days; write "{digits.strip()} workdays"', f"间隔「{text}」按工作日计，请写「{digits.strip()} 个工作日」")
                return self.add(_at(where, field), f'lag "{text}" is not a number of working days; write e.g. "5 workdays"', f"间隔「{text}」不是工作日数，请写如「5 个工作日」")
            number = int(digits)
        else:
            return self.add(_at(where, field), f'lag {type_name(value)} is not a number of working days; write e.g. "5 workdays"', f"间隔{type_name(value)}不是工作日数，请写如「5 个工作日」")
        return number  # negative: a lead (the milestone may begin before its predecessor ends)

    def choice(self, value: object, words: Mapping[str, Any], where: str, what: str, shown: Iterable[str]) -> Any:
        """``words[value]`` (case-insensitive for ASCII words), or a problem with a suggestion."""
        if isinstance(value, str):
            found = words.get(value.strip()) or words.get(value.strip().lower())
            if found is not None:
                return found
            hint = suggest(value.strip().lower(), words)
            if hint:
                return self.add(where, f'unknown {what} "{value}"; did you mean "{hint}"?',
                                f"没有「{value}」这一项，是不是「{hint}」？")
            return self.add(where, f'unknown {what} "{value}"; write one of {", ".join(shown)}',
                            f"没有「{value}」这一项，请写 {'、'.join(shown)} 之一")
        return self.add(where, f"{type_name(value)} is not a {what}; write one of {', '.join(shown)}",
                        f"请写 {'、'.join(shown)} 之一")

    def reference(self, value: str, known: Collection[str], where: str, what: str, scope: str = "") -> _Bad:
        """A problem for an id that is not among ``known``, with the nearest one."""
        hint = suggest(value, known)
        text = f'no {what} "{value}"{scope}'
        zh = f"找不到「{value}」"
        return self.add(where, f'{text}; did you mean "{hint}"?' if hint else text,
                        f"{zh}，是不是「{hint}」？" if hint else zh)
