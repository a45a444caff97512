"""Every endpoint through the real ASGI app on a real store built from the samples: roles, suppression, audit, errors."""

from __future__ import annotations

import pytest
from api_fixtures import log_in, log_out, make_app, role_keys, samples_store  # noqa: F401
from fastapi.testclient import TestClient

from orgnet.access import create_key
from orgnet.store.sqlite import SQLiteStore

pytestmark = pytest.mark.xdist_group("api")

#: (path, permission it needs)
ENDPOINTS = [
    ("/api/v1/me", "summary"),
    ("/api/v1/periods", "summary"),
    ("/api/v1/summary", "summary"),
    ("/api/v1/growth", "summary"),
    ("/api/v1/people?q=carla&limit=5", "people"),
    ("/api/v1/people/E0187", "people"),
    ("/api/v1/brokers?order=brokerage&limit=5", "people"),
    ("/api/v1/silos/fragile-bridges", "people"),
    ("/api/v1/graph?level=person&department=Legal", "people"),
    ("/api/v1/graph?level=person&person=E0187&hops=2", "people"),
    ("/api/v1/silos", "groups"),
    ("/api/v1/silos/matrix", "groups"),
    ("/api/v1/silos/pairs?silo_only=true", "groups"),
    ("/api/v1/communities", "groups"),
    ("/api/v1/graph", "groups"),
    ("/api/v1/graph?level=community&period=2026-08", "groups"),
    ("/api/v1/ingests", "admin"),
    ("/api/v1/audit", "admin"),
    ("/api/v1/keys", "admin"),
]

PERMISSIONS = {
    "admin": {"summary", "groups", "people", "advocates", "admin"},
    "analyst": {"summary", "groups", "people", "advocates"},
    "comms": {"summary", "advocates"},
    "viewer": {"summary", "groups"},
}


@pytest.fixture(scope="module")
def client(samples_store):  # noqa: F811
    with TestClient(make_app(samples_store)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def small_groups_client(samples_store):  # noqa: F811
    """Minimum group size 20: Legal (14 people) and HR (18) are suppressed."""
    with TestClient(make_app(samples_store, min_group_size=20)) as test_client:
        yield test_client


def test_health_needs_no_key(client):
    answer = client.get("/api/v1/health")
    assert answer.status_code == 200 and answer.json()["people"] == 300


@pytest.mark.parametrize("role", ["admin", "analyst", "comms", "viewer"])
@pytest.mark.parametrize("path,permission", ENDPOINTS)
def test_role_matrix(client, role_keys, role, path, permission):  # noqa: F811
    answer = client.get(path, headers={"X-API-Key": role_keys[role]})
    expected = 200 if permission in PERMISSIONS[role] else 403
    assert answer.status_code == expected, answer.text
    if expected == 403:
        assert answer.json()["error"] == "forbidden"


@pytest.mark.parametrize("path,_", ENDPOINTS)
def test_no_key_or_a_wrong_key_is_401(client, path, _):
    for headers in ({}, {"X-API-Key": "orgnet_nope"}, {"Authorization": "Bearer orgnet_nope"}):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"


def test_bearer_token_and_revocation(client, samples_store, role_keys):  # noqa: F811
    with SQLiteStore(samples_store) as store:
        key_id, key = create_key(store, "viewer")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).json()["key_id"] == key_id
    assert client.post("/api/v1/keys", json={"role": "admin"}, headers={"Authorization": f"Bearer {key}"}).status_code == 403
    admin = {"X-API-Key": role_keys["admin"]}
    created = client.post("/api/v1/keys", json={"role": "comms", "name": "press"}, headers=admin)
    assert created.status_code == 201
    comms = {"X-API-Key": created.json()["key"]}
    assert client.get("/api/v1/me", headers=comms).json()["role"] == "comms"
    assert client.delete(f"/api/v1/keys/{created.json()['key_id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/me", headers=comms).status_code == 401
    assert client.delete(f"/api/v1/keys/{created.json()['key_id']}", headers=admin).status_code == 404


