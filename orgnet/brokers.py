"""Brokers: who sits between others, who spans group boundaries, and in which role.

Four views of brokerage, each a pure function of a people graph:

* :func:`betweenness`: shortest-path betweenness (Freeman 1977), exact with
  Brandes' algorithm (igraph, in C) up to ``exact_limit`` people and estimated
  from random source pivots (Brandes & Pich 2007) above it, with its standard
  error and a uniform Hoeffding bound.
* :func:`constraint` and :func:`effective_size`: Burt's (1992) structural
  holes measures, as NetworkX defines them, on SciPy sparse matrices.
* :func:`brokerage_roles`: Gould & Fernandez's (1989) five brokerage roles
  relative to any group attribute.
* :func:`participation`: Guimerà & Amaral's (2005) participation coefficient.

:func:`brokers` gathers them into one table per person with a
``boundary_spanner`` flag; :func:`network_roles` names, from that table, the
roles of Cross & Prusak (2002) that analysts know (central connector,
boundary spanner, information broker, peripheral specialist).

Groups come from any HR attribute through ``by`` (a node attribute such as
``department``), or from a mapping node -> group such as a community
assignment. People without a group form :data:`orgnet.summary.UNKNOWN`.

Ties are strong when their weight is high, so weighted shortest paths use the
*distance* ``1 / weight``: two people who talk a lot are close. Self-loops are
ignored everywhere (orgnet never makes them).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from orgnet.engine import IndexedGraph, PeopleGraph, igraph_of_edges
from orgnet.kernels import Kernels, kernels_of
from orgnet.summary import UNKNOWN, group_codes, indexed_of

if TYPE_CHECKING:
    import igraph as ig

__all__ = [
    "BROKER_COLUMNS",
    "BROKER_ORDERS",
    "DEFAULT_PIVOTS",
    "EXACT_LIMIT",
    "NETWORK_ROLES",
    "ROLES",
    "ROLE_SHARE",
    "Betweenness",
    "betweenness",
    "brokerage_roles",
    "brokers",
    "constraint",
    "effective_size",
    "error_bound",
    "network_roles",
    "participation",
    "pivots_for_ranking",
    "rank_brokers",
]

#: Largest graph (in people) whose betweenness :func:`betweenness` computes exactly by default.
EXACT_LIMIT = 3000
#: Source pivots sampled by default above :data:`EXACT_LIMIT` (about 1 s unweighted,
#: 3.5 s weighted on a 50,000-person, 800,000-tie graph).
DEFAULT_PIVOTS = 64
#: Gould-Fernandez roles, in the order of the columns of :func:`brokerage_roles`.
ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
#: Measures :func:`rank_brokers` ranks by: the most first, except constraint (the least constrained first).
BROKER_ORDERS = ("betweenness", "brokerage", "effective_size", "participation", "constraint")
#: Cross & Prusak's (2002) roles, each with how :func:`network_roles` finds it among the measures of :func:`brokers`.
NETWORK_ROLES = {
    "central connector": "links many people directly: among the most effective contacts (Burt's effective size, the top share)",
    "boundary spanner": "ties their group to others: ties into several other groups, spread across them (the boundary-spanner rule)",
    "information broker": "holds subgroups together: among the most betweenness (shortest paths run through them, the top share) and "
    "less constrained than most",
    "peripheral specialist": "on the edge: among the fewest effective contacts (the bottom share of people with ties), spanning no boundary",
}

#: The share of people with ties that counts as "the most" (or "the fewest") for :func:`network_roles`.
ROLE_SHARE = 0.1

#: Columns of :func:`brokers`.
BROKER_COLUMNS = [
    "group",
    "betweenness",
    "betweenness_stderr",
    "constraint",
    "effective_size",
    *ROLES,
    "brokerage",
    "participation",
    "other_groups",
    "boundary_spanner",
]

# Pivots are sent to igraph in this many batches: each call costs an O(E)
# set-up, and the batch totals give the variance of the estimate.
_PIVOT_BATCHES = 8


# ---------------------------------------------------------------- shared kernels


def _edge_arrays(indexed: IndexedGraph, weight: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sources, targets and weights (1 when ``weight`` is None) without self-loops."""
    keep = indexed.sources != indexed.targets
    weights = indexed.weights[keep] if weight is not None else np.ones(int(keep.sum()))
    return indexed.sources[keep], indexed.targets[keep], weights


def _adjacency(indexed: IndexedGraph, weight: str | None, binary: bool = False) -> sp.csr_matrix:
    """``A[i, j]`` = weight (or 1) of i -> j, self-loops dropped, canonical CSR."""
    n = len(indexed.nodes)
    sources, targets, weights = _edge_arrays(indexed, weight)
    matrix = sp.csr_matrix((weights, (sources, targets)), shape=(n, n))
    matrix.sum_duplicates()
    if binary:
        matrix.data[:] = 1.0
    matrix.sort_indices()
    return matrix


def _mutual(indexed: IndexedGraph, weight: str | None) -> sp.csr_matrix:
    """Mutual weights ``a_ij + a_ji`` (NetworkX's ``mutual_weight``), canonical CSR."""
    matrix = _adjacency(indexed, weight)
    mutual: sp.csr_matrix = (matrix + matrix.T).tocsr()
    mutual.sum_duplicates()
    mutual.sort_indices()
    return mutual


def _check_weight(weight: str | None, indexed: IndexedGraph) -> None:
    if weight is None or len(indexed.weights) == 0:
        return
    weights = indexed.weights[indexed.sources != indexed.targets]
    if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        raise ValueError(f"edge attribute {weight!r} must be positive and finite on every tie")


# ---------------------------------------------------------------- betweenness


