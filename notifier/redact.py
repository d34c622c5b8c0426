"""Redaction of contact URLs: they carry passwords, bot keys and tokens.

Owns ``redact_url`` and ``redact_text``. A unit's contacts (Apprise URLs) are secrets: only
the redacted form is ever logged, shown, stored for display or returned by the API. The
redacted form keeps what an operator needs to tell targets apart — the scheme and a host that
is a real host name or address — and nothing a token could be rebuilt from.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

_MASK = "***"
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$", re.IGNORECASE)


def _shows_host(host: str) -> bool:
    """A host worth showing: an IP address, ``localhost`` or a dotted DNS name."""
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(_HOSTNAME.match(host))
    return True


def redact_url(url: str) -> str:
    """``url`` with user, password, tokens, path and query hidden.

    >>> redact_url("mailtos://jt:s3cret@smtp.gov.example:465?to=a@gov.example")
    'mailtos://***@smtp.gov.example:465/***'
    >>> redact_url("wecombot://0123456789abcdef")
    'wecombot://***'
    """
    text = url.strip()
    if "://" not in text:
        return _MASK
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return f"{text.split('://', 1)[0]}://{_MASK}"
    scheme = parts.scheme or text.split("://", 1)[0]
    if not host or not _shows_host(host):
        return f"{scheme}://{_MASK}"
    shown = f"{scheme}://"
    if parts.username or parts.password:
        shown += f"{_MASK}@"
    shown += host
    if port is not None:
        shown += f":{port}"
    if parts.path.strip("/") or parts.query or parts.fragment:
        shown += f"/{_MASK}"
    return shown


def _secrets_of(url: str) -> list[str]:
    """The pieces of ``url`` that must never appear in a log line or error."""
    pieces = [url.strip()]
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return pieces
    for value in (parts.username, parts.password, parts.netloc, parts.path, parts.query):
        if value:
            pieces.append(value)
            pieces.append(unquote(value))
    for segment in re.split(r"[/?&=:@]", f"{parts.path}?{parts.query}"):
        if len(segment) >= 6:  # tokens and keys; short words like "to" or "no" are not
            pieces.append(segment)
    host = parts.hostname or ""
    if host and not _shows_host(host):
        pieces.append(host)
    return pieces


def redact_text(text: str, urls: Iterable[str]) -> str:
    """``text`` (an error message, a log line) with every secret of ``urls`` masked."""
    out = text
    for url in urls:
        keep = redact_url(url)
        out = out.replace(url.strip(), keep)
        for piece in sorted(set(_secrets_of(url)), key=len, reverse=True):
            if piece and piece not in keep:
                out = out.replace(piece, _MASK)
    return out
