"""Reach views: how many distinct people a squad of employees reaches, against simpler yardsticks."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from orgnet.viz import PALETTE, TEMPLATE

__all__ = ["reach_curve"]


def reach_curve(
    curve: pd.DataFrame,
    follower_sum: int | float,
    brand_reach: int | float | None = None,
    *,
    before: pd.DataFrame | None = None,
    labels: tuple[str, str] = ("before", "after"),
    title: str | None = None,
) -> go.Figure:
    """Squad size -> unique reach, with reference lines for the naive sum of followers and the brand account.

    Parameters
    ----------
    curve : DataFrame with ``k`` (squad size: the k best advocates chosen so
        far) and ``unique_reach`` (distinct followers they reach together),
        one row per k.
    follower_sum : sum of the squad members' follower counts (what reach
        would be with no overlap); a dashed horizontal line, annotated.
    brand_reach : followers of the company's own account; a dotted line,
        annotated, when given.
    before : an earlier curve with the same columns, drawn dashed and grey for comparison.
    labels : legend names of ``before`` and ``curve`` when both are drawn.
    title : figure title.

    Returns
    -------
    ``go.Figure``: one line per curve; the reference lines are layout
    shapes (``y0 == y1 ==`` the value) with annotations giving the number.
    """
    figure = go.Figure()
    if before is not None:
        figure.add_trace(
            go.Scatter(
                x=before["k"],
                y=before["unique_reach"],
                mode="lines",
                name=labels[0],
                line={"color": "#9a9a9a", "dash": "dash"},
                hovertemplate="squad of %{x}: %{y:,} reached<extra>" + labels[0] + "</extra>",
            )
        )
    name = labels[1] if before is not None else "unique reach"
    figure.add_trace(
        go.Scatter(
            x=curve["k"],
            y=curve["unique_reach"],
            mode="lines+markers" if len(curve) <= 50 else "lines",
            name=name,
            line={"color": PALETTE[0], "width": 3},
            hovertemplate="squad of %{x}: %{y:,} reached<extra>" + name + "</extra>",
        )
    )
    figure.add_hline(
        y=float(follower_sum),
        line={"color": PALETTE[1], "dash": "dash", "width": 1.5},
        annotation_text=f"sum of follower counts: {follower_sum:,.0f}",
        annotation_position="top left",
    )
    if brand_reach is not None:
        figure.add_hline(
            y=float(brand_reach),
            line={"color": PALETTE[2], "dash": "dot", "width": 1.5},
            annotation_text=f"brand account reach: {brand_reach:,.0f}",
            annotation_position="bottom right",
        )
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title} if title else None,
        xaxis={"title": {"text": "squad size (people)"}, "rangemode": "tozero"},
        yaxis={"title": {"text": "unique reach (distinct followers)"}, "rangemode": "tozero"},
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.2},
    )
    return figure