@dataclass
class Betweenness:
    """Betweenness of every node, exact or estimated (see :func:`betweenness`).

    Attributes
    ----------
    values : node -> betweenness (scaled as NetworkX's ``betweenness_centrality``).
    stderr : node -> standard error of the estimate, in the same units
        (0 everywhere when exact).
    exact : True when every node was a source (exact Brandes, or all pivots).
    pivots : number of source pivots used (``n`` when exact).
    error_bound : with probability at least ``confidence``, *every* node's
        estimate is within this of its exact value (Hoeffding's inequality with
        a union bound over the nodes); 0 when exact.
    confidence : the probability attached to ``error_bound``.
    normalized, weight, distance, seed : the parameters used.
    """

    values: dict[Hashable, float] = field(repr=False)
    stderr: dict[Hashable, float] = field(repr=False)
    exact: bool
    pivots: int
    error_bound: float
    confidence: float
    normalized: bool
    weight: str | None
    distance: str
    seed: int | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "values": dict(self.values),
            "stderr": dict(self.stderr),
            "exact": self.exact,
            "pivots": self.pivots,
            "error_bound": self.error_bound,
            "confidence": self.confidence,
            "normalized": self.normalized,
            "weight": self.weight,
            "distance": self.distance,
            "seed": self.seed,
        }


def _igraph_of(indexed: IndexedGraph, weight: str | None, distance: str) -> tuple[ig.Graph, str | None]:
    """The graph in igraph, and the name of its edge lengths (``None``: every tie is one step)."""
    sources, targets, weights = _edge_arrays(indexed, weight)
    lengths = {} if weight is None else {"distance": 1.0 / weights if distance == "inverse" else weights}
    return igraph_of_edges(len(indexed.nodes), sources, targets, indexed.directed, **lengths), "distance" if lengths else None


