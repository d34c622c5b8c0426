"""The login throttle: wrong passwords counted per address and per account, in this process.

After ``PER_ACCOUNT`` wrong passwords for one account, or ``PER_ADDRESS`` from one address,
within ``WINDOW`` seconds, further attempts are refused before any password is hashed (so a
flood costs the server nothing) until the oldest counted failure leaves the window. A right
password clears its account's count. The clock is injected (``now``), so tests need not wait.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW = 15 * 60.0
PER_ACCOUNT = 5
PER_ADDRESS = 20
_MAX_KEYS = 100_000


@dataclass
class LoginThrottle:
    window: float = WINDOW
    per_account: int = PER_ACCOUNT
    per_address: int = PER_ADDRESS
    now: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str) -> deque[float]:
        got = self._failures.get(key)
        if got is None:
            return deque()
        cutoff = self.now() - self.window
        while got and got[0] <= cutoff:
            got.popleft()
        if not got:
            del self._failures[key]
        return got

    def wait_seconds(self, username: str, address: str) -> int:
        """0 when an attempt may go ahead; else how many seconds until one may."""
        waits = []
        for key, limit in (("u:" + username.lower(), self.per_account), ("a:" + address, self.per_address)):
            recent = self._recent(key)
            if len(recent) >= limit:
                waits.append(recent[-limit] + self.window - self.now())
        return max(1, math.ceil(max(waits))) if waits else 0

    def failed(self, username: str, address: str) -> None:
        if len(self._failures) > _MAX_KEYS:
            self._failures.clear()
        for key in ("u:" + username.lower(), "a:" + address):
            self._failures.setdefault(key, deque()).append(self.now())

    def succeeded(self, username: str) -> None:
        self._failures.pop("u:" + username.lower(), None)


def refusal(wait: int) -> str:
    """The message a throttled sign-in gets (zh-CN first, then English)."""
    minutes = max(1, math.ceil(wait / 60))
    return (f"登录失败次数太多，请 {minutes} 分钟后再试 — too many failed sign-ins for this account or "
            f"address; try again in {minutes} min")
