"""Advocates, reach, internal reach and campaigns through the real app on the analysed samples; the caches and the audit buffer."""

from __future__ import annotations

import itertools
import time

import pytest
from api_fixtures import log_in, make_app, role_keys, samples_store  # noqa: F401
from fastapi.testclient import TestClient

from orgnet.access import create_key, revoke_key
from orgnet.api.models import REACH_MAX_HOPS, REACH_MAX_RUNS, REACH_MIN_RUNS
from orgnet.store.sqlite import SQLiteStore

pytestmark = pytest.mark.xdist_group("api")

#: (method, path, body, roles answered 200; the others 403)
ENDPOINTS = [
    ("GET", "/api/v1/advocates?top=5", None, {"admin", "analyst", "comms"}),
    ("GET", "/api/v1/advocates?department=Sales&limit=3&offset=1", None, {"admin", "analyst", "comms"}),
    ("GET", "/api/v1/reach", None, {"admin", "analyst", "comms", "viewer"}),
    # Comms asks internal reach from at least the minimum group size (5) of people (see tests/test_privacy.py).
    (
        "GET",
        "/api/v1/reach/internal?people=E0093&people=E0111&people=E0120&people=E0130&people=E0140&hops=2",
        None,
        {"admin", "analyst", "comms"},
    ),
    (
        "POST",
        "/api/v1/reach/internal",
        {"people": ["E0093", "E0111", "E0120", "E0130", "E0140"], "hops": 1, "runs": 50},
        {"admin", "analyst", "comms"},
    ),
    ("GET", "/api/v1/campaigns", None, {"admin", "analyst", "comms"}),
    ("PAGE", "/advocates", None, {"admin", "analyst", "comms"}),
]


@pytest.fixture(scope="module")
def client(samples_store):  # noqa: F811
    with TestClient(make_app(samples_store)) as test_client:
        yield test_client


def _call(client, method, path, body, key):
    if method == "PAGE":
        client.cookies.clear()
        log_in(client, key)
        answer = client.get(path)
        client.cookies.clear()
        return answer
    return client.request(method, path, json=body, headers={"X-API-Key": key})


@pytest.mark.parametrize("role", ["admin", "analyst", "comms", "viewer"])
@pytest.mark.parametrize("method,path,body,roles", ENDPOINTS)
def test_role_matrix(client, role_keys, role, method, path, body, roles):  # noqa: F811
    answer = _call(client, method, path, body, role_keys[role])
    assert answer.status_code == (200 if role in roles else 403), answer.text


@pytest.mark.parametrize("method,path,body,_", [e for e in ENDPOINTS if e[0] != "PAGE"])
def test_no_key_is_401(client, method, path, body, _):
    assert client.request(method, path, json=body).status_code == 401


def test_top_advocates_are_the_planted_ones(client, role_keys, truths):  # noqa: F811
    comms = {"X-API-Key": role_keys["comms"]}
    top = client.get("/api/v1/advocates?top=5", headers=comms).json()
    assert top["snapshot"] == "2026-10" and top["total"] == 5
    assert {row["person_id"] for row in top["items"]} == set(truths["advocates"])
    first = top["items"][0]
    assert first["rank"] == 1 and abs(first["influence"] + first["engagement"] + first["reach"] + first["bridging"] - first["score"]) < 1e-9
    assert "unique followers" in first["explain"]
    ranks = [row["rank"] for row in client.get("/api/v1/advocates?limit=1000", headers=comms).json()["items"]]
    assert ranks == sorted(ranks) and len(ranks) == 300


def test_advocate_filters_and_pages(client, role_keys):  # noqa: F811
    comms = {"X-API-Key": role_keys["comms"]}
    sales = client.get("/api/v1/advocates?department=Sales&limit=1000", headers=comms).json()
    assert sales["total"] > 5 and all(row["department"] == "Sales" for row in sales["items"])
    page = client.get("/api/v1/advocates?department=Sales&top=5&offset=2&limit=2", headers=comms).json()
    assert page["total"] == 5 and [r["person_id"] for r in page["items"]] == [r["person_id"] for r in sales["items"][2:4]]
    earlier = client.get("/api/v1/advocates?period=2026-08&top=3", headers=comms).json()
    assert earlier["snapshot"] == "2026-08" and len(earlier["items"]) == 3
    nowhere = client.get("/api/v1/advocates?department=Nowhere", headers=comms)
    assert nowhere.status_code == 422 and "the departments are Design" in nowhere.json()["detail"][0]["msg"]
    assert client.get("/api/v1/advocates?top=0", headers=comms).status_code == 422
    assert client.get("/api/v1/advocates?period=2026-01", headers=comms).status_code == 404


