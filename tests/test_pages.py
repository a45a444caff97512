"""The pages' data routes through the real app on the samples store: figures in JSON, errors in JSON with their status.

The Network page's script fetches ``/network/figure``; its errors must be JSON (``{"error", "detail"}``) whatever
went wrong, so that the page can say it in words (the browser side is tests/test_browser.py).
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from api_fixtures import log_in, make_app, role_keys, samples_store  # noqa: F401
from fastapi.testclient import TestClient

pytestmark = pytest.mark.xdist_group("api")


@contextmanager
def _client(store, key: str | None) -> Iterator[TestClient]:
    # An app per client: the end of a client's lifespan closes its app's store.
    with TestClient(make_app(store), raise_server_exceptions=False) as client:
        if key is not None:
            assert log_in(client, key).status_code == 303
        yield client


@pytest.fixture(scope="module")
def analyst(samples_store, role_keys):  # noqa: F811
    with _client(samples_store, role_keys["analyst"]) as client:
        yield client


def _node_traces(answer) -> list[dict]:
    return [t for t in answer.json()["figure"]["data"] if (t.get("meta") or {}).get("role") == "nodes"]


def test_the_communities_view_answers_every_community_once_by_number(analyst):
    for period in ("2026-08", "2026-09", "2026-10"):
        answer = analyst.get(f"/network/figure?level=community&period={period}")
        assert answer.status_code == 200, answer.text
        ids = [str(i) for trace in _node_traces(answer) for i in trace["customdata"]]
        # Two communities may share a label ("Engineering 100%"); their numbers keep them apart.
        assert len(ids) == len(set(ids)) == answer.json()["nodes"] - len(answer.json()["suppressed"])
        texts = [t for trace in _node_traces(answer) for t in trace["text"]]
        assert all(f"(community {i})" in text for i, text in zip(ids, texts))


def test_a_department_has_one_colour_at_every_level(analyst):
    departments = analyst.get("/network/figure?level=group")
    colour = {str(i): trace["marker"]["color"] for trace in _node_traces(departments) for i in trace["customdata"]}
    for department in ("Legal", "Sales", "Operations"):
        people = analyst.get(f"/network/figure?level=person&department={department}")
        assert {trace["marker"]["color"] for trace in _node_traces(people)} == {colour[department]}


def _marker_sizes(answer) -> dict[str, float]:
    """Each drawn person's marker size; plotly sends arrays as ``{"dtype", "bdata"}`` (base64), a scalar as is."""
    sizes = {}
    for trace in _node_traces(answer):
        size = trace["marker"]["size"]
        if isinstance(size, dict):
            size = np.frombuffer(base64.b64decode(size["bdata"]), dtype=size["dtype"])
        sizes.update(zip(map(str, trace["customdata"]), np.broadcast_to(np.asarray(size, dtype=float), len(trace["customdata"]))))
    return sizes


def test_people_are_sized_by_the_metric_asked_for(analyst):
    fixed = _marker_sizes(analyst.get("/network/figure?level=person&department=Legal"))
    sizes = _marker_sizes(analyst.get("/network/figure?level=person&department=Legal&size=degree"))
    view = analyst.get("/api/v1/graph?level=person&department=Legal").json()
    degree = {str(node["id"]): node["attributes"]["degree"] for node in view["nodes"]}
    assert len(set(fixed.values())) == 1 and len(set(sizes.values())) > 1
    # Bigger by degree: the most connected person gets the largest marker, the least the smallest.
    assert degree[max(sizes, key=sizes.get)] == max(degree.values())
    assert degree[min(sizes, key=sizes.get)] == min(degree.values())


@pytest.mark.parametrize(
    "role,query,status,words",
    [
        ("analyst", "person=Nobody%20Atall", 404, "nobody matches 'Nobody Atall'"),
        ("viewer", "level=person&department=Legal", 403, "the viewer role may not see person-level graphs"),
        ("analyst", "level=everything", 422, "level"),
        ("analyst", "period=2026-01", 404, "2026-01"),
        (None, "", 401, "log in first"),
    ],
)
def test_figure_errors_are_json_with_their_status(samples_store, role_keys, role, query, status, words):  # noqa: F811
    with _client(samples_store, role_keys[role] if role else None) as client:
        answer = client.get(f"/network/figure?{query}", follow_redirects=False)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"] and words in str(answer.json()["detail"])


