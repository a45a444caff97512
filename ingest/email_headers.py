"""One message's header block: where it ends, the few fields orgnet reads, their addresses and date.

A header block is the run of header lines (``Name: value``, and the
continuation lines folded under them) that opens a message; it ends at the
first line that is neither, normally the blank line before the body. Nothing
after it is ever looked at, so no body text can reach an address, a count or
a problem. Only these fields are read: ``From``, ``To``, ``Cc``, ``Date`` and
``Message-ID`` for the interaction, and ``Reply-To``, ``X-Original-From``,
``List-Id`` and ``List-Post`` to credit mail a list rewrote (see
:mod:`orgnet.ingest.email_lists`); ``Subject`` is never read.

Addresses are read by a fast pattern when a value is a plain list of
``[name] <address>`` or ``address`` entries (display names plain, quoted or
encoded words), which is what mail clients write. Anything else goes to the
standard library's strict RFC 5322 parser (:mod:`email.headerregistry`),
which handles comments, groups and encoded words holding specials, and does
not mistake ``alice@example.org <bob@example.com>`` for two addresses as the
lenient :func:`email.utils.getaddresses` of Python before 3.13 does.
"""

from __future__ import annotations

import datetime as dt
import mmap
import re
from dataclasses import dataclass, field
from email import errors, policy
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime

__all__ = ["FIELD_START", "MAX_HEADER_BYTES", "MessageHeader", "addresses", "header_end", "message_time", "parse_header_block"]

#: Longest header block read (1 MiB, ten thousand long recipients); a longer one is a bad message, not mail.
MAX_HEADER_BYTES = 1 << 20
# The strict parser is quadratic in the length of a value (100 KB of addresses: 3 s; 1 MB: 190 s), so it only
# ever sees pieces up to this size; longer pieces are unreadable.
_STRICT_BYTES = 16384

#: How a header line starts (RFC 5322 2.2: a field name is printable ASCII but the colon; obsolete syntax allows
#: blanks before the colon). A line starting with a blank continues the line before.
FIELD_START = rb"[!-9;-~]+[ \t]*:"
_HEADER_LINES = re.compile(rb"(?:" + FIELD_START + rb"[^\n]*(?:\n|\Z)|[ \t][^\n]*(?:\n|\Z))*")
_FIELD = re.compile(
    rb"^(from|to|cc|date|message-id|reply-to|x-original-from|list-id|list-post)[ \t]*:(.*(?:\r?\n[ \t].*)*)",
    re.IGNORECASE | re.MULTILINE,
)
_FOLD = re.compile(rb"\r?\n")
_ANGLE_ID = re.compile(r"<([^<>]+)>")

_ADDRESS = r"[^\s<>()\[\]\\,;:@\"]+@[^\s<>()\[\]\\,;:@\"]+"
_VALID_ADDRESS = re.compile(_ADDRESS)
_NAME = r'(?:"(?:[^"\\\r\n]|\\.)*"|[^<>()\[\]\\,;:@"])*?'
_ENTRY = re.compile(rf"(?P<name>{_NAME})<\s*(?P<angle>{_ADDRESS})\s*>\s*(?:,|\Z)|\s*(?P<bare>{_ADDRESS})\s*(?:,|\Z)")
_GAP = re.compile(r"[\s,]*")
# Commas outside quoted strings split a long value into entries for the strict parser.
_PIECE = re.compile(r'(?:[^,"]|"(?:[^"\\]|\\.)*"?)+')
_QUOTED = re.compile(r'\\(.)|"')
_FACTORY = policy.default.header_factory
# A four-digit year with a leading zero (0000-0999): parsedate reads "0000" as the two-digit year 00, i.e. 2000.
_ZERO_YEAR = re.compile(r"(?<![\d+\-:])0\d{3}(?![\d:])")


