"""Growth views for scheduled reports: metrics over periods, and who moved up or down a ranking."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from orgnet.viz import PALETTE, TEMPLATE, format_value, label_column

__all__ = ["SCALE_RATIO", "growth_chart", "movers_chart"]

#: Metrics whose largest value is this many times smaller than the largest metric's go on the secondary axis.
SCALE_RATIO = 10.0


def growth_chart(
    table: pd.DataFrame,
    metrics: Sequence[str] | None = None,
    *,
    secondary: Sequence[str] | str | None = "auto",
    title: str | None = None,
) -> go.Figure:
    """Metrics over periods as lines, with a secondary y axis for metrics on a much smaller scale.

    Parameters
    ----------
    table : DataFrame with ``period`` (``"2026-10"``; drawn in the table's
        order as categories, so gaps between periods are not interpolated)
        and one numeric column per metric.
    metrics : columns to draw; default every numeric column but ``period``.
    secondary : metrics for the right-hand axis; ``"auto"`` moves there
        every metric whose largest absolute value is :data:`SCALE_RATIO`
        times smaller than the largest metric's; ``None``: one axis.
    title : figure title.

    Returns
    -------
    ``go.Figure`` with one ``Scatter`` (lines and markers) per metric; a
    trace on the secondary axis has ``yaxis == "y2"`` and "(right axis)" in
    its legend name.
    """
    if metrics is None:
        metrics = [c for c in table.columns if c != "period" and pd.api.types.is_numeric_dtype(table[c])]
    metrics = list(metrics)
    if secondary == "auto":
        peaks = {m: float(np.nanmax(np.abs(table[m].to_numpy(dtype=float)))) if table[m].notna().any() else 0.0 for m in metrics}
        top = max(peaks.values(), default=0.0)
        secondary = [m for m in metrics if top > 0 and peaks[m] * SCALE_RATIO < top]
    secondary = list(secondary or [])
    if secondary and len(secondary) == len(metrics):
        secondary = []
    figure = make_subplots(specs=[[{"secondary_y": bool(secondary)}]])
    periods = table["period"].astype(str).tolist()
    for i, metric in enumerate(metrics):
        right = metric in secondary
        name = f"{metric} (right axis)" if right else metric
        figure.add_trace(
            go.Scatter(
                x=periods,
                y=table[metric],
                mode="lines+markers",
                name=name,
                line={"color": PALETTE[i % len(PALETTE)], "dash": "dot" if right else "solid"},
                hovertemplate="%{x}: %{y:,.4~g}<extra>" + metric + "</extra>",
            ),
            secondary_y=right if secondary else None,
        )
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title} if title else None,
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.2},
    )
    figure.update_xaxes(title_text="period", type="category")
    left = [m for m in metrics if m not in secondary]
    figure.update_yaxes(title_text=", ".join(left), secondary_y=False)
    if secondary:
        figure.update_yaxes(title_text=", ".join(secondary), secondary_y=True, showgrid=False)
    return figure


def movers_chart(movers: pd.DataFrame, *, top: int | None = 20, title: str | None = None, value_label: str = "rank change") -> go.Figure:
    """Diverging bars of rank changes between two periods: who climbed and who fell.

    Parameters
    ----------
    movers : DataFrame with a name column (``label``, else ``person``, else
        ``person_id``) and ``rank_change``, positive for a climb (rank 12 ->
        rank 3 is +9).
    top : keep the ``top`` largest climbs and the ``top`` largest falls
        (``None``: everyone); zero changes are dropped.
    title, value_label : figure title and x axis title.

    Returns
    -------
    ``go.Figure`` with one horizontal ``Bar`` trace, the biggest climb on
    top, climbs blue and falls orange (colour-blind-safe pair), a line at 0.
    """
    name = label_column(movers, ["label", "person", "person_id"])
    table = movers[[name, "rank_change"]].dropna()
    table = table[table["rank_change"] != 0]
    if top is not None:
        ups = table[table["rank_change"] > 0].nlargest(top, "rank_change")
        downs = table[table["rank_change"] < 0].nsmallest(top, "rank_change")
        table = pd.concat([ups, downs])
    table = table.sort_values("rank_change", ascending=False, kind="stable")
    change = table["rank_change"].to_numpy(dtype=float)
    figure = go.Figure(
        go.Bar(
            x=change,
            y=[str(v) for v in table[name]],
            orientation="h",
            marker={"color": np.where(change > 0, "#1f77b4", "#ff7f0e").tolist()},
            text=[f"{v:+,.0f}" for v in change],
            textposition="outside",
            cliponaxis=False,
            customdata=[format_value(v) for v in table[name]],
            hovertemplate="%{customdata}: %{x:+,}<extra></extra>",
        )
    )
    figure.add_vline(x=0, line={"color": "#444", "width": 1})
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title} if title else None,
        xaxis={"title": {"text": f"{value_label} (positive: moved up)"}, "zeroline": False},
        yaxis={"title": {"text": name}, "autorange": "reversed", "type": "category"},
        showlegend=False,
    )
    return figure
