"""The graph kernels the jobs build on, behind one interface: the local engine's or Neo4j GDS's.

A job asks its :class:`~orgnet.jobs.JobContext` for ``context.kernels`` and never knows which engine
answers. :class:`Kernels` lists the kernel results the jobs need (PageRank, eigenvector centrality,
the Leiden partition, betweenness, weak components, articulation points, bridges, local clustering and
transitivity), each aligned with the nodes of the snapshot's :class:`~orgnet.engine.IndexedGraph`.
:class:`LocalKernels` computes them in this process, with the functions library users call
(:func:`orgnet.advocates.pagerank`, :func:`orgnet.brokers.betweenness`...), on igraph and SciPy;
:class:`orgnet.gds.GdsKernels` runs them inside Neo4j's Graph Data Science library on the snapshot's
projection and reads back one value per person. Everything else a job computes (silos, carriers,
structural holes, reach, layouts) runs locally on those results and the snapshot's tie arrays.

:func:`open_kernels` gives an analysis the kernels of the engine it was asked for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from orgnet.engine import IndexedGraph, PeopleGraph
from orgnet.errors import OrgnetError

if TYPE_CHECKING:
    from orgnet.analysis import SnapshotData
    from orgnet.brokers import Betweenness
    from orgnet.communities import Communities
    from orgnet.store import Store

__all__ = ["ENGINES", "PROJECTION_SEED", "Kernels", "LocalKernels", "check_engine", "kernels_of", "open_kernels"]

#: The engines an analysis can run on.
ENGINES = ("local", "gds")
#: Seed of the order in which :func:`open_kernels` hands a snapshot's people to GDS.
PROJECTION_SEED = 0


class Kernels(Protocol):
    """The kernel results of one snapshot's graph, each aligned with ``indexed.nodes``.

    Attributes
    ----------
    engine : which engine computes them (one of :data:`ENGINES`).
    indexed : the graph's nodes and tie arrays; every array below is in ``indexed.nodes`` order.
    """

    engine: str
    indexed: IndexedGraph

    def pagerank(self, alpha: float = 0.85) -> np.ndarray:
        """Weighted PageRank of each person, summing to 1 (see :func:`orgnet.advocates.pagerank`)."""
        ...

    def eigenvector(self) -> np.ndarray:
        """Eigenvector centrality of the undirected weighted graph, Euclidean norm 1 (see :func:`orgnet.advocates.eigenvector`)."""
        ...

    def communities(self, resolution: float = 1.0, seed: int | None = 0) -> Communities:
        """The Leiden partition and its modularity (see :func:`orgnet.communities.find_communities`)."""
        ...

    def betweenness(self, k: int | None, exact_limit: int, seed: int | None) -> Betweenness:
        """Normalised directed betweenness, path length ``1 / weight``, exact or from ``k`` pivots (see :func:`orgnet.brokers.betweenness`)."""
        ...

    def weak_components(self) -> np.ndarray:
        """Weakly connected component label of each person (isolated people alone)."""
        ...

    def articulation_points(self) -> np.ndarray:
        """Node indices of the people whose removal disconnects the undirected graph, ascending."""
        ...

    def bridges(self) -> np.ndarray:
        """``(B, 2)`` node indices ``(low, high)`` of the undirected ties whose removal disconnects the graph, sorted."""
        ...

    def local_clustering(self) -> np.ndarray:
        """Local clustering of each person on the undirected simple graph, 0 below two neighbours."""
        ...

    def transitivity(self) -> float:
        """Closed triplets over connected triplets of the undirected simple graph (0 without triplets)."""
        ...


class LocalKernels:
    """The kernels computed in this process, on igraph and SciPy, by orgnet's NetworkX-style functions.

    Parameters
    ----------
    G : the people graph, or its :class:`~orgnet.engine.IndexedGraph` (used as it is).
    indexed : its :class:`~orgnet.engine.IndexedGraph` (built from ``G`` with ``weight`` when not given).
    weight : the tie attribute the weighted kernels use (``None``: every tie weighs 1, hop counts for paths).
    """

    engine = "local"

    def __init__(self, G: PeopleGraph, indexed: IndexedGraph | None = None, weight: str | None = "weight"):
        from orgnet.summary import indexed_of

        self.graph = G
        self.indexed = indexed_of(G, indexed, weight)
        self.weight = weight

    def pagerank(self, alpha: float = 0.85) -> np.ndarray:
        from orgnet.advocates import pagerank

        return _values(pagerank(self.graph, alpha, self.weight, indexed=self.indexed))

    def eigenvector(self) -> np.ndarray:
        from orgnet.advocates import eigenvector

        return _values(eigenvector(self.graph, self.weight, indexed=self.indexed))

    def communities(self, resolution: float = 1.0, seed: int | None = 0) -> Communities:
        from orgnet.communities import find_communities

        return find_communities(self.graph, resolution=resolution, weight=self.weight, seed=seed, indexed=self.indexed)

    def betweenness(self, k: int | None, exact_limit: int, seed: int | None) -> Betweenness:
        from orgnet.brokers import betweenness

        return betweenness(self.graph, weight=self.weight, k=k, exact_limit=exact_limit, seed=seed, indexed=self.indexed)

    def weak_components(self) -> np.ndarray:
        from orgnet.summary import component_labels

        indexed = self.indexed
        return component_labels(len(indexed.nodes), indexed.sources, indexed.targets, "weak")

    def articulation_points(self) -> np.ndarray:
        return np.sort(np.asarray(self.indexed.undirected_igraph.articulation_points(), dtype=np.int64))

    def bridges(self) -> np.ndarray:
        # The igraph edges are the rows of undirected_pairs, which are sorted.
        found = np.sort(np.asarray(self.indexed.undirected_igraph.bridges(), dtype=np.int64))
        pairs: np.ndarray = self.indexed.undirected_pairs[found].reshape(-1, 2)
        return pairs

    def local_clustering(self) -> np.ndarray:
        return np.asarray(self.indexed.undirected_igraph.transitivity_local_undirected(mode="zero"), dtype=float)

    def transitivity(self) -> float:
        return float(np.nan_to_num(self.indexed.undirected_igraph.transitivity_undirected(mode="zero")))


def kernels_of(
    G: PeopleGraph, indexed: IndexedGraph | None = None, kernels: Kernels | None = None, weight: str | None = "weight"
) -> Kernels:
    """The kernels a function of ``G`` uses: ``kernels`` when given, else :class:`LocalKernels` of ``G``.

    Raises
    ------
    ValueError
        When ``kernels`` and ``indexed`` number the people differently (their arrays would not line up).
    """
    if kernels is None:
        return LocalKernels(G, indexed, weight)
    if indexed is not None and indexed is not kernels.indexed and indexed.nodes != kernels.indexed.nodes:
        raise ValueError("kernels and indexed number the people differently")
    return kernels


def _values(by_node: dict[Any, float]) -> np.ndarray:
    """A node -> value dict of a function of ``indexed`` as an array in its node order (the dicts keep that order)."""
    return np.fromiter(by_node.values(), dtype=float, count=len(by_node))


def check_engine(store: Store, engine: str) -> None:
    """Raise unless ``engine`` can analyse ``store``: a known engine, and GDS only on a Neo4j store.

    Raises
    ------
    OrgnetError
        For an unknown engine, or ``gds`` on a store that is not Neo4j.
    """
    if engine not in ENGINES:
        raise OrgnetError(f"unknown engine {engine!r}; engines are {', '.join(ENGINES)}")
    if engine == "gds":
        from orgnet.store.neo4j import Neo4jStore

        if not isinstance(store, Neo4jStore):
            raise OrgnetError(
                "--engine gds runs the graph algorithms inside Neo4j Graph Data Science, and this store is not Neo4j; "
                "give a Neo4j store with the GDS plugin (--store bolt://HOST:7687) or analyse with --engine local"
            )


@contextlib.contextmanager
def open_kernels(store: Store, data: SnapshotData, engine: str = "local") -> Iterator[Kernels | None]:
    """The kernels of ``engine`` for the snapshot ``data`` of ``store``, for the length of a ``with`` block.

    ``local`` gives ``None``: each job context then makes its own :class:`LocalKernels`, so that a forked
    worker computes in a context of its own. ``gds`` projects the snapshot into GDS
    (:func:`orgnet.gds.project`, the periods ``data.start`` to ``data.end``, the directed graph's people in
    an order shuffled with :data:`PROJECTION_SEED`, so that GDS's sampled betweenness draws its pivots from
    across the org rather than from the departments listed first; Leiden's undirected graph is numbered by
    person id, see there) and drops the projection when the block ends,
    however it ends.

    Raises
    ------
    OrgnetError
        As :func:`check_engine`.
    """
    check_engine(store, engine)
    if engine == "local":
        yield None
        return
    from orgnet import gds

    people = [str(node) for node in data.indexed.nodes]
    order = [people[i] for i in np.random.default_rng(PROJECTION_SEED).permutation(len(people))]
    with gds.project(store, data.start, data.end, order=order) as projected:  # type: ignore[arg-type]
        yield gds.GdsKernels(projected, data.indexed)
