"""The network explorer's figure: people (or groups) as points at stored layout positions, ties as lines."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from orgnet.viz import MISSING_LABEL, TEMPLATE, category_colors, format_value, hover_text, is_numeric, natural_key, scale_sizes

__all__ = ["MAX_EDGES", "WEBGL_THRESHOLD", "group_network_figure", "label_slots", "network_figure", "side_labels"]

#: Above this many nodes, ``webgl="auto"`` draws with WebGL (``Scattergl``); SVG slows down past about a thousand points.
WEBGL_THRESHOLD = 1000

#: Default cap on drawn edges; the weakest beyond it are left out (a browser draws ~20k line segments smoothly).
MAX_EDGES = 20_000

#: Opacity of nodes and edges outside the highlighted ego network.
DIMMED = 0.12

_COLUMNS_NOT_HOVERED = {"x", "y"}


def _edge_coordinates(xy: np.ndarray) -> tuple[list, list]:
    """x and y lists with one ``x0, x1, None`` triple per edge, from an (E, 2, 2) array of endpoints."""
    e = len(xy)
    xs = np.full((e, 3), np.nan)
    ys = np.full((e, 3), np.nan)
    xs[:, :2] = xy[:, :, 0]
    ys[:, :2] = xy[:, :, 1]
    # None (not NaN) separates the segments in the JSON plotly.js reads.
    flat_x = xs.ravel().astype(object)
    flat_y = ys.ravel().astype(object)
    flat_x[2::3] = None
    flat_y[2::3] = None
    return flat_x.tolist(), flat_y.tolist()


def _edge_traces(
    nodes: pd.DataFrame, edges: pd.DataFrame, max_edges: int | None, weight_classes: int, highlight: Hashable | None, trace_type
) -> tuple[list, int]:
    """Edge traces (one per weight class, plus the highlighted ego's ties) and how many edges were left out."""
    if edges is None or edges.empty:
        return [], 0
    index = pd.Index(nodes["id"])
    src = index.get_indexer(edges["source"])
    tgt = index.get_indexer(edges["target"])
    weights = edges["weight"].to_numpy(dtype=float) if "weight" in edges.columns else np.ones(len(edges))
    known = (src >= 0) & (tgt >= 0)
    src, tgt, weights = src[known], tgt[known], np.nan_to_num(weights[known], nan=0.0)
    left_out = 0
    if max_edges is not None and len(weights) > max_edges:
        keep = np.sort(np.argsort(-weights, kind="stable")[:max_edges])
        left_out = len(weights) - max_edges
        src, tgt, weights = src[keep], tgt[keep], weights[keep]
    xy = nodes[["x", "y"]].to_numpy(dtype=float)
    endpoints = np.stack([xy[src], xy[tgt]], axis=1)

    ego = np.zeros(len(src), dtype=bool)
    if highlight is not None:
        h = index.get_indexer([highlight])[0]
        ego = (src == h) | (tgt == h)

    # Weight classes by quantile: a trace has one line width, so heavier ties get their own, wider trace.
    classes = max(1, int(weight_classes))
    if len(weights) and weights.max() > weights.min():
        edges_q = np.quantile(weights, np.linspace(0, 1, classes + 1)[1:-1])
        klass = np.searchsorted(edges_q, weights, side="right")
    else:
        klass = np.zeros(len(weights), dtype=np.int64)
    traces = []
    for c in range(classes):
        member = (klass == c) & ~ego
        if not member.any():
            continue
        x, y = _edge_coordinates(endpoints[member])
        lo, hi = weights[member].min(), weights[member].max()
        traces.append(
            trace_type(
                x=x,
                y=y,
                mode="lines",
                line={"width": 0.5 + 1.5 * c / max(1, classes - 1) if classes > 1 else 1.0, "color": "#888"},
                opacity=DIMMED if highlight is not None else 0.25 + 0.45 * c / max(1, classes - 1),
                hoverinfo="skip",
                showlegend=False,
                name=f"ties (weight {lo:.3g}-{hi:.3g})",
                meta={"role": "edges"},
            )
        )
    if ego.any():
        x, y = _edge_coordinates(endpoints[ego])
        traces.append(
            trace_type(
                x=x,
                y=y,
                mode="lines",
                line={"width": 2.0, "color": "#333"},
                opacity=0.9,
                hoverinfo="skip",
                showlegend=False,
                name="ties of the highlighted person",
                meta={"role": "edges"},
            )
        )
    return traces, left_out


def network_figure(
    nodes: pd.DataFrame,
    edges: pd.DataFrame | None = None,
    color_by: str | None = "department",
    size_by: str | None = None,
    highlight: Hashable | None = None,
    webgl: bool | str = "auto",
    *,
    hover_fields: Sequence[str] | None = None,
    color_map: Mapping[Hashable, str] | None = None,
    colorscale: str = "Viridis",
    size_range: tuple[float, float] = (6.0, 24.0),
    max_edges: int | None = MAX_EDGES,
    weight_classes: int = 3,
    show_labels: bool = False,
    title: str | None = None,
) -> go.Figure:
    """Draw a network at given positions: nodes coloured and sized by attributes, ties as lines.

    Parameters
    ----------
    nodes : DataFrame with ``id`` (person or group), ``x``, ``y`` (e.g. from
        :func:`orgnet.layout.person_layout`, ``person_id`` renamed ``id``),
        optionally ``label`` (shown in bold on hover; defaults to ``id``), the
        ``color_by`` and ``size_by`` columns and any other columns to show on hover.
    edges : DataFrame with ``source``, ``target`` (node ids) and optionally
        ``weight`` (1 when absent); edges naming unknown nodes are skipped.
    color_by : column to colour by. A categorical column (text, booleans)
        gives one trace per category, so the legend can show and hide
        departments; colours follow ``color_map`` or :func:`orgnet.viz.category_colors`
        (stable per category), missing values are :data:`orgnet.viz.MISSING_LABEL`
        in grey. A numeric column (a metric) gives one trace on ``colorscale``
        with a colour bar. ``None``: one colour.
    size_by : numeric column scaled into ``size_range`` px by area
        (:func:`orgnet.viz.scale_sizes`); ``None``: a fixed size (smaller above
        :data:`WEBGL_THRESHOLD` nodes).
    highlight : a node id whose ego network (itself, its neighbours and their
        ties) stays opaque while everything else is dimmed; the node itself
        gets a dark outline. An id not among ``nodes`` highlights nothing.
    webgl : ``True`` (``Scattergl``), ``False`` (``Scatter``, SVG) or
        ``"auto"``: WebGL above :data:`WEBGL_THRESHOLD` nodes.
    hover_fields : columns to list on hover; default every column but
        ``id``, ``label``, ``x`` and ``y``.
    color_map : category -> colour, to keep colours fixed across figures.
    max_edges : draw at most this many edges, the heaviest (ties to the
        highlighted node included only when they make the cut); ``None`` for all.
    weight_classes : edges are split into this many weight quantile classes,
        each one trace (one line width and opacity per trace in plotly) with
        ``None`` between segments.
    show_labels : write each node's label beside it (the group views; a
        person view has too many nodes). The hover text is then the trace's
        ``hovertext`` and its ``text`` the labels.
    title : figure title.

    Returns
    -------
    ``go.Figure``: the edge traces first (``meta={"role": "edges"}``), then
    the node traces (``meta={"role": "nodes"}``), each point's ``customdata``
    its node id so the browser can find and focus a node. When edges were
    left out, ``layout.meta["edges_left_out"]`` says how many.

    Notes
    -----
    The same function draws the group view: nodes are groups (from
    :func:`orgnet.layout.group_layout`) sized by member count, see
    :func:`group_network_figure`. Axes are hidden, without gridlines, at equal
    scale; ``uirevision`` keeps the user's zoom when the figure is updated.
    """
    if not {"id", "x", "y"} <= set(nodes.columns):
        raise KeyError("nodes need the columns id, x and y")
    nodes = nodes.reset_index(drop=True)
    n = len(nodes)
    use_gl = (n > WEBGL_THRESHOLD) if webgl == "auto" else bool(webgl)
    trace_type = go.Scattergl if use_gl else go.Scatter
    if edges is not None and not {"source", "target"} <= set(edges.columns):
        raise KeyError("edges need the columns source and target")

    label = "label" if "label" in nodes.columns else "id"
    labels = np.asarray([format_value(v) for v in nodes[label]], dtype=object)
    if hover_fields is None:
        hover_fields = [c for c in nodes.columns if c not in _COLUMNS_NOT_HOVERED | {"id", "label"}]
    text = np.asarray(hover_text(nodes, label, hover_fields), dtype=object)
    ids = nodes["id"].to_numpy(dtype=object)
    xs, ys = nodes["x"].to_numpy(dtype=float), nodes["y"].to_numpy(dtype=float)
    sizes = scale_sizes(nodes[size_by], size_range) if size_by else np.full(n, 5.0 if n > WEBGL_THRESHOLD else 9.0)

    opacity = np.ones(n)
    outline = np.full(n, 0.5)
    focus = np.flatnonzero(ids == highlight) if highlight is not None else np.zeros(0, dtype=np.int64)
    if not len(focus):
        # A node that is not drawn (filtered out, or another period's) dims nothing.
        highlight = None
    else:
        ego = {highlight}
        if edges is not None:
            ego |= set(edges.loc[edges["source"] == highlight, "target"]) | set(edges.loc[edges["target"] == highlight, "source"])
        opacity = np.where(nodes["id"].isin(ego).to_numpy(), 1.0, DIMMED)
        outline[focus] = 3.0

    traces, left_out = _edge_traces(nodes, edges, max_edges, weight_classes, highlight, trace_type)

    def node_trace(mask: np.ndarray, name: str, marker: dict, showlegend: bool) -> go.BaseTraceType:
        marker = {**marker, "size": sizes[mask], "opacity": opacity[mask], "line": {"width": outline[mask], "color": "#222"}}
        if show_labels:
            words = {"mode": "markers+text", "text": labels[mask], "textposition": "top center", "hovertext": text[mask]}
            words["hovertemplate"] = "%{hovertext}<extra></extra>"
        else:
            words = {"mode": "markers", "text": text[mask], "hovertemplate": "%{text}<extra></extra>"}
        return trace_type(
            x=xs[mask], y=ys[mask], name=name, marker=marker, customdata=ids[mask], showlegend=showlegend, meta={"role": "nodes"}, **words
        )

    colored = color_by is not None and color_by in nodes.columns
    if colored and is_numeric(nodes[color_by]):
        values = nodes[color_by].to_numpy(dtype=float)
        marker = {"color": values, "colorscale": colorscale, "showscale": True, "colorbar": {"title": {"text": color_by}}}
        traces.append(node_trace(np.ones(n, dtype=bool), color_by, marker, False))
    elif colored:
        categories = nodes[color_by].astype(object).where(nodes[color_by].notna(), MISSING_LABEL)
        # Numbers in names read as numbers: "community 2" comes before "community 10" in the legend.
        present = sorted(set(categories), key=lambda c: (c == MISSING_LABEL, natural_key(c)))
        colors = dict(category_colors(present))
        if color_map:
            colors.update(color_map)
        values = categories.to_numpy(dtype=object)
        for category in present:
            mask = values == category
            traces.append(node_trace(mask, str(category), {"color": colors.get(category, "#444")}, True))
    else:
        traces.append(node_trace(np.ones(n, dtype=bool), "people", {"color": "#1f77b4"}, False))

    figure = go.Figure(traces)
    axis = {"visible": False, "showgrid": False, "zeroline": False, "showticklabels": False, "title": None}
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title} if title else None,
        xaxis=axis,
        yaxis={**axis, "scaleanchor": "x", "scaleratio": 1},
        legend={"title": {"text": color_by}, "itemsizing": "constant"} if colored else None,
        hovermode="closest",
        uirevision="network",
        margin={"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
        meta={"edges_left_out": int(left_out)},
    )
    return figure


