"""``scripts/test PATH`` starts a service only for the paths that need it (its SERVICE_PATHS):
every test of this run that drives Chromium (marked ``browser``) or needs PostgreSQL (marked
``postgres``, or asking for the ``postgres_url`` fixture) lies in a path for which the script
starts that service, and a test file needing neither starts none."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def services_for(*args: str) -> set[str]:
    """The services ``scripts/test ARGS`` would start (its ``--services-for`` answer)."""
    r = subprocess.run([str(ROOT / "scripts" / "test"), "--services-for", *args], cwd=ROOT,
                       capture_output=True, text=True, timeout=60, check=True)
    return set(r.stdout.split())


def needed(item: pytest.Item) -> set[str]:
    """What a collected test needs, from its markers and fixtures."""
    want = set()
    if item.get_closest_marker("browser"):
        want.add("chromium")
    if item.get_closest_marker("postgres") or "postgres_url" in getattr(item, "fixturenames", ()):
        want.add("postgres")
    return want


def test_every_selected_test_gets_the_services_it_needs(request: pytest.FixtureRequest) -> None:
    """Each test file of this session, given alone to scripts/test, starts what its tests need."""
    files: dict[str, set[str]] = {}
    for item in request.session.items:
        files.setdefault(str(item.path.relative_to(ROOT)), set()).update(needed(item))
    missing = {}
    for path, want in sorted(files.items()):
        if want and not want <= (got := services_for(path)):
            missing[path] = sorted(want - got)
    assert not missing, f"scripts/test PATH would not start these services (SERVICE_PATHS): {missing}"


def test_the_paths_name_every_kind_of_test_that_needs_a_service() -> None:
    """The folder rules hold for files not written yet: a *_browser.py gets Chromium, an API
    test PostgreSQL (both backends), and the pure core and a plain page test need neither."""
    assert services_for("tests/api/web/test_browser.py") == {"chromium"}
    assert services_for("tests/api/web/test_complaints_browser.py") == {"chromium"}
    assert services_for("tests/e2e/test_light_pages.py") == {"chromium"}
    assert services_for("tests/api/test_audit.py") == {"postgres"}
    assert services_for("tests/notifier/test_postgres.py") == {"postgres"}
    assert services_for("tests/api/web/test_faces.py") == set()
    assert services_for("tests/dsl") == set()
    assert services_for("tests/dsl", "tests/e2e/test_workers.py::test_sqlite_refuses_more_than_one_process") == {"postgres"}
    assert services_for("-x", "tests/projects", "-k", "loader") == set()
    assert services_for() == {"chromium", "postgres"}  # no path: everything runs
    assert services_for("tests") == {"chromium", "postgres"}
