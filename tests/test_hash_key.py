"""The hashing key: follower ids, Message-IDs and event UIDs keyed with a secret outside the store.

The attack of the issue (hash candidate ids with what the database file holds, compare with the stored hashes) is
run here against the real SQLite file, with the true ids among the candidates, and must find nothing; the same
candidates under the key find every one, so the attack itself is sound.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import sqlite3
import stat
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLES, database_bytes, write

from orgnet.errors import OrgnetError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.email import message_key
from orgnet.ingest.ics_events import event_key
from orgnet.ingest.pipeline import ingest_path
from orgnet.privacy import HASH_KEY_ENV, PSEUDONYM_KEY_ENV, HashKey, Pseudonymiser, load_hash_key
from orgnet.reach import brand_overlap, reach_summary
from orgnet.settings import HASH_KEY_FILE_ENV, load_settings
from orgnet.store import SETTING_FOLLOWER_SALT, SETTING_HASH_KEY
from orgnet.store.sqlite import SQLiteStore

KEY = "the organisation's hashing key, kept in a vault"
OTHER_KEY = "somebody else's hashing key entirely"


@pytest.fixture(autouse=True)
def no_key(monkeypatch, tmp_path):
    """No hashing key from the caller's shell; a configuration folder of the test's own."""
    monkeypatch.delenv(HASH_KEY_ENV, raising=False)
    monkeypatch.delenv(HASH_KEY_FILE_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def _audiences(path: Path, accounts: dict[str, list[str]]) -> Path:
    """An audiences file: per account owner (a person id, or ``brand:NAME``), its follower ids on LinkedIn."""
    rows = ["person,owner_type,platform,follower_id"]
    for owner, followers in accounts.items():
        kind, name = ("brand", owner.removeprefix("brand:")) if owner.startswith("brand:") else ("person", owner)
        rows += [f"{name},{kind},linkedin,{follower}" for follower in followers]
    return write(path, "\n".join(rows) + "\n")


FOLLOWERS = {
    "E1": [f"user{i:05d}" for i in range(0, 600)],
    "E2": [f"user{i:05d}" for i in range(400, 1000)],
    "brand:Acme": [f"user{i:05d}" for i in range(900, 1500)],
}


def _file_contents(path: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """What someone holding the database file reads: every setting, and every table's text values by table."""
    with sqlite3.connect(path) as connection:
        settings = dict(connection.execute("SELECT name, value FROM setting").fetchall())
        hashes = {
            "follower": {row[0] for row in connection.execute("SELECT follower_hash FROM follower")},
            "message": {row[0] for row in connection.execute("SELECT key FROM message_key")},
            "calendar": {row[0] for row in connection.execute("SELECT key FROM calendar_event")},
        }
    return settings, hashes


def _enumerate(stored: set[str], candidates: list[str], secrets: list[str]) -> set[str]:
    """The candidates that some hash built from ``secrets`` (every value the file holds) and a candidate puts in ``stored``.

    Tried: the salted SHA-256 orgnet used before (salt first, id lower-cased), the salt after, and HMAC-SHA256 under
    each secret of the id alone and in each namespace orgnet hashes in, at the length of the stored hashes.
    """
    if not stored:
        return set()
    length = len(next(iter(stored)))
    found = set()
    for secret in [*secrets, ""]:
        salt = secret.encode()
        for candidate in candidates:
            for text in {candidate, candidate.strip().lower()}:
                value = text.encode()
                digests = [hashlib.sha256(salt + value).hexdigest(), hashlib.sha256(value + salt).hexdigest()]
                digests += [hmac.new(salt, prefix + value, hashlib.sha256).hexdigest() for prefix in (b"", b"follower:", b"message:")]
                if any(digest[:length] in stored for digest in digests):
                    found.add(candidate)
    return found


