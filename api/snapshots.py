"""What the service keeps in memory per snapshot: parsed stored results, people, graphs and tables built from them.

Stored results are immutable until the next ``orgnet analyze`` of their
snapshot, which rewrites them with a new ``created_at``. The service reads
each result once (:func:`orgnet.results.find`) and keeps the typed record;
at most every ``result_ttl`` seconds it reads the small ``(job, snapshot,
by, created_at)`` index of the stored results (one query for all of them)
and drops what changed, so a fresh analysis shows up
within ``result_ttl`` seconds while a busy endpoint answers from memory.
Tables derived from a result (a pre-sorted advocate table...) are keyed by
the result's ``created_at`` and rebuilt when it changes. People graphs (for
person-level graphs of departments and communities, and internal reach) are
built once per snapshot and kept for the few most recent snapshots; ego views
read only the ties around their person (:meth:`Snapshots.neighbourhood`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import networkx as nx
import pandas as pd

from orgnet.graph import edge_graph
from orgnet.jobs import META, Job
from orgnet.results import NotAnalysed, find, parse_snapshot_label
from orgnet.store import Store
from orgnet.store.columns import TieColumns

__all__ = ["SNAPSHOT_PATTERN", "NotAnalysed", "Snapshots", "UnknownSnapshot"]

#: A period (``2026-10``, ``2026-W42``) or a range of periods (``2026-08..2026-10``).
SNAPSHOT_PATTERN = r"^\d{4}-(?:W?\d{2})(?:\.\.\d{4}-(?:W?\d{2}))?$"

T = TypeVar("T")
R = TypeVar("R")

#: How many snapshots' graphs stay in memory.
GRAPHS_KEPT = 4

#: How many derived values (community-level graphs, sorted tables, reach computations...) stay in memory.
DERIVED_KEPT = 64


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
        self._derived: OrderedDict[tuple, Any] = OrderedDict()
        self._versions: dict[tuple[str, str, str], str] = {}
        self._versions_at = float("-inf")
        self._versions_lock = threading.Lock()
        self._build_locks: dict[tuple, threading.Lock] = {}

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

    def _built_once(self, cache: OrderedDict, locks: dict, key: Hashable, build: Callable[[], T], kept: int) -> T:
        """``cache[key]``, built by ``build`` when absent; the ``kept`` most recently used entries stay."""
        with self._lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
            building = locks.setdefault(key, threading.Lock())
        # One build per key even when many requests ask at once (a cold worker under load).
        with building:
            with self._lock:
                if key in cache:
                    return cache[key]
            value = build()
            with self._lock:
                cache[key] = value
                locks.pop(key, None)
                while len(cache) > kept:
                    cache.popitem(last=False)
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
            labels = set(stored.loc[stored["job"] == META.name, "snapshot"].astype(str)) if len(stored) else set()
            return sorted(labels, key=order)

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

    def version(self, job: Job[Any], label: str, by: str | None = None) -> str | None:
        """When ``job``'s stored result of ``label`` (grouped by ``by``) was written (``None`` when it was not).

        Answers from an index of every stored result that is read again at most every ``ttl`` seconds;
        results whose ``created_at`` changed are dropped from memory then.
        """
        now = time.monotonic()
        # One thread reads the index; the others meanwhile use the one read at most a moment ago.
        if now - self._versions_at >= self.ttl and self._versions_lock.acquire(blocking=self._versions_at == float("-inf")):
            try:
                self._refresh_versions(now)
            finally:
                self._versions_lock.release()
        return self._versions.get((job.name, label, job.key_by(by)))

    def _refresh_versions(self, now: float) -> None:
        if now - self._versions_at < self.ttl:
            return
        stored = self.store.results()
        versions = (
            {(str(j), str(s), str(b)): str(c) for j, s, b, c in zip(stored["job"], stored["snapshot"], stored["by"], stored["created_at"])}
            if len(stored)
            else {}
        )
        with self._lock:
            changed = {key for key in set(versions) | set(self._versions) if versions.get(key) != self._versions.get(key)}
            for key in changed:
                self._entries.pop(("result", *key), None)
            if changed:
                self._entries.pop(("analysed",), None)
            self._versions = versions
            self._versions_at = now

    def result(self, job: Job[R], label: str, by: str | None = None) -> R:
        """``job``'s stored result of snapshot ``label`` (grouped by ``by``, default department).

        Raises
        ------
        NotAnalysed
            When it was never computed, or by an older orgnet (:class:`~orgnet.results.OutdatedResult`).
        """
        key = ("result", job.name, label, job.key_by(by))
        if self.version(job, label, by) is None:
            # Not in the index read at most ``ttl`` ago; the store itself has the last word.
            value = self._cached(key, lambda: find(self.store, job, label, by))
        else:
            with self._lock:
                entry = self._entries.get(key)
            if entry is not None and entry.value is not None:
                value = entry.value
            else:
                value = find(self.store, job, label, by)
                with self._lock:
                    self._entries[key] = _Entry(value, time.monotonic())
        if value is None:
            raise NotAnalysed(job, label, job.key_by(by))
        found: R = value
        return found

    def optional_result(self, job: Job[R], label: str, by: str | None = None) -> R | None:
        """``job``'s stored result of ``label``, or ``None`` when it is not stored (or only by an older orgnet)."""
        try:
            return self.result(job, label, by)
        except NotAnalysed:
            return None

    def derived(self, name: str, label: str, build: Callable[[], T], source: Job[Any] = META) -> T:
        """A value computed from snapshot ``label`` (by ``build``), kept until ``source``'s stored result is written again.

        ``name`` must say everything ``build`` depends on besides the snapshot (its parameters too).
        """
        key = ("derived", name, label, self.version(source, label))
        return self._built_once(self._derived, self._build_locks, key, build, DERIVED_KEPT)

    def peek_derived(self, name: str, label: str, source: Job[Any] = META) -> Any | None:
        """The value :meth:`derived` would give, when it can be answered from memory without touching the store; else ``None``.

        Lets a coroutine answer from memory and leave store reads and builds to the threadpool.
        """
        if time.monotonic() - self._versions_at >= self.ttl:
            return None
        return self._derived.get(("derived", name, label, self._versions.get((source.name, label, source.key_by(None)))))

    def _periods_of(self, label: str) -> tuple[str, str]:
        """First and last period of snapshot ``label``; :class:`UnknownSnapshot` when the store holds no ties in them."""
        start, end = parse_snapshot_label(label)
        periods = self.periods()
        if not any(start <= p <= end for p in periods):
            raise UnknownSnapshot(f"no ties in {label}; periods held: {', '.join(periods) or 'none'}")
        return start, end

    def neighbourhood(self, label: str, person: str, hops: int) -> TieColumns:
        """The ties of snapshot ``label`` with an end within ``hops`` of ``person`` (:meth:`orgnet.store.Store.neighbourhood`).

        Read from the store on each call: an ego view needs these ties only,
        never the snapshot's whole graph.
        """
        return self.store.neighbourhood(person, hops, *self._periods_of(label))

    def graph(self, label: str) -> nx.DiGraph:
        """The people graph of snapshot ``label`` (every person a node, ties of its periods summed)."""
        start, end = self._periods_of(label)
        return self._built_once(
            self._graphs,
            self._graph_locks,
            label,
            lambda: edge_graph(self.store.tie_columns(start, end).edges(), self.store.people()),
            GRAPHS_KEPT,
        )
