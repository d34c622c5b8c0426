"""The field catalogue: each field of a unit, project, milestone and notice, declared once.

An entry says what a field is (its name in the model, its portfolio-file key, its database
column), who may change it (``OFFICE``: only the supervision office; ``REPORTABLE``: also the
owner or responsible unit that reports the milestone), its type in the rule language, its
bounds (the longest text it may hold), and its zh-CN and English labels. Pure data: the core
and every edge read it, nothing here reads them.

Every layer derives from it: one validator per field (``projects.validation``, compiled once
from an entry's type and bounds, with the rules between fields in ``MILESTONE_RULES``), used
by portfolio files, the API's reports, Excel imports and the owner's report form alike; the
row mappers and table columns (``projects.repository``, ``projects.tables``), the msgspec Read /
Create / Update shapes (``api.schemas``, from ``api``: which of read, create and update carry
the field), the Excel columns and their zh-first headers (``api.excel``), the report form
(``widget``: the input an owner reports the field with) and the rule language's fields and
views (``dsl.schema``, ``rules.views``). ``tests/projects/test_catalogue.py`` walks the
catalogue against each layer, so a field added here and missed somewhere fails in CI.

``COMPUTED`` adds, per record, the fields the engine computes for rules (a milestone's
``overdue``, a unit's rates...); each rule-readable field's ``zh`` is also its label in the
rule language, unique within its record and naming one field name in every record
(``dsl.words`` reads them; ``tests/dsl/test_chinese.py`` checks it).

People (``person``) and extension requests (``extension``) are records of issue 12; complaints
(``complaint``: 群众投诉 / 咨询 / 建议) and accountability records (``accountability``: 通报批评 /
问责) of issue 13. A new record is a new ``RECORDS`` entry: a tuple of ``Field`` under the
record's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal

#: Who may change a field: the office only, or also whoever reports the milestone.
OFFICE: Final = "office"
REPORTABLE: Final = "reportable"
Who = Literal["office", "reportable"]

#: The longest name a user may give (characters); the longest note; the longest id (the
#: columns that hold ids are ``VARCHAR(64)``).
NAME_MAX: Final = 200
NOTE_MAX: Final = 10_000
ID_MAX: Final = 64
#: A complaint's text and its answer (characters); its contact; a rating link's secret (what
#: is looked up: the server's secrets are 32 characters, anything past this is no secret).
TEXT_MAX: Final = 5_000
CONTACT_MAX: Final = 200
SECRET_MAX: Final = 200

#: The one range of every date field, wherever it comes from (a file, the API, a workbook, a
#: form): a year outside it is a typing mistake (20260 for 2026, 1926 for 2026).
EARLIEST: Final = dt.date(1990, 1, 1)
LATEST: Final = dt.date(2100, 12, 31)


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a record; see the module header."""

    name: str  # attribute of the model class
    type: str  # Python-side type: text, id, date, ratio, yuan, workdays, bool, flag (an optional bool), kind, deps, contacts, level, category; a complaint's long_text (lines kept), contact (a phone or an e-mail address), secret
    who: Who = OFFICE
    dsl: str | None = None  # rule-language type, None when rules cannot read it
    zh: str = ""
    en: str = ""
    key: str | None = ""  # portfolio-file key ("" = same as name; None = not in files)
    column: str | None = ""  # database column ("" = same as name; None = not stored as a column)
    max_length: int | None = None  # text fields: the most characters it may hold
    required: bool = False
    api: str = "rcu"  # which API shapes carry it: r(ead), c(reate), u(pdate)
    widget: str | None = None  # the report form's input (date, percent, yuan, text); None: not on it
    present: bool = False  # rules always see a value though files may leave it out (a count...)
    absent: bool = False  # rules may see it missing though it is a yes/no (until rated...)
    #: a choice declared here: its words, each ``(word, 中文)``; either spelling is accepted
    #: and read as the word, and a problem lists them as "word (中文)" (``projects.validation``)
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def file_key(self) -> str | None:
        return self.name if self.key == "" else self.key

    @property
    def db_column(self) -> str | None:
        return self.name if self.column == "" else self.column


