"""Ties as columns: integer person codes into a person-id dictionary, integer timestamps.

:class:`TieColumns` is how stores hand ties over in bulk (``Store.tie_columns``):
NumPy arrays, one entry per tie, with people, periods and channels coded as
integers into sorted dictionaries, and ``first_seen``/``last_seen`` as whole
seconds since 1970-01-01 UTC. Graphs are built from the codes without ever
touching a Python object per tie; :meth:`TieColumns.frame` gives the
DataFrame of :data:`~orgnet.model.TIE_COLUMNS` for callers that want one.

The embedded store keeps each period's ties as one block of Arrow IPC bytes
(:meth:`TieColumns.to_block`, :meth:`TieColumns.from_block`): reading 845,000
ties is one blob read and a zero-copy decode (~50 ms) where keyed rows took a
Python tuple each (~5 s with the ISO timestamps parsed back).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from orgnet.model import TIE_COLUMNS, TIE_KEY
from orgnet.store.frames import TIMESTAMP_UNIT

__all__ = ["TieColumns", "seconds_of"]

_CODE = np.int32
#: Columns of one period's block; its person dictionary travels in a block of its own (see :meth:`TieColumns.to_block`).
_BLOCK_SCHEMA = pa.schema(
    [
        ("source", pa.int32()),
        ("target", pa.int32()),
        ("channel", pa.dictionary(pa.int32(), pa.string())),
        ("count", pa.int64()),
        ("weight", pa.float64()),
        ("first_seen", pa.int64()),
        ("last_seen", pa.int64()),
    ]
)
_PEOPLE_SCHEMA = pa.schema([("person_id", pa.string())])


def seconds_of(values: pd.Series) -> np.ndarray:
    """Whole seconds since 1970-01-01 UTC of a datetime Series (naive values are taken as UTC), truncated as stores keep them."""
    stamps = pd.to_datetime(values, utc=True)
    return stamps.dt.tz_localize(None).to_numpy(dtype="datetime64[s]").astype(np.int64)


def _codes(labels: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Positions of ``values`` in the sorted ``labels`` (every value is one of them)."""
    return np.asarray(pd.Index(labels).get_indexer(values), dtype=_CODE)


def _texts(values: pd.Series) -> np.ndarray:
    """A column as an object array of str; object columns of str (what stores and aggregation give) pass as they are."""
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values.to_numpy()
    return values.astype(str).to_numpy(object)


