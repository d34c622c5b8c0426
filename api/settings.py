"""Server settings: one frozen value read from the environment once, at the edge.

Variables (all optional):

- ``DUBAN_DATABASE_URL`` — ``postgresql://user:pass@host:port/db`` or ``sqlite:///path``;
  unset means the SQLite file ``duban.sqlite`` in the working directory.
- ``DUBAN_SECRET_KEY`` — signs and encrypts session cookies and keys the audit chain; unset
  means a random key made once and kept beside the SQLite database (``<db>.secret``, mode
  0600) or in PostgreSQL's ``api_secret`` table (no privileges for ``PUBLIC``), so every
  process on one database shares it. Never derived from the URL or anything else guessable
  (``api.keys``).
- ``DUBAN_PUBLIC_URL`` — the address people use, e.g. ``https://duban.example.gov.cn``, when the
  server sits behind a reverse proxy. An ``https`` address keeps session and CSRF cookies
  ``Secure`` even though the server itself listens on plain HTTP on loopback; ``duban serve``
  prints it as the address to open.
- ``DUBAN_TRUSTED_PROXIES`` — the addresses of the reverse proxies (IPs or networks, comma
  separated, e.g. ``127.0.0.1,10.0.0.0/24``). Only a request arriving from one of them has its
  ``X-Forwarded-For`` read, so the login throttle counts the real client (``api.proxies``); from
  anyone else the header is ignored. Unset: no proxy is trusted, the header is never read.
- ``DUBAN_COOKIE_SECURE`` — ``0`` to allow session cookies over plain HTTP (tests and a plain
  loopback demo; ``duban serve`` on loopback sets it unless a public URL says otherwise).
- ``DUBAN_TODAY`` — an ISO date that stands in for today (demos, tests, replays).
- ``DUBAN_TIMEZONE`` — the zone whose date is "today" (default ``Asia/Shanghai``).
- ``DUBAN_DEMO`` — ``1`` to load the demo portfolio and accounts into an empty database and
  mount the demo inbox (``duban serve --demo`` and ``scripts/serve`` set it). Off unless asked:
  never by default, on SQLite or PostgreSQL.
- ``DUBAN_COMPLAINT_DAYS`` — working days a unit has to answer a complaint routed to it, unless
  the office sets another deadline (default 5, on the portfolio's calendar).
- ``DUBAN_COMPLAINTS_PER_HOUR`` — complaints the public form takes from one client address an
  hour (default 5; the address is the proxy-aware one of ``api.proxies``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pendulum

from api.values import ApiError


class SettingsError(ApiError, ValueError):
    """An environment variable with a value that cannot work, and what would."""

    def __init__(self, variable: str, value: str, expected: str) -> None:
        self.variable = variable
        super().__init__(f"{variable}={value!r}: {expected}", where=variable)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server reads from its environment."""

    database_url: str = "sqlite:///duban.sqlite"
    secret_key: str | None = None
    cookie_secure: bool = True
    today: dt.date | None = None
    timezone: str = "Asia/Shanghai"
    demo: bool = False
    pool_size: int = 10
    public_url: str | None = None
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    complaint_days: int = 5  # DUBAN_COMPLAINT_DAYS: working days a unit has to answer a complaint
    complaints_per_hour: int = 5  # DUBAN_COMPLAINTS_PER_HOUR: filings per client address per hour
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        url = env.get("DUBAN_DATABASE_URL") or "sqlite:///duban.sqlite"
        if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise SettingsError(
                "DUBAN_DATABASE_URL",
                url,
                "expected postgresql://user:password@host:port/database or sqlite:///path",
            )
        today = None
        if raw := env.get("DUBAN_TODAY"):
            try:
                today = dt.date.fromisoformat(raw)
            except ValueError:
                raise SettingsError("DUBAN_TODAY", raw, "expected an ISO date like 2026-05-06") from None
        public = public_url(env.get("DUBAN_PUBLIC_URL") or None)
        secure = env.get("DUBAN_COOKIE_SECURE")
        if secure is None:
            cookie_secure = True if public is None else public.startswith("https://")
        else:
            cookie_secure = secure.lower() not in {"0", "false", "no"}
            if not cookie_secure and public is not None and public.startswith("https://"):
                raise SettingsError("DUBAN_COOKIE_SECURE", secure,
                                    f"公开地址是 https（{public}），会话 Cookie 必须带 Secure — the public address is "
                                    "https, so cookies stay Secure; unset DUBAN_COOKIE_SECURE")
        return cls(
            database_url=url,
            secret_key=env.get("DUBAN_SECRET_KEY") or None,
            cookie_secure=cookie_secure,
            public_url=public,
            trusted_proxies=proxy_networks(env.get("DUBAN_TRUSTED_PROXIES", "")),
            today=today,
            timezone=env.get("DUBAN_TIMEZONE", "Asia/Shanghai"),
            demo=env.get("DUBAN_DEMO", "0").lower() in {"1", "true", "yes"},
            complaint_days=_whole(env, "DUBAN_COMPLAINT_DAYS", 5, low=1, high=60, what="工作日数 working days"),
            complaints_per_hour=_whole(env, "DUBAN_COMPLAINTS_PER_HOUR", 5, low=1, high=10_000, what="件数 filings"),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:///")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    def current_day(self) -> dt.date:
        """Today in the server's time zone (or the fixed day the settings name)."""
        if self.today is not None:
            return self.today
        d = pendulum.today(self.timezone)
        return dt.date(d.year, d.month, d.day)


def _whole(env: Mapping[str, str], name: str, default: int, *, low: int, high: int, what: str) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise SettingsError(name, raw, f"应为 {low} 到 {high} 之间的整数（{what}）— expected a whole number "
                                       f"from {low} to {high}")
    return value


def public_url(raw: str | None) -> str | None:
    """``DUBAN_PUBLIC_URL`` checked: ``http(s)://host[:port][/path]``, without its last ``/``."""
    if raw is None:
        return None
    parts = urlsplit(raw.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError("DUBAN_PUBLIC_URL", raw, "应为 https://主机名[:端口][/路径] — expected the address people "
                            "open, like https://duban.example.gov.cn")
    return raw.strip().rstrip("/")


def proxy_networks(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``DUBAN_TRUSTED_PROXIES`` read: addresses or networks, comma separated (none when empty)."""
    out = []
    for item in (x.strip() for x in raw.split(",")):
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingsError("DUBAN_TRUSTED_PROXIES", raw, f"{item!r} 不是 IP 地址或网段 — is not an IP address or "
                                "network; write e.g. 127.0.0.1,10.0.0.0/24") from None
    return tuple(out)
