"""E-mail header ingester: mbox files and Maildir folders, headers only.

Only five headers are read: ``From``, ``To``, ``Cc``, ``Date`` and
``Message-ID``. Each message's header block is cut off at the first blank
line and parsed with :class:`email.parser.BytesHeaderParser`, so bodies and
attachments are never parsed, and ``Subject`` is never looked at.

A message is one ``message`` interaction on channel ``email`` from its
sender (``From``) to its recipients (``To`` + ``Cc``, each address once per
message); Bcc is not in delivered headers and is not read. Weighting, the
broadcast cutoff, identity resolution and external counts are the shared
path's (:func:`orgnet.ingest.edges.add_interactions`).

A message seen in several mailboxes counts once: within an ingest by its
Message-ID, across ingests by a keyed hash of it (the store keeps the hashes,
never the ids). Messages without a Message-ID cannot be matched and always
count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import mmap
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

import numpy as np
import pandas as pd

from orgnet.errors import OrgnetError
from orgnet.ingest.base import IngestContext
from orgnet.ingest.dates import utc_instants
from orgnet.ingest.edges import INTERACTION_COLUMNS, PARTICIPANT_COLUMNS, add_interactions
from orgnet.model import IngestBatch

__all__ = ["CHANNEL", "message_key", "read"]

CHANNEL = "email"
_SEPARATOR = re.compile(rb"^From ", re.MULTILINE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MAILDIR_PARTS = ("cur", "new", "tmp")
# A NUL byte in the first 64 KiB means a binary file, not a mailbox (the check orgnet.ingest.base.read_bytes makes).
_BINARY_PROBE = 65536


@dataclass
class _Header:
    """The five headers orgnet reads from one message, and where the message is."""

    file: str
    line: int
    sender: str | None
    recipients: list[str]
    date: str | None
    message_id: str | None


def message_key(message_id: str, salt: str) -> str:
    """Keyed hash (HMAC-SHA256 with ``salt``) of a normalised Message-ID, as kept by the store."""
    return hmac.new(salt.encode("utf-8"), message_id.encode("utf-8"), hashlib.sha256).hexdigest()


def _normalise_message_id(raw: str | None) -> str | None:
    """The id between ``<`` and ``>`` (or the whole value), without whitespace; ``None`` when blank.

    Case is kept: RFC 5322 compares message ids literally.
    """
    if raw is None:
        return None
    text = "".join(str(raw).split())
    inside = re.search(r"<([^<>]+)>", text)
    text = inside.group(1) if inside else text.strip("<>")
    return text or None


def _parse_header_block(block: bytes, file: str, line: int) -> _Header:
    """Parse one message's header block (the bytes before its first blank line)."""
    headers = BytesHeaderParser().parsebytes(block, headersonly=True)
    # str(): the compat32 policy hands back a Header object for undecodable bytes.
    senders = [address for _, address in getaddresses([str(v) for v in headers.get_all("From", [])]) if address]
    listed = [str(v) for name in ("To", "Cc") for v in headers.get_all(name, [])]
    recipients = list(dict.fromkeys(address.strip().lower() for _, address in getaddresses(listed) if address.strip()))
    date = headers.get("Date")
    return _Header(
        file=file,
        line=line,
        sender=senders[0] if senders else None,
        recipients=recipients,
        date=None if date is None else str(date),
        message_id=_normalise_message_id(headers.get("Message-ID")),
    )


def _header_block(data: bytes | mmap.mmap, start: int, end: int) -> bytes:
    """The bytes from ``start`` to the first blank line before ``end`` (or to ``end``)."""
    found = _HEADER_END.search(data, start, end)
    return bytes(data[start : found.start() if found else end])


