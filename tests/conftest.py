"""Fixtures shared by every test folder: a PostgreSQL database of this pytest session's own,
and test-cost password hashes (``DUBAN_TEST_CHEAP_HASHES``).

The database is created on first use (only PostgreSQL tests ask for it), on the server of
``DUBAN_TEST_POSTGRES_URL``, and dropped when the session ends, failed or not (see
``tests/pg.py``). Tests empty it between them with ``pg.reset_database``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

# Test-cost argon2 (api.users.cheap_hashes) for the whole session: set before anything imports
# api.users; the server subprocesses the e2e tests start inherit it (loopback only).
os.environ.setdefault("DUBAN_TEST_CHEAP_HASHES", "1")

import pytest

from tests import pg


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of this session's own empty PostgreSQL database (dropped at the end)."""
    try:
        server = pg.server_url()
    except pg.PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    with pg.temporary_database(server) as url:
        yield url