def test_pages_still_answer_their_errors_as_pages(analyst):
    answer = analyst.get("/silos?period=2026-01")
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "the store holds no ties in 2026-01; the store&#39;s periods are 2026-05 to 2026-10" in answer.text
    unanalysed = analyst.get("/silos?period=2026-05..2026-10")
    assert unanalysed.status_code == 404 and "orgnet analyze --from 2026-05 --to 2026-10" in unanalysed.text


def _figure(page: str, plot: str) -> dict:
    """The plotly figure a page embeds in ``<div id="{plot}" data-figure="...">``."""
    found = re.search(rf'id="{plot}" data-figure="([^"]*)"', page)
    assert found, f"no figure {plot}"
    return json.loads(html.unescape(found.group(1)))


def _table(page: str, table: str) -> str:
    return page.split(f'<table id="{table}">', 1)[1].split("</table>", 1)[0]


def test_the_silos_page_compares_pairs_with_their_sizes_and_hides_small_groups(samples_store, role_keys):  # noqa: F811
    with TestClient(make_app(samples_store, min_group_size=15)) as client:
        assert log_in(client, role_keys["viewer"]).status_code == 303
        page = client.get("/silos").text
        api = client.get("/api/v1/silos/pairs?limit=1000", headers={"X-API-Key": role_keys["viewer"]}).json()["items"]
    (heatmap,) = _figure(page, "plot-heatmap")["data"]
    groups = heatmap["x"]
    shown = [p for p in api if not p["suppressed"]]
    hidden = {g for p in api if p["suppressed"] for g in (p["group_a"], p["group_b"])} - {
        g for p in shown for g in (p["group_a"], p["group_b"])
    }
    assert "Legal" in hidden
    # Each shown pair's cell says the pair's own figures in words, on both sides of the diagonal.
    for pair in shown:
        i, j = groups.index(pair["group_a"]), groups.index(pair["group_b"])
        words = f"{pair['group_a']} and {pair['group_b']}: {pair['ties']:,} ties, {round(pair['expected'], 1):g} expected"
        assert heatmap["customdata"][i][j].startswith(words) and heatmap["customdata"][j][i] == heatmap["customdata"][i][j]
    legal = groups.index("Legal")
    assert all(v is None for v in heatmap["z"][legal]) and set(heatmap["customdata"][legal]) == {"suppressed: group below minimum size"}
    # The tables name no suppressed group; the pairs table lists the most cut-off shown pairs first, as the API does.
    for table in ("silo-pairs", "vertical"):
        assert not any(f">{g}<" in _table(page, table) or f"{g} and" in _table(page, table) for g in hidden)
    first = shown[0]
    assert f"<td>{first['group_a']} and {first['group_b']}</td>" in _table(page, "silo-pairs").split("</tr>")[1]


def test_the_network_page_lists_brokers_in_the_fields_roles_for_roles_that_see_people(samples_store, role_keys):  # noqa: F811
    from markupsafe import escape

    from orgnet import jobs
    from orgnet.brokers import NETWORK_ROLES, network_roles
    from orgnet.results import get
    from orgnet.store.sqlite import SQLiteStore

    with _client(samples_store, role_keys["analyst"]) as client:
        page = client.get("/network").text
    with _client(samples_store, role_keys["viewer"]) as client:
        assert 'id="brokers"' not in client.get("/network").text
    with SQLiteStore(samples_store) as store:
        table = get(store, jobs.BROKERS, "2026-10").table.to_pandas().set_index("person_id")
        people = store.people().set_index("person_id")["name"]
    roles = network_roles(table)
    best = table["betweenness"].idxmax()
    rows = _table(page, "brokers").split("</tr>")
    # The first row is the person with the most betweenness, named, with the roles network_roles gives them.
    assert f'{people[best]} <span class="note">{best}</span>' in rows[1] and f"<td>{', '.join(roles[best])}</td>" in rows[1]
    assert all(f"<dt>{role}</dt><dd>{escape(words)}</dd>" in page for role, words in NETWORK_ROLES.items())


