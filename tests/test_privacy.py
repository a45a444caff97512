"""Suppression that arithmetic cannot undo, and internal reach that gives no one's ties to comms, through the real app
on the analysed samples.

At a minimum group size of 15, Legal (14 people) is the one small department; HR (18) is the smallest of the others,
so it is suppressed with Legal (complementary suppression) and every total minus the figures shown gives Legal and
HR together, never Legal. Expectations are counted here from the stored ties and the people table (pandas), not read
from the analysis.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from api_fixtures import log_in, make_app, role_keys, samples_store  # noqa: F401
from fastapi.testclient import TestClient

from orgnet.jobs import COMMUNITIES
from orgnet.results import get
from orgnet.store.sqlite import SQLiteStore

pytestmark = pytest.mark.xdist_group("api")

PERIOD = "2026-10"
MIN = 15
SMALL, COMPLEMENT = "Legal", "HR"
POOL = {SMALL, COMPLEMENT}


@pytest.fixture(scope="module")
def client(samples_store):  # noqa: F811
    with TestClient(make_app(samples_store, min_group_size=MIN)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def viewer(role_keys):  # noqa: F811
    return {"X-API-Key": role_keys["viewer"]}


@pytest.fixture(scope="module")
def counted(samples_store):  # noqa: F811
    """What the stored ties of the period say, counted with pandas: ties as distinct ordered pairs, with departments."""
    with SQLiteStore(samples_store) as store:
        ties = store.ties(PERIOD, PERIOD)
        people = store.people().set_index("person_id")
        membership = get(store, COMMUNITIES, PERIOD).membership_map()
    pairs = ties.groupby(["source", "target"], as_index=False)["weight"].sum()
    department = people["department"]
    pairs["a"], pairs["b"] = pairs["source"].map(department), pairs["target"].map(department)
    return {"pairs": pairs, "department": department, "membership": pd.Series(membership, dtype="int64")}


def _touching(pairs: pd.DataFrame, groups: set[str]) -> dict[str, float]:
    inside_a, inside_b = pairs["a"].isin(groups), pairs["b"].isin(groups)
    return {
        "ties_out": int(inside_a.sum()),
        "ties_in": int(inside_b.sum()),
        "internal_ties": int((inside_a & inside_b).sum()),
        "external_ties": int((inside_a ^ inside_b).sum()),
        "internal_weight": float(pairs.loc[inside_a & inside_b, "weight"].sum()),
        "external_weight": float(pairs.loc[inside_a ^ inside_b, "weight"].sum()),
    }


def test_the_small_department_is_suppressed_with_the_smallest_other(client, viewer, truths):
    sizes = truths["departments"]
    assert sizes[SMALL] < MIN <= sizes[COMPLEMENT] and sizes[COMPLEMENT] == min(n for g, n in sizes.items() if g != SMALL)
    summary = client.get(f"/api/v1/summary?period={PERIOD}", headers=viewer).json()
    assert sorted(g["group"] for g in summary["groups"] if g["suppressed"]) == sorted(POOL)
    assert all(g["size"] is None and g["ties_out"] is None for g in summary["groups"] if g["suppressed"])
    matrix = client.get(f"/api/v1/silos/matrix?period={PERIOD}", headers=viewer).json()
    assert matrix["suppressed"] == sorted(POOL)
    silos = {r["group"]: r for r in client.get(f"/api/v1/silos?period={PERIOD}", headers=viewer).json()["groups"]}
    assert silos[COMPLEMENT]["suppressed"] and silos[COMPLEMENT]["ei_index"] is None and not silos["Sales"]["suppressed"]
    nodes = {n["id"]: n for n in client.get(f"/api/v1/graph?period={PERIOD}", headers=viewer).json()["nodes"]}
    assert {g for g, n in nodes.items() if n["suppressed"]} == POOL
    pairs = client.get(f"/api/v1/silos/pairs?period={PERIOD}&limit=1000", headers=viewer).json()["items"]
    assert all(p["suppressed"] and p["ties"] is None for p in pairs if {p["group_a"], p["group_b"]} & POOL)


def test_summary_totals_are_the_sums_of_what_is_shown(client, viewer, counted, truths):
    summary = client.get(f"/api/v1/summary?period={PERIOD}", headers=viewer).json()
    shown = [g for g in summary["groups"] if not g["suppressed"]]
    pooled = summary["suppressed"]
    assert sorted(pooled["groups"]) == sorted(POOL)
    assert summary["people"] == sum(g["size"] for g in shown) + pooled["size"] == 300
    assert summary["people_with_ties"] == sum(g["people_with_ties"] for g in shown) + pooled["people_with_ties"]
    assert summary["ties"] == sum(g["ties_out"] for g in shown) + pooled["ties_out"] == sum(g["ties_in"] for g in shown) + pooled["ties_in"]
    every = [*shown, pooled]
    total_weight = sum(g["internal_weight"] for g in every) + sum(g["external_weight"] for g in every) / 2
    assert total_weight == pytest.approx(summary["total_weight"])
    # What the differences give is Legal and HR together, as counted from the ties; never Legal alone.
    both, legal = _touching(counted["pairs"], POOL), _touching(counted["pairs"], {SMALL})
    assert pooled["size"] == truths["departments"][SMALL] + truths["departments"][COMPLEMENT]
    for name, value in both.items():
        assert pooled[name] == pytest.approx(value), name
        assert pooled[name] != pytest.approx(legal[name]), name
    assert pooled["internal_share"] == pytest.approx(both["internal_ties"] / (both["internal_ties"] + both["external_ties"]))


def test_matrix_rows_columns_and_total_are_sums_of_what_is_shown(client, viewer, counted):
    matrix = client.get(f"/api/v1/silos/matrix?period={PERIOD}", headers=viewer).json()
    summary = {g["group"]: g for g in client.get(f"/api/v1/summary?period={PERIOD}", headers=viewer).json()["groups"]}
    groups, hidden = matrix["groups"], set(matrix["suppressed"])
    for name, pooled in (("ties", matrix["pooled_ties"]), ("weight", matrix["pooled_weight"])):
        cells = matrix[name]
        for i, group in enumerate(groups):
            row, column = cells[i], [r[i] for r in cells]
            if group in hidden:
                assert all(v is None for v in row + column) and pooled["sent"][i] is None and pooled["received"][i] is None
                continue
            visible_row = sum(v for j, v in enumerate(row) if groups[j] not in hidden)
            visible_column = sum(v for j, v in enumerate(column) if groups[j] not in hidden)
            if name == "ties":
                assert visible_row + pooled["sent"][i] == summary[group]["ties_out"]
                assert visible_column + pooled["received"][i] == summary[group]["ties_in"]
        visible = sum(v for i, row in enumerate(cells) for j, v in enumerate(row) if v is not None)
        total = visible + sum(v for v in pooled["sent"] if v is not None) + sum(v for v in pooled["received"] if v is not None)
        total += pooled["within"]
        expected = len(counted["pairs"]) if name == "ties" else counted["pairs"]["weight"].sum()
        assert total == pytest.approx(expected)
    # Total ties minus the visible matrix is every tie touching Legal or HR, not Legal's.
    pairs = counted["pairs"]
    legal_ties = int((pairs["a"].eq(SMALL) | pairs["b"].eq(SMALL)).sum())
    pool_ties = int((pairs["a"].isin(POOL) | pairs["b"].isin(POOL)).sum())
    visible_ties = sum(v for row in matrix["ties"] for v in row if v is not None)
    assert len(pairs) - visible_ties == pool_ties != legal_ties


def _community_expectation(counted: dict) -> tuple[set[int], dict[int, int]]:
    """Communities to suppress: under 15 members, or holding anyone of Legal or HR (then enough to pool 15 and two)."""
    membership, department = counted["membership"], counted["department"]
    sizes = membership.value_counts().to_dict()
    holding = set(membership[membership.index.map(department).isin(POOL)].unique())
    hidden = {c for c, n in sizes.items() if n < MIN} | holding
    assert len(hidden) >= 2 and sum(sizes[c] for c in hidden) >= MIN, "no complement needed on this partition"
    return {int(c) for c in hidden}, {int(c): int(n) for c, n in sizes.items()}


def test_communities_never_stand_in_for_a_suppressed_department(client, viewer, counted):
    hidden, sizes = _community_expectation(counted)
    answer = client.get(f"/api/v1/communities?period={PERIOD}", headers=viewer).json()
    rows = {c["community"]: c for c in answer["communities"]}
    assert {c for c, row in rows.items() if row["suppressed"]} == hidden
    for c, row in rows.items():
        if row["suppressed"]:
            assert row["label"] is None and row["dominant_group"] is None and row["size"] is None
        else:
            assert row["size"] == sizes[c] and not any(group in row["label"] for group in POOL) and row["dominant_group"] not in POOL
    assert answer["suppressed"] == {"communities": len(hidden), "size": sum(sizes[c] for c in hidden)}
    assert sum(row["size"] for row in rows.values() if not row["suppressed"]) + answer["suppressed"]["size"] == 300
    graph = client.get(f"/api/v1/graph?level=community&period={PERIOD}", headers=viewer).json()
    nodes = {int(n["id"]): n for n in graph["nodes"]}
    assert {c for c, n in nodes.items() if n["suppressed"]} == hidden
    assert all(n["label"] == str(c) for c, n in nodes.items() if n["suppressed"])
    assert not any(group in n["label"] for n in nodes.values() for group in POOL)


def test_the_pages_apply_the_same_rule(client, role_keys):  # noqa: F811
    client.cookies.clear()
    log_in(client, role_keys["viewer"])
    try:
        departments = client.get(f"/network/figure?period={PERIOD}").json()
        communities = client.get(f"/network/figure?period={PERIOD}&level=community").json()
        silos = client.get(f"/silos?period={PERIOD}").text
    finally:
        client.cookies.clear()
    assert sorted(departments["suppressed"]) == sorted(POOL)
    assert not any(group in label for label in communities["suppressed"] for group in POOL)
    assert "HR, Legal" in silos


def test_nothing_is_pooled_when_no_group_is_small(samples_store, role_keys):  # noqa: F811
    viewer = {"X-API-Key": role_keys["viewer"]}
    with TestClient(make_app(samples_store)) as default:
        summary = default.get(f"/api/v1/summary?period={PERIOD}", headers=viewer).json()
        matrix = default.get(f"/api/v1/silos/matrix?period={PERIOD}", headers=viewer).json()
    assert summary["suppressed"] is None and not any(g["suppressed"] for g in summary["groups"])
    assert summary["people"] == sum(g["size"] for g in summary["groups"])
    assert matrix["suppressed"] == [] and matrix["pooled_ties"] is None
    assert sum(v for row in matrix["ties"] for v in row) == summary["ties"]


def test_roles_without_group_figures_get_no_pool(client, role_keys):  # noqa: F811
    summary = client.get(f"/api/v1/summary?period={PERIOD}", headers={"X-API-Key": role_keys["comms"]}).json()
    assert summary["groups"] == [] and summary["suppressed"] is None


def _reached(pairs: pd.DataFrame, seeds: list[str], hops: int) -> list[int]:
    """People within 0..hops directed hops of ``seeds``, by breadth-first search on the counted ties."""
    graph = nx.DiGraph(zip(pairs["source"], pairs["target"]))
    graph.add_nodes_from(seeds)
    distance = nx.multi_source_dijkstra_path_length(graph, set(seeds), cutoff=hops)
    return [sum(d <= h for d in distance.values()) for h in range(hops + 1)]


def _tens(value: float) -> int:
    return int(10 * ((value + 5) // 10))


def test_comms_cannot_read_one_persons_out_degree(client, role_keys, counted):  # noqa: F811
    comms, analyst = {"X-API-Key": role_keys["comms"]}, {"X-API-Key": role_keys["analyst"]}
    pairs = counted["pairs"]
    degree = pairs.groupby("source").size()
    person = str(degree[degree % 10 != 0].sort_index().index[0])
    others = [str(p) for p in sorted(degree.index) if p != person][:MIN]

    def ask(people: list[str]) -> str:
        return f"/api/v1/reach/internal?period={PERIOD}&hops=2&runs=50&" + "&".join(f"people={p}" for p in people)

    # An analyst may read it: the first hop from one person is their out-degree.
    alone = client.get(ask([person]), headers=analyst).json()
    assert alone["per_hop"][1]["new"] == degree[person] and alone["rounded_to"] == 1

    # Comms may not ask from fewer people than the minimum group size.
    refused = client.get(ask([person]), headers=comms)
    assert refused.status_code == 403 and f"at least {MIN} people" in refused.json()["detail"]
    assert client.get(ask(others[:-1]), headers=comms).status_code == 403

    # From enough people, every count is rounded to tens: the people within each hop as counted, rounded.
    without = client.get(ask(others), headers=comms).json()
    with_person = client.get(ask([*others, person]), headers=comms).json()
    for answer, seeds in ((without, others), (with_person, [*others, person])):
        assert answer["rounded_to"] == 10
        assert [h["reached"] for h in answer["per_hop"]] == [_tens(n) for n in _reached(pairs, seeds, 2)]
        assert all(h["new"] % 10 == 0 for h in answer["per_hop"]) and answer["reached"] % 10 == 0
        spread = answer["spread"]
        assert all(spread[k] % 10 == 0 for k in ("mean", "stderr", "ci_low", "ci_high"))
    # So the difference of two answers that differ by one person is a multiple of ten, never their out-degree.
    difference = with_person["per_hop"][1]["reached"] - without["per_hop"][1]["reached"]
    assert difference % 10 == 0 and difference != degree[person] and degree[person] % 10 != 0
