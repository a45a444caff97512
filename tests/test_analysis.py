"""The analysis of the bundled samples finds the truths the generator planted."""

from __future__ import annotations

import itertools
import time

import pytest

from orgnet import jobs
from orgnet.analysis import AnalysisOptions, analyze, snapshot_result
from orgnet.errors import OrgnetError
from orgnet.results import find, get
from orgnet.store.sqlite import SQLiteStore


def test_every_result_is_stored_per_period(analysed):
    for period in analysed.periods():
        meta = get(analysed, jobs.META, period)
        assert meta.label == period and meta.people == 300
        assert set(meta.timings) >= {"load", "advocates", "brokers"}


def test_a_range_is_analysed_as_one_snapshot(analysed):
    assert find(analysed, jobs.META, "2026-05..2026-10") is None
    began = time.perf_counter()
    run = analyze(analysed, "2026-05", "2026-10")
    wall = time.perf_counter() - began
    assert run.label == "2026-05..2026-10"
    # The run's seconds are its wall clock (what the CLI prints), not the steps' sum: jobs run side by side.
    assert max(run.timings.values()) <= run.seconds <= wall
    meta = get(analysed, jobs.META, "2026-05..2026-10")
    assert (meta.start, meta.end) == ("2026-05", "2026-10")
    # The range holds the ties of every period, so at least as many as its busiest month.
    assert meta.ties >= max(get(analysed, jobs.META, period).ties for period in analysed.periods())


def test_fragile_bridges_are_the_planted_ones(analysed, truths):
    carriers = {
        tuple(sorted((row["group_a"], row["group_b"]))): row for row in get(analysed, jobs.FRAGILITY, "2026-10").carriers.to_pylist()
    }
    fragile = carriers[tuple(sorted(truths["fragile_bridge"]["departments"]))]
    assert fragile["fragile"] and fragile["carrier_ids"] == [truths["fragile_bridge"]["person"]]
    brokered = carriers[tuple(sorted(truths["brokers"]["departments"]))]
    assert set(brokered["carrier_ids"]) == set(truths["brokers"]["people"])


def test_the_vertical_department_is_flagged(analysed, truths):
    groups = {row["group"]: row for row in get(analysed, jobs.VERTICAL, "2026-10").groups.to_pylist()}
    assert groups[truths["vertical_department"]]["vertical_only"]
    assert sum(row["vertical_only"] for row in groups.values()) == 1


def test_the_silo_is_bridged_in_month_four(analysed, truths):
    pair = tuple(sorted(truths["silo_bridged"]["departments"]))

    def ties_between(period):
        rows = get(analysed, jobs.SILO_PAIRS, period).table.to_pylist()
        return next(row for row in rows if (row["group_a"], row["group_b"]) == pair)

    for period in ("2026-05", "2026-06", "2026-07"):
        assert ties_between(period)["ties"] == 0 and ties_between(period)["silo"]
    for period in ("2026-08", "2026-09", "2026-10"):
        assert ties_between(period)["ties"] > 0


def test_the_network_grows_as_planted(analysed, truths):
    from orgnet.analysis import load_snapshot

    ties = [get(analysed, jobs.SUMMARY, period).ties for period in analysed.periods()]
    assert ties == sorted(ties) and ties[-1] > ties[0]
    # The generator planted this many pairs of people in touch each period; each period's graph holds exactly them.
    assert analysed.periods() == list(truths["ties_per_period"])
    for period, pairs in truths["ties_per_period"].items():
        assert len({frozenset(edge) for edge in load_snapshot(analysed, period).graph.edges}) == pairs


@pytest.mark.parametrize("job", [jobs.ADVOCATES, jobs.BROKERS, jobs.COMMUNITIES, jobs.LAYOUT_GROUPS, jobs.GROUP_EDGES])
def test_results_that_count_groups_are_kept_per_grouping(analysed, job):
    """Advocates' bridging, brokers' roles, community labels and group layouts count groups: another grouping is another result."""
    department = get(analysed, job, "2026-10")
    _, location = snapshot_result(analysed, job, "2026-10", AnalysisOptions(by="location"))
    assert location != department
    assert get(analysed, job, "2026-10") == department
    assert get(analysed, job, "2026-10", by="location") == location


def test_advocates_by_location_count_locations(analysed):
    _, found = snapshot_result(analysed, jobs.ADVOCATES, "2026-10", AnalysisOptions(by="location"))
    locations = analysed.people()["location"].dropna().nunique()
    assert any(f"of {locations} locations" in text for text in found.table.column("explain").to_pylist())
    assert not any("departments" in text for text in found.table.column("explain").to_pylist())


