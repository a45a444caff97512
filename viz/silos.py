"""Silo views: who talks to whom between groups, how inward-looking each group is, and how that changed."""

from __future__ import annotations

import html
from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.colors
import plotly.graph_objects as go

from orgnet.viz import MISSING_COLOR, TEMPLATE, format_value

__all__ = ["ANNOTATE_MAX", "RATIO_SPAN", "SUPPRESSED_HOVER", "ei_bar", "matrix_change_heatmap", "silo_heatmap", "silo_ratio_heatmap"]

#: Hover text of a cell hidden because one of its groups is too small to report on.
SUPPRESSED_HOVER = "suppressed: group below minimum size"

#: Matrices with more groups than this are drawn without the value written in each cell.
ANNOTATE_MAX = 30


def _suppressed_mask(matrix: pd.DataFrame, suppressed: Iterable[Hashable] | pd.DataFrame | np.ndarray | None) -> np.ndarray:
    """Boolean mask of the cells to hide: a given mask, or every row and column of the listed groups."""
    shape = matrix.shape
    if suppressed is None:
        return np.zeros(shape, dtype=bool)
    if isinstance(suppressed, pd.DataFrame):
        return suppressed.reindex(index=matrix.index, columns=matrix.columns).fillna(False).to_numpy(dtype=bool)
    if isinstance(suppressed, np.ndarray) and suppressed.dtype == bool:
        if suppressed.shape != shape:
            raise ValueError("a suppression mask must have the matrix's shape")
        return suppressed
    groups = set(suppressed)
    rows = np.array([g in groups for g in matrix.index], dtype=bool)
    cols = np.array([g in groups for g in matrix.columns], dtype=bool)
    return rows[:, None] | cols[None, :]


def _heatmap(
    z: np.ndarray,
    matrix: pd.DataFrame,
    hidden: np.ndarray,
    hover: np.ndarray,
    colorbar_title: str,
    colorscale,
    zmid: float | None,
    annotate: bool | None,
    signed: bool,
) -> go.Heatmap:
    n_rows, n_cols = z.shape
    z_list = np.where(hidden | ~np.isfinite(z), None, z.astype(object)).tolist()
    if annotate is None:
        annotate = max(n_rows, n_cols) <= ANNOTATE_MAX
    cell_text = [
        [
            "" if hidden[i, j] or not np.isfinite(z[i, j]) else (f"{z[i, j]:+,.3g}" if signed else format_value(z[i, j]))
            for j in range(n_cols)
        ]
        for i in range(n_rows)
    ]
    return go.Heatmap(
        z=z_list,
        x=[str(c) for c in matrix.columns],
        y=[str(r) for r in matrix.index],
        customdata=hover.tolist(),
        hovertemplate="%{customdata}<extra></extra>",
        text=cell_text,
        texttemplate="%{text}" if annotate else None,
        colorscale=colorscale,
        zmid=zmid,
        colorbar={"title": {"text": colorbar_title}},
        hoverongaps=True,
        xgap=1,
        ygap=1,
    )


def _matrix_layout(figure: go.Figure, title: str | None, matrix: pd.DataFrame) -> go.Figure:
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title} if title else None,
        xaxis={"title": {"text": str(matrix.columns.name or "receiving group")}, "showgrid": False, "side": "bottom"},
        yaxis={"title": {"text": str(matrix.index.name or "sending group")}, "showgrid": False, "autorange": "reversed"},
    )
    return figure