def betweenness(
    G: PeopleGraph,
    *,
    weight: str | None = "weight",
    distance: str = "inverse",
    normalized: bool = True,
    k: int | None = None,
    exact_limit: int = EXACT_LIMIT,
    seed: int | None = None,
    confidence: float = 0.95,
    indexed: IndexedGraph | None = None,
) -> Betweenness:
    r"""Shortest-path betweenness of every person, exact or from sampled pivots.

    The betweenness of :math:`v` is the share of shortest paths between other
    people that pass through :math:`v`:

    .. math::

       b(v) = \sum_{s \ne v \ne t} \frac{\sigma_{st}(v)}{\sigma_{st}}
            = \sum_{s \ne v} \delta_{s\bullet}(v),

    where :math:`\sigma_{st}` is the number of shortest :math:`s`-:math:`t`
    paths, :math:`\sigma_{st}(v)` those through :math:`v`, and
    :math:`\delta_{s\bullet}(v)` the dependency of source :math:`s` on
    :math:`v` (Brandes 2001).

    *Exact* (``n <= exact_limit`` and no ``k``): Brandes' algorithm from every
    source (igraph, in C).

    *Sampled* (Brandes & Pich 2007): ``k`` sources drawn uniformly without
    replacement (seeded) and the dependencies extrapolated. As in NetworkX 3.5+,
    a node's own pivot is not counted for it, so with :math:`m_v` pivots other
    than :math:`v`

    .. math:: \hat b(v) = \frac{n-1}{m_v} \sum_{s \in S,\ s \ne v} \delta_{s\bullet}(v),

    which is unbiased, and exact when every node is a pivot.

    Scaling is NetworkX's ``betweenness_centrality(G, normalized=...)``:
    normalised values divide by :math:`(n-1)(n-2)` (ordered pairs, for directed
    and undirected graphs alike); raw values of undirected graphs count each
    unordered pair once.

    Parameters
    ----------
    G : people graph (``nx.DiGraph`` or ``nx.Graph``); directed graphs use directed paths.
    weight : edge attribute of tie strength, or ``None`` for hop counts.
    distance : how a weight becomes a path length: ``"inverse"`` (``1 / weight``,
        strong ties are short; the default) or ``"direct"`` (the weight itself
        is a length).
    normalized : scale as NetworkX's ``normalized=True``.
    k : number of source pivots; forces sampling (``k >= n`` uses every node,
        which is exact). Default: exact up to ``exact_limit`` people,
        :data:`DEFAULT_PIVOTS` pivots above.
    exact_limit : largest graph computed exactly when ``k`` is not given.
    seed : seed of the pivot sample.
    confidence : probability attached to :attr:`Betweenness.error_bound`.
    indexed : the :class:`~orgnet.engine.IndexedGraph` of ``G``, if already built.

    Returns
    -------
    :class:`Betweenness` with ``values`` (node -> betweenness), per-node
    ``stderr`` and the uniform ``error_bound``.

    Raises
    ------
    ValueError
        When a weight is not positive and finite, or ``distance`` is unknown.

    Notes
    -----
    Exact: O(nE) unweighted, O(nE + n^2 log n) weighted. Sampled: the same with
    ``k`` for ``n``; pivots go to igraph in a few batches (each call costs an
    O(E) set-up) and take about 20 ms (hops) or 55 ms (weighted) each on a
    50,000-person, 800,000-tie graph.

    Error of the estimate. The standard error uses the variance of the pivot
    batches' per-pivot means (batch means; pivots are split at random into
    batches) with the finite-population correction
    :math:`1 - m_v/(n-1)`, so it is 0 when every node is a pivot. It is a
    plug-in estimate: reliable for the brokers that many pivots depend on,
    too small for peripheral people whose rare large dependencies no pivot
    happened to hit (their estimate and standard error can both be 0). The
    ``error_bound`` is distribution-free: normalised dependencies
    :math:`\delta_{s\bullet}(v)/(n-2)` lie in [0, 1] and the normalised estimate
    is their sample mean, so by Hoeffding's inequality (valid for sampling
    without replacement) and a union bound over the :math:`n` nodes, with
    probability :math:`\ge` ``confidence`` every node is within
    :math:`\varepsilon = \sqrt{\ln(2n/(1-\text{confidence})) / (2(k-1))}`
    (normalised units; raw units are scaled back). It is loose, but holds
    for every node at once; Riondato & Kornaropoulos (2016) give tighter
    VC-dimension bounds at the cost of path sampling.

    Nodes without ties have betweenness 0; graphs of fewer than 3 nodes give 0
    everywhere. Ties of equal length are compared with igraph's relative
    tolerance, so paths whose float lengths differ only by rounding count as
    equally short (NetworkX compares floats exactly).

    References
    ----------
    .. [1] Freeman, L. C. (1977). A set of measures of centrality based on
       betweenness. Sociometry 40, 35-41.
    .. [2] Brandes, U. (2001). A faster algorithm for betweenness centrality.
       Journal of Mathematical Sociology 25(2), 163-177.
    .. [3] Brandes, U., Pich, C. (2007). Centrality estimation in large
       networks. International Journal of Bifurcation and Chaos 17(7), 2303-2318.
    .. [4] Riondato, M., Kornaropoulos, E. M. (2016). Fast approximation of
       betweenness centrality through sampling. Data Mining and Knowledge
       Discovery 30, 438-475.

    Examples
    --------
    The Medici broker the Florentine families' marriages (0.522, Padgett's
    classic result); Heather (7) the Krackhardt kite:

    >>> import networkx as nx
    >>> found = betweenness(nx.florentine_families_graph())
    >>> max(found.values, key=found.values.get), round(found.values["Medici"], 6), found.exact
    ('Medici', 0.521978, True)
    >>> round(betweenness(nx.krackhardt_kite_graph()).values[7], 6)
    0.388889
    """
    if distance not in ("inverse", "direct"):
        raise ValueError("distance must be 'inverse' (1 / weight) or 'direct' (weight as length)")
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1")
    indexed = indexed_of(G, indexed, weight)
    _check_weight(weight, indexed)
    nodes = indexed.nodes
    n = len(nodes)
    # (values, stderr, exact, pivots, error_bound) -> the result with the parameters used.
    result = partial(Betweenness, confidence=confidence, normalized=normalized, weight=weight, distance=distance, seed=seed)
    if n < 3:
        zeros = dict.fromkeys(nodes, 0.0)
        return result(zeros, dict(zeros), True, n, 0.0)
    # Dependencies summed over ordered pairs, divided into NetworkX's scale.
    scale = 1.0 / ((n - 1) * (n - 2)) if normalized else (1.0 if indexed.directed else 0.5)
    # igraph counts an undirected pair once, from either end.
    per_source = 1.0 if indexed.directed else 2.0
    graph, lengths = _igraph_of(indexed, weight, distance)

    if k is None and n <= exact_limit:
        raw = np.asarray(graph.betweenness(directed=indexed.directed, weights=lengths)) * per_source
        values = raw * scale
        return result(dict(zip(nodes, values.tolist())), dict.fromkeys(nodes, 0.0), True, n, 0.0)

    k = DEFAULT_PIVOTS if k is None else int(k)
    if k < 2:
        raise ValueError("k must be at least 2 pivots")
    k = min(k, n)
    rng = np.random.default_rng(seed)
    pivots = rng.permutation(n)[:k]
    batches = np.array_split(pivots, min(_PIVOT_BATCHES, k))
    totals = np.empty((len(batches), n))
    sizes = np.empty((len(batches), n))
    for b, batch in enumerate(batches):
        totals[b] = np.asarray(graph.betweenness(directed=indexed.directed, weights=lengths, sources=batch.tolist())) * per_source
        # A node is no sample of its own dependency.
        sizes[b] = len(batch)
        sizes[b, batch] -= 1
    m = sizes.sum(axis=0)
    total = totals.sum(axis=0)
    mean = total / m
    estimate = (n - 1) * mean
    # Batch means: Var(per-pivot value) ~ sum_b m_b (mean_b - mean)^2 / (B - 1).
    with np.errstate(invalid="ignore", divide="ignore"):
        batch_means = np.where(sizes > 0, totals / np.where(sizes > 0, sizes, 1), 0.0)
        spread = (sizes * (batch_means - mean) ** 2).sum(axis=0) / max(len(batches) - 1, 1)
        fpc = np.clip(1.0 - m / (n - 1), 0.0, 1.0)
        stderr = (n - 1) * np.sqrt(fpc * spread / m)
    exact = k == n
    if exact:
        stderr = np.zeros(n)
        bound = 0.0
    else:
        # Normalised units -> the requested scale.
        bound = error_bound(n, k, confidence) * (n - 1) * (n - 2) * scale
    values = estimate * scale
    return result(dict(zip(nodes, values.tolist())), dict(zip(nodes, (stderr * scale).tolist())), exact, k, bound)


def error_bound(n: int, k: int, confidence: float = 0.95) -> float:
    r"""Hoeffding's bound on every node's error at once, for betweenness from ``k`` uniform pivots of ``n`` nodes.

    :math:`\varepsilon = \sqrt{\ln(2n/(1-\text{confidence})) / (2(k-1))}` in normalised units (the
    :attr:`Betweenness.error_bound` of :func:`betweenness`, which says why it holds); 0 when ``k >= n``.

    Raises
    ------
    ValueError
        When ``k < 2`` or ``confidence`` is not strictly between 0 and 1.

    Examples
    --------
    From 100 pivots of 1,000 people every normalised betweenness is within 0.23 of its exact value, with
    95% confidence; with every node a pivot the estimate is exact:

    >>> round(error_bound(1000, 100), 4)
    0.2313
    >>> error_bound(50, 50)
    0.0
    """
    if k < 2 or not 0 < confidence < 1:
        raise ValueError("error_bound needs k >= 2 pivots and 0 < confidence < 1")
    return 0.0 if k >= n else math.sqrt(math.log(2 * n / (1 - confidence)) / (2 * (k - 1)))


