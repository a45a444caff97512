"""Advocate views: who ranks highest as an advocate, and which components make up each score."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from orgnet.viz import PALETTE, TEMPLATE, label_column

__all__ = ["advocate_bar"]


def advocate_bar(
    scores: pd.DataFrame,
    components: Sequence[str] | None = None,
    *,
    top: int | None = 20,
    title: str | None = None,
) -> go.Figure:
    """Ranked horizontal bars of advocate scores, stacked by score component.

    Parameters
    ----------
    scores : DataFrame with a name column (``label``, else ``person``, else
        ``person_id``), ``score`` and, for stacking, one column per weighted
        component (summing to ``score``, e.g. ``reach``, ``engagement``,
        ``centrality``).
    components : component columns to stack; default none (one bar per
        person, the ``score``).
    top : draw the ``top`` highest scores (``None``: everyone).
    title : figure title.

    Returns
    -------
    ``go.Figure`` with one ``Bar`` trace per component (``barmode="stack"``)
    or one trace named ``score``; the highest score on top.
    """
    name = label_column(scores, ["label", "person", "person_id"])
    table = scores.sort_values("score", ascending=False, kind="stable")
    if top is not None:
        table = table.head(top)
    people = [str(v) for v in table[name]]
    figure = go.Figure()
    for i, column in enumerate(components or ["score"]):
        figure.add_trace(
            go.Bar(
                x=table[column],
                y=people,
                orientation="h",
                name=column,
                marker={"color": PALETTE[i % len(PALETTE)]},
                hovertemplate="%{y}<br>" + column + ": %{x:,.3~g}<extra></extra>",
            )
        )
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title} if title else None,
        barmode="stack",
        xaxis={"title": {"text": "advocate score"}},
        yaxis={"title": {"text": name}, "autorange": "reversed", "type": "category"},
        showlegend=bool(components),
    )
    return figure
