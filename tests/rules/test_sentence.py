"""Tests of a light's explanation as a sentence with the values that decided it."""

from __future__ import annotations

from rules.sentence import explain_sentence

OVERDUE = (("红 when today > m.due + grace", "成立：today = 2026-12-02；m.due + grace = 2026-11-04"),
           ("黄 when today > m.due", "成立：today = 2026-12-02；m.due = 2026-10-21"))


def test_an_overdue_light_reads_as_due_grace_and_today():
    """The held clauses' values are named in words, plain fields first and today last."""
    assert explain_sentence(OVERDUE) == "计划完成 2026-10-21，计划完成加宽限 2026-11-04，今天 2026-12-02"


def test_clauses_that_did_not_hold_are_left_out():
    """Only what decided the light is said."""
    lines = (("黄 when m.updated is missing and today > m.start + stale",
              "不成立：m.updated = 2026-10-28；today = 2026-12-02"),)
    assert explain_sentence(lines) == ""


def test_what_cannot_be_said_in_words_is_left_out_not_shown_as_code():
    """A quantifier has no words: it is dropped; days(a, b) and notice fields have words."""
    lines = (("红 when any(p in upstream(m) where p.kind == tendering)",
              "成立：any(p in upstream(m) where p.kind == tendering) = 是"),
             ("红 when days(m.start, m.finished) < 20", "成立：days(m.start, m.finished) = 13"),
             ("红 when today > n.due + 3 workdays", "成立：n.due + 3 workdays = 2026-11-26"))
    said = explain_sentence(lines)
    assert said == "开始至实际完成天数 13，回复期限加 3 个工作日 2026-11-26"
    assert "any(" not in said and "workdays" not in said


def test_english_reads_the_same_values():
    """lang='en' names the fields in English."""
    assert explain_sentence(OVERDUE[1:], "en") == "due 2026-10-21, today 2026-12-02"