def silo_heatmap(
    matrix: pd.DataFrame,
    value_label: str = "ties",
    suppressed: Iterable[Hashable] | pd.DataFrame | np.ndarray | None = None,
    *,
    title: str | None = None,
    colorscale: str = "Blues",
    annotate: bool | None = None,
) -> go.Figure:
    """Group-by-group heatmap (e.g. :func:`orgnet.summary.group_matrix`): row sends, column receives.

    Parameters
    ----------
    matrix : square DataFrame, index = sending groups, columns = receiving
        groups (their ``name`` titles the axes), values numbers.
    value_label : what the values are (``"ties"``, ``"weight"``...), for the
        colour bar and hover.
    suppressed : groups below the reporting minimum (every cell of their row
        and column is hidden), or a boolean mask of the matrix's shape (a
        DataFrame aligned by labels, or an array). Hidden cells have no value
        (``None`` in ``z``), no colour, and hover :data:`SUPPRESSED_HOVER`.
    title : figure title.
    colorscale : sequential plotly colour scale.
    annotate : write each value in its cell; by default only up to
        :data:`ANNOTATE_MAX` groups.

    Returns
    -------
    ``go.Figure`` with one ``Heatmap`` trace; rows read top-down in the matrix's order.
    """
    z = matrix.to_numpy(dtype=float)
    hidden = _suppressed_mask(matrix, suppressed)
    hover = np.empty(z.shape, dtype=object)
    for i, source in enumerate(matrix.index):
        for j, target in enumerate(matrix.columns):
            hover[i, j] = (
                SUPPRESSED_HOVER
                if hidden[i, j]
                else f"{html.escape(str(source))} → {html.escape(str(target))}<br>{value_label}: {format_value(z[i, j])}"
            )
    trace = _heatmap(z, matrix, hidden, hover, value_label, colorscale, None, annotate, signed=False)
    return _matrix_layout(go.Figure(trace), title, matrix)


#: The ratio heatmap's colour scale spans 2**-RATIO_SPAN to 2**RATIO_SPAN times what group sizes predict.
RATIO_SPAN = 3


def _ties(count: float) -> str:
    return f"{format_value(count)} {'tie' if count == 1 else 'ties'}"


def _times(ratio: float) -> str:
    return f"{ratio:.2g}×" if ratio < 10 else f"{ratio:,.0f}×"


def silo_ratio_heatmap(
    pairs: pd.DataFrame,
    groups: Sequence[Hashable],
    within: Mapping[Hashable, float] | None = None,
    suppressed: Iterable[Hashable] | None = None,
    *,
    threshold: float = 0.2,
    title: str | None = None,
    kind: str = "group",
    colorscale: str = "RdBu",
    annotate: bool | None = None,
) -> go.Figure:
    """Group pairs coloured by their ties against what their sizes predict: under-connected pairs stand out red.

    Parameters
    ----------
    pairs : :func:`orgnet.silos.silo_pairs` output (``group_a``, ``group_b``,
        ``ties``, ``expected``, ``ratio``), one row per unordered pair.
    groups : the groups, in the order of the rows and columns.
    within : group -> ties inside it, said on the hover of the diagonal.
    suppressed : groups below the reporting minimum: their rows and columns are hidden.
    threshold : ratio below which a pair is a silo (said on hover).
    title : figure title.
    kind : what a group is ("department"), for the axis titles.
    colorscale : diverging scale: ``RdBu`` is red below what sizes predict, blue above.
    annotate : write each ratio in its cell; by default only up to :data:`ANNOTATE_MAX` groups.

    Returns
    -------
    ``go.Figure`` with one symmetric ``Heatmap``: ``z = log2(ratio)``
    clipped to ``[-RATIO_SPAN, RATIO_SPAN]`` and centred on 0 (the pair gets
    what sizes predict), ticks at 1/8, 1/4, 1/2, 1, 2, 4 and 8 times. The diagonal is masked
    (within-group ties are not compared with the cross-group baseline); its
    hover gives the ties inside the group. A pair's hover says it in words:
    "Legal and Marketing: 3 ties, 41 expected (0.073 times what their sizes predict)",
    "times" written as the multiplication sign.

    Notes
    -----
    The baseline is :func:`orgnet.silos.silo_pairs`' (Blau 1977): the ties
    that cross groups fall on pairs in proportion to the possible person pairs.
    """
    labels = list(groups)
    position = {g: i for i, g in enumerate(labels)}
    k = len(labels)
    ratio = np.full((k, k), np.nan)
    hover = np.empty((k, k), dtype=object)
    for i, g in enumerate(labels):
        inside = (within or {}).get(g)
        hover[i, :] = ""
        hover[i, i] = f"{html.escape(str(g))}: " + (f"{_ties(inside)} within the group" if inside is not None else "itself")
        hover[i, i] += " (not compared)"
    for row in pairs.itertuples(index=False):
        i, j = position.get(row.group_a), position.get(row.group_b)
        if i is None or j is None:
            continue
        ratio[i, j] = ratio[j, i] = float(row.ratio)
        words = (
            f"{html.escape(str(row.group_a))} and {html.escape(str(row.group_b))}: {_ties(row.ties)}, "
            f"{format_value(round(float(row.expected), 1))} expected"
        )
        if float(row.expected) > 0:
            words += f" ({_times(float(row.ratio))} what their sizes predict)"
        if float(row.ratio) < threshold:
            words += f"<br>a silo: under {_times(threshold)}"
        hover[i, j] = hover[j, i] = words
    hidden = _suppressed_mask(pd.DataFrame(ratio, index=labels, columns=labels), suppressed)
    hover[hidden] = SUPPRESSED_HOVER
    diagonal = np.eye(k, dtype=bool)
    with np.errstate(divide="ignore"):
        z = np.clip(np.log2(ratio), -RATIO_SPAN, RATIO_SPAN)
    z[diagonal] = np.nan
    if annotate is None:
        annotate = k <= ANNOTATE_MAX
    text = [
        ["" if hidden[i, j] or diagonal[i, j] or not np.isfinite(ratio[i, j]) else _times(ratio[i, j]) for j in range(k)] for i in range(k)
    ]
    ticks = list(range(-RATIO_SPAN, RATIO_SPAN + 1))
    names = {0: "as expected", -RATIO_SPAN: f"1/{2**RATIO_SPAN}× or less", RATIO_SPAN: f"{2**RATIO_SPAN}× or more"}
    trace = go.Heatmap(
        z=np.where(hidden | ~np.isfinite(z), None, z.astype(object)).tolist(),
        x=[str(g) for g in labels],
        y=[str(g) for g in labels],
        customdata=hover.tolist(),
        hovertemplate="%{customdata}<extra></extra>",
        text=text,
        texttemplate="%{text}" if annotate else None,
        colorscale=colorscale,
        zmid=0.0,
        zmin=-RATIO_SPAN,
        zmax=RATIO_SPAN,
        colorbar={
            "title": {"text": "ties against what sizes predict", "side": "right"},
            "tickvals": ticks,
            "ticktext": [names.get(t, f"{2.0**t:g}×" if t > 0 else f"1/{2**-t}×") for t in ticks],
        },
        hoverongaps=False,
        xgap=1,
        ygap=1,
    )
    figure = go.Figure(trace)
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title} if title else None,
        xaxis={"title": {"text": kind}, "showgrid": False},
        yaxis={"title": {"text": kind}, "showgrid": False, "autorange": "reversed"},
        plot_bgcolor="#eeeeee",
    )
    return figure