def group_network_figure(groups: pd.DataFrame, edges: pd.DataFrame | None = None, color_by: str | None = "group", **options) -> go.Figure:
    """The group-level view: one node per group, sized by its member count, ties summed between groups.

    Parameters
    ----------
    groups : :func:`orgnet.layout.group_layout` output: ``group``, ``x``,
        ``y``, ``size``, ``internal_weight`` (and any extra column to hover or
        colour by; a ``label`` column names the groups, written beside each
        node and in bold on hover, while ``group`` stays the unique key).
    edges : :func:`orgnet.layout.group_edges` output: ``source_group``,
        ``target_group``, ``weight`` (and ``ties``, ``count``).
    color_by : column of ``groups``; by default each group its own colour.
    options : passed to :func:`network_figure` (``size_by`` defaults to ``"size"``,
        ``size_range`` to 12-60 px, ``show_labels`` to ``True``).

    Returns
    -------
    ``go.Figure`` as :func:`network_figure` draws it, ``customdata`` the groups (the ``group`` column).
    """
    nodes = groups.rename(columns={"group": "id"})
    nodes.insert(1, "group", nodes["id"])
    links = None if edges is None else edges.rename(columns={"source_group": "source", "target_group": "target"})
    options.setdefault("size_by", "size")
    options.setdefault("size_range", (12.0, 60.0))
    options.setdefault("max_edges", None)
    options.setdefault("show_labels", True)
    options.setdefault("hover_fields", [c for c in groups.columns if c not in ("group", "label", "x", "y")])
    return network_figure(nodes, links, color_by=color_by, **options)


