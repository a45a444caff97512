"""API keys, roles, suppression and the internal-reach rule as library functions, and the `orgnet keys` commands."""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest
from typer.testing import CliRunner

from orgnet.access import (
    REACH_ROUNDING,
    ROLE_PERMISSIONS,
    allowed,
    authenticate,
    create_key,
    hash_key,
    internal_reach_refusal,
    revoke_key,
    rounded_counts,
    suppress_groups,
    suppress_pairs,
    suppressed_communities,
    suppressed_groups,
)
from orgnet.cli import app
from orgnet.errors import OrgnetError


def test_keys_are_stored_only_as_hashes(store):
    key_id, plaintext = create_key(store, "analyst", "ana")
    [stored] = store.api_keys()
    assert stored.key_id == key_id and stored.key_hash == hash_key(plaintext) and plaintext not in repr(stored)
    principal = authenticate(store, plaintext)
    assert principal is not None and principal.role == "analyst" and principal.name == "ana"
    assert authenticate(store, plaintext + "x") is None and authenticate(store, None) is None


def test_revoked_keys_stop_working(store):
    key_id, plaintext = create_key(store, "viewer")
    revoke_key(store, key_id)
    assert authenticate(store, plaintext) is None
    with pytest.raises(OrgnetError, match="no live API key"):
        revoke_key(store, key_id)


def test_unknown_role_is_refused(store):
    with pytest.raises(OrgnetError, match="unknown role"):
        create_key(store, "root")


def test_role_matrix():
    assert ROLE_PERMISSIONS["admin"] >= {"people", "groups", "advocates", "admin", "summary"}
    assert allowed("analyst", "people") and not allowed("analyst", "admin")
    assert allowed("comms", "advocates") and not allowed("comms", "groups") and not allowed("comms", "people")
    assert allowed("viewer", "groups") and not allowed("viewer", "people") and not allowed("viewer", "advocates")


def test_suppressed_groups_are_marked_and_blanked_never_dropped():
    rows = [{"group": "Big", "size": 5, "ei": -0.2}, {"group": "Small", "size": 4, "ei": 0.5}]
    assert suppress_groups(rows, {"Small"}) == [
        {"group": "Big", "size": 5, "ei": -0.2, "suppressed": False},
        {"group": "Small", "size": None, "ei": None, "suppressed": True},
    ]
    assert rows[1]["ei"] == 0.5, "the records given are left as they were"


@pytest.mark.parametrize(
    "sizes,min_size,hidden",
    [
        # Nothing small: nothing hidden.
        ({"A": 5, "B": 40}, 5, set()),
        # One 3-person group: the smallest other (12, before 40 and 50) goes with it.
        ({"Board": 3, "Ops": 40, "Legal": 12, "Sales": 50}, 5, {"Board", "Legal"}),
        # Ties in size are broken by name.
        ({"Board": 3, "Y": 12, "X": 12}, 5, {"Board", "X"}),
        # Two small groups of 2 are 4 people together, under 5: a third joins.
        ({"P": 2, "Q": 2, "R": 30, "S": 31}, 5, {"P", "Q", "R"}),
        # Two small groups already make at least 5 people together: no complement.
        ({"P": 3, "Q": 4, "R": 30}, 5, {"P", "Q"}),
        # An unknown size counts as small and as no members.
        ({"U": None, "R": 30, "S": 31}, 5, {"U", "R"}),
        # When only the small group and one other exist, both go.
        ({"Board": 3, "Ops": 40}, 5, {"Board", "Ops"}),
    ],
)
def test_complementary_suppression(sizes, min_size, hidden):
    assert suppressed_groups(sizes, min_size) == hidden


def test_groups_forced_out_get_a_complement_too():
    assert suppressed_groups({"A": 30, "B": 40, "C": 50}, 5, also={"B"}) == {"A", "B"}
    assert suppressed_groups({"A": 30}, 5, also={"elsewhere"}) == set()