def pivots_for_ranking(found: Betweenness, top: int = 20, keep: int = 15, z: float = 2.0) -> int:
    r"""How many pivots two independent sampled estimates need to share ``keep`` of their ``top`` people.

    From a pilot estimate ``found`` (sampled, with its per-node standard errors), the standard error at
    :math:`k` pivots is predicted as :math:`se_v(k) = se_v(k_0) \sqrt{(k_0/k)\,\phi(k)/\phi(k_0)}`
    (the :math:`1/\sqrt{k}` of a sample mean with the finite-population correction
    :math:`\phi(k) = 1 - k/(n-1)`). Let :math:`a` be the person ranked ``keep`` and :math:`b` the one
    ranked ``top + 1``; the answer is the smallest :math:`k` at which the gap :math:`\hat b_a - \hat b_b`
    is ``z`` times the standard error of the difference of two independent estimates,
    :math:`\sqrt{2(se_a(k)^2 + se_b(k)^2)}`. Then the first ``keep`` people stand clear of the ``top``'s
    boundary in each estimate, so two estimates (two draws, or two engines drawing their own pivots)
    share at least ``keep`` of their ``top``; at fewer pivots a flat top is a lottery, whatever the engine.

    Parameters
    ----------
    found : a sampled :class:`Betweenness` (the pilot); an exact one needs no pivots beyond its own.
    top, keep : the ranking compared (``keep <= top < n``).
    z : standard errors of separation (2: about 98% for one person's pair, one-sided).

    Returns
    -------
    The pivot count, between 2 and ``n`` (``n``: only the exact ranking is that stable).

    Notes
    -----
    The pilot's standard errors are plug-in estimates (see :func:`betweenness`): a pilot of a few dozen
    pivots is enough for the leaders, whose dependencies many pivots sample; a gap of 0 asks for ``n``.

    Examples
    --------
    A 10-pivot pilot on the Les Miserables co-appearances (77 characters) asks for 49 pivots before two
    draws share 3 of their top 5; an exact ranking needs its own 77:

    >>> import networkx as nx
    >>> G = nx.les_miserables_graph()
    >>> pivots_for_ranking(betweenness(G, weight=None, k=10, exact_limit=5, seed=1), top=5, keep=3)
    49
    >>> pivots_for_ranking(betweenness(G, weight=None), top=5, keep=3)
    77
    """
    values = np.fromiter(found.values.values(), dtype=float)
    stderr = np.fromiter(found.stderr.values(), dtype=float)
    n = len(values)
    if not 0 < keep <= top < n:
        raise ValueError("pivots_for_ranking needs 0 < keep <= top < the number of nodes")
    if found.exact:
        return found.pivots
    order = np.lexsort((np.arange(n), -values))
    a, b = order[keep - 1], order[top]
    gap = values[a] - values[b]
    k0, spread = found.pivots, stderr[a] ** 2 + stderr[b] ** 2
    if gap <= 0 or not np.isfinite(spread):
        return n
    if spread == 0:
        return max(2, min(k0, n))
    # 2 z^2 spread k0 / phi(k0) * (1/k - 1/(n-1)) <= gap^2, solved for k.
    per_pivot = 2 * z**2 * spread * k0 / max(1.0 - k0 / (n - 1), 1e-12)
    needed = 1.0 / (gap**2 / per_pivot + 1.0 / (n - 1))
    return int(min(n, max(2, math.ceil(needed))))


# ---------------------------------------------------------------- structural holes


def _proportions(indexed: IndexedGraph, weight: str | None) -> tuple[sp.csr_matrix, np.ndarray]:
    """Burt's proportional tie strengths ``P`` (rows of mutual weights summing to 1) and the isolated mask."""
    mutual = _mutual(indexed, weight)
    row_sum = np.asarray(mutual.sum(axis=1)).ravel()
    isolated = row_sum == 0
    with np.errstate(divide="ignore"):
        inverse = np.where(isolated, 0.0, 1.0 / np.where(isolated, 1.0, row_sum))
    P = sp.diags(inverse) @ mutual
    P = P.tocsr()
    P.sort_indices()
    return P, isolated


def constraint(G: PeopleGraph, *, weight: str | None = "weight", indexed: IndexedGraph | None = None) -> dict[Hashable, float]:
    r"""Burt's constraint of every person: how much their contacts are tied to each other.

    With mutual weights :math:`m_{ij} = a_{ij} + a_{ji}` and proportional
    strengths :math:`p_{ij} = m_{ij} / \sum_k m_{ik}`, the constraint of
    :math:`i` sums, over its neighbours :math:`j` (in or out),

    .. math:: c_i = \sum_{j \in N(i)} \Big(p_{ij} + \sum_{q} p_{iq}\, p_{qj}\Big)^2 .

    Low constraint means non-redundant contacts: a broker across structural holes.

    Parameters
    ----------
    G : people graph, directed or not.
    weight : edge attribute of tie strength, or ``None`` (every tie counts 1).
    indexed : the :class:`~orgnet.engine.IndexedGraph` of ``G``, if already built.

    Returns
    -------
    dict node -> constraint, equal to ``nx.constraint(G, weight=weight)``.

    Notes
    -----
    :math:`\sum_q p_{iq} p_{qj}` is :math:`(P^2)_{ij}`, needed only where
    :math:`i` and :math:`j` are tied, so it is summed over the triangles of
    the ties (:meth:`orgnet.engine.Triangles.masked_product`, listed once per
    graph): O(E^1.5) time at worst, O(E + T) memory, about 0.1 s on a
    50,000-person, 800,000-tie org once its 760,000 triangles are listed (1 s).
    People without ties get NaN, as in NetworkX. Self-loops are ignored
    (NetworkX would count them as a tie to oneself).

    References
    ----------
    .. [1] Burt, R. S. (1992). Structural Holes: The Social Structure of
       Competition. Harvard University Press. Chapter 2.
    .. [2] Burt, R. S. (2004). Structural holes and good ideas. American
       Journal of Sociology 110(2), 349-399.

    Examples
    --------
    The Medici are the least constrained family, at NetworkX's ``nx.constraint``
    value:

    >>> import networkx as nx
    >>> values = constraint(nx.florentine_families_graph(), weight=None)
    >>> min(values, key=values.get), round(values["Medici"], 4)
    ('Medici', 0.2099)
    """
    indexed = indexed_of(G, indexed, weight)
    P, isolated = _proportions(indexed, weight)
    indirect = indexed.triangles.masked_product(P, P, P)
    local = (P.data + indirect) ** 2
    rows = np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))
    values = np.bincount(rows, weights=local, minlength=P.shape[0])
    values[isolated] = np.nan
    return dict(zip(indexed.nodes, values.tolist()))


