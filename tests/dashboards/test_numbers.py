"""Tests of money and dates as people read and type them (万元 / 亿元, 2026年9月)."""

from __future__ import annotations

import datetime as dt

from api.web.forms import form_values
from dashboards.numbers import date_axis, money_scale, money_text, yuan_input
from projects.model import Kind, Milestone


def test_money_reads_in_yuan_wan_or_yi_with_digit_grouping():
    """Below 1 万 in 元, up to 1 亿 in 万元, above in 亿元; grouping, at most two decimals."""
    assert money_text(9800) == "9,800 元"
    assert money_text(10_000_000) == "1,000 万元"
    assert money_text(12_345_678) == "1,234.57 万元"
    assert money_text(250_000_000) == "2.5 亿元"
    assert money_text(1_234_500_000_000) == "12,345 亿元"
    assert money_text(None) == "—"
    assert money_text(30_000_000, "en") == "30,000,000 yuan"


def test_typed_money_is_the_exact_yuan_never_an_exponent():
    """A form field shows 30000000 (not 3e+07) and keeps cents."""
    assert yuan_input(30_000_000.0) == "30000000"
    assert yuan_input(1234.5) == "1234.5"
    assert yuan_input(None) == ""
    m = Milestone("P1", "m", "拨付", Kind.FUNDS, due=dt.date(2026, 1, 1), paid=3e7)
    assert form_values(m)["paid"] == "30000000"


def test_an_axis_scale_follows_its_largest_value():
    """The axis unit is 元, 万元 or 亿元 by the largest value drawn."""
    assert money_scale(5000) == (1.0, "元")
    assert money_scale(300_000_000) == (1e8, "亿元")
    assert money_scale(29_999_999.9) == (1e4, "万元")


def test_date_axes_read_as_chinese_dates():
    """Month ticks read 2026年9月, day ticks 9月15日; English keeps ISO forms."""
    zh = {s["value"] for s in date_axis()["tickformatstops"]}
    assert "%Y年%-m月" in zh and "%-m月%-d日" in zh
    assert not any("%b" in v or "%B" in v for v in zh)
    assert {s["value"] for s in date_axis("en")["tickformatstops"]} == {"%Y-%m-%d", "%Y-%m"}