MILESTONE: Final[tuple[Field, ...]] = (
    Field("project", "id", dsl="project", zh="所属项目", en="project", key=None, column="project", required=True,
          api="r"),
    Field("id", "id", dsl="text", zh="编号", en="id", column="mid", required=True, api="rc"),
    Field("name", "text", dsl="text", zh="名称", en="name", max_length=NAME_MAX, required=True),
    Field("kind", "kind", dsl="kind", zh="类型", en="kind", required=True, api="rc"),
    Field("due", "date", dsl="date", zh="计划完成", en="due"),
    Field("start", "date", REPORTABLE, dsl="date", zh="开始日期", en="start", widget="date"),
    Field("finished", "date", REPORTABLE, dsl="date", zh="实际完成", en="finished", widget="date"),
    Field("unit", "id", dsl="unit", zh="责任单位", en="unit", present=True),  # else the project's
    Field("progress", "ratio", REPORTABLE, dsl="ratio", zh="进度", en="progress", widget="percent"),
    Field("amount", "yuan", REPORTABLE, dsl="number", zh="计划金额", en="amount"),
    Field("paid", "yuan", REPORTABLE, dsl="number", zh="已拨付", en="paid", widget="yuan"),
    Field("updated", "date", REPORTABLE, dsl="date", zh="最近填报", en="updated", api="r"),
    Field("after", "deps", dsl=None, zh="前置", en="after", api="rc"),
    Field("note", "text", REPORTABLE, zh="备注", en="note", max_length=NOTE_MAX, widget="text"),
    # version 2 (issue 12): the supervision loop; absent means the project's value. The office
    # changes them through the report endpoint (``who`` OFFICE: owners and units are refused)
    Field("person", "person", dsl="person", zh="责任人员", en="person", api="ru"),
    Field("co_units", "units", dsl="collection of units", zh="配合单位", en="co-units", api="ru"),
    Field("report_every", "cadence", dsl="duration", zh="报送周期", en="report cadence", api="ru"),
    # issue 17: working days the imported finish moved later at the last schedule import
    # (0 or absent: it did not); set by ``duban import FILE --project``, read by rules
    Field("schedule_slip", "workdays", dsl="number", zh="计划推迟", en="schedule slip", api="r"),
    # issue 17: the same import's measure of the computed schedule: working days the forecast
    # finish (the CPM early finish) moved later, and whole working days of total float lost
    Field("forecast_slip", "workdays", dsl="number", zh="预测推迟", en="forecast slip", api="r"),
    Field("float_eroded", "workdays", dsl="number", zh="总时差减少", en="float eroded", api="r"),
    # issue 17, DCMA point 10: whether the imported activity carries resources or cost; absent
    # for those the point does not count (milestones, shorter than a working day, not imported)
    Field("resourced", "flag", dsl="bool", zh="资源加载", en="resource-loaded", api="r"),
)

#: One ``after`` entry of a milestone (a dependency): a part of the milestone, not a record of
#: its own. Files write it ``{id, project, lag, type}``; the Excel dependency sheet has a row
#: each, after the milestone it belongs to (its ``project`` column there is ``on_project``).
DEPENDENCY: Final[tuple[Field, ...]] = (
    Field("on", "id", zh="前置节点", en="on", key="id", required=True),
    Field("project", "id", zh="前置节点所在项目", en="on project"),
    Field("lag", "workdays", zh="间隔工作日", en="lag"),
    Field("type", "link", zh="搭接类型", en="link type"),
)

UNIT: Final[tuple[Field, ...]] = (
    Field("id", "id", dsl="text", zh="编号", en="id", column="uid", required=True, api="rc"),
    Field("name", "text", dsl="text", zh="名称", en="name", max_length=NAME_MAX, required=True),
    Field("parent", "id", dsl="unit", zh="上级单位", en="parent"),
    Field("level", "text", dsl="text", zh="层级", en="level"),
    Field("contacts", "contacts", zh="联系方式", en="contacts"),
)

