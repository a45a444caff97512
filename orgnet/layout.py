"""Graph layouts: where each person (and each group) sits in the network explorer.

Layouts are computed once per period by a job and stored as plain tables
(``person_id, x, y`` and ``group, x, y, size, internal_weight``), so the
browser never waits for a force simulation and two renderings of the same
period look the same.

Two strategies, chosen by graph size (``method="auto"``):

``"fr"`` (up to ``fr_max_nodes`` people, 2,000 by default)
    igraph's Fruchterman-Reingold on the whole undirected graph. Attraction
    along a tie grows with ``log1p(weight)``, so a few very heavy ties do not
    collapse the picture. O(iterations * (N + E)) with igraph's grid
    approximation of repulsion.

``"groups"`` (larger graphs): a two-level layout
    1. The group graph (one node per department, or per community when no
       node carries the attribute) is laid out by Fruchterman-Reingold, its
       edges weighted by ``log1p`` of the cross-group tie weight.
    2. Each group gets a disc of radius ``sqrt(size)``, so every person gets
       about the same area; overlapping discs are pushed apart, then the
       whole arrangement is scaled until no two discs overlap.
    3. Each group's members are laid out by Fruchterman-Reingold on the ties
       inside the group and fitted into the group's disc.
    Cost O(k^2 * s + sum_g iterations * (n_g + e_g)) for k groups and s
    separation sweeps: about O(iterations * (N + E)) in all. Iterations are
    capped so that ``iterations * (N + E)`` stays under :data:`WORK_BUDGET`
    (but never below :data:`MIN_ITERATIONS`): 50,000 people and 845,000 ties
    take about 1 s by department (2.7 s by Leiden community, Leiden
    included), after indexing. Start positions fill the square igraph's
    grid covers (side ``sqrt(n)``): starting twice as wide took 2-4x longer. igraph's DrL, the usual choice for large graphs, was
    measured at 3 s for 500 nodes and 21 s for 5,000 here, so it is not used.

Isolated people (no ties) get positions too: Fruchterman-Reingold keeps
unconnected nodes within a bounded ring around the connected ones, in their
group's disc for the two-level layout.

Both strategies are deterministic for a given ``seed``: initial positions come
from ``numpy.random.default_rng(seed)`` and igraph draws from a private
``random.Random(seed)``.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager

import numpy as np
import pandas as pd

from orgnet.engine import IndexedGraph, PeopleGraph, has_attribute, igraph_of_edges, tie_counts, undirected_edges
from orgnet.summary import UNKNOWN, group_codes, indexed_of

__all__ = ["group_edges", "group_labels", "group_layout", "person_layout"]

#: Largest graph laid out in one Fruchterman-Reingold pass by ``method="auto"``.
FR_MAX_NODES = 2000

#: Fruchterman-Reingold work limit, in node-or-edge visits (iterations * (N + E)); larger graphs get fewer iterations.
WORK_BUDGET = 30_000_000

#: Fewest iterations any pass gets, whatever the budget.
MIN_ITERATIONS = 40

#: Label of the group that collects communities of one person (isolated people) when grouping by community.
ISOLATED = "(isolated)"


@contextmanager
def _igraph_seed(seed: int) -> Iterator[None]:
    """Run igraph with a private generator, so the seed stays local and the global `random` untouched."""
    import igraph as ig

    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def _codes(
    G: PeopleGraph, by: str | Mapping[Hashable, Hashable] | None, indexed: IndexedGraph, seed: int
) -> tuple[list[Hashable], np.ndarray]:
    """Group labels and each indexed node's group code.

    ``by`` is a node attribute (people without it go to :data:`UNKNOWN`), a
    node -> group mapping (unmapped nodes go to :data:`UNKNOWN`), or ``None``
    for communities (:func:`orgnet.communities.find_communities`, Leiden),
    with every community of one person gathered into :data:`ISOLATED`.
    An attribute that no node carries falls back to communities.
    """
    nodes = indexed.nodes
    if isinstance(by, str) and has_attribute(G, by):
        return group_codes(G, by, nodes)
    if by is None or isinstance(by, str):
        from orgnet.communities import find_communities

        found = find_communities(G, seed=seed, indexed=indexed)
        raw = np.fromiter((found.membership[node] for node in nodes), dtype=np.int64, count=len(nodes))
        sizes = np.bincount(raw) if len(raw) else np.zeros(0, dtype=np.int64)
        big = np.flatnonzero(sizes > 1)
        labels: list[Hashable] = [int(c) for c in big]
        recode = np.full(len(sizes), len(labels), dtype=np.int64)
        recode[big] = np.arange(len(big))
        if (sizes == 1).any():
            labels.append(ISOLATED)
        return labels, recode[raw]
    values = [by.get(node) for node in nodes]
    known = sorted({v for v in values if v is not None}, key=lambda v: (str(v), str(type(v))))
    if any(v is None for v in values):
        known.append(UNKNOWN)
    position = {label: i for i, label in enumerate(known)}
    codes = np.fromiter((position[UNKNOWN if v is None else v] for v in values), dtype=np.int64, count=len(values))
    return known, codes


def group_labels(
    G: PeopleGraph, by: str | Mapping[Hashable, Hashable] | None = "department", *, seed: int = 0, indexed: IndexedGraph | None = None
) -> dict[Hashable, Hashable]:
    """The group of every person, as the layouts see it (see ``by`` in :func:`group_layout`).

    Examples
    --------
    Four people: ``a`` and ``b`` in X, ``c`` in Y, ``d`` without a department:

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_weighted_edges_from([("a", "b", 2.0), ("a", "c", 1.0), ("c", "a", 0.5), ("d", "c", 1.0)])
    >>> nx.set_node_attributes(G, {"a": "X", "b": "X", "c": "Y"}, "department")
    >>> group_labels(G)
    {'a': 'X', 'b': 'X', 'c': 'Y', 'd': '(unknown)'}
    """
    indexed = indexed_of(G, indexed)
    labels, codes = _codes(G, by, indexed, seed)
    return {node: labels[code] for node, code in zip(indexed.nodes, codes.tolist())}


def _fr(n: int, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, rng: np.random.Generator, seed: int, niter: int) -> np.ndarray:
    """Fruchterman-Reingold positions (n x 2) of an undirected graph given as edge arrays."""
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.zeros((1, 2))
    graph = igraph_of_edges(n, rows, cols, directed=False)
    # igraph's grid (above 1,000 nodes) spans a square of side sqrt(n) and files the nodes outside it in its
    # border cells, whose every pair it then compares: a start twice as wide made the passes 2-4x slower.
    start = rng.uniform(-0.5, 0.5, size=(n, 2)) * np.sqrt(n)
    with _igraph_seed(seed):
        layout = graph.layout_fruchterman_reingold(
            weights=np.log1p(np.maximum(weights, 0.0)) if len(weights) else None,
            seed=start.tolist(),
            niter=niter,
            grid="auto",
        )
    return np.asarray(layout.coords, dtype=float).reshape(n, 2)


def _to_disc(points: np.ndarray) -> np.ndarray:
    """Centre ``points`` on their mean and scale them into the unit disc."""
    if len(points) == 0:
        return points
    centred: np.ndarray = points - points.mean(axis=0)
    radius = np.sqrt((centred**2).sum(axis=1)).max()
    return centred / radius if radius > 0 else centred


def _separate(centres: np.ndarray, radii: np.ndarray, gap: float, iterations: int = 50) -> np.ndarray:
    """Push discs apart until none overlap: a few relaxation sweeps, then a global scale that guarantees it.

    Each sweep moves every pair of overlapping discs apart along the line of
    their centres by half the overlap each. Coincident centres separate along
    a fixed direction per pair, so the result stays deterministic.
    """
    k = len(centres)
    if k < 2:
        return centres - centres.mean(axis=0) if k else centres
    need = radii[:, None] + radii[None, :] + gap
    np.fill_diagonal(need, 0.0)
    i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    angle = 2.399963229728653 * (np.minimum(i, j) * k + np.maximum(i, j))
    fallback = np.where((i > j)[:, :, None], 1.0, -1.0) * np.stack([np.cos(angle), np.sin(angle)], axis=2)
    centres = centres.copy()
    for _ in range(iterations):
        delta = centres[:, None, :] - centres[None, :, :]
        dist = np.sqrt((delta**2).sum(axis=2))
        overlap = np.clip(need - dist, 0.0, None)
        np.fill_diagonal(overlap, 0.0)
        if not overlap.any():
            break
        direction = np.where((dist > 1e-9)[:, :, None], delta / np.maximum(dist, 1e-9)[:, :, None], fallback)
        centres = centres + 0.5 * (overlap[:, :, None] * direction).sum(axis=1)
    delta = centres[:, None, :] - centres[None, :, :]
    dist = np.sqrt((delta**2).sum(axis=2))
    np.fill_diagonal(dist, np.inf)
    scale = float(np.max(need / np.maximum(dist, 1e-9)))
    if scale > 1.0:
        centres = centres * scale
    centred: np.ndarray = centres - centres.mean(axis=0)
    return centred


def _group_centres(
    codes: np.ndarray, k: int, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, seed: int, niter: int
) -> tuple[np.ndarray, np.ndarray]:
    """Group centres (k x 2) and disc radii (``sqrt(size)``), discs not overlapping."""
    sizes = np.bincount(codes, minlength=k).astype(float)
    gr, gc = codes[rows], codes[cols]
    cross = gr != gc
    low, high = np.minimum(gr[cross], gc[cross]), np.maximum(gr[cross], gc[cross])
    keys, inverse = np.unique(low * max(k, 1) + high, return_inverse=True)
    group_weights = np.bincount(inverse.reshape(-1), weights=weights[cross], minlength=len(keys))
    rng = np.random.default_rng(seed)
    centres = _to_disc(_fr(k, keys // max(k, 1), keys % max(k, 1), group_weights, rng, seed, niter))
    radii = np.sqrt(sizes)
    # Spread the unit-disc arrangement over roughly the total area of the discs before separating them.
    centres = centres * np.sqrt(sizes.sum()) * 2.0
    return _separate(centres, radii, gap=0.1 * float(np.median(radii)) if k else 0.0), radii


def _layout_indexed(
    G: PeopleGraph,
    indexed: IndexedGraph,
    *,
    seed: int,
    by: str | Mapping[Hashable, Hashable] | None,
    method: str,
    fr_max_nodes: int,
    niter: int,
) -> np.ndarray:
    n = len(indexed.nodes)
    rows, cols, weights = undirected_edges(indexed)
    # Every pass costs about niter * (nodes + edges); cap the total so that the largest graphs stay within seconds.
    niter = int(max(MIN_ITERATIONS, min(niter, WORK_BUDGET // max(1, n + len(rows)))))
    if method == "auto":
        method = "fr" if n <= fr_max_nodes else "groups"
    if method == "fr":
        return _fr(n, rows, cols, weights, np.random.default_rng(seed), seed, niter)
    if method != "groups":
        raise ValueError("method must be 'auto', 'fr' or 'groups'")
    labels, codes = _codes(G, by, indexed, seed)
    k = len(labels)
    centres, radii = _group_centres(codes, k, rows, cols, weights, seed, niter)

    # Members sorted by group; `local` numbers each person inside its group.
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(k + 1))
    local = np.empty(n, dtype=np.int64)
    local[order] = np.arange(n) - starts[codes[order]]
    inside = codes[rows] == codes[cols]
    edge_order = np.argsort(codes[rows][inside], kind="stable")
    irows, icols, iweights = rows[inside][edge_order], cols[inside][edge_order], weights[inside][edge_order]
    edge_starts = np.searchsorted(codes[irows], np.arange(k + 1))

    positions = np.zeros((n, 2))
    rng = np.random.default_rng(seed)
    for g in range(k):
        members = order[starts[g] : starts[g + 1]]
        e0, e1 = edge_starts[g], edge_starts[g + 1]
        local_xy = _to_disc(_fr(len(members), local[irows[e0:e1]], local[icols[e0:e1]], iweights[e0:e1], rng, seed + g, niter))
        positions[members] = centres[g] + local_xy * radii[g]
    return positions


def person_layout(
    G: PeopleGraph,
    seed: int = 0,
    *,
    by: str | Mapping[Hashable, Hashable] | None = "department",
    method: str = "auto",
    fr_max_nodes: int = FR_MAX_NODES,
    niter: int = 300,
    indexed: IndexedGraph | None = None,
) -> pd.DataFrame:
    """Force-directed positions of every person (see the module notes for the strategies).

    Parameters
    ----------
    G : people graph (directed or undirected; directions are merged and their
        weights summed). Every node gets a position, isolated ones included.
    seed : random seed; the same graph and seed give the same layout.
    by : groups of the two-level layout: a node attribute (``"department"``),
        a node -> group mapping (e.g. ``Communities.membership``), or ``None``
        for Leiden communities. An attribute no node carries falls back to
        communities.
    method : ``"auto"`` (``"fr"`` up to ``fr_max_nodes`` people, else
        ``"groups"``), ``"fr"`` or ``"groups"``.
    fr_max_nodes : size limit of the single-pass layout under ``"auto"``.
    niter : Fruchterman-Reingold iterations of every pass.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G``.

    Returns
    -------
    DataFrame with ``person_id``, ``x``, ``y`` (floats, finite), one row per
    node in graph order. Coordinates are in arbitrary units: only relative
    positions matter.

    Notes
    -----
    ``"fr"``: O(niter * (N + E)). ``"groups"``: O(niter * (N + E) + k^2)
    for k groups, plus Leiden when grouping by community; ``niter`` is
    lowered on large graphs to keep ``niter * (N + E)`` under
    :data:`WORK_BUDGET`. Measured: 50,000 people and 845,000 ties in about
    1 s by department, 2.7 s by community.

    References
    ----------
    .. [1] Fruchterman, T. M. J. and Reingold, E. M. (1991). Graph drawing by
       force-directed placement. *Software: Practice and Experience* 21(11), 1129-1164.

    Examples
    --------
    Every person gets a finite position, the same for the same seed:

    >>> import networkx as nx
    >>> kite = nx.krackhardt_kite_graph()
    >>> import numpy as np
    >>> layout = person_layout(kite, seed=1, by=None)
    >>> len(layout), bool(np.isfinite(layout[["x", "y"]].to_numpy()).all())
    (10, True)
    >>> layout.equals(person_layout(kite, seed=1, by=None))
    True
    """
    indexed = indexed_of(G, indexed)
    positions = _layout_indexed(G, indexed, seed=seed, by=by, method=method, fr_max_nodes=fr_max_nodes, niter=niter)
    return pd.DataFrame({"person_id": pd.Series(indexed.nodes, dtype=object), "x": positions[:, 0], "y": positions[:, 1]})


def group_layout(
    G: PeopleGraph,
    by: str | Mapping[Hashable, Hashable] | None = "department",
    *,
    seed: int = 0,
    niter: int = 300,
    indexed: IndexedGraph | None = None,
) -> pd.DataFrame:
    """Positions of the groups: the first level of the two-level layout, for the group view.

    Parameters
    ----------
    G : people graph.
    by : node attribute, node -> group mapping, or ``None`` for communities
        (as in :func:`person_layout`; unmapped people form :data:`UNKNOWN`,
        communities of one person form :data:`ISOLATED`).
    seed, niter : as in :func:`person_layout`.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G``.

    Returns
    -------
    DataFrame with ``group``, ``x``, ``y``, ``size`` (members) and
    ``internal_weight`` (summed weight of the ties with both ends in the
    group, both directions), one row per group in label order. With the same
    ``by`` and ``seed`` the centres are those :func:`person_layout` places
    the members around (``method="groups"``).

    Notes
    -----
    O(N + E + k^2 + niter * (k + k_E)) for k groups and k_E group pairs with ties.

    Examples
    --------
    Four people: ``a`` and ``b`` in X, ``c`` in Y, ``d`` without a department,
    ``a -> b`` of weight 2 inside X:

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_weighted_edges_from([("a", "b", 2.0), ("a", "c", 1.0), ("c", "a", 0.5), ("d", "c", 1.0)])
    >>> nx.set_node_attributes(G, {"a": "X", "b": "X", "c": "Y"}, "department")
    >>> group_layout(G)[["group", "size", "internal_weight"]].values.tolist()
    [['X', 2, 2.0], ['Y', 1, 0.0], ['(unknown)', 1, 0.0]]
    """
    indexed = indexed_of(G, indexed)
    rows, cols, weights = undirected_edges(indexed)
    labels, codes = _codes(G, by, indexed, seed)
    k = len(labels)
    centres, _ = _group_centres(codes, k, rows, cols, weights, seed, niter)
    inside = codes[rows] == codes[cols]
    return pd.DataFrame(
        {
            "group": pd.Series(labels, dtype=object),
            "x": centres[:, 0] if k else np.zeros(0),
            "y": centres[:, 1] if k else np.zeros(0),
            "size": np.bincount(codes, minlength=k).astype(np.int64),
            "internal_weight": np.bincount(codes[rows[inside]], weights=weights[inside], minlength=k),
        }
    )


def group_edges(
    G: PeopleGraph,
    by: str | Mapping[Hashable, Hashable] | None = "department",
    *,
    directed: bool = False,
    seed: int = 0,
    indexed: IndexedGraph | None = None,
) -> pd.DataFrame:
    """Ties between groups, aggregated: the edges of the group view.

    ``weight(a, b) = sum of w(u, v) over ties with group(u) = a, group(v) = b``
    (and, when ``directed=False``, also group(u) = b, group(v) = a).

    Parameters
    ----------
    G : people graph.
    by : as in :func:`group_layout`.
    directed : keep the direction of ties (``source_group`` sends); by
        default both directions are merged and each unordered pair appears
        once, ``source_group`` first in label order.
    seed : seed of the community search when ``by`` is ``None``.
    indexed : optional :class:`~orgnet.engine.IndexedGraph` of ``G``.

    Returns
    -------
    DataFrame with ``source_group``, ``target_group``, ``ties`` (number of
    person-to-person ties; a directed tie counts once), ``count``
    (interactions: the edges' ``count`` attribute, 1 where missing) and
    ``weight``; only pairs of different groups with at least one tie, sorted
    by pair. Ties inside a group are in :func:`group_layout`'s
    ``internal_weight``.

    Notes
    -----
    O(N + E) with :func:`numpy.unique` and :func:`numpy.bincount`; reading
    ``count`` walks the edges once in Python.

    Examples
    --------
    Four people: ``a`` and ``b`` in X, ``c`` in Y, ``d`` without a department.
    X-Y carries ``a -> c`` (1) and ``c -> a`` (0.5); ``a -> b`` stays inside X:

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_weighted_edges_from([("a", "b", 2.0), ("a", "c", 1.0), ("c", "a", 0.5), ("d", "c", 1.0)])
    >>> nx.set_node_attributes(G, {"a": "X", "b": "X", "c": "Y"}, "department")
    >>> [(r.source_group, r.target_group, r.ties, r.weight) for r in group_edges(G).itertuples()]
    [('X', 'Y', 2, 1.5), ('Y', '(unknown)', 1, 1.0)]
    """
    indexed = indexed_of(G, indexed)
    labels, codes = _codes(G, by, indexed, seed)
    k = max(len(labels), 1)
    counts = tie_counts(G, indexed)
    a, b = codes[indexed.sources], codes[indexed.targets]
    cross = a != b
    a, b, w, c = a[cross], b[cross], indexed.weights[cross], counts[cross]
    if not directed:
        a, b = np.minimum(a, b), np.maximum(a, b)
    keys, inverse = np.unique(a * k + b, return_inverse=True)
    inverse = inverse.reshape(-1)
    label_array = np.asarray([*labels, None], dtype=object)
    return pd.DataFrame(
        {
            "source_group": pd.Series(label_array[keys // k], dtype=object),
            "target_group": pd.Series(label_array[keys % k], dtype=object),
            "ties": np.bincount(inverse, minlength=len(keys)).astype(np.int64),
            "count": np.rint(np.bincount(inverse, weights=c, minlength=len(keys))).astype(np.int64),
            "weight": np.bincount(inverse, weights=w, minlength=len(keys)),
        }
    )
