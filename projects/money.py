"""Money as people in a Chinese office read it: ``9,800 元``, ``3,000 万元``, ``1.25 亿元``.

Owns ``money_text``, ``WAN`` and ``YI``. Pure. Below 1 万 the amount is in 元 with digit
grouping; from 1 万 to below 1 亿 in 万元; from 1 亿 in 亿元; at most two decimals, trailing
zeros dropped. English reads ``30,000,000 yuan``. The lowest layer holds it, so that the
dashboards (``dashboards.numbers``) and the rule messages (``dsl.runtime``) say money alike.
"""

from __future__ import annotations

WAN = 10_000
YI = 100_000_000


def _trim(value: float, places: int = 2) -> str:
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_text(yuan: float | None, lang: str = "zh") -> str:
    """An amount of money as a reader expects it (``—`` when unknown)."""
    if yuan is None:
        return "—"
    if lang == "en":
        return f"{_trim(yuan)} yuan"
    size = abs(yuan)
    if size >= YI:
        return f"{_trim(yuan / YI)} 亿元"
    if size >= WAN:
        return f"{_trim(yuan / WAN)} 万元"
    return f"{_trim(yuan)} 元"
