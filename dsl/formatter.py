"""Placeholder replaced below."""
from __future__ import annotations


def format_text(text: str) -> str:
    return text