def test_other_attributes_are_computed_on_demand(analysed):
    assert find(analysed, jobs.SILOS, "2026-10", by="location") is None
    label, silos = snapshot_result(analysed, jobs.SILOS, "2026-10", AnalysisOptions(by="location"))
    assert label == "2026-10"
    assert set(silos.table.column("group").to_pylist()) == set(analysed.people()["location"].dropna())
    assert get(analysed, jobs.SILOS, "2026-10", by="location") == silos
    # The department grouping is kept beside it, under its own key.
    departments = get(analysed, jobs.SILOS, "2026-10")
    assert set(departments.table.column("group").to_pylist()) == set(analysed.people()["department"].dropna())
    stored = analysed.results()
    assert set(stored.loc[(stored["job"] == jobs.SILOS.name) & (stored["snapshot"] == "2026-10"), "by"]) == {"department", "location"}


def test_unknown_periods_are_clear_errors(analysed):
    with pytest.raises(OrgnetError, match="no ties in 2027-01"):
        analyze(analysed, "2027-01")


def test_the_planted_advocates_rank_on_top(analysed, truths):
    table = get(analysed, jobs.ADVOCATES, "2026-10").table.sort_by("rank").to_pylist()
    top = [row["person_id"] for row in table[: len(truths["advocates"])]]
    assert set(top) == set(truths["advocates"])
    assert all(row["explain"] for row in table[:10])


def test_reach_matches_the_exact_unions_of_the_samples(analysed, truths):
    reach = get(analysed, jobs.REACH, "2026-10")
    platforms = {row["platform"]: row for row in reach.platforms.to_pylist()}
    for platform, unique in truths["audiences"]["unique_person_followers"].items():
        assert platforms[platform]["unique_followers"] == unique
        assert platforms[platform]["method"] == "exact"
    brand = {row["platform"]: row for row in reach.brand.to_pylist()}
    assert brand["linkedin"]["union"] == truths["audiences"]["unique_all_followers"]["linkedin"]
    assert brand["linkedin"]["employees_only"] == truths["audiences"]["person_followers_not_following_brand"]["linkedin"]
    curve = reach.squad_curve.to_pylist()
    assert [row["k"] for row in curve] == list(range(1, len(curve) + 1))
    assert all(later["unique_reach"] >= earlier["unique_reach"] for earlier, later in itertools.pairwise(curve))


def test_leader_led_campaigns_get_reach_from_leaders(analysed, truths):
    rows = {row["content_id"]: row for row in get(analysed, jobs.CAMPAIGNS, "2026-10").table.to_pylist()}
    for campaign in truths["engagement"]["campaigns"]:
        if campaign["content_id"] in rows:
            row = rows[campaign["content_id"]]
            assert (row["leaders"] > 0) == campaign["leader_led"]
            assert (row["leader_reach"] > 0) == campaign["leader_led"]


def test_a_forked_worker_gives_the_same_results(sample_store_path):
    from orgnet.analysis import load_snapshot, run_jobs

    store = SQLiteStore(sample_store_path)
    data = load_snapshot(store, "2026-10")
    store.close()
    alone, _ = run_jobs(data, AnalysisOptions(layout=False, workers=1))
    forked, _ = run_jobs(data, AnalysisOptions(layout=False, workers=2))
    assert forked[jobs.BROKERS.name] == alone[jobs.BROKERS.name]
    assert forked[jobs.ADVOCATES.name] == alone[jobs.ADVOCATES.name]


def test_an_analysis_with_a_worker_stores_what_one_without_stores(sample_store_path, tmp_path):
    # The worker starts before the audiences, followers and engagement are read: every job still sees them all.
    import shutil

    from orgnet.analysis import snapshot_jobs

    stored = []
    for workers in (1, 2):
        path = tmp_path / f"workers-{workers}.db"
        shutil.copy(sample_store_path, path)
        with SQLiteStore(path) as store:
            analyze(store, "2026-10", options=AnalysisOptions(workers=workers))
            stored.append({job.name: get(store, job, "2026-10") for job in snapshot_jobs()})
    alone, forked = stored
    assert forked == alone
    assert forked[jobs.REACH.name].employees.known > 0 and len(forked[jobs.CAMPAIGNS.name].table) > 0
    assert forked[jobs.ADVOCATES.name].table.column("actions_per_month").to_pylist() != [0.0] * 300


