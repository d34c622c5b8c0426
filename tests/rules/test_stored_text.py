"""The stored text of a finding's ``notify`` and ``explain`` (``rules.repository._encoded``):
the quick composition of a report group's usual shapes is, byte for byte, ``json.dumps`` of
the plain value, whatever the strings hold; other shapes take ``json.dumps`` itself."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.repository import _encoded, _plain

_texts = st.text(alphabet=st.characters(), max_size=40)


@settings(max_examples=400, deadline=None)
@given(notify=st.lists(_texts, max_size=6), explain=st.lists(st.tuples(_texts, _texts), max_size=6))
def test_notify_and_explain_are_stored_as_json_dumps_writes_them(notify: list[str],
                                                                  explain: list[tuple[str, str]]) -> None:
    for value in (tuple(notify), tuple(explain)):
        assert _encoded(value) == json.dumps(_plain(value), ensure_ascii=False)
        assert json.loads(_encoded(value)) == json.loads(json.dumps(_plain(value)))


def test_other_shapes_take_the_long_way_to_the_same_text() -> None:
    for value in ((("解释", 3),), (("a", "b", "c"),), ("单位", 1), (dt.date(2026, 5, 6),), [["a", "b"]], ()):
        assert _encoded(value) == json.dumps(_plain(value), ensure_ascii=False), value