def _mbox_headers(path: Path, context: IngestContext) -> Iterator[_Header]:
    """Headers of every message of an mbox file, with the line of its ``From `` separator.

    Messages are split at lines starting with ``From `` (the rule
    :class:`mailbox.mbox` uses); the file is memory-mapped, so only header
    blocks are copied. :mod:`mailbox` itself is not used for mbox because its
    table of contents does not give line numbers.
    """
    try:
        handle = path.open("rb")
    except OSError as error:
        raise OrgnetError(f"cannot read {path}: {error.strerror or error}") from error
    with handle:
        if os.fstat(handle.fileno()).st_size == 0:
            raise context.problems.fatal(path, "the file is empty")
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if b"\x00" in data[:_BINARY_PROBE]:
                raise context.problems.fatal(path, "the file is binary, not an mbox (NUL bytes found)")
            if data[:5] != b"From ":
                raise context.problems.fatal(path, "not an mbox file: it does not start with a 'From ' line")
            starts = [match.start() for match in _SEPARATOR.finditer(data)] + [len(data)]
            bounds = list(itertools.pairwise(starts))
            view = np.frombuffer(data, dtype=np.uint8)
            try:
                lengths = [int(np.count_nonzero(view[begin:end] == 10)) for begin, end in bounds]
            finally:
                # The map cannot close while a NumPy view of it exists.
                del view
            lines = np.cumsum([1, *lengths[:-1]]) if bounds else []
            for (begin, end), line in zip(bounds, lines):
                headers_start = data.find(b"\n", begin, end) + 1 or end
                yield _parse_header_block(_header_block(data, headers_start, end), str(path), int(line))


def _maildir_headers(folder: Path) -> Iterator[_Header]:
    """Headers of every delivered message of a Maildir (``cur`` and ``new``; ``tmp`` is mail still arriving)."""
    for part in ("cur", "new"):
        directory = folder / part
        if not directory.is_dir():
            continue
        for file in sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith(".")):
            try:
                data = file.read_bytes()
            except OSError as error:
                raise OrgnetError(f"cannot read {file}: {error.strerror or error}") from error
            yield _parse_header_block(_header_block(data, 0, len(data)), str(file), 1)


def _is_maildir(folder: Path) -> bool:
    return (folder / "cur").is_dir() or (folder / "new").is_dir()


def _looks_like_mbox(file: Path) -> bool:
    try:
        with file.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False


def _mailboxes(path: Path, context: IngestContext) -> list[tuple[str, Path]]:
    """The mailboxes at ``path``: (``mbox`` or ``maildir``, location), in sorted order.

    A file is taken as an mbox whatever it looks like (so that a wrong file is
    a clear error); in a folder, every Maildir (Maildir++ subfolders too) and
    every file starting with ``From `` is a mailbox, other files are ignored.
    """
    if path.is_file():
        return [("mbox", path)]
    found: list[tuple[str, Path]] = []
    for root, folders, files in os.walk(path):
        here = Path(root)
        if _is_maildir(here):
            found.append(("maildir", here))
            folders[:] = [f for f in folders if f not in _MAILDIR_PARTS]
        folders.sort()
        found.extend(("mbox", here / name) for name in sorted(files) if not name.startswith(".") and _looks_like_mbox(here / name))
    if not found:
        raise context.problems.fatal(path, "no mailbox found: expected an mbox file or a Maildir folder (cur/, new/)")
    return sorted(found, key=lambda item: str(item[1]))