def effective_size(G: PeopleGraph, *, weight: str | None = "weight", indexed: IndexedGraph | None = None) -> dict[Hashable, float]:
    r"""Burt's effective size of every person's network: their non-redundant contacts.

    With :math:`p_{ij}` as in :func:`constraint` and
    :math:`m_{jq} = m_{jq} / \max_k m_{jk}` (strength relative to :math:`j`'s strongest tie),

    .. math:: e_i = \sum_{j \in N(i)} \Big(1 - \sum_{q} p_{iq}\, m_{jq}\Big)
              = |N(i)| - \sum_q p_{iq} \sum_{j \in N(i)} m_{jq} .

    For unweighted undirected graphs this is Borgatti's (1997) simplification
    :math:`e_i = n_i - 2 t_i / n_i` (:math:`n_i` neighbours, :math:`t_i` ties
    among them), which the formula above equals.

    Parameters
    ----------
    G : people graph, directed or not.
    weight : edge attribute of tie strength, or ``None`` (every tie counts 1).
    indexed : the :class:`~orgnet.engine.IndexedGraph` of ``G``, if already built.

    Returns
    -------
    dict node -> effective size, equal to ``nx.effective_size(G, weight=weight)``.

    Notes
    -----
    :math:`\sum_{j \in N(i)} m_{jq}` is :math:`(N M)_{iq}` with :math:`N` the
    0/1 neighbour matrix, needed only where :math:`i` and :math:`q` are tied,
    so it is summed over the triangles of the ties (as in :func:`constraint`):
    O(E^1.5) time at worst, O(E + T) memory. People without ties
    get NaN, as in NetworkX. Self-loops are ignored.

    References
    ----------
    .. [1] Burt, R. S. (1992). Structural Holes: The Social Structure of
       Competition. Harvard University Press.
    .. [2] Borgatti, S. P. (1997). Structural holes: unpacking Burt's redundancy
       measures. Connections 20(1), 35-38.

    Examples
    --------
    Six contacts, of whom only Ridolfi and Tornabuoni are tied to each other:
    Burt's ``n - 2 t / n = 6 - 2 * 1 / 6``, as ``nx.effective_size`` finds:

    >>> import networkx as nx
    >>> round(effective_size(nx.florentine_families_graph(), weight=None)["Medici"], 4)
    5.6667
    """
    indexed = indexed_of(G, indexed, weight)
    mutual = _mutual(indexed, weight)
    n = mutual.shape[0]
    row_sum = np.asarray(mutual.sum(axis=1)).ravel()
    isolated = row_sum == 0
    safe_sum = np.where(isolated, 1.0, row_sum)
    row_max = mutual.max(axis=1).toarray().ravel()
    safe_max = np.where(row_max > 0, row_max, 1.0)
    P = (sp.diags(1.0 / safe_sum) @ mutual).tocsr()
    M = (sp.diags(1.0 / safe_max) @ mutual).tocsr()
    neighbours = mutual.copy()
    neighbours.data[:] = 1.0
    for matrix in (P, M, neighbours):
        matrix.sort_indices()
    redundancy = P.data * indexed.triangles.masked_product(neighbours, M, P)
    rows = np.repeat(np.arange(n), np.diff(P.indptr))
    degree = np.diff(neighbours.indptr).astype(float)
    values = degree - np.bincount(rows, weights=redundancy, minlength=n)
    values[isolated] = np.nan
    return dict(zip(indexed.nodes, values.tolist()))


# ---------------------------------------------------------------- Gould-Fernandez


