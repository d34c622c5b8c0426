"""Rules written in Chinese (issue 18, item 1): every keyword in either spelling, mixable;
``fmt --lang`` round-trips; diagnostics speak the author's spelling."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from api.cli import main
from dsl import check_rulebook, compile_rulebook, format_rulebook
from rules.engine import evaluate
from rules.ruletest import find_test_files, load_test_file, run_case
from rules.standard import standard_sources
from tests.dsl.helpers import TinyEnv, milestone

ROOT = Path(__file__).resolve().parents[2]
ISSUE_EXAMPLE = """
规则 tender_overdue "招标节点逾期":
    对 节点 m 满足 m.kind == 招标 且 非 m.done
    亮 黄灯 当 今天 > m.due
    亮 红灯 当 今天 > m.due + 10 个工作日
    通知 m.unit 限 3 个工作日
    内容 "「{m.project.name}」招标节点已逾期 {m.overdue} 个工作日"
"""
ENGLISH = """
rule tender_overdue "招标节点逾期":
    for milestone m where m.kind == 招标 and not m.done
    light yellow when today > m.due
    light red when today > m.due + 10 workdays
    notify m.unit within 3 workdays
    message "「{m.project.name}」招标节点已逾期 {m.overdue} 个工作日"
"""


def test_the_issue_example_is_the_english_rule():
    """The Chinese example of the issue compiles to exactly the code of its English twin."""
    zh = compile_rulebook({"t.rules": ISSUE_EXAMPLE})
    en = compile_rulebook({"t.rules": ENGLISH})
    assert zh.python == en.python
    assert zh.rules[0].within == en.rules[0].within


@pytest.mark.parametrize("unit", ["3 工作日", "3 个工作日", "3个工作日", "3 workdays"])
def test_three_workdays_in_every_spelling(unit):
    """`3 工作日`, `3 个工作日` and `3个工作日` all read as three workdays."""
    rule = compile_rulebook({"t.rules": f"规则 a: 对 节点 m 亮 红灯 当 今天 > m.due + {unit}"}).rules[0]
    env = TinyEnv(dt.date(2026, 3, 5))  # Thursday; Monday 03-02 + 3 workdays = Thursday
    assert rule.lights[0].test(env, milestone(due=dt.date(2026, 3, 2))) is False
    assert rule.lights[0].test(env, milestone(due=dt.date(2026, 3, 1))) is True


def test_spellings_mix_in_one_file_and_one_rule():
    """English and Chinese keywords may be mixed freely, even inside one condition."""
    mixed = ("rule a: 对 milestone m where m.kind == 招标 且 not m.done\n"
             "    亮 yellow when 今天 > m.due or m.due 为空\n"
             "    light 红灯 当 any(p 属于 上游(m) 满足 p.done == 假) and m.start is not missing\n"
             "常量 宽限 = 2 周\n"
             "score s for unit u: 计数(x in u.milestones where x.late)\n")
    english = ("rule a: for milestone m where m.kind == 招标 and not m.done\n"
               "    light yellow when today > m.due or m.due is missing\n"
               "    light red when any(p in upstream(m) where p.done == false) and "
               "m.start is not missing\n"
               "const 宽限 = 2 weeks\n"
               "score s for unit u: count(x in u.milestones where x.late)\n")
    assert compile_rulebook({"t.rules": mixed}).python == \
        compile_rulebook({"t.rules": english}).python


def test_fmt_round_trips_the_standard_rulebook():
    """Each standard file formatted in Chinese reads back, formatted in English, as itself;
    formatting Chinese again keeps it Chinese; both compile to the same code."""
    sources = standard_sources()
    zh_sources = {}
    for name, text in sources.items():
        en = format_rulebook(text, "en")
        zh = format_rulebook(text, "zh")
        assert zh != en
        assert "规则 " in zh and "rule " not in zh.replace('"', "")
        assert format_rulebook(zh, "en") == en
        assert format_rulebook(zh) == zh
        assert format_rulebook(en) == en
        zh_sources[name] = zh
    assert compile_rulebook(zh_sources).python == compile_rulebook(sources).python


def test_fmt_writes_choice_words_in_the_files_spelling_and_back():
    """`fmt --lang zh` writes a bare kind, category, complaint-kind or rating word compared with
    its field in Chinese (m.类型 == 合同), `--lang en` back in English; a variable of that name
    is the author's and stays; both spellings compile to the same code."""
    text = ('rule r "x":\n    for milestone m where m.kind == contract and m.project.category != task\n'
            '    light red when m.kind in [tendering, approval] and any(t in predecessors(m) '
            'where t.kind == tendering)\n'
            'rule c "y":\n    for complaint c where c.kind == complaint\n    light red when c.rating == dissatisfied\n')
    zh = format_rulebook(text, "zh")
    assert "m.类型 == 合同" in zh and "m.类型 属于 [招标, 立项]" in zh and "t.类型 == 招标" in zh
    assert "!= 重点工作" in zh and "contract" not in zh and "tendering" not in zh
    assert "== 投诉" in zh and "== 不满意" in zh and "dissatisfied" not in zh
    en = format_rulebook(zh, "en")
    assert en == format_rulebook(text, "en")
    assert "m.kind == contract" in en and "[tendering, approval]" in en and "t.kind == tendering" in en
    assert "合同" not in en and "招标" not in en and "不满意" not in en
    assert format_rulebook(zh, "zh") == zh
    assert compile_rulebook({"a.rules": zh}).python == compile_rulebook({"a.rules": text}).python
    kept = 'const contract = 3\nrule r "x":\n    for milestone m\n    light red when m.progress == contract\n'
    assert "== contract" in format_rulebook(kept, "zh")  # a const, not a kind: compared with a number