def test_the_enumeration_attack_finds_no_follower_without_the_key(tmp_path, roster_file, monkeypatch):
    monkeypatch.setenv(HASH_KEY_ENV, KEY)
    path = tmp_path / "orgnet.db"
    with SQLiteStore(path) as store:
        ingest_path(store, "roster", roster_file)
        ingest_path(store, "audiences", _audiences(tmp_path / "audiences.csv", FOLLOWERS))
    settings, hashes = _file_contents(path)
    true_ids = sorted({f for followers in FOLLOWERS.values() for f in followers})
    candidates = true_ids + [f"user{i:05d}" for i in range(1500, 5000)] + [f"USER{i:05d}" for i in range(0, 1500, 7)]
    assert len(hashes["follower"]) == len(true_ids) == 1500
    assert _enumerate(hashes["follower"], candidates, list(settings.values())) == set()
    # The key is nowhere in the file; with it, the same candidates give back every follower.
    assert KEY.encode() not in database_bytes(tmp_path)
    assert set(HashKey(KEY).followers(pd.Series(candidates))) & hashes["follower"] == hashes["follower"]
    assert settings[SETTING_HASH_KEY] == HashKey(KEY).fingerprint and SETTING_FOLLOWER_SALT not in settings


def test_the_enumeration_attack_finds_no_message_id_or_event_uid_without_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv(HASH_KEY_ENV, KEY)
    path = tmp_path / "orgnet.db"
    with SQLiteStore(path) as store:
        ingest_path(store, "roster", SAMPLES / "roster.csv")
        ingest_path(store, "email", SAMPLES / "email")
        ingest_path(store, "ics", SAMPLES / "calendar")
    settings, hashes = _file_contents(path)
    mail = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted((SAMPLES / "email").rglob("*")) if p.is_file())
    message_ids = sorted(set(re.findall(r"^Message-ID:\s*<([^>]+)>", mail, flags=re.MULTILINE | re.IGNORECASE)))
    calendars = "\n".join(p.read_text(encoding="utf-8") for p in sorted((SAMPLES / "calendar").rglob("*.ics")))
    uids = sorted(set(re.findall(r"^UID:(\S+)", calendars, flags=re.MULTILINE)))
    assert len(hashes["message"]) > 100 and len(hashes["calendar"]) > 10
    assert _enumerate(hashes["message"], message_ids, list(settings.values())) == set()
    # An event's key hashes its UID with its RECURRENCE-ID: the masters' and single events' have none.
    salted_events = {
        hmac.new(s.encode(), f"calendar\0{uid}\0".encode(), hashlib.sha256).hexdigest() for s in [*settings.values(), ""] for uid in uids
    }
    assert salted_events.isdisjoint(hashes["calendar"])
    key = HashKey(KEY)
    assert {message_key(m, key) for m in message_ids} >= hashes["message"]
    assert {event_key(uid, None, key) for uid in uids} & hashes["calendar"]


def test_unions_are_exact_across_ingests_and_spellings(tmp_path, roster_file, monkeypatch):
    monkeypatch.setenv(HASH_KEY_ENV, KEY)
    with SQLiteStore(tmp_path / "orgnet.db") as store:
        ingest_path(store, "roster", roster_file)
        ingest_path(store, "audiences", _audiences(tmp_path / "people.csv", {"E1": FOLLOWERS["E1"], "E2": FOLLOWERS["E2"]}))
        # The brand's list comes later, in another file, with other spellings of the same ids.
        brand = [f"  {f.upper()} " for f in FOLLOWERS["brand:Acme"]]
        ingest_path(store, "audiences", _audiences(tmp_path / "brand.csv", {"brand:Acme": brand}))
        audiences, followers = store.audiences(), store.followers()
    # Counted from the raw ids: 0..999 for the people, 900..1499 for the brand.
    people = reach_summary(audiences, followers).set_index("platform")
    assert people.loc["all", "unique_followers"] == 1000 and people.loc["all", "overlap"] == 200
    overlap = brand_overlap(audiences, followers).set_index("platform").loc["all"]
    assert (overlap["employees_unique"], overlap["brand_unique"], overlap["union"], overlap["overlap"]) == (1000, 600, 1500, 100)


