"""The Slack workspace of the sample organisation, as an unpacked Slack export."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from orgnet.synth.activity import Clock, Event
from orgnet.synth.org import DEPARTMENTS, SAMPLE_PERIODS, Org, month_of

__all__ = ["write_slack"]

#: Messages in #general that address nobody.
_ANNOUNCEMENTS = 120


def _slack_id(prefix: str, k: int) -> str:
    # Multiplying by an odd constant modulo 2**32 is a bijection: distinct, scrambled-looking ids.
    return f"{prefix}{((k + 1) * 2654435761) % (1 << 32):08X}"


def _write_records(path: Path, records: list[dict[str, Any]]) -> None:
    """A JSON list with one record per line: still readable, a third of the bytes of an indented one."""
    lines = ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    path.write_text(f"[\n{lines}\n]\n", encoding="utf-8")


def write_slack(org: Org, found: list[Event], rng: np.random.Generator, out: Path) -> dict[str, Any]:
    """Write ``slack/``: ``users.json``, ``channels.json`` and one JSON file of messages per channel and month.

    Slack itself writes a file per channel and day; a month's messages go in
    one file here, named after the month's first day (``general/2026-05-01.json``),
    to keep the samples small. Readers take a message's time from its ``ts``,
    never from the file name.

    Slack events become mentions, thread replies or reactions, in the
    department's channel, in ``proj-brand-review`` between the Legal and
    Marketing silo pairs, or in ``cross-team``; announcements in ``general``
    address nobody. Message texts are ``SECRET-SLACK`` markers.

    Returns
    -------
    The counts the Slack ingester must report.
    """
    root = out / "slack"
    root.mkdir(parents=True, exist_ok=True)
    users = [
        {
            "id": _slack_id("U", k),
            "name": org.aliases[k][0].lstrip("@"),
            "real_name": org.names[k],
            "deleted": False,
            "is_bot": False,
            "profile": {"email": org.emails[k], "real_name": org.names[k], "title": org.titles[k]},
        }
        for k in range(org.size)
    ]
    users.append(
        {
            "id": "USLACKBOT",
            "name": "slackbot",
            "real_name": "Slackbot",
            "deleted": False,
            "is_bot": True,
            "profile": {"real_name": "Slackbot"},
        }
    )
    uid = [u["id"] for u in users]
    dept_channel = {name: name.lower()[:11] for name in DEPARTMENTS}
    channel_names = ["general", "random", *dept_channel.values(), "cross-team", "proj-brand-review"]

    messages: dict[tuple[str, str], list[dict[str, Any]]] = {}
    stamps: set[str] = set()

    def post(channel: str, time: datetime, message: dict[str, Any]) -> dict[str, Any]:
        seconds = int(time.timestamp())
        serial = 100
        while f"{seconds}.{serial:06d}" in stamps:  # ts is a message's unique key in Slack
            serial += 1
        message["ts"] = f"{seconds}.{serial:06d}"
        stamps.add(message["ts"])
        messages.setdefault((channel, time.strftime("%Y-%m-01")), []).append(message)
        return message

    counts = {"mentions": 0, "thread_replies": 0, "reactions": 0, "other_messages": 0}
    silo = set(org.roles["silo_legal"]) | set(org.roles["silo_marketing"])
    for event in found:
        if event.channel != "slack":
            continue
        actor, other = event.sender, event.recipients[0]
        if org.dept[actor] == org.dept[other]:
            channel = dept_channel[org.dept_name(actor)]
        elif actor in silo and other in silo:
            channel = "proj-brand-review"
        else:
            channel = "cross-team"
        text = "SECRET-SLACK message text"
        if event.kind == "mention":
            post(channel, event.time, {"type": "message", "user": uid[actor], "text": f"<@{uid[other]}> {text}"})
            counts["mentions"] += 1
        elif event.kind == "reaction":
            reaction = {"name": str(rng.choice(["thumbsup", "eyes", "tada", "white_check_mark"])), "users": [uid[actor]], "count": 1}
            post(channel, event.time, {"type": "message", "user": uid[other], "text": text, "reactions": [reaction]})
            counts["reactions"] += 1
            counts["other_messages"] += 1
        else:
            parent = post(channel, event.time, {"type": "message", "user": uid[other], "text": text})
            parent.update({"thread_ts": parent["ts"], "reply_count": 1, "reply_users": [uid[actor]]})
            reply_time = event.time + timedelta(minutes=int(rng.integers(2, 50)))
            post(
                channel,
                reply_time,
                {"type": "message", "user": uid[actor], "text": text, "thread_ts": parent["ts"], "parent_user_id": uid[other]},
            )
            counts["thread_replies"] += 1
            counts["other_messages"] += 1
    # Announcements with no mention, reply or reaction: channel traffic that is no tie.
    clock = Clock(rng)
    for _ in range(_ANNOUNCEMENTS):
        author = int(rng.integers(0, org.size))
        month = int(rng.integers(month_of(org.hire[author]) if org.hire[author] >= date(2026, 5, 1) else 0, len(SAMPLE_PERIODS)))
        text = "<!here> SECRET-SLACK announcement" if rng.random() < 0.2 else "SECRET-SLACK update"
        post("general", clock.time(month, org.hire[author]), {"type": "message", "user": uid[author], "text": text})
        counts["other_messages"] += 1

    created = int(datetime(2020, 1, 6, tzinfo=UTC).timestamp())
    channels = []
    for k, name in enumerate(channel_names):
        members = sorted({m["user"] for (c, _), posted in messages.items() if c == name for m in posted})
        channels.append({"id": _slack_id("C", k), "name": name, "created": created, "creator": uid[0], "members": members})
    _write_records(root / "users.json", users)
    _write_records(root / "channels.json", channels)
    for (channel, first_day), month_messages in sorted(messages.items()):
        (root / channel).mkdir(exist_ok=True)
        _write_records(root / channel / f"{first_day}.json", sorted(month_messages, key=lambda m: m["ts"]))
    return {
        "users": org.size,
        "bots": 1,
        "channels": len(channels),
        "files": len(messages),
        "messages": sum(len(v) for v in messages.values()),
        **counts,
    }
