"""Numbers and dates as people in a Chinese office write them: 万元 / 亿元, 2026年9月.

Owns (``money_text``, an amount to read: ``3,000 万元``, ``1.25 亿元``, ``9,800 元``, lives in
``projects.money`` so that rule messages read money the same way),
``yuan_input`` (an amount to type: the exact yuan, ``30000000`` never ``3e+07``),
``money_scale`` (the unit a chart's money axis is drawn in) and ``date_axis`` (a Plotly date
axis whose ticks read ``2026年9月`` / ``9月15日``, never ``Sep 2026``). Pure.

Conventions: below 1 万 the amount is in 元 with digit grouping; from 1 万 to below 1 亿 in 万元;
from 1 亿 in 亿元; at most two decimals, trailing zeros dropped. English reads the same scale
as ``30,000,000 yuan`` (digit grouping, no ``M`` / ``k`` suffixes).
"""

from __future__ import annotations

from typing import Any

from projects.money import WAN, YI, money_text

__all__ = ["WAN", "YI", "date_axis", "money_scale", "money_text", "yuan_input"]


def yuan_input(yuan: float | None) -> str:
    """The exact amount in yuan for a form field: no exponent, no grouping, cents if any."""
    if yuan is None:
        return ""
    if float(yuan).is_integer():
        return str(int(yuan))
    return f"{yuan:.2f}".rstrip("0").rstrip(".")


def money_scale(largest: float, lang: str = "zh") -> tuple[float, str]:
    """(divisor, unit) for an axis whose largest value is ``largest`` yuan."""
    if lang == "en":
        return 1.0, "yuan"
    size = abs(largest)
    if size >= YI:
        return float(YI), "亿元"
    if size >= WAN:
        return float(WAN), "万元"
    return 1.0, "元"


# d3-time-format: "-" drops the zero padding. Plotly picks the stop by the tick spacing (ms).
_DAY = 86_400_000
_ZH_STOPS = (
    {"dtickrange": [None, _DAY], "value": "%-m月%-d日 %H:%M"},
    {"dtickrange": [_DAY, 28 * _DAY], "value": "%-m月%-d日"},
    {"dtickrange": [28 * _DAY, 365 * _DAY], "value": "%Y年%-m月"},
    {"dtickrange": [365 * _DAY, None], "value": "%Y年"},
)
_EN_STOPS = (
    {"dtickrange": [None, 28 * _DAY], "value": "%Y-%m-%d"},
    {"dtickrange": [28 * _DAY, None], "value": "%Y-%m"},
)


def date_axis(lang: str = "zh", **extra: Any) -> dict[str, Any]:
    """A date axis whose ticks and hover read as dates are written (``2026年9月``, ``2026-09-15``)."""
    return {"type": "date", "tickformatstops": list(_EN_STOPS if lang == "en" else _ZH_STOPS),
            "hoverformat": "%Y-%m-%d", **extra}
