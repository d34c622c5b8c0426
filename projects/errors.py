"""The exceptions of the ``projects`` package, and the ``Problem`` a portfolio check reports.

Every error carries its place and, where one exists, what would be right::

    ProjectsError                 anything this package refuses
    ├── PortfolioError            a portfolio file or dict with problems; nothing was loaded
    │                             (.problems: tuple[Problem, ...], every problem found at once)
    ├── CalendarError             a calendar file or calendar name that cannot be used
    └── UnknownIdError            a unit, project or milestone id that does not exist
                                  (.kind, .id, .suggestion; also a ``KeyError``)

A ``Problem`` prints as ``projects[3].milestones[2].after: no milestone "tendr" in P004; did
you mean "tender"?``, with ``file:line: `` in front when the line in the file is known.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


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


class ProjectsError(Exception):
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


class CalendarError(ProjectsError):
    """A working-day calendar that cannot be used (unknown name, bad calendar file)."""


class UnknownIdError(ProjectsError, KeyError):
    """A unit, project or milestone id that does not exist, with the nearest existing one."""

    def __init__(self, kind: str, id: object, known: Iterable[str] = ()) -> None:
        self.kind = kind
        self.id = id
        self.suggestion = suggest(str(id), known)
        super().__init__(kind, id)

    def __str__(self) -> str:
        text = f"no {self.kind} {_quote(self.id)}"
        return f"{text}; did you mean {_quote(self.suggestion)}?" if self.suggestion else text


def suggest(word: str, known: Iterable[str]) -> str | None:
    """The known word closest to ``word`` (``difflib``), or ``None`` when none is close."""
    found = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return found[0] if found else None


def _quote(value: object) -> str:
    if isinstance(value, tuple):
        value = "/".join(map(str, value))
    return f'"{value}"'
