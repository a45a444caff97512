"""Ties as columns (orgnet.store.columns) and the embedded store's per-period blocks of them.

The oracle for merging is orgnet.aggregate.merge_ties (a pandas group-by), for
the calendar ledger's changes a hand-computed case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from test_store_contract import record

from orgnet.aggregate import merge_ties
from orgnet.model import TIE_COLUMNS, TIE_KEY, IngestBatch
from orgnet.store.columns import TieColumns
from orgnet.store.sqlite import SQLiteStore


def _ties(rng: np.random.Generator, rows: int, people: int = 30) -> pd.DataFrame:
    """Random tie rows over two periods and three channels, keys repeating."""
    stamps = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 50 * 86_400, (2, rows)).ravel(), unit="s")
    first, last = np.sort(stamps.to_numpy().reshape(2, rows), axis=0)
    return pd.DataFrame(
        {
            "source": [f"P{i:03d}" for i in rng.integers(0, people, rows)],
            "target": [f"P{i:03d}" for i in rng.integers(0, people, rows)],
            "period": rng.choice(["2026-01", "2026-02"], rows),
            "channel": rng.choice(["chat", "email", "meeting"], rows),
            "count": rng.integers(1, 9, rows),
            "weight": rng.random(rows),
            "first_seen": pd.to_datetime(first, utc=True),
            "last_seen": pd.to_datetime(last, utc=True),
        }
    ).astype(dict.fromkeys(TIE_KEY, object))


def _expected(ties: pd.DataFrame) -> pd.DataFrame:
    merged = merge_ties(ties).astype(dict.fromkeys(TIE_KEY, object))
    for column in ("first_seen", "last_seen"):
        merged[column] = merged[column].dt.floor("s").dt.as_unit("us")
    return merged.reset_index(drop=True)


def _columns(rows: list[tuple]) -> TieColumns:
    """Ties of hand-written rows in :data:`~orgnet.model.TIE_COLUMNS` order."""
    return TieColumns.from_frame(pd.DataFrame(rows, columns=TIE_COLUMNS))


def test_columns_of_a_frame_read_back_merged_as_the_stores_merge():
    ties = _ties(np.random.default_rng(1), 400)
    columns = TieColumns.from_frame(ties)
    assert list(columns.people) == sorted(set(ties["source"]) | set(ties["target"]))
    assert columns.source.dtype == np.int32 and columns.first_seen.dtype == np.int64
    assert_frame_equal(columns.frame(), _expected(ties), check_exact=False, rtol=1e-12)


def test_merged_columns_equal_the_merge_of_both_frames():
    rng = np.random.default_rng(2)
    old, new = _ties(rng, 300), _ties(rng, 200, people=40)
    merged = TieColumns.from_frame(old).merged(TieColumns.from_frame(new))
    assert_frame_equal(merged.frame(), _expected(pd.concat([old, new], ignore_index=True)), check_exact=False, rtol=1e-12)


def test_a_block_holds_one_period_and_reads_back_the_same():
    ties = _ties(np.random.default_rng(3), 300)
    parts = TieColumns.from_frame(ties).by_period()
    assert sorted(parts) == ["2026-01", "2026-02"]
    for period, part in parts.items():
        again = TieColumns.from_block(period, *part.to_block())
        assert_frame_equal(again.frame(), _expected(ties[ties["period"] == period]), check_exact=False, rtol=1e-12)
    with pytest.raises(ValueError, match="one period"):
        TieColumns.from_frame(ties).to_block()


def test_channels_are_selected():
    ties = _ties(np.random.default_rng(4), 200)
    chosen = TieColumns.from_frame(ties).select(["chat", "meeting"]).frame()
    assert_frame_equal(chosen.reset_index(drop=True), _expected(ties[ties["channel"] != "email"]), check_exact=False, rtol=1e-12)


def test_no_ties_make_an_empty_frame_of_the_tie_columns():
    frame = TieColumns.empty().frame()
    assert list(frame.columns) == TIE_COLUMNS and frame.empty
    assert str(frame["first_seen"].dtype) == "datetime64[us, UTC]"


def test_every_ingest_merges_into_each_periods_block_as_the_upsert_of_rows_would(tmp_path):
    rng = np.random.default_rng(5)
    batches = [_ties(rng, 400), _ties(rng, 300, people=40), _ties(rng, 500).assign(period="2026-01")]
    with SQLiteStore(tmp_path / "blocks.db") as store:
        for number, ties in enumerate(batches):
            store.apply(IngestBatch(ties=ties), record(f"i{number}", source="interactions"))
            assert_frame_equal(store.ties(), _expected(pd.concat(batches[: number + 1], ignore_index=True)), check_exact=False, rtol=1e-12)
        assert store.counts()["ties"] == len(store.ties())


def test_adjusted_adds_to_the_ties_it_holds_and_drops_those_left_without_interactions():
    """Hand-computed: the calendar ledger's changes, as the stores' UPDATE and DELETE of rows applied them."""
    ties = _columns(
        [
            ("A", "B", "2026-01", "meeting", 3, 1.5, "2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z"),
            ("A", "C", "2026-01", "meeting", 1, 0.5, "2026-01-02T00:00:00Z", "2026-01-02T00:00:00Z"),
            ("B", "C", "2026-01", "chat", 2, 1.0, "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z"),
        ]
    )
    changes = pd.DataFrame(
        [
            ("A", "B", "2026-01", "meeting", -1, -0.5),
            ("A", "B", "2026-01", "meeting", 2, 0.25),
            ("A", "C", "2026-01", "meeting", -1, -0.5),  # its last interaction goes: so does the tie
            ("A", "Z", "2026-01", "meeting", -1, -0.5),  # no such person in these ties
            ("B", "C", "2026-02", "chat", -2, -1.0),  # no such period
        ],
        columns=[*TIE_KEY, "count", "weight"],
    )
    adjusted = ties.adjusted(changes).frame()
    assert adjusted[[*TIE_KEY, "count", "weight"]].values.tolist() == [
        ["A", "B", "2026-01", "meeting", 4, 1.25],
        ["B", "C", "2026-01", "chat", 2, 1.0],
    ]
    assert adjusted["first_seen"].tolist() == pd.to_datetime(["2026-01-02", "2026-01-03"], utc=True).tolist()
    assert ties.adjusted(changes.iloc[:0]) is ties


def test_pairs_are_the_ties_summed_as_tie_edges_sums_them():
    from orgnet.graph import tie_edges

    ties = _ties(np.random.default_rng(6), 500)
    columns = TieColumns.from_frame(ties)
    expected = tie_edges(columns.frame()).astype({"source": object, "target": object})
    assert_frame_equal(columns.edges(), expected, check_exact=False, rtol=1e-12)
    assert TieColumns.empty().edges().empty


def test_a_take_back_leaves_no_label_behind_and_spares_the_ties_it_does_not_touch():
    """A person and a channel only the taken-back tie used leave the dictionaries; an untouched tie stays, even at 0."""
    ties = _columns(
        [
            ("A", "B", "2026-01", "meeting", 1, 0.5, "2026-01-02T00:00:00Z", "2026-01-02T00:00:00Z"),
            ("B", "C", "2026-01", "chat", 0, 0.0, "2026-01-03T00:00:00Z", "2026-01-03T00:00:00Z"),
            ("Z", "B", "2026-01", "chat", 2, 1.0, "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z"),
        ]
    )
    adjusted = ties.adjusted(pd.DataFrame([("A", "B", "2026-01", "meeting", -1, -0.5)], columns=[*TIE_KEY, "count", "weight"]))
    assert adjusted.people.tolist() == ["B", "C", "Z"] and adjusted.channels.tolist() == ["chat"]
    assert adjusted.frame()[["source", "target", "count"]].values.tolist() == [["B", "C", 0], ["Z", "B", 2]]


def test_a_snapshot_ignores_people_of_the_dictionary_no_tie_uses():
    """After a channel selection the people dictionary keeps labels no tie names: they are no nodes."""
    from orgnet.analysis import _indexed_ties

    ties = _columns(
        [
            ("E1", "A_guest", "2026-01", "meeting", 1, 1.0, "2026-01-02T00:00:00Z", "2026-01-02T00:00:00Z"),
            ("Z_guest", "E2", "2026-01", "chat", 3, 3.0, "2026-01-03T00:00:00Z", "2026-01-03T00:00:00Z"),
        ]
    ).select(["chat"])
    assert "A_guest" in ties.people.tolist()
    indexed = _indexed_ties(ties, pd.DataFrame({"person_id": ["E1", "E2"]}))
    assert indexed.nodes == ["E1", "E2", "Z_guest"]
    assert [(indexed.nodes[s], indexed.nodes[t]) for s, t in zip(indexed.sources, indexed.targets)] == [("Z_guest", "E2")]
