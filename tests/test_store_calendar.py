"""The calendar ledger in every store: one version of each event, whatever order its copies arrive in.

Batches are built by hand here (the ingester has its own tests): each event's
contribution to the ties is written out, and every expected tie is worked out
in the comments. Each test runs on the embedded store and on the session's
real Neo4j.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid

import pandas as pd
import pytest
from test_store_contract import _open

from orgnet.errors import StoreError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.pipeline import ingest_path
from orgnet.model import (
    CALENDAR_CONTACT_COLUMNS,
    CALENDAR_EVENT_COLUMNS,
    CALENDAR_TIE_COLUMNS,
    EXTERNAL_CONTACT_COLUMNS,
    TIE_COLUMNS,
    IngestBatch,
    IngestRecord,
)
from orgnet.store import Store
from orgnet.store.sqlite import SQLiteStore

KINDS = ["sqlite", "neo4j"]

# The Neo4j leg runs on the one worker that starts the session's Neo4j (see neo4j_server.py).
pytestmark = pytest.mark.xdist_group("neo4j")
MEETING = "meeting"


@pytest.fixture(params=KINDS)
def store(request, tmp_path):
    opened = _open(request, request.param, tmp_path)
    yield opened
    opened.close()


def event(
    key: str,
    sequence: int = 0,
    stamp: str = "2026-07-01T00:00:00Z",
    *,
    series: str | None = None,
    recurrence=None,
    cancelled=False,
    occurrences=(),
) -> dict:
    return {
        "key": key,
        "series": series or key,
        "recurrence": recurrence,
        "sequence": sequence,
        "stamp": stamp,
        "cancelled": cancelled,
        "occurrences": list(occurrences),
    }


def batch(events: list[dict], ties: list[tuple] = (), contacts: list[tuple] = (), other_ties: list[tuple] = ()) -> IngestBatch:
    """A batch of calendar events: ``ties`` are (key, source, target, period, count, weight, first, last) contributions.

    The batch's ``ties`` are their sums (as the ingester hands them over), plus ``other_ties`` (no ledger key).
    """
    contributions = pd.DataFrame([(key, s, t, p, MEETING, n, w) for key, s, t, p, n, w, _, _ in ties], columns=CALENDAR_TIE_COLUMNS).astype(
        {"count": "int64", "weight": float}
    )
    rows = [(s, t, p, MEETING, n, w, first, last) for _, s, t, p, n, w, first, last in ties] + list(other_ties)
    summed = pd.DataFrame(rows, columns=TIE_COLUMNS)
    if len(summed):
        summed = summed.groupby(["source", "target", "period", "channel"], as_index=False).agg(
            count=("count", "sum"), weight=("weight", "sum"), first_seen=("first_seen", "min"), last_seen=("last_seen", "max")
        )
    for column in ("first_seen", "last_seen"):
        summed[column] = pd.to_datetime(summed[column], utc=True)
    contact_rows = pd.DataFrame(
        [(key, person, period, MEETING, n) for key, person, period, n in contacts], columns=CALENDAR_CONTACT_COLUMNS
    )
    external = contact_rows.groupby(["person_id", "period", "channel"], as_index=False)["count"].sum()[EXTERNAL_CONTACT_COLUMNS]
    return IngestBatch(
        ties=summed[TIE_COLUMNS],
        external_contacts=external,
        calendar_events=pd.DataFrame(events, columns=CALENDAR_EVENT_COLUMNS),
        calendar_ties=contributions,
        calendar_contacts=contact_rows.astype({"count": "int64"}),
        settings={"period_unit": "month"},
    )


def apply(store: Store, one: IngestBatch, ingest_id: str | None = None) -> dict:
    """Apply ``one`` as an ingest of its own; the counts the store set in the ingest's report."""
    ingest_id = ingest_id or uuid.uuid4().hex
    record = IngestRecord(ingest_id, "ics", "x.ics", f"hash-{ingest_id}", "2026-07-01T00:00:00Z", {"counts": {}})
    store.apply(one, record)
    return record.report["counts"]


def ties(store: Store) -> dict:
    return {(r.source, r.target, r.period): (r.count, round(r.weight, 9)) for r in store.ties().itertuples()}


def both(a: str, b: str, period: str, count: int, weight: float) -> dict:
    return {(a, b, period): (count, weight), (b, a, period): (count, weight)}


