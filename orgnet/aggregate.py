"""Aggregation of person-to-person edges into ties.

An *edge* is one directed contribution of an interaction (an e-mail from a
to b, one pair of a meeting); a *tie* is all edges of one
(``source``, ``target``, ``period``, ``channel``) summed up. The weighting
rules live with the ingesters that know the interaction:

* an e-mail or message to ``n`` recipients adds ``1/n`` to each tie;
* a meeting of ``n`` attendees lasting ``h`` hours adds ``h/(n-1)`` to each
  ordered pair of attendees;
* everything else adds 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from orgnet.model import EDGE_COLUMNS, TIE_COLUMNS, TIE_KEY, empty_frame
from orgnet.periods import PeriodUnit, period_codes, utc_datetime64

__all__ = ["aggregate_coded_edges", "aggregate_edges", "merge_ties", "pair_weights", "split_weights"]


def split_weights(recipient_counts: pd.Series | np.ndarray) -> np.ndarray:
    """Weight of each recipient edge of a message sent to ``n`` recipients: ``1/n``."""
    counts = np.asarray(recipient_counts, dtype=float)
    weights: np.ndarray = np.divide(1.0, counts, out=np.zeros_like(counts), where=counts > 0)
    return weights


def pair_weights(duration_hours: pd.Series | np.ndarray, attendee_counts: pd.Series | np.ndarray) -> np.ndarray:
    """Weight of each ordered attendee pair of a meeting: ``duration_hours / (n - 1)``."""
    hours = np.asarray(duration_hours, dtype=float)
    others = np.asarray(attendee_counts, dtype=float) - 1.0
    weights: np.ndarray = np.divide(hours, others, out=np.zeros_like(hours), where=others > 0)
    return weights


def aggregate_edges(edges: pd.DataFrame, unit: PeriodUnit = "month") -> pd.DataFrame:
    """Sum edges into ties.

    Parameters
    ----------
    edges : DataFrame with :data:`orgnet.model.EDGE_COLUMNS`; ``timestamp``
        is datetime64 in UTC and ``weight`` a float.
    unit : period unit, ``"month"`` or ``"week"``.

    Returns
    -------
    DataFrame with :data:`orgnet.model.TIE_COLUMNS`: one row per
    (source, target, period, channel), ``count`` edges, summed ``weight``,
    earliest and latest timestamp. Self-edges are dropped.

    Notes
    -----
    Factorises the people and channels, then :func:`aggregate_coded_edges`:
    O(E log E), no Python loop per edge.
    """
    missing = set(EDGE_COLUMNS) - set(edges.columns)
    if missing:
        raise ValueError(f"edges lack columns {sorted(missing)}")
    people, person_codes = _codes(np.concatenate([edges["source"].to_numpy(), edges["target"].to_numpy()]))
    channels, channel_codes = _codes(edges["channel"].to_numpy())
    return aggregate_coded_edges(
        person_codes[: len(edges)],
        person_codes[len(edges) :],
        people,
        utc_datetime64(edges["timestamp"]),
        channel_codes,
        channels,
        edges["weight"].to_numpy(dtype=float),
        unit,
    )


def aggregate_coded_edges(
    source: np.ndarray,
    target: np.ndarray,
    people: np.ndarray,
    timestamps: np.ndarray,
    channel: np.ndarray,
    channels: np.ndarray,
    weight: np.ndarray,
    unit: PeriodUnit = "month",
    *,
    count: np.ndarray | None = None,
    last_timestamps: np.ndarray | None = None,
) -> pd.DataFrame:
    """Sum edges given as integer codes into ties (what :func:`aggregate_edges` does after factorising).

    Parameters
    ----------
    source, target : int64 codes into ``people``, one per edge.
    people : the person ids, sorted.
    timestamps : datetime64 (UTC, naive) of each edge.
    channel : int64 codes into ``channels``, sorted.
    weight : float weight of each edge.
    unit : period unit, ``"month"`` or ``"week"``.
    count : optional int64, how many edges of one period each row stands
        for (default 1 each); ``weight`` is then their summed weight.
    last_timestamps : with ``count``, the latest of each row's edges
        (``timestamps`` being the earliest, in the same period); default
        ``timestamps``.

    Returns
    -------
    The ties, as :func:`aggregate_edges` returns them, sorted by
    (source, target, period, channel): ``count`` is the sum of the rows'
    counts, ``first_seen`` the earliest timestamp, ``last_seen`` the latest.

    Notes
    -----
    O(E log E) for one sort of an int64 key per edge; sums run in
    edge order within each tie, so the weights come out the same bit for
    bit whatever codes the caller chose.
    """
    count = np.ones(len(source), dtype=np.int64) if count is None else np.asarray(count, dtype=np.int64)
    last_timestamps = timestamps if last_timestamps is None else last_timestamps
    keep = source != target
    if not keep.all():
        source, target, timestamps, channel, weight = source[keep], target[keep], timestamps[keep], channel[keep], weight[keep]
        count, last_timestamps = count[keep], last_timestamps[keep]
    if not len(source):
        return empty_frame(TIE_COLUMNS)
    period_of_edge, periods = period_codes(timestamps, unit)
    # One int64 key per (source, target, period, channel); sorting it groups the ties, and sorted codes make it sort like the tuple.
    key = ((source * len(people) + target) * len(periods) + period_of_edge) * len(channels) + channel
    order, key = _stable_sort(key)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    first = _nanoseconds(timestamps)[order]
    last = first if last_timestamps is timestamps else _nanoseconds(last_timestamps)[order]
    group_key = key[starts]
    group_key, channel_of = np.divmod(group_key, len(channels))
    group_key, period_of = np.divmod(group_key, len(periods))
    source_of, target_of = np.divmod(group_key, len(people))
    return pd.DataFrame(
        {
            "source": _text(people[source_of]),
            "target": _text(people[target_of]),
            "period": _text(periods[period_of]),
            "channel": _text(channels[channel_of]),
            "count": np.add.reduceat(count[order], starts),
            "weight": np.add.reduceat(weight[order], starts),
            "first_seen": _utc(np.minimum.reduceat(first, starts)),
            "last_seen": _utc(np.maximum.reduceat(last, starts)),
        }
    )


def _stable_sort(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The permutation that sorts ``key`` stably, and the sorted keys."""
    shift = max(int(len(key) - 1).bit_length(), 1)
    if key.min() >= 0 and key.max() < 1 << (62 - shift):
        # Key and edge index packed in one int64: a plain (SIMD) sort of that is several times faster
        # than a stable argsort of the key, and equal keys come out in index order, i.e. stably.
        packed = np.sort((key << shift) | np.arange(len(key), dtype=np.int64))
        return packed & ((1 << shift) - 1), packed >> shift
    order = np.argsort(key, kind="stable")
    return order, key[order]