def test_the_standard_rulebook_in_chinese_passes_its_own_tests():
    """The standard rulebook's cases give the same findings with the rulebook in Chinese."""
    zh = compile_rulebook({n: format_rulebook(t, "zh") for n, t in standard_sources().items()})
    en = compile_rulebook(standard_sources())
    files = find_test_files([ROOT / "rules" / "standard"])
    assert files
    names = {r.name for r in zh.rules}
    count = 0
    for f in files:
        for case in load_test_file(f, names):
            result = run_case(zh, case)
            assert result.passed, result.render()
            a = evaluate(zh, case.portfolio, case.as_of).findings
            b = evaluate(en, case.portfolio, case.as_of).findings
            assert [(x.rule, x.subject, x.level, x.message) for x in a] == \
                [(x.rule, x.subject, x.level, x.message) for x in b]
            count += 1
    assert count >= 10


def test_errors_speak_the_authors_spelling():
    """A Chinese file's diagnostics are said in Chinese, its keywords and subjects in Chinese,
    with the English alternative; the same mistake in an English file is told in English,
    with a Chinese alternative that keeps the English keywords."""
    [zh] = check_rulebook({"z.rules": "规则 a: 对 节点 m 亮 红灯 当 m.due > 今天 通知 m.unit 限 3"})
    assert zh.lang == "zh"
    assert zh.text == "`限` 需要一个时长，例如 `3 个工作日`；这是数值"
    assert zh.text_in("en") == "`限` needs a duration such as `3 个工作日`; this is a number"
    assert zh.render().startswith("z.rules:1:44: `限` 需要一个时长")
    [en] = check_rulebook({"e.rules": "rule a: for milestone m light red when m.due > today "
                                      "notify m.unit within 3"})
    assert en.lang == "en"
    assert en.text == "`within` needs a duration such as `3 workdays`; this is a number"
    assert en.text_in("zh") == "`within` 需要一个时长，例如 `3 workdays`；这是数值"
    typo = check_rulebook({"z.rules": "规则 a: 对 节典 m 亮 红灯 当 m.done"})
    assert [d.text for d in typo] == ["未知的对象 `节典`；是否想写 `节点`？"]
    field = check_rulebook({"z.rules": "规则 a: 对 节点 m 亮 红灯 当 m.dew > 今天"})
    assert [d.text for d in field] == ["节点没有字段 `dew`；是否想写 `due`？"]
    assert [d.text_in("en") for d in field] == ["unknown field `dew` of 节点; did you mean `due`?"]
    light = check_rulebook({"z.rules": "规则 a: 对 节点 m 亮 红等 当 m.done"})
    assert next(d.text for d in light).startswith("未知的灯色 `红等`；是否想写 `红灯`？")
    parse = check_rulebook({"z.rules": "规则 a: 对 节点 m 亮 红灯 当"})
    assert [d.text for d in parse] == ["`当` 之后应为条件"]


def test_a_field_named_like_a_keyword_is_still_a_field():
    """`n.rule` is the notice's field in a Chinese file too, and a rule may follow it."""
    text = "规则 a: 对 督办单 n 亮 红灯 当 n.rule 不为空\n规则 b: 对 督办单 n 亮 红灯 当 n.rule 为空\n"
    book = compile_rulebook({"z.rules": text})
    assert [r.name for r in book.rules] == ["a", "b"]
    assert format_rulebook(text, "en").splitlines()[2] == "    light red when n.rule is not missing"