PROJECT: Final[tuple[Field, ...]] = (
    Field("id", "id", dsl="text", zh="编号", en="id", column="pid", required=True, api="rc"),
    Field("name", "text", dsl="text", zh="名称", en="name", max_length=NAME_MAX, required=True),
    Field("category", "category", dsl="category", zh="类别", en="category", required=True),
    Field("unit", "id", dsl="unit", zh="责任单位", en="unit", required=True),
    Field("budget", "yuan", dsl="number", zh="总投资", en="budget"),
    Field("milestones", "milestones", dsl="collection of milestones", zh="节点清单", en="milestones", column=None,
          api="r"),
    # version 2 (issue 12): 交办 — the lead unit is ``unit``; co-units, person, urgency, basis
    Field("co_units", "units", dsl="collection of units", zh="配合单位", en="co-units", api="ru"),
    Field("person", "person", dsl="person", zh="责任人员", en="person", api="ru"),
    Field("urgent", "bool", dsl="bool", zh="紧急", en="urgent", api="ru"),
    Field("source", "text", dsl="text", zh="交办依据", en="source", max_length=NAME_MAX, api="ru"),
    Field("instruction", "text", dsl="text", zh="领导批示", en="leader's instruction",
          max_length=NOTE_MAX, api="ru"),
    Field("report_every", "cadence", dsl="duration", zh="报送周期", en="report cadence", api="ru"),
)

PERSON: Final[tuple[Field, ...]] = (  # 责任人 (issue 12)
    Field("id", "id", dsl="text", zh="编号", en="id", column="person_id", required=True, api="rc"),
    Field("name", "text", dsl="text", zh="姓名", en="name", max_length=NAME_MAX, required=True),
    Field("unit", "id", dsl="unit", zh="所在单位", en="unit", required=True),
    Field("post", "text", dsl="text", zh="岗位", en="post", max_length=NAME_MAX),
)

EXTENSION: Final[tuple[Field, ...]] = (  # 延期申请 (issue 12); rules read them through m.extensions
    # the API: a unit requests with ``new_due`` and ``reason`` (the path names the milestone, the
    # server's day is ``requested``); an answer shows ``decision`` as the request's ``status``
    Field("milestone", "milestone_ref", zh="节点", en="milestone", required=True, api="r"),
    Field("requested", "date", zh="申请日期", en="requested", required=True, api="r"),
    Field("new_due", "date", zh="申请延至", en="new due date", required=True, api="rc"),
    Field("reason", "text", zh="延期理由", en="reason", max_length=NOTE_MAX, required=True, api="rc"),
    Field("decided", "date", zh="审批日期", en="decided", api="r"),
    Field("decision", "decision", zh="审批结果", en="decision", api=""),
    Field("decision_reason", "text", zh="审批意见", en="reason for the decision", max_length=NOTE_MAX,
          api="r"),
)

ACCOUNTABILITY: Final[tuple[Field, ...]] = (  # 通报批评 / 问责 (issue 13); rules count them
    Field("id", "id", zh="编号", en="id", column="record_id", required=True),
    Field("kind", "accountability_kind", zh="类别", en="kind", required=True,
          choices=(("criticism", "通报批评"), ("accountability", "问责"))),
    Field("unit", "id", zh="单位", en="unit", required=True),
    Field("date", "date", zh="决定日期", en="date", column="day", required=True),
    Field("reason", "text", zh="事由", en="reason", max_length=NOTE_MAX, required=True),
    Field("person", "person", zh="被问责人", en="person"),
    Field("notice", "id", zh="所涉督办通知", en="notice", column="notice_code"),
    Field("complaint", "id", zh="所涉群众投诉", en="complaint", column="complaint_code"),
)

