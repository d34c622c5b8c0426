"""The root of every error duban raises on purpose, the ``projects`` package's own errors, and
the ``Problem`` a portfolio check reports.

``DubanError`` lives here because ``projects`` is the lowest layer: every package may import
it. Each package keeps its own errors in its own ``errors.py`` (the rule language's in
``dsl/diagnostics.py``), all under this one root::

    DubanError                        anything duban refuses on purpose; .where, .suggestions, .current
    ├── ProjectsError                 projects/errors.py
    │   ├── PortfolioError            a portfolio file or dict with problems; nothing was loaded
    │   │                             (.problems: every problem found at once, each with its place)
    │   ├── CalendarError             a calendar file or calendar name that cannot be used
    │   ├── CadenceError              a reporting cadence that is not a duration (projects/cadence.py)
    │   ├── ExtensionError            an extension request or decision that cannot be accepted
    │   │   └── ExtensionStateError   a step the request's state does not allow (decided twice...)
    │   ├── ComplaintError            a complaint step that cannot be accepted (projects/complaints.py)
    │   │   ├── ComplaintStateError   a step the complaint's state does not allow (rated twice...)
    │   │   ├── ComplaintLimitError   too many complaints from one address within the hour
    │   │   └── ComplaintLinkError    a rating link whose secret belongs to no complaint
    │   ├── ScheduleFileError         a contractor's schedule file refused (projects/contractor)
    │   │   └── MppFileError          an .mpp file refused before or by MPXJ (api/mpp.py)
    │   │       └── MppReaderMissing  no Java runtime or MPXJ to read .mpp files
    │   ├── UnknownIdError            an id the model does not know (also a ``KeyError``)
    │   ├── RecordNotFoundError       no stored unit, project or milestone with this id
    │   ├── StaleVersionError         a change based on a version no longer current (.current)
    │   └── DuplicateError            an id that already exists
    ├── RulebookError                 dsl/diagnostics.py: a rulebook that does not parse or check
    │                                 (.diagnostics, each with file, line and column)
    ├── RulesError                    rules/errors.py
    │   ├── RulebookNotFoundError     no stored rulebook version with this number
    │   ├── EvaluationNotFoundError   no stored evaluation with this number
    │   ├── RulebookStateError        a rulebook workflow step taken out of order
    │   ├── RuleTestError             a rule-test file that cannot be run (.problems)
    │   ├── TraceError                an unknown rule or subject to explain
    │   └── PeriodError               an assessment period that is not a month or quarter, or not over
    ├── NotifierError                 notifier/errors.py
    │   ├── NoticeNotFoundError       a notice code that does not exist
    │   ├── NoticeStateError          an action the notice's state does not allow
    │   ├── NoticeInputError          a response, reason or deadline that cannot be accepted
    │   ├── NoticeForbiddenError      a unit responding to another unit's notice
    │   └── DeliveryConfigError       a worker or channel set up with values that cannot work
    └── ApiError                      api/values.py and beside it
        ├── InputError                a value a request sent that cannot be right (.where)
        ├── ForbiddenError            the user's role or unit does not allow the change
        ├── UserError                 a user account value refused (api/users.py)
        ├── UserNotFoundError         no such user (api/users.py)
        ├── WorkbookError             an uploaded workbook with problems (api/excel.py)
        ├── SettingsError             an environment setting that cannot work (api/settings.py)
        └── RuleEditorError           a request the rule editor refuses (api/web/rule_pages.py)

Every error says what was wrong; ``where`` says where (a field, a path into the data, a file
and line) when there is one place, ``suggestions`` what would be right, and ``current`` the
state the change met when that state helps to redo it. ``details()`` gives the further facts
(problems, diagnostics, versions) as plain values, and ``summary()`` the one-line message. The
web layer (``api/errors.py``) maps these classes to HTTP in one table and serialises them in one
function; nothing below it knows HTTP.

A ``Problem`` prints as ``projects[3].milestones[2].after: no milestone "tendr" in P004; did
you mean "tender"?``, with ``file:line: `` in front when the line in the file is known.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


class DubanError(Exception):
    """Base of every error duban raises on purpose: the message, and where it applies, the
    place (``where``), what would be right (``suggestions``) and the state met (``current``)."""

    where: str | None = None
    suggestions: tuple[str, ...] = ()
    current: Any = None

    def __init__(self, message: str = "", *, where: str | None = None,
                 suggestions: Iterable[str] = (), current: Any = None) -> None:
        if where is not None:
            self.where = where
        if suggestions:
            self.suggestions = tuple(suggestions)
        if current is not None:
            self.current = current
        super().__init__(message)

    def summary(self) -> str:
        """The message in one line, as an answer's ``message`` carries it."""
        return str(self)

    def details(self) -> dict[str, Any]:
        """Further facts a person needs to mend the input, as plain JSON-ready values."""
        return {}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a portfolio: where (a path into the data), what, and what is right.

    ``where`` is a path such as ``units[2].parent``; empty for a problem of the whole file
    (a syntax error). ``line`` and ``column`` are 1-based, when the file position is known.
    ``message`` is English; ``zh`` the same in Chinese, when the check words one (the field
    validators do: forms and the API show it first).
    """

    where: str
    message: str
    line: int | None = None
    column: int | None = None
    file: str | None = None
    zh: str | None = None

    def bilingual(self) -> str:
        """``zh — en``: Chinese first, English the alternative (English alone without zh)."""
        return f"{self.zh} — {self.message}" if self.zh else self.message

    def located(self, lang: str = "en") -> str:
        """The problem with its place, in Chinese (``lang="zh"``, falling back to English where
        no check words it yet) or English: ``p.yaml:3:5: units[0].parent: 没有单位「zz」``."""
        text = str(self)
        if lang == "zh" and self.zh:
            return text[: len(text) - len(self.message)] + self.zh
        return text

    def __str__(self) -> str:
        place = ""
        if self.line is not None:
            place = f"{self.file or '<portfolio>'}:{self.line}:"
            if self.column is not None:
                place += f"{self.column}:"
            place += " "
        elif self.file is not None and not self.where:
            place = f"{self.file}: "
        return f"{place}{self.where}: {self.message}" if self.where else place + self.message

    def as_json(self) -> dict[str, Any]:
        """The problem as an answer carries it: its place in the data and what is wrong."""
        return {"where": self.where, "message": self.message}


class ProjectsError(DubanError):
    """Base of every error the ``projects`` package raises on purpose."""


class PortfolioError(ProjectsError):
    """A portfolio that cannot be loaded; ``problems`` lists every problem found, in order."""

    def __init__(self, problems: Iterable[Problem], source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''}"
        if self.source:
            head += f" in {self.source}"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)

    def summary(self) -> str:
        n = len(self.problems)
        return f"the portfolio has {n} problem{'s' if n != 1 else ''}; nothing was changed"

    def details(self) -> dict[str, Any]:
        return {"problems": [p.as_json() for p in self.problems]}


class CalendarError(ProjectsError):
    """A working-day calendar that cannot be used (unknown name, bad calendar file)."""


class UnknownIdError(ProjectsError, KeyError):
    """A unit, project or milestone id that does not exist, with the nearest existing one."""

    def __init__(self, kind: str, id: object, known: Iterable[str] = ()) -> None:
        self.kind = kind
        self.id = id
        self.suggestion = suggest(str(id), known)
        KeyError.__init__(self, kind, id)
        if self.suggestion:
            self.suggestions = (self.suggestion,)

    def __str__(self) -> str:
        text = f"no {self.kind} {_quote(self.id)}"
        return f"{text}; did you mean {_quote(self.suggestion)}?" if self.suggestion else text


class RecordNotFoundError(ProjectsError, LookupError):
    """No stored unit, project or milestone with this id; ``suggestions`` are the nearest ids."""

    def __init__(self, kind: str, key: str, suggestions: Sequence[str] = ()) -> None:
        self.kind = kind
        self.key = key
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"no {kind} {key!r}{hint}", suggestions=suggestions)


class StaleVersionError(ProjectsError):
    """A change was based on a version that is no longer current (optimistic concurrency).

    ``expected`` is the version sent, ``current_version`` the stored one, and ``current`` the
    stored record (a ``Milestone``) when the caller may redo the change on it, else ``None``.
    The message is zh-CN first with English the alternative; ``said(lang)`` is what happened in
    one language, for a page that shows the current values itself (it says what to do there)."""

    KINDS: ClassVar[dict[str, str]] = {"milestone": "节点", "project": "项目"}

    def __init__(self, kind: str, key: str, expected: int, current_version: int,
                 current: Any = None) -> None:
        self.kind = kind
        self.key = key
        self.expected = expected
        self.current_version = current_version
        self.zh = (f"{self.KINDS.get(kind, kind)}「{key}」在您读取后已被他人修改：您依据的是第 {expected} 版，"
                   f"当前是第 {current_version} 版")
        self.en = (f"{kind} {key!r} changed since you read it: you sent version {expected}, the current "
                   f"version is {current_version}")
        super().__init__(
            f"{self.zh}；请重新读取，在当前值上重做修改后以第 {current_version} 版提交 — {self.en}; reload "
            f"it, re-apply your change and send version {current_version}", current=current)

    def said(self, lang: str = "zh") -> str:
        """What happened, in English (``lang="en"``) or Chinese, without the API's remedy."""
        return self.en if lang == "en" else self.zh

    def details(self) -> dict[str, Any]:
        return {"expected_version": self.expected, "current_version": self.current_version}