def test_cli_fmt_lang(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """`duban rules fmt --lang zh` rewrites a file in Chinese and `--lang en` brings it back."""
    f = tmp_path / "t.rules"
    f.write_text(format_rulebook(ENGLISH), encoding="utf-8")
    original = f.read_text(encoding="utf-8")
    assert main(["rules", "fmt", "--lang", "zh", str(f)]) == 0
    assert f.read_text(encoding="utf-8").startswith("规则 tender_overdue")
    assert main(["rules", "fmt", "--check", str(f)]) == 0  # stays Chinese by default
    assert main(["rules", "lint", str(f)]) == 0
    assert main(["rules", "fmt", "--lang", "en", str(f)]) == 0
    assert f.read_text(encoding="utf-8") == original
    capsys.readouterr()


def test_the_docs_show_the_standard_rulebook_in_both_spellings_as_fmt_prints_it():
    """docs/rules-chinese.md shows every standard file in Chinese and English exactly as
    `fmt --lang` prints it today."""
    doc = (ROOT / "docs" / "rules-chinese.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)\n```", doc, re.S)
    for text in standard_sources().values():
        assert format_rulebook(text, "zh").rstrip("\n") in blocks
        assert format_rulebook(text, "en").rstrip("\n") in blocks


def test_fields_by_their_chinese_labels():
    """`m.计划完成` is `m.due`; the labels come from the field catalogue: unique within a
    subject, each naming one field name in every subject, no keyword or English field name;
    every field of the checker has one; a mistyped label suggests the label."""
    from dsl.schema import FIELDS  # noqa: PLC0415
    from dsl.words import (  # noqa: PLC0415
        FIELD_LABELS_ZH,
        IS_MISSING_ZH,
        IS_NOT_MISSING_ZH,
        KEYWORDS_ZH,
        SUBJECTS_ZH,
    )
    from projects import catalogue  # noqa: PLC0415

    names_of: dict[str, set[str]] = {}
    for subject, fields in FIELDS.items():
        assert set(fields) == set(FIELD_LABELS_ZH[subject]), subject
        labels = [FIELD_LABELS_ZH[subject][f] for f in fields]
        assert len(labels) == len(set(labels)), subject
        for name in fields:
            label = FIELD_LABELS_ZH[subject][name]
            names_of.setdefault(label, set()).add(name)
            assert label == next(f.zh for f in catalogue.rule_fields(subject) if f.name == name)
    assert all(len(names) == 1 for names in names_of.values()), names_of
    reserved = {*KEYWORDS_ZH.values(), IS_MISSING_ZH, IS_NOT_MISSING_ZH, *SUBJECTS_ZH.values()}
    assert not set(names_of) & (reserved | {f for fields in FIELDS.values() for f in fields})
    zh = "规则 a: 对 节点 m 满足 非 m.已完成 亮 红灯 当 今天 > m.计划完成 且 m.进度 < 50%\n"
    en = "rule a: for milestone m where not m.done light red when today > m.due and m.progress < 50%\n"
    assert compile_rulebook({"t.rules": zh}).python == compile_rulebook({"t.rules": en}).python
    assert format_rulebook(en, "zh") == format_rulebook(zh)
    [d] = check_rulebook({"t.rules": zh.replace("计划完成", "计划完从")})
    assert d.text == "节点没有字段 `计划完从`；是否想写 `计划完成`？"
    notice = "规则 n: 对 督办单 n 亮 红灯 当 今天 > n.反馈期限 且 非 n.已回复\n"
    assert format_rulebook(notice, "en") == (
        "rule n:\n    for notice n\n    light red when today > n.due and not n.responded\n")
    assert format_rulebook(format_rulebook(notice, "en"), "zh") == format_rulebook(notice)
    aggregate = "rule u: for unit u light red when any(x in u.notices where today > x.due)\n"
    assert "存在(x 属于 u.督办单清单 满足 今天 > x.反馈期限)" in format_rulebook(aggregate, "zh")


def test_the_label_table_is_the_catalogues_and_the_docs_quote_it(capsys: pytest.CaptureFixture[str]):
    """`duban rules fields` prints the catalogue's labels, subject by subject (read back from its
    Markdown, every label in its subject's column); docs/rules-chinese.md quotes rows of it
    rather than keeping a table of its own, so a new field needs no edit there."""
    from dsl.words import FIELD_LABELS_ZH  # noqa: PLC0415

    assert main(["rules", "fields"]) == 0
    table = capsys.readouterr().out
    subjects = list(FIELD_LABELS_ZH)
    shown: dict[str, dict[str, str]] = {s: {} for s in subjects}
    rows = re.findall(r"^\| `(\w+)` \|(.*)\|$", table, re.M)
    for name, rest in rows:
        cells = [c.strip().strip("`") for c in rest.split("|")]
        assert len(cells) == len(subjects), name
        for subject, cell in zip(subjects, cells, strict=True):
            if cell:
                shown[subject][name] = cell
    assert shown == FIELD_LABELS_ZH
    assert len(rows) == len({n for labels in FIELD_LABELS_ZH.values() for n in labels})
    doc = (ROOT / "docs" / "rules-chinese.md").read_text(encoding="utf-8")
    quoted = re.findall(r"^\| `?\w+`? \|.*\|$", doc[doc.index("| field |"):], re.M)
    assert len(quoted) > 2
    assert doc.count("| field |") == 1
    lines = table.splitlines()
    assert lines[0] in doc
    assert all(row in lines for row in quoted), [r for r in quoted if r not in lines]
