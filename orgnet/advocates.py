"""Advocates: whose voice travels furthest, inside the organisation and outside it.

:func:`advocates` ranks people by four components, each a pure function of
the people graph and the engagement and audience tables:

* **influence**: weighted PageRank of the directed tie graph
  (:func:`pagerank`, Page et al. 1999) and eigenvector centrality of its
  undirected weighted view (:func:`eigenvector`, Bonacich 1972);
* **engagement**: advocacy actions per month in a window and their trend,
  the least-squares slope of the monthly counts (:func:`activity`);
* **reach**: distinct external followers (:mod:`orgnet.reach`), and how
  many of them nobody ranked higher reaches;
* **bridging**: how many groups (departments by default) and communities
  the person has ties with (:func:`bridging`).

The score is a weighted mean of percentile ranks (see :func:`advocates`),
with weights from :class:`AdvocateWeights`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, model_validator

from orgnet.engine import IndexedGraph, PeopleGraph, node_values, unique_keys
from orgnet.kernels import Kernels, kernels_of
from orgnet.reach import engagement_window, owner_audiences, ranked_marginal_reach
from orgnet.summary import UNKNOWN, group_codes, indexed_of

__all__ = [
    "ADVOCATE_COLUMNS",
    "COMPONENTS",
    "TIE_TOLERANCE",
    "AdvocateWeights",
    "activity",
    "advocates",
    "bridging",
    "eigenvector",
    "pagerank",
    "percentile_rank",
    "select_advocates",
]

#: Relative difference below which :func:`percentile_rank` takes two values as equal.
TIE_TOLERANCE = 1e-9
#: Weighted components of the score, each a column of :func:`advocates` summing to ``score``.
COMPONENTS = ("influence", "engagement", "reach", "bridging")
#: Columns of :func:`advocates`.
ADVOCATE_COLUMNS = [
    "person_id",
    "name",
    "department",
    "location",
    "rank",
    "score",
    "pagerank",
    "eigenvector",
    "actions_per_month",
    "engagement_trend",
    "followers",
    "unique_reach",
    "marginal_reach",
    "groups_reached",
    "communities_reached",
    "explain",
    *COMPONENTS,
]


class AdvocateWeights(BaseModel):
    """Weights of the advocate score's components (any non-negative numbers; they are normalised).

    ``trend_share`` is the part of the engagement component given to the
    trend of monthly actions (the rest goes to their level);
    ``eigenvector_share`` the part of influence given to eigenvector
    centrality (the rest to PageRank).
    """

    influence: float = Field(0.3, ge=0)
    engagement: float = Field(0.3, ge=0)
    reach: float = Field(0.3, ge=0)
    bridging: float = Field(0.1, ge=0)
    trend_share: float = Field(0.25, ge=0, le=1)
    eigenvector_share: float = Field(0.5, ge=0, le=1)

    @model_validator(mode="after")
    def _some_weight(self) -> AdvocateWeights:
        if self.influence + self.engagement + self.reach + self.bridging <= 0:
            raise ValueError("at least one component weight must be positive")
        return self


# --------------------------------------------------------------------------- influence


def pagerank(
    G: PeopleGraph, alpha: float = 0.85, weight: str | None = "weight", *, indexed: IndexedGraph | None = None
) -> dict[Hashable, float]:
    """Weighted PageRank of a directed people graph, as ``nx.pagerank`` defines it.

    The stationary distribution of a random walk that follows an out-tie
    with probability proportional to its weight, and with probability
    ``1 - alpha`` (or always, from a person without out-ties) jumps to a
    person chosen uniformly:
    ``PR(v) = (1 - alpha) / N + alpha * (sum_u PR(u) w_uv / W_u + sum_{d dangling} PR(d) / N)``
    where ``W_u`` is ``u``'s total out-weight.

    Parameters
    ----------
    G : NetworkX (di)graph; an undirected graph counts each tie both ways.
    alpha : damping factor.
    weight : edge attribute with the weight (``None``: every tie weighs 1).
    indexed : :class:`orgnet.engine.IndexedGraph` of ``G`` if already built.

    Returns
    -------
    dict node -> PageRank, summing to 1.

    Notes
    -----
    Solved by igraph's PRPACK (a direct sparse solver, in C) in about
    O(N + E); equal to ``nx.pagerank(G, alpha, weight=weight)`` up to
    NetworkX's own tolerance. An empty graph gives an empty dict.

    References
    ----------
    Page, Brin, Motwani & Winograd (1999). The PageRank citation ranking:
    bringing order to the web. Stanford InfoLab.

    Examples
    --------
    In Zachary's karate club the club's officer (node 33) and its instructor
    (node 0) have the highest PageRank, as ``nx.pagerank`` finds:

    >>> import networkx as nx
    >>> pr = pagerank(nx.karate_club_graph(), weight=None)
    >>> sorted(pr, key=pr.get, reverse=True)[:2]
    [33, 0]
    >>> round(pr[33], 4), round(pr[0], 4)
    (0.1009, 0.097)
    """
    indexed = indexed_of(G, indexed, weight=weight)
    if not indexed.nodes:
        return {}
    graph = indexed.weighted_igraph
    values = graph.pagerank(weights="weight" if len(indexed.sources) else None, directed=indexed.directed, damping=alpha)
    return dict(zip(indexed.nodes, values))


def eigenvector(G: PeopleGraph, weight: str | None = "weight", *, indexed: IndexedGraph | None = None) -> dict[Hashable, float]:
    """Eigenvector centrality of the undirected weighted view of a people graph.

    A person is central when tied, strongly, to central people:
    ``x_v = (1 / lambda) * sum_u a_uv x_u`` where ``a_uv = w_uv + w_vu`` sums
    both directions of a tie and ``lambda`` is the largest eigenvalue of
    ``A``; ``x`` is the non-negative eigenvector with Euclidean norm 1.

    Parameters
    ----------
    G : NetworkX (di)graph.
    weight : edge attribute with the weight (``None``: every tie weighs 1).
    indexed : :class:`orgnet.engine.IndexedGraph` of ``G`` if already built.

    Returns
    -------
    dict node -> centrality, equal to
    ``nx.eigenvector_centrality(orgnet.graph.undirected_graph(G), weight=weight)``.

    Notes
    -----
    ARPACK (``scipy.sparse.linalg.eigsh``) on the symmetric sparse matrix,
    dense ``eigh`` below 64 people. People outside the component(s) with the
    largest eigenvalue get (numerically) 0, as in NetworkX's power iteration.
    A graph without ties gives 0 to everyone (NetworkX would give
    ``1 / sqrt(N)``: there is no influence to share).

    References
    ----------
    Bonacich (1972). Factoring and weighting approaches to status scores and
    clique identification. Journal of Mathematical Sociology 2.

    Examples
    --------
    The same two lead the karate club's eigenvector centrality
    (``nx.eigenvector_centrality`` gives 0.3734 and 0.3555):

    >>> import networkx as nx
    >>> centrality = eigenvector(nx.karate_club_graph(), weight=None)
    >>> round(float(centrality[33]), 4), round(float(centrality[0]), 4)
    (0.3734, 0.3555)
    """
    indexed = indexed_of(G, indexed, weight=weight)
    n = len(indexed.nodes)
    if n == 0:
        return {}
    if len(indexed.sources) == 0:
        return dict.fromkeys(indexed.nodes, 0.0)
    matrix = indexed.adjacency(symmetric=True).astype(float)
    if n < 64:
        _, vectors = np.linalg.eigh(matrix.toarray())
        vector = vectors[:, -1]
    else:
        from scipy.sparse.linalg import eigsh

        _, vectors = eigsh(matrix, k=1, which="LA", v0=np.ones(n), tol=1e-12)
        vector = vectors[:, 0]
    vector = np.abs(vector)
    vector[vector < 1e-12 * vector.max()] = 0.0
    return dict(zip(indexed.nodes, vector / np.linalg.norm(vector)))


# --------------------------------------------------------------------------- engagement


def _months(first: str, last: str) -> list[str]:
    return list(pd.period_range(first, last, freq="M").strftime("%Y-%m"))


def activity(
    engagement: pd.DataFrame | None,
    *,
    start: str | None = None,
    end: str | None = None,
    actions: Collection[str] | None = None,
    people: list[Hashable] | None = None,
) -> pd.DataFrame:
    """Advocacy actions per month and their trend, per person.

    For person ``i`` with ``y_it`` actions in month ``t = 0..T-1`` of the window:
    ``actions_per_month = mean_t y_it`` and ``engagement_trend`` is the least
    squares slope ``sum_t (t - tbar)(y_it - ybar_i) / sum_t (t - tbar)^2``
    (actions per month, per month).

    Parameters
    ----------
    engagement : :data:`orgnet.model.ENGAGEMENT_COLUMNS` table, or ``None``.
    start, end : first and last month (``YYYY-MM``) of the window; default
        the first and last month of ``engagement``.
    actions : actions that count (default all).
    people : rows to return, in order (default everyone with actions).

    Returns
    -------
    DataFrame indexed by person with ``actions``, ``months``,
    ``actions_per_month`` and ``engagement_trend``.

    Notes
    -----
    Vectorised: one person x month count matrix and one matrix-vector
    product, O(rows + people x months). Months without actions count as 0;
    a one-month window has trend 0.

    Examples
    --------
    ``a`` acts 1, 2 then 3 times in January to March (2 a month, one more each
    month); ``b`` three times in January only (the slope of 3, 0, 0 is -1.5):

    >>> import pandas as pd
    >>> engagement = pd.DataFrame(
    ...     {
    ...         "person_id": ["a"] * 6 + ["b"] * 3,
    ...         "date": ["2026-01-02", "2026-02-03", "2026-02-04", "2026-03-01", "2026-03-02", "2026-03-03"] + ["2026-01-05"] * 3,
    ...         "action": "share",
    ...     }
    ... )
    >>> table = activity(engagement, start="2026-01", end="2026-03")
    >>> columns = ["actions", "actions_per_month", "engagement_trend"]
    >>> table.loc["a", columns].tolist(), table.loc["b", columns].tolist()
    ([6.0, 2.0, 1.0], [3.0, 1.0, -1.5])
    """
    frame = engagement if engagement is not None else pd.DataFrame(columns=["person_id", "date", "action"])
    if actions is not None:
        frame = frame[frame["action"].isin(list(actions))]
    frame = engagement_window(frame, start, end)
    month_of = frame["date"].astype(str).str[:7]
    first = start or (month_of.min() if len(frame) else None)
    last = end or (month_of.max() if len(frame) else None)
    months = _months(first, last) if first and last else []
    labels = pd.Index(people if people is not None else pd.unique(frame["person_id"]))
    rows = labels.get_indexer(pd.Index(frame["person_id"]))
    columns = pd.Index(months).get_indexer(pd.Index(month_of))
    keep = (rows >= 0) & (columns >= 0)
    counts = np.zeros((len(labels), max(len(months), 1)))
    np.add.at(counts, (rows[keep], columns[keep]), 1.0)
    t = np.arange(counts.shape[1], dtype=float)
    centred = t - t.mean()
    denominator = float((centred**2).sum())
    trend = counts @ centred / denominator if denominator > 0 else np.zeros(len(labels))
    return pd.DataFrame(
        {
            "actions": counts.sum(axis=1).astype(np.int64),
            "months": len(months),
            "actions_per_month": counts.mean(axis=1),
            "engagement_trend": trend,
        },
        index=pd.Index(labels, name="person_id"),
    )


# --------------------------------------------------------------------------- bridging


def _distinct_neighbour_groups(indexed: IndexedGraph, codes: np.ndarray) -> np.ndarray:
    """Per node, distinct group codes (>= 0) among its neighbours, either direction."""
    n = len(indexed.nodes)
    k = int(codes.max()) + 1 if len(codes) and codes.max() >= 0 else 0
    if k == 0 or len(indexed.sources) == 0:
        return np.zeros(n, dtype=np.int64)
    nodes = np.concatenate([indexed.sources, indexed.targets])
    groups = np.concatenate([codes[indexed.targets], codes[indexed.sources]])
    known = groups >= 0
    pairs = unique_keys(nodes[known] * k + groups[known])
    return np.bincount(pairs // k, minlength=n).astype(np.int64)


def bridging(
    G: PeopleGraph,
    by: str = "department",
    communities: Mapping[Hashable, Hashable] | None = None,
    *,
    indexed: IndexedGraph | None = None,
) -> pd.DataFrame:
    """How many distinct groups and communities each person has ties with.

    ``groups_reached(v) = |{g(u) : u ~ v}|`` over neighbours ``u`` in either
    direction (the person's own group counts when tied to a colleague in it);
    likewise ``communities_reached`` for a node -> community mapping.

    Parameters
    ----------
    G : people graph.
    by : node attribute defining the groups.
    communities : optional mapping node -> community.
    indexed : :class:`orgnet.engine.IndexedGraph` of ``G`` if already built.

    Returns
    -------
    DataFrame indexed by node with ``groups_reached`` and
    ``communities_reached`` (``<NA>`` without ``communities``); its ``attrs``
    hold ``groups`` and ``communities``, the totals to compare with.

    Notes
    -----
    O(E log E). Neighbours without a group (:data:`orgnet.summary.UNKNOWN`)
    or community are not counted.

    Examples
    --------
    Person 1 is tied to 2 (department Y) and 3 (X), and 4 (Y) ties to 1:

    >>> import networkx as nx
    >>> G = nx.DiGraph([(1, 2), (1, 3), (4, 1)])
    >>> nx.set_node_attributes(G, {1: "X", 2: "Y", 3: "X", 4: "Y"}, "department")
    >>> bridging(G)["groups_reached"].to_dict()
    {1: 2, 2: 1, 3: 1, 4: 1}
    """
    indexed = indexed_of(G, indexed)
    labels, codes = group_codes(G, by, indexed.nodes)
    if UNKNOWN in labels:
        codes = np.where(codes == labels.index(UNKNOWN), -1, codes)
    groups = _distinct_neighbour_groups(indexed, codes)
    result = pd.DataFrame({"groups_reached": groups}, index=pd.Index(indexed.nodes, name="person_id"))
    result["communities_reached"] = pd.array([pd.NA] * len(indexed.nodes), dtype="Int64")
    total_communities = 0
    if communities is not None:
        community_codes, uniques = pd.factorize(pd.Series([communities.get(node) for node in indexed.nodes], dtype=object))
        result["communities_reached"] = pd.array(_distinct_neighbour_groups(indexed, community_codes), dtype="Int64")
        total_communities = len(uniques)
    result.attrs.update(groups=len([label for label in labels if label != UNKNOWN]), communities=total_communities)
    return result


# --------------------------------------------------------------------------- score


def percentile_rank(values: pd.Series | np.ndarray) -> np.ndarray:
    """Share of people at or below a value, counting ties from the bottom: ``(1 + #{j: x_j < x_i}) / n``.

    The best value gets 1; a value shared by everyone gets ``1 / n``, so a
    component where nobody stands out adds (almost) nothing to the score.
    Values within a relative :data:`TIE_TOLERANCE` of each other are ties:
    the PageRank of two people in the same position differs in its last
    bits, and must not put one a rank above the other. ``NaN`` stays ``NaN``
    (and counts in ``n``).

    Examples
    --------
    >>> percentile_rank([0, 0, 0, 5]).tolist()
    [0.25, 0.25, 0.25, 1.0]
    >>> percentile_rank([0.1 + 0.2, 0.3, 0.5]).tolist()  # 0.1 + 0.2 is 0.30000000000000004
    [0.3333333333333333, 0.3333333333333333, 1.0]
    """
    x = np.asarray(values, dtype=float)
    ranks = np.full(len(x), np.nan)
    finite = ~np.isnan(x)
    if finite.any():
        order = np.argsort(x[finite], kind="stable")
        ordered = x[finite][order]
        starts = np.r_[True, np.diff(ordered) > TIE_TOLERANCE * np.maximum(np.abs(ordered[1:]), np.abs(ordered[:-1]))]
        first = np.maximum.accumulate(np.where(starts, np.arange(len(ordered)), 0))
        placed = np.empty(len(ordered))
        placed[order] = first + 1
        ranks[finite] = placed
    return ranks / max(len(x), 1)


def _matches(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, (list, tuple, set, frozenset)):
        return value in wanted
    return bool(value == wanted)


def _kept(
    values: Callable[[str], Iterable[Any]], n: int, filters: Mapping[str, Any] | None, actions_per_month: Any, min_actions: float
) -> np.ndarray:
    """Which of ``n`` people pass the ``filters`` (``values(attribute)``: theirs) and ``min_actions`` a month."""
    keep = np.ones(n, dtype=bool)
    for attribute, wanted in (filters or {}).items():
        keep &= np.fromiter((_matches(value, wanted) for value in values(attribute)), dtype=bool, count=n)
    if min_actions > 0:
        keep &= np.nan_to_num(np.asarray(actions_per_month, dtype=float)) >= min_actions
    return keep


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"


def _plural(word: str) -> str:
    return word if word.endswith("s") else word + "s"


def _formatted(values: np.ndarray, form: Callable[[Any], str]) -> np.ndarray:
    """``form`` of every value, as an object array: each distinct value is formatted once."""
    if len(values) == 0:
        return np.zeros(0, dtype=object)
    distinct, inverse = np.unique(values, return_inverse=True)
    return np.array([form(value) for value in distinct.tolist()], dtype=object)[inverse.reshape(-1)]


def _explanations(ranked: pd.DataFrame, *, months: int, by: str, total_groups: int, total_communities: int) -> np.ndarray:
    """The ``explain`` sentence of every row of ``ranked`` (see :func:`advocates`), built a column at a time.

    A sentence has four parts: the influence percentile ("Top 2% internal influence"), the actions a month
    and their trend ("rising" or "falling" when the change fitted over the window is at least
    ``max(1, level / 4)`` actions/month, else "steady"), the unique and marginal followers, and the groups
    (and communities) reached.
    """
    level = ranked["actions_per_month"].to_numpy(dtype=float)
    slope = ranked["engagement_trend"].to_numpy(dtype=float)
    unique = ranked["unique_reach"].to_numpy(dtype=float)
    influence = _formatted(np.maximum(1, np.ceil(100 * ranked["top_share"].to_numpy(dtype=float))).astype(np.int64), str)
    sentence = "Top " + influence + "% internal influence; "
    actions = _formatted(np.where(level > 0, level, 0.0), _number)
    change, threshold = slope * max(months - 1, 0), np.maximum(1.0, 0.25 * level)
    trend = np.where(change >= threshold, "rising", np.where(change <= -threshold, "falling", "steady")).astype(object)
    acting = actions + np.where(actions == "1", " action", " actions").astype(object) + "/month, " + trend
    sentence = sentence + np.where(level > 0, acting, "no advocacy actions")
    whole = _formatted(np.where(unique > 0, unique, 0.0), "{:,.0f}".format)
    marginal = _formatted(np.where(unique > 0, ranked["marginal_reach"].to_numpy(dtype=float), 0.0), "{:,.0f}".format)
    reaching = "reaches " + whole + " unique followers (" + marginal + " not reached by those ranked above)"
    sentence = sentence + "; " + np.where(unique > 0, reaching, "no known social audience")
    groups = _formatted(ranked["groups_reached"].to_numpy(dtype=np.int64), str)
    sentence = sentence + "; talks with " + groups + f" of {total_groups} {_plural(by)}"
    if total_communities:
        reached = ranked["communities_reached"]
        known = reached.notna().to_numpy()
        counts = _formatted(reached.fillna(0).to_numpy(dtype=np.int64), str)
        sentence = sentence + np.where(known, " and " + counts + f" of {total_communities} communities", "")
    result: np.ndarray = sentence + "."
    return result


def advocates(
    G: PeopleGraph,
    engagement: pd.DataFrame | None = None,
    audiences: pd.DataFrame | None = None,
    followers: pd.DataFrame | None = None,
    *,
    start: str | None = None,
    end: str | None = None,
    actions: Collection[str] | None = None,
    by: str = "department",
    communities: Mapping[Hashable, Hashable] | None = None,
    weights: AdvocateWeights | None = None,
    filters: Mapping[str, Any] | None = None,
    min_ties: int = 0,
    min_actions: float = 0,
    alpha: float = 0.85,
    weight: str | None = "weight",
    indexed: IndexedGraph | None = None,
    kernels: Kernels | None = None,
) -> pd.DataFrame:
    """Rank people as advocates: influence inside, engagement, reach outside and bridging.

    Each measure ``x`` is turned into a percentile rank ``P(x)`` among all
    people of ``G`` (:func:`percentile_rank`), and the components are

    * ``influence = (1 - e) P(pagerank) + e P(eigenvector)``,
    * ``engagement = (1 - t) P(actions_per_month) + t P(engagement_trend)``,
    * ``reach = P(unique_reach)``,
    * ``bridging = mean(P(groups_reached), P(communities_reached))`` (the
      latter only with ``communities``),

    with ``e = weights.eigenvector_share`` and ``t = weights.trend_share``.
    ``score = sum_c w_c * component_c / sum_c w_c`` lies in ``(0, 1]``; the
    columns ``influence``, ``engagement``, ``reach`` and ``bridging`` hold
    each weighted term, so they sum to ``score``.

    Parameters
    ----------
    G : directed people graph (:func:`orgnet.graph.people_graph` of a period's ties), or its
        :class:`~orgnet.engine.IndexedGraph` with the people's attributes.
    engagement : engagement table (``None``: nobody acts).
    audiences, followers : audience tables (``None``: nobody has followers).
    start, end : the engagement window, ``YYYY-MM`` months (inclusive);
        default the months the table covers.
    actions : engagement actions that count as advocacy (default all).
    by : node attribute whose groups bridging counts (default ``department``).
    communities : optional mapping node -> community.
    weights : :class:`AdvocateWeights` (default 0.3/0.3/0.3/0.1).
    filters : keep people whose node attribute equals a value, or is in a
        list/set of values, e.g. ``{"department": "Sales", "location": ["Paris", "Lyon"]}``.
    min_ties : keep people tied (either direction) to at least this many people.
    min_actions : keep people with at least this many advocacy actions a
        month on average over the window (the ``actions_per_month`` column;
        :func:`select_advocates` reads it the same way).
    alpha : PageRank damping.
    weight : tie attribute used as weight.
    indexed : :class:`orgnet.engine.IndexedGraph` of ``G`` if already built.
    kernels : where PageRank and eigenvector centrality come from (:mod:`orgnet.kernels`; default
        :func:`pagerank` and :func:`eigenvector` of ``G`` with ``alpha`` and ``weight``).

    Returns
    -------
    DataFrame with :data:`ADVOCATE_COLUMNS`, one row per kept person, by
    ``rank`` (1 = best). ``followers`` is the summed follower count;
    ``unique_reach`` the person's distinct followers (count-only accounts in
    full); ``marginal_reach`` the followers nobody ranked above reaches;
    ``explain`` a sentence such as "Top 2% internal influence; 14
    actions/month, rising; reaches 3,120 unique followers (1,870 not reached
    by those ranked above); talks with 6 of 8 departments."

    Notes
    -----
    Percentiles are taken over everyone in ``G`` before filtering, so a
    person's score does not depend on the filters; ``rank`` and
    ``marginal_reach`` do. Ties in score go to the higher PageRank, then
    the person id (PageRanks within :data:`TIE_TOLERANCE` are equal). The trend reads "rising" ("falling") when the fitted
    change over the window is at least ``max(1, level / 4)`` actions/month
    up (down). Cost: PageRank and ARPACK O(N + E), the rest vectorised;
    people outside ``G`` are ignored.

    References
    ----------
    Page et al. (1999); Bonacich (1972); see :func:`pagerank`, :func:`eigenvector`
    and :func:`orgnet.reach.max_coverage`.

    Examples
    --------
    A hub tied both ways to three people of three other departments, nobody
    acting or followed. The hub's influence percentile is 1, its engagement and
    reach 1/4 (everyone ties at 0) and its bridging 1 (three departments, the
    most): ``0.3 + 0.3 / 4 + 0.3 / 4 + 0.1 = 0.55``. Each other person has every
    percentile at 1/4, so a score of 1/4:

    >>> import networkx as nx
    >>> G = nx.DiGraph([("h", p) for p in "xyz"] + [(p, "h") for p in "xyz"])
    >>> nx.set_node_attributes(G, {"h": "A", "x": "B", "y": "C", "z": "D"}, "department")
    >>> table = advocates(G)
    >>> [(row.person_id, row.rank, round(row.score, 4)) for row in table.itertuples()]
    [('h', 1, 0.55), ('x', 2, 0.25), ('y', 3, 0.25), ('z', 4, 0.25)]
    >>> table.loc[0, "explain"]
    'Top 25% internal influence; no advocacy actions; no known social audience; talks with 3 of 4 departments.'
    """
    weights = weights or AdvocateWeights()
    kernels = kernels_of(G, indexed, kernels, weight)
    indexed = kernels.indexed
    nodes = indexed.nodes
    n = len(nodes)
    columns = list(ADVOCATE_COLUMNS)
    if n == 0:
        return pd.DataFrame(columns=columns)
    pr, eig = kernels.pagerank(alpha), kernels.eigenvector()
    acts = activity(engagement, start=start, end=end, actions=actions, people=nodes)
    reach = owner_audiences(audiences, followers, owner_type="person", owners=nodes)
    bridges = bridging(G, by, communities, indexed=indexed)
    table = pd.DataFrame(
        {
            "person_id": nodes,
            "name": node_values(G, "name", nodes),
            "department": node_values(G, "department", nodes),
            "location": node_values(G, "location", nodes),
            "pagerank": pr,
            "eigenvector": eig,
            "actions_per_month": acts["actions_per_month"].to_numpy(),
            "engagement_trend": acts["engagement_trend"].to_numpy(),
            "followers": reach.follower_sum,
            "unique_reach": reach.unique_reach.astype(float),
            "groups_reached": bridges["groups_reached"].to_numpy(),
            "communities_reached": bridges["communities_reached"].array,
        }
    )
    e, t = weights.eigenvector_share, weights.trend_share
    component = {
        "influence": (1 - e) * percentile_rank(pr) + e * percentile_rank(eig),
        "engagement": (1 - t) * percentile_rank(table["actions_per_month"]) + t * percentile_rank(table["engagement_trend"]),
        "reach": percentile_rank(table["unique_reach"]),
        "bridging": percentile_rank(table["groups_reached"])
        if communities is None
        else (percentile_rank(table["groups_reached"]) + percentile_rank(table["communities_reached"].fillna(0))) / 2,
    }
    total = sum(getattr(weights, c) for c in COMPONENTS)
    for c in COMPONENTS:
        table[c] = getattr(weights, c) * component[c] / total
    table["score"] = sum(table[c] for c in COMPONENTS)
    # The share of people at or above each PageRank ("top 2 %"); equal PageRanks share it (see percentile_rank).
    top_share = (n + 1) / n - percentile_rank(pr)

    keep = _kept(lambda attribute: node_values(G, attribute, nodes), n, filters, table["actions_per_month"], min_actions)
    if min_ties > 0:
        low, high = np.minimum(indexed.sources, indexed.targets), np.maximum(indexed.sources, indexed.targets)
        pairs = unique_keys(low * n + high)
        ties = np.bincount(pairs // n, minlength=n) + np.bincount(pairs % n, minlength=n)
        keep &= ties >= min_ties

    table["top_share"] = top_share
    ranked = table[keep].sort_values(["score", "top_share", "person_id"], ascending=[False, True, True], kind="stable")
    ranked = ranked.reset_index(drop=True)
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    ranked["marginal_reach"] = ranked_marginal_reach(reach, list(ranked["person_id"]))
    months = int(acts["months"].iloc[0]) if len(acts) else 0
    ranked["explain"] = _explanations(
        ranked, months=months, by=by, total_groups=bridges.attrs["groups"], total_communities=bridges.attrs["communities"]
    )
    return ranked[columns]


def select_advocates(
    table: pd.DataFrame,
    *,
    filters: Mapping[str, Any] | None = None,
    min_actions: float = 0,
    top: int | None = None,
) -> pd.DataFrame:
    """The advocates of a ranking who pass ``filters`` and ``min_actions``, best first, their ranks unchanged.

    Lists people from a ranking already made, such as the one ``orgnet
    analyze`` stores (:func:`advocates` over everyone): ``rank`` stays the
    rank among the whole organisation. Filtering inside :func:`advocates`
    instead ranks the kept people among themselves.

    Parameters
    ----------
    table : an advocate ranking, with the columns :data:`ADVOCATE_COLUMNS`
        (what :func:`advocates` returns, or its stored records as a DataFrame).
    filters : keep rows whose column equals a value, or is in a list/set of
        values, e.g. ``{"department": "Sales", "location": ["Paris", "Lyon"]}``
        (as :func:`advocates`' ``filters``, on the columns of ``table``).
    min_actions : keep people with at least this many advocacy actions a
        month (``actions_per_month``), as :func:`advocates` reads it.
    top : keep only the first ``top`` of those left.

    Returns
    -------
    DataFrame: the kept rows of ``table`` by ``rank``.

    Raises
    ------
    ValueError
        When a filter names a column ``table`` does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> ranking = pd.DataFrame(
    ...     {
    ...         "person_id": ["A", "B", "C", "D"],
    ...         "department": ["Sales", "Eng", "Eng", "HR"],
    ...         "rank": [1, 2, 3, 4],
    ...         "actions_per_month": [2.0, 0.5, 1.0, None],
    ...     }
    ... )
    >>> select_advocates(ranking, filters={"department": ["Eng", "HR"]})["person_id"].tolist()
    ['B', 'C', 'D']
    >>> select_advocates(ranking, min_actions=1, top=1)[["person_id", "rank"]].to_dict("records")
    [{'person_id': 'A', 'rank': 1}]
    """
    unknown = sorted(set(filters or {}) - set(table.columns))
    if unknown:
        raise ValueError(f"the ranking has no column {', '.join(map(repr, unknown))} to filter on")
    keep = _kept(lambda column: table[column].tolist(), len(table), filters, table["actions_per_month"], min_actions)
    kept = table[keep].sort_values("rank", kind="stable").reset_index(drop=True)
    return kept if top is None else kept.head(top)
