"""Slack export ingester: hand-computed ties from a tiny export, zip and folder alike, no text kept."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import database_bytes, tie_table, write

from orgnet.errors import IngestError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.pipeline import ingest_path

EXPORT = Path(__file__).parent / "data" / "slack" / "export"

# By hand, from tests/data/slack/export (U1..U4 are E1..E4 by e-mail):
EXPECTED = {
    # Ann mentions Bob and Cy in the thread's parent message.
    ("E1", "E2", "2026-05", "chat"): (1, 1.0),
    ("E1", "E3", "2026-05", "chat"): (1, 1.0),
    # Bob reacts to it (two emoji, one interaction) and replies in its thread (parent_user_id).
    ("E2", "E1", "2026-05", "chat"): (2, 2.0),
    # Cy replies (parent found by thread_ts).
    ("E3", "E1", "2026-05", "chat"): (1, 1.0),
    # Di reacts, and replies the next day (the parent is in another day file).
    ("E4", "E1", "2026-05", "chat"): (2, 2.0),
    # In June Ann mentions Bob twice in one message (one interaction), and Cy reacts to it.
    ("E1", "E2", "2026-06", "chat"): (1, 1.0),
    ("E3", "E1", "2026-06", "chat"): (1, 1.0),
}


def zipped(folder: Path, target: Path, prefix: str = "") -> Path:
    """Zip ``folder`` the way Slack does (optionally under a top folder)."""
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, prefix + file.relative_to(folder).as_posix())
    return target


def test_hand_computed_ties_and_counts(store, roster_file):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "slack", EXPORT)
    assert tie_table(store) == EXPECTED
    # The guest outside acme.example wrote to Di: a count, not a tie.
    assert store.external_contacts().to_dict("records") == [{"person_id": "E4", "period": "2026-05", "channel": "chat", "count": 1}]
    assert report.unknown_internal == {"ghost@acme.example": 1}
    counts = report.counts
    assert (counts["users"], counts["users_without_email"], counts["bot_messages"]) == (8, 2, 1)
    assert (counts["messages"], counts["thread_replies"], counts["mentions"], counts["reactions"]) == (8, 3, 6, 3)
    # The deleted user without an e-mail mentioned Ann: dropped and counted.
    assert counts["events_without_email"] == 1
    assert counts["interactions"] == 11


@pytest.mark.parametrize("prefix", ["", "acme-export/"])
def test_zip_and_folder_give_identical_ties(store, roster_file, tmp_path, prefix):
    ingest_path(store, "roster", roster_file)
    ingest_path(store, "slack", zipped(EXPORT, tmp_path / "export.zip", prefix))
    assert tie_table(store) == EXPECTED


def test_message_text_never_reaches_the_store(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    ingest_path(store, "slack", zipped(EXPORT, tmp_path / "export.zip"))
    ingest_path(store, "slack", EXPORT)
    store.close()
    stored = database_bytes(tmp_path)
    assert b"SECRET-LAUNCH-CODE" not in stored and b"late to the thread" not in stored


def broken_export(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    write(folder / "general" / "2026-05-06.json", '[\n  {"user": "U1", "ts": "1778058000.0"\n')
    write(folder / "random" / "2026-06-02.json", '[{"user": "U1", "text": "<@U2>"}, {"ts": "1780387200.0", "text": "who?"}]')
    return folder


def test_malformed_files_and_messages_name_the_file(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    folder = broken_export(tmp_path)
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "slack", folder)
    message = str(caught.value)
    assert f"{folder / 'general' / '2026-05-06.json'}:3: not valid JSON" in message
    assert f"{folder / 'random' / '2026-06-02.json'}: message 1: missing ts" in message
    assert f"{folder / 'random' / '2026-06-02.json'}: message 2: missing user" in message
    assert store.counts()["ties"] == 0
    with pytest.raises(IngestError, match=r"export\.zip/general/2026-05-06\.json:3: not valid JSON"):
        ingest_path(store, "slack", zipped(folder, tmp_path / "export.zip"))


def test_skip_bad_rows_sets_problems_aside_and_ingests_the_rest(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    folder = broken_export(tmp_path)
    report = ingest_path(store, "slack", folder, IngestOptions(skip_bad_rows=True))
    assert report.rejects == 3
    assert (tmp_path / "export.rejects.csv").read_text(encoding="utf-8").count("\n") == 4
    assert tie_table(store) == EXPECTED


def test_a_folder_without_users_json_is_not_an_export(store, tmp_path):
    (tmp_path / "general").mkdir()
    write(tmp_path / "general" / "2026-05-04.json", "[]")
    with pytest.raises(IngestError, match=r"no users\.json found"):
        ingest_path(store, "slack", tmp_path / "general")