def test_the_hashes_do_not_depend_on_pseudonymisation(tmp_path, roster_file, monkeypatch):
    monkeypatch.setenv(HASH_KEY_ENV, KEY)
    monkeypatch.setenv(PSEUDONYM_KEY_ENV, "the pseudonym key, long enough")
    audiences = _audiences(tmp_path / "audiences.csv", FOLLOWERS)
    hashes = {}
    for pseudonymise in (False, True):
        path = tmp_path / f"store-{pseudonymise}.db"
        with SQLiteStore(path) as store:
            ingest_path(store, "roster", roster_file, IngestOptions(pseudonymise=pseudonymise))
            ingest_path(store, "audiences", audiences, IngestOptions(pseudonymise=pseudonymise))
            followers = store.followers()
        owners = set(followers["owner"]) - {"Acme"}
        assert owners == (
            {Pseudonymiser("the pseudonym key, long enough").pseudonym(p) for p in ("E1", "E2")} if pseudonymise else {"E1", "E2"}
        )
        settings, stored = _file_contents(path)
        assert _enumerate(stored["follower"], [f"user{i:05d}" for i in range(1500)], list(settings.values())) == set()
        hashes[pseudonymise] = stored["follower"]
    # Followers are not people of the organisation: their hashes are the hashing key's, pseudonymised or not.
    assert hashes[True] == hashes[False]


def test_another_key_or_none_is_refused_and_nothing_is_written(tmp_path, roster_file, monkeypatch):
    monkeypatch.setenv(HASH_KEY_ENV, KEY)
    with SQLiteStore(tmp_path / "orgnet.db") as store:
        ingest_path(store, "roster", roster_file)
        ingest_path(store, "audiences", _audiences(tmp_path / "first.csv", {"E1": FOLLOWERS["E1"]}))
        second = _audiences(tmp_path / "second.csv", {"E2": FOLLOWERS["E2"]})
        monkeypatch.setenv(HASH_KEY_ENV, OTHER_KEY)
        with pytest.raises(OrgnetError, match=f"hashed with another key \\(fingerprint {HashKey(KEY).fingerprint}.*{HASH_KEY_ENV}"):
            ingest_path(store, "audiences", second)
        # No key at all: the key file is not made for a store that already has hashes; the message says what to set.
        monkeypatch.delenv(HASH_KEY_ENV)
        with pytest.raises(OrgnetError, match=f"fingerprint {HashKey(KEY).fingerprint}; no hashing key: set {HASH_KEY_ENV}"):
            ingest_path(store, "email", SAMPLES / "email")
        assert not (tmp_path / "config" / "orgnet" / "hash.key").exists()
        assert store.counts()["followers"] == 600 and len(store.ingests()) == 2
        # The right key again: the store takes the second file.
        monkeypatch.setenv(HASH_KEY_ENV, KEY)
        ingest_path(store, "audiences", second)
        assert store.counts()["followers"] == 1200


def test_without_a_key_a_private_key_file_is_made_once_and_kept(tmp_path, roster_file):
    key_file = tmp_path / "config" / "orgnet" / "hash.key"
    with SQLiteStore(tmp_path / "orgnet.db") as store:
        ingest_path(store, "roster", roster_file)
        # An ingest that hashes nothing needs no key.
        assert not key_file.exists()
        report = ingest_path(store, "audiences", _audiences(tmp_path / "audiences.csv", FOLLOWERS))
        assert any(f"made the hashing key {key_file}" in note for note in report.notes)
        hashes = set(store.followers()["follower_hash"])
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    secret = key_file.read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"[0-9a-f]{64}", secret) and secret.encode() not in database_bytes(tmp_path)
    assert set(HashKey(secret).followers(pd.Series([f for fs in FOLLOWERS.values() for f in fs]))) == hashes
    # A second store on the same machine uses the same key, so its hashes join the first's; no second file is made.
    other = tmp_path / "other"
    other.mkdir()
    with SQLiteStore(other / "orgnet.db") as store:
        ingest_path(store, "roster", roster_file)
        report = ingest_path(store, "audiences", _audiences(tmp_path / "audiences.csv", FOLLOWERS))
        assert set(store.followers()["follower_hash"]) == hashes and not any("made the hashing key" in n for n in report.notes)
    assert [p.name for p in key_file.parent.iterdir()] == ["hash.key"]