NOTICE: Final[tuple[Field, ...]] = (
    Field("id", "id", dsl="text", zh="编号", en="id", required=True),
    Field("title", "text", dsl="text", zh="标题", en="title", max_length=NAME_MAX, required=True),
    Field("unit", "id", dsl="unit", zh="责任单位", en="unit", required=True),
    Field("issued", "date", dsl="date", zh="下发日期", en="issued", required=True),
    Field("due", "date", dsl="date", zh="反馈期限", en="due", required=True),
    Field("rule", "text", dsl="text", zh="触发规则", en="rule"),
    Field("level", "level", dsl="level", zh="灯色", en="level"),
    Field("responded", "date", zh="反馈日期", en="responded"),
    Field("subject", "text", zh="对象", en="subject"),
)

#: What a step of a notice's life cycle carries (``notifier.lifecycle`` checks it): a unit's
#: response (its text, an attached file's reference) or the office's rejection (its reason, a
#: new deadline). Parts of a step, as ``DEPENDENCY`` is of a milestone: neither in files nor
#: columns of a record (the notifier keeps them with the step).
NOTICE_STEP: Final[tuple[Field, ...]] = (
    Field("text", "text", zh="回复内容", en="response", key=None, column=None, required=True),
    Field("attachment", "text", zh="附件", en="attachment", key=None, column=None),
    Field("reason", "text", zh="退回理由", en="reason for the rejection", key=None, column=None, required=True),
    Field("new_due", "date", zh="新的反馈期限", en="new deadline", key=None, column=None),
)

COMPLAINT: Final[tuple[Field, ...]] = (  # 群众投诉 / 咨询 / 建议 (issue 13)
    Field("id", "id", dsl="text", zh="编号", en="id", column="code", required=True),
    Field("title", "text", dsl="text", zh="标题", en="title", max_length=NAME_MAX, required=True),
    Field("kind", "complaint_kind", dsl="complaint_kind", zh="类型", en="kind", present=True),
    Field("unit", "id", dsl="unit", zh="责任单位", en="unit", required=True),
    Field("project", "id", dsl="project", zh="所属项目", en="project"),
    Field("received", "date", dsl="date", zh="受理日期", en="received", required=True),
    Field("due", "date", dsl="date", zh="答复期限", en="response deadline", required=True),
    # the stored ``responded`` is the answer's date; rules read it as ``responded`` (bool) and
    # ``response_date`` (``COMPUTED``), as a notice's
    Field("responded", "date", zh="答复日期", en="responded"),
    Field("rating", "rating", dsl="rating", zh="评价", en="rating"),
    Field("rated", "date", zh="评价日期", en="rated"),
)

#: What a complaint carries beside its record (``COMPLAINT``, what rules read): the public's
#: text and contact, the unit's answer, and the secret of the rating link the complainant
#: holds. Kept by ``projects.complaint_store`` with the complaint (the secret as its hash),
#: never in portfolio files, never read by rules; the API's complaint bodies and answers carry
#: them (``api.controllers.complaints``). Text and answer are plain text with their lines
#: (tabs and line breaks, nothing else invisible); the contact only the office reads.
COMPLAINT_CONTENT: Final[tuple[Field, ...]] = (
    Field("text", "long_text", zh="内容", en="text", key=None, column="text", max_length=TEXT_MAX,
          required=True, api="c"),
    Field("contact", "contact", zh="联系方式", en="contact", key=None, column="contact",
          max_length=CONTACT_MAX, required=True, api="c"),
    # not every complaint is answered yet; the answer step requires one (``projects.complaints``)
    Field("answer", "long_text", zh="答复内容", en="answer", key=None, column="response", max_length=TEXT_MAX,
          api="r"),
    Field("secret", "secret", zh="评价密钥", en="rating secret", key=None, column=None, max_length=SECRET_MAX,
          required=True, api=""),
)