def test_a_failing_job_beside_a_worker_still_joins_it_and_unfreezes_the_collector(sample_store_path, monkeypatch):
    import gc
    import multiprocessing

    import orgnet.analysis as analysis

    store = SQLiteStore(sample_store_path)
    data = analysis.load_snapshot(store, "2026-10")
    store.close()

    def broken(*args, **kwargs):
        raise ValueError("advocates exploded")

    # Advocates runs in this process while the worker computes brokers.
    monkeypatch.setattr("orgnet.advocates.advocates", broken)
    before = gc.get_freeze_count()
    with pytest.raises(ValueError, match="advocates exploded"):
        analysis.run_jobs(data, AnalysisOptions(layout=False, workers=2))
    assert gc.get_freeze_count() == before and multiprocessing.active_children() == []


def test_a_failing_worker_raises_in_the_parent(sample_store_path, monkeypatch):
    import orgnet.analysis as analysis

    store = SQLiteStore(sample_store_path)
    data = analysis.load_snapshot(store, "2026-10")
    store.close()

    def broken(*args, **kwargs):
        raise ValueError("brokers exploded")

    # The brokers job looks its function up when it runs, in the worker too.
    monkeypatch.setattr("orgnet.brokers.brokers", broken)
    with pytest.raises(ValueError, match="brokers exploded"):
        analysis.run_jobs(data, AnalysisOptions(layout=False, workers=2))


def test_engagement_trends_look_back_before_a_one_month_snapshot(analysed, truths):
    from orgnet.analysis import engagement_span

    assert engagement_span("2026-10", "2026-10", 3) == ("2026-08", "2026-10")
    assert engagement_span("2026-01", "2026-12", 3) == ("2026-01", "2026-12")
    assert engagement_span("2026-W40", "2026-W40", 1) == ("2026-09", "2026-10")
    # The emerging advocates started acting in month four: by 2026-10 their trend is rising.
    rows = {row["person_id"]: row for row in get(analysed, jobs.ADVOCATES, "2026-10").table.to_pylist()}
    for person in truths["emerging_advocates"]:
        assert rows[person]["engagement_trend"] > 0
        assert "rising" in rows[person]["explain"]


def test_a_snapshots_arrays_are_those_of_its_networkx_graph_and_the_graph_waits_until_asked(analysed):
    import numpy as np

    from orgnet.analysis import load_snapshot, snapshot_from_tables
    from orgnet.engine import index_graph
    from orgnet.graph import people_graph

    people = analysed.people()
    # Drop a roster line so that some people are known only from ties, as in a Viva export.
    ties = analysed.ties("2026-09", "2026-10")
    kept = people[people["person_id"] != ties["source"].iloc[0]]
    for data, roster in (
        (load_snapshot(analysed, "2026-09", "2026-10"), people),
        (snapshot_from_tables("x", "2026-09", "2026-10", kept, ties), kept),
    ):
        assert "graph" not in data.__dict__
        oracle = people_graph(ties, roster)
        expected = index_graph(oracle)
        assert data.indexed.nodes == expected.nodes
        ours = sorted(zip(data.indexed.sources.tolist(), data.indexed.targets.tolist(), data.indexed.weights.round(9).tolist()))
        theirs = sorted(zip(expected.sources.tolist(), expected.targets.tolist(), expected.weights.round(9).tolist()))
        assert ours == theirs
        assert np.isclose(data.indexed.weights.sum(), ties["weight"].sum())
        graph = data.graph
        assert list(graph) == list(oracle) and dict(graph.edges) == dict(oracle.edges)
        assert dict(graph.nodes) == dict(oracle.nodes)


class _NetworkXContext(jobs.JobContext):
    """A job context whose functions read the snapshot's NetworkX graph: what every job read before the arrays did."""

    @property
    def graph(self):
        return self.data.graph


@pytest.mark.parametrize("by", ["department", "location", "level", "title"])
def test_the_jobs_never_build_the_networkx_graph_and_give_what_it_gives(sample_store_path, by):
    from orgnet.analysis import load_snapshot, run_jobs, snapshot_from_tables, snapshot_jobs

    store = SQLiteStore(sample_store_path)
    people, ties = store.people(), store.ties("2026-09", "2026-10")
    loaded = load_snapshot(store, "2026-09", "2026-10")
    store.close()
    # People known only from ties (no attributes), as in a Viva export: past the end of the attribute table.
    roster = people[~people["person_id"].isin(ties["source"].iloc[:3])]
    tables = (loaded.audiences, loaded.followers, loaded.engagement, loaded.engagement_window)
    snapshots = [loaded, snapshot_from_tables("x", "2026-09", "2026-10", roster, ties, *tables)]
    options = AnalysisOptions(by=by, workers=1)
    for data in snapshots:
        results, _ = run_jobs(data, options)
        assert "graph" not in data.__dict__
        oracle = _NetworkXContext(data, options)
        for job in snapshot_jobs(options):
            assert results[job.name] == oracle.result(job), job.name
        assert "graph" in data.__dict__