@dataclass(slots=True)
class MessageHeader:
    """What orgnet reads from one message, and where the message is (``line`` of its first line in ``file``).

    ``sender`` is the ``From`` address (``None`` when there is none:
    ``problem`` says why), ``sender_name`` its display name, decoded;
    ``recipients`` the ``To`` and ``Cc`` addresses, lower case, each once;
    ``unreadable`` tells that some address could not be read and was left
    out. ``original_from`` (``X-Original-From``), ``reply_to`` and
    ``mailing_list`` (a ``List-Id`` or ``List-Post`` field) serve to credit a
    message a list rewrote.
    """

    file: str
    line: int
    sender: str | None = None
    sender_name: str = ""
    recipients: list[str] = field(default_factory=list)
    date: str | None = None
    message_id: str | None = None
    original_from: str | None = None
    reply_to: list[str] = field(default_factory=list)
    mailing_list: bool = False
    unreadable: bool = False
    problem: str | None = None


def header_end(data: bytes | mmap.mmap, start: int, end: int) -> int | None:
    """Where the header block starting at ``start`` ends (``end`` at most), or ``None`` past :data:`MAX_HEADER_BYTES`.

    ``data`` may be a memory map: only the header lines are scanned.
    """
    stop = min(end, start + MAX_HEADER_BYTES + 1)
    lines = _HEADER_LINES.match(data, start, stop)
    assert lines is not None  # the pattern matches no lines too
    found = lines.end()
    return None if found == stop and stop < end else found


def parse_header_block(block: bytes, file: str, line: int) -> MessageHeader:
    """Read the fields orgnet uses from one header block (the bytes :func:`header_end` delimits)."""
    header = MessageHeader(file=file, line=line)
    senders: list[str] = []
    listed: list[str] = []
    for match in _FIELD.finditer(block):
        name = match.group(1).lower()
        if name in (b"list-id", b"list-post"):
            header.mailing_list = True
            continue
        raw = match.group(2)
        value = (_FOLD.sub(b"", raw) if b"\n" in raw else raw).decode("utf-8", "replace").strip()
        if name == b"to" or name == b"cc":
            listed.append(value)
        elif name == b"from":
            senders.append(value)
        elif name == b"date":
            header.date = value if header.date is None else header.date
        elif name == b"message-id":
            header.message_id = _message_id(value) if header.message_id is None else header.message_id
        elif name == b"reply-to":
            header.reply_to.extend(address for _, address in addresses(value)[0])
        elif header.original_from is None:
            found = addresses(value)[0]
            header.original_from = found[0][1] if found else None
    _read_sender(header, senders)
    recipients: dict[str, None] = {}
    for value in listed:
        found, unreadable = addresses(value)
        header.unreadable |= unreadable
        recipients.update((address.lower(), None) for _, address in found)
    header.recipients = list(recipients)
    return header


def _read_sender(header: MessageHeader, values: list[str]) -> None:
    """The first ``From`` address and its display name; a ``From`` that holds none is the message's problem."""
    if not values or not values[0]:
        header.problem = "no From address"
        return
    found, unreadable = addresses(values[0])
    # A From the strict parser finds defective (alice@example.org <bob@example.com>) could credit either address.
    if not found or unreadable:
        header.problem = "the From header holds no readable address"
        return
    name, header.sender = found[0]
    header.sender_name = _decoded(name)


def _message_id(raw: str) -> str | None:
    """The id between ``<`` and ``>`` (or the whole value), without whitespace; ``None`` when blank.

    Case is kept: RFC 5322 compares message ids literally.
    """
    text = "".join(raw.split())
    inside = _ANGLE_ID.search(text)
    text = inside.group(1) if inside else text.strip("<>")
    return text or None


