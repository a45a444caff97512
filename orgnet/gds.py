"""Neo4j Graph Data Science as an engine: a snapshot's tie graph projected inside Neo4j, analysed there.

For graphs that outgrow one orgnet process: the ties stay in the Neo4j store, GDS holds the projected
graph in the server's heap and runs the algorithms there, and orgnet only reads back one row per person.
Each function takes a :class:`GdsGraph` made by :func:`project` and returns a plain pandas frame keyed
by ``person_id``, computed as the local engine computes the same figure (the functions say where GDS's
definition differs). :func:`estimate` tells what the projection and the algorithms would need.
:class:`GdsKernels` hands these results to orgnet's jobs (:mod:`orgnet.kernels`), so that
``orgnet analyze --engine gds`` stores the same typed results as the local engine.

The projection is the graph :func:`orgnet.graph.people_graph` builds from the same snapshot: every
roster person a node (ties or not), and people named only by ties too; one directed relationship per
ordered pair, its ``weight`` the sum of the pair's tie weights over the periods and channels asked for
(only ties of committed ingests, as every store read), and ``distance`` = ``1 / weight`` for shortest
paths. A second, undirected projection holds one relationship per unordered pair with both directions'
weights summed, for the algorithms defined on undirected graphs.

References: the Graph Data Science manual, https://neo4j.com/docs/graph-data-science/ (version 2.13).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from orgnet.brokers import DEFAULT_PIVOTS, Betweenness, error_bound
from orgnet.communities import Communities, partition_of
from orgnet.defaults import DEFAULT_PROBABILITY, DEFAULT_RUNS
from orgnet.engine import IndexedGraph
from orgnet.errors import OrgnetError
from orgnet.store.neo4j import TIE_MATCH, Neo4jStore, tie_parameters

__all__ = [
    "GdsGraph",
    "GdsKernels",
    "articulation_points",
    "betweenness",
    "bridges",
    "celf_seeds",
    "clustering",
    "components",
    "eigenvector",
    "estimate",
    "leiden",
    "pagerank",
    "project",
]

# The projected graphs' nodes: roster people without ties, in the order of ``$rank`` (person_id -> position) when
# given, else by person id, then both ends of every visible tie. GDS numbers nodes as they arrive: its sampled
# betweenness scans that numbering (see betweenness), so the order decides which people it can draw as pivots,
# and Leiden visits nodes in it.
_NODES_AND_PAIRS = f"""
CALL () {{
  MATCH (p:Person) WHERE p.in_roster = true
  WITH p ORDER BY CASE WHEN $rank IS NULL THEN p.person_id ELSE $rank[p.person_id] END
  RETURN p AS s, null AS d, null AS weight
  UNION ALL
  {TIE_MATCH} WITH s, d, n.period AS period, n.channel AS channel, sum(n.count) AS count, sum(n.weight) AS weight
  WHERE count > 0 WITH s, d, sum(weight) AS weight RETURN s, d, weight
}}
"""
_PROJECT_DIRECTED = f"""{_NODES_AND_PAIRS}
WITH gds.graph.project($name, s, d,
       {{relationshipProperties: CASE WHEN d IS NULL THEN null ELSE {{weight: weight, distance: 1.0 / weight}} END}}) AS g
RETURN g.nodeCount, g.relationshipCount
"""
# One relationship per unordered pair: the two directions' weights summed, as orgnet.graph.undirected_graph does.
_PROJECT_UNDIRECTED = f"""{_NODES_AND_PAIRS}
WITH CASE WHEN d IS NULL OR elementId(s) < elementId(d) THEN s ELSE d END AS a,
     CASE WHEN d IS NULL OR elementId(s) < elementId(d) THEN d ELSE s END AS b, weight
WITH a, b, sum(weight) AS weight
WITH gds.graph.project($name, a, b, {{relationshipProperties: CASE WHEN b IS NULL THEN null ELSE {{weight: weight}} END}},
                       {{undirectedRelationshipTypes: ['*']}}) AS g
