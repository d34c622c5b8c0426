"""Server settings: one frozen value read from the environment once, at the edge.

Variables (all optional):

- ``DUBAN_DATABASE_URL`` — ``postgresql://user:pass@host:port/db`` or ``sqlite:///path``;
  unset means the SQLite file ``duban.sqlite`` in the working directory.
- ``DUBAN_SECRET_KEY`` — signs and encrypts session cookies and keys the audit chain; unset
  means a random key made once and kept beside the SQLite database (``<db>.secret``, mode
  0600) or in PostgreSQL's ``api_secret`` table (no privileges for ``PUBLIC``), so every
  process on one database shares it. Never derived from the URL or anything else guessable
  (``api.keys``).
- ``DUBAN_COOKIE_SECURE`` — ``0`` to allow session cookies over plain HTTP (tests only).
- ``DUBAN_TODAY`` — an ISO date that stands in for today (demos, tests, replays).
- ``DUBAN_TIMEZONE`` — the zone whose date is "today" (default ``Asia/Shanghai``).
- ``DUBAN_DEMO`` — ``1`` to load the demo portfolio and accounts into an empty database and
  mount the demo inbox (``duban serve --demo`` and ``scripts/serve`` set it). Off unless asked:
  never by default, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

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
        return cls(
            database_url=url,
            secret_key=env.get("DUBAN_SECRET_KEY") or None,
            cookie_secure=env.get("DUBAN_COOKIE_SECURE", "1") not in {"0", "false", "no"},
            today=today,
            timezone=env.get("DUBAN_TIMEZONE", "Asia/Shanghai"),
            demo=env.get("DUBAN_DEMO", "0").lower() in {"1", "true", "yes"},
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
