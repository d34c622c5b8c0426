"""Diagnostics: where a rulebook is wrong, in words, with the line and a caret.

Owns ``Span``, ``Said``, ``Diagnostic`` and ``RulebookError``. Every message and suggestion
is said in zh-CN and in English (``Said``); a diagnostic speaks the language of the spelling
its file mostly uses (``lang``, set by ``dsl.in_authors_spelling``) and carries the other.
Columns are 1-based code points (what editors show); the caret under the source line is padded by *display width*, so it lands
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
class Said:
    """One text in zh-CN and in English."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One error: ``file:line:column: message; suggestion`` with the line and a caret.

    ``message`` and ``suggestion`` are English, ``message_zh`` and ``suggestion_zh`` zh-CN;
    ``text`` and ``render()`` speak ``lang``, the language of the author's spelling."""

    file: str
    line: int
    column: int
    end_column: int
    message: str
    suggestion: str | None = None
    source_line: str = ""
    message_zh: str = ""
    suggestion_zh: str | None = None
    lang: str = "en"

    @property
    def text(self) -> str:
        """The message with its suggestion in the author's language, as printed after the
        place."""
        return self.text_in(self.lang)

    def text_in(self, lang: str) -> str:
        """The message with its suggestion in ``lang`` ("zh" | "en")."""
        if lang == "zh" and self.message_zh:
            return f"{self.message_zh}；{self.suggestion_zh}" if self.suggestion_zh \
                else self.message_zh
        return f"{self.message}; {self.suggestion}" if self.suggestion else self.message

    def render(self, lang: str | None = None) -> str:
        """``FILE:LINE:COL: message``, the source line, and a caret under the span (in
        ``lang``, by default the author's)."""
        head = f"{self.file}:{self.line}:{self.column}: {self.text_in(lang or self.lang)}"
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
        the place, the message and its suggestion (English) and ``message_zh`` /
        ``suggestion_zh``, ``lang`` (the author's), ``text`` (message and suggestion in the
        author's language, as shown after the place; ``text_zh`` and ``text_en`` in each) and
        ``rendered`` (the place, the source line and the caret)."""
        return {"file": self.file, "line": self.line, "column": self.column,
                "end_column": self.end_column, "message": self.message,
                "suggestion": self.suggestion, "message_zh": self.message_zh,
                "suggestion_zh": self.suggestion_zh, "lang": self.lang, "text": self.text,
                "text_zh": self.text_in("zh"), "text_en": self.text_in("en"),
                "rendered": self.render()}


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


def did_you_mean(word: str, candidates: Iterable[str]) -> Said | None:
    """``did you mean `x`?`` for the closest candidate, or None.

    Chinese words are short (two characters), so one wrong character still suggests."""
    cutoff = 0.5 if any(display_width(ch) == 2 for ch in word) else 0.6
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=cutoff)
    return Said(f"是否想写 `{close[0]}`？", f"did you mean `{close[0]}`?") if close else None


class Reporter:
    """Collects diagnostics for one file, filling in the source line."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.lines = text.splitlines()
        self.diagnostics: list[Diagnostic] = []

    def error(self, span: Span, message: Said, suggestion: Said | None = None) -> None:
        source = self.lines[span.line - 1] if 0 < span.line <= len(self.lines) else ""
        end = span.end_column if span.end_line == span.line else len(source) + 1
        self.diagnostics.append(Diagnostic(
            self.file, span.line, span.column, end, message.en,
            None if suggestion is None else suggestion.en, source, message.zh,
            None if suggestion is None else suggestion.zh))