def test_the_key_variable_wins_and_a_named_key_file_must_exist(tmp_path):
    named = write(tmp_path / "vault.key", "  a key from the vault, sixteen+\n")
    key, created = load_hash_key(settings=load_settings(hash_key_file=named))
    assert created is None and key.fingerprint == HashKey("a key from the vault, sixteen+").fingerprint and key.origin == str(named)
    key, _ = load_hash_key(settings=load_settings(hash_key=KEY, hash_key_file=named))
    assert key.fingerprint == HashKey(KEY).fingerprint
    with pytest.raises(OrgnetError, match=f"no hashing key: set {HASH_KEY_ENV}, or {HASH_KEY_FILE_ENV}.*missing.key does not exist"):
        load_hash_key(settings=load_settings(hash_key_file=tmp_path / "missing.key"))
    with pytest.raises(OrgnetError, match="at least 16 characters"):
        load_hash_key(settings=load_settings(hash_key="short"))
    assert not (tmp_path / "missing.key").exists()


def test_a_store_salted_by_an_earlier_orgnet_is_refused_with_the_way_out(tmp_path, roster_file, monkeypatch):
    monkeypatch.setenv(HASH_KEY_ENV, KEY)
    path = tmp_path / "orgnet.db"
    with SQLiteStore(path) as store:
        ingest_path(store, "roster", roster_file)
        ingest_path(store, "audiences", _audiences(tmp_path / "audiences.csv", {"E1": FOLLOWERS["E1"]}))
    # What an earlier orgnet left: its salt in the store, no key's fingerprint.
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM setting WHERE name = ?", (SETTING_HASH_KEY,))
        connection.execute("INSERT INTO setting VALUES (?, ?)", (SETTING_FOLLOWER_SALT, "0123456789abcdef0123456789abcdef"))
    with SQLiteStore(path) as store:
        with pytest.raises(OrgnetError, match=r"salt kept in the store itself.*cannot be keyed again.*into a new store \(--store NEW.db\)"):
            ingest_path(store, "audiences", _audiences(tmp_path / "more.csv", {"E2": FOLLOWERS["E2"]}))
        # What hashes nothing still ingests, and what the store holds stays readable.
        ingest_path(store, "engagement", Path(__file__).parent / "data" / "audiences" / "engagement.csv")
        assert store.counts()["followers"] == 600 and store.counts()["engagement"] == 3


def test_the_hmac_is_rfc_2104_and_pseudonyms_are_unchanged():
    for secret in ("sixteen chars ok", "k" * 64, "a key longer than one SHA-256 block, " * 3, "clé à accents, sûre"):
        key = HashKey(secret)
        for value in ("f-001", "ünïcödé@example", ""):
            assert key.digest("message", value) == hmac.new(secret.encode(), f"message:{value}".encode(), hashlib.sha256).hexdigest()
        assert (
            key.followers(pd.Series([" F-001 ", "f-001"])).tolist()
            == [hmac.new(secret.encode(), b"follower:f-001", hashlib.sha256).hexdigest()[:32]] * 2
        )
        pseudonymiser = Pseudonymiser(secret)
        assert pseudonymiser.pseudonym("E1") == "p_" + hmac.new(secret.encode(), b"person:E1", hashlib.sha256).hexdigest()[:20]
        identities = pseudonymiser.identities(pd.Series(["ann@acme.example", None]))
        assert identities[0] == "h_" + hmac.new(secret.encode(), b"identity:ann@acme.example", hashlib.sha256).hexdigest()[:20]
        assert pd.isna(identities[1])
    assert HashKey(KEY).fingerprint != Pseudonymiser(KEY).fingerprint


def test_a_key_file_that_cannot_be_made_is_a_clear_error(tmp_path, roster_file, monkeypatch):
    # The configuration folder is a file: no key file can be made in it.
    write(tmp_path / "config", "not a folder")
    with SQLiteStore(tmp_path / "orgnet.db") as store:
        ingest_path(store, "roster", roster_file)
        with pytest.raises(OrgnetError, match=f"cannot make the hashing key file .*: set {HASH_KEY_ENV}, or {HASH_KEY_FILE_ENV}"):
            ingest_path(store, "audiences", _audiences(tmp_path / "audiences.csv", FOLLOWERS))
        assert store.counts()["followers"] == 0
