"""``api.values.Versions``: a snapshot's milestone versions, a base shared between snapshots
under the few changed since; it must read exactly as the plain dict it replaces."""

from __future__ import annotations

import random

from api.values import Versions


def test_versions_read_as_the_dict_they_replace_through_changes_and_folds() -> None:
    rng = random.Random(3)
    keys = [(f"P{p}", f"m{m}") for p in range(300) for m in range(8)]
    plain = dict.fromkeys(keys, 1)
    versions = Versions(plain)
    chain = [versions]
    for _ in range(400):
        batch = [(rng.choice(keys) if rng.random() < 0.95 else (f"N{rng.randrange(50)}", "m0"), rng.randrange(2, 99))
                 for _ in range(rng.randrange(1, 20))]
        versions = versions.changed(batch)
        chain.append(versions)
        plain.update(batch)
        assert len(versions) == len(plain)
    assert dict(versions) == plain and list(versions) == list(plain)
    assert all(versions[k] == v and versions.get(k) == v and k in versions for k, v in plain.items())
    assert versions.get(("nowhere", "m0"), 7) == 7 and ("nowhere", "m0") not in versions
    # every earlier snapshot still reads as it was: none is changed by a later one
    assert dict(chain[0]) == dict.fromkeys(keys, 1)
    # the changes above the base stay few: the base is folded anew as they grow
    assert all(len(v._changed) <= max(64, len(v._base) // 16) for v in chain)
