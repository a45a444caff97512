"""The embedded store's own layout: ties in one columnar block per period, and the upgrade of stores made before that."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest
from test_store_contract import record

from orgnet.model import TIE_COLUMNS, IngestBatch
from orgnet.store.columns import TieColumns
from orgnet.store.frames import ties_frame
from orgnet.store.sqlite import SQLiteStore

# The tie rows of schema versions 0 to 2.
TIE_FIELDS = """
    source TEXT NOT NULL, target TEXT NOT NULL, period TEXT NOT NULL, channel TEXT NOT NULL,
    count INTEGER NOT NULL, weight REAL NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
"""
# As orgnet 0.1 created them: keyed by source first, with an index on the period beside.
VERSION_0_TIES = f"""
CREATE TABLE tie ({TIE_FIELDS} PRIMARY KEY (source, target, period, channel)) WITHOUT ROWID;
CREATE INDEX tie_by_period ON tie (period);
"""
# Versions 1 and 2: keyed by period first.
VERSION_2_TIES = f"CREATE TABLE tie ({TIE_FIELDS} PRIMARY KEY (period, source, target, channel)) WITHOUT ROWID;"
TIES = [
    ("E2", "E1", "2026-06", "chat", 1, 1.0, "2026-06-02T08:00:00Z", "2026-06-02T08:00:00Z"),
    ("E1", "E2", "2026-05", "email", 3, 1.5, "2026-05-04T09:00:00Z", "2026-05-20T10:00:00Z"),
    ("E1", "E3", "2026-07", "email", 2, 0.5, "2026-07-01T09:00:00Z", "2026-07-09T09:00:00Z"),
]


def _layout(path) -> tuple[int, list[tuple[str, str]], list[str]]:
    """``user_version``, the kinds and names of every object called ``tie``, and the blocks' periods."""
    connection = sqlite3.connect(path)
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        ties = connection.execute("SELECT type, name FROM sqlite_master WHERE tbl_name = 'tie' ORDER BY type, name").fetchall()
        periods = [row[0] for row in connection.execute("SELECT period FROM tie_block ORDER BY period")]
        return version, ties, periods
    finally:
        connection.close()