def label_slots(heights: Sequence[float], low: float, high: float) -> list[float]:
    """Evenly spaced label heights from ``low`` to ``high``, handed out in the order of ``heights``.

    The label of the lowest node gets the lowest slot, and so on, so leader lines drawn from a column of labels to
    their nodes keep the nodes' vertical order; a single label stays level with its node.

    >>> label_slots([5.0, 1.0, 3.0], 0.0, 10.0)
    [10.0, 0.0, 5.0]
    """
    n = len(heights)
    if n == 1:
        return [float(heights[0])]
    order = sorted(range(n), key=lambda i: (heights[i], i))
    slots = [0.0] * n
    for rank, i in enumerate(order):
        slots[i] = low + (high - low) * rank / (n - 1)
    return slots


def side_labels(figure: go.Figure, nodes: pd.DataFrame, gap: float = 0.08) -> go.Figure:
    """Write each node's ``label`` in a column right of every node, with a leader line to it.

    A dense centre puts labels written beside their nodes on top of each other; here they stand one per slot of
    :func:`label_slots`, evenly spaced over the nodes' height, so no two share a place however close their nodes are.

    Parameters
    ----------
    figure : the figure of ``nodes`` (from :func:`network_figure` or :func:`group_network_figure`).
    nodes : ``x``, ``y`` and ``label`` of the nodes to label.
    gap : space between the rightmost node and the column, as a share of the nodes' width.

    Returns
    -------
    ``figure``, with one annotation per node (its ``name`` the label) and a right margin to write them in; the legend
    moves below the plot, out of their way.
    """
    if nodes.empty:
        return figure
    xs, ys = nodes["x"].to_numpy(dtype=float), nodes["y"].to_numpy(dtype=float)
    width, height = float(np.ptp(xs)) or 1.0, float(np.ptp(ys)) or 1.0
    column = float(xs.max()) + gap * width
    slots = label_slots(list(ys), float(ys.min()) - 0.05 * height, float(ys.max()) + 0.05 * height)
    for x, y, slot, label in zip(xs, ys, slots, nodes["label"].astype(str)):
        figure.add_annotation(
            x=x,
            y=y,
            ax=column,
            ay=slot,
            axref="x",
            ayref="y",
            text=label,
            name=label,
            xanchor="left",
            showarrow=True,
            arrowhead=0,
            arrowwidth=1,
            arrowcolor="#999",
            standoff=4,
            font={"size": 11},
        )
    figure.update_layout(
        margin={"r": 300},
        legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "top"},
    )
    figure.update_xaxes(range=[float(xs.min()) - 0.05 * width, column])
    return figure
