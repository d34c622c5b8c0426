"""Errors of the notifier, under ``DubanError`` (the whole tree is drawn in
``projects/errors.py``).

    NotifierError
    ├── NoticeNotFoundError   a notice code that does not exist (API: 404)
    ├── NoticeStateError      an action the notice's state does not allow (API: 409)
    ├── NoticeInputError      an empty response, a rejection without reason, a deadline in the past (API: 422)
    ├── NoticeForbiddenError  a unit responding to a notice addressed to another (API: 403)
    └── DeliveryConfigError   a worker or channel set up with values that cannot work

Each error carries the notice code or setting it is about and, where one fits, a suggestion
(`difflib.get_close_matches` over the known codes or allowed values).
"""

from __future__ import annotations

from typing import Any

from projects.errors import DubanError


class NotifierError(DubanError):
    """Base of every error the notifier raises."""


class NoticeNotFoundError(NotifierError, LookupError):
    """No notice has this code."""

    def __init__(self, code: str, suggestions: tuple[str, ...] = ()) -> None:
        self.code = code
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"no notice {code!r}{hint}", suggestions=suggestions)


class NoticeStateError(NotifierError):
    """The notice is in a state where this action has no meaning."""

    def __init__(self, code: str, state: str, event: str, allowed: tuple[str, ...]) -> None:
        self.code = code
        self.state = state
        self.event = event
        self.allowed = allowed
        can = ", ".join(allowed) if allowed else "nothing (it is closed)"
        super().__init__(f"notice {code!r} is {state}: cannot {event} it; allowed now: {can}",
                         current=state, suggestions=allowed)

    def details(self) -> dict[str, Any]:
        return {"allowed": list(self.allowed)}


class DeliveryConfigError(NotifierError, ValueError):
    """A delivery setting that cannot work, with the value that would."""

    def __init__(self, setting: str, message: str) -> None:
        self.setting = setting
        super().__init__(f"{setting}: {message}", where=setting)


class NoticeInputError(NotifierError, ValueError):
    """A response, rejection or deadline that cannot be accepted as given; ``zh`` and ``en``
    hold the message in each language when it has both (a page shows the reader's one)."""

    def __init__(self, code: str, field: str, message: str, *, zh: str | None = None,
                 en: str | None = None) -> None:
        self.code = code
        self.field = field
        self.zh, self.en = zh, en
        super().__init__(f"notice {code!r}, {field}: {message}", where=field)


class NoticeForbiddenError(NotifierError, PermissionError):
    """A step the caller may not take on this notice (another unit's notice)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)