def _older_store(path, layout: str, version: int, rows: list[tuple], blocks: dict[str, list[tuple]] | None = None) -> None:
    """A store as an earlier orgnet left it: ``rows`` in its ``tie`` table and, per period, a block of ``blocks``' rows."""
    SQLiteStore(path).close()
    connection = sqlite3.connect(path)
    connection.execute("DROP VIEW tie")
    connection.executescript(layout)
    connection.executemany("INSERT INTO tie VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    for period, block in (blocks or {}).items():
        people, ties = TieColumns.from_frame(ties_frame(block)).to_block()
        connection.execute("INSERT INTO tie_block VALUES (?, ?, ?, ?)", (period, len(block), people, ties))
    connection.execute(f"PRAGMA user_version = {version}")
    connection.commit()
    connection.close()


def _keys_and_counts(ties: pd.DataFrame) -> list[tuple]:
    return list(zip(ties["source"], ties["target"], ties["period"], ties["count"]))


def test_a_store_made_before_the_period_key_is_upgraded_with_its_ties(tmp_path):
    path = tmp_path / "old.db"
    _older_store(path, VERSION_0_TIES, 0, TIES)
    with SQLiteStore(path) as store:
        assert _keys_and_counts(store.ties()) == [("E1", "E2", "2026-05", 3), ("E1", "E3", "2026-07", 2), ("E2", "E1", "2026-06", 1)]
        assert store.periods() == ["2026-05", "2026-06", "2026-07"]
        assert store.counts()["ties"] == 3
    layout = _layout(path)
    assert layout == (3, [("view", "tie")], ["2026-05", "2026-06", "2026-07"])
    # Opening it again changes nothing.
    with SQLiteStore(path) as store:
        assert len(store.ties()) == 3
    assert _layout(path) == layout


def test_a_new_store_has_the_current_layout(tmp_path):
    SQLiteStore(tmp_path / "new.db").close()
    assert _layout(tmp_path / "new.db") == (3, [("view", "tie")], [])


def test_a_version_2_store_gets_every_block_from_its_rows(tmp_path):
    """The rows were what version 2 checked its blocks against: a block a writer without blocks left stale, one
    whose count still matches after that writer changed the rows, one missing and one without rows all give way."""
    path = tmp_path / "v2.db"
    added = ("E3", "E1", "2026-06", "email", 4, 2.0, "2026-06-03T08:00:00Z", "2026-06-05T08:00:00Z")
    # 2026-05's block says 9 where its row now says 3, with the same count of ties.
    changed = [("E1", "E2", "2026-05", "email", 9, 1.5, "2026-05-04T09:00:00Z", "2026-05-20T10:00:00Z")]
    # 2026-08's block lost its rows to a writer without blocks; 2026-07 never had a block.
    gone = [("E9", "E1", "2026-08", "chat", 1, 1.0, "2026-08-01T00:00:00Z", "2026-08-01T00:00:00Z")]
    _older_store(path, VERSION_2_TIES, 2, [*TIES, added], {"2026-05": changed, "2026-06": [TIES[0]], "2026-08": gone})
    with SQLiteStore(path) as store:
        assert _keys_and_counts(store.ties()) == [
            ("E1", "E2", "2026-05", 3),
            ("E1", "E3", "2026-07", 2),
            ("E2", "E1", "2026-06", 1),
            ("E3", "E1", "2026-06", 4),
        ]
        assert (
            store.ties("2026-06", "2026-06")["first_seen"].tolist()
            == pd.to_datetime(["2026-06-02T08:00:00Z", "2026-06-03T08:00:00Z"], utc=True).tolist()
        )
    assert _layout(path) == (3, [("view", "tie")], ["2026-05", "2026-06", "2026-07"])


def test_an_older_orgnet_cannot_write_tie_rows_into_an_upgraded_store(tmp_path):
    """Its schema script passes over the guard view, and its upsert fails rather than leave rows no block holds."""
    SQLiteStore(tmp_path / "guarded.db").close()
    connection = sqlite3.connect(tmp_path / "guarded.db")
    try:
        connection.executescript(VERSION_2_TIES.replace("CREATE TABLE tie", "CREATE TABLE IF NOT EXISTS tie"))
        assert connection.execute("SELECT count(*) FROM tie").fetchone() == (0,)
        with pytest.raises(sqlite3.OperationalError, match="cannot modify tie because it is a view"):
            connection.execute("INSERT INTO tie VALUES (?, ?, ?, ?, ?, ?, ?, ?)", TIES[0])
    finally:
        connection.close()


def test_periods_are_listed_in_order_without_repeats(tmp_path):
    with SQLiteStore(tmp_path / "periods.db") as store:
        assert store.periods() == []
        rows = [*TIES, ("E3", "E1", "2026-06", "chat", *TIES[0][4:])]
        store.apply(IngestBatch(ties=ties_frame(rows)), record("i1", source="interactions"))
        assert store.periods() == ["2026-05", "2026-06", "2026-07"]
        assert store.counts()["periods"] == 3 and store.counts()["ties"] == 4
        assert list(store.ties().columns) == TIE_COLUMNS


def test_followers_a_hand_made_store_keeps_as_bytes_still_read_back(tmp_path):
    """SQLite cannot join a BLOB hash into text: such a store's followers are read a row at a time, as before."""
    path = tmp_path / "hand-made.db"
    with SQLiteStore(path):
        pass
    connection = sqlite3.connect(path)
    connection.executemany("INSERT INTO follower VALUES (?, ?, ?, ?)", [("person", "E1", "li", "a"), ("person", "E1", "li", b"\xff\xfe")])
    connection.commit()
    connection.close()
    with SQLiteStore(path) as store:
        assert store.followers()["follower_hash"].tolist() == ["a", b"\xff\xfe"]
