"""E-mail header ingester: mbox files, Maildirs, ``.eml`` files and folders of message files, headers only.

Where messages are found and how an mbox is split is
:mod:`orgnet.ingest.email_mailboxes`; what is read from a header block is
:mod:`orgnet.ingest.email_headers` (``From``, ``To``, ``Cc``, ``Date``,
``Message-ID``, and the fields that credit mail a list rewrote,
:mod:`orgnet.ingest.email_lists`); bodies, attachments and ``Subject`` are
never read.

A message is one ``message`` interaction on channel ``email`` from its
sender (``From``) to its recipients (``To`` + ``Cc``, each address once per
message); Bcc is not in delivered headers and is not read. Weighting, the
broadcast cutoff, identity resolution and external counts are the shared
path's (:func:`orgnet.ingest.edges.add_interactions`).

A message seen in several places (an mbox and a Maildir, a ``.eml`` file,
several mailboxes) counts once: within an ingest by its Message-ID, across
ingests by a keyed hash of it (the store keeps the hashes, never the ids).
Messages without a Message-ID cannot be matched and always count.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from orgnet.ingest.base import IngestContext
from orgnet.ingest.dates import utc_instants
from orgnet.ingest.edges import INTERACTION_COLUMNS, PARTICIPANT_COLUMNS, add_interactions
from orgnet.ingest.email_headers import MessageHeader, message_time
from orgnet.ingest.email_lists import credit_list_senders
from orgnet.ingest.email_mailboxes import Mail
from orgnet.model import IngestBatch, IngestReport
from orgnet.privacy import HashKey

__all__ = ["CHANNEL", "message_key", "read"]

CHANNEL = "email"


def message_key(message_id: str, key: HashKey) -> str:
    """Keyed hash (HMAC-SHA256 with the hashing ``key``) of a normalised Message-ID, as kept by the store."""
    return key.digest("message", message_id)


def read(path: Path, context: IngestContext) -> IngestBatch:
    """Read the e-mail headers of an mbox file, a message file, a Maildir, or a folder of them in any mix.

    Parameters
    ----------
    path : an mbox file, a message file (``.eml``), a Maildir folder, or a
        folder holding mbox files, Maildirs and message files at any depth
        (see :mod:`orgnet.ingest.email_mailboxes`).
    context : the ingest context (``broadcast_cutoff``, ``hash_key``
        keys the Message-ID hashes, ``seen_message_keys`` finds earlier ones,
        ``dates`` the accepted dates, ``resolver`` credits list mail).

    Returns
    -------
    :class:`~orgnet.model.IngestBatch` with ``ties`` on channel ``email``,
    ``external_contacts`` and ``message_keys`` (hashes of the counted
    Message-IDs).

    Notes
    -----
    A message without a readable ``From`` address, whose ``Date`` is
    missing, unparsable or outside the accepted dates, or whose header block
    is longer than 1 MiB, is a problem naming its file and line (the
    ``From `` line in an mbox, line 1 of a message file); a file that cannot
    be read is a problem naming the file (line 0). Report counts:
    ``mailboxes``, ``messages`` (all read), ``duplicates_skipped`` (counted
    earlier in this ingest or by an earlier one), ``without_message_id``,
    ``without_recipients`` (dropped: nobody to tie to), then the shared
    path's ``interactions``, ``broadcasts_dropped``, ``ties``... and, when
    not zero, ``files_ignored`` (files of a folder that are not mail),
    ``body_from_lines`` (``From `` lines of mbox bodies, not separators),
    ``unreadable_addresses`` (messages with an address left out),
    ``list_rewritten`` and ``list_uncredited`` (see
    :mod:`orgnet.ingest.email_lists`), ``symlinks_skipped``. An empty file,
    a binary file, a file that is not mail and a folder without mail are
    whole-file errors.
    """
    report = context.report
    headers, instants = _dated_messages(path, context)
    credited, rewritten = credit_list_senders(headers, context.resolver)
    _add_if_any(report, list_rewritten=rewritten, list_uncredited=int((~credited).sum()))
    headers, instants = [header for header, keep in zip(headers, credited) if keep], instants[credited]
    context.dates.note_range(report, instants)

    counted, new_keys = _first_copies(headers, context)
    addressed = counted & np.array([bool(header.recipients) for header in headers], dtype=bool)
    report.add("without_recipients", int(counted.sum() - addressed.sum()))
    sent = [header for header, keep in zip(headers, addressed) if keep]
    ids = np.arange(len(sent), dtype=np.int64)
    interactions = pd.DataFrame(
        {
            "interaction": ids,
            "timestamp": context.dates.nanoseconds(instants[addressed]),
            "channel": CHANNEL,
            "kind": "message",
            "duration_hours": np.nan,
        }
    )
    sizes = np.array([len(header.recipients) for header in sent], dtype=np.int64)
    participants = pd.DataFrame(
        {
            "interaction": np.concatenate([ids, np.repeat(ids, sizes)]),
            "role": np.concatenate([np.full(len(ids), "sender", dtype=object), np.full(int(sizes.sum()), "recipient", dtype=object)]),
            "raw": np.array([header.sender for header in sent] + [r for header in sent for r in header.recipients], dtype=object),
        }
    )
    batch = IngestBatch()
    batch.message_keys = new_keys
    add_interactions(interactions[INTERACTION_COLUMNS], participants[PARTICIPANT_COLUMNS], context, batch)
    return batch


def _dated_messages(path: Path, context: IngestContext) -> tuple[list[MessageHeader], np.ndarray]:
    """The messages at ``path`` with a sender and an accepted date, and their instants; the others are problems."""
    report, problems = context.report, context.problems
    mail = Mail(path, context)
    dated: list[MessageHeader] = []
    moments: list[dt.datetime] = []
    messages = unreadable = 0
    for header in mail:
        messages += 1
        unreadable += header.unreadable
        moment = header.problem if header.problem is not None else message_time(header.date)
        if isinstance(moment, str):
            problems.add(header.file, header.line, moment)
        else:
            dated.append(header)
            moments.append(moment)
    report.add("mailboxes", mail.mailboxes)
    report.add("messages", messages)
    _add_if_any(report, files_ignored=mail.files_ignored, body_from_lines=mail.body_from_lines, unreadable_addresses=unreadable)
    if not messages:
        raise problems.fatal(path, "no messages found")
    instants = utc_instants(moments)
    outside = context.dates.outside(instants)
    for header in (header for header, refused in zip(dated, outside) if refused):
        problems.add(header.file, header.line, context.dates.reason("Date", header.date))
    return [header for header, refused in zip(dated, outside) if not refused], instants[~outside]


def _first_copies(headers: list[MessageHeader], context: IngestContext) -> tuple[np.ndarray, list[str]]:
    """Which messages count (the first copy in file order, not counted by an earlier ingest) and their new keys."""
    keys = [None if header.message_id is None else message_key(header.message_id, context.hash_key()) for header in headers]
    seen_before = context.seen_message_keys(sorted({key for key in keys if key is not None}))
    new_keys: dict[str, None] = {}
    counted = np.zeros(len(headers), dtype=bool)
    for index, key in enumerate(keys):
        if key is None or (key not in seen_before and key not in new_keys):
            counted[index] = True
            if key is not None:
                new_keys[key] = None
    context.report.add("duplicates_skipped", int((~counted).sum()))
    context.report.add("without_message_id", sum(key is None for key in keys))
    return counted, list(new_keys)


def _add_if_any(report: IngestReport, **counts: int) -> None:
    """Add the counts that are not zero (figures most ingests never have stay out of the report)."""
    for name, value in counts.items():
        if value:
            report.add(name, value)