# A 1 h meeting of Ann (E1), Bob (E2) and Cy (E3) on 4 May: n = 3, each ordered pair 1/2 = 0.5.
PLANNING = [
    ("planning", a, b, "2026-05", 1, 0.5, "2026-05-04T09:00:00Z", "2026-05-04T09:00:00Z")
    for a, b in [("E1", "E2"), ("E2", "E1"), ("E1", "E3"), ("E3", "E1"), ("E2", "E3"), ("E3", "E2")]
]
# Its version 1: moved to 5 June, 2 h, without Cy: n = 2, 2/1 = 2.0.
PLANNING_V1 = [
    ("planning", a, b, "2026-06", 1, 2.0, "2026-06-05T09:00:00Z", "2026-06-05T09:00:00Z") for a, b in [("E1", "E2"), ("E2", "E1")]
]


def test_a_copy_of_the_stored_version_or_an_older_one_adds_nothing(store):
    assert apply(store, batch([event("planning", occurrences=["2026-05-04T09:00:00Z"])], PLANNING))["merged_with_store"] == 0
    expected = {**both("E1", "E2", "2026-05", 1, 0.5), **both("E1", "E3", "2026-05", 1, 0.5), **both("E2", "E3", "2026-05", 1, 0.5)}
    assert ties(store) == expected
    same = apply(store, batch([event("planning", occurrences=["2026-05-04T09:00:00Z"])], PLANNING))
    older = apply(store, batch([event("planning", stamp="2026-06-01T00:00:00Z", occurrences=["2026-05-04T09:00:00Z"])], PLANNING))
    assert (same["merged_with_store"], older["merged_with_store"], older["replaced_in_store"]) == (1, 1, 0)
    assert ties(store) == expected
    [stored] = store.calendar_events().to_dict("records")
    assert stored == event("planning", occurrences=["2026-05-04T09:00:00Z"])


def test_a_newer_version_replaces_what_the_old_one_added(store):
    apply(store, batch([event("planning", occurrences=["2026-05-04T09:00:00Z"])], PLANNING))
    # A later DTSTAMP of the same SEQUENCE is newer too; then SEQUENCE 1 beats any DTSTAMP of SEQUENCE 0.
    later = apply(store, batch([event("planning", stamp="2026-07-02T00:00:00Z", occurrences=["2026-05-04T09:00:00Z"])], PLANNING))
    assert (later["replaced_in_store"], later["merged_with_store"]) == (1, 0)
    counts = apply(store, batch([event("planning", 1, "2026-06-01T00:00:00Z", occurrences=["2026-06-05T09:00:00Z"])], PLANNING_V1))
    assert counts["replaced_in_store"] == 1
    # May's ties are gone with the old version; only version 1's remain.
    assert ties(store) == both("E1", "E2", "2026-06", 1, 2.0)
    assert store.periods() == ["2026-06"]
    # An older version arriving late changes nothing.
    assert apply(store, batch([event("planning", occurrences=["2026-05-04T09:00:00Z"])], PLANNING))["merged_with_store"] == 1
    assert ties(store) == both("E1", "E2", "2026-06", 1, 2.0)


def test_a_cancellation_takes_the_event_back_and_stays(store):
    apply(store, batch([event("planning", occurrences=["2026-05-04T09:00:00Z"])], PLANNING, contacts=[("planning", "E1", "2026-05", 1)]))
    assert store.external_contacts()["count"].tolist() == [1]
    counts = apply(store, batch([event("planning", 1, cancelled=True)]))
    assert counts["replaced_in_store"] == 1
    assert ties(store) == {} and store.external_contacts().empty
    # The invite arriving after its cancellation (or a copy of the cancelled version) brings nothing back.
    assert apply(store, batch([event("planning", occurrences=["2026-05-04T09:00:00Z"])], PLANNING))["merged_with_store"] == 1
    assert apply(store, batch([event("planning", 1)], PLANNING))["merged_with_store"] == 1
    assert ties(store) == {}
    assert store.calendar_events()["cancelled"].tolist() == [True]


