"""The audit chain: every change appends a linked entry; tampering is found and named."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from api import audit
from api.tables import AuditRow
from tests.api.conftest import Api


async def test_report_appends_an_entry_with_before_and_after(api: Api) -> None:
    """A milestone report is audited with who, the old and the new state."""
    r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                               json={"version": 1, "progress": 0.5})
    assert r.status_code == 200
    page = (await api.client.get("/api/audit", headers=api.auth("leader"))).json()
    entry = page["items"][0]
    assert entry["actor"] == "owner" and entry["action"] == "milestone.report"
    assert entry["before"]["progress"] is None and entry["after"]["progress"] == 0.5
    assert entry["after"]["version"] == 2


async def test_refused_change_leaves_no_entry(api: Api) -> None:
    """A stale report writes no audit entry."""
    await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                           json={"version": 1, "progress": 0.5})
    before = (await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"]
    r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                               json={"version": 1, "progress": 0.7})
    assert r.status_code == 409
    assert (await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"] == before


async def test_verify_names_the_first_altered_entry(api: Api) -> None:
    """Editing an entry's content in the database breaks the chain at exactly that entry."""
    for v, p in ((1, 0.2), (2, 0.4), (3, 0.6)):
        r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                                   json={"version": v, "progress": p})
        assert r.status_code == 200
    ok = await audit.verify()
    assert ok.ok and ok.entries == 3
    await AuditRow.update({AuditRow.after: '{"progress":0.99}'}).where(AuditRow.seq == 2)
    bad = (await api.client.get("/api/audit/verify", headers=api.auth("office"))).json()
    assert bad["ok"] is False and bad["first_bad"] == 2 and "entry 2" in bad["message"]


# ------------------------------------------------------------------ the group's hash (pure)

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text()
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(before=_values, after=_values, actor=st.text(), subject=st.text(), seq=st.integers(1, 10**9))
def test_a_group_s_hash_from_the_stored_texts_is_the_chain_s_hash(before: object, after: object, actor: str,
                                                                   subject: str, seq: int) -> None:
    """``append_many`` hashes an entry from the canonical texts it stores; that is, byte for
    byte, the hash ``verify`` recomputes from the entry read back (any text, float or
    nesting with string keys: the only kind ``append_many`` hashes this way)."""
    key = b"k" * 32
    at, prev = "2026-05-06T08:00:00.000001+00:00", "ab" * 32
    before_j, after_j = audit.canonical(before), audit.canonical(after)
    read_back = audit.AuditEntry(seq, at, actor, "milestone.report", subject, json.loads(before_j),
                                 json.loads(after_j), prev, "")
    assert audit._str_keyed(before) and audit._str_keyed(after)
    assert audit._hash_of_texts(key, seq, at, actor, "milestone.report", subject, before_j, after_j, prev) \
        == audit.entry_hash(audit._body(read_back), key)


def test_a_key_that_is_no_string_is_hashed_the_long_way() -> None:
    """{2: .., 10: ..} sorts 2, 10 as numbers but "10", "2" once read back: such a value is
    not hashed from its text (``_str_keyed`` says so), and the slow way agrees with verify."""
    assert not audit._str_keyed({"a": [{2: "x", 10: "y"}]})
    assert audit._str_keyed({"a": [{"2": "x"}], "b": (1, 2.5, None)})
    value = {2: "x", 10: "y"}
    text = audit.canonical(value)
    composed = audit._hash_of_texts(b"k" * 32, 1, "t", "a", "x", "x", "{}", text, audit.GENESIS)
    read_back = audit.AuditEntry(1, "t", "a", "x", "x", {}, json.loads(text), audit.GENESIS, "")
    assert composed != audit.entry_hash(audit._body(read_back), b"k" * 32)
