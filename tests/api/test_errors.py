"""The one error root: every error a package defines descends from ``DubanError`` and is drawn
in its tree, HTTP is chosen by class in one table, and a refusal is serialised one way."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import projects.errors
from api import errors
from api.values import InputError
from dsl import RulebookError, check_rulebook
from notifier.errors import NoticeInputError, NoticeStateError
from projects.errors import DubanError, PortfolioError, Problem, StaleVersionError
from rules.errors import RulebookNotFoundError, RulesError, TraceError

PACKAGES = ("dsl", "projects", "rules", "notifier", "dashboards", "api")
#: Exceptions that are not refusals: a page redirect to the login form, a 403 page, and a rule
#: running out of time inside the engine (caught there and reported as a finding error).
NOT_REFUSALS = {"LoginRedirectError", "PageForbiddenError", "_OverTime"}


def _defined_exceptions() -> list[type[BaseException]]:
    found = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if ".piccolo_migrations" in info.name or info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if (issubclass(cls, BaseException) and not issubclass(cls, Warning)
                        and cls.__module__ == module.__name__):
                    found.append(cls)
    return found


def test_every_error_a_package_defines_descends_from_duban_error_and_is_drawn() -> None:
    """An exception class defined in any package is a ``DubanError`` and named in the tree."""
    tree = projects.errors.__doc__ or ""
    classes = [c for c in _defined_exceptions() if c.__name__ not in NOT_REFUSALS]
    assert len(classes) >= 25
    strays = [f"{c.__module__}.{c.__name__}" for c in classes if not issubclass(c, DubanError)]
    assert not strays, f"not under DubanError: {strays}"
    undrawn = [c.__name__ for c in classes if f" {c.__name__} " not in tree]
    assert not undrawn, f"missing from the tree in projects/errors.py: {undrawn}"


def test_a_class_answers_with_its_nearest_ancestor_in_the_table() -> None:
    """A subclass the table does not list takes its ancestor's status; the root is a 422."""

    class LateNoticeInput(NoticeInputError):
        pass

    class OtherRulesError(RulesError):
        pass

    assert errors.status_of(LateNoticeInput) == (422, "invalid_input")
    assert errors.status_of(OtherRulesError) == (422, "invalid_input")
    assert errors.status_of(RulebookNotFoundError) == (404, "not_found")
    assert errors.status_of(NoticeStateError) == (409, "conflict")
    assert errors.status_of(TraceError) == (422, "invalid_input")


def test_a_refusal_serialises_its_place_suggestions_current_and_details() -> None:
    """The body carries ``where``, ``suggestions``, ``current`` and the error's own details."""
    state = errors.serialise(NoticeStateError("N-1", "accepted", "respond", ("rectify",)))
    assert state["status"] == 409 and state["current"] == "accepted"
    assert state["suggestions"] == ["rectify"] and state["allowed"] == ["rectify"]
    bad = errors.serialise(InputError("milestones[0].due", "a date such as 2026-05-06"))
    assert (bad["status"], bad["where"], bad["suggestions"]) == (422, "milestones[0].due", [])
    stale = errors.serialise(StaleVersionError("project", "P001", 1, 3))
    assert (stale["expected_version"], stale["current_version"]) == (1, 3) and "current" not in stale
    zh, _, en = stale["message"].partition(" — ")  # Chinese first, English the alternative
    assert zh == "项目「P001」在您读取后已被他人修改：您依据的是第 1 版，当前是第 3 版；请重新读取，在当前值上重做修改后以第 3 版提交"
    assert en == ("project 'P001' changed since you read it: you sent version 1, the current version is 3; "
                  "reload it, re-apply your change and send version 3")
    portfolio = errors.serialise(PortfolioError([Problem("units[1].parent", "no unit \"cty\"")]))
    assert portfolio["problems"] == [{"where": "units[1].parent", "message": "no unit \"cty\""}]
    assert portfolio["message"] == "the portfolio has 1 problem; nothing was changed"


def test_a_rulebook_error_carries_its_diagnostics_in_the_one_serialised_form() -> None:
    """Each diagnostic serialises by ``Diagnostic.as_json``, with the first place as ``where``."""
    found = check_rulebook({"x.rules": 'rule x "t":\n  for milestone m\n  light red when m.dew < today\n'})
    assert found
    body = errors.serialise(RulebookError(found))
    assert body["diagnostics"] == [d.as_json() for d in found]
    first = body["diagnostics"][0]
    assert body["where"] == f"x.rules:{first['line']}:{first['column']}"
    assert "due" in first["text"] and first["rendered"].endswith("^" * len("dew"))


def test_every_4xx_error_class_is_an_ordinary_refusal_and_misconfiguration_is_not() -> None:
    """Refusals are logged without a traceback; a 500 (a setting that cannot work) keeps it."""
    from api.settings import SettingsError  # noqa: PLC0415

    refusals = errors.refusal_classes()
    assert {InputError, StaleVersionError, RulebookError, NoticeInputError, TraceError} <= refusals
    assert SettingsError not in refusals
