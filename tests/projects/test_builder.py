"""``projects.model.builder``: the loader's positional constructor makes the very value the
dataclass's own ``__init__`` makes, and refuses an order that does not name every field once."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from projects import catalogue
from projects.cadence import parse_cadence
from projects.checks import _MILESTONE
from projects.model import Dependency, Kind, Milestone, Unit, builder

#: A sample value of the i-th catalogued milestone field, by its type: a different one for
#: each field, so that two fields swapped by a positional constructor do not compare equal.
_SAMPLES: dict[str, Callable[[int], object]] = {
    "date": lambda i: dt.date(2026, 4, 1) + dt.timedelta(days=i), "ratio": lambda i: i / 100,
    "yuan": lambda i: 1000.0 * i, "workdays": lambda i: i, "flag": lambda i: True,
    "text": lambda i: f"文字{i}",
}


def _every_field() -> dict[str, object]:
    """A value of every milestone field: those with an identity or a structure given here,
    every other catalogued one a sample of its type (a new field needs no line here)."""
    given: dict[str, object] = {
        "project": "P001", "id": "tender", "name": "施工招标", "kind": Kind.TENDERING, "unit": "transport",
        "after": (Dependency("design", 2, "P000", "SS"),), "person": "li", "co_units": ("water",),
        "report_every": parse_cadence("2 weeks")}
    return {f.name: given[f.name] if f.name in given else _SAMPLES[f.type](i)
            for i, f in enumerate(catalogue.MILESTONE)}


def test_the_positional_constructor_makes_what_the_dataclass_makes() -> None:
    """Every field set, in an order other than the class's: equal, same hash, still frozen."""
    values = _every_field()
    assert set(values) == {f.name for f in dataclasses.fields(Milestone)}
    order = sorted(values)
    made = builder(Milestone, order)(*(values[k] for k in order))
    assert made == Milestone(**values)  # type: ignore[arg-type]
    assert hash(made) == hash(Milestone(**values))  # type: ignore[arg-type]
    assert type(made) is Milestone and made.key == ("P001", "tender")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.name = "x"  # type: ignore[misc]


def test_the_loaders_constructor_covers_every_milestone_field() -> None:
    """The loader's order (``projects.checks._MILESTONE``) names each field once: a field added
    to the model and missed by the loader fails here and at import."""
    values = _every_field()
    names = ("project", "id", "name", "unit", "after", "person", "co_units")
    from projects.validation import MILESTONE_READ  # noqa: PLC0415

    made = _MILESTONE(*(values[k] for k in (*names, *MILESTONE_READ)))
    assert made == Milestone(**values)  # type: ignore[arg-type]


def test_an_order_missing_or_inventing_a_field_is_refused() -> None:
    with pytest.raises(ValueError, match=r"missing \['parent'\]"):
        builder(Unit, ("id", "name", "level", "contacts"))
    with pytest.raises(ValueError, match=r"unknown \['colour'\]"):
        builder(Unit, ("id", "name", "parent", "level", "contacts", "colour"))
    with pytest.raises(ValueError, match="each field once"):
        builder(Unit, ("id", "id", "name", "parent", "level", "contacts"))


def test_the_constructor_makes_a_draft_and_gives_it_the_class() -> None:
    """The loader's constructor stores the fields on a plain class of the same slots and then
    gives the value its class: nothing of the draft is left (type, slots, frozen, pickling)."""
    import pickle  # noqa: PLC0415

    assert _MILESTONE.__globals__["_twin"].__slots__ == Milestone.__slots__
    values = _every_field()
    order = list(values)
    made = builder(Milestone, order)(*values.values())
    assert type(made) is Milestone and not hasattr(made, "__dict__")
    assert pickle.loads(pickle.dumps(made)) == made == Milestone(**values)  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.due = None  # type: ignore[misc]


class _Base:
    __slots__ = ()


@dataclasses.dataclass(frozen=True, slots=True)
class _Derived(_Base):
    a: int
    b: str


def test_a_class_with_a_base_gets_the_slot_setters() -> None:
    """A dataclass with a base class of its own (whose layout a draft need not share): no
    draft, each slot set through its own setter, the same value as its ``__init__`` makes."""
    make = builder(_Derived, ("b", "a"))
    assert "_twin" not in make.__globals__
    assert make("x", 1) == _Derived(1, "x") and type(make("x", 1)) is _Derived