def _timestamp(header: _Header) -> dt.datetime | str:
    """The message's time in UTC, or why it has none (a naive ``Date`` is taken as UTC)."""
    if header.date is None or not header.date.strip():
        return "missing Date header"
    try:
        moment = parsedate_to_datetime(header.date)
    except (TypeError, ValueError, IndexError):
        return f"Date {header.date.strip()[:60]!r} is not an RFC 5322 date"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def read(path: Path, context: IngestContext) -> IngestBatch:
    """Read the e-mail headers of an mbox file, a Maildir, or a folder of them.

    Parameters
    ----------
    path : an mbox file, a Maildir folder, or a folder holding mbox files and
        Maildirs at any depth.
    context : the ingest context (``broadcast_cutoff``, ``follower_salt``
        keys the Message-ID hashes, ``seen_message_keys`` finds earlier ones).

    Returns
    -------
    :class:`~orgnet.model.IngestBatch` with ``ties`` on channel ``email``,
    ``external_contacts`` and ``message_keys`` (hashes of the counted
    Message-IDs).

    Notes
    -----
    A message without a ``From`` address, or whose ``Date`` is missing or
    unparsable, is a problem naming its file and line (the ``From `` line in
    an mbox, line 1 of a Maildir file). Report counts: ``mailboxes``,
    ``messages`` (all read), ``duplicates_skipped`` (counted earlier in this
    ingest or by an earlier one), ``without_message_id``,
    ``without_recipients`` (dropped: nobody to tie to), then the shared
    path's ``interactions``, ``broadcasts_dropped``, ``ties``...
    An empty mbox, a binary file, a file that is not an mbox and a folder
    without mail are whole-file errors.
    """
    report, problems = context.report, context.problems
    boxes = _mailboxes(path, context)
    headers = [
        header
        for kind, location in boxes
        for header in (_mbox_headers(location, context) if kind == "mbox" else _maildir_headers(location))
    ]
    report.add("mailboxes", len(boxes))
    report.add("messages", len(headers))
    if not headers:
        raise problems.fatal(path, "no messages found in the mailbox" + ("es" if len(boxes) > 1 else ""))

    dated: list[tuple[_Header, dt.datetime]] = []
    for header in headers:
        moment = _timestamp(header)
        if header.sender is None:
            problems.add(header.file, header.line, "no From address")
        elif isinstance(moment, str):
            problems.add(header.file, header.line, moment)
        else:
            dated.append((header, moment))
    outside = context.dates.outside(utc_instants([moment for _, moment in dated]))
    for (header, _), refused in zip(dated, outside):
        if refused:
            problems.add(header.file, header.line, context.dates.reason("Date", (header.date or "").strip()))
    kept = [item for item, refused in zip(dated, outside) if not refused]
    context.dates.note_range(report, utc_instants([moment for _, moment in kept]))

    # The first copy (in sorted mailbox order) counts; later copies, here or in earlier ingests, do not.
    keys = [None if h.message_id is None else message_key(h.message_id, context.follower_salt) for h, _ in kept]
    seen_before = context.seen_message_keys(sorted({k for k in keys if k is not None}))
    counted: list[tuple[_Header, dt.datetime]] = []
    new_keys: dict[str, None] = {}
    duplicates = 0
    for (header, moment), key in zip(kept, keys):
        if key is not None and (key in seen_before or key in new_keys):
            duplicates += 1
            continue
        if key is not None:
            new_keys[key] = None
        counted.append((header, moment))
    report.add("duplicates_skipped", duplicates)
    report.add("without_message_id", sum(key is None for key in keys))
    addressed = [(header, moment) for header, moment in counted if header.recipients]
    report.add("without_recipients", len(counted) - len(addressed))

    ids = np.arange(len(addressed), dtype=np.int64)
    interactions = pd.DataFrame(
        {
            "interaction": ids,
            "timestamp": context.dates.nanoseconds(utc_instants([moment for _, moment in addressed])),
            "channel": CHANNEL,
            "kind": "message",
            "duration_hours": np.nan,
        }
    )
    sizes = np.array([len(header.recipients) for header, _ in addressed], dtype=np.int64)
    participants = pd.DataFrame(
        {
            "interaction": np.concatenate([ids, np.repeat(ids, sizes)]),
            "role": np.concatenate([np.full(len(ids), "sender", dtype=object), np.full(int(sizes.sum()), "recipient", dtype=object)]),
            "raw": np.array(
                [header.sender for header, _ in addressed] + [r for header, _ in addressed for r in header.recipients], dtype=object
            ),
        }
    )
    batch = IngestBatch()
    batch.message_keys = list(new_keys)
    add_interactions(interactions[INTERACTION_COLUMNS], participants[PARTICIPANT_COLUMNS], context, batch)
    return batch
