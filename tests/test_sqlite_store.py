"""The embedded store's own layout: ties keyed by period first, and the upgrade of stores made before that."""

from __future__ import annotations

import sqlite3

from orgnet.store.sqlite import SQLiteStore

# The tie table as orgnet 0.1 created it: keyed by source first, with an index on the period beside.
VERSION_0_TIES = """
CREATE TABLE tie (
    source TEXT NOT NULL, target TEXT NOT NULL, period TEXT NOT NULL, channel TEXT NOT NULL,
    count INTEGER NOT NULL, weight REAL NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    PRIMARY KEY (source, target, period, channel)
) WITHOUT ROWID;
CREATE INDEX tie_by_period ON tie (period);
"""
TIES = [
    ("E2", "E1", "2026-06", "chat", 1, 1.0, "2026-06-02T08:00:00Z", "2026-06-02T08:00:00Z"),
    ("E1", "E2", "2026-05", "email", 3, 1.5, "2026-05-04T09:00:00Z", "2026-05-20T10:00:00Z"),
    ("E1", "E3", "2026-07", "email", 2, 0.5, "2026-07-01T09:00:00Z", "2026-07-09T09:00:00Z"),
]


def _layout(path) -> tuple[int, str, list[str]]:
    connection = sqlite3.connect(path)
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        (table,) = connection.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tie'").fetchone()
        indexes = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tie'")]
        return version, table, indexes
    finally:
        connection.close()


def test_a_store_made_before_the_period_key_is_upgraded_with_its_ties(tmp_path):
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    connection.executescript(VERSION_0_TIES)
    connection.executemany("INSERT INTO tie VALUES (?, ?, ?, ?, ?, ?, ?, ?)", TIES)
    connection.commit()
    connection.close()

    with SQLiteStore(path) as store:
        ties = store.ties()
        assert list(zip(ties["source"], ties["target"], ties["period"], ties["count"])) == [
            ("E1", "E2", "2026-05", 3),
            ("E1", "E3", "2026-07", 2),
            ("E2", "E1", "2026-06", 1),
        ]
        assert store.periods() == ["2026-05", "2026-06", "2026-07"]
    version, table, indexes = _layout(path)
    assert version == 2
    assert "PRIMARY KEY (period, source, target, channel)" in table
    assert indexes == []
    # Opening it again changes nothing.
    with SQLiteStore(path) as store:
        assert len(store.ties()) == 3
    assert _layout(path) == (version, table, indexes)


def test_a_new_store_has_the_current_layout(tmp_path):
    SQLiteStore(tmp_path / "new.db").close()
    version, table, indexes = _layout(tmp_path / "new.db")
    assert version == 2 and "PRIMARY KEY (period, source, target, channel)" in table and indexes == []


def test_a_range_of_periods_is_read_along_the_key(tmp_path):
    with SQLiteStore(tmp_path / "plan.db") as store:
        plan = store._rows("EXPLAIN QUERY PLAN SELECT * FROM tie WHERE period >= ? AND period <= ?", ("2026-05", "2026-06"))
    assert "USING PRIMARY KEY (period>? AND period<?)" in " ".join(row[-1] for row in plan)


def test_periods_are_listed_in_order_without_repeats(tmp_path):
    connection = sqlite3.connect(tmp_path / "periods.db")
    with SQLiteStore(tmp_path / "periods.db") as store:
        assert store.periods() == []
        connection.executemany("INSERT INTO tie VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [*TIES, ("E3", "E1", "2026-06", "chat", *TIES[0][4:])])
        connection.commit()
        assert store.periods() == ["2026-05", "2026-06", "2026-07"]
        assert store.counts()["periods"] == 3
    connection.close()


def test_a_period_index_an_older_orgnet_put_back_is_dropped(tmp_path):
    SQLiteStore(tmp_path / "back.db").close()
    connection = sqlite3.connect(tmp_path / "back.db")
    connection.execute("CREATE INDEX tie_by_period ON tie (period)")
    connection.commit()
    connection.close()
    SQLiteStore(tmp_path / "back.db").close()
    assert _layout(tmp_path / "back.db")[2] == []


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
