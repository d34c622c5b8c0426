"""Subject strings parse one way, whoever reads them; the collector pause restores its state."""

from __future__ import annotations

import gc

import pytest

from projects.memory import collector_paused
from projects.subjects import Subject, parse_subject, subject_project


@pytest.mark.parametrize(("text", "kind", "key", "project", "milestone"), [
    ("milestone:P001/tender", "milestone", "P001/tender", "P001", "tender"),
    ("project:P001", "project", "P001", "P001", None),
    ("unit:transport", "unit", "transport", None, None),
    ("notice:N-2026-0001", "notice", "N-2026-0001", None, None),
    ("person:wang", "person", "wang", None, None),
    ("milestone:/tender", "milestone", "/tender", None, "tender"),
    ("project:", "project", "", None, None),
    ("P001", "", "P001", None, None),
    (None, "", "", None, None),
])
def test_a_subject_parses_into_kind_key_project_and_milestone(
        text: str | None, kind: str, key: str, project: str | None, milestone: str | None) -> None:
    """Each shape of subject gives its kind, key, project and milestone; odd ones give ``None``."""
    s = parse_subject(text)
    assert s == Subject(kind, key)
    assert (s.project, s.milestone, subject_project(text)) == (project, milestone, project)


def test_the_collector_pause_restores_what_it_found_even_on_error() -> None:
    """Off inside, back on after (also after an exception); left off if it was off."""
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