def _text(values: np.ndarray) -> pd.Series:
    # Kept as object: letting pandas infer its Arrow-backed str dtype costs a conversion here and another one back in the store.
    return pd.Series(values, dtype=object)


def _nanoseconds(timestamps: np.ndarray) -> np.ndarray:
    return timestamps.astype("datetime64[ns]").astype("int64")


def _utc(nanoseconds: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(nanoseconds.view("datetime64[ns]")).tz_localize("UTC")


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values (as an object array) and the int64 code of each value.

    Sorted codes make the combined tie key sort like the tuple of its parts.
    """
    codes, uniques = pd.factorize(values, sort=True)
    return np.asarray(uniques, dtype=object), codes.astype("int64")


def merge_ties(ties: pd.DataFrame) -> pd.DataFrame:
    """Combine tie rows that share a key (as two ingests of one period do).

    ``count`` and ``weight`` add up; ``first_seen`` is the minimum and
    ``last_seen`` the maximum.
    """
    if ties.empty:
        return ties[TIE_COLUMNS]
    merged = (
        ties.groupby(TIE_KEY, sort=True, observed=True)
        .agg(count=("count", "sum"), weight=("weight", "sum"), first_seen=("first_seen", "min"), last_seen=("last_seen", "max"))
        .reset_index()
    )
    return merged[TIE_COLUMNS]
