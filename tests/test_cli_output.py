"""The command line as people read it: the demo's key, errors that list valid values, numbers fit to read.

Every test runs the real ``orgnet`` app (Typer's runner) on a real SQLite store of the analysed samples.
"""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from orgnet.access import authenticate
from orgnet.cli import app
from orgnet.store.sqlite import SQLiteStore

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_the_demo_revokes_its_previous_key_and_says_so(analysed_path, tmp_path):
    db = tmp_path / "demo.db"
    shutil.copy(analysed_path, db)
    first = invoke("demo", "--store", str(db), "--no-serve", "--json")
    assert first.exit_code == 0, first.output
    first = json.loads(first.output)
    assert first["revoked_keys"] == []
    again = invoke("demo", "--store", str(db), "--no-serve")
    assert again.exit_code == 0, again.output
    assert f"the previous demo key {first['key_id']} is revoked" in again.output
    with SQLiteStore(db) as store:
        live = [k for k in store.api_keys() if k.revoked_at is None and k.name == "orgnet demo"]
        assert len(live) == 1 and live[0].key_id != first["key_id"]
        assert authenticate(store, first["key"]) is None
