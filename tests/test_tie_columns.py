"""Ties as columns (orgnet.store.columns) and the embedded store's per-period blocks of them.

The oracle for merging is orgnet.aggregate.merge_ties (a pandas group-by), and
for what a block holds, the store's own keyed tie rows read back one by one.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from test_store_contract import apply_both, first_batch, record, second_batch

from orgnet.aggregate import merge_ties
from orgnet.model import TIE_COLUMNS, TIE_KEY, IngestBatch
from orgnet.store.columns import TieColumns
from orgnet.store.sqlite import SQLiteStore, _rows_of, _valid_block


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


def _block_and_rows(store: SQLiteStore, period: str) -> tuple[TieColumns | None, pd.DataFrame]:
    with store._readers.connection() as connection:
        return _valid_block(connection, period), _rows_of(connection, period).frame()


@pytest.mark.parametrize("staged", [False, True])
def test_every_ingest_keeps_each_periods_block_equal_to_its_rows(tmp_path, staged):
    rng = np.random.default_rng(5)
    with SQLiteStore(tmp_path / "blocks.db", staged_ties=1 if staged else 200_000) as store:
        apply_both(store)
        # A third ingest merges into periods both earlier ones wrote.
        store.apply(IngestBatch(ties=_ties(rng, 500).assign(period="2026-01")), record("i3", source="interactions"))
        for period in store.periods():
            block, rows = _block_and_rows(store, period)
            assert block is not None, period
            assert_frame_equal(block.frame(), rows)
        assert_frame_equal(
            store.ties(), pd.concat([_block_and_rows(store, p)[1] for p in store.periods()]).sort_values(TIE_KEY, ignore_index=True)
        )


def test_rows_written_by_a_writer_that_keeps_no_blocks_are_read_from_the_rows(tmp_path):
    with SQLiteStore(tmp_path / "foreign.db") as store:
        store.apply(first_batch(), record("i1"))
        before = len(store.ties("2026-01", "2026-01"))
        connection = sqlite3.connect(tmp_path / "foreign.db")
        connection.execute("INSERT INTO tie VALUES ('E9', 'E1', '2026-01', 'chat', 1, 1.0, '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z')")
        connection.commit()
        connection.close()
        assert _block_and_rows(store, "2026-01")[0] is None
        ties = store.ties("2026-01", "2026-01")
        assert len(ties) == before + 1 and "E9" in set(ties["source"])
        # The next ingest into the period puts its block right again.
        store.apply(second_batch(), record("i2", source="interactions"))
        block, rows = _block_and_rows(store, "2026-01")
        assert block is not None
        assert_frame_equal(block.frame(), rows)


def test_a_store_without_blocks_gets_them_in_its_upgrade(tmp_path):
    with SQLiteStore(tmp_path / "v1.db") as store:
        apply_both(store)
        expected = store.ties()
    connection = sqlite3.connect(tmp_path / "v1.db")
    connection.execute("DELETE FROM tie_block")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    with SQLiteStore(tmp_path / "v1.db") as store:
        assert all(_block_and_rows(store, period)[0] is not None for period in store.periods())
        assert_frame_equal(store.ties(), expected)


def test_pairs_are_the_ties_summed_as_tie_edges_sums_them():
    from orgnet.graph import tie_edges

    ties = _ties(np.random.default_rng(6), 500)
    columns = TieColumns.from_frame(ties)
    expected = tie_edges(columns.frame()).astype({"source": object, "target": object})
    assert_frame_equal(columns.edges(), expected, check_exact=False, rtol=1e-12)
    assert TieColumns.empty().edges().empty