@pytest.fixture(scope="module")
def by_level(samples_store, tmp_path_factory):  # noqa: F811
    """A copy of the samples store whose 2026-10 is also analysed by level (L7 holds one person, L6 eight)."""
    import shutil

    from orgnet.analysis import AnalysisOptions, analyze
    from orgnet.store.sqlite import SQLiteStore

    path = tmp_path_factory.mktemp("by-level") / "orgnet.db"
    shutil.copy(samples_store, path)
    with SQLiteStore(path) as store:
        analyze(store, "2026-10", options=AnalysisOptions(by="level"))
    return path


def test_silos_group_by_any_attribute_the_store_holds_with_suppression_per_grouping(by_level, role_keys):  # noqa: F811
    viewer = {"X-API-Key": role_keys["viewer"]}
    with _client(by_level, role_keys["viewer"]) as client:
        levels = client.get("/api/v1/silos?period=2026-10&by=level", headers=viewer).json()["groups"]
        departments = client.get("/api/v1/silos?period=2026-10", headers=viewer).json()["groups"]
        pairs = client.get("/api/v1/silos/pairs?period=2026-10&by=level&limit=1000", headers=viewer).json()["items"]
        matrix = client.get("/api/v1/silos/matrix?period=2026-10&by=level", headers=viewer).json()
        unknown = client.get("/api/v1/silos?by=hobby", headers=viewer)
        unanalysed = client.get("/api/v1/silos?period=2026-10&by=location", headers=viewer)
        page = client.get("/silos?period=2026-10&by=level").text
    by_group = {row["group"]: row for row in levels}
    assert set(by_group) == {"L2", "L3", "L4", "L5", "L6", "L7"}
    # The one person of L7 is suppressed in the level grouping (the departments know nothing of it).
    assert by_group["L7"]["suppressed"] and by_group["L7"]["ei_index"] is None and not by_group["L2"]["suppressed"]
    assert {row["group"] for row in departments} >= {"Legal", "Sales"} and not any(row["suppressed"] for row in departments)
    assert all(p["suppressed"] for p in pairs if "L7" in (p["group_a"], p["group_b"]))
    assert matrix["by"] == "level" and "L7" in matrix["suppressed"]
    assert unknown.status_code == 422 and "the attributes are" in unknown.json()["detail"][0]["msg"]
    assert "level" in unknown.json()["detail"][0]["msg"] and "location" in unknown.json()["detail"][0]["msg"]
    assert unanalysed.status_code == 404
    # The page draws the levels, offers the groupings analysed, and hides L7 in every table.
    (heatmap,) = _figure(page, "plot-heatmap")["data"]
    assert heatmap["x"] == ["L2", "L3", "L4", "L5", "L6", "L7"]
    assert '<option value="level" selected>level</option>' in page and '<option value="department" >department</option>' in page
    assert "L7" not in _table(page, "silo-pairs") and ">L7<" not in _table(page, "vertical")


def test_a_grouping_not_analysed_says_the_command_that_analyses_it(by_level, role_keys):  # noqa: F811
    with _client(by_level, role_keys["analyst"]) as client:
        page = client.get("/silos?period=2026-10&by=location")
    assert page.status_code == 404 and "orgnet analyze --period 2026-10 --by location" in page.text


def test_the_communities_page_says_what_the_cli_says(samples_store, role_keys):  # noqa: F811
    from markupsafe import escape
    from typer.testing import CliRunner

    from orgnet.cli import app

    answer = CliRunner().invoke(app, ["communities", "--store", str(samples_store), "--period", "2026-10", "--json"])
    assert answer.exit_code == 0, answer.output
    cli = json.loads(answer.output)
    with _client(samples_store, role_keys["analyst"]) as client:
        page = client.get("/communities?period=2026-10").text
        api = client.get("/api/v1/communities?period=2026-10", headers={"X-API-Key": role_keys["analyst"]}).json()
    headline = re.search(r'<p id="agreement">([^<]*)</p>', page)
    assert headline and html.unescape(headline.group(1)) == cli["sentence"] == api["sentence"]
    assert f"NMI {cli['nmi']:.2f}, ARI {cli['ari']:.2f}" in cli["sentence"] and api["by"] == "department"
    # The heatmap's cells are the CLI's members per community and department; the rows' sizes its communities'.
    (heatmap,) = _figure(page, "plot-communities")["data"]
    assert heatmap["x"] == cli["composition"]["groups"]
    assert heatmap["y"] == [f"community {c['community']}" for c in cli["communities"]]
    assert heatmap["z"] == cli["composition"]["members"]
    assert [sum(row) for row in cli["composition"]["members"]] == [c["size"] for c in cli["communities"]]
    # Each community's top connector is named in the table, as the CLI lists them.
    rows = _table(page, "communities").split("</tr>")[1:-1]
    first = cli["communities"][0]
    assert (
        f"<td>{first['size']}</td><td>{escape(first['label'])}</td>" in rows[0]
        and f'<span class="note">{first["connectors"][0]}</span>' in rows[0]
    )