def test_no_difference_isolates_a_suppressed_group():
    """Whatever the sizes, the suppressed groups are none, or at least two with at least the minimum together."""
    rng = random.Random(1)
    for _ in range(500):
        sizes = {f"g{i}": rng.randint(1, 30) for i in range(rng.randint(1, 8))}
        min_size = rng.randint(1, 25)
        hidden = suppressed_groups(sizes, min_size)
        assert {g for g, n in sizes.items() if n < min_size} <= hidden
        assert not hidden or hidden == set(sizes) or (len(hidden) >= 2 and sum(sizes[g] for g in hidden) >= min_size)


def test_communities_with_members_of_a_suppressed_group_are_suppressed():
    # Community 0: 30 Sales; 1: 40 Sales and 1 Board member; 2: 25 Ops; 3: 3 Ops.
    composition = pd.DataFrame({"Board": [0, 1, 0, 0], "Ops": [0, 0, 25, 3], "Sales": [30, 40, 0, 0]})
    assert suppressed_communities(composition, set(), 5) == {2, 3}, "3 alone is small; 2 is the smallest other"
    # With Board suppressed, 1 goes too, and 1 and 3 together are 44 people: no other complement is needed.
    assert suppressed_communities(composition, {"Board", "Legal"}, 5) == {1, 3}
    # At 30, 2 and 3 are small and 1 holds a Board member; 0 (30 people) stays.
    assert suppressed_communities(composition, {"Board"}, 30) == {1, 2, 3}


def test_internal_reach_needs_enough_seeds_without_person_level_access():
    assert internal_reach_refusal("analyst", 1, 5) is None and internal_reach_refusal("admin", 1, 5) is None
    assert internal_reach_refusal("comms", 5, 5) is None
    refusal = internal_reach_refusal("comms", 4, 5)
    assert refusal is not None and "at least 5 people" in refusal and "not 4" in refusal


def test_reach_counts_are_rounded_to_tens():
    assert REACH_ROUNDING == 10
    assert rounded_counts([0, 4, 5, 14.9, 15, 96, 104]) == [0, 0, 10, 10, 20, 100, 100]
    assert rounded_counts([7], base=5) == [5]


def test_pairs_with_a_small_group_are_marked_and_blanked_never_dropped():
    rows = [
        {"group_a": "Big", "group_b": "Other", "ties": 12, "silo": False},
        {"group_a": "Big", "group_b": "Small", "ties": 3, "silo": True},
        {"group_a": "Small", "group_b": "Big", "ties": 1, "silo": True},
    ]
    assert suppress_pairs(rows, {"Small"}) == [
        {"group_a": "Big", "group_b": "Other", "ties": 12, "silo": False, "suppressed": False},
        {"group_a": "Big", "group_b": "Small", "ties": None, "silo": None, "suppressed": True},
        {"group_a": "Small", "group_b": "Big", "ties": None, "silo": None, "suppressed": True},
    ]
    assert rows[1]["ties"] == 3, "the records given are left as they were"


def test_keys_commands(tmp_path):
    runner = CliRunner()
    location = str(tmp_path / "orgnet.db")
    created = runner.invoke(app, ["keys", "create", "--role", "comms", "--name", "press", "--store", location, "--json"])
    assert created.exit_code == 0, created.output
    key = json.loads(created.output)
    listed = json.loads(runner.invoke(app, ["keys", "list", "--store", location, "--json"]).output)
    assert [(k["key_id"], k["role"], k["revoked_at"]) for k in listed] == [(key["key_id"], "comms", None)]
    assert key["key"] not in json.dumps(listed)
    assert runner.invoke(app, ["keys", "revoke", key["key_id"], "--store", location]).exit_code == 0
    # The table shows the revocation, to the second, and never the key.
    table = runner.invoke(app, ["keys", "list", "--store", location], terminal_width=200)
    [row] = [line for line in table.output.splitlines() if key["key_id"] in line]
    revoked = json.loads(runner.invoke(app, ["keys", "list", "--store", location, "--json"]).output)[0]["revoked_at"]
    assert "comms" in row and "press" in row and revoked[:19] in row and key["key"] not in table.output
    again = runner.invoke(app, ["keys", "revoke", key["key_id"], "--store", location])
    assert again.exit_code == 1 and "no live API key" in again.output
    bad = runner.invoke(app, ["keys", "create", "--role", "root", "--store", location])
    assert bad.exit_code == 1 and "unknown role" in bad.output
