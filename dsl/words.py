"""The two spellings of the rule language: every keyword and fixed word in English and in
Chinese (issue 18, item 1), mixable in one file.

Owns the tables. The parser turns a Chinese spelling into the English one as it builds the
syntax tree, so the checker and compiler see one language; the formatter prints a file in
either spelling (``to_zh`` / ``to_en``); diagnostics of a file written mostly in Chinese
show its keywords in Chinese (``file_language``, ``speak``).
"""

from __future__ import annotations

import re

from projects import catalogue

#: Keywords of the grammar: English terminal text -> Chinese. ``is missing`` and
#: ``is not missing`` are one word each in Chinese.
KEYWORDS_ZH = {
    "rule": "规则", "const": "常量", "score": "评分", "for": "对", "where": "满足",
    "light": "亮", "when": "当", "notify": "通知", "within": "限", "message": "内容",
    "and": "且", "or": "或", "not": "非", "in": "属于", "true": "真", "false": "假",
    "any": "存在", "all": "全部", "count": "计数", "sum": "求和", "min": "最小", "max": "最大",
}
IS_MISSING_ZH = "为空"
IS_NOT_MISSING_ZH = "不为空"

#: Words the checker resolves (subjects, levels, ``today``, graph functions) and duration
#: units: English -> Chinese.
SUBJECTS_ZH = {"milestone": "节点", "project": "项目", "unit": "单位", "notice": "督办单",
               "person": "责任人", "complaint": "投诉"}
LEVELS_ZH = {"green": "绿灯", "blue": "蓝灯", "yellow": "黄灯", "red": "红灯"}
NAMES_ZH = {"today": "今天", "upstream": "上游", "downstream": "下游", "predecessors": "前置",
            "successors": "后续"}
UNITS_ZH = {"workdays": "个工作日", "days": "天", "weeks": "周", "months": "个月"}
#: Every Chinese way of writing a duration unit (``3 工作日``, ``3 个工作日``, ``3个工作日``).
UNIT_WORDS_ZH = {"个工作日": "workdays", "工作日": "workdays", "天": "days", "日": "days",
                 "周": "weeks", "个月": "months", "月": "months"}

#: Types as a sentence in Chinese names them (``dsl.schema.Type``).
TYPES_ZH = {"number": "数值", "ratio": "比率", "text": "文本", "bool": "条件", "date": "日期",
            "duration": "时长", "kind": "节点类型", "category": "类别", "level": "灯色",
            "complaint_kind": "投诉类型", "rating": "评价", "error": "错误"}


def type_zh(typ: object) -> str:
    """A type (``dsl.schema.Type``: ``name`` and ``item``) in Chinese: ``节点集合``."""
    name, item = str(getattr(typ, "name", typ)), getattr(typ, "item", None)
    if item:
        return SUBJECTS_ZH.get(str(item), str(item)) + "集合"
    return TYPES_ZH.get(name) or SUBJECTS_ZH.get(name, name)


_WORDS_ZH = {**SUBJECTS_ZH, **LEVELS_ZH, **NAMES_ZH}
_WORDS_EN = {zh: en for en, zh in _WORDS_ZH.items()}
_KEYWORDS_EN = {zh: en for en, zh in KEYWORDS_ZH.items()}


def word_en(word: str) -> str:
    """The English spelling of a subject, level, ``today`` or function word (else itself)."""
    return _WORDS_EN.get(word, word)


_NAMES_EN = {"今天": "today", **{zh: en for en, zh in LEVELS_ZH.items()}}


def name_en(word: str) -> str:
    """A bare name in an expression: ``今天`` and the level words have an English spelling;
    any other word (a subject variable may be called ``节点``) is the author's own name."""
    return _NAMES_EN.get(word, word)


def word_zh(word: str) -> str:
    return _WORDS_ZH.get(word, word)


def keyword_en(word: str) -> str:
    return _KEYWORDS_EN.get(word, word)


def keyword(word: str, lang: str) -> str:
    """An English keyword in ``lang`` ("en" | "zh")."""
    return KEYWORDS_ZH.get(word, word) if lang == "zh" else word


def word(word_: str, lang: str) -> str:
    """An English subject / level / name word in ``lang``."""
    return word_zh(word_) if lang == "zh" else word_


_CHINESE_KEYWORDS = frozenset({*KEYWORDS_ZH.values(), IS_MISSING_ZH, IS_NOT_MISSING_ZH})
_ENGLISH_KEYWORDS = frozenset({*KEYWORDS_ZH, "is", "missing"})
_WORD = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[^\W\d]\w*')


