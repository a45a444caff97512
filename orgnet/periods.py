"""Periods: the calendar buckets that ties are aggregated into.

A period is a calendar month labelled ``YYYY-MM`` (the default) or an ISO
week labelled ``YYYY-Www``. Labels sort in time order as strings.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["PeriodUnit", "PERIOD_UNITS", "period_labels", "is_period_label", "periods_between", "period_dates"]

PeriodUnit = Literal["month", "week"]
PERIOD_UNITS: tuple[str, ...] = ("month", "week")
_LABEL = {"month": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), "week": re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")}


def period_labels(timestamps: pd.Series, unit: PeriodUnit = "month") -> pd.Series:
    """Label each timestamp with its period.

    Parameters
    ----------
    timestamps : Series of datetime64 (UTC)
    unit : ``"month"`` (``YYYY-MM``) or ``"week"`` (ISO week, ``YYYY-Www``)

    Returns
    -------
    Series of str, aligned with ``timestamps``.

    Notes
    -----
    Vectorised: only the distinct months or weeks are formatted.
    """
    if unit not in PERIOD_UNITS:
        raise ValueError(f"unknown period unit {unit!r}; use one of {', '.join(PERIOD_UNITS)}")
    naive = timestamps.dt.tz_convert("UTC").dt.tz_localize(None) if timestamps.dt.tz is not None else timestamps
    if unit == "month":
        months = naive.to_numpy(dtype="datetime64[M]")
        codes, uniques = pd.factorize(months)
        labels = np.array([str(u)[:7] for u in uniques.astype("datetime64[M]")], dtype=object)
    else:
        days = naive.dt.normalize()
        codes, uniques = pd.factorize(days)
        iso = pd.DatetimeIndex(uniques).isocalendar()
        labels = np.array(
            [f"{int(year):04d}-W{int(week):02d}" for year, week in zip(iso["year"], iso["week"])],
            dtype=object,
        )
    return pd.Series(labels[codes] if len(codes) else np.array([], dtype=object), index=timestamps.index)


def is_period_label(label: str, unit: PeriodUnit | None = None) -> bool:
    """True when ``label`` is a well-formed period label (of ``unit`` when given)."""
    units = [unit] if unit else list(PERIOD_UNITS)
    return any(_LABEL[u].match(label) for u in units)


def periods_between(known: list[str], start: str | None, end: str | None) -> list[str]:
    """The labels of ``known`` between ``start`` and ``end`` inclusive (either may be open)."""
    return [p for p in sorted(known) if (start is None or p >= start) and (end is None or p <= end)]


def period_dates(label: str) -> tuple[str, str]:
    """First and last ISO date (``YYYY-MM-DD``) of the period ``label`` (month or ISO week)."""
    if _LABEL["month"].match(label):
        first = pd.Timestamp(f"{label}-01")
        last = first + pd.offsets.MonthEnd(0)
    elif _LABEL["week"].match(label):
        first = pd.Timestamp(dt.date.fromisocalendar(int(label[:4]), int(label[6:]), 1))
        last = first + pd.Timedelta(days=6)
    else:
        raise ValueError(f"{label!r} is not a period label (YYYY-MM or YYYY-Www)")
    return first.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d")