def brokerage_roles(
    G: PeopleGraph,
    by: str | Mapping[Hashable, Hashable] = "department",
    *,
    indexed: IndexedGraph | None = None,
) -> pd.DataFrame:
    r"""Gould-Fernandez brokerage: how often each person brokers, and in which role.

    Every *open* directed two-path :math:`a \to b \to c` (:math:`a \ne c`, no
    tie :math:`a \to c`) makes :math:`b` a broker; the groups of :math:`a`,
    :math:`b`, :math:`c` give the role:

    ================  =====================================  ==================
    role              groups                                 b ...
    ================  =====================================  ==================
    coordinator       g(a) = g(b) = g(c)                     mediates inside its group
    itinerant         g(a) = g(c) != g(b)                    (consultant) serves another group
    gatekeeper        g(b) = g(c) != g(a)                    lets outsiders in
    representative    g(a) = g(b) != g(c)                    speaks for its group outside
    liaison           g(a), g(b), g(c) all different         links two other groups
    ================  =====================================  ==================

    Parameters
    ----------
    G : people graph. Tie direction matters; an undirected graph counts each
        edge in both directions (so an open path is counted from both ends, and
        gatekeeper and representative counts mirror each other).
    by : node attribute defining the groups, or a mapping node -> group (e.g.
        a community assignment). People without a group form
        :data:`~orgnet.summary.UNKNOWN`.
    indexed : the :class:`~orgnet.engine.IndexedGraph` of ``G``, if already built.

    Returns
    -------
    DataFrame indexed by node, with integer columns :data:`ROLES` and
    ``brokerage`` (their sum: all open two-paths through the person).

    Notes
    -----
    Weights are ignored. Counted without enumerating paths: all two-paths by
    group relation come from in- and out-neighbour group counts
    (:math:`I_{bg} O_{bg}`), minus the returning ones (:math:`a = c`, the
    reciprocated ties of :math:`b`) and the closed ones, read per tie
    :math:`a \to b` from :math:`(B B^\top)_{ab}` (and two variants restricted to
    same-group ties) at the tie positions only, summed over the triangles of
    the ties (as in :func:`constraint`). O(E^1.5) time at worst, O(E + T) memory.

    References
    ----------
    .. [1] Gould, R. V., Fernandez, R. M. (1989). Structures of mediation: a
       formal approach to brokerage in transaction networks. Sociological
       Methodology 19, 89-126.

    Examples
    --------
    On the open path ``a -> b -> c`` across three departments, ``b`` is a
    liaison:

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "X", "b": "Y", "c": "Z"}, "department")
    >>> brokerage_roles(G).loc["b"].to_dict()
    {'coordinator': 0, 'itinerant': 0, 'gatekeeper': 0, 'representative': 0, 'liaison': 1, 'brokerage': 1}
    """
    indexed = indexed_of(G, indexed, None)
    nodes = indexed.nodes
    n = len(nodes)
    _, codes = group_codes(G, by, nodes)
    B = _adjacency(indexed, None, binary=True)
    if not indexed.directed:
        B = (B + B.T).tocsr()
        B.data[:] = 1.0
        B.sort_indices()
    rows = np.repeat(np.arange(n), np.diff(B.indptr))
    cols = B.indices
    same = codes[rows] == codes[cols]
    # Broker b = column for incoming ties a -> b, row for outgoing ties b -> c.
    in_all = np.bincount(cols, minlength=n).astype(float)
    in_same = np.bincount(cols[same], minlength=n).astype(float)
    out_all = np.bincount(rows, minlength=n).astype(float)
    out_same = np.bincount(rows[same], minlength=n).astype(float)
    n_groups = int(codes.max()) + 1 if n else 0
    H = sp.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, n_groups))
    in_groups = (B.T @ H).tocsr()
    out_groups = (B @ H).tocsr()
    # Two-paths whose ends share a group (any group), then the broker's own group taken out.
    ends_same = np.asarray(in_groups.multiply(out_groups).sum(axis=1)).ravel()
    counts = {
        "coordinator": in_same * out_same,
        "itinerant": ends_same - in_same * out_same,
        "gatekeeper": (in_all - in_same) * out_same,
        "representative": in_same * (out_all - out_same),
    }
    counts["liaison"] = (in_all - in_same) * (out_all - out_same) - counts["itinerant"]

    # Returning paths a -> b -> a.
    reciprocal = B.multiply(B.T).tocoo()
    back_same = codes[reciprocal.row] == codes[reciprocal.col]
    counts["coordinator"] -= np.bincount(reciprocal.row[back_same], minlength=n)
    counts["itinerant"] -= np.bincount(reciprocal.row[~back_same], minlength=n)

    # Closed paths, per tie a -> b: c with a -> c and b -> c.
    same_ties = B.multiply(sp.csr_matrix((same.astype(float), B.indices, B.indptr), shape=B.shape)).tocsr()
    same_ties.sort_indices()
    BT = B.T.tocsr()
    triangles = indexed.triangles
    closed_all, closed_c_with_b, closed_c_with_a = triangles.masked_products([(B, BT), (B, same_ties.T.tocsr()), (same_ties, BT)], B)
    brokers_of_tie = cols
    counts["coordinator"] -= np.bincount(brokers_of_tie[same], weights=closed_c_with_b[same], minlength=n)
    counts["representative"] -= np.bincount(brokers_of_tie[same], weights=(closed_all - closed_c_with_b)[same], minlength=n)
    diff = ~same
    counts["gatekeeper"] -= np.bincount(brokers_of_tie[diff], weights=closed_c_with_b[diff], minlength=n)
    counts["itinerant"] -= np.bincount(brokers_of_tie[diff], weights=closed_c_with_a[diff], minlength=n)
    counts["liaison"] -= np.bincount(brokers_of_tie[diff], weights=(closed_all - closed_c_with_b - closed_c_with_a)[diff], minlength=n)
    frame = pd.DataFrame({role: np.rint(counts[role]).astype(np.int64) for role in ROLES}, index=pd.Index(nodes))
    frame["brokerage"] = frame[list(ROLES)].sum(axis=1)
    return frame


# ---------------------------------------------------------------- participation


def _group_strengths(indexed: IndexedGraph, codes: np.ndarray, weight: str | None) -> sp.csr_matrix:
    """``K[i, s]``: weight (or number) of i's ties, in either direction, with group s."""
    n = len(indexed.nodes)
    adjacency = _adjacency(indexed, weight)
    both = (adjacency + adjacency.T).tocsr()
    H = sp.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, int(codes.max()) + 1 if n else 0))
    strengths: sp.csr_matrix = (both @ H).tocsr()
    return strengths