def matrix_change_heatmap(
    before: pd.DataFrame,
    after: pd.DataFrame,
    value_label: str = "ties",
    suppressed: Iterable[Hashable] | None = None,
    *,
    title: str | None = None,
    colorscale: str = "RdBu",
    annotate: bool | None = None,
) -> go.Figure:
    """Heatmap of ``after - before`` for two group matrices (reports comparing periods).

    Parameters
    ----------
    before, after : group matrices as :func:`silo_heatmap` takes; aligned on
        the union of their labels (before's order, then groups new in
        ``after``). A cell of a group present in only one period shows no
        value (hover says which period lacks it).
    value_label : what the values are.
    suppressed : groups to hide in either period (their rows and columns).
    colorscale : diverging scale centred on 0 (``zmid=0``); with ``RdBu``
        growth is blue and decline red.

    Returns
    -------
    ``go.Figure`` with one ``Heatmap`` of the differences, cells annotated
    with signed values; hover gives before, after and the change.
    """
    rows = list(dict.fromkeys([*before.index, *after.index]))
    cols = list(dict.fromkeys([*before.columns, *after.columns]))
    b = before.reindex(index=rows, columns=cols)
    a = after.reindex(index=rows, columns=cols)
    missing_before = np.array([[r not in before.index or c not in before.columns for c in cols] for r in rows], dtype=bool).reshape(
        len(rows), len(cols)
    )
    missing_after = np.array([[r not in after.index or c not in after.columns for c in cols] for r in rows], dtype=bool).reshape(
        len(rows), len(cols)
    )
    bz, az = b.to_numpy(dtype=float), a.to_numpy(dtype=float)
    diff = az - bz
    frame = pd.DataFrame(
        diff,
        index=pd.Index(rows, name=after.index.name or before.index.name),
        columns=pd.Index(cols, name=after.columns.name or before.columns.name),
    )
    hidden = _suppressed_mask(frame, suppressed)
    hover = np.empty(diff.shape, dtype=object)
    for i, source in enumerate(rows):
        for j, target in enumerate(cols):
            if hidden[i, j]:
                hover[i, j] = SUPPRESSED_HOVER
            elif missing_before[i, j] or missing_after[i, j]:
                hover[i, j] = (
                    f"{html.escape(str(source))} → {html.escape(str(target))}<br>not present {'before' if missing_before[i, j] else 'after'}"
                )
            else:
                hover[i, j] = (
                    f"{html.escape(str(source))} → {html.escape(str(target))}<br>{value_label}: {format_value(bz[i, j])} → {format_value(az[i, j])} ({diff[i, j]:+,.3g})"
                )
    span = np.nanmax(np.abs(np.where(hidden, np.nan, diff))) if np.isfinite(np.where(hidden, np.nan, diff)).any() else 1.0
    trace = _heatmap(diff, frame, hidden, hover, f"change in {value_label}", colorscale, 0.0, annotate, signed=True)
    trace.update(zmin=-span, zmax=span)
    return _matrix_layout(go.Figure(trace), title, frame)


