"""E-mail of the sample organisation: an mbox archive and a Maildir, headers as mail clients write them."""

from __future__ import annotations

from datetime import timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import numpy as np

from orgnet.synth.activity import Event
from orgnet.synth.org import ORG_DOMAIN, Org

__all__ = ["write_email"]

_EXTERNAL_ADDRESSES = (
    "anna.berg@partner.example",
    "deals@partner.example",
    "m.ortiz@partner.example",
    "support@partner.example",
    "j.wright@partner.example",
    "kim.lawson@gmail.com",
    "tom.baker.1980@gmail.com",
    "priya.n@gmail.com",
)
#: Addresses in the organisation's domain that no roster entry holds, and on how many messages each appears.
_UNKNOWN_INTERNAL = {"old.mailbox@acme.example": 5, "facilities-desk@acme.example": 3}
_BERLIN_SUMMER = timezone(timedelta(hours=2))


def _address(org: Org, person: int, named: bool) -> str:
    return f"{org.names[person]} <{org.emails[person]}>" if named else org.emails[person]


def _fold(addresses: list[str]) -> str:
    """An address list folded every few entries, as mail clients do for long headers."""
    lines = [", ".join(addresses[i : i + 4]) for i in range(0, len(addresses), 4)]
    return ",\n ".join(lines)


def write_email(org: Org, found: list[Event], rng: np.random.Generator, out: Path) -> dict[str, Any]:
    """Write ``email/archive.mbox`` and the Maildir ``email/maildir``; some messages are in both.

    Broadcasts and messages naming outside or unknown internal addresses go
    only to the mbox. Senders in Berlin date their mail in local time.

    Returns
    -------
    The counts the e-mail ingester must report: unique, duplicate and
    broadcast messages, the outside and unknown internal addresses.
    """
    mails = [e for e in found if e.channel == "email"]
    ordinary = [i for i, e in enumerate(mails) if e.kind != "broadcast"]
    unknown_at: dict[int, str] = {}
    picks = iter(rng.choice(ordinary, size=sum(_UNKNOWN_INTERNAL.values()), replace=False))
    for address, count in _UNKNOWN_INTERNAL.items():
        for _ in range(count):
            unknown_at[int(next(picks))] = address
    external_at = {i: str(rng.choice(_EXTERNAL_ADDRESSES)) for i in ordinary if i not in unknown_at and rng.random() < 0.05}

    maildir = out / "email" / "maildir"
    (maildir / "tmp").mkdir(parents=True, exist_ok=True)
    (maildir / "cur").mkdir(exist_ok=True)
    (maildir / "new").mkdir(exist_ok=True)
    (maildir / "tmp" / ".gitkeep").write_text("")
    mbox_parts = []
    counts = {"mbox": 0, "maildir": 0, "both": 0}
    for n, event in enumerate(mails, start=1):
        to = [_address(org, k, rng.random() < 0.3) for k in event.recipients[:1] if event.kind != "broadcast"]
        cc = [_address(org, k, rng.random() < 0.3) for k in event.recipients[1:]]
        if event.kind == "broadcast":
            to = [org.emails[k] for k in event.recipients]
        if n - 1 in unknown_at:
            to.append(unknown_at[n - 1])
        if n - 1 in external_at:
            cc.append(external_at[n - 1])
        local = event.time.astimezone(_BERLIN_SUMMER) if org.locations[event.sender] == "Berlin" else event.time
        headers = [
            f"From: {_address(org, event.sender, True)}",
            f"To: {_fold(to)}",
            *([f"Cc: {_fold(cc)}"] if cc else []),
            f"Date: {format_datetime(local)}",
            f"Message-ID: <{event.time.strftime('%Y%m%d%H%M%S')}.{n:05d}@mail.{ORG_DOMAIN}>",
            f"Subject: SECRET-SUBJECT-{n}",
        ]
        text = "\n".join(headers) + "\n\nSECRET-BODY\n"
        plain = event.kind != "broadcast" and n - 1 not in unknown_at and n - 1 not in external_at
        draw = rng.random()
        where = "both" if plain and draw < 0.14 else "maildir" if plain and draw < 0.4 else "mbox"
        counts[where] += 1
        if where in ("mbox", "both"):
            mbox_parts.append(f"From {org.emails[event.sender]} {event.time.strftime('%a %b %d %H:%M:%S %Y')}\n{text}\n")
        if where in ("maildir", "both"):
            stamp = int(event.time.timestamp())
            folder, suffix = ("new", "") if n % 5 == 0 else ("cur", ":2,S")
            (maildir / folder / f"{stamp}.M{n}P7.acme{suffix}").write_text(text, encoding="utf-8")
    (out / "email" / "archive.mbox").write_text("".join(mbox_parts), encoding="utf-8")

    broadcasts = [e for e in mails if e.kind == "broadcast"]
    kept_mails = [e for e in mails if e.kind != "broadcast"]
    return {
        "unique_messages": len(mails),
        "mbox_messages": counts["mbox"] + counts["both"],
        "maildir_messages": counts["maildir"] + counts["both"],
        "duplicates": counts["both"],
        "broadcasts": len(broadcasts),
        "broadcast_recipients_min": min(len(e.recipients) for e in broadcasts),
        "kept_messages": len(kept_mails),
        "max_recipients_kept": max(len(e.recipients) + 1 for e in kept_mails),
        "external_addresses": sorted(set(external_at.values())),
        "messages_with_external": len(external_at),
        "unknown_internal": dict(_UNKNOWN_INTERNAL),
        "messages_with_unknown_internal": len(unknown_at),
    }
