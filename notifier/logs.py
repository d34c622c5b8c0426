"""The one logging setup of duban's long-running processes: ``duban serve`` (pages, API and
the delivery worker) and the standalone worker ``python -m notifier.worker``.

Libraries that log a line per request or per delivery at INFO (Apprise says "Sent ...
notification" for every message) keep their warnings and errors only; the delivery worker logs
one line per outcome itself (``duban.notifier``). It lives here, below ``api``, so the worker
needs nothing of the web layer."""

from __future__ import annotations

import logging

#: Libraries that log a line per request or per delivery at INFO.
NOISY_LOGGERS = ("apprise", "httpx", "httpcore", "urllib3", "requests", "aiosqlite", "asyncio",
                 "piccolo", "markdown", "multipart")

#: The standalone worker's line: time, logger, message.
FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def quiet_libraries() -> None:
    """Each of ``NOISY_LOGGERS`` logs warnings and errors only."""
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure(level: int = logging.INFO) -> None:
    """A process of its own (the standalone worker): duban's lines at ``level`` on stderr, the
    libraries quietened as in ``duban serve``."""
    logging.basicConfig(level=level, format=FORMAT)
    quiet_libraries()
