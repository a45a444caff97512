"""Snapshots: the stored analyses of one period or a range of periods, listed by label.

A snapshot exists once :func:`orgnet.analysis.analyze` stored its
:data:`~orgnet.jobs.META` result (``orgnet analyze`` creates or refreshes it); its label is a period
(``2026-10``) or a range (``2026-08..2026-10``, a rolling window). This
module lists them and names the rolling windows a report may compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orgnet.jobs import META, MetaResult
from orgnet.results import NotAnalysed, OutdatedResult, analyze_command, find, snapshot_label
from orgnet.store import Store

__all__ = ["SnapshotInfo", "find_snapshot", "list_snapshots", "previous_period", "rolling_windows"]


@dataclass(frozen=True)
class SnapshotInfo:
    """One analysed snapshot: its label, first and last period, size and when it was computed."""

    label: str
    start: str
    end: str
    people: int
    ties: int
    computed_at: str

    @property
    def is_range(self) -> bool:
        """Whether the snapshot spans several periods."""
        return self.start != self.end

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "people": self.people,
            "ties": self.ties,
            "computed_at": self.computed_at,
        }


def _info(meta: MetaResult) -> SnapshotInfo:
    return SnapshotInfo(meta.label, meta.start, meta.end, meta.people, meta.ties, meta.computed_at)


def list_snapshots(store: Store) -> list[SnapshotInfo]:
    """Every analysed snapshot of ``store``, by first period, then single periods before ranges.

    A snapshot analysed by an older orgnet, whose results this one does not
    read, is left out (:func:`find_snapshot` says how to analyse it again).
    """
    stored = store.results()
    labels = sorted(stored.loc[stored["job"] == META.name, "snapshot"]) if len(stored) else []
    found = []
    for label in labels:
        try:
            meta = find(store, META, label)
        except OutdatedResult:
            continue
        # A snapshot removed since results() was read is no longer one to list.
        if meta is not None:
            found.append(_info(meta))
    return sorted(found, key=lambda info: (info.start, info.end))


def find_snapshot(store: Store, label: str) -> SnapshotInfo:
    """The analysed snapshot ``label``.

    Raises
    ------
    NotAnalysed
        When it was never analysed, or by an older orgnet (the message says which command analyses it).
    """
    meta = find(store, META, label)
    if meta is None:
        raise NotAnalysed(META, label, reason=f"snapshot {label} is not analysed; run {analyze_command(label)}")
    return _info(meta)


def rolling_windows(periods: list[str], size: int) -> list[str]:
    """Labels of every window of ``size`` consecutive periods of ``periods`` (sorted), oldest first.

    ``rolling_windows(["2026-05", "2026-06", "2026-07"], 2) == ["2026-05..2026-06", "2026-06..2026-07"]``.
    """
    if size < 1:
        raise ValueError("a rolling window holds at least one period")
    return [snapshot_label(periods[i], periods[i + size - 1]) for i in range(len(periods) - size + 1)]


def previous_period(periods: list[str], period: str) -> str | None:
    """The latest of ``periods`` before ``period`` (``None`` when there is none)."""
    earlier = [p for p in periods if p < period]
    return max(earlier) if earlier else None