def test_ties_from_other_events_and_sources_keep_their_share(store):
    # A chat message Ann -> Bob and another meeting of Ann and Bob share the tie keys the planning meeting adds to.
    chat = [("E1", "E2", "2026-05", MEETING, 2, 0.25, "2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z")]
    lunch = [("lunch", a, b, "2026-05", 1, 1.0, "2026-05-06T12:00:00Z", "2026-05-06T12:00:00Z") for a, b in [("E1", "E2"), ("E2", "E1")]]
    apply(
        store,
        batch(
            [event("planning", occurrences=["2026-05-04T09:00:00Z"]), event("lunch", occurrences=["2026-05-06T12:00:00Z"])],
            PLANNING + lunch,
            other_ties=chat,
        ),
    )
    # Ann -> Bob: chat 2 + planning 1 + lunch 1 = 4, weight 0.25 + 0.5 + 1.0 = 1.75.
    assert ties(store)[("E1", "E2", "2026-05")] == (4, 1.75)
    apply(store, batch([event("planning", cancelled=True)]))
    assert ties(store) == {("E1", "E2", "2026-05"): (3, 1.25), ("E2", "E1", "2026-05"): (1, 1.0)}
    # first_seen cannot be narrowed again: it still is the chat's, which is also the earliest left here.
    first = store.ties().set_index(["source", "target"])["first_seen"]
    assert first[("E1", "E2")] == pd.Timestamp("2026-05-01T00:00:00Z")


# A weekly 1 h series of Ann, Bob and Cy, four Mondays of June (n = 3: 0.5 per pair each), and its 15 June
# occurrence moved to the 16th as a VEVENT of its own: 2 h, Ann and Bob only (n = 2: 2.0).
WEEKS = ["2026-06-01T14:00:00Z", "2026-06-08T14:00:00Z", "2026-06-15T14:00:00Z", "2026-06-22T14:00:00Z"]
PAIRS = [("E1", "E2"), ("E2", "E1"), ("E1", "E3"), ("E3", "E1"), ("E2", "E3"), ("E3", "E2")]


def series_batch(occurrences: list[str]) -> IngestBatch:
    n = len(occurrences)
    return batch(
        [event("weekly", occurrences=occurrences)],
        [("weekly", a, b, "2026-06", n, 0.5 * n, occurrences[0], occurrences[-1]) for a, b in PAIRS],
        contacts=[("weekly", "E1", "2026-06", n)],
    )


def moved_batch(cancelled: bool = False) -> IngestBatch:
    moved = event("weekly-15", 1, series="weekly", recurrence="2026-06-15T14:00:00Z", cancelled=cancelled)
    if cancelled:
        return batch([moved])
    moved["occurrences"] = ["2026-06-16T16:00:00Z"]
    return batch([moved], [("weekly-15", a, b, "2026-06", 1, 2.0, "2026-06-16T16:00:00Z", "2026-06-16T16:00:00Z") for a, b in PAIRS[:2]])


# Series without its 15 June: 3 x 0.5 = 1.5 for each pair; Ann-Bob also 1 x 2.0 from the moved one.
WITH_MOVED = {**both("E1", "E2", "2026-06", 4, 3.5), **both("E1", "E3", "2026-06", 3, 1.5), **both("E2", "E3", "2026-06", 3, 1.5)}


def test_the_same_version_expanded_further_replaces_the_stored_expansion(store):
    apply(store, series_batch(WEEKS[:2]))
    assert ties(store)[("E1", "E2", "2026-06")] == (2, 1.0)
    # Read again by an ingest whose horizon reaches 22 June: the same version, two more occurrences.
    assert apply(store, series_batch(WEEKS))["replaced_in_store"] == 1
    assert ties(store)[("E1", "E2", "2026-06")] == (4, 2.0)
    # Read again with the first horizon: it adds nothing.
    assert apply(store, series_batch(WEEKS[:2]))["merged_with_store"] == 1
    assert ties(store)[("E1", "E2", "2026-06")] == (4, 2.0)


@pytest.mark.parametrize("series_first", [True, False])
def test_a_moved_occurrence_counts_once_whichever_arrives_first(store, series_first):
    if series_first:
        apply(store, series_batch(WEEKS))
        counts = apply(store, moved_batch())
    else:
        apply(store, moved_batch())
        counts = apply(store, series_batch(WEEKS))
    assert counts["occurrences_overridden"] == 1
    assert ties(store) == WITH_MOVED
    # Ann met an outside attendee at three of the four weekly meetings.
    assert store.external_contacts()["count"].tolist() == [3]
    stored = store.calendar_events().set_index("key")["occurrences"]
    assert stored["weekly"] == [WEEKS[0], WEEKS[1], WEEKS[3]]
    # Once settled, a newer version of the moved occurrence replaces it and nothing else.
    newer = moved_batch()
    newer.calendar_events.loc[0, "sequence"] = 2
    assert apply(store, newer)["replaced_in_store"] == 1
    assert ties(store) == WITH_MOVED