@dataclass(frozen=True, slots=True)
class NotLater:
    """A rule between fields: the date ``field`` may not be later than ``than`` (another date
    field of the record, or ``"today"``: the real today, so nothing is reported from the
    future). ``en`` and ``zh`` say why; the problem is placed at ``field``."""

    field: str
    than: str
    en: str
    zh: str
    at: str = ""  # where the problem is placed, when not at ``field`` (the later-named date)


#: The rules between a complaint's dates (``responded`` / ``rated`` before ``received``,
#: ``due`` before ``received``, ``rated`` before ``responded``, none in the future), checked
#: by the portfolio files and by the server's steps (``projects.complaints``).
COMPLAINT_RULES: Final[tuple[NotLater, ...]] = (  # a day after today first: left out of the rest
    NotLater("received", "today", "a complaint cannot be received in the future", "受理日期不能晚于今天"),
    NotLater("responded", "today", "an answer cannot come from the future; leave responded out until "
             "it is given", "答复日期不能晚于今天，答复后再填"),
    NotLater("rated", "today", "a rating cannot come from the future; leave rating and rated out "
             "until it is given", "评价日期不能晚于今天，评价后再填"),
    NotLater("received", "due", "the response deadline (due) cannot come before the complaint was "
             "received", "答复期限不能早于受理日期", at="due"),
    NotLater("received", "responded", "a complaint cannot be answered before it was received",
             "答复日期不能早于受理日期", at="responded"),
    NotLater("responded", "rated", "an answer is rated after it is given: rated cannot come before "
             "responded", "评价日期不能早于答复日期", at="rated"),
)

#: The rules between a milestone's fields, checked wherever a milestone is validated.
MILESTONE_RULES: Final[tuple[NotLater, ...]] = (
    NotLater("start", "due", "a milestone must start on or before its due date",
             "节点开始日期不能晚于计划完成日期"),
    NotLater("start", "finished", "a milestone cannot finish before it starts",
             "完成日期早于开始日期"),
    NotLater("finished", "today", "a milestone cannot be finished in the future; leave finished out "
             "until it is done", "尚未发生，完成后再填报"),
    NotLater("updated", "today", "the last report cannot come from the future", "最近填报日期不能晚于今天"),
)

def _computed(name: str, dsl: str, zh: str, *, present: bool = False, absent: bool = False) -> Field:
    return Field(name, dsl, dsl=dsl, zh=zh, en=name, key=None, column=None, present=present,
                 absent=absent)


_RATES: Final = (
    _computed("on_time_rate", "ratio", "按时办结率"),
    _computed("completion_rate", "ratio", "办结率"),
    _computed("early_rate", "ratio", "提前办结率"),
    _computed("response_rate", "ratio", "回复率"),
)

