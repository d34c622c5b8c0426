"""Work that must not stall the event loop: compiling rules, dry runs, reading and checking
uploaded portfolios, evaluating.

``run(fn, *args)`` runs a pure, CPU-bound callable on one of ``WORKERS`` threads kept for
this (apart from the two argon2 threads of ``api.users``) and awaits its result; while it
runs, the event loop answers reads. At most ``WORKERS`` such jobs run at once; the rest wait
their turn in the pool's queue, so a burst of editor keystrokes cannot take every core.
The callables given here touch no database, no request and no event loop: values in, values
out (the pure core), so a thread is safe for them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from collections.abc import Callable
from typing import Any, TypeVar

WORKERS = 2
T = TypeVar("T")

_pool = concurrent.futures.ThreadPoolExecutor(WORKERS, thread_name_prefix="duban-work")


async def run(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` on a work thread; its exception is raised here unchanged."""
    call = functools.partial(fn, *args, **kwargs) if kwargs else functools.partial(fn, *args)
    return await asyncio.get_running_loop().run_in_executor(_pool, call)