def participation(
    G: PeopleGraph,
    by: str | Mapping[Hashable, Hashable] = "department",
    *,
    weight: str | None = "weight",
    indexed: IndexedGraph | None = None,
) -> dict[Hashable, float]:
    r"""Participation coefficient: how evenly each person's ties spread over the groups.

    .. math:: P_i = 1 - \sum_s \left(\frac{k_{is}}{k_i}\right)^2,

    where :math:`k_{is}` is the strength of :math:`i`'s ties with group
    :math:`s` (its own included) and :math:`k_i = \sum_s k_{is}`. 0 when all
    ties stay in one group; it approaches 1 - 1/g when they spread evenly over
    g groups.

    Parameters
    ----------
    G : people graph, directed or not.
    by : node attribute defining the groups, or a mapping node -> group (e.g.
        a community assignment). People without one form
        :data:`~orgnet.summary.UNKNOWN`.
    weight : edge attribute of tie strength, or ``None`` to count ties.
    indexed : the :class:`~orgnet.engine.IndexedGraph` of ``G``, if already built.

    Returns
    -------
    dict node -> participation coefficient; NaN for people without ties.

    Notes
    -----
    Ties count in both directions: in a directed graph a tie a -> b adds to
    :math:`k_a` and :math:`k_b`, so a reciprocated pair counts twice (once per
    directed tie, as orgnet's E-I index does). O(N + E). Self-loops are ignored.

    References
    ----------
    .. [1] Guimerà, R., Amaral, L. A. N. (2005). Functional cartography of
       complex metabolic networks. Nature 433, 895-900.

    Examples
    --------
    A hub tied to two people of A, two of B and one of C: ``1 - (0.4 ** 2 + 0.4
    ** 2 + 0.2 ** 2)``; everyone else talks to one group only:

    >>> import networkx as nx
    >>> G = nx.Graph([("hub", p) for p in ("a1", "a2", "b1", "b2", "c1")])
    >>> nx.set_node_attributes(G, {"hub": "A", "a1": "A", "a2": "A", "b1": "B", "b2": "B", "c1": "C"}, "department")
    >>> round(participation(G, weight=None)["hub"], 4), participation(G, weight=None)["a1"]
    (0.64, 0.0)
    """
    indexed = indexed_of(G, indexed, weight)
    _, codes = group_codes(G, by, indexed.nodes)
    return dict(zip(indexed.nodes, _participation(indexed, codes, weight)[0].tolist()))


def _participation(indexed: IndexedGraph, codes: np.ndarray, weight: str | None) -> tuple[np.ndarray, sp.csr_matrix]:
    strengths = _group_strengths(indexed, codes, weight)
    total = np.asarray(strengths.sum(axis=1)).ravel()
    squares = np.asarray(strengths.multiply(strengths).sum(axis=1)).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        values = 1.0 - squares / total**2
    values[total == 0] = np.nan
    return values, strengths


# ---------------------------------------------------------------- all together


def brokers(
    G: PeopleGraph,
    by: str | Mapping[Hashable, Hashable] = "department",
    *,
    weight: str | None = "weight",
    k: int | None = None,
    exact_limit: int = EXACT_LIMIT,
    seed: int | None = None,
    min_groups: int = 2,
    min_participation: float = 0.5,
    indexed: IndexedGraph | None = None,
    kernels: Kernels | None = None,
) -> pd.DataFrame:
    """Every brokerage measure of every person in one table, with a boundary-spanner flag.

    A person is a **boundary spanner** when they have ties (either direction)
    with at least ``min_groups`` groups other than their own (the unknown
    group not counted) *and* a participation coefficient of at least
    ``min_participation``: they reach several groups and no single group
    dominates their ties.

    Parameters
    ----------
    G : people graph.
    by : node attribute defining the groups, or a mapping node -> group.
    weight : edge attribute of tie strength (``None``: ties counted, hops for paths).
    k, exact_limit, seed : passed to :func:`betweenness`.
    min_groups, min_participation : the boundary-spanner rule.
    indexed : the :class:`~orgnet.engine.IndexedGraph` of ``G``, if already built.
    kernels : where betweenness comes from (:mod:`orgnet.kernels`; default :func:`betweenness` of ``G``
        with ``weight``, ``k``, ``exact_limit`` and ``seed``).

    Returns
    -------
    DataFrame indexed by node (``person_id``) with :data:`BROKER_COLUMNS`:
    ``group``; ``betweenness`` (normalised, distance ``1 / weight``) and
    ``betweenness_stderr``; ``constraint`` and ``effective_size`` (NaN without
    ties); the Gould-Fernandez role counts and their sum ``brokerage``;
    ``participation``; ``other_groups`` (groups other than one's own reached);
    ``boundary_spanner``. ``frame.attrs["betweenness"]`` holds how betweenness
    was computed (``exact``, ``pivots``, ``error_bound``, ``confidence``).

    Notes
    -----
    Dominated by betweenness (see :func:`betweenness`); the other measures take
    O(E^1.5) at worst, from the triangles of the ties listed once.

    Examples
    --------
    Heather (7) brokers the Krackhardt kite; Diane (3), with the most ties, has
    a larger effective size but a fraction of the betweenness (NetworkX's
    values):

    >>> import networkx as nx
    >>> table = brokers(nx.krackhardt_kite_graph(), weight=None)
    >>> int(table["betweenness"].idxmax())
    7
    >>> columns = ["betweenness", "constraint", "effective_size"]
    >>> table.loc[7, columns].round(4).tolist(), table.loc[3, columns].round(4).tolist()
    ([0.3889, 0.4311, 2.3333], [0.1019, 0.4702, 3.3333])
    """
    kernels = kernels_of(G, indexed, kernels, weight)
    indexed = kernels.indexed
    nodes = indexed.nodes
    labels, codes = group_codes(G, by, nodes)
    between = kernels.betweenness(k, exact_limit, seed)
    roles = brokerage_roles(G, by, indexed=indexed)
    values, strengths = _participation(indexed, codes, weight)
    reached = strengths.tocoo()
    other = reached.col != codes[reached.row]
    if UNKNOWN in labels and labels[-1] == UNKNOWN:
        other &= reached.col != len(labels) - 1
    other_groups = np.bincount(reached.row[other & (reached.data > 0)], minlength=len(nodes))
    frame = pd.DataFrame(
        {
            "group": [labels[c] for c in codes],
            "betweenness": [between.values[node] for node in nodes],
            "betweenness_stderr": [between.stderr[node] for node in nodes],
            "constraint": list(constraint(G, weight=weight, indexed=indexed).values()),
            "effective_size": list(effective_size(G, weight=weight, indexed=indexed).values()),
        },
        index=pd.Index(nodes, name="person_id"),
    )
    for column in [*ROLES, "brokerage"]:
        frame[column] = roles[column].to_numpy()
    frame["participation"] = values
    frame["other_groups"] = other_groups.astype(np.int64)
    frame["boundary_spanner"] = (frame["other_groups"] >= min_groups) & (frame["participation"] >= min_participation)
    frame.attrs["betweenness"] = {key: value for key, value in between.to_dict().items() if key not in ("values", "stderr")}
    return frame[BROKER_COLUMNS]