#: Fields the engine computes for the rule language (neither in files nor stored), by
#: record; with the stored fields that have a ``dsl`` type they are every field a rule can
#: read (``rule_fields``), and their ``zh`` is the label a rule may write (``m.计划完成``).
COMPUTED: Final[dict[str, tuple[Field, ...]]] = {
    "milestone": (
        _computed("done", "bool", "已完成"),
        _computed("overdue", "number", "逾期工作日"),
        _computed("late", "bool", "已逾期"),
        _computed("forecast", "date", "预测完成"),
        _computed("float", "number", "总时差"),
        _computed("critical", "bool", "关键路径"),
        # version 2 (issue 12)
        _computed("next_report", "date", "下次报送"),
        _computed("report_overdue", "number", "报送逾期工作日"),
        _computed("original_due", "date", "原计划完成"),
        _computed("extensions", "number", "延期次数", present=True),
        _computed("extension_pending", "bool", "延期待批"),
        _computed("late_extension_requests", "number", "逾期申请延期次数", present=True),
        _computed("planned_progress", "ratio", "序时进度"),
        # issue 17: its links (``after`` entries), for schedule-quality rules (DCMA)
        _computed("links", "number", "前置关系数", present=True),
        _computed("fs_links", "number", "完成开始关系数", present=True),
        _computed("leads", "number", "提前量关系数", present=True),
        _computed("lags", "number", "延时关系数", present=True),
    ),
    "project": (
        _computed("paid", "number", "已拨付"),
        _computed("progress", "ratio", "进度"),
        _computed("due", "date", "计划完成"),
        _computed("forecast", "date", "预测完成"),
        _computed("done", "bool", "已完成"),
        *_RATES,
        _computed("planned_progress", "ratio", "序时进度"),  # version 2
    ),
    "unit": (
        _computed("milestones", "collection of milestones", "节点清单"),
        _computed("projects", "collection of projects", "项目清单"),
        _computed("notices", "collection of notices", "督办单清单"),
        _computed("red_cards", "number", "红牌数", present=True),
        _computed("yellow_cards", "number", "黄牌数", present=True),
        *_RATES,
        # version 2 (issue 12)
        _computed("people", "collection of persons", "责任人清单"),
        _computed("extensions", "number", "延期次数", present=True),
        # issue 13: complaints received by today, and what they count towards
        _computed("complaints", "collection of complaints", "投诉清单"),
        _computed("workload", "number", "工作量", present=True),
        _computed("complaint_response_rate", "ratio", "投诉按期答复率"),
        _computed("satisfaction_rate", "ratio", "满意率"),
        # issue 13: accountability records dated by today
        _computed("criticisms", "number", "通报批评次数", present=True),
        _computed("accountabilities", "number", "问责次数", present=True),
    ),
    "notice": (
        # the stored ``responded`` is the reply's date; rules read it as these two
        _computed("responded", "bool", "已回复"),
        _computed("response_date", "date", "回复日期"),
        _computed("overdue", "number", "逾期工作日"),
    ),
    "complaint": (  # issue 13: the stored ``responded`` as a notice's, and the rating's sense
        _computed("responded", "bool", "已答复"),
        _computed("response_date", "date", "答复日期"),
        _computed("overdue", "number", "逾期工作日"),
        _computed("satisfied", "bool", "满意", absent=True),
    ),
    "person": (  # version 2 (issue 12): over the milestones whose person they are
        _computed("milestones", "collection of milestones", "节点清单"),
        *_RATES[:3],
        _computed("accountabilities", "number", "问责次数", present=True),  # issue 13
    ),
}


def rule_fields(record: str) -> tuple[Field, ...]:
    """Every field of ``record`` a rule can read: stored ones with a ``dsl`` type, then the
    computed ones."""
    return (*(f for f in RECORDS[record] if f.dsl is not None), *COMPUTED.get(record, ()))


#: Every record the catalogue declares, by the name the model and the rule language use.
RECORDS: Final[dict[str, tuple[Field, ...]]] = {
    "unit": UNIT, "project": PROJECT, "milestone": MILESTONE, "notice": NOTICE,
    "person": PERSON, "extension": EXTENSION, "complaint": COMPLAINT,
    "accountability": ACCOUNTABILITY,
}


def field_in(fields: tuple[Field, ...], name: str) -> Field:
    """The entry of ``fields`` named ``name`` (KeyError when it has none)."""
    for f in fields:
        if f.name == name:
            return f
    raise KeyError(name)


def field(record: str, name: str) -> Field:
    """The catalogue entry of ``record``'s field ``name`` (KeyError when it has none)."""
    try:
        return field_in(RECORDS[record], name)
    except KeyError:
        raise KeyError(f"{record}.{name}") from None


#: The milestone fields only the office may change (an owner's report cannot touch them).
MILESTONE_OFFICE_ONLY: Final = frozenset(f.name for f in MILESTONE if f.who == OFFICE)
#: The milestone fields an owner or responsible unit may report.
MILESTONE_REPORTABLE: Final = tuple(f.name for f in MILESTONE if f.who == REPORTABLE)
#: The fields of the owner's report form, in the catalogue's order.
MILESTONE_FORM: Final = tuple(f for f in MILESTONE if f.widget is not None)
