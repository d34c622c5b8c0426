"""Subject strings: how findings and notices name what they are about, parsed in one place.

    milestone:P001/tender    project:P001    unit:transport    person:wang    notice:N-2026-0001

``rules.engine.subject_id`` writes them; everything that reads one back (the notice views, the
engine's notice index, the report's names, the notifier's texts) calls ``parse_subject``.
"""

from __future__ import annotations

from typing import NamedTuple


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
