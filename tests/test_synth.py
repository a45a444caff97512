"""The synthetic organisation: determinism, the planted truths on the raw files, benchmark frames.

The raw sources are parsed here with pandas and the standard library, not with
orgnet's ingesters, so that these tests check the data itself.
"""

from __future__ import annotations

import hashlib
import json
import mailbox
import re
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from icalendar import Calendar

from orgnet.model import AUDIENCE_COLUMNS, CORE_PERSON_FIELDS, ENGAGEMENT_COLUMNS, FOLLOWER_COLUMNS, TIE_COLUMNS
from orgnet.synth import benchmark_org, main, write_interactions_csv, write_roster_csv

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


#: Files left in the output folder before the generation in :func:`fresh`: the package's own file and two of an older layout.
LEFT_BEFORE = {
    "__init__.py": '"""Not generated."""\n',
    "slack/general/2026-05-04.json": "[]\n",
    "email/maildir/cur/1.M1P7.acme:2,S": "From: x\n\n",
}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A fresh generation with the default seed, through the command line, over the files of :data:`LEFT_BEFORE`."""
    out = tmp_path_factory.mktemp("samples")
    for name, text in LEFT_BEFORE.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    assert main(["samples", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def truths(fresh: Path) -> dict:
    return json.loads((fresh / "truths.json").read_text())


@pytest.fixture(scope="module")
def roster(fresh: Path) -> pd.DataFrame:
    return pd.read_csv(fresh / "roster.csv", dtype=str, keep_default_na=False)


def _hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every sample file; the ``__init__.py`` that makes the folder the ``orgnet.samples`` package is not one."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "__init__.py" and "__pycache__" not in p.parts
    }


def test_committed_samples_are_a_fresh_generation(fresh: Path) -> None:
    committed, generated = _hashes(SAMPLES), _hashes(fresh)
    assert committed.keys() == generated.keys()
    changed = [name for name in committed if committed[name] != generated[name]]
    assert not changed, f"regenerate with python -m orgnet.synth samples --out data/samples: {changed[:5]}"


def test_a_regeneration_keeps_the_package_file_and_drops_older_ones(fresh: Path) -> None:
    assert (fresh / "__init__.py").read_text() == LEFT_BEFORE["__init__.py"]
    assert not any((fresh / name).exists() for name in LEFT_BEFORE if name != "__init__.py")


def test_samples_stay_small(fresh: Path) -> None:
    """Small enough to travel in the wheel as package data: about 1.4 MB in about 360 files."""
    sizes = {str(p.relative_to(fresh)): p.stat().st_size for p in fresh.rglob("*") if p.is_file()}
    assert sum(sizes.values()) < 1_500_000 and len(sizes) < 400
    assert max(sizes.values()) < 400_000


# --------------------------------------------------------------------------- raw ties from every source


def _identity_map(roster: pd.DataFrame) -> dict[str, str]:
    names = {pid.lower(): pid for pid in roster["person_id"]}
    names.update(zip(roster["email"].str.lower(), roster["person_id"]))
    for pid, aliases in zip(roster["person_id"], roster["aliases"]):
        names.update((alias.strip().lower(), pid) for alias in aliases.split(";") if alias.strip())
    return names


def _person(names: dict[str, str], raw: str) -> str | None:
    inside = re.search(r"<([^<>]*)>\s*$", raw)
    return names.get((inside.group(1) if inside else raw).strip().lower().removeprefix("mailto:"))


@pytest.fixture(scope="module")
def mail(fresh: Path) -> dict[str, list]:
    """Messages of both mailboxes, by Message-ID."""
    seen: dict[str, list] = {}
    for box in (mailbox.mbox(fresh / "email" / "archive.mbox"), mailbox.Maildir(fresh / "email" / "maildir", create=False)):
        for message in box:
            seen.setdefault(message["Message-ID"], []).append(message)
    return seen


@pytest.fixture(scope="module")
def raw_ties(fresh: Path, roster: pd.DataFrame, mail: dict[str, list]) -> pd.DataFrame:
    """Directed ties (source, target, time, channel) from every source, cutoffs and declines applied."""
    names = _identity_map(roster)
    rows: list[tuple[str, str, pd.Timestamp, str]] = []

    def add(source: str | None, targets: list[str | None], time: pd.Timestamp, channel: str) -> None:
        rows.extend((source, t, time, channel) for t in targets if source and t and t != source)

    table = pd.read_csv(fresh / "interactions.csv", dtype=str, keep_default_na=False)
    for sender, recipients, stamp, channel in table[["sender", "recipients", "timestamp", "channel"]].itertuples(index=False):
        add(_person(names, sender), [_person(names, r) for r in recipients.split(";")], pd.Timestamp(stamp), channel)

    for copies in mail.values():
        message = copies[0]
        recipients = getaddresses(message.get_all("To", []) + message.get_all("Cc", []))
        if len(recipients) > 50:
            continue
        time = pd.Timestamp(parsedate_to_datetime(message["Date"])).tz_convert("UTC")
        add(_person(names, getaddresses([message["From"]])[0][1]), [_person(names, a) for _, a in recipients], time, "email")

    users = {
        u["id"]: names.get(u.get("profile", {}).get("email", "").lower()) for u in json.loads((fresh / "slack" / "users.json").read_text())
    }
    for month_file in sorted((fresh / "slack").glob("*/*.json")):
        for message in json.loads(month_file.read_text()):
            author, time = users[message["user"]], pd.Timestamp(float(message["ts"]), unit="s", tz="UTC")
            add(author, [users[u] for u in re.findall(r"<@(U\w+)>", message["text"])], time, "slack")
            if "parent_user_id" in message:
                add(author, [users[message["parent_user_id"]]], time, "slack")
            for reaction in message.get("reactions", []):
                for reactor in reaction["users"]:
                    add(users[reactor], [author], time, "slack")

    calendar = Calendar.from_ical((fresh / "calendar" / "meetings.ics").read_bytes())
    for event in calendar.walk("VEVENT"):
        attendees = event.get("attendee", [])
        attendees = attendees if isinstance(attendees, list) else [attendees]
        people = [_person(names, str(event["organizer"]))]
        people += [_person(names, str(a)) for a in attendees if a.params.get("PARTSTAT") != "DECLINED"]
        if len(attendees) + 1 > 25:
            continue
        time = pd.Timestamp(event["dtstart"].dt)
        for person in people:
            add(person, people, time, "meeting")

    viva = pd.read_csv(fresh / "viva" / "person_to_person.csv", dtype=str)
    for primary, secondary, day in viva[["PrimaryCollaborator_PersonId", "SecondaryCollaborator_PersonId", "MetricDate"]].itertuples(
        index=False
    ):
        add(primary, [secondary], pd.Timestamp(day, tz="UTC"), "viva")

    ties = pd.DataFrame(rows, columns=["source", "target", "time", "channel"])
    ties["period"] = ties["time"].dt.strftime("%Y-%m")
    department = roster.set_index("person_id")["department"]
    ties["source_dept"] = ties["source"].map(department)
    ties["target_dept"] = ties["target"].map(department)
    return ties


def _between(ties: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    pairs = ((ties["source_dept"] == a) & (ties["target_dept"] == b)) | ((ties["source_dept"] == b) & (ties["target_dept"] == a))
    return ties[pairs]


def test_every_source_yields_ties(raw_ties: pd.DataFrame) -> None:
    assert set(raw_ties["channel"]) == {"chat", "call", "collab", "email", "slack", "meeting", "viva"}
    assert raw_ties["source"].notna().all() and raw_ties["target"].notna().all()


def test_finance_and_design_talk_only_through_the_two_brokers(raw_ties: pd.DataFrame, truths: dict) -> None:
    cross = _between(raw_ties, "Finance", "Design")
    brokers = set(truths["brokers"]["people"])
    assert len(cross) > 50
    assert (cross["source"].isin(brokers) | cross["target"].isin(brokers)).all()
    assert brokers <= set(cross["source"]) | set(cross["target"])


def test_finance_and_legal_hang_on_one_person(raw_ties: pd.DataFrame, truths: dict) -> None:
    cross = _between(raw_ties, "Finance", "Legal")
    bridge = truths["fragile_bridge"]["person"]
    assert len(cross) > 20
    assert ((cross["source"] == bridge) | (cross["target"] == bridge)).all()


def test_legal_and_marketing_meet_from_august(raw_ties: pd.DataFrame, truths: dict) -> None:
    cross = _between(raw_ties, "Legal", "Marketing")
    assert cross["period"].min() == truths["silo_bridged"]["first_period"] == "2026-08"
    expected = {tuple(sorted(p)) for p in truths["silo_bridged"]["pairs"]}
    for period in ("2026-08", "2026-09", "2026-10"):
        month = cross[cross["period"] == period]
        assert {tuple(sorted(p)) for p in zip(month["source"], month["target"])} == expected


def test_operations_is_only_vertical(raw_ties: pd.DataFrame, roster: pd.DataFrame) -> None:
    manager = roster.set_index("person_id")["manager_id"]
    ops = raw_ties[(raw_ties["source_dept"] == "Operations") | (raw_ties["target_dept"] == "Operations")]
    vertical = (ops["source"].map(manager) == ops["target"]) | (ops["target"].map(manager) == ops["source"])
    assert len(ops) > 100 and vertical.all()


def test_the_network_grows_every_month(raw_ties: pd.DataFrame, truths: dict) -> None:
    pairs = raw_ties.assign(a=np.minimum(raw_ties["source"], raw_ties["target"]), b=np.maximum(raw_ties["source"], raw_ties["target"]))
    per_period = pairs.drop_duplicates(["period", "a", "b"]).groupby("period").size()
    assert per_period.to_dict() == truths["ties_per_period"]
    assert per_period.is_monotonic_increasing and per_period.is_unique
    directed = raw_ties.drop_duplicates(["period", "source", "target", "channel"]).groupby("period").size()
    assert directed.is_monotonic_increasing


def test_new_hires_are_silent_before_they_join(raw_ties: pd.DataFrame, truths: dict, fresh: Path) -> None:
    hires = {pid: pd.Timestamp(day, tz="UTC") for pid, day in truths["new_hires"].items()}
    assert len(hires) >= 10 and min(hires.values()) > pd.Timestamp("2026-05-01", tz="UTC")
    for column in ("source", "target"):
        joined = raw_ties[column].map(hires)
        assert not (raw_ties["time"] < joined).any()
    engagement = pd.read_csv(fresh / "engagement.csv", dtype=str)
    joined = engagement["person"].map(hires)
    assert not (pd.to_datetime(engagement["date"]).dt.tz_localize("UTC") < joined).any()


@pytest.fixture(scope="module")
def engagement(fresh: Path, roster: pd.DataFrame) -> pd.DataFrame:
    frame = pd.read_csv(fresh / "engagement.csv", dtype={"person": str})
    names = _identity_map(roster)
    frame["person"] = frame["person"].map(lambda raw: _person(names, raw))
    frame["period"] = frame["date"].str[:7]
    return frame


@pytest.fixture(scope="module")
def audiences(fresh: Path, roster: pd.DataFrame) -> pd.DataFrame:
    frame = pd.read_csv(fresh / "audiences.csv", dtype={"person": str, "follower_id": str})
    names = _identity_map(roster)
    persons = frame["owner_type"] == "person"
    frame.loc[persons, "person"] = frame.loc[persons, "person"].map(lambda raw: _person(names, raw))
    return frame


def test_advocates_rank_top_on_engagement_audience_and_centrality(raw_ties, engagement, audiences, truths) -> None:
    advocates = set(truths["advocates"])
    assert len(advocates) == 5
    actions = engagement.groupby("person").size()
    reach = audiences[audiences["owner_type"] == "person"].drop_duplicates(["person", "platform"]).groupby("person")["follower_count"].sum()
    degree = pd.concat([raw_ties[["source", "target"]], raw_ties[["target", "source"]].set_axis(["source", "target"], axis=1)])
    degree = degree.drop_duplicates().groupby("source").size()
    departments = raw_ties[["source", "target_dept"]].drop_duplicates().groupby("source").size()
    for score in (actions, reach, degree):
        assert set(score.nlargest(5).index) == advocates
    assert all(departments[a] >= 6 for a in advocates)
    every_month = engagement[engagement["person"].isin(advocates) & engagement["action"].isin(["share", "post"])]
    assert (every_month.groupby(["person", "period"]).size().unstack().reindex(columns=truths["periods"]) >= 5).all().all()


def test_advocate_audiences_overlap(audiences: pd.DataFrame, truths: dict) -> None:
    linkedin = audiences[(audiences["platform"] == "linkedin") & audiences["person"].isin(truths["advocates"])]
    assert linkedin["follower_id"].notna().all()
    assert linkedin["follower_id"].nunique() == truths["audiences"]["advocates_unique_linkedin_followers"]
    assert linkedin["follower_id"].nunique() < len(linkedin)


def test_emerging_advocates_rise_from_august(engagement: pd.DataFrame, truths: dict) -> None:
    for person in truths["emerging_advocates"]:
        monthly = engagement[engagement["person"] == person].groupby("period").size().reindex(truths["periods"], fill_value=0)
        assert monthly.iloc[:3].max() <= 1
        assert monthly.iloc[3] >= 3 and monthly.iloc[3] < monthly.iloc[4] < monthly.iloc[5]


def test_leaders_act_only_on_leader_led_campaigns(engagement: pd.DataFrame, truths: dict, roster: pd.DataFrame) -> None:
    managers = set(roster["manager_id"]) - {""}
    assert managers == set(truths["leaders"])
    by_leaders = engagement[engagement["person"].isin(managers)]
    led = {c["content_id"] for c in truths["engagement"]["campaigns"] if c["leader_led"]}
    assert len(led) == 6 and set(by_leaders["content_id"]) == led
    others = engagement[~engagement["person"].isin(managers) & engagement["content_id"].isin(led)]
    assert len(by_leaders) >= 100 and len(others) >= 30


# --------------------------------------------------------------------------- the counts ingesters will be held to


def test_roster_matches_truths(fresh: Path, roster: pd.DataFrame, truths: dict) -> None:
    assert len(roster) == truths["counts"]["people"] == 300
    assert roster["department"].value_counts().to_dict() == truths["departments"]
    assert (roster["manager_id"] == "").sum() == 1 and roster["manager_id"].replace("", None).dropna().isin(roster["person_id"]).all()
    assert roster["location"].nunique() == 4 and "level" in roster.columns
    excel = pd.read_excel(fresh / "roster.xlsx", dtype=str).fillna("")
    pd.testing.assert_frame_equal(excel, roster)


def test_email_counts(mail: dict[str, list], fresh: Path, truths: dict, roster: pd.DataFrame) -> None:
    email = truths["email"]
    assert len(mail) == email["unique_messages"]
    assert sum(len(copies) == 2 for copies in mail.values()) == email["duplicates"] > 0
    sizes = [len(getaddresses(c[0].get_all("To", []) + c[0].get_all("Cc", []))) for c in mail.values()]
    assert sum(size > 50 for size in sizes) == email["broadcasts"] >= 3
    addresses = [a.lower() for c in mail.values() for _, a in getaddresses(c[0].get_all("To", []) + c[0].get_all("Cc", []))]
    outside = {a for a in addresses if not a.endswith("@acme.example")}
    assert outside == set(email["external_addresses"])
    known = set(roster["email"]) | {a for aliases in roster["aliases"] for a in aliases.split(";")}
    unknown = pd.Series([a for a in addresses if a.endswith("@acme.example") and a not in known]).value_counts().to_dict()
    assert unknown == email["unknown_internal"]
    assert len(mailbox.mbox(fresh / "email" / "archive.mbox")) == email["mbox_messages"]
    assert len(mailbox.Maildir(fresh / "email" / "maildir", create=False)) == email["maildir_messages"]
    text = (fresh / "email" / "archive.mbox").read_text()
    assert "SECRET-BODY" in text and "SECRET-SUBJECT-1" in text


def test_calendar_and_slack_counts(fresh: Path, truths: dict) -> None:
    events = Calendar.from_ical((fresh / "calendar" / "meetings.ics").read_bytes()).walk("VEVENT")
    attendees = [e.get("attendee", []) for e in events]
    attendees = [a if isinstance(a, list) else [a] for a in attendees]
    assert len(events) == truths["calendar"]["events"]
    assert sum(len(a) + 1 > 25 for a in attendees) == truths["calendar"]["big_meetings"] > 0
    assert sum(p.params.get("PARTSTAT") == "DECLINED" for a in attendees for p in a) == truths["calendar"]["declined_attendees"] > 0
    assert all(str(e["summary"]) == "SECRET-SUMMARY" for e in events)
    slack = truths["slack"]
    files = {f: json.loads(f.read_text()) for f in (fresh / "slack").glob("*/*.json")}
    assert len(files) == slack["files"]
    # One file per channel and month, named after its first day.
    for f, posted in files.items():
        months = {pd.Timestamp(float(m["ts"]), unit="s", tz="UTC").strftime("%Y-%m-01") for m in posted}
        assert months == {f.stem}
    messages = [m for posted in files.values() for m in posted]
    assert len(messages) == slack["messages"]
    assert sum("parent_user_id" in m for m in messages) == slack["thread_replies"]
    assert sum(len(re.findall(r"<@U\w+>", m["text"])) for m in messages) == slack["mentions"]
    assert sum(len(r["users"]) for m in messages for r in m.get("reactions", [])) == slack["reactions"]


def test_other_source_counts(fresh: Path, truths: dict) -> None:
    interactions = pd.read_csv(fresh / "interactions.csv")
    assert len(interactions) == truths["interactions"]["rows"]
    assert interactions["timestamp"].str.endswith("Z").all()
    assert interactions["sender"].str.startswith("@").any()
    viva = pd.read_csv(fresh / "viva" / "person_to_person.csv")
    assert len(viva) == truths["viva"]["rows"]
    audiences = pd.read_csv(fresh / "audiences.csv", dtype={"follower_id": str})
    assert len(audiences) == truths["audiences"]["rows"]
    assert set(audiences.loc[audiences["owner_type"] == "brand", "person"]) == {"Acme"}
    assert audiences["follower_id"].isna().sum() == truths["audiences"]["count_only_accounts"]
    engagement = pd.read_csv(fresh / "engagement.csv")
    assert len(engagement) == truths["engagement"]["rows"] and not engagement.duplicated().any()


# --------------------------------------------------------------------------- benchmark scale


def test_benchmark_org_contract() -> None:
    frames = benchmark_org(n_people=5_000, n_ties=60_000, periods=("2026-09", "2026-10"), seed=3)
    people, ties = frames["people"], frames["ties"]
    assert list(people.columns) == [*CORE_PERSON_FIELDS, "level"] and len(people) == 5_000
    assert people["person_id"].is_unique and people["manager_id"].dropna().isin(people["person_id"]).all()
    assert list(ties.columns) == TIE_COLUMNS and len(ties) == 60_000
    assert not ties.duplicated(["source", "target", "period", "channel"]).any() and (ties["source"] != ties["target"]).all()
    assert str(ties["first_seen"].dtype) == "datetime64[ns, UTC]" and (ties["first_seen"] <= ties["last_seen"]).all()
    assert set(ties["period"]) == {"2026-09", "2026-10"}
    department = people.set_index("person_id")["department"]
    assert (ties["source"].map(department) == ties["target"].map(department)).mean() > 0.8
    degree = ties.groupby("source").size()
    assert degree.max() > 10 * degree.median()  # heavy tailed
    assert list(frames["audiences"].columns) == AUDIENCE_COLUMNS
    assert list(frames["followers"].columns) == FOLLOWER_COLUMNS and len(frames["followers"]) > 0
    assert list(frames["engagement"].columns) == ENGAGEMENT_COLUMNS
    again = benchmark_org(n_people=5_000, n_ties=60_000, periods=("2026-09", "2026-10"), seed=3)
    pd.testing.assert_frame_equal(again["ties"], ties)


def test_benchmark_files(tmp_path: Path) -> None:
    roster = pd.read_csv(write_roster_csv(tmp_path / "roster.csv", 2_000, seed=1), dtype=str)
    table = pd.read_csv(write_interactions_csv(tmp_path / "interactions.csv", 20_000, 2_000, seed=1), dtype=str)
    assert len(roster) == 2_000 and len(table) == 20_000
    assert list(table.columns) == ["sender", "recipients", "timestamp", "channel", "duration_hours"]
    known = set(roster["person_id"]) | set(roster["email"])
    named = pd.concat([table["sender"], table["recipients"].str.split(";").explode()])
    assert named.isin(known).all()
    assert pd.to_datetime(table["timestamp"], format="ISO8601").dt.strftime("%Y-%m").between("2026-05", "2026-10").all()


# --------------------------------------------------------------------------- the command line


def test_the_command_line_explains_itself_and_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert {"samples", "benchmark"} <= set(capsys.readouterr().out.split())
    assert main(["benchmark", "--help"]) == 0
    assert "--people" in capsys.readouterr().out
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert main(["samples", "--out", str(blocked / "samples")]) == 1
    error = capsys.readouterr().err
    assert f"cannot write to {blocked / 'samples'}" in error and "Traceback" not in error
    assert main(["benchmark", "--out", str(tmp_path), "--people", "0"]) == 2
    assert not (tmp_path / "roster.csv").exists()


def test_the_benchmark_command_writes_the_files_of_the_library(tmp_path: Path) -> None:
    assert main(["benchmark", "--out", str(tmp_path / "cli"), "--people", "300", "--rows", "2000", "--seed", "3"]) == 0
    write_roster_csv(tmp_path / "roster.csv", 300, seed=3)
    write_interactions_csv(tmp_path / "interactions.csv", 2000, 300, seed=3)
    for name in ("roster.csv", "interactions.csv"):
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / name).read_bytes()