def test_answers_come_from_the_stored_analysis(client, role_keys):  # noqa: F811
    admin = {"X-API-Key": role_keys["admin"]}
    periods = client.get("/api/v1/periods", headers=admin).json()
    assert periods["periods"][-1] == "2026-10" and periods["default"] == "2026-10"
    assert [p["period"] for p in client.get("/api/v1/growth", headers=admin).json()["periods"]] == periods["periods"]
    silos = client.get("/api/v1/silos", headers=admin).json()["groups"]
    assert silos[0]["group"] == "Operations" and not any(r["suppressed"] for r in silos)
    fragile = client.get("/api/v1/silos/fragile-bridges", headers=admin).json()["carriers"]
    assert any({c["group_a"], c["group_b"]} == {"Finance", "Legal"} and "E0208" in (c["carrier_ids"] or []) for c in fragile)
    ego = client.get("/api/v1/people/E0187", headers=admin).json()
    assert ego["person"]["department"] == "Finance" and ego["contacts"] > 0 and "brokers" in ego["metrics"]
    focus = client.get("/api/v1/graph?level=person&person=E0187", headers=admin).json()
    assert focus["focus"] == "E0187" and "E0187" in {n["id"] for n in focus["nodes"]}
    page = client.get("/api/v1/people?limit=7&offset=7", headers=admin).json()
    assert page["total"] == 300 and len(page["items"]) == 7 and page["items"][0]["person_id"] == "E0008"


def test_small_groups_are_suppressed_for_every_role(small_groups_client, role_keys):  # noqa: F811
    for role in ("admin", "analyst", "viewer"):
        headers = {"X-API-Key": role_keys[role]}
        silos = {r["group"]: r for r in small_groups_client.get("/api/v1/silos", headers=headers).json()["groups"]}
        assert silos["Legal"]["suppressed"] and silos["Legal"]["ei_index"] is None and silos["Legal"]["size"] is None
        assert not silos["Sales"]["suppressed"] and silos["Sales"]["ei_index"] is not None
        matrix = small_groups_client.get("/api/v1/silos/matrix", headers=headers).json()
        assert matrix["suppressed"] == ["HR", "Legal"]
        legal = matrix["groups"].index("Legal")
        assert all(v is None for v in matrix["ties"][legal]) and all(row[legal] is None for row in matrix["weight"])
        nodes = {n["id"]: n for n in small_groups_client.get("/api/v1/graph", headers=headers).json()["nodes"]}
        assert nodes["Legal"]["suppressed"] and nodes["Legal"]["size"] is None and nodes["Legal"]["x"] is None
        summary = small_groups_client.get("/api/v1/summary", headers=headers).json()
        assert {g["group"]: g["suppressed"] for g in summary["groups"]}["HR"] is True
        pairs = small_groups_client.get("/api/v1/silos/pairs?limit=1000", headers=headers).json()["items"]
        assert all(p["ties"] is None for p in pairs if "Legal" in (p["group_a"], p["group_b"]))


def test_person_level_reads_are_audited(client, role_keys):  # noqa: F811
    analyst = {"X-API-Key": role_keys["analyst"]}
    assert client.get("/api/v1/people/E0208?period=2026-09", headers=analyst).status_code == 200
    client.get("/api/v1/silos", headers=analyst)
    log = client.get("/api/v1/audit?limit=20", headers={"X-API-Key": role_keys["admin"]}).json()["items"]
    ego = [e for e in log if e["action"] == "people.ego" and e["target"] == "E0208 2026-09"]
    assert ego and ego[0]["role"] == "analyst"
    assert all(e["action"] != "silos" for e in log)


def test_errors_are_json_with_the_right_status(client, role_keys):  # noqa: F811
    admin = {"X-API-Key": role_keys["admin"]}
    missing = client.get("/api/v1/summary?period=2026-05..2026-10", headers=admin)
    assert missing.status_code == 404 and "run orgnet analyze" in missing.json()["detail"]
    assert client.get("/api/v1/silos?period=2026-05..2026-10", headers=admin).status_code == 404
    assert client.get("/api/v1/people/NOBODY", headers=admin).status_code == 404
    bad = client.get("/api/v1/summary?period=yesterday", headers=admin)
    assert (
        bad.status_code == 422 and bad.json()["error"] == "unprocessable_entity" and bad.json()["detail"][0]["loc"] == ["query", "period"]
    )
    assert client.get("/api/v1/people?limit=0", headers=admin).status_code == 422
    assert client.post("/api/v1/keys", json={"role": "root"}, headers=admin).status_code == 422
    assert client.get("/api/v1/graph?level=person", headers=admin).status_code == 200
    with TestClient(make_app(client.app.state.settings.store, max_graph_nodes=10)) as small:
        too_many = small.get("/api/v1/graph?level=person", headers=admin)
    assert too_many.status_code == 400 and "filter" in too_many.json()["detail"]
    assert client.get("/api/v1/nothing-here", headers=admin).json()["error"] == "not_found"