def test_the_communities_page_groups_by_any_analysed_attribute_and_hides_people_from_viewers(by_level, role_keys):  # noqa: F811
    with _client(by_level, role_keys["viewer"]) as client:
        page = client.get("/communities?period=2026-10&by=level").text
        unknown = client.get("/api/v1/communities?period=2026-10&by=hobby", headers={"X-API-Key": role_keys["viewer"]})
        api = client.get("/api/v1/communities?period=2026-10&by=level", headers={"X-API-Key": role_keys["viewer"]}).json()
    assert unknown.status_code == 422 and "the attributes are" in unknown.json()["detail"][0]["msg"]
    assert api["by"] == "level" and "level lines" in api["sentence"]
    (heatmap,) = _figure(page, "plot-communities")["data"]
    assert heatmap["x"] == ["L2", "L3", "L4", "L5", "L6", "L7"]
    # L7 (one person) is suppressed in the level grouping: its column is blank, and so is every community holding them.
    column = heatmap["x"].index("L7")
    assert all(row[column] is None for row in heatmap["z"])
    hidden = [c["community"] for c in api["communities"] if c["suppressed"]]
    assert hidden and all(all(v is None for v in heatmap["z"][c]) for c in hidden)
    # A viewer sees no one: no connectors column.
    assert "top connectors" not in _table(page, "communities") and '<option value="level" selected>level</option>' in page


def test_the_summary_and_the_network_group_by_any_analysed_attribute(by_level, role_keys):  # noqa: F811
    viewer = {"X-API-Key": role_keys["viewer"]}
    with _client(by_level, role_keys["analyst"]) as client:
        summary = client.get("/api/v1/summary?period=2026-10&by=level", headers=viewer).json()
        departments = client.get("/api/v1/summary?period=2026-10", headers=viewer).json()
        graph = client.get("/api/v1/graph?period=2026-10&by=level", headers=viewer).json()
        communities = client.get("/api/v1/graph?period=2026-10&level=community&by=level", headers=viewer).json()
        figure = client.get("/network/figure?period=2026-10&by=level").json()
        unknown = [client.get(f"{path}?by=hobby", headers=viewer) for path in ("/api/v1/summary", "/api/v1/graph", "/network/figure")]
        page = client.get("/network?period=2026-10").text
    # The same headline numbers, the groups of the grouping asked for, L7 (one person) suppressed in it alone.
    assert summary["by"] == "level" and summary["people"] == departments["people"] and summary["ties"] == departments["ties"]
    levels = {row["group"]: row for row in summary["groups"]}
    assert set(levels) == {"L2", "L3", "L4", "L5", "L6", "L7"} and levels["L7"]["suppressed"] and "L7" in summary["suppressed"]["groups"]
    assert departments["by"] == "department" and not departments["suppressed"]
    nodes = {node["id"]: node for node in graph["nodes"]}
    assert graph["by"] == "level" and set(nodes) == set(levels) and nodes["L7"]["suppressed"] and not nodes["L2"]["suppressed"]
    assert sum(node["size"] for node in graph["nodes"] if not node["suppressed"]) == sum(
        row["size"] for row in summary["groups"] if not row["suppressed"]
    )
    assert communities["by"] == "level" and communities["level"] == "community"
    # L6, the next smallest, is hidden with L7 so that the total minus what is shown does not give L7 away.
    assert (
        figure["by"] == "level" and figure["nodes"] == 6 and sorted(figure["suppressed"]) == summary["suppressed"]["groups"] == ["L6", "L7"]
    )
    assert all(answer.status_code == 422 for answer in unknown)
    assert '<select id="by"><option value="department">department</option><option value="level">level</option></select>' in page