def test_reach_hides_the_squad_from_viewers(client, role_keys):  # noqa: F811
    comms = client.get("/api/v1/reach", headers={"X-API-Key": role_keys["comms"]}).json()
    viewer = client.get("/api/v1/reach", headers={"X-API-Key": role_keys["viewer"]}).json()
    assert comms["people_shown"] and comms["squad"]["members"][:1] == [comms["squad"]["curve"][0]["person_id"]] and comms["overlap"]
    assert not viewer["people_shown"] and viewer["squad"]["members"] is None and viewer["overlap"] is None
    assert all(point["person_id"] is None for point in viewer["squad"]["curve"])
    assert [p["unique_reach"] for p in viewer["squad"]["curve"]] == [p["unique_reach"] for p in comms["squad"]["curve"]]
    every = {row["platform"]: row for row in viewer["platforms"]}["all"]
    assert every["overlap"] == every["follower_sum_with_ids"] - every["unique_followers"] > 0
    brand = {row["platform"]: row for row in viewer["brand"]}["all"]
    assert brand["union"] == brand["employees_unique"] + brand["brand_unique"] - brand["overlap"]
    curve = comms["squad"]["curve"]
    assert (
        all(a["unique_reach"] <= b["unique_reach"] for a, b in itertools.pairwise(curve))
        and curve[-1]["unique_reach"] <= curve[-1]["follower_sum"]
    )


def test_internal_reach_get_and_post_agree_and_are_seeded(client, role_keys):  # noqa: F811
    analyst = {"X-API-Key": role_keys["analyst"]}
    got = client.get("/api/v1/reach/internal?people=E0111&people=E0093&people=E0093&hops=2&runs=100&seed=3", headers=analyst).json()
    posted = client.post(
        "/api/v1/reach/internal", json={"people": ["E0093", "E0111"], "hops": 2, "runs": 100, "seed": 3}, headers=analyst
    ).json()
    assert got == posted and got["people"] == ["E0093", "E0111"]
    hops = got["per_hop"]
    assert [h["hop"] for h in hops] == [0, 1, 2] and hops[0]["reached"] == 2 and got["reached"] == hops[-1]["reached"] <= 300
    spread = got["spread"]
    assert spread["runs"] == 100 and 2 <= spread["ci_low"] <= spread["mean"] <= spread["ci_high"] <= 300
    certain = client.post(
        "/api/v1/reach/internal", json={"people": ["E0093"], "hops": 4, "probability": 1.0, "runs": 10}, headers=analyst
    ).json()
    assert certain["spread"]["stderr"] == 0 and certain["spread"]["mean"] >= certain["reached"]


def test_internal_reach_refuses_unknown_people_and_unbounded_queries(client, role_keys):  # noqa: F811
    admin = {"X-API-Key": role_keys["admin"]}
    missing = client.get("/api/v1/reach/internal?people=E0093&people=NOBODY", headers=admin)
    assert missing.status_code == 404 and "NOBODY" in missing.json()["detail"]
    assert client.get("/api/v1/reach/internal?people=E0093&hops=9", headers=admin).status_code == 422
    assert client.get("/api/v1/reach/internal?people=E0093&runs=100000", headers=admin).status_code == 422
    assert client.post("/api/v1/reach/internal", json={"people": []}, headers=admin).status_code == 422
    assert client.post("/api/v1/reach/internal", json={"people": ["E0093"], "extra": 1}, headers=admin).status_code == 422
    assert client.get("/api/v1/reach/internal", headers=admin).status_code == 422


