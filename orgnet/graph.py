"""The people graph: NetworkX graphs built from stored ties and people.

Every analytics job takes one of these graphs (plus the people table) as
input, so jobs never read the store themselves. NetworkX is imported where a
graph is built: an analysis on the array engine never loads it.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pandas as pd

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["edge_graph", "people_graph", "tie_edges", "undirected_graph"]

_Node = TypeVar("_Node", bound=Hashable)


def tie_edges(ties: pd.DataFrame) -> pd.DataFrame:
    """Sum ties over periods and channels into one row per directed pair.

    Parameters
    ----------
    ties : DataFrame with :data:`orgnet.model.TIE_COLUMNS`.

    Returns
    -------
    DataFrame with ``source``, ``target``, ``count`` and ``weight``, sorted by pair.
    """
    if ties.empty:
        return pd.DataFrame({"source": [], "target": [], "count": [], "weight": []}).astype(
            {"source": object, "target": object, "count": "int64", "weight": float}
        )
    return ties.groupby(["source", "target"], sort=True, observed=True).agg(count=("count", "sum"), weight=("weight", "sum")).reset_index()


def people_graph(ties: pd.DataFrame, people: pd.DataFrame | None = None) -> nx.DiGraph[str]:
    """The directed, weighted people graph of a set of ties.

    Parameters
    ----------
    ties : DataFrame with :data:`orgnet.model.TIE_COLUMNS` (any periods and
        channels; they are summed).
    people : optional people table (as :meth:`orgnet.store.Store.people`
        returns it). Every person becomes a node, with or without ties, and
        carries its columns as node attributes (missing values left out).

    Returns
    -------
    ``nx.DiGraph`` with edge attributes ``weight`` (summed tie weight) and
    ``count`` (number of interactions). Nodes that appear in ties but not in
    ``people`` are added without attributes.
    """
    return edge_graph(tie_edges(ties), people)


def edge_graph(edges: pd.DataFrame, people: pd.DataFrame | None = None) -> nx.DiGraph[str]:
    """The people graph of ties already summed by :func:`tie_edges` (see :func:`people_graph`).

    Notes
    -----
    One ``add_nodes_from`` and one ``add_edges_from`` pass over plain Python
    lists (iterating pandas' Arrow-backed string columns costs ~3 us a value):
    about 2 s for 800,000 ties, NetworkX's own cost of a dict per edge.
    """
    import networkx as nx

    graph: nx.DiGraph[str] = nx.DiGraph()
    if people is not None and not people.empty:
        table = people.drop(columns="person_id")
        # Only rows where pandas sees a missing value need filtering.
        incomplete = table.isna().any(axis=1).tolist()
        # pandas-stubs key a record by any label; a people table's labels are its column names.
        records = cast("list[dict[str, Any]]", table.to_dict("records"))
        graph.add_nodes_from(
            (person, _present(record) if missing else record)
            for person, record, missing in zip(people["person_id"].tolist(), records, incomplete)
        )
    attributes = (
        {"weight": w, "count": c} for w, c in zip(edges["weight"].astype(float).tolist(), edges["count"].astype("int64").tolist())
    )
    graph.add_edges_from(zip(edges["source"].tolist(), edges["target"].tolist(), attributes))
    return graph


def _present(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` without its missing values (None, NaN)."""
    return {k: v for k, v in record.items() if v is not None and not (isinstance(v, float) and v != v)}


def undirected_graph(graph: nx.DiGraph[_Node]) -> nx.Graph[_Node]:
    """Undirected view of a people graph, with ``weight`` and ``count`` of both directions summed.

    Node attributes are kept.
    """
    import networkx as nx

    undirected: nx.Graph[_Node] = nx.Graph()
    undirected.add_nodes_from(graph.nodes(data=True))
    for source, target, data in graph.edges(data=True):
        if undirected.has_edge(source, target):
            edge = undirected[source][target]
            edge["weight"] += data.get("weight", 1.0)
            edge["count"] += data.get("count", 1)
        else:
            undirected.add_edge(source, target, weight=data.get("weight", 1.0), count=data.get("count", 1))
    return undirected
