"""Growth views for scheduled reports: metrics over periods, and who moved up or down a ranking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from orgnet.viz import PALETTE, TEMPLATE, format_value, label_column

__all__ = ["PANEL_COLUMNS", "growth_panels", "movers_chart"]

#: Most panels side by side in one row of :func:`growth_panels`.
PANEL_COLUMNS = 3


def growth_panels(
    table: pd.DataFrame,
    metrics: Sequence[str],
    labels: Mapping[str, str] | None = None,
    *,
    title: str | None = None,
    columns: int = PANEL_COLUMNS,
) -> go.Figure:
    """Metrics over periods as small multiples: one panel per metric, each with its own y axis.

    Quantities of different scale (people in hundreds, density in hundredths) never share an axis, so none is
    flattened into a line along the bottom of another's.

    Parameters
    ----------
    table : DataFrame with ``period`` (``"2026-10"``; drawn in the table's
        order as categories, so gaps between periods are not interpolated)
        and one numeric column per metric.
    metrics : columns to draw, one panel each, in this order.
    labels : column -> words for the panel titles and hover ("people with
        ties" for ``people_with_ties``); a column without one is shown with
        its underscores as spaces.
    title : figure title.
    columns : panels per row.

    Returns
    -------
    ``go.Figure`` with one ``Scatter`` (lines and markers) per metric, trace
    ``i`` on axes ``x{i+1}``/``y{i+1}``, each panel titled with its words and
    the x axes titled "period".
    """
    metrics = list(metrics)
    words = {m: (labels or {}).get(m, m.replace("_", " ")) for m in metrics}
    cols = max(1, min(columns, len(metrics)))
    rows = max(1, -(-len(metrics) // cols))
    figure = make_subplots(rows=rows, cols=cols, subplot_titles=[words[m] for m in metrics], horizontal_spacing=0.08, vertical_spacing=0.2)
    periods = table["period"].astype(str).tolist()
    for i, metric in enumerate(metrics):
        figure.add_trace(
            go.Scatter(
                x=periods,
                y=table[metric],
                mode="lines+markers",
                name=words[metric],
                line={"color": PALETTE[i % len(PALETTE)]},
                hovertemplate="%{x}: %{y:,.4~g}<extra>" + words[metric] + "</extra>",
                showlegend=False,
            ),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title} if title else None,
        height=max(300, 280 * rows),
        margin={"t": 90 if title else 60},
    )
    figure.update_xaxes(title_text="period", type="category")
    figure.update_yaxes(rangemode="tozero", tickformat=",.3~g")
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