def test_internal_reach_get_and_post_share_their_bounds(client, role_keys):  # noqa: F811
    admin = {"X-API-Key": role_keys["admin"]}
    limits = {"hops": (REACH_MAX_HOPS, REACH_MAX_HOPS + 1), "runs": (REACH_MAX_RUNS, REACH_MAX_RUNS + 1)}
    for name, (largest, beyond) in limits.items():
        for value, status in ((largest, 200), (beyond, 422)):
            query = client.get(f"/api/v1/reach/internal?people=E0093&{name}={value}", headers=admin)
            body = client.post("/api/v1/reach/internal", json={"people": ["E0093"], name: value}, headers=admin)
            assert (query.status_code, body.status_code) == (status, status), (name, value)
    for value in (REACH_MIN_RUNS - 1, 0):
        assert client.get(f"/api/v1/reach/internal?people=E0093&runs={value}", headers=admin).status_code == 422
        assert client.post("/api/v1/reach/internal", json={"people": ["E0093"], "runs": value}, headers=admin).status_code == 422
    # The documented bounds of the query parameters are the body's.
    schema = client.get("/openapi.json").json()
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/reach/internal"]["get"]["parameters"]}
    fields = schema["components"]["schemas"]["InternalReachQuery"]["properties"]
    for name in ("hops", "runs", "seed"):
        assert (parameters[name].get("minimum"), parameters[name]["maximum"]) == (fields[name].get("minimum"), fields[name]["maximum"])


def test_campaigns_widest_reach_first(client, role_keys):  # noqa: F811
    campaigns = client.get("/api/v1/campaigns", headers={"X-API-Key": role_keys["comms"]}).json()
    reach = [row["unique_reach"] for row in campaigns["items"]]
    assert campaigns["total"] >= 3 and reach == sorted(reach, reverse=True)
    assert all(row["unique_reach"] <= row["follower_sum"] for row in campaigns["items"])


def test_person_level_reads_are_audited(client, role_keys):  # noqa: F811
    comms, viewer = {"X-API-Key": role_keys["comms"]}, {"X-API-Key": role_keys["viewer"]}
    client.get("/api/v1/advocates?department=Legal&top=3", headers=comms)
    client.get("/api/v1/reach/internal?people=E0208&people=E0209&people=E0210&people=E0211&people=E0212&hops=1&runs=10", headers=comms)
    client.get("/api/v1/reach?period=2026-09", headers=viewer)
    log = client.get("/api/v1/audit?limit=50", headers={"X-API-Key": role_keys["admin"]}).json()["items"]
    actions = {(e["role"], e["action"], e["target"]) for e in log}
    assert ("comms", "advocates", "2026-10 department=Legal top=3 offset=0 limit=3") in actions
    assert ("comms", "reach.internal", "2026-10 people=E0208,E0209,E0210,E0211,E0212 hops=1") in actions
    assert not any(e["role"] == "viewer" and e["action"] == "reach" for e in log)


def test_advocates_page_and_unanalysed_pages(client, role_keys, truths):  # noqa: F811
    client.cookies.clear()
    log_in(client, role_keys["comms"])
    page = client.get("/advocates?top=10")
    assert page.status_code == 200 and 'id="plot-reach"' in page.text and all(p in page.text for p in truths["advocates"])
    assert 'href="/advocates"' in client.get("/").text
    missing = client.get("/advocates?period=2026-05..2026-10")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "orgnet analyze --from 2026-05 --to 2026-10" in missing.text
    # A period without ties is not cured by analysing it: the page says which periods the store holds.
    empty = client.get("/advocates?period=2026-01")
    assert empty.status_code == 404 and "the store holds no ties in 2026-01" in empty.text
    client.cookies.clear()
    log_in(client, role_keys["viewer"])
    forbidden = client.get("/advocates")
    assert forbidden.status_code == 403 and forbidden.headers["content-type"].startswith("text/html")
    assert 'href="/advocates"' not in client.get("/").text
    assert client.get("/silos?period=2026-01").status_code == 404
    client.cookies.clear()


