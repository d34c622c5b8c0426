"""Diagnostics: where a rulebook is wrong, in words, with the line and a caret.

Owns ``Span``, ``Diagnostic`` and ``RulebookError``. Columns are 1-based code points (what
editors show); the caret under the source line is padded by *display width*, so it lands
right after Chinese text (wide characters take two columns on a terminal).
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from projects.errors import DubanError


@dataclass(frozen=True, slots=True)
class Span:
    """A place in one source file: 1-based line and column, end column exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


def display_width(text: str) -> int:
    """Terminal columns taken by ``text``: East Asian wide and full-width characters take 2."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _pad(prefix: str) -> str:
    # Keep tabs as tabs so the caret lines up whatever the tab width.
    return "".join("\t" if ch == "\t" else " " * display_width(ch) for ch in prefix)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One error: ``file:line:column: message; suggestion`` with the line and a caret."""

    file: str
    line: int
    column: int
    end_column: int
    message: str
    suggestion: str | None = None
    source_line: str = ""

    @property
    def text(self) -> str:
        """The message with its suggestion, as printed after the place."""
        return f"{self.message}; {self.suggestion}" if self.suggestion else self.message

    def render(self) -> str:
        """``FILE:LINE:COL: message``, the source line, and a caret under the span."""
        head = f"{self.file}:{self.line}:{self.column}: {self.text}"
        if not self.source_line:
            return head
        line = self.source_line.rstrip("\n")
        start = max(self.column - 1, 0)
        end = max(self.end_column - 1, start + 1)
        covered = line[start:end] or " "
        caret = _pad(line[:start]) + "^" * max(display_width(covered), 1)
        return f"{head}\n{line}\n{caret}"

    def __str__(self) -> str:
        return self.render()

    def as_json(self) -> dict[str, Any]:
        """The one serialised form of a diagnostic, for the API and the rule editor alike:
        the place, the message and its suggestion, ``text`` (message and suggestion, as shown
        after the place) and ``rendered`` (the place, the source line and the caret)."""
        return {"file": self.file, "line": self.line, "column": self.column,
                "end_column": self.end_column, "message": self.message,
                "suggestion": self.suggestion, "text": self.text, "rendered": self.render()}


class RulebookError(DubanError):
    """A rulebook that does not parse or check; carries every diagnostic of every file."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(
            sorted(diagnostics, key=lambda d: (d.file, d.line, d.column))
        )
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(self.render(),
                         where=f"{first.file}:{first.line}:{first.column}" if first else None)

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)

    def summary(self) -> str:
        return "the rulebook has errors; nothing was changed"

    def details(self) -> dict[str, Any]:
        return {"diagnostics": [d.as_json() for d in self.diagnostics]}


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """``did you mean `x`?`` for the closest candidate, or None.

    Chinese words are short (two characters), so one wrong character still suggests."""
    cutoff = 0.5 if any(display_width(ch) == 2 for ch in word) else 0.6
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=cutoff)
    return f"did you mean `{close[0]}`?" if close else None


class Reporter:
    """Collects diagnostics for one file, filling in the source line."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.lines = text.splitlines()
        self.diagnostics: list[Diagnostic] = []

    def error(self, span: Span, message: str, suggestion: str | None = None) -> None:
        source = self.lines[span.line - 1] if 0 < span.line <= len(self.lines) else ""
        end = span.end_column if span.end_line == span.line else len(source) + 1
        self.diagnostics.append(
            Diagnostic(self.file, span.line, span.column, end, message, suggestion, source)
        )
