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

__all__ = [
    "PERIOD_UNITS",
    "PeriodUnit",
    "is_period_label",
    "period_codes",
    "period_dates",
    "period_labels",
    "periods_between",
    "utc_datetime64",
]

PeriodUnit = Literal["month", "week"]
PERIOD_UNITS: tuple[str, ...] = ("month", "week")
_LABEL = {"month": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), "week": re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")}


def utc_datetime64(timestamps: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Timestamps as a ``datetime64[ns]`` array in UTC; naive ones are taken as UTC already.

    Going through the UTC wall clock avoids pandas converting time-zone-aware
    values to Python objects one by one.

    Raises
    ------
    ValueError
        When a value lies outside what ``datetime64[ns]`` holds (1677 to
        2262): NumPy's conversion would wrap it silently (year 9999 became
        1816). Ingesters refuse such rows first (:mod:`orgnet.ingest.dates`).
    """
    values = pd.DatetimeIndex(timestamps)
    if values.tz is not None:
        values = values.tz_convert("UTC").tz_localize(None)
    if values.unit != "ns" and len(values) and values.notna().any():
        low, high = values.min(), values.max()
        if low < pd.Timestamp.min or high > pd.Timestamp.max:
            raise ValueError(f"timestamps from {low} to {high} do not fit datetime64[ns] (1677 to 2262)")
    return values.to_numpy(dtype="datetime64[ns]")


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
    codes, labels = period_codes(utc_datetime64(timestamps), unit)
    return pd.Series(labels[codes], index=timestamps.index)


def period_codes(timestamps: np.ndarray, unit: PeriodUnit = "month") -> tuple[np.ndarray, np.ndarray]:
    """The period of each timestamp as an integer code into the sorted labels of the periods present.

    Parameters
    ----------
    timestamps : ``datetime64`` array in UTC (naive), no NaT.
    unit : ``"month"`` or ``"week"``.

    Returns
    -------
    (codes, labels): ``int64`` codes aligned with ``timestamps`` and the
    labels (object array) in sorted order, so codes sort like their labels.

    Notes
    -----
    O(n): months and weeks are numbered from the epoch, and the numbers a
    datetime64[ns] can hold (about 7,000 months or 30,000 weeks) are ranked
    with a counting pass instead of a sort. Months are looked up by day
    number in a table of the days spanned.
    """
    if unit not in PERIOD_UNITS:
        raise ValueError(f"unknown period unit {unit!r}; use one of {', '.join(PERIOD_UNITS)}")
    if np.isnat(timestamps).any():
        raise ValueError("a missing timestamp (NaT) has no period")
    if not len(timestamps):
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype=object)
    days = _epoch_days(timestamps)
    if unit == "month":
        # NumPy's calendar conversion per timestamp is slow; it runs once per day of the span instead.
        first = days.min()
        month_of_day = np.arange(first, days.max() + 1).astype("datetime64[D]").astype("datetime64[M]").astype("int64")
        numbers = month_of_day[days - first]
    else:
        # 1 January 1970 was a Thursday: shifting by 3 days numbers the weeks from Monday 29 December 1969.
        numbers = (days + 3) // 7
    lowest = numbers.min()
    present = np.bincount(numbers - lowest) > 0
    rank = np.cumsum(present) - 1
    distinct = np.flatnonzero(present) + lowest
    if unit == "month":
        labels = [str(month)[:7] for month in distinct.astype("datetime64[M]")]
    else:
        # A week's Monday lies in that ISO week, so its ISO calendar gives the label.
        iso = pd.DatetimeIndex((distinct * 7 - 3).astype("datetime64[D]")).isocalendar()
        labels = [f"{int(year):04d}-W{int(week):02d}" for year, week in zip(iso["year"], iso["week"])]
    return rank[numbers - lowest], np.array(labels, dtype=object)


_NANOSECONDS_PER_DAY = 86_400 * 10**9


def _epoch_days(timestamps: np.ndarray) -> np.ndarray:
    """Whole days since 1 January 1970 (floored) of each timestamp; an integer division for nanoseconds."""
    if timestamps.dtype == np.dtype("datetime64[ns]"):
        return timestamps.view("int64") // _NANOSECONDS_PER_DAY
    return timestamps.astype("datetime64[D]").astype("int64")


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
