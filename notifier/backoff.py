"""Retry policy of the outbox: exponential backoff with jitter, bounded tries.

Owns ``RetryPolicy``. Pure: the random draw is passed in, so a delay is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

from notifier.errors import DeliveryConfigError


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_attempts`` tries in all; the wait after try ``k`` (1-based) is drawn from
    ``[d/2, d]`` with ``d = min(cap, base * 2**(k-1))`` ("equal jitter"), so retries of many
    targets that failed together spread out instead of coming back in a herd."""

    max_attempts: int = 8
    base: float = 30.0  # seconds
    cap: float = 3600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise DeliveryConfigError("max_attempts", f"must be at least 1, not {self.max_attempts}")
        if self.base < 0 or self.cap < self.base:
            raise DeliveryConfigError(
                "base/cap", f"need 0 <= base <= cap, got base={self.base}, cap={self.cap}"
            )

    def delay(self, attempt: int, draw: float) -> float:
        """Seconds to wait after failed try number ``attempt``; ``draw`` is uniform in [0, 1)."""
        d = min(self.cap, self.base * 2.0 ** max(0, attempt - 1))
        return d / 2 + (d / 2) * draw

    def gives_up(self, attempts: int) -> bool:
        """True when ``attempts`` tries are all this policy allows."""
        return attempts >= self.max_attempts