def file_language(text: str) -> str:
    """"zh" when most keywords of ``text`` are written in Chinese, else "en"."""
    zh = en = 0
    for match in _WORD.finditer(text):
        token = match.group()
        start = match.start()
        if token[0] in '"#' or text[max(start - 1, 0):start] == ".":
            continue  # text, comments and field names say nothing of the spelling
        zh += token in _CHINESE_KEYWORDS
        en += token in _ENGLISH_KEYWORDS
    return "zh" if zh > en else "en"


_ALL_EN = {**KEYWORDS_ZH, **_WORDS_ZH, "is missing": IS_MISSING_ZH,
           "is not missing": IS_NOT_MISSING_ZH, "workdays": "个工作日", "days": "天",
           "weeks": "周"}
_QUOTED = re.compile(r"`([^`]*)`")
_PHRASE = re.compile(r"(?<![.\w])(?:is not missing|is missing|[A-Za-z_]+)(?!\w)")


def speak(text: str, lang: str) -> str:
    """A diagnostic's text with the language's words inside backticks in ``lang``:
    ```when` needs a condition`` reads ```当` needs a condition`` in a Chinese file."""
    if lang != "zh":
        return text

    def quoted(match: re.Match[str]) -> str:
        inner = _PHRASE.sub(lambda w: _ALL_EN.get(w.group(), w.group()), match.group(1))
        return f"`{inner}`"

    text = _QUOTED.sub(quoted, text)
    return _OF_SUBJECT.sub(lambda m: m.group(1) + SUBJECTS_ZH[m.group(2)], text)


_OF_SUBJECT = re.compile(r"(\bof |\bis an? )(milestone|project|unit|notice|person|complaint)\b")


#: Chinese labels of every field a rule can read, by subject, from the field catalogue
#: (``projects.catalogue.rule_fields``): ``m.计划完成`` is ``m.due``, and ``fmt --lang zh``
#: writes it so. A label is unique within its subject and names one field name in every
#: subject (``n.反馈期限`` and ``m.计划完成`` are both ``due``), so the parser can read a
#: label without knowing the subject; the printer picks the subject's own label.
FIELD_LABELS_ZH: dict[str, dict[str, str]] = {
    record: {f.name: f.zh for f in catalogue.rule_fields(record)}
    for record in sorted(catalogue.RECORDS, key=lambda r: (r not in SUBJECTS_ZH,
                                                           list(SUBJECTS_ZH).index(r)
                                                           if r in SUBJECTS_ZH else 0, r))
    if catalogue.rule_fields(record)  # an extension request is read through its milestone
}
_FIELDS_EN = {zh: en for labels in FIELD_LABELS_ZH.values() for en, zh in labels.items()}
#: One label per field name for an expression whose subject is not known: the first
#: subject's (milestone, project, unit, notice) that has the field.
_ANY_LABEL: dict[str, str] = {}
for _labels in FIELD_LABELS_ZH.values():
    for _name, _zh in _labels.items():
        _ANY_LABEL.setdefault(_name, _zh)


def field_en(name: str) -> str:
    """A field written by its Chinese label, in English (else itself)."""
    return _FIELDS_EN.get(name, name)


def field(name: str, lang: str, subject: str | None = None) -> str:
    """A field's name in ``lang``: in Chinese the label of ``subject``'s field (of any
    subject's when ``subject`` is not known or has no such field)."""
    if lang != "zh":
        return name
    return FIELD_LABELS_ZH.get(subject or "", {}).get(name) or _ANY_LABEL.get(name, name)


def label_table() -> str:
    """Every label of ``FIELD_LABELS_ZH`` as a Markdown table (``duban rules fields`` prints
    it): a row per field name, in the order the subjects first name them, a column per
    subject, a blank cell where the subject has no such field."""
    subjects = list(FIELD_LABELS_ZH)
    names = list(dict.fromkeys(n for labels in FIELD_LABELS_ZH.values() for n in labels))
    head = " | ".join(f"{SUBJECTS_ZH.get(s, s)} {s}" for s in subjects)
    lines = [f"| field | {head} |", "| --- |" + " --- |" * len(subjects)]
    for name in names:
        cells = (f"`{FIELD_LABELS_ZH[s][name]}`" if name in FIELD_LABELS_ZH[s] else "" for s in subjects)
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def labels_of(subject: str) -> list[str]:
    """The Chinese labels of ``subject``'s fields (for suggestions)."""
    return list(FIELD_LABELS_ZH.get(subject, {}).values())