def _scale_colors(values: np.ndarray, colorscale: str, low: float, high: float) -> list[str]:
    """The colour of each value on ``colorscale`` fixed on ``[low, high]`` (values outside clipped, missing ones grey)."""
    finite = np.isfinite(values)
    where = np.clip((np.where(finite, values, low) - low) / (high - low), 0.0, 1.0)
    sampled = plotly.colors.sample_colorscale(colorscale, where.tolist())
    return [color if ok else MISSING_COLOR for color, ok in zip(sampled, finite)]


def ei_bar(ei: pd.DataFrame, *, title: str | None = None, colorscale: str = "RdBu") -> go.Figure:
    """Krackhardt-Stern E-I index per group as horizontal bars from -1 (all ties inside) to +1 (all outside).

    Parameters
    ----------
    ei : DataFrame with ``group``, ``ei_index`` (in [-1, 1]; NaN for a
        suppressed or tie-less group, drawn without a bar and labelled
        "suppressed / no ties") and optionally ``size`` (members, on hover).
    title : figure title.
    colorscale : diverging scale fixed on [-1, 1]: with ``RdBu`` inward
        groups (silos) are red and outward ones blue.

    Returns
    -------
    ``go.Figure`` with one ``Bar`` trace, groups sorted from most inward
    (top) to most outward, a line at 0 and the x axis fixed to [-1, 1].
    Each bar's colour is given as a colour (sampled from ``colorscale``),
    not as a number: plotly.js picks the colour of text beside a bar from
    its marker colour and warns ("Invalid color specifier") for a number.
    """
    table = ei.sort_values("ei_index", kind="stable", na_position="last").reset_index(drop=True)
    values = table["ei_index"].to_numpy(dtype=float)
    sizes = table["size"].tolist() if "size" in table.columns else [None] * len(table)
    hover = [
        f"{html.escape(str(g))}<br>E-I index: {v:+.2f}" + (f"<br>size: {format_value(s)}" if s is not None else "")
        if np.isfinite(v)
        else f"{html.escape(str(g))}<br>suppressed / no ties"
        for g, v, s in zip(table["group"], values, sizes)
    ]
    trace = go.Bar(
        x=np.where(np.isfinite(values), values, None).tolist(),
        y=[str(g) for g in table["group"]],
        orientation="h",
        marker={"color": _scale_colors(values, colorscale, -1.0, 1.0), "line": {"width": 0}},
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        text=[f"{v:+.2f}" if np.isfinite(v) else "suppressed / no ties" for v in values],
        textposition="outside",
        cliponaxis=False,
    )
    figure = go.Figure(trace)
    figure.add_vline(x=0, line={"color": "#444", "width": 1})
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title} if title else None,
        xaxis={"title": {"text": "E-I index (-1 all ties inside the group, +1 all outside)"}, "range": [-1.15, 1.15], "zeroline": False},
        yaxis={"title": {"text": "group"}, "autorange": "reversed"},
        showlegend=False,
    )
    return figure