RETURN g.nodeCount, g.relationshipCount
"""
_PERSON = "gds.util.asNode(nodeId).person_id"


@dataclass(frozen=True)
class GdsGraph:
    """A snapshot projected into GDS's catalog: its directed and undirected graphs' names and sizes.

    Use it as a context manager (or call :meth:`drop`) so that the server frees the heap it holds.
    """

    store: Neo4jStore
    directed: str
    undirected: str
    node_count: int
    relationship_count: int

    def drop(self) -> None:
        """Remove both graphs from GDS's catalog."""
        for name in (self.directed, self.undirected):
            self.store._read("CALL gds.graph.drop($name, false) YIELD graphName RETURN graphName", name=name)

    def __enter__(self) -> GdsGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop()

    def stream(self, cypher: str, undirected: bool = False, **config: Any) -> list[list[Any]]:
        """Rows of a GDS ``stream`` call on the directed (or the undirected) graph, ``$config`` bound to ``config``."""
        return self.store._read(cypher, name=self.undirected if undirected else self.directed, config=config)


def project(
    store: Neo4jStore,
    start: str | None = None,
    end: str | None = None,
    channels: Sequence[str] | None = None,
    order: Sequence[str] | None = None,
) -> GdsGraph:
    """Project the people graph of the periods ``start`` to ``end`` (and ``channels``) into GDS.

    Parameters
    ----------
    store : an open Neo4j store on a server with the GDS plugin.
    start, end : first and last period, inclusive (``None``: open).
    channels : the channels to keep (``None``: all).
    order : person ids in the order GDS should number the roster people of the *directed* graph (``None``:
        by person id, in which a synthetic or imported org often lists whole departments one after
        another). Give a shuffled order (as :func:`orgnet.kernels.open_kernels` does) so that
        :func:`betweenness`'s pivots, drawn on the directed graph, are not drawn from a few departments.
        The undirected graph, Leiden's, is always numbered by person id, the order the local engine's
        Leiden visits them in: its local moves visit nodes in their numbering, and on the 50,000-person
        benchmark org a shuffled numbering cost its communities 0.044 of NMI against departments (0.948
        against the local engine's 0.992) where this order cost 0.016. (Numbered in Neo4j's own order,
        which follows the node ids an earlier DETACH DELETE freed, the samples' NMI moved by 0.035.)

    Returns
    -------
    :class:`GdsGraph`; drop it when done (it holds server heap).

    Notes
    -----
    Cypher projections (``gds.graph.project`` as an aggregation): the ties are summed per pair by the
    server, which ships none of them to orgnet. O(ties) time, and in the server's heap about the
    :func:`estimate` of ``projection``.
    """
    tag = uuid.uuid4().hex[:12]
    parameters = tie_parameters(start, end, channels)
    rank = None if order is None else {str(p): i for i, p in enumerate(order)}
    directed, undirected = f"orgnet-{tag}", f"orgnet-{tag}-undirected"
    nodes, relationships = store._read(_PROJECT_DIRECTED, name=directed, rank=rank, **parameters)[0]
    store._read(_PROJECT_UNDIRECTED, name=undirected, rank=None, **parameters)
    return GdsGraph(store, directed, undirected, nodes, relationships)


