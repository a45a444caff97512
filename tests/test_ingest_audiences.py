"""External audiences and advocacy engagement ingesters: hashed followers, brand accounts, strict rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import database_bytes, write

from orgnet.errors import IngestError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.checks import MAX_COUNT
from orgnet.ingest.pipeline import ingest_path
from orgnet.ingest.samples import SAMPLE_SOURCES
from orgnet.store import SETTING_HASH_KEY

DATA = Path(__file__).parent / "data" / "audiences"
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def records(frame):
    """Rows as sorted tuples, missing values as None."""
    return sorted(tuple(None if pd.isna(value) else value for value in row) for row in frame.astype(object).itertuples(index=False))


def test_accounts_counts_and_brands(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "audiences", DATA / "audiences.csv")
    assert records(store.audiences()) == [
        ("brand", "Acme", "instagram", 3000),
        ("brand", "Acme", "linkedin", 5000),
        # Ann's rows give 120 and 118: the largest wins.
        ("person", "E1", "linkedin", 120),
        # @bob is Bob's alias.
        ("person", "E2", "instagram", 40),
        ("person", "E2", "linkedin", 95),
        # No count given: the two listed followers.
        ("person", "E2", "x", 2),
    ]
    assert {k: report.counts[k] for k in ("rows", "accounts", "brand_accounts", "followers")} == {
        "rows": 8,
        "accounts": 6,
        "brand_accounts": 2,
        "followers": 6,
    }


def test_followers_are_keyed_hashes_that_keep_overlaps(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    ingest_path(store, "audiences", DATA / "audiences.csv")
    followers = store.followers()
    hashes = set(followers["follower_hash"])
    assert len(hashes) == 4 and not hashes & {"f-001", "f-002", "f-003", "F-004", "f-004"}
    by_account = followers.groupby(["owner_type", "owner", "platform"])["follower_hash"].apply(set)
    # f-002 follows Ann and Bob on LinkedIn; f-001 follows Ann and the brand.
    assert len(by_account[("person", "E1", "linkedin")] & by_account[("person", "E2", "linkedin")]) == 1
    assert len(by_account[("person", "E1", "linkedin")] & by_account[("brand", "Acme", "linkedin")]) == 1
    assert store.settings()[SETTING_HASH_KEY]
    store.close()
    stored = database_bytes(tmp_path)
    assert b"f-001" not in stored and b"F-004" not in stored


def test_bad_audience_rows_name_file_and_line(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = tmp_path / "audiences.csv"
    shutil.copy(DATA / "audiences.csv", path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("zed@acme.example,person,x,10,\nE3,person,x,lots,\nAcme,company,x,10,\nE4,,x,,\n")
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "audiences", path)
    message = str(caught.value)
    assert f"{path}:10: person 'zed@acme.example' is not a person in the roster or the store" in message
    assert f"{path}:11: follower_count 'lots' is not a whole number" in message
    assert f"{path}:12: owner_type 'company' is not person or brand" in message
    assert f"{path}:13: missing follower_count" in message
    assert store.counts()["audiences"] == 0
    report = ingest_path(store, "audiences", path, IngestOptions(skip_bad_rows=True))
    assert report.rejects == 4 and report.counts["accounts"] == 6


def test_engagement_rows(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "engagement", DATA / "engagement.csv")
    assert records(store.engagement()) == [
        # Actions and platforms in lower case; the repeated share is kept once.
        ("E1", "2026-05-04", "share", "c-1", "linkedin", 12, 340),
        ("E1", "2026-05-06", "comment", "c-2", "x", 3, None),
        # The calendar day as written, not the UTC one (2026-05-06T01:30Z).
        ("E2", "2026-05-05", "like", "c-1", "linkedin", None, None),
    ]
    assert (report.counts["rows"], report.counts["engagement"], report.counts["people"]) == (4, 3, 2)


def test_bad_engagement_rows_name_file_and_line(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = write(
        tmp_path / "engagement.csv",
        "person,date,action,content_id,platform,clicks\nE1,2026-05-04,share,c-1,x,1\nnobody,2026-05-04,share,c-1,x,1\n"
        "E2,yesterday,share,c-1,x,1\nE3,2026-05-04,share,c-1,x,many\nE4,2026-05-04,,c-1,x,\n"
        # Whole, but past what an integer column holds (it used to end in a TypeError traceback).
        "E1,2026-05-04,like,c-1,x,1e30\n",
    )
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "engagement", path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:3: person 'nobody' is not a person in the roster or the store",
        f"{path}:4: date 'yesterday' is not an ISO date (YYYY-MM-DD)",
        f"{path}:5: clicks 'many' is not a whole number from 0 to {MAX_COUNT:,}",
        f"{path}:6: missing action",
        f"{path}:7: clicks '1e30' is not a whole number from 0 to {MAX_COUNT:,}",
    ]
    report = ingest_path(store, "engagement", path, IngestOptions(skip_bad_rows=True))
    assert report.rejects == 5 and store.counts()["engagement"] == 1


@pytest.mark.skipif(not (SAMPLES / "truths.json").exists(), reason="sample data not generated yet")
def test_the_sample_organisation_ingests(store):
    truths = json.loads((SAMPLES / "truths.json").read_text(encoding="utf-8"))
    sources = dict(SAMPLE_SOURCES)
    ingest_path(store, "roster", SAMPLES / sources["roster"])
    reports = {source: ingest_path(store, source, SAMPLES / sources[source]) for source in ("slack", "viva", "audiences", "engagement")}
    # The counts the generator planted (data/samples/truths.json), read back by each ingester.
    slack, viva, audiences, engagement = (reports[s].counts for s in ("slack", "viva", "audiences", "engagement"))
    planted = truths["slack"]
    assert (slack["users"], slack["bot_users"], slack["files"]) == (planted["users"], planted["bots"], planted["files"])
    assert [slack[k] for k in ("messages", "thread_replies", "mentions", "reactions")] == [
        planted[k] for k in ("messages", "thread_replies", "mentions", "reactions")
    ]
    assert viva["rows"] == viva["ties"] == truths["viva"]["rows"]
    assert (audiences["rows"], audiences["accounts"], audiences["brand_accounts"], audiences["followers"]) == tuple(
        truths["audiences"][k] for k in ("rows", "accounts", "brand_accounts", "follower_rows")
    )
    assert engagement["rows"] == engagement["engagement"] == truths["engagement"]["rows"]
    assert all(report.rejects == 0 for report in reports.values())
    assert set(store.engagement()["person_id"]) <= set(store.people()["person_id"])
