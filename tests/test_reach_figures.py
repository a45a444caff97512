"""External reach has one definition, and the CLI, the API, the advocates page and the report show the same figures.

The figures are checked against a count made here with pandas on the store's own audience tables: distinct
(platform, follower id) pairs of employee accounts with ids, and the accounts known only by a count.
"""

from __future__ import annotations

import html
import json
import shutil

import pandas as pd
import pytest
from api_fixtures import log_in, make_app, role_keys, samples_store  # noqa: F401
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from orgnet.api.reports import write_report
from orgnet.cli import app as cli
from orgnet.jobs import REACH
from orgnet.reach import SQUAD_ACCOUNTS, ExternalReach
from orgnet.results import get
from orgnet.store.sqlite import SQLiteStore

pytestmark = pytest.mark.xdist_group("api")

PERIOD = "2026-10"


def counted(audiences: pd.DataFrame, followers: pd.DataFrame, owners: set[str] | None = None) -> tuple[int, float, float]:
    """(distinct followers with ids, count-only lower bound, count-only upper bound) of employee accounts, by hand."""
    mine = followers[followers["owner_type"] == "person"]
    accounts = audiences[audiences["owner_type"] == "person"]
    if owners is not None:
        mine, accounts = mine[mine["owner"].isin(owners)], accounts[accounts["owner"].isin(owners)]
    known = len(mine.drop_duplicates(["platform", "follower_hash"]))
    with_ids = set(zip(mine["owner"], mine["platform"]))
    count_only = accounts[[key not in with_ids for key in zip(accounts["owner"], accounts["platform"])]]
    return known, float(count_only.groupby("platform")["follower_count"].max().sum()), float(count_only["follower_count"].sum())


@pytest.fixture(scope="module")
def stored(samples_store):  # noqa: F811
    with SQLiteStore(samples_store) as store:
        reach = get(store, REACH, PERIOD)
        return reach, store.audiences(), store.followers()


def test_the_stored_figures_are_the_definition(stored):
    reach, audiences, followers = stored
    assert (reach.employees.known, reach.employees.count_only_low, reach.employees.count_only_high) == counted(audiences, followers)
    squad = counted(audiences, followers, set(reach.squad_members))
    assert (reach.squad_reach.known, reach.squad_reach.count_only_low, reach.squad_reach.count_only_high) == squad
    # The samples hold both kinds of account, so the range is a real one, and no squad reaches more than everyone.
    assert 0 < reach.employees.count_only_low < reach.employees.count_only_high
    assert reach.squad_reach.known <= reach.employees.known
    assert reach.squad_reach.count_only_high <= reach.employees.count_only_high
    every = reach.platforms.to_pylist()[-1]
    assert every["platform"] == "all" and every["unique_followers"] == reach.employees.known


def figures(found: dict) -> tuple[float, float, float]:
    return found["known"], found["count_only_low"], found["count_only_high"]


def test_cli_api_page_and_report_agree(stored, samples_store, role_keys, tmp_path):  # noqa: F811
    reach = stored[0]
    employees, squad = reach.employees, reach.squad_reach
    expected = (employees.known, employees.count_only_low, employees.count_only_high)

    answer = CliRunner().invoke(cli, ["reach", "--store", str(samples_store), "--period", PERIOD, "--json"])
    assert answer.exit_code == 0, answer.output
    printed = json.loads(answer.output)
    assert figures(printed["employees"]) == expected
    assert figures(printed["squad_reach"]) == (squad.known, squad.count_only_low, squad.count_only_high)
    text = CliRunner().invoke(cli, ["reach", "--store", str(samples_store), "--period", PERIOD], terminal_width=400).output
    assert employees.sentence() in " ".join(text.split())

    with TestClient(make_app(samples_store)) as client:
        view = client.get(f"/api/v1/reach?period={PERIOD}", headers={"X-API-Key": role_keys["comms"]}).json()
        assert figures(view["employees"]) == expected
        assert figures(view["squad"]["reach"]) == (squad.known, squad.count_only_low, squad.count_only_high)
        assert ExternalReach(**view["employees"]) == employees
        assert log_in(client, role_keys["comms"], next="/advocates").status_code == 303
        page = html.unescape(client.get(f"/advocates?period={PERIOD}").text)
    assert employees.sentence() in page and squad.sentence(SQUAD_ACCOUNTS) in page
    assert f"<b>{squad.known:,.0f}</b>distinct followers of the best {len(reach.squad_members)}" in page
    assert f"<b>{squad.count_only_low:,.0f}–{squad.count_only_high:,.0f}</b>" in page

    copy = tmp_path / "report.db"
    shutil.copy(samples_store, copy)
    with SQLiteStore(copy) as store:
        record = write_report(store, "2026-09", PERIOD, tmp_path / "report")
    written = html.unescape((tmp_path / "report" / "report.html").read_text(encoding="utf-8"))
    assert f"External reach in {PERIOD}: {employees.sentence()}." in written
    assert any(employees.sentence() in sentence for sentence in record["summary"])
