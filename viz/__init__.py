"""Plotly figures of orgnet's results: data in, ``plotly.graph_objects.Figure`` out.

One module per view: :mod:`orgnet.viz.network` (the people and group graphs),
:mod:`orgnet.viz.silos` (group matrices and E-I indices), :mod:`orgnet.viz.reach`
(squad reach curves), :mod:`orgnet.viz.growth` (metrics over periods, rank movers)
and :mod:`orgnet.viz.advocates` (advocate scores). Functions never read the store
and never reach the network: the app serves plotly.js itself, so no figure
names a CDN.

This module holds what every view shares: the template, the palettes and the
scaling helpers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import plotly.colors

__all__ = [
    "MISSING_COLOR",
    "MISSING_LABEL",
    "PALETTE",
    "TEMPLATE",
    "category_colors",
    "format_value",
    "hover_text",
    "is_numeric",
    "label_column",
    "natural_key",
    "scale_sizes",
]

TEMPLATE = "plotly_white"

#: Qualitative palette for categories: plotly's ten colours, then its ten lighter "Pastel" ones; cycles beyond 20.
PALETTE: list[str] = list(plotly.colors.qualitative.Plotly) + list(plotly.colors.qualitative.Pastel)

#: Colour of people whose category is missing.
MISSING_COLOR = "#9a9a9a"

#: Legend entry of people whose category is missing.
MISSING_LABEL = "(unknown)"


def natural_key(value: Hashable) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """Sort key that reads the numbers inside a name as numbers: ``community 2`` before ``community 10``.

    The text is split into runs of digits (compared as integers) and of other characters (compared as text); the
    value's type breaks ties between, say, ``3`` and ``"3"``.

    Examples
    --------
    >>> sorted(["community 10", "community 2", "Sales", "community 1"], key=natural_key)
    ['Sales', 'community 1', 'community 2', 'community 10']
    """
    parts = tuple((0, int(run), "") if run.isdigit() else (1, 0, run) for run in re.split(r"(\d+)", str(value)) if run)
    return parts, str(type(value))


def category_colors(categories: Iterable[Hashable], palette: list[str] | None = None) -> dict[Hashable, str]:
    """A colour per category: the palette in the sorted order of the categories (:func:`natural_key`), cycling when it runs out.

    Pass the result as ``color_map`` to keep a department's colour the same
    across periods in which the set of departments changes. :data:`MISSING_LABEL`
    is always :data:`MISSING_COLOR`.
    """
    palette = palette or PALETTE
    known = sorted({c for c in categories if c != MISSING_LABEL}, key=natural_key)
    colors = {category: palette[i % len(palette)] for i, category in enumerate(known)}
    colors[MISSING_LABEL] = MISSING_COLOR
    return colors


def is_numeric(values: pd.Series) -> bool:
    """Whether a column is a metric (numbers, not booleans) rather than a category."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def scale_sizes(values: Any, size_range: tuple[float, float] = (6.0, 24.0)) -> np.ndarray:
    """Marker sizes in pixels whose *area* grows linearly with ``values``.

    ``size = lo + (hi - lo) * sqrt((v - min) / (max - min))``, so the smallest
    value gets ``lo`` px and the largest ``hi`` px. Missing values get ``lo``;
    when all values are equal every marker gets the middle of the range.
    """
    lo, hi = size_range
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    sizes = np.full(len(v), float(lo))
    finite = np.isfinite(v)
    if not finite.any():
        return sizes
    vmin, vmax = v[finite].min(), v[finite].max()
    if vmax == vmin:
        sizes[finite] = (lo + hi) / 2.0
        return sizes
    sizes[finite] = lo + (hi - lo) * np.sqrt((v[finite] - vmin) / (vmax - vmin))
    return sizes


def format_value(value: Any) -> str:
    """A number or label as hover text: thousands separated, three significant digits below 1,000, ``-`` for missing."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if isinstance(value, (float, np.floating)):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def hover_text(frame: pd.DataFrame, title: str, fields: Iterable[str]) -> list[str]:
    """One HTML hover label per row: ``title`` in bold, then ``field: value`` lines (values escaped)."""
    fields = [f for f in fields if f in frame.columns and f != title]
    titles = frame[title].tolist()
    columns = {field: frame[field].tolist() for field in fields}
    lines = []
    for i, head in enumerate(titles):
        parts = [f"<b>{html.escape(format_value(head))}</b>"]
        parts += [f"{html.escape(str(field))}: {html.escape(format_value(columns[field][i]))}" for field in fields]
        lines.append("<br>".join(parts))
    return lines


def label_column(frame: pd.DataFrame, candidates: Iterable[str]) -> str:
    """The first of ``candidates`` that ``frame`` has (raises ``KeyError`` naming them when none)."""
    candidates = list(candidates)
    for name in candidates:
        if name in frame.columns:
            return name
    raise KeyError(f"expected one of the columns {list(candidates)}")
