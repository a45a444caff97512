"""What the service keeps in memory per snapshot: parsed stored results, people and graphs.

Stored results are read from the store and parsed once, then kept for
``result_ttl`` seconds, so that a busy endpoint answers from memory while a
fresh ``orgnet analyze`` still shows up within seconds. People graphs (for
ego summaries, person-level graphs and internal reach) are built once per
snapshot and kept for the few most recent snapshots.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import networkx as nx
import pandas as pd

from orgnet.graph import people_graph
from orgnet.results import load_result, parse_snapshot_label
from orgnet.store import Store

__all__ = ["SNAPSHOT_PATTERN", "NotAnalysed", "UnknownSnapshot", "Snapshots"]

#: A period (``2026-10``, ``2026-W42``) or a range of periods (``2026-08..2026-10``).
SNAPSHOT_PATTERN = r"^\d{4}-(?:W?\d{2})(?:\.\.\d{4}-(?:W?\d{2}))?$"

T = TypeVar("T")

#: How many snapshots' graphs stay in memory.
GRAPHS_KEPT = 4

#: How many derived values (community-level graphs...) stay in memory.
DERIVED_KEPT = 16


class NotAnalysed(LookupError):
    """A stored result the caller asked for does not exist: the snapshot was not analysed."""

    def __init__(self, name: str, label: str):
        super().__init__(f"no stored {name!r} result for {label}; run orgnet analyze")
        self.name = name
        self.label = label


class UnknownSnapshot(LookupError):
    """The snapshot names periods the store holds no ties for."""


@dataclass
class _Entry:
    value: Any
    at: float


class Snapshots:
    """Parsed stored results, people and graphs of one store, shared by every request.

    Parameters
    ----------
    store : the store the service reads.
    ttl : seconds a stored result or the people table is served from memory.
    """

    def __init__(self, store: Store, ttl: float = 5.0):
        self.store = store
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[tuple, _Entry] = {}
        self._graphs: OrderedDict[str, nx.DiGraph] = OrderedDict()
        self._graph_locks: dict[str, threading.Lock] = {}
        self._derived: dict[tuple, Any] = {}

    def _cached(self, key: tuple, load: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now - entry.at < self.ttl:
            return entry.value
        value = load()
        with self._lock:
            self._entries[key] = _Entry(value, now)
        return value

    def periods(self) -> list[str]:
        """Period labels that hold ties."""
        return self._cached(("periods",), self.store.periods)

    def people(self) -> pd.DataFrame:
        """The people table, indexed by ``person_id`` (the ``person_id`` column kept too)."""
        return self._cached(("people",), lambda: self.store.people().set_index("person_id", drop=False))

    def analysed(self) -> list[str]:
        """Snapshot labels that hold any stored result, sorted by their last period, single periods first."""
        def order(label: str) -> tuple[str, bool, str]:
            start, end = parse_snapshot_label(label)
            return end, start != end, label

        def load() -> list[str]:
            stored = self.store.results()
            return sorted(set(stored["period"].astype(str)) if len(stored) else set(), key=order)
        return self._cached(("analysed",), load)

    def label(self, requested: str | None) -> str:
        """The snapshot a request means: ``requested``, or by default the latest analysed single period (else the latest period)."""
        if requested:
            start, end = parse_snapshot_label(requested)
            if start > end:
                raise UnknownSnapshot(f"snapshot {requested} ends before it starts")
            return requested
        analysed = [label for label in self.analysed() if ".." not in label]
        if analysed:
            return analysed[-1]
        periods = self.periods()
        if not periods:
            raise UnknownSnapshot("the store holds no ties yet; run orgnet ingest")
        return periods[-1]

    def result(self, name: str, label: str) -> Any:
        """The stored result ``name`` of snapshot ``label``; :class:`NotAnalysed` when it was never computed."""
        value = self._cached(("result", name, label), lambda: load_result(self.store, name, label))
        if value is None:
            raise NotAnalysed(name, label)
        return value

    def optional_result(self, name: str, label: str) -> Any | None:
        """The stored result ``name`` of ``label``, or ``None``."""
        try:
            return self.result(name, label)
        except NotAnalysed:
            return None

    def derived(self, name: str, label: str, build: Callable[[], T]) -> T:
        """A value computed from snapshot ``label`` (by ``build``), kept until the snapshot is analysed again."""
        meta = self.optional_result("meta", label) or {}
        key = ("derived", name, label, meta.get("computed_at"))
        with self._lock:
            if key in self._derived:
                return self._derived[key]
        value = build()
        with self._lock:
            self._derived[key] = value
            while len(self._derived) > DERIVED_KEPT:
                self._derived.pop(next(iter(self._derived)))
        return value

    def graph(self, label: str) -> nx.DiGraph:
        """The people graph of snapshot ``label`` (every person a node, ties of its periods summed)."""
        start, end = parse_snapshot_label(label)
        periods = self.periods()
        if not any(start <= p <= end for p in periods):
            raise UnknownSnapshot(f"no ties in {label}; periods held: {', '.join(periods) or 'none'}")
        with self._lock:
            if label in self._graphs:
                self._graphs.move_to_end(label)
                return self._graphs[label]
            building = self._graph_locks.setdefault(label, threading.Lock())
        # One build per snapshot even when many requests ask at once.
        with building:
            with self._lock:
                if label in self._graphs:
                    return self._graphs[label]
            graph = people_graph(self.store.ties(start, end), self.store.people())
            with self._lock:
                self._graphs[label] = graph
                while len(self._graphs) > GRAPHS_KEPT:
                    self._graphs.popitem(last=False)
            return graph

