"""Subject strings: how findings and notices name what they are about, parsed in one place.

    milestone:P001/tender    project:P001    unit:transport    person:wang    notice:N-2026-0001
    complaint:C-2026-0001

``rules.engine.subject_id`` writes them; everything that reads one back (the notice views, the
engine's notice index, the report's names, the notifier's texts) calls ``parse_subject``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from projects.model import Portfolio


class Subject(NamedTuple):
    """A parsed subject: its kind and the key after ``kind:``; an unknown shape keeps ``kind``
    empty and the whole text as ``key``."""

    kind: str
    key: str

    @property
    def project(self) -> str | None:
        """The project a milestone or project subject belongs to; ``None`` for the others."""
        if self.kind == "milestone":
            return self.key.partition("/")[0] or None
        if self.kind == "project":
            return self.key or None
        return None

    @property
    def milestone(self) -> str | None:
        """The milestone id of a milestone subject; ``None`` for the others."""
        if self.kind == "milestone":
            return self.key.partition("/")[2] or None
        return None


def parse_subject(text: str | None) -> Subject:
    """``milestone:P001/tender`` -> ``Subject("milestone", "P001/tender")``."""
    kind, colon, key = (text or "").partition(":")
    return Subject(kind, key) if colon else Subject("", kind)


def subject_project(text: str | None) -> str | None:
    """The project of ``milestone:P1/x`` and ``project:P1`` (``P1``); ``None`` otherwise."""
    return parse_subject(text).project


def subject_name(portfolio: Portfolio, subject: str) -> str:
    """A finding's subject as people name it: ``滨江大桥建设工程 / 招标``, a unit's name, a
    notice's number (``milestone:P002/contract`` is how the engine names it, not people)."""
    kind, key = parse_subject(subject)
    if kind == "milestone":
        pid, _, mid = key.partition("/")
        project = portfolio.project_by_id.get(pid)
        if project is None:
            return key
        milestone = next((m for m in project.milestones if m.id == mid), None)
        return f"{project.name} / {milestone.name if milestone else mid}"
    if kind == "project":
        project = portfolio.project_by_id.get(key)
        return project.name if project else key
    if kind == "unit":
        unit = portfolio.unit_by_id.get(key)
        return unit.name if unit else key
    if kind == "person":
        person = portfolio.person_by_id.get(key)
        return person.name if person else key
    if kind == "complaint":  # by its kind and code: a complaint's title is not for every reader
        complaint = portfolio.complaint_by_id.get(key)
        return f"群众{complaint.kind.chinese} {key}" if complaint else key
    return key