def test_a_cancelled_occurrence_leaves_the_series(store):
    apply(store, series_batch(WEEKS))
    assert apply(store, moved_batch(cancelled=True))["occurrences_overridden"] == 1
    assert ties(store) == {
        **both("E1", "E2", "2026-06", 3, 1.5),
        **both("E1", "E3", "2026-06", 3, 1.5),
        **both("E2", "E3", "2026-06", 3, 1.5),
    }


def test_a_cancelled_series_takes_its_moved_occurrences_with_it(store):
    apply(store, series_batch(WEEKS))
    apply(store, moved_batch())
    apply(store, batch([event("weekly", 3, cancelled=True)]))
    assert ties(store) == {} and store.external_contacts().empty
    # A moved occurrence of the cancelled series arriving later counts for nothing either.
    newer = moved_batch()
    newer.calendar_events.loc[0, "sequence"] = 4
    apply(store, newer)
    assert ties(store) == {}


def test_the_ledger_is_left_as_it_was_when_the_ingest_fails(store):
    apply(store, batch([event("planning", occurrences=["2026-05-04T09:00:00Z"])], PLANNING), "taken")
    before = store.calendar_events()
    with pytest.raises((StoreError, sqlite3.IntegrityError)):
        apply(store, batch([event("planning", 1, cancelled=True)]), "taken")
    pd.testing.assert_frame_equal(store.calendar_events(), before)
    assert ties(store)[("E1", "E2", "2026-05")] == (1, 0.5)


# The layout of orgnet before the calendar ledger: every table but the ledger's (user_version 1).
BEFORE_THE_LEDGER = ["calendar_event", "calendar_tie", "calendar_contact"]


def test_a_store_made_before_the_ledger_opens_and_starts_it(tmp_path):
    path = tmp_path / "old.db"
    SQLiteStore(path).close()
    connection = sqlite3.connect(path)
    for table in BEFORE_THE_LEDGER:
        connection.execute(f"DROP TABLE {table}")
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 3  # the ledger came without a version step of its own
    connection.commit()
    connection.close()
    with SQLiteStore(path) as store:
        assert store.calendar_events().empty
        apply(store, batch([event("planning", occurrences=["2026-05-04T09:00:00Z"])], PLANNING))
        assert apply(store, batch([event("planning", occurrences=["2026-05-04T09:00:00Z"])], PLANNING))["merged_with_store"] == 1
        assert ties(store)[("E1", "E2", "2026-05")] == (1, 0.5)


def test_the_ingester_leaves_the_same_ledger_and_ties_in_every_store(request, tmp_path, roster_file):
    from conftest import write
    from test_ingest_ics import JUNE_MOVED, steering_mail

    options = IngestOptions(until=dt.date(2026, 7, 31))
    mail = steering_mail(tmp_path / "mail")
    moved = write(tmp_path / "june.ics", JUNE_MOVED)
    stores = [SQLiteStore(tmp_path / "embedded.db"), _open(request, "neo4j", tmp_path)]
    try:
        for opened in stores:
            ingest_path(opened, "roster", roster_file)
            ingest_path(opened, "ics", mail, options)
            assert ingest_path(opened, "ics", moved, options).counts["occurrences_overridden"] == 1
        embedded, graph = stores
        pd.testing.assert_frame_equal(graph.ties(), embedded.ties())
        pd.testing.assert_frame_equal(graph.external_contacts(), embedded.external_contacts())
        # Both stores key their hashes with the one hashing key: the same keys, versions and occurrences.
        assert set(embedded.calendar_events()["key"]) == set(graph.calendar_events()["key"])
        ledgers = [
            opened.calendar_events().drop(columns=["key", "series"]).sort_values("recurrence", na_position="first", ignore_index=True)
            for opened in stores
        ]
        pd.testing.assert_frame_equal(ledgers[1], ledgers[0])
        assert ledgers[0]["recurrence"].where(ledgers[0]["recurrence"].notna(), None).tolist() == [
            None,
            "2026-04-07T09:00:00Z",
            "2026-05-05T09:00:00Z",
            "2026-06-02T09:00:00Z",
        ]
    finally:
        for opened in stores:
            opened.close()
