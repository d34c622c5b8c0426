"""Every route's guards are coroutine functions: Litestar runs a plain function guard in a
worker thread (``litestar.utils.sync.AsyncCallable``), a thread hop per guard per request,
and under load a wait for the interpreter lock in the middle of each one."""

from __future__ import annotations

import inspect
from pathlib import Path

from litestar.utils.sync import AsyncCallable

from api.app import _handlers, create_app
from api.settings import Settings


def test_no_route_runs_a_guard_in_a_thread(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'duban.sqlite'}", secret_key="test-secret",
                              cookie_secure=False, demo=True))
    guarded = 0
    for path, handler in _handlers(app):
        for guard in handler.resolve_guards():
            assert not isinstance(guard, AsyncCallable), (path, getattr(guard, "func", guard))
            assert inspect.iscoroutinefunction(guard), (path, guard)
            guarded += 1
    assert guarded > 60  # every API route but a few public ones is guarded
