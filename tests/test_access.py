"""API keys, roles and suppression as library functions, and the `orgnet keys` commands."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from orgnet.access import ROLE_PERMISSIONS, allowed, authenticate, create_key, hash_key, revoke_key, suppress_groups, suppress_pairs
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


def test_small_groups_are_marked_and_blanked_never_dropped():
    rows = [{"group": "Big", "size": 5, "ei": -0.2}, {"group": "Small", "size": 4, "ei": 0.5}]
    assert suppress_groups(rows, 5) == [
        {"group": "Big", "size": 5, "ei": -0.2, "suppressed": False},
        {"group": "Small", "size": None, "ei": None, "suppressed": True},
    ]


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
    again = runner.invoke(app, ["keys", "revoke", key["key_id"], "--store", location])
    assert again.exit_code == 1 and "no live API key" in again.output
    bad = runner.invoke(app, ["keys", "create", "--role", "root", "--store", location])
    assert bad.exit_code == 1 and "unknown role" in bad.output
