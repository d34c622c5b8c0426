"""Retry delays: exponential, jittered, capped, bounded."""

from __future__ import annotations

import pytest

from notifier.backoff import RetryPolicy
from notifier.errors import DeliveryConfigError


def test_delays_double_within_jitter_and_stop_at_the_cap() -> None:
    """Try k waits between half and all of base·2^(k-1), never more than the cap."""
    p = RetryPolicy(max_attempts=5, base=10, cap=60)
    assert [p.delay(k, 0.0) for k in (1, 2, 3, 4, 5)] == [5, 10, 20, 30, 30]
    assert [p.delay(k, 0.999999) for k in (1, 2, 3)] == pytest.approx([10, 20, 40])


def test_gives_up_after_max_attempts() -> None:
    """Three tries allowed: the third failure is the last."""
    p = RetryPolicy(max_attempts=3)
    assert [p.gives_up(n) for n in (1, 2, 3)] == [False, False, True]


def test_nonsense_policy_is_refused() -> None:
    """Zero tries or a cap below the base is a configuration error naming the setting."""
    with pytest.raises(DeliveryConfigError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(DeliveryConfigError, match="base/cap"):
        RetryPolicy(base=10, cap=5)