class DuplicateError(ProjectsError, ValueError):
    """An id that already exists."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key!r} already exists; choose another id or update it instead")


def suggest(word: str, known: Iterable[str]) -> str | None:
    """The known word closest to ``word`` (``difflib``), or ``None`` when none is close."""
    found = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return found[0] if found else None


def _quote(value: object) -> str:
    if isinstance(value, tuple):
        value = "/".join(map(str, value))
    return f'"{value}"'


class ExtensionError(ProjectsError):
    """An extension request (延期申请) or decision that cannot be accepted: ``where`` names
    the field, the message says what would be right."""


class ExtensionStateError(ExtensionError):
    """A step the request's state does not allow: a second decision, a second pending request."""


class ComplaintError(ProjectsError):
    """A complaint (群众投诉) or a step on it that cannot be accepted: ``where`` names the field,
    the message (zh-CN first) says what would be right."""


class ComplaintStateError(ComplaintError):
    """A step the complaint's state does not allow: answered or rated twice, rated before an
    answer, answered before it is routed."""


class ComplaintLimitError(ComplaintError):
    """An address that filed its bound of complaints within the last hour; ``retry_after`` is
    the seconds until it may file again."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message, where="address")

    def details(self) -> dict[str, Any]:
        return {"retry_after": self.retry_after}


class ComplaintLinkError(ComplaintError):
    """A rating link whose secret belongs to no complaint (forged, mistyped)."""