def test_a_revoked_key_stops_within_the_key_ttl(samples_store):  # noqa: F811
    with SQLiteStore(samples_store) as store:
        key_id, key = create_key(store, "comms")
    with TestClient(make_app(samples_store, key_ttl=0.2)) as client:
        headers = {"X-API-Key": key}
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        with SQLiteStore(samples_store) as store:
            revoke_key(store, key_id)  # outside the service, as `orgnet keys revoke` does
        time.sleep(0.3)
        assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_audit_entries_are_written_on_shutdown(samples_store, role_keys):  # noqa: F811
    with TestClient(make_app(samples_store, audit_interval=60)) as client:
        assert client.get("/api/v1/advocates?top=1&offset=7", headers={"X-API-Key": role_keys["analyst"]}).status_code == 200
        with SQLiteStore(samples_store) as store:
            assert not any(e.target.endswith("top=1 offset=7 limit=1") for e in store.audit_log(limit=50))
    with SQLiteStore(samples_store) as store:
        assert any(e.action == "advocates" and e.target.endswith("top=1 offset=7 limit=1") for e in store.audit_log(limit=50))


def test_a_new_analysis_shows_without_a_restart(tmp_path, samples_store, role_keys):  # noqa: F811
    import shutil

    import pyarrow as pa

    from orgnet.jobs import ADVOCATES, AdvocatesResult
    from orgnet.results import get, put

    copy = tmp_path / "copy.db"
    shutil.copy(samples_store, copy)
    with TestClient(make_app(copy, result_ttl=0.1)) as client:
        headers = {"X-API-Key": role_keys["comms"]}
        before = client.get("/api/v1/advocates?top=1", headers=headers).json()["items"][0]
        assert before["person_id"] != "E9999"
        with SQLiteStore(copy) as store:
            time.sleep(1.1)  # created_at has a resolution of one second
            stored = get(store, ADVOCATES, "2026-10").table
            first = stored.slice(0, 1).to_pylist()[0] | {"person_id": "E9999", "rank": 0, "explain": "replanted."}
            put(store, ADVOCATES, "2026-10", AdvocatesResult(pa.Table.from_pylist([first], schema=stored.schema)))
        time.sleep(0.2)
        after = client.get("/api/v1/advocates?top=1", headers=headers).json()["items"][0]
        assert after["person_id"] == "E9999"


def test_a_smaller_squad_is_read_from_the_stored_curve(client, samples_store, role_keys):  # noqa: F811
    from orgnet.reach import external_reach

    comms = {"X-API-Key": role_keys["comms"]}
    whole = client.get("/api/v1/reach?period=2026-10", headers=comms).json()["squad"]
    three = client.get("/api/v1/reach?period=2026-10&squad=3", headers=comms).json()["squad"]
    assert three["size"] == 3 and three["members"] == whole["members"][:3] and three["curve"] == whole["curve"][:3]
    # Its external reach is what the definition gives for those three people's accounts, counted from the store.
    with SQLiteStore(samples_store) as store:
        truth = external_reach(store.audiences(), store.followers(), owners=three["members"])
    reach = three["reach"]
    assert reach["known"] == truth.known == three["curve"][2]["unique_reach_ids"]
    assert reach["count_only_high"] == truth.count_only_high and reach["count_only_low"] <= truth.count_only_low
    assert reach["follower_sum"] == truth.follower_sum and reach["accounts"] is None
    assert three["upper_bound"] is None and three["guarantee"].startswith("Greedy squad of 3: ")
    # The whole stored squad is the default; beyond the stored curve is a 422 that says how far it goes.
    assert client.get(f"/api/v1/reach?period=2026-10&squad={whole['size']}", headers=comms).json()["squad"] == whole
    beyond = client.get(f"/api/v1/reach?period=2026-10&squad={whole['size'] + 1}", headers=comms)
    assert beyond.status_code == 422 and f"goes to {whole['size']} people" in beyond.json()["detail"][0]["msg"]
    assert client.get("/api/v1/reach?squad=0", headers=comms).status_code == 422
    # The CLI gives the same figures and the same guarantee for that squad.
    import json

    from typer.testing import CliRunner

    from orgnet.cli import app

    cli = json.loads(
        CliRunner().invoke(app, ["reach", "--store", str(samples_store), "--period", "2026-10", "--squad", "3", "--json"]).output
    )
    assert cli["squad_reach"] == reach and cli["guarantee"] == three["guarantee"]