def addresses(value: str) -> tuple[list[tuple[str, str]], bool]:
    """The (display name, address) pairs of an address-list value, and whether some of it could not be read.

    Parameters
    ----------
    value : a ``From``, ``To``, ``Cc`` or ``Reply-To`` value, unfolded.

    Returns
    -------
    (pairs, unreadable): display names as written (quotes kept, encoded words
    not decoded, except where the strict parser read them), addresses as
    written; ``unreadable`` is true when an entry held no address of the form
    ``local@domain`` and was left out (``undisclosed-recipients:;`` is an
    empty group, not unreadable).

    Notes
    -----
    A plain value is read by one pattern in linear time; others by
    :mod:`email.headerregistry` (RFC 5322 with its obsolete forms), one
    piece of at most 16 KiB at a time (pieces split at commas outside quoted
    strings), because that parser's time grows with the square of its input.
    """
    plain = _plain(value)
    if plain is not None:
        return plain, False
    if len(value) <= _STRICT_BYTES:
        return _strict(value)
    pairs: list[tuple[str, str]] = []
    unreadable = False
    for piece in _PIECE.findall(value):
        found = _plain(piece)
        if found is None:
            found, bad = _strict(piece) if len(piece) <= _STRICT_BYTES else ([], True)
            unreadable |= bad
        pairs.extend(found)
    return pairs, unreadable


def _plain(value: str) -> list[tuple[str, str]] | None:
    """The pairs of a value made only of plain entries, or ``None`` when some entry is not plain."""
    pairs = []
    position = _gap_end(value, 0)
    while position < len(value):
        entry = _ENTRY.match(value, position)
        if entry is None:
            return None
        angle = entry.group("angle")
        pairs.append((entry.group("name").strip(), angle) if angle else ("", entry.group("bare")))
        position = _gap_end(value, entry.end())
    return pairs


def _gap_end(value: str, position: int) -> int:
    """Where the white space and commas from ``position`` on end."""
    gap = _GAP.match(value, position)
    assert gap is not None  # the pattern matches an empty gap too
    return gap.end()


def _strict(value: str) -> tuple[list[tuple[str, str]], bool]:
    """The pairs the strict parser reads, keeping only addresses of the form ``local@domain``."""
    try:
        parsed = _FACTORY("To", value)
        found = [(item.display_name, item.addr_spec) for item in parsed.addresses]
        defective = any(isinstance(defect, errors.InvalidHeaderDefect) for defect in parsed.defects)
    # The parser raises AttributeError, IndexError, TypeError, ValueError, UnboundLocalError or RecursionError on
    # some crafted values (found by fuzzing CPython 3.11): for an ingest they all mean "unreadable".
    except Exception:
        return [], True
    kept = [(name, address) for name, address in found if _VALID_ADDRESS.fullmatch(address) and "\ufffd" not in address]
    return kept, defective or len(kept) < len(found)


def _decoded(name: str) -> str:
    """A display name without its quotes, encoded words (RFC 2047) decoded; as written when they are broken."""
    text = _QUOTED.sub(lambda match: match.group(1) or "", name).strip()
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text))).strip()
    # Unknown charsets (LookupError), bad base64 and undecodable bytes: keep the name as written.
    except (LookupError, ValueError, UnicodeError, errors.HeaderParseError):
        return text


def message_time(date: str | None) -> dt.datetime | str:
    """The instant of a ``Date`` value in UTC, or why it has none (a ``Date`` without a zone is taken as UTC).

    A year written with four digits and a leading zero (``0000``) is refused:
    :func:`email.utils.parsedate_to_datetime` would read it as the two-digit
    year ``00`` and give 2000.
    """
    if date is None or not date:
        return "missing Date header"
    written = f"Date {date[:60]!r}"
    if _ZERO_YEAR.search(date):
        return f"{written} has a year before 1000, which is no date orgnet can store"
    try:
        moment = parsedate_to_datetime(date)
    # OverflowError: a year of 15 digits.
    except (TypeError, ValueError, IndexError, OverflowError):
        return f"{written} is not an RFC 5322 date"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:  # 9999-12-31 23:59 at -23:59 is in the year 10000 in UTC
        return f"{written} is outside the dates orgnet can store"