def _coded(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values of an object array of str, and each value's code into them.

    One hashing pass (``pd.factorize``) and a sort of the distinct values
    only: sorting every value is several times slower.
    """
    codes, uniques = pd.factorize(values)
    order = np.argsort(uniques.astype(str), kind="stable")
    rank = np.empty(len(order), dtype=_CODE)
    rank[order] = np.arange(len(order), dtype=_CODE)
    return np.asarray(uniques, dtype=object)[order], rank[codes]


@dataclass(frozen=True, eq=False)
class TieColumns:
    """Ties, one entry per (source, target, period, channel), as NumPy columns.

    Attributes
    ----------
    people : sorted distinct person ids (object array of str): the dictionary of ``source`` and ``target``.
    source, target : int32 codes into ``people``.
    periods : sorted distinct period labels; ``period`` codes into it.
    channels : sorted distinct channel names; ``channel`` codes into it.
    count : int64 interactions; ``weight``: float64 summed weight.
    first_seen, last_seen : int64 seconds since 1970-01-01 UTC.

    Notes
    -----
    Entries are sorted by key (source, target, period, channel) and keys are
    distinct. The dictionaries are sorted, so code order is text order and
    the key order is :data:`~orgnet.model.TIE_KEY`'s order on the labels. A
    dictionary may hold labels no entry uses (after :meth:`select`).
    """

    people: np.ndarray
    source: np.ndarray
    target: np.ndarray
    periods: np.ndarray
    period: np.ndarray
    channels: np.ndarray
    channel: np.ndarray
    count: np.ndarray
    weight: np.ndarray
    first_seen: np.ndarray
    last_seen: np.ndarray

    def __len__(self) -> int:
        return len(self.source)

    @classmethod
    def empty(cls) -> TieColumns:
        """No ties."""
        none = np.zeros(0, dtype=_CODE)
        texts = np.zeros(0, dtype=object)
        return cls(
            texts, none, none, texts, none, texts, none, np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64), np.zeros(0, np.int64)
        )

    @classmethod
    def from_frame(cls, ties: pd.DataFrame) -> TieColumns:
        """The columns of a tie table (:data:`~orgnet.model.TIE_COLUMNS`, timestamps datetime or ISO text); duplicate keys are merged.

        Merging follows the stores' upsert: counts and weights add up (in
        row order), ``first_seen`` is the earliest, ``last_seen`` the latest.
        """
        if ties.empty:
            return cls.empty()
        n = len(ties)
        people, person = _coded(np.concatenate([_texts(ties["source"]), _texts(ties["target"])]))
        periods, period = _coded(_texts(ties["period"]))
        channels, channel = _coded(_texts(ties["channel"]))
        unsorted = cls(
            people,
            person[:n],
            person[n:],
            periods,
            period,
            channels,
            channel,
            ties["count"].to_numpy(np.int64),
            ties["weight"].to_numpy(float),
            seconds_of(ties["first_seen"]),
            seconds_of(ties["last_seen"]),
        )
        return unsorted._merged_keys()

    def frame(self) -> pd.DataFrame:
        """The ties as stores' ``ties()`` return them: :data:`~orgnet.model.TIE_COLUMNS`, keys as object columns of str, sorted by key."""
        if not len(self):
            return pd.DataFrame({name: pd.Series(dtype=object) for name in TIE_KEY}).assign(
                count=pd.Series(dtype="int64"),
                weight=pd.Series(dtype=float),
                first_seen=pd.Series(dtype=f"datetime64[{TIMESTAMP_UNIT}, UTC]"),
                last_seen=pd.Series(dtype=f"datetime64[{TIMESTAMP_UNIT}, UTC]"),
            )[TIE_COLUMNS]
        return pd.DataFrame(
            {
                # pandas would infer its string dtype from the arrays; stores give keys as object columns of str.
                "source": pd.Series(self.people[self.source], dtype=object),
                "target": pd.Series(self.people[self.target], dtype=object),
                "period": pd.Series(self.periods[self.period], dtype=object),
                "channel": pd.Series(self.channels[self.channel], dtype=object),
                "count": self.count,
                "weight": self.weight,
                "first_seen": pd.to_datetime(self.first_seen, unit="s", utc=True).as_unit(TIMESTAMP_UNIT),
                "last_seen": pd.to_datetime(self.last_seen, unit="s", utc=True).as_unit(TIMESTAMP_UNIT),
            },
            columns=TIE_COLUMNS,
        )

    def take(self, which: np.ndarray) -> TieColumns:
        """The entries ``which`` (indices or a boolean mask), dictionaries unchanged."""
        return TieColumns(
            self.people,
            self.source[which],
            self.target[which],
            self.periods,
            self.period[which],
            self.channels,
            self.channel[which],
            self.count[which],
            self.weight[which],
            self.first_seen[which],
            self.last_seen[which],
        )

    def select(self, channels: Sequence[str] | None = None) -> TieColumns:
        """Only the ties of these channels (all for ``None`` or empty)."""
        if not channels:
            return self
        return self.take(np.isin(self.channel, np.flatnonzero(np.isin(self.channels, list(channels)))))

    def codes_of(self, people: Sequence[str]) -> np.ndarray:
        """Codes of ``people`` in :attr:`people`; -1 for a person no tie names."""
        return np.asarray(pd.Index(self.people).get_indexer(np.asarray(list(people), dtype=object)), dtype=np.int64)

    def reached(self, people: Sequence[str], hops: int) -> np.ndarray:
        """Which of :attr:`people` lie within ``hops`` ties (either direction) of any of ``people``: a boolean mask.

        These are the nodes of NetworkX's ``ego_graph(G, v, radius=hops,
        undirected=True)`` for each ``v`` of ``people`` (a person no tie
        names reaches nobody, not even themself here). O(hops * E).
        """
        reached = np.zeros(len(self.people), dtype=bool)
        start = self.codes_of(people)
        reached[start[start >= 0]] = True
        for _ in range(hops):
            touching = reached[self.source] | reached[self.target]
            grown = reached.copy()
            grown[self.source[touching]] = True
            grown[self.target[touching]] = True
            if np.array_equal(grown, reached):
                break
            reached = grown
        return reached

    def touching(self, people: Sequence[str], hops: int) -> TieColumns:
        """The ties with at least one end within ``hops`` of ``people`` (see :meth:`reached`).

        They hold everything a radius-``hops`` ego view of ``people`` shows:
        the paths that reach each member, the ties among the members, and every
        tie of each member (so its degree in the whole graph).
        """
        reached = self.reached(people, hops)
        return self.take(reached[self.source] | reached[self.target])

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The ties summed over periods and channels, one entry per directed pair (as :func:`orgnet.graph.tie_edges`).

        Returns
        -------
        source, target : codes into :attr:`people`, sorted by (source, target).
        count : int64 interactions; weight : float64 summed weight.

        Notes
        -----
        Entries are sorted by (source, target, ...), so each pair's entries are
        adjacent and one ``reduceat`` sums them: O(E).
        """
        pair = self.source.astype(np.int64) * max(len(self.people), 1) + self.target
        if not len(pair):
            return self.source, self.target, np.zeros(0, dtype=np.int64), np.zeros(0)
        starts = np.flatnonzero(np.concatenate([[True], pair[1:] != pair[:-1]]))
        return self.source[starts], self.target[starts], np.add.reduceat(self.count, starts), np.add.reduceat(self.weight, starts)

    def edges(self) -> pd.DataFrame:
        """:meth:`pairs` as the table :func:`orgnet.graph.tie_edges` gives: ``source``, ``target`` (person ids), ``count``, ``weight``."""
        sources, targets, counts, weights = self.pairs()
        return pd.DataFrame(
            {
                "source": pd.Series(self.people[sources], dtype=object),
                "target": pd.Series(self.people[targets], dtype=object),
                "count": counts.astype(np.int64),
                "weight": weights.astype(float),
            }
        )

    def merged(self, other: TieColumns) -> TieColumns:
        """These ties and ``other`` 's, keys they share merged as :meth:`from_frame` merges (these first)."""
        if not len(other):
            return self
        if not len(self):
            return other
        ours, theirs = _on_shared_dictionaries(self, other)

        def both(name: str) -> np.ndarray:
            return np.concatenate([getattr(ours, name), getattr(theirs, name)])

        joined = TieColumns(
            ours.people,
            both("source"),
            both("target"),
            ours.periods,
            both("period"),
            ours.channels,
            both("channel"),
            both("count"),
            both("weight"),
            both("first_seen"),
            both("last_seen"),
        )
        return joined._merged_keys()

    def adjusted(self, changes: pd.DataFrame) -> TieColumns:
        """These ties with ``changes`` added to their counts and weights: what the calendar ledger gives and takes back.

        Parameters
        ----------
        changes : ``source``, ``target``, ``period``, ``channel``, ``count``,
            ``weight``: amounts to add (negative: to take back) to the tie of
            that key, in row order (several rows may change one tie).

        Returns
        -------
        The ties, a change to a key they do not hold ignored, every changed
        tie left with a count of 0 or less removed, the dictionaries cut to
        what the rest use. ``first_seen`` and ``last_seen`` stay: a tie does
        not remember which interaction set them.
        """
        if not len(self) or changes.empty:
            return self
        codes = [
            np.asarray(pd.Index(labels).get_indexer(_texts(changes[name])), dtype=np.int64)
            for labels, name in ((self.people, "source"), (self.people, "target"), (self.periods, "period"), (self.channels, "channel"))
        ]
        # A label these ties lack (code -1) names no tie of theirs.
        known = np.logical_and.reduce([code >= 0 for code in codes])
        keys, wanted = self._keys(), self._keys(*codes)
        position = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        held = known & (keys[position] == wanted)
        count, weight = self.count.copy(), self.weight.copy()
        np.add.at(count, position[held], changes["count"].to_numpy(np.int64)[held])
        np.add.at(weight, position[held], changes["weight"].to_numpy(float)[held])
        emptied = np.zeros(len(self), dtype=bool)
        emptied[position[held]] = count[position[held]] <= 0
        return replace(self, count=count, weight=weight).take(np.flatnonzero(~emptied))._compacted()

    @classmethod
    def concat(cls, parts: Sequence[TieColumns]) -> TieColumns:
        """Ties of several disjoint parts (different periods, say) as one, sorted by key."""
        combined = cls.empty()
        for part in parts:
            combined = combined.merged(part)
        return combined

    def _keys(self, *codes: np.ndarray) -> np.ndarray:
        """One int64 per entry that orders as its key (source, target, period, channel); of ``codes`` of those four when given."""
        source, target, period, channel = codes or (self.source, self.target, self.period, self.channel)
        keys = ((source.astype(np.int64) * len(self.people) + target) * len(self.periods) + period) * len(self.channels) + channel
        return np.asarray(keys, dtype=np.int64)

    def _merged_keys(self) -> TieColumns:
        """Sorted by key, entries sharing a key merged (count and weight summed in entry order, first_seen min, last_seen max)."""
        keys = self._keys()
        if len(keys) and np.all(keys[1:] > keys[:-1]):
            return self
        # Stable: entries of one key keep their order, so sums run in entry order as the stores' upserts do.
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if len(keys) else np.zeros(0, dtype=np.int64)
        if len(starts) == len(keys):
            return self.take(order)
        first = order[starts]
        return TieColumns(
            self.people,
            self.source[first],
            self.target[first],
            self.periods,
            self.period[first],
            self.channels,
            self.channel[first],
            np.add.reduceat(self.count[order], starts),
            np.add.reduceat(self.weight[order], starts),
            np.minimum.reduceat(self.first_seen[order], starts),
            np.maximum.reduceat(self.last_seen[order], starts),
        )

    def to_block(self) -> tuple[bytes, bytes]:
        """One period's ties as Arrow IPC bytes: (person dictionary, ties); see :meth:`from_block`."""
        if len(self.periods) > 1:
            raise ValueError("a block holds the ties of one period")
        people = pa.table({"person_id": pa.array(self.people, pa.string())}, schema=_PEOPLE_SCHEMA)
        channel = pa.DictionaryArray.from_arrays(pa.array(self.channel, pa.int32()), pa.array(self.channels, pa.string()))
        columns = [pa.array(values) for values in (self.source, self.target)]
        columns += [channel, *(pa.array(values) for values in (self.count, self.weight, self.first_seen, self.last_seen))]
        ties = pa.table(columns, schema=_BLOCK_SCHEMA)
        return _ipc(people), _ipc(ties)

    @classmethod
    def from_block(cls, period: str, people: bytes, ties: bytes) -> TieColumns:
        """The ties of ``period`` from the two blobs of :meth:`to_block`."""
        ids = pa.ipc.open_stream(people).read_all().column("person_id").to_numpy(zero_copy_only=False).astype(object)
        table = pa.ipc.open_stream(ties).read_all().combine_chunks()
        # A block is never empty (see orgnet.store.sqlite._put_block), so its one chunk is there.
        channel = cast("pa.DictionaryArray[Any, Any]", table.column("channel").chunk(0))

        def values(name: str) -> np.ndarray:
            return table.column(name).to_numpy()

        return cls(
            ids,
            values("source"),
            values("target"),
            np.array([period], dtype=object),
            np.zeros(table.num_rows, dtype=_CODE),
            channel.dictionary.to_numpy(zero_copy_only=False).astype(object),
            channel.indices.to_numpy(),
            values("count"),
            values("weight"),
            values("first_seen"),
            values("last_seen"),
        )

    def by_period(self) -> dict[str, TieColumns]:
        """The ties of each period that holds some, by label, each with the dictionaries cut to what it uses."""
        parts = {}
        for code, label in enumerate(self.periods):
            # An ingest of one period (the usual case) is its own part: no copy of every column.
            part = self if len(self.periods) == 1 else self.take(self.period == code)
            if len(part):
                parts[str(label)] = part._compacted()
        return parts

    def _compacted(self) -> TieColumns:
        """The same ties with dictionaries holding only the labels used (codes keep their order, as the dictionaries are sorted)."""
        people, (source, target) = _used(self.people, self.source, self.target)
        periods, (period,) = _used(self.periods, self.period)
        channels, (channel,) = _used(self.channels, self.channel)
        return TieColumns(
            people, source, target, periods, period, channels, channel, self.count, self.weight, self.first_seen, self.last_seen
        )


def _used(labels: np.ndarray, *codes: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The labels that ``codes`` use, and the codes into them; O(n) marks, no sort, and nothing copied when every label is used."""
    used = np.zeros(len(labels), dtype=bool)
    for values in codes:
        used[values] = True
    if used.all():
        return labels, list(codes)
    renumbered = (np.cumsum(used) - 1).astype(_CODE)
    return labels[used], [renumbered[values] for values in codes]


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def _on_shared_dictionaries(first: TieColumns, second: TieColumns) -> tuple[TieColumns, TieColumns]:
    """Both ties recoded on the union of their dictionaries (sorted, so code order stays text order)."""
    people = np.union1d(first.people, second.people).astype(object)
    periods = np.union1d(first.periods, second.periods).astype(object)
    channels = np.union1d(first.channels, second.channels).astype(object)

    def recoded(part: TieColumns) -> TieColumns:
        person = _codes(people, part.people)
        return TieColumns(
            people,
            person[part.source],
            person[part.target],
            periods,
            _codes(periods, part.periods)[part.period],
            channels,
            _codes(channels, part.channels)[part.channel],
            part.count,
            part.weight,
            part.first_seen,
            part.last_seen,
        )

    return recoded(first), recoded(second)