def test_the_network_pages_brokers_table_names_the_grouping_its_groups_come_from(by_level, role_keys):  # noqa: F811
    with _client(by_level, role_keys["analyst"]) as client:
        page = client.get("/network?period=2026-10").text
    # The plot switches grouping in the browser; the table is the stored brokers', grouped by department.
    header = _table(page, "brokers").split("</tr>")[0]
    assert "<th>department</th>" in header and "<th>other departments reached</th>" in header and "<th>group</th>" not in header


@pytest.mark.parametrize("path", ["/silos", "/communities"])
def test_a_period_not_analysed_by_the_grouping_shows_its_default_grouping_and_says_so(by_level, role_keys, path):  # noqa: F811
    with _client(by_level, role_keys["analyst"]) as client:
        other = client.get(f"{path}?period=2026-09&by=level")
        analysed = client.get(f"{path}?period=2026-10&by=level")
    # 2026-09 is analysed by department only: the page shows it by department, in words, rather than an error.
    assert other.status_code == 200 and "· 2026-09 · by department</h1>" in other.text
    assert "2026-09 is not analysed by level, so this shows it by department" in other.text
    assert '<option value="department" selected>' in other.text
    assert analysed.status_code == 200 and "· 2026-10 · by level</h1>" in analysed.text and 'id="grouping-note"' not in analysed.text


def test_a_group_of_another_grouping_opens_its_people_in_its_own_colour(by_level, role_keys):  # noqa: F811
    from orgnet.store.sqlite import SQLiteStore

    with SQLiteStore(by_level) as store:
        people = store.people().set_index("person_id")
    with _client(by_level, role_keys["analyst"]) as client:
        groups = client.get("/network/figure?period=2026-10&by=level")
        opened = client.get("/network/figure?period=2026-10&by=level&level=person&group=L3")
        graph = client.get("/api/v1/graph?period=2026-10&by=level&level=person&group=L3").json()
        by_community = client.get("/network/figure?period=2026-10&by=level&level=person&group=L3&color=community")
        unknown = client.get("/network/figure?period=2026-10&by=level&level=person&group=L9")
        legacy = client.get("/api/v1/graph?period=2026-10&level=department&by=level").json()
    colour = {str(i): trace["marker"]["color"] for trace in _node_traces(groups) for i in trace["customdata"]}
    assert groups.json()["level"] == "group" and legacy["level"] == "group" and {n["id"] for n in legacy["nodes"]} >= {"L2", "L3"}
    # Everyone drawn is of level L3 (the roster says so), as the API lists them, in L3's colour, under a "level" legend.
    ids = {str(i) for trace in _node_traces(opened) for i in trace["customdata"]}
    with_ties = {n["id"] for n in graph["nodes"]}
    assert ids == with_ties and len(ids) > 5 and set(people.loc[sorted(ids), "level"]) == {"L3"}
    assert {trace["marker"]["color"] for trace in _node_traces(opened)} == {colour["L3"]}
    assert opened.json()["figure"]["layout"]["legend"]["title"]["text"] == "level"
    assert graph["level"] == "person" and graph["by"] == "level" and {n["group"] for n in graph["nodes"]} == {"L3"}
    assert by_community.json()["figure"]["layout"]["legend"]["title"]["text"] == "community"
    assert unknown.status_code == 422 and "no level 'L9'" in unknown.text and "L3" in unknown.text
    # A period not analysed by level (2026-09) answers by department, its groups and groupings listed, and says so.
    with _client(by_level, role_keys["analyst"]) as client:
        other = client.get("/network/figure?period=2026-09&by=level&level=person&group=L3").json()
    assert other["by"] == "department" and other["level"] == "group" and other["groupings"] == ["department"]
    assert "Legal" in other["groups"] and "2026-09 is not analysed by level" in other["note"]
    assert groups.json()["groupings"] == ["department", "level"]
    # The page's group menu: the levels the group view draws (its nodes), whatever view is open.
    drawn = sorted(str(i) for trace in _node_traces(groups) for i in trace["customdata"])
    assert groups.json()["groups"] == opened.json()["groups"] == drawn == ["L2", "L3", "L4", "L5"]