def test_pages_need_a_session_and_respect_roles(client, role_keys):  # noqa: F811
    # No `with`: entering it would run the app's lifespan again, and its end would close the shared store.
    browser = TestClient(client.app, follow_redirects=False)
    assert browser.get("/silos").headers["location"] == "/login?next=/silos"
    assert log_in(browser, "orgnet_wrong").status_code == 401
    login = log_in(browser, role_keys["comms"], next="//evil.example/")
    assert login.status_code == 303 and login.headers["location"] == "/"
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and role_keys["comms"].lower() not in cookie
    assert browser.get("/").status_code == 200
    assert browser.get("/silos").status_code == 403
    assert browser.get("/api/v1/silos").status_code == 403
    assert browser.get("/static/plotly.min.js").status_code == 200
    assert log_out(browser).status_code == 303


def _session(app, key: str) -> TestClient:
    """A browser logged in with ``key`` on the running ``app`` (no `with`, as above)."""
    browser = TestClient(app, follow_redirects=False)
    assert log_in(browser, key).status_code == 303
    return browser


def test_the_explorer_applies_the_person_graph_rules_of_the_api(client, role_keys):  # noqa: F811
    people = client.get("/api/v1/people?q=E0187", headers={"X-API-Key": role_keys["admin"]}).json()["items"]
    name = people[0]["name"]
    viewer = _session(client.app, role_keys["viewer"])
    # The role is refused before the name is looked up, so a viewer learns nothing about who exists.
    assert viewer.get("/network/figure", params={"person": "nobody at all"}).status_code == 403
    assert viewer.get("/network/figure", params={"level": "person"}).status_code == 403
    assert viewer.get("/network/figure").status_code == 200
    analyst = _session(client.app, role_keys["analyst"])
    focus = analyst.get("/network/figure", params={"person": name.upper()})
    assert focus.status_code == 200 and focus.json()["focus"] == "E0187" and focus.json()["level"] == "person"
    assert analyst.get("/network/figure", params={"person": "nobody at all"}).status_code == 404
    log = client.get("/api/v1/audit?limit=50", headers={"X-API-Key": role_keys["admin"]}).json()["items"]
    assert any(e["action"] == "page.network" and e["role"] == "analyst" and e["target"].endswith("person=E0187") for e in log)


def test_the_silos_page_lists_no_fragile_bridge_of_a_suppressed_group(small_groups_client, role_keys):  # noqa: F811
    page = _session(small_groups_client.app, role_keys["analyst"]).get("/silos")
    assert page.status_code == 200
    table = page.text.split('<table id="fragile">', 1)[1].split("</table>", 1)[0]
    api = small_groups_client.get("/api/v1/silos/fragile-bridges", headers={"X-API-Key": role_keys["analyst"]}).json()["carriers"]
    shown = [c for c in api if c["fragile"] and not c["suppressed"]]
    assert shown and all(f"{c['group_a']} – {c['group_b']}" in table for c in shown)
    assert any(c["suppressed"] for c in api) and "Legal" not in table and "HR –" not in table and "– HR" not in table


def test_top_returns_as_many_advocates_as_it_says_or_is_refused(client, role_keys):  # noqa: F811
    analyst = {"X-API-Key": role_keys["analyst"]}
    for top in (10, 100, 300):
        page = client.get(f"/api/v1/advocates?top={top}", headers=analyst).json()
        assert len(page["items"]) == page["total"] == min(top, 300) and page["limit"] == top
    # An explicit limit still pages through the top.
    paged = client.get("/api/v1/advocates?top=100&limit=30&offset=90", headers=analyst).json()
    assert paged["total"] == 100 and len(paged["items"]) == 10 and paged["items"][0]["rank"] == 91
    refused = client.get("/api/v1/advocates?top=5000", headers=analyst)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["query", "top"]


def test_an_unknown_period_or_department_says_what_the_store_holds(client, role_keys):  # noqa: F811
    analyst = {"X-API-Key": role_keys["analyst"]}
    month = client.get("/api/v1/summary?period=2026-13", headers=analyst)
    assert month.status_code == 422 and "'2026-13' is not a period" in month.json()["detail"]
    empty = client.get("/api/v1/silos?period=2026-01", headers=analyst)
    assert (
        empty.status_code == 404
        and empty.json()["detail"] == "the store holds no ties in 2026-01; the store's periods are 2026-05 to 2026-10"
    )
    department = client.get("/api/v1/advocates?department=legal", headers=analyst)
    assert department.status_code == 422
    (problem,) = department.json()["detail"]
    assert problem["loc"] == ["query", "department"] and "the departments are Design, Engineering" in problem["msg"]
    assert "did you mean 'Legal'?" in problem["msg"]