def _frame(rows: list[list[Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records([tuple(row) for row in rows], columns=columns)
    return frame.sort_values(columns[0], ignore_index=True)


def _scores(graph: GdsGraph, procedure: str, column: str, undirected: bool = False, **config: Any) -> pd.DataFrame:
    """``person_id`` and ``column``: the scores of ``gds.<procedure>.stream`` (weighted by ``weight`` unless ``config`` says)."""
    config.setdefault("relationshipWeightProperty", "weight")
    rows = graph.stream(f"CALL gds.{procedure}.stream($name, $config) YIELD nodeId, score RETURN {_PERSON}, score", undirected, **config)
    return _frame(rows, ["person_id", column])


def pagerank(graph: GdsGraph, alpha: float = 0.85, max_iterations: int = 200, tolerance: float = 1e-10) -> pd.DataFrame:
    """Weighted PageRank (``gds.pageRank``) of every person, scaled to sum to 1.

    ``PR(v) = (1 - alpha) + alpha * sum_u PR(u) w_uv / W_u`` over the directed weighted graph, iterated
    to ``tolerance``, then divided by its sum. Unlike :func:`orgnet.advocates.pagerank` (NetworkX's
    definition), GDS does not hand the rank of people without out-ties back to everyone; the orders agree
    at the top (tested on the samples: the same ten first).

    Returns
    -------
    DataFrame ``person_id``, ``pagerank``, sorted by ``person_id``.

    References
    ----------
    Page, Brin, Motwani & Winograd (1999). The PageRank citation ranking: bringing order to the web.
    """
    frame = _scores(graph, "pageRank", "pagerank", dampingFactor=alpha, maxIterations=max_iterations, tolerance=tolerance)
    total = frame["pagerank"].sum()
    frame["pagerank"] = frame["pagerank"] / total if total else frame["pagerank"]
    return frame


def eigenvector(graph: GdsGraph, max_iterations: int = 300, tolerance: float = 1e-10) -> pd.DataFrame:
    """Eigenvector centrality as GDS defines it (``gds.eigenvector``) on the undirected weighted graph, norm 1.

    A person is central when tied to central people. GDS iterates ``x <- A D^-1 x`` (normalised to
    Euclidean norm 1), where ``A`` sums both directions of a tie (``a_uv = w_uv + w_vu``) and ``D`` holds
    each person's total tie weight: it divides each person's weights by their total, so this is the
    leading eigenvector of the degree-normalised matrix, not of ``A`` itself as in
    :func:`orgnet.advocates.eigenvector` (Bonacich's definition, which orgnet's advocates use).

    Returns
    -------
    DataFrame ``person_id``, ``eigenvector``.

    Notes
    -----
    On the bundled samples the two definitions put 16 of the same people among their 20 leaders,
    and the values differ by up to 0.06. Power iteration converges at the rate of the matrix's two
    largest eigenvalues' ratio, slowly on a graph of tight departments: ``max_iterations`` bounds it.

    References
    ----------
    Bonacich (1972). Factoring and weighting approaches to status scores and clique identification.
    """
    return _scores(graph, "eigenvector", "eigenvector", undirected=True, maxIterations=max_iterations, tolerance=tolerance)


def leiden(graph: GdsGraph, resolution: float = 1.0, seed: int | None = 7) -> pd.DataFrame:
    """Communities by the Leiden algorithm (``gds.leiden``) on the undirected weighted graph.

    Maximises modularity ``Q = 1/(2m) sum_ij (A_ij - gamma k_i k_j / (2m)) delta(c_i, c_j)`` with
    resolution ``gamma``, refining each partition so that communities stay connected.

    Returns
    -------
    DataFrame ``person_id``, ``community`` (an integer label); ``frame.attrs["modularity"]`` holds
    the partition's modularity as GDS computes it.

    Notes
    -----
    GDS's Leiden runs on several threads, so a seed makes it repeatable only on one; compare partitions
    by their modularity (:func:`orgnet.communities.modularity`), not label by label.

    References
    ----------
    Traag, Waltman & van Eck (2019). From Louvain to Leiden: guaranteeing well-connected communities.
    """
    config: dict[str, Any] = {"gamma": resolution, "relationshipWeightProperty": "weight", "includeIntermediateCommunities": False}
    if seed is not None:
        config.update(randomSeed=seed, concurrency=1)
    rows = graph.stream(
        f"CALL gds.leiden.stream($name, $config) YIELD nodeId, communityId RETURN {_PERSON}, communityId", undirected=True, **config
    )
    frame = _frame(rows, ["person_id", "community"])
    stats = graph.stream("CALL gds.leiden.stats($name, $config) YIELD modularity RETURN modularity", undirected=True, **config)
    frame.attrs["modularity"] = stats[0][0]
    return frame


def betweenness(graph: GdsGraph, pivots: int | None = None, seed: int = 7) -> pd.DataFrame:
    r"""Shortest-path betweenness (``gds.betweenness``), directed, path length ``1 / weight``, normalised.

    ``b(v) = sum_{s != v != t} sigma_st(v) / sigma_st``, divided by ``(n - 1)(n - 2)`` as
    :func:`orgnet.brokers.betweenness` does; exact when ``pivots`` is ``None`` (or ``>= n``), else from
    ``pivots`` source nodes that GDS picks with ``seed``.

    GDS 2.13's pivots (``RandomDegreeSelectionStrategy``): each of its threads scans its own block of GDS's
    node numbering from the start and takes each node with probability ``out-degree / max out-degree``
    until ``pivots`` are taken in all, so the pivots are the first accepted nodes of a few blocks of that
    numbering (:func:`project` decides it; give it a shuffled ``order``), drawn towards high out-degree.
    GDS returns the dependencies summed over its pivots, not extrapolated; they are scaled here by
    ``n / pivots``, the factor that makes the sum unbiased for uniform pivots, so that sampled values
    are on the local engine's scale. Under GDS's degree-leaning draw it is an estimate of betweenness
    with the sources weighted by out-degree (unbiased for ``b`` only where out-degrees are equal).

    Returns
    -------
    DataFrame ``person_id``, ``betweenness``.

    References
    ----------
    Brandes (2001). A faster algorithm for betweenness centrality. Brandes & Pich (2007). Centrality
    estimation in large networks.
    """
    config: dict[str, Any] = {"relationshipWeightProperty": "distance"}
    n = graph.node_count
    sampled = pivots is not None and pivots < n
    if sampled:
        config.update(samplingSize=pivots, samplingSeed=seed)
    frame = _scores(graph, "betweenness", "betweenness", **config)
    if n > 2:
        frame["betweenness"] = frame["betweenness"] * ((n / pivots) if sampled and pivots else 1.0) / ((n - 1) * (n - 2))
    return frame


def components(graph: GdsGraph) -> pd.DataFrame:
    """Weakly connected components (``gds.wcc``): DataFrame ``person_id``, ``component`` (an integer label).

    Run on the undirected graph, whose components are the weak components by definition: on the directed
    projection of the 50,000-person benchmark org GDS 2.13's WCC found 3,003 components where there is one.
    """
    rows = graph.stream(f"CALL gds.wcc.stream($name, $config) YIELD nodeId, componentId RETURN {_PERSON}, componentId", undirected=True)
    return _frame(rows, ["person_id", "component"])


def articulation_points(graph: GdsGraph) -> pd.DataFrame:
    """People whose removal disconnects their component (``gds.articulationPoints``), on the undirected graph.

    Returns
    -------
    DataFrame ``person_id``, sorted; the set :func:`orgnet.fragility.articulation_points` finds.
    """
    rows = graph.stream(f"CALL gds.articulationPoints.stream($name, $config) YIELD nodeId RETURN {_PERSON}", undirected=True)
    return _frame(rows, ["person_id"])


def bridges(graph: GdsGraph) -> pd.DataFrame:
    """Ties whose removal disconnects their component (``gds.bridges``), on the undirected graph.

    Returns
    -------
    DataFrame ``source``, ``target`` with ``source < target``, sorted; the set
    :func:`orgnet.fragility.bridges` finds.
    """
    rows = graph.stream(
        "CALL gds.bridges.stream($name, $config) YIELD from, to "
        "WITH gds.util.asNode(from).person_id AS a, gds.util.asNode(to).person_id AS b "
        "RETURN CASE WHEN a < b THEN a ELSE b END, CASE WHEN a < b THEN b ELSE a END",
        undirected=True,
    )
    return _frame(rows, ["source", "target"]).sort_values(["source", "target"], ignore_index=True)


def clustering(graph: GdsGraph) -> pd.DataFrame:
    """Triangles through each person and local clustering (``gds.triangleCount``, ``gds.localClusteringCoefficient``).

    ``C(v) = 2 T(v) / (k_v (k_v - 1))`` on the undirected simple graph (``k_v`` distinct neighbours),
    0 below two neighbours: NetworkX's ``triangles`` and unweighted ``clustering``.

    Returns
    -------
    DataFrame ``person_id``, ``triangles``, ``clustering``.
    """
    triangles = graph.stream(
        f"CALL gds.triangleCount.stream($name, $config) YIELD nodeId, triangleCount RETURN {_PERSON}, triangleCount", True
    )
    local = graph.stream(
        f"CALL gds.localClusteringCoefficient.stream($name, $config) YIELD nodeId, localClusteringCoefficient "
        f"RETURN {_PERSON}, localClusteringCoefficient",
        True,
    )
    return _frame(triangles, ["person_id", "triangles"]).merge(_frame(local, ["person_id", "clustering"]), on="person_id")


def celf_seeds(graph: GdsGraph, k: int, probability: float = DEFAULT_PROBABILITY, runs: int = DEFAULT_RUNS, seed: int = 7) -> pd.DataFrame:
    """``k`` people to start a message from, chosen by GDS's CELF (``gds.influenceMaximization.celf``).

    What ``orgnet reach --seeds K --engine gds`` runs (:func:`orgnet.analysis.snapshot_spread_seeds`).

    The local :func:`orgnet.spread.celf_seeds` inside Neo4j: greedy seeds maximising the expected spread
    ``sigma(S) = E[|R(S)|]`` of the independent cascade on the directed tie graph, every tie live with
    the same ``probability``, ``sigma`` estimated from ``runs`` Monte Carlo cascades (``seed``), with
    CELF's lazy re-evaluation of marginal gains (Leskovec et al. 2007).

    Returns
    -------
    DataFrame ``rank`` (1..k, the order GDS chose them), ``person_id``, ``gain`` (GDS's estimate of the
    seed's marginal spread).

    Notes
    -----
    GDS takes one probability for every tie (no weight-derived ones, unlike the local ``scale=``) and
    reports the gain of each seed but no standard error. Its gains are not the independent cascade's:
    GDS 2.13 makes a new ``SplittableRandom(randomSeed + simulation)`` for every person a cascade
    reaches and draws one number per relationship, so within a simulation the k-th relationship of
    every person (in GDS's adjacency order) shares one draw, and ties are live or dead together. Those
    correlated cascades reach further: on the samples (p = 0.1, 300 runs) GDS gives the first seed a
    spread of 52.1, exactly what that model gives when replayed (``tests/test_gds.py``), where the
    independent cascade of :func:`orgnet.spread.expected_spread` gives the same person 36.8 (stderr
    0.4). So GDS's later seeds are chosen on other gains than the local engine's; compare seed sets by
    scoring both with :func:`orgnet.spread.expected_spread` on the same cascades: on the samples GDS
    picks the local engine's first seed, and its three seeds reach 57.7 people where the local greedy
    three reach 60.5 (stderr 0.4): within 5%, not within the Monte Carlo error. The shared draws follow
    adjacency positions, so the picks depend on how the directed graph numbers the people: give
    :func:`project` an ``order`` (as :func:`orgnet.kernels.open_kernels` does) for the same picks on
    any copy of the data whose tie ends are all roster people (people only ties name are numbered after
    them, as the database returns them); without one, the numbering follows the database's node ids.
    O(k * runs * (reach size)) after a first pass over every person, on the server's threads.

    References
    ----------
    Leskovec, Krause, Guestrin, Faloutsos, VanBriesen & Glance (2007). Cost-effective outbreak detection
    in networks. KDD. Kempe, Kleinberg & Tardos (2003). Maximizing the spread of influence through a
    social network. KDD.
    """
    if not 0 <= probability <= 1:
        raise ValueError("probability must lie in [0, 1]")
    config: dict[str, Any] = {
        "seedSetSize": int(k),
        "propagationProbability": float(probability),
        "monteCarloSimulations": int(runs),
        "randomSeed": seed,
    }
    rows = graph.stream(
        f"CALL gds.influenceMaximization.celf.stream($name, $config) YIELD nodeId, spread RETURN {_PERSON}, spread", **config
    )
    # GDS's rows come in no promised order; greedy gains never grow from one pick to the next, so rank by gain.
    frame = pd.DataFrame.from_records([tuple(row) for row in rows], columns=["person_id", "gain"])
    frame = frame.sort_values(["gain", "person_id"], ascending=[False, True], ignore_index=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


class GdsKernels:
    """The kernels of :mod:`orgnet.kernels` computed by GDS on a projected snapshot, aligned with ``indexed``.

    Parameters
    ----------
    graph : the snapshot's projection (:func:`project`); the caller drops it.
    indexed : the same snapshot's :class:`~orgnet.engine.IndexedGraph` (as :func:`orgnet.analysis.load_snapshot`
        builds it): its node order is the order of every array returned, and the figures GDS leaves to the
        caller (modularity of the partition, the triplets of transitivity) are computed on its arrays.

    Notes
    -----
    Where GDS's definition differs from the local engine's, the result is GDS's (see each function
    above): PageRank does not hand back the rank of people without out-ties, eigenvector centrality is
    that of the degree-normalised matrix, sampled betweenness draws its pivots GDS's way (see
    :meth:`betweenness` for its standard error).

    Raises
    ------
    OrgnetError
        When the projection and ``indexed`` do not hold the same people.
    """

    engine = "gds"

    def __init__(self, graph: GdsGraph, indexed: IndexedGraph):
        self.graph = graph
        self.indexed = indexed
        self._people = pd.Index([str(node) for node in indexed.nodes])

    def _positions(self, people: pd.Series) -> np.ndarray:
        """Index in ``indexed.nodes`` of each person id GDS returned."""
        positions = self._people.get_indexer(pd.Index(people.astype(str)))
        if (positions < 0).any():
            raise OrgnetError(f"GDS returned {int((positions < 0).sum())} people the snapshot does not hold; analyse it again")
        return positions

    def _aligned(self, frame: pd.DataFrame, column: str) -> np.ndarray:
        """``frame[column]`` (one row per person) in ``indexed.nodes`` order."""
        if len(frame) != len(self._people):
            raise OrgnetError(f"GDS projected {len(frame):,} people, the snapshot holds {len(self._people):,}; analyse it again")
        values = np.empty(len(frame), dtype=frame[column].to_numpy().dtype)
        values[self._positions(frame["person_id"])] = frame[column].to_numpy()
        return values

    def pagerank(self, alpha: float = 0.85) -> np.ndarray:
        return self._aligned(pagerank(self.graph, alpha), "pagerank").astype(float)

    def eigenvector(self) -> np.ndarray:
        return self._aligned(eigenvector(self.graph), "eigenvector").astype(float)

    def communities(self, resolution: float = 1.0, seed: int | None = 0) -> Communities:
        labels = self._aligned(leiden(self.graph, resolution, seed), "community")
        return partition_of(self.indexed, labels, method="leiden-gds", resolution=resolution, seed=seed)

    def betweenness(self, k: int | None, exact_limit: int, seed: int | None) -> Betweenness:
        r"""Betweenness by :func:`betweenness`, with the local engine's :class:`~orgnet.brokers.Betweenness` fields.

        When sampled, GDS returns only the pivots' summed dependencies, not each pivot's, so the local
        engine's batch-means standard error cannot be formed. ``stderr`` holds instead an upper bound on
        the standard error of ``k`` uniform pivots, from the pivot count and the estimate alone: a
        normalised dependency lies in [0, 1] with mean the normalised betweenness :math:`B_v`, so its
        variance is at most :math:`B_v (1 - B_v)` (Bhatia & Davis 2000) and
        :math:`se_v \le \sqrt{B_v (1 - B_v)(1 - k/(n-1)) / k}`, with the estimate for :math:`B_v`.
        ``error_bound`` is the local engine's Hoeffding bound for ``k`` pivots
        (:func:`orgnet.brokers.error_bound`). Both describe uniform pivots; GDS's lean towards
        high out-degree (see :func:`betweenness`), which they do not cover.
        """
        n = len(self.indexed.nodes)
        pivots = None if (k is None and n <= exact_limit) or (k is not None and k >= n) else (k or DEFAULT_PIVOTS)
        values = self._aligned(betweenness(self.graph, pivots, seed or 0), "betweenness").astype(float)
        nodes = self.indexed.nodes
        if pivots is None:
            stderr, bound = np.zeros(n), 0.0
        else:
            share = np.clip(values, 0.0, 1.0)
            stderr = np.sqrt(share * (1.0 - share) * max(1.0 - pivots / (n - 1), 0.0) / pivots)
            bound = error_bound(n, pivots)
        return Betweenness(
            values=dict(zip(nodes, values.tolist())),
            stderr=dict(zip(nodes, stderr.tolist())),
            exact=pivots is None,
            pivots=n if pivots is None else pivots,
            error_bound=bound,
            confidence=0.95,
            normalized=True,
            weight="weight",
            distance="inverse",
            seed=seed,
        )

    def weak_components(self) -> np.ndarray:
        return self._aligned(components(self.graph), "component").astype(np.int64)

    def articulation_points(self) -> np.ndarray:
        return np.sort(self._positions(articulation_points(self.graph)["person_id"])).astype(np.int64)

    def bridges(self) -> np.ndarray:
        found = bridges(self.graph)
        ends = np.column_stack([self._positions(found["source"]), self._positions(found["target"])]).astype(np.int64)
        pairs = np.sort(ends, axis=1).reshape(-1, 2)
        order = np.lexsort((pairs[:, 1], pairs[:, 0]))
        return pairs[order]

    @cached_property
    def _clustering(self) -> pd.DataFrame:
        """:func:`clustering`, asked once for both figures that read it."""
        return clustering(self.graph)

    def local_clustering(self) -> np.ndarray:
        return self._aligned(self._clustering, "clustering").astype(float)

    def transitivity(self) -> float:
        # 3 x triangles / connected triplets; each triangle counted at its three corners by GDS.
        degree = np.diff(self.indexed.tie_pattern.indptr).astype(float)
        triplets = float((degree * (degree - 1) / 2).sum())
        return float(self._clustering["triangles"].sum()) / triplets if triplets else 0.0


#: What :func:`estimate` sizes: the algorithm's estimate procedure and the graph it runs on.
_ESTIMATES = {
    "pagerank": ("gds.pageRank.stream.estimate", "NATURAL"),
    "eigenvector": ("gds.eigenvector.stream.estimate", "UNDIRECTED"),
    "leiden": ("gds.leiden.stream.estimate", "UNDIRECTED"),
    "betweenness": ("gds.betweenness.stream.estimate", "NATURAL"),
    "components": ("gds.wcc.stream.estimate", "UNDIRECTED"),
    "articulation_points": ("gds.articulationPoints.stream.estimate", "UNDIRECTED"),
    "clustering": ("gds.localClusteringCoefficient.stream.estimate", "UNDIRECTED"),
}


def estimate(store: Neo4jStore, start: str | None = None, end: str | None = None, channels: Sequence[str] | None = None) -> pd.DataFrame:
    """GDS's memory estimate for projecting a snapshot and running each algorithm on it, before doing either.

    Counts the snapshot's people and tie pairs (one cheap Cypher count), then asks GDS's ``estimate``
    procedures about a graph of that size, so that a Neo4j can be sized (``server.memory.heap.max_size``)
    before anything is projected.

    Returns
    -------
    DataFrame ``step`` (``projection`` then each algorithm), ``bytes_min``, ``bytes_max``,
    ``required_memory`` (GDS's words, as ``"[12 MiB ... 40 MiB]"``).
    """
    nodes, pairs = store._read(
        f"CALL () {{ {_NODES_AND_PAIRS} RETURN count(DISTINCT s) + count(DISTINCT d) AS ends, count(d) AS pairs }} RETURN ends, pairs",
        **tie_parameters(start, end, channels),
        rank=None,
    )[0]
    rows = []
    fictive = {"nodeCount": nodes, "relationshipCount": pairs, "nodeProjection": "*"}
    projection = store._read(
        "CALL gds.graph.project.estimate('*', {R: {type: '*', properties: ['weight', 'distance']}}, {nodeCount: $n, relationshipCount: $m}) "
        "YIELD bytesMin, bytesMax, requiredMemory RETURN bytesMin, bytesMax, requiredMemory",
        n=nodes,
        m=pairs,
    )
    rows.append(["projection", *projection[0]])
    for step, (procedure, orientation) in _ESTIMATES.items():
        config = {**fictive, "relationshipProjection": {"R": {"type": "*", "orientation": orientation, "properties": "weight"}}}
        found = store._read(
            f"CALL {procedure}($config, {{}}) YIELD bytesMin, bytesMax, requiredMemory RETURN bytesMin, bytesMax, requiredMemory",
            config=config,
        )
        rows.append([step, *found[0]])
    return pd.DataFrame.from_records([tuple(row) for row in rows], columns=["step", "bytes_min", "bytes_max", "required_memory"])
