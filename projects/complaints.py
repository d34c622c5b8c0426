"""Complaints (群众投诉 / 咨询 / 建议): the steps of one complaint, checked. Pure.

A member of the public files a complaint (``intake``: no account; title and text are plain
text, bounded); the office routes it to a unit with a forced-response deadline (``route``,
again to re-route it while it is unanswered; the deadline defaults to
``DEFAULT_RESPONSE_WORKDAYS`` working days after the day it is routed); the unit answers it
once (``answer``); the complainant rates the answer once through the private link
(``rate``: 满意 / 基本满意 / 不满意). Each step takes the stored complaint and the day and returns
the changed one, or raises ``ComplaintError`` (a value that cannot be right, ``where`` naming
the field) or ``ComplaintStateError`` (a step its state does not allow: answered twice, rated
twice, rated before an answer). The dates the steps write keep the rules of
``catalogue.COMPLAINT_RULES`` by construction (each step is dated ``today``, after the last).

The tracking code and the rating link's secret are made at the edge
(``projects.complaint_store``): randomness is not the core's; ``secret_hash`` is how a secret
is kept (its SHA-256; the secret itself never is).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from projects.catalogue import CONTACT_MAX, NAME_MAX, TEXT_MAX
from projects.errors import ComplaintError, ComplaintStateError
from projects.fields import control_character_zh
from projects.model import COMPLAINT_KIND_WORDS, RATING_WORDS, Complaint, ComplaintKind, Rating

if TYPE_CHECKING:
    from projects.repository import StoredComplaint

#: The forced-response deadline the office gets when it sets none: working days after routing.
DEFAULT_RESPONSE_WORKDAYS: Final = 5
#: The latest forced-response deadline the office may set, in days after routing: a deadline
#: years away would keep a complaint from ever falling due (never yellow, never in the rate).
ROUTE_MAX_DAYS: Final = 120  # beyond the longest setting, 60 working days (DUBAN_COMPLAINT_DAYS)


def secret_hash(secret: str) -> str:
    """How a rating link's secret is stored and looked up: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _plain(value: object, where: str, label: str, most: int, *, required: bool = True) -> str | None:
    """Plain text as it was written (newlines and tabs allowed), trimmed, within ``most``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ComplaintError(f"{label}不能为空 — the {where} is empty; write it", where=where)
        return None
    if not isinstance(value, str):
        raise ComplaintError(f"{label}应为文字 — the {where} must be text", where=where)
    text = value.strip()
    if len(text) > most:
        raise ComplaintError(f"{label}共 {len(text)} 个字，最多 {most} 个 — the {where} is {len(text)} "
                             f"characters long; at most {most} are kept", where=where)
    bad = control_character_zh(text)
    if bad is not None:
        raise ComplaintError(f"{label}{bad[0]} — the {where} {bad[1]}", where=where)
    return text


def kind_of(value: object) -> ComplaintKind:
    """A kind written in either language (``complaint`` / ``投诉``...); absent: a complaint."""
    if value is None or value == "":
        return ComplaintKind.COMPLAINT
    found = COMPLAINT_KIND_WORDS.get(value.strip().lower()) if isinstance(value, str) else None
    if found is None:
        raise ComplaintError(f"类型只能是 投诉、咨询 或 建议 — unknown kind {value!r}; write complaint "
                             "(投诉), consultation (咨询) or suggestion (建议)", where="kind",
                             suggestions=tuple(k.value for k in ComplaintKind))
    return found


def rating_of(value: object) -> Rating:
    """A rating written in either language (``satisfied`` / ``满意``...)."""
    found = RATING_WORDS.get(value.strip().lower()) if isinstance(value, str) else None
    if found is None:
        raise ComplaintError(f"评价只能是 满意、基本满意 或 不满意 — unknown rating {value!r}; write "
                             "satisfied (满意), basically_satisfied (基本满意) or dissatisfied (不满意)",
                             where="rating", suggestions=tuple(r.value for r in Rating))
    return found


def intake(*, title: object, text: object, kind: object = None,
           contact: object = None) -> tuple[str, str, ComplaintKind, str | None]:
    """The checked (title, text, kind, contact) of a complaint the public files."""
    return (_plain(title, "title", "标题", NAME_MAX) or "", _plain(text, "text", "内容", TEXT_MAX) or "",
            kind_of(kind), _plain(contact, "contact", "联系方式", CONTACT_MAX, required=False))


def route(c: StoredComplaint, *, unit: str, due: dt.date, today: dt.date, units: Collection[str],
          project: str | None = None, projects: Collection[str] = (), actor: str | None = None,
          ) -> StoredComplaint:
    """The office routes (or re-routes) ``c`` to ``unit`` with the deadline ``due`` (not before
    ``today``); a complaint already answered cannot be re-routed."""
    if c.responded is not None:
        raise ComplaintStateError(
            f"投诉 {c.code} 已于 {c.responded.isoformat()} 答复，不能再转办 — complaint {c.code} was "
            f"answered on {c.responded.isoformat()}; it cannot be routed again", where="unit",
            current=c.unit)
    if unit not in units:
        from projects.errors import suggest  # noqa: PLC0415 - error path only

        hint = suggest(unit, units)
        raise ComplaintError(f"没有单位「{unit}」 — no unit {unit!r}" + (f"; did you mean {hint!r}?" if hint else ""),
                             where="unit", suggestions=(hint,) if hint else ())
    if project is not None and project not in projects:
        raise ComplaintError(f"没有项目「{project}」 — no project {project!r}", where="project")
    if due < today:
        raise ComplaintError(f"答复期限 {due.isoformat()} 早于今天 {today.isoformat()} — the response "
                             f"deadline {due.isoformat()} is before today; give a later day",
                             where="due", current=today.isoformat())
    latest = today + dt.timedelta(days=ROUTE_MAX_DAYS)
    if due > latest:
        raise ComplaintError(f"答复期限 {due.isoformat()} 太远：最晚 {latest.isoformat()}（{ROUTE_MAX_DAYS} 天内）"
                             f" — the response deadline {due.isoformat()} is too far; give a day by "
                             f"{latest.isoformat()} (within {ROUTE_MAX_DAYS} days)",
                             where="due", current=today.isoformat())
    return replace(c, unit=unit, due=due, project=project, routed=today, routed_by=actor)


def answer(c: StoredComplaint, *, unit: str | None, text: object, today: dt.date,
           actor: str | None = None) -> StoredComplaint:
    """The unit ``unit`` (``None``: the office, on its behalf) answers ``c`` once, ``today``."""
    if c.unit is None or c.due is None:
        raise ComplaintStateError(f"投诉 {c.code} 尚未转办 — complaint {c.code} has not been routed to "
                                  "a unit yet; the office routes it first", where="unit")
    if unit is not None and unit != c.unit:
        raise ComplaintStateError(f"投诉 {c.code} 不是转给本单位的 — complaint {c.code} was routed to "
                                  "another unit; only that unit answers it", where="unit")
    if c.responded is not None:
        raise ComplaintStateError(
            f"投诉 {c.code} 已于 {c.responded.isoformat()} 答复 — complaint {c.code} was answered on "
            f"{c.responded.isoformat()}; an answer is given once", where="text",
            current=c.responded.isoformat())
    if today < c.received:
        raise ComplaintError("答复日期不能早于受理日期 — an answer cannot come before the complaint was "
                             "received", where="responded")
    words = _plain(text, "text", "答复内容", TEXT_MAX)
    return replace(c, responded=today, response=words, responded_by=actor)


def rate(c: StoredComplaint, rating: object, today: dt.date) -> StoredComplaint:
    """The complainant rates the answer to ``c`` once, ``today``."""
    found = rating_of(rating)
    if c.responded is None:
        raise ComplaintStateError(f"投诉 {c.code} 尚未答复，答复后才能评价 — complaint {c.code} has not "
                                  "been answered yet; rate it once it is", where="rating")
    if c.rated is not None:
        raise ComplaintStateError(
            f"已于 {c.rated.isoformat()} 评价过，每条投诉只能评价一次 — this answer was rated on "
            f"{c.rated.isoformat()}; it is rated once", where="rating",
            current=None if c.rating is None else c.rating.value)
    if today < c.responded:
        raise ComplaintError("评价日期不能早于答复日期 — a rating cannot come before the answer",
                             where="rated")
    return replace(c, rating=found, rated=today)


# -- what complaints count towards, as of a day (``supervision.md``: "Meaning, as of today")


@dataclass(slots=True)
class ComplaintTally:
    """The counts behind a unit's complaint rates as of one day: complaints received by then,
    those whose ``due`` has come, those of them answered on or before it, those rated, and
    those rated satisfied or basically satisfied."""

    received: int = 0
    due: int = 0
    answered_in_time: int = 0
    rated: int = 0
    satisfied: int = 0

    def add(self, c: Complaint, today: dt.date) -> None:
        """Count ``c`` (received by ``today``; its answer and rating as known on ``today``)."""
        self.received += 1
        if c.due <= today:
            self.due += 1
            if c.responded is not None and c.responded <= min(c.due, today):
                self.answered_in_time += 1
        if c.rating is not None and c.rated is not None and c.rated <= today:
            self.rated += 1
            self.satisfied += c.rating.satisfied

    @property
    def response_rate(self) -> float | None:
        """投诉按期答复率: answered on or before ``due`` over those due by the day (missing: none)."""
        return self.answered_in_time / self.due if self.due else None

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: satisfied or basically satisfied over rated (missing: none rated)."""
        return self.satisfied / self.rated if self.rated else None


def tally_by_unit(complaints: Iterable[Complaint], today: dt.date) -> dict[str, ComplaintTally]:
    """Unit id -> the tally of its complaints received by ``today`` (units with none left out):
    what ``u.complaint_response_rate`` and ``u.satisfaction_rate`` read, and what a page
    showing the units' reply and satisfaction rates calls."""
    out: dict[str, ComplaintTally] = {}
    for c in complaints:
        if c.received <= today:
            found = out.get(c.unit)
            if found is None:
                found = out[c.unit] = ComplaintTally()
            found.add(c, today)
    return out
