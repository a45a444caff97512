"""Slack export ingester: hand-computed ties from tiny exports, zip and folder alike, every subtype, no text kept.

Also who is who without e-mails (Slack ids, handles, display names), and
hostile exports: each refused with the file, the message's position and the
reason, the store unchanged and no traceback, in Python and on the CLI.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLES, database_bytes, tie_table, write
from test_ingest_archives import member, raw_zip, space_bomb

from orgnet.errors import IngestError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.pipeline import ingest_path
from orgnet.ingest.slack import MAX_PROBLEMS
from orgnet.privacy import PSEUDONYM_KEY_ENV, Pseudonymiser

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
    # Seven people (the deploy bot is no user), one of them (the deleted U7) without an e-mail.
    assert (counts["users"], counts["bot_users"], counts["users_without_email"], counts["bot_messages"]) == (7, 1, 1, 1)
    assert (counts["messages"], counts["thread_replies"], counts["mentions"], counts["reactions"]) == (8, 3, 6, 3)
    # The deleted user, whom nothing identifies, mentioned Ann: dropped and counted.
    assert counts["events_without_identity"] == 1
    assert counts["users_matched_by_email"] == 4
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


T0 = 1777885200  # 2026-05-04T09:00:00Z


def ts(seconds: int) -> str:
    """A Slack ``ts`` ``seconds`` after :data:`T0`."""
    return f"{T0 + seconds}.000100"


def write_export(folder: Path, users: list, days: dict[str, list]) -> Path:
    """An unpacked export: ``users.json`` and one ``<conversation>/<day>.json`` per entry of ``days``."""
    folder.mkdir(parents=True)
    write(folder / "users.json", json.dumps(users))
    for name, messages in days.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        write(folder / name, json.dumps(messages))
    return folder


def person(user: str, name: str, email: str | None = None, **profile: str) -> dict:
    """A users.json record."""
    return {"id": user, "name": name, "profile": ({"email": email} if email else {}) | profile}


SUBTYPE_USERS = [
    person("U1", "ann", "ann@acme.example"),
    person("U2", "bob", "bob@acme.example"),
    person("U3", "cy", "cy@acme.example"),
    person("U4", "di", "di@acme.example"),
    {"id": "UB", "name": "deploybot", "is_bot": True, "profile": {"bot_id": "B1"}},
    # Real exports mark Slackbot is_bot false: its id alone makes it a bot.
    {"id": "USLACKBOT", "name": "slackbot", "is_bot": False, "profile": {"real_name": "Slackbot"}},
]
SUBTYPE_MESSAGES = [
    # 1: Ann's thread; mentions Bob; Cy and the bot react.
    {"user": "U1", "ts": ts(0), "thread_ts": ts(0), "text": "plan for <@U2>", "reactions": [{"name": "+1", "users": ["U3", "UB"]}]},
    # 2: Cy's reply, also sent to the channel; its parent is found through root.user; mentions Di.
    {"subtype": "thread_broadcast", "user": "U3", "ts": ts(60), "thread_ts": ts(0), "root": {"user": "U1"}, "text": "done <@U4>"},
    # 3-8: notices Slack writes, their generated <@...> no mention, their reactions no tie.
    {"subtype": "channel_join", "user": "U4", "ts": ts(120), "text": "<@U4|di> has joined", "reactions": [{"users": ["U1"]}]},
    {"subtype": "channel_topic", "user": "U2", "ts": ts(130), "text": "<@U2> set the channel topic: ask <@U1>"},
    {"subtype": "channel_purpose", "user": "U2", "ts": ts(140), "text": "<@U2> set the channel purpose"},
    {"subtype": "channel_name", "user": "U2", "ts": ts(150), "text": "<@U2> renamed the channel"},
    {"subtype": "channel_archive", "user": "U2", "ts": ts(160), "text": "<@U2> archived the channel", "members": ["U1"]},
    {"subtype": "channel_leave", "user": "U3", "ts": ts(170), "text": "<@U3> has left"},
    # 9: a /me message: Di mentions Bob.
    {"subtype": "me_message", "user": "U4", "ts": ts(300), "text": "waves at <@U2>"},
    # 10: Bob shares a file; Cy reacts, and so does Bob himself.
    {"subtype": "file_share", "user": "U2", "ts": ts(360), "text": "the deck", "reactions": [{"name": "eyes", "users": ["U3", "U2"]}]},
    # 11: an edit notice, holding a copy of a message: not read.
    {"subtype": "message_changed", "hidden": True, "ts": ts(420), "message": {"user": "U1", "text": "<@U3>"}},
    # 12-14: an integration, Slackbot and a bot user write.
    {"subtype": "bot_message", "bot_id": "B1", "ts": ts(430), "text": "<@U1> deployed"},
    {"user": "USLACKBOT", "ts": ts(440), "text": "reminder: <@U2>"},
    {"user": "UB", "ts": ts(480), "thread_ts": ts(480), "text": "<@U3> build failed"},
    # 15-16: Cy replies to the bot's thread; Ann mentions the bot: interactions with a bot.
    {"user": "U3", "ts": ts(490), "thread_ts": ts(480), "parent_user_id": "UB", "text": "on it"},
    {"user": "U1", "ts": ts(500), "text": "<@UB> deploy"},
    # 17: an old file comment: Bob comments on Ann's file (the generated text names both: no mention).
    {
        "subtype": "file_comment",
        "ts": ts(600),
        "text": "<@U2|bob> commented on <@U1|ann>'s file SECRET-FILE: nice <@U3>",
        "file": {"id": "F1", "user": "U1", "name": "SECRET-FILE.pdf"},
        "comment": {"id": "Fc1", "user": "U2", "comment": "nice <@U3>"},
    },
    # 18: Ann comments on her own file; 19: a comment on a file whose owner the export lost.
    {"subtype": "file_comment", "ts": ts(610), "file": {"user": "U1"}, "comment": {"user": "U1"}},
    {"subtype": "file_comment", "ts": ts(620), "file": {"id": "F2"}, "comment": {"user": "U3"}},
    # 20-23: a subtype Slack does not document, the old copy of a broadcast reply, a pin, a reminder.
    {"subtype": "huddle_thread", "user": "U4", "ts": ts(700), "text": "<@U1>"},
    {"subtype": "reply_broadcast", "user": "U4", "ts": ts(710), "text": "<@U1>"},
    {"subtype": "pinned_item", "user": "U1", "ts": ts(720), "text": "<@U1> pinned a message"},
    {"subtype": "reminder_add", "user": "U2", "ts": ts(730), "text": "set up a reminder"},
]


def test_every_subtype_is_read_or_skipped_and_counted(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    export = write_export(tmp_path / "export", SUBTYPE_USERS, {"general/2026-05-04.json": SUBTYPE_MESSAGES})
    report = ingest_path(store, "slack", export)
    # By hand: 12 interactions (2 replies, 4 mentions, 4 reactions, 2 file comments), less Bob's reaction to his own
    # file and Ann's comment on her own, less the bot's reaction, Cy's reply to the bot and Ann's mention of it.
    assert tie_table(store) == {
        ("E1", "E2", "2026-05", "chat"): (1, 1.0),  # 1: mention
        ("E3", "E1", "2026-05", "chat"): (2, 2.0),  # 1: reaction, 2: broadcast reply
        ("E3", "E4", "2026-05", "chat"): (1, 1.0),  # 2: mention
        ("E4", "E2", "2026-05", "chat"): (1, 1.0),  # 9: /me mention
        ("E3", "E2", "2026-05", "chat"): (1, 1.0),  # 10: reaction to a shared file
        ("E2", "E1", "2026-05", "chat"): (1, 1.0),  # 17: file comment
    }
    counts = report.counts
    assert (counts["users"], counts["bot_users"], counts["messages"], counts["bot_messages"]) == (4, 2, 9, 3)
    assert (counts["file_comments"], counts["file_comments_without_owner"]) == (3, 1)
    assert (counts["thread_replies"], counts["thread_parents_missing"], counts["mentions"], counts["reactions"]) == (2, 0, 4, 4)
    assert (counts["events_with_oneself"], counts["events_with_bots"], counts["events_without_identity"]) == (2, 3, 0)
    assert counts["interactions"] == 7
    skipped = {name: value for name, value in counts.items() if name.startswith("skipped_")}
    assert skipped == {
        f"skipped_{subtype}": 1
        for subtype in (
            "channel_archive",
            "channel_join",
            "channel_leave",
            "channel_name",
            "channel_purpose",
            "channel_topic",
            "message_changed",
            "pinned_item",
            "reminder_add",
            "reply_broadcast",
            "other_subtypes",
        )
    }
    assert report.notes == ["skipped messages of subtypes Slack does not document: 'huddle_thread'"]
    store.close()
    assert b"SECRET-FILE" not in database_bytes(tmp_path)


ALIAS_ROSTER = """person_id,name,email,aliases,slack_id
E1,Ann Lee,ann@acme.example,,U1
E2,Bob Roy,bob@acme.example,@bobby,
E3,Cy Tan,cy@acme.example,Cy the Great,
E4,Di Fox,di@acme.example,W4,
E5,Sam One,sam@acme.example,Sam,
E6,Eve Old,eve@acme.example,,U7
E7,Zed Zhu,zed@acme.example,,U10
"""
ALIAS_USERS = [
    person("U1", "ann"),  # by the roster's slack_id
    person("U2", "bobby"),  # by handle, as the roster writes it (@bobby)
    person("U3", "cyt", display_name="Cy the Great"),  # by display name
    person("W4", "di"),  # by an enterprise id among the aliases
    person("U5", "sam1", display_name="Sam"),  # two users display as Sam: neither is E5
    person("U6", "sam2", display_name="Sam"),
    person("U7", "eve", "eve.old@acme.example"),  # an e-mail the roster lacks; the id places her
    person("U8", "ghost", "ghost@acme.example"),  # nothing places him: reported by e-mail
]
ALIAS_MESSAGES = [
    {"user": "U1", "ts": ts(0), "text": "<@U2> <@U3>"},
    {"user": "W4", "ts": ts(10), "text": "<@U1>"},
    {"user": "U5", "ts": ts(20), "text": "<@U1>"},
    {"user": "U6", "ts": ts(30), "text": "<@U1>"},
    {"user": "U7", "ts": ts(40), "text": "<@U2>"},
    {"user": "U8", "ts": ts(50), "text": "<@U1>"},
    # U10 has no users.json record (another workspace's user); the roster knows the id.
    {"user": "U1", "ts": ts(60), "text": "<@U10>"},
]
ALIAS_TIES = [("E1", "E2"), ("E1", "E3"), ("E4", "E1"), ("E6", "E2"), ("E1", "E7")]


def alias_export(tmp_path: Path) -> tuple[Path, Path]:
    roster = write(tmp_path / "roster.csv", ALIAS_ROSTER)
    return roster, write_export(tmp_path / "export", ALIAS_USERS, {"dm/2026-05-04.json": ALIAS_MESSAGES})


def test_users_without_email_are_placed_by_slack_id_handle_or_display_name(store, tmp_path):
    roster, export = alias_export(tmp_path)
    ingest_path(store, "roster", roster)
    report = ingest_path(store, "slack", export)
    assert tie_table(store) == {(source, target, "2026-05", "chat"): (1, 1.0) for source, target in ALIAS_TIES}
    counts = report.counts
    assert (counts["users"], counts["users_without_email"]) == (8, 6)
    matched = {route: counts[f"users_matched_by_{route}"] for route in ("email", "id", "handle", "display_name")}
    assert matched == {"email": 0, "id": 4, "handle": 1, "display_name": 1}
    # The two Sams' mentions of Ann; the ghost's is an interaction with an unknown internal address.
    assert counts["events_without_identity"] == 2
    assert (counts["interactions"], report.unknown_internal) == (6, {"ghost@acme.example": 1})


def test_the_roster_slack_id_is_an_identity_not_an_attribute(store, tmp_path):
    roster, _ = alias_export(tmp_path)
    ingest_path(store, "roster", roster)
    identities = dict(zip(store.identities()["identity"], store.identities()["person_id"]))
    assert (identities["u1"], identities["u7"], identities["u10"]) == ("E1", "E6", "E7")
    assert "slack_id" not in store.people().columns


def test_pseudonymised_slack_ids_place_the_same_people(store, tmp_path, monkeypatch):
    key = "slack-test-key-0123456789"
    monkeypatch.setenv(PSEUDONYM_KEY_ENV, key)
    roster, export = alias_export(tmp_path)
    options = IngestOptions(pseudonymise=True)
    ingest_path(store, "roster", roster, options)
    ingest_path(store, "slack", export, options)
    alias = Pseudonymiser(key).pseudonym
    assert tie_table(store) == {(alias(source), alias(target), "2026-05", "chat"): (1, 1.0) for source, target in ALIAS_TIES}


def test_the_samples_give_their_truths(store, truths):
    ingest_path(store, "roster", SAMPLES / "roster.csv")
    counts = ingest_path(store, "slack", SAMPLES / "slack").counts
    slack = truths["slack"]
    assert (counts["users"], counts["bot_users"], counts["files"]) == (slack["users"], slack["bots"], slack["files"])
    assert (counts["mentions"], counts["thread_replies"], counts["reactions"]) == (
        slack["mentions"],
        slack["thread_replies"],
        slack["reactions"],
    )
    skipped = sum(value for name, value in counts.items() if name.startswith("skipped_"))
    assert counts["messages"] + counts["bot_messages"] + skipped == slack["messages"]
    # Every sample user has an e-mail the roster knows.
    assert counts["users_matched_by_email"] == slack["users"] and counts["events_without_identity"] == 0


USERS = [person("U1", "ann", "ann@acme.example"), person("U2", "bob", "bob@acme.example")]
DAY = "general/2026-05-04.json"
GOOD_DAY = json.dumps([{"user": "U1", "ts": ts(0), "text": "<@U2>"}])


#: Exports that differ from a good one in one file: case -> (that file, its content, the problem it is refused with).
BAD_FILES = {
    "profile is a string": (
        "users.json",
        json.dumps([*USERS, {"id": "U3", "profile": "cy@acme.example"}]),
        "users.json: user 3: profile is not a JSON object",
    ),
    "users.json is not a list": ("users.json", json.dumps({"U1": USERS[0]}), "users.json: expected a list of users"),
    "a message is a list": (DAY, json.dumps([["U1", ts(0)]]), f"{DAY}: message 1: not a JSON object"),
    "a user is an object": (DAY, json.dumps([{"user": {"id": "U1"}, "ts": ts(0)}]), f"{DAY}: message 1: user is not text"),
    "reactions are a number": (DAY, json.dumps([{"user": "U1", "ts": ts(0), "reactions": 5}]), f"{DAY}: message 1: reactions are not"),
    # Kept to the end of the ingest (and an e-mail into the report), a megabyte-long id or address is refused.
    "a user id of a megabyte": (DAY, json.dumps([{"user": "U" * 2**20, "ts": ts(0)}]), f"{DAY}: message 1: a user id or thread_ts of"),
    "an e-mail of a megabyte": (
        "users.json",
        json.dumps([*USERS, person("U3", "cy", "cy" * 2**19 + "@acme.example")]),
        "users.json: user 3: an e-mail address of more than 254 characters",
    ),
    "ts of 1e300": (DAY, json.dumps([{"user": "U1", "ts": "1e300"}]), f"{DAY}: message 1: ts '1e300' is outside the accepted dates"),
    "not UTF-8": (DAY, b'[\n{"user": "U1", "text": "caf\xe9"}]', f"{DAY}:2: not UTF-8 text (byte 0xe9)"),
    "nested a million deep": (DAY, "[" * 1_000_000 + "]" * 1_000_000, f"{DAY}: not a Slack export file: JSON nested too deeply"),
    "an integer of 5,000 digits": (DAY, '[{"user": "U1", "ts": ' + "9" * 5000 + "}]", f"{DAY}: not valid JSON (Exceeds the limit"),
}
BAD_ZIPS = ["a truncated zip", "not a zip", "a member escapes", "a 1 GiB bomb", "a day file of 2 GiB of whitespace"]
HOSTILE = [*BAD_FILES, *BAD_ZIPS]


def hostile(tmp_path: Path, case: str) -> tuple[Path, str]:
    """The export of ``case`` (a folder for :data:`BAD_FILES`, a zip for :data:`BAD_ZIPS`) and the start of its problem."""
    files: dict[str, str | bytes] = {"users.json": json.dumps(USERS), DAY: GOOD_DAY}
    if case in BAD_FILES:
        bad, content, reason = BAD_FILES[case]
        folder = tmp_path / "export"
        for name, data in {**files, bad: content}.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())
        return folder, f"{folder}/{reason}"
    path = tmp_path / "export.zip"
    good = [member(name, str(content).encode()) for name, content in files.items()]
    limit = "expands to more than 512 MiB, the most one file of an export may hold"
    if case == "a truncated zip":
        path.write_bytes(raw_zip(tmp_path / "whole.zip", good).read_bytes()[:-30])
        return path, f"{path}: not a zip file, or a truncated one (File is not a zip file)"
    if case == "not a zip":
        path.write_bytes(b"\x00garbage" * 100)
        return path, f"{path}: not a zip file, or a truncated one (File is not a zip file)"
    if case == "a member escapes":
        raw_zip(path, [*good, member("../../general/2026-05-05.json", GOOD_DAY.encode())])
        return path, f"{path}: member '../../general/2026-05-05.json' points outside the archive: refused"
    if case == "a 1 GiB bomb":
        raw_zip(path, [*good, ("general/2026-05-05.json", *space_bomb(1))])
        return path, f"{path}/general/2026-05-05.json: {limit}"
    assert case == "a day file of 2 GiB of whitespace"
    raw_zip(path, [good[0], (DAY, *space_bomb(2))])
    return path, f"{path}/{DAY}: {limit}"


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_export_is_refused_naming_file_and_position(store, roster_file, tmp_path, case):
    ingest_path(store, "roster", roster_file)
    before = (store.counts(), len(store.ingests()))
    path, reason = hostile(tmp_path, case)
    with pytest.raises(IngestError) as raised:
        ingest_path(store, "slack", path)
    assert str(raised.value.problems[0]).startswith(reason)
    assert (store.counts(), len(store.ingests())) == before


# One case of each layer (a user record, a message, the JSON parser, the zip, its limits): each is a process to start.
@pytest.mark.parametrize("case", ["profile is a string", "a message is a list", "nested a million deep", "a truncated zip", "a 1 GiB bomb"])
def test_the_cli_refuses_a_hostile_export_without_traceback(tmp_path, case):
    path, reason = hostile(tmp_path, case)
    process = subprocess.run(
        [sys.executable, "-m", "orgnet", "ingest", "slack", str(path), "--store", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
    )
    assert process.returncode == 1
    assert "Traceback" not in process.stderr
    assert reason in process.stderr.replace("\n", "")


def test_an_export_of_countless_bad_messages_is_refused_whole(store, roster_file, tmp_path):
    # Each bad message is a problem kept in memory: past MAX_PROBLEMS the export is refused instead of listed.
    ingest_path(store, "roster", roster_file)
    export = write_export(tmp_path / "export", USERS, {DAY: [{}] * (MAX_PROBLEMS + 5)})
    with pytest.raises(IngestError) as raised:
        ingest_path(store, "slack", export, IngestOptions(skip_bad_rows=True))
    assert str(raised.value.problems[0]) == f"{export}/{DAY}: more than 10,000 bad messages: not a Slack export"
    assert store.counts()["ties"] == 0


def test_undocumented_subtypes_are_named_briefly(store, roster_file, tmp_path):
    # Their names come from the file: a note names ten, each cut to 40 characters.
    ingest_path(store, "roster", roster_file)
    subtypes = ["y" * 100, *(f"x{k}" for k in range(11))]
    messages = [{"subtype": subtype, "user": "U1", "ts": ts(k)} for k, subtype in enumerate(subtypes)]
    report = ingest_path(store, "slack", write_export(tmp_path / "export", USERS, {DAY: messages}))
    assert report.counts["skipped_other_subtypes"] == 12
    named = ", ".join(repr(name) for name in ["y" * 40, *(f"x{k}" for k in range(9))])
    assert report.notes == [f"skipped messages of subtypes Slack does not document: {named} and 2 more"]