def network_roles(table: pd.DataFrame, share: float = ROLE_SHARE) -> pd.Series:
    """Cross & Prusak's network roles of every person of a broker table (a person may hold several, or none).

    With ``q_hi(m)`` and ``q_lo(m)`` the ``1 - share`` and ``share`` quantiles of measure ``m`` over the people with
    ties (``effective_size > 0``):

    - *central connector*: ``effective_size >= q_hi(effective_size)``;
    - *boundary spanner*: the ``boundary_spanner`` flag of :func:`brokers`;
    - *information broker*: ``betweenness >= q_hi(betweenness) > 0`` and ``constraint <= median(constraint)``;
    - *peripheral specialist*: ``effective_size <= q_lo(effective_size)``, and not a boundary spanner.

    Parameters
    ----------
    table : a broker table (:func:`brokers`, or its stored records indexed by ``person_id``).
    share : the share of people with ties that counts as the most, or the fewest.

    Returns
    -------
    Series indexed like ``table``: each person's roles, a list in the order of :data:`NETWORK_ROLES`.

    References
    ----------
    .. [1] Cross, R. and Prusak, L. (2002). The people who make organizations go, or stop. *Harvard Business Review*
       80(6), 104-112.

    Examples
    --------
    A star with a tail: the hub has the most contacts and betweenness; the leaves have one contact each.

    >>> import networkx as nx
    >>> G = nx.Graph([("hub", "a"), ("hub", "b"), ("hub", "c"), ("c", "d")])
    >>> nx.set_node_attributes(G, "Eng", "department")
    >>> roles = network_roles(brokers(G, weight=None), share=0.25)
    >>> roles["hub"], roles["a"], roles["d"]
    (['central connector', 'information broker'], ['peripheral specialist'], ['peripheral specialist'])
    """
    effective = pd.to_numeric(table["effective_size"], errors="coerce")
    tied = effective > 0
    between = pd.to_numeric(table["betweenness"], errors="coerce")
    constrained = pd.to_numeric(table["constraint"], errors="coerce")
    spanner = table["boundary_spanner"].fillna(False).astype(bool)
    if not tied.any():
        return pd.Series([[] for _ in range(len(table))], index=table.index, dtype=object)
    top_effective, low_effective = effective[tied].quantile(1 - share), effective[tied].quantile(share)
    top_between = between[tied].quantile(1 - share)
    flags = {
        "central connector": tied & (effective >= top_effective),
        "boundary spanner": spanner,
        "information broker": tied & (between >= top_between) & (between > 0) & (constrained <= constrained[tied].median()),
        "peripheral specialist": tied & (effective <= low_effective) & ~spanner,
    }
    held = pd.DataFrame(flags)[list(NETWORK_ROLES)]
    return pd.Series([[role for role in NETWORK_ROLES if row[role]] for _, row in held.iterrows()], index=table.index, dtype=object)


def rank_brokers(table: pd.DataFrame, order: str = "betweenness") -> pd.DataFrame:
    """The people of a broker table, best broker first by the measure ``order``.

    Higher is better for every measure of :data:`BROKER_ORDERS` but
    ``constraint``, where the least constrained person (Burt's broker across
    structural holes) comes first. People without a value (no ties) come
    last; ties go to the person id.

    Parameters
    ----------
    table : a broker table indexed by ``person_id``: what :func:`brokers`
        returns, or its stored records with ``person_id`` as the index.
    order : one of :data:`BROKER_ORDERS`.

    Returns
    -------
    DataFrame: the rows of ``table``, reordered.

    Raises
    ------
    ValueError
        When ``order`` is not one of :data:`BROKER_ORDERS`.

    Examples
    --------
    The Krackhardt kite: Heather (7), then Fernando and Garth (5, 6), have
    the most betweenness and the least constraint; Diane (3) the largest
    effective size (NetworkX's values):

    >>> import networkx as nx
    >>> table = brokers(nx.krackhardt_kite_graph(), weight=None)
    >>> rank_brokers(table).index[:3].tolist(), rank_brokers(table, "constraint").index[:3].tolist()
    ([7, 5, 6], [7, 5, 6])
    >>> int(rank_brokers(table, "effective_size").index[0])
    3
    """
    if order not in BROKER_ORDERS:
        raise ValueError(f"rank brokers by one of {', '.join(BROKER_ORDERS)}, not {order!r}")
    ranked = table.rename_axis("person_id").sort_values(
        [order, "person_id"], ascending=[order == "constraint", True], na_position="last", kind="stable"
    )
    # pandas-stubs take only str-like names in rename_axis; an index may be named by any Hashable, as this one is.
    renamed: pd.DataFrame = ranked.rename_axis(table.index.name)  # type: ignore[call-overload]
    return renamed
