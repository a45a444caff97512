"""The network explorer's figure from a graph view: group nodes named, each group one colour at every level.

:func:`explorer_figure` turns a :class:`~orgnet.api.models.GraphView` into the
plotly figure the Network page draws. Colours come from
:func:`explorer_colors`, a map over every department and every community of
the snapshot (not only those drawn), so a department keeps its colour when it
is drilled into and a community keeps its own at person level.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import pandas as pd
import plotly.graph_objects as go

from orgnet.api.models import GraphView
from orgnet.viz import category_colors
from orgnet.viz.network import group_network_figure, network_figure

__all__ = ["community_name", "explorer_colors", "explorer_figure"]


def community_name(community: int) -> str:
    """How a community is named in legends and colour maps: ``community 3``."""
    return f"community {community}"


def explorer_colors(departments: Iterable[str], communities: Iterable[int]) -> dict[Hashable, str]:
    """One colour per department and one per community (:func:`community_name`) of a snapshot.

    Parameters
    ----------
    departments : every department of the snapshot.
    communities : every community number of the snapshot.

    Returns
    -------
    dict name -> colour, departments and communities each coloured in their sorted order from
    :data:`orgnet.viz.PALETTE` (:func:`orgnet.viz.category_colors`), so the map is the same whichever part is drawn.
    """
    colors = category_colors(departments)
    colors.update(category_colors(community_name(c) for c in sorted(set(communities))))
    return colors


def _person_figure(view: GraphView, color_by: str, size_by: str | None, colors: dict[Hashable, str]) -> go.Figure:
    nodes = pd.DataFrame(
        [
            {
                "id": n.id,
                "label": n.label,
                "x": n.x,
                "y": n.y,
                "department": n.department,
                "community": None if n.community is None else community_name(n.community),
                **n.attributes,
            }
            for n in view.nodes
        ],
        columns=["id", "label", "x", "y", "department", "community"],
    )
    edges = pd.DataFrame([e.model_dump() for e in view.edges], columns=["source", "target", "weight"])
    size = size_by if size_by in nodes.columns else None
    return network_figure(
        nodes,
        edges,
        color_by=color_by if color_by in nodes.columns else "department",
        size_by=size,
        highlight=view.focus,
        color_map=colors,
    )


def explorer_figure(view: GraphView, color_by: str, size_by: str | None, colors: dict[Hashable, str]) -> go.Figure:
    """The Network page's figure of ``view``.

    Parameters
    ----------
    view : a person, department or community view (suppressed groups are left out of the drawing).
    color_by : ``department`` or ``community``, for person views.
    size_by : a person metric of the view's nodes, or ``None`` for a fixed size.
    colors : :func:`explorer_colors` of the snapshot.

    Returns
    -------
    ``go.Figure``; each node point's ``customdata`` is its node id (a person id, a department, a community number as
    text), which is what a click drills down by. Group nodes are labelled with their name; communities, whose
    labels may repeat ("Engineering 100%"), are keyed by their number.
    """
    if view.level == "person":
        return _person_figure(view, color_by, size_by, colors)
    shown = [n for n in view.nodes if not n.suppressed]
    communities = view.level == "community"
    groups = pd.DataFrame(
        [
            {
                "group": n.id,
                "label": f"{n.label} ({community_name(int(n.id))})" if communities else n.label,
                "color": community_name(int(n.id)) if communities else n.id,
                "x": n.x,
                "y": n.y,
                "size": n.size,
                **n.attributes,
            }
            for n in shown
        ],
        columns=["group", "label", "color", "x", "y", "size", "internal_weight"],
    )
    edges = pd.DataFrame(
        [{"source_group": e.source, "target_group": e.target, "weight": e.weight} for e in view.edges if not e.suppressed],
        columns=["source_group", "target_group", "weight"],
    )
    figure = group_network_figure(groups, edges, color_by="color", color_map=colors, hover_fields=["size", "internal_weight"])
    figure.update_layout(legend={"title": {"text": "community" if communities else "department"}})
    return figure
